package amqp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// The tests run against a real RabbitMQ: the one at
// LAMBDA_HARNESS_TEST_AMQP_URL, by default a local broker as .ci/rabbitmq.sh
// starts it. Without one they skip loudly, except in CI (CI=true), where a
// missing broker is a failure.
const defaultTestURL = "amqp://guest:guest@127.0.0.1:5672/"

var (
	brokerOnce sync.Once
	brokerErr  error
)

// testURL returns the test broker's URL, or ends the test if there is none.
func testURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("LAMBDA_HARNESS_TEST_AMQP_URL")
	if u == "" {
		u = defaultTestURL
	}
	brokerOnce.Do(func() {
		var conn *amqp091.Connection
		for range 10 { // a broker just restarted by .ci/rabbitmq.sh may need a moment
			if conn, brokerErr = amqp091.Dial(u); brokerErr == nil {
				conn.Close()
				return
			}
			time.Sleep(300 * time.Millisecond)
		}
	})
	if brokerErr != nil {
		msg := "NO RABBITMQ BROKER at " + RedactURL(u) + " (" + brokerErr.Error() +
			"): run .ci/rabbitmq.sh or set LAMBDA_HARNESS_TEST_AMQP_URL"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED: " + msg)
	}
	return u
}

// testLog is the log of the code under test: warnings and errors, or
// everything with LAMBDA_HARNESS_TEST_LOG=debug.
func testLog(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if os.Getenv("LAMBDA_HARNESS_TEST_LOG") == "debug" {
		level = slog.LevelDebug
	}
	var w io.Writer = t.Output()
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// uniqueName returns a function (and queue) name no other test run uses,
// and deletes the queue and its dead-letter queue when the test ends.
func uniqueName(t testing.TB, url, what string) string {
	t.Helper()
	var b [4]byte
	rand.Read(b[:])
	name := "lhtest-" + what + "-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		conn, err := amqp091.Dial(url)
		if err != nil {
			return
		}
		defer conn.Close()
		for _, q := range []string{name, name + DeadLetterSuffix} {
			if ch, err := conn.Channel(); err == nil {
				ch.QueueDelete(q, false, false, false)
				ch.Close()
			}
		}
	})
	return name
}

// rawChannel opens a channel of the test's own, closed at the end.
func rawChannel(t testing.TB, url string) *amqp091.Channel {
	t.Helper()
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// runConsumer runs a Consumer until the returned stop is called (or the test
// ends) and reports Run's error.
func runConsumer(t testing.TB, cfg ConsumerConfig, inv invoke.Invoker) (c *Consumer, stop func()) {
	t.Helper()
	c, err := NewConsumer(cfg, inv, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Consumer.Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return c, stop
}

// newTestClient returns a Client closed when the test ends.
func newTestClient(t testing.TB, cfg ClientConfig) *Client {
	t.Helper()
	c, err := NewClient(cfg, testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// queueDepth returns the messages ready in queue, and of them the unacked.
func queueDepth(t testing.TB, url, queue string) int {
	t.Helper()
	ch := rawChannel(t, url)
	defer ch.Close()
	q, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return q.Messages
}

// restartBroker stops and starts the RabbitMQ application of the local
// broker (rabbitmqctl stop_app, start_app): every connection drops, and
// only durable queues and persistent messages survive. It is only possible
// when the test broker is this machine's.
func restartBroker(t testing.TB, url string) {
	t.Helper()
	ctl := rabbitmqctl(t, url)
	start := time.Now()
	run := func(args ...string) {
		out, err := exec.Command(ctl, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("rabbitmqctl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("-q", "stop_app")
	run("-q", "start_app")
	run("-q", "await_startup", "--timeout", "60")
	t.Logf("broker restarted in %s", time.Since(start).Round(time.Millisecond))
}

// rabbitmqctl finds the tool that can restart the test broker, or ends the
// test.
func rabbitmqctl(t testing.TB, rawURL string) string {
	t.Helper()
	if os.Getenv("LAMBDA_HARNESS_TEST_AMQP_NO_RESTART") != "" {
		t.Skip("SKIPPED: LAMBDA_HARNESS_TEST_AMQP_NO_RESTART is set: the broker may not be restarted")
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
		t.Skip("SKIPPED: the test broker is not local, so this test cannot restart it")
	}
	ctl, err := exec.LookPath("rabbitmqctl")
	if err != nil {
		msg := "rabbitmqctl not found: cannot restart the local broker"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED: " + msg)
	}
	return ctl
}
