package e2e

import (
	"github.com/lambda-harness/lambda-harness/internal/testutil"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"
)

// loadThrough sends n invocations of function at once through the harness
// h, at most parallel at a time, and returns the answers (nil where the
// request failed). It logs how many were sent, answered and lost.
func loadThrough(t *testing.T, h *harness, n, parallel int, function, payload string) []*response {
	t.Helper()
	answers := make([]*response, n)
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if r, err := h.tryInvoke(function, payload); err == nil {
				answers[i] = &r
			} else {
				t.Logf("invocation %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	answered := 0
	for _, r := range answers {
		if r != nil {
			answered++
		}
	}
	t.Logf("sent %d, answered %d, lost %d", n, answered, n-answered)
	return answers
}

// startLine matches a START line of the function log and captures its
// request id.
var startLine = regexp.MustCompile(`START RequestId: (\S+)`)

// startedIDs returns the request ids of the START lines in a function log.
func startedIDs(b *logBuffer) map[string]bool {
	ids := make(map[string]bool)
	for _, line := range b.Lines() {
		if m := startLine.FindStringSubmatch(line); m != nil {
			ids[m[1]] = true
		}
	}
	return ids
}

// TestAMQPScaleOut: two worker harnesses consume one function's queue and
// a gateway routes to them: the broker shares the invocations between
// them, and every one is answered.
func TestAMQPScaleOut(t *testing.T) {
	t.Parallel()
	broker := brokerURL(t)
	name := queueName(t, broker, "scale")
	fn := spec(t, name, "sleep", "concurrency=2", "timeout=30s")
	w1 := startServe(t, "--amqp-url", broker, "--function", fn)
	w2 := startServe(t, "--amqp-url", broker, "--function", fn)
	testutil.WaitConsumers(t, broker, name, 2)
	gw := startServe(t, "--gateway", "--amqp-url", broker)

	const n = 60
	for i, r := range loadThrough(t, gw, n, 8, name, `{"ms": 20}`) {
		if r == nil || r.Status != http.StatusOK || !jsonEqual(r.Body, []byte(`{"slept":20}`)) {
			t.Errorf("invocation %d: %v", i, r)
		}
	}
	// The function logs are written in batches: wait for the last lines.
	ran1, ran2 := 0, 0
	for deadline := time.Now().Add(logWait); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ran1, ran2 = len(startedIDs(w1.Stdout)), len(startedIDs(w2.Stdout)); ran1+ran2 >= n {
			break
		}
	}
	t.Logf("worker 1 ran %d invocations, worker 2 ran %d", ran1, ran2)
	if ran1 == 0 || ran2 == 0 || ran1+ran2 != n {
		t.Errorf("workers ran %d and %d invocations, want both some and %d in all", ran1, ran2, n)
	}
}

// TestAMQPWorkerStopRequeues: SIGTERM to one of two workers (durable
// queues) while it runs invocations that outlast its grace period: it
// gives them back to the broker, the other worker runs them, and every
// caller is answered.
func TestAMQPWorkerStopRequeues(t *testing.T) {
	t.Parallel()
	broker := brokerURL(t)
	name := queueName(t, broker, "sigterm")
	w1 := startServe(t, "--amqp-url", broker, "--amqp-queue-kind", "durable", "--grace-period", "500ms",
		"--function", spec(t, name, "sleep", "concurrency=2", "timeout=30s"))
	w2 := startServe(t, "--amqp-url", broker, "--amqp-queue-kind", "durable",
		"--function", spec(t, name, "sleep", "concurrency=4", "timeout=30s"))
	testutil.WaitConsumers(t, broker, name, 2)
	gw := startServe(t, "--gateway", "--amqp-url", broker)

	const n = 8
	done := make(chan []*response)
	go func() { done <- loadThrough(t, gw, n, n, name, `{"ms": 2000}`) }()
	// Worker 1 takes as many as its prefetch, its concurrency: stop it
	// while both run.
	w1.Stdout.mustWaitCount(t, "invocations running on worker 1", 30*time.Second, 2, contains("sleeping 2000 ms"))
	w1.Stop(t)
	answers := <-done

	for i, r := range answers {
		if r == nil || r.Status != http.StatusOK || !jsonEqual(r.Body, []byte(`{"slept":2000}`)) {
			t.Errorf("invocation %d: %v", i, r)
		}
	}
	w2.Stdout.mustWaitCount(t, "START lines on worker 2", logWait, n, contains("START RequestId: "))
	on1, on2 := startedIDs(w1.Stdout), startedIDs(w2.Stdout)
	t.Logf("worker 1 started %d invocations before its stop, worker 2 ran %d", len(on1), len(on2))
	if len(on1) == 0 {
		t.Fatal("worker 1 ran nothing: the test did not stop a busy worker")
	}
	for id := range on1 {
		if !on2[id] {
			t.Errorf("invocation %s was cut off on worker 1 and never ran on worker 2", id)
		}
	}
	if len(on2) != n {
		t.Errorf("worker 2 ran %d invocations, want all %d", len(on2), n)
	}
	w1.Stderr.mustWaitLine(t, "worker 1's requeue", logWait, contains("invocation stopped by shutdown; requeued"))
}

// TestAMQPWorkerStopFinishesInFlight: SIGTERM to a worker whose
// invocations end within its grace period: it stops consuming, lets them
// finish, answers them, and only then stops its runtimes.
func TestAMQPWorkerStopFinishesInFlight(t *testing.T) {
	t.Parallel()
	broker := brokerURL(t)
	name := queueName(t, broker, "drain")
	w := startServe(t, "--amqp-url", broker, "--grace-period", "20s",
		"--function", spec(t, name, "sleep", "concurrency=2", "timeout=30s"))
	testutil.WaitConsumers(t, broker, name, 1)
	gw := startServe(t, "--gateway", "--amqp-url", broker)

	const n = 2
	done := make(chan []*response)
	go func() { done <- loadThrough(t, gw, n, n, name, `{"ms": 1500}`) }()
	w.Stdout.mustWaitCount(t, "invocations running", 30*time.Second, n, contains("sleeping 1500 ms"))
	w.Stop(t)
	for i, r := range <-done {
		if r == nil || r.Status != http.StatusOK || !jsonEqual(r.Body, []byte(`{"slept":1500}`)) {
			t.Errorf("invocation %d: %v, want the function's answer", i, r)
		}
	}
	if w.Stderr.count(contains("stopped by shutdown; requeued")) > 0 {
		t.Errorf("the worker requeued work it could finish:\n%s", w.Stderr.String())
	}
}
