package amqp

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testutil"
	"github.com/lambda-harness/lambda-harness/invoke"
)

// TestPikaInterop drives the consumer with a client written the way
// lambda-runtime-api-daemon's Python clients are (testdata/rapid_client.py,
// Debian's python3-pika), on a compat queue: such clients must work
// unchanged.
func TestPikaInterop(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	python := "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import pika").CombinedOutput(); err != nil {
		msg := "Debian's python3-pika is not installed (run .ci/rabbitmq.sh): " + strings.TrimSpace(string(out))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED: " + msg)
	}
	fn := uniqueName(t, url, "pika")
	fake := modeFake()
	runConsumer(t, ConsumerConfig{URL: url, Functions: []invoke.Function{{Name: fn}}}, fake)
	testutil.WaitConsumers(t, url, fn, 1)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "testdata/rapid_client.py", url, fn).Output()
	if err != nil {
		t.Fatalf("rapid_client.py: %v\n%s", err, out)
	}
	type reply struct {
		Body        string            `json:"body"`
		ContentType string            `json:"content_type"`
		Headers     map[string]string `json:"headers"`
	}
	var res struct {
		IDs     map[string]string `json:"ids"`
		Replies map[string]reply  `json:"replies"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	echo := res.Replies[res.IDs["echo"]]
	if echo.Body != `{"hello": "pika"}` || echo.ContentType != "application/json" {
		t.Errorf("echo reply %+v", echo)
	}
	if e := res.Replies[res.IDs["error"]]; e.Headers[headerFunctionError] != "Unhandled" || !strings.Contains(e.Body, `"errorType":"Exception"`) {
		t.Errorf("function error reply %+v", e)
	}
	if _, ok := res.Replies[res.IDs["context"]]; !ok {
		t.Errorf("no reply to the request with client context: %s", out)
	}
	// What the function saw.
	deadline := time.Now().Add(10 * time.Second)
	seen := map[string]invoke.Request{}
	for len(seen) < 4 && time.Now().Before(deadline) {
		for _, r := range fake.Requests() {
			seen[r.RequestID] = r
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := seen[res.IDs["context"]]; r.ClientContext != `{"custom": {"from": "pika"}}` || r.TraceID != "Root=1-pika-trace" {
		t.Errorf("the invoker got client context %q and trace id %q", r.ClientContext, r.TraceID)
	}
	if r, ok := seen[res.IDs["event"]]; !ok || string(r.Payload) != `{"hello": "event"}` {
		t.Errorf("the fire-and-forget message did not run as an Event: %+v", r)
	}
}
