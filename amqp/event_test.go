package amqp

import (
	"context"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/lambda-harness/lambda-harness/internal/testutil"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

// counter counts invocations by request id.
type counter struct {
	mu sync.Mutex // protects n
	n  map[string]int
}

func newCounter() *counter { return &counter{n: map[string]int{}} }

func (c *counter) add(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[id]++
	return c.n[id]
}

func (c *counter) get(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[id]
}

// distinct returns how many ids ran, and how many runs there were in all.
func (c *counter) distinct() (ids, runs int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.n {
		runs += n
	}
	return len(c.n), runs
}

// getMessage waits up to 10s for a message in queue and takes it.
func getMessage(t *testing.T, ch *amqp091.Channel, queue string) amqp091.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		d, ok, err := ch.Get(queue, true)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return d
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no message in %s after 10s", queue)
	return amqp091.Delivery{}
}

func TestEventRetriedThenDeadLettered(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	fn := uniqueName(t, url, "event")
	runs := newCounter()
	var mu sync.Mutex // protects times
	var times []time.Time
	fake := &invoketest.Invoker{Func: func(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
		if req.Type != invoke.RequestResponse {
			t.Errorf("the consumer invoked with %s; it must run Events as RequestResponse", req.Type)
		}
		runs.add(req.RequestID)
		if strings.Contains(string(req.Payload), "fail") {
			mu.Lock()
			times = append(times, time.Now())
			mu.Unlock()
			return invoke.FunctionFailure(req.RequestID, "Exception", "always fails"), nil
		}
		return invoketest.Echo(req), nil
	}}
	runConsumer(t, ConsumerConfig{URL: url, QueueKind: QueueDurable, EventRetryDelay: 50 * time.Millisecond,
		Functions: []invoke.Function{{Name: fn, Concurrency: 2}}}, fake)
	testutil.WaitConsumers(t, url, fn, 1)
	client := newTestClient(t, ClientConfig{URL: url})
	ctx := context.Background()

	ok := &invoke.Request{RequestID: invoke.NewRequestID(), FunctionName: fn, Type: invoke.Event, Payload: []byte(`{"x":"fine"}`)}
	bad := &invoke.Request{RequestID: invoke.NewRequestID(), FunctionName: fn, Type: invoke.Event, Payload: []byte(`{"x":"fail"}`),
		TraceID: "Root=1-abc"}
	for _, req := range []*invoke.Request{ok, bad} {
		resp, err := client.Invoke(ctx, req)
		if err != nil || resp.RequestID != req.RequestID || len(resp.Payload) != 0 {
			t.Fatalf("Event: %+v, %v; want accepted", resp, err)
		}
	}
	ch := rawChannel(t, url)
	d := getMessage(t, ch, fn+DeadLetterSuffix)
	if d.CorrelationId != bad.RequestID || string(d.Body) != string(bad.Payload) || d.DeliveryMode != amqp091.Persistent {
		t.Errorf("dead letter %s %q mode %d; want the failed event, persistent", d.CorrelationId, d.Body, d.DeliveryMode)
	}
	if d.Headers[headerAttempts] != int32(3) || !strings.Contains(d.Headers[headerDeadLetterReason].(string), "function error: Exception") ||
		d.Headers[headerTraceID] != "Root=1-abc" || !strings.Contains(d.Headers[headerFunctionError].(string), "always fails") {
		t.Errorf("dead letter headers %v", d.Headers)
	}
	if n := runs.get(bad.RequestID); n != 3 {
		t.Errorf("failing event ran %d times; want 1 + 2 retries", n)
	}
	if n := runs.get(ok.RequestID); n != 1 {
		t.Errorf("succeeding event ran %d times; want 1", n)
	}
	mu.Lock()
	if len(times) == 3 && (times[1].Sub(times[0]) < 40*time.Millisecond || times[2].Sub(times[1]) < 90*time.Millisecond) {
		t.Errorf("retries at %v; want a backoff of 50ms then 100ms", times)
	}
	mu.Unlock()
	if n := queueDepth(t, url, fn); n != 0 {
		t.Errorf("%d messages left in the queue", n)
	}
	if _, ok, _ := ch.Get(fn+DeadLetterSuffix, true); ok {
		t.Error("more than one dead letter")
	}
}

