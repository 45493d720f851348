package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"
)

// The AMQP tests run the harness against a real RabbitMQ: the broker at
// LAMBDA_HARNESS_TEST_AMQP_URL, by default the local one .ci/rabbitmq.sh
// starts (guest/guest on 127.0.0.1:5672). Without a broker they skip
// loudly; in CI (CI=true) a missing broker fails them. Every test uses
// function (queue) names of its own and deletes its queues at the end.
const defaultBrokerURL = "amqp://guest:guest@127.0.0.1:5672/"

var (
	brokerOnce sync.Once
	brokerErr  error
)

// brokerURL returns the test broker's URL, or ends the test if there is
// none.
func brokerURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("LAMBDA_HARNESS_TEST_AMQP_URL")
	if u == "" {
		u = defaultBrokerURL
	}
	brokerOnce.Do(func() {
		var conn *amqp091.Connection
		for range 10 { // a broker just started may need a moment
			if conn, brokerErr = amqp091.Dial(u); brokerErr == nil {
				conn.Close()
				return
			}
			time.Sleep(300 * time.Millisecond)
		}
	})
	if brokerErr != nil {
		missing(t, "no RabbitMQ broker (%v): run .ci/rabbitmq.sh or set LAMBDA_HARNESS_TEST_AMQP_URL", brokerErr)
	}
	return u
}

// queueName returns a function (and queue) name no other test or run
// uses, and deletes its queue and dead-letter queue when the test ends.
func queueName(t *testing.T, url, what string) string {
	t.Helper()
	var b [4]byte
	rand.Read(b[:])
	name := "lhe2e-" + what + "-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		conn, err := amqp091.Dial(url)
		if err != nil {
			return
		}
		defer conn.Close()
		for _, q := range []string{name, name + ".dlq"} {
			if ch, err := conn.Channel(); err == nil {
				ch.QueueDelete(q, false, false, false)
				ch.Close()
			}
		}
	})
	return name
}

// pikaRequest is one request of testdata/amqp/rapid_rpc.py.
type pikaRequest struct {
	Name     string            `json:"name"`
	Function string            `json:"function"`
	Body     string            `json:"body"`
	Headers  map[string]string `json:"headers,omitempty"`
	Reply    bool              `json:"reply"`
}

// pikaReply is a reply as rapid_rpc.py received it.
type pikaReply struct {
	Body        string            `json:"body"`
	ContentType string            `json:"content_type"`
	Headers     map[string]string `json:"headers"`
}

// pikaResult is what rapid_rpc.py prints: the correlation ids it sent, by
// request name, and the replies, by correlation id.
type pikaResult struct {
	IDs     map[string]string    `json:"ids"`
	Replies map[string]pikaReply `json:"replies"`
}

// reply returns the reply to the request name, or fails the test.
func (r pikaResult) reply(t *testing.T, name string) pikaReply {
	t.Helper()
	rep, ok := r.Replies[r.IDs[name]]
	if !ok {
		t.Fatalf("no reply to the request %q (correlation id %s)", name, r.IDs[name])
	}
	return rep
}

// runPika sends requests with rapid_rpc.py, Debian's python3 and
// python3-pika, and returns what it received.
func runPika(t *testing.T, url string, requests []pikaRequest) pikaResult {
	t.Helper()
	python := "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import pika").CombinedOutput(); err != nil {
		missing(t, "Debian's python3-pika is not installed (run .ci/rabbitmq.sh): %s", strings.TrimSpace(string(out)))
	}
	in, err := json.Marshal(requests)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, filepath.Join(moduleRoot, "e2e", "testdata", "amqp", "rapid_rpc.py"), url)
	cmd.Stdin = strings.NewReader(string(in))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("rapid_rpc.py: %v\n%s%s", err, out, stderr.String())
	}
	var res pikaResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("rapid_rpc.py printed %s: %v", out, err)
	}
	return res
}