func TestMalformed(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	fn := uniqueName(t, url, "malformed")
	fake := &invoketest.Invoker{}
	runConsumer(t, ConsumerConfig{URL: url, QueueKind: QueueDurable, Functions: []invoke.Function{{Name: fn, Concurrency: 2}}}, fake)
	testutil.WaitConsumers(t, url, fn, 1)

	ch := rawChannel(t, url)
	replies, err := ch.Consume(directReplyTo, "", true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		headers  amqp091.Table
		body     string
		wantCode string
	}{
		{"bad base64 client context", amqp091.Table{headerClientContext: "not base64!"}, `{}`, "InvalidParameterValueException"},
		{"client context of bytes, not JSON", amqp091.Table{headerClientContext: []byte(base64.StdEncoding.EncodeToString([]byte("nope")))}, `{}`, "InvalidParameterValueException"},
		{"integer trace id", amqp091.Table{headerTraceID: int64(42)}, `{}`, "InvalidParameterValueException"},
		{"boolean tenant", amqp091.Table{headerTenantID: true}, `{}`, "InvalidParameterValueException"},
		{"not JSON", nil, `{"unterminated`, "InvalidRequestContentException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := invoke.NewRequestID()
			err := ch.Publish("", fn, false, false, amqp091.Publishing{ContentType: "application/json", CorrelationId: id,
				ReplyTo: directReplyTo, Headers: tt.headers, Body: []byte(tt.body)})
			if err != nil {
				t.Fatal(err)
			}
			select {
			case d := <-replies:
				if d.CorrelationId != id || d.Headers[headerErrorType] != tt.wantCode || d.Headers[headerStatus] != "400" ||
					!strings.Contains(string(d.Body), `"Type":"User"`) {
					t.Errorf("reply %s %v %s", d.CorrelationId, d.Headers, d.Body)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no error reply")
			}
		})
	}
	// Without reply_to, a malformed message is dead-lettered.
	if err := ch.Publish("", fn, false, false, amqp091.Publishing{CorrelationId: "bad-event",
		Headers: amqp091.Table{headerTraceID: float64(1.5)}, Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	d := getMessage(t, ch, fn+DeadLetterSuffix)
	if d.CorrelationId != "bad-event" || !strings.HasPrefix(d.Headers[headerDeadLetterReason].(string), "malformed: ") {
		t.Errorf("dead letter %s %v", d.CorrelationId, d.Headers)
	}
	time.Sleep(200 * time.Millisecond) // a redelivery loop would show by now
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("the invoker ran %d malformed requests", n)
	}
	if n := queueDepth(t, url, fn); n != 0 {
		t.Errorf("%d messages left in the queue; want every malformed message settled", n)
	}
	select {
	case d := <-replies:
		t.Errorf("unexpected second reply %s: redelivered?", d.CorrelationId)
	default:
	}
}

func TestRedeliveredAnsweredFromCache(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	fn := uniqueName(t, url, "redeliver")
	runs := newCounter()
	fake := &invoketest.Invoker{Func: func(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
		n := runs.add(req.RequestID)
		return &invoke.Response{RequestID: req.RequestID, Payload: []byte(`{"run":` + itoa(n) + `}`)}, nil
	}}
	cfg := ConsumerConfig{URL: url, QueueKind: QueueDurable, Functions: []invoke.Function{{Name: fn, Concurrency: 1}}}
	consumer, stop := runConsumer(t, cfg, fake)
	testutil.WaitConsumers(t, url, fn, 1)

	ch := rawChannel(t, url)
	replies, err := ch.Consume(directReplyTo, "", true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := invoke.NewRequestID()
	msg := amqp091.Publishing{ContentType: "application/json", CorrelationId: id, ReplyTo: directReplyTo, Body: []byte(`{}`)}
	receive := func() string {
		t.Helper()
		select {
		case d := <-replies:
			if d.CorrelationId != id {
				t.Errorf("reply to %s; want %s", d.CorrelationId, id)
			}
			return string(d.Body)
		case <-time.After(10 * time.Second):
			t.Fatal("no reply")
			return ""
		}
	}
	if err := ch.Publish("", fn, false, false, msg); err != nil {
		t.Fatal(err)
	}
	if got := receive(); got != `{"run":1}` {
		t.Fatalf("first reply %s", got)
	}

	// The same message again, handed out once and not acked: it comes back
	// redelivered, as after a reply whose ack was lost.
	stop()
	if err := ch.Publish("", fn, false, false, msg); err != nil {
		t.Fatal(err)
	}
	grab := rawChannel(t, url)
	d := getUnacked(t, grab, fn)
	if d.CorrelationId != id {
		t.Fatalf("grabbed %s", d.CorrelationId)
	}
	grab.Close() // requeued, redelivered=true

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- consumer.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if got := receive(); got != `{"run":1}` {
		t.Errorf("reply to the redelivery %s; want the first run's answer", got)
	}
	if n := runs.get(id); n != 1 {
		t.Errorf("ran %d times; want once", n)
	}
	// A new message that reuses the id (not redelivered) runs.
	if err := ch.Publish("", fn, false, false, msg); err != nil {
		t.Fatal(err)
	}
	if got := receive(); got != `{"run":2}` {
		t.Errorf("reply to a new message with the same id %s; want a second run", got)
	}
}

// getUnacked takes one message from queue without acking it.
func getUnacked(t *testing.T, ch *amqp091.Channel, queue string) amqp091.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		d, ok, err := ch.Get(queue, false)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return d
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no message in %s", queue)
	return amqp091.Delivery{}
}
