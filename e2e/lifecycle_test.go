package e2e

import (
	"net/http"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
)

// TestTimeout: an invocation past the function's timeout fails with
// Sandbox.Timedout, its runtime is killed even though it ignores SIGTERM,
// and the next invocation gets a new one.
func TestTimeout(t *testing.T) {
	t.Parallel()
	h := startServe(t, "--function", spec(t, "stuck", "sleep", "timeout=1s", "concurrency=1"))
	binary := testfunctions.Build(t, "sleep")
	h.invoke(t, "stuck", `{"ms": 1}`).wantOK(t, nil)
	before := h.runtimes(binary)
	if len(before) != 1 {
		t.Fatalf("%d runtimes after the first invocation, want 1", len(before))
	}

	start := time.Now()
	r := h.invoke(t, "stuck", `{"ms": 20000, "ignore_sigterm": true}`)
	elapsed := time.Since(start)
	e := r.wantFunctionError(t, "Sandbox.Timedout")
	want := "RequestId: " + r.Header.Get("X-Amzn-Requestid") + " Error: Task timed out after 1.00 seconds"
	if e.ErrorMessage != want {
		t.Errorf("errorMessage %q, want %q", e.ErrorMessage, want)
	}
	if elapsed < time.Second || elapsed > 5*time.Second {
		t.Errorf("timed out after %v, want about 1 s", elapsed)
	}
	assertGone(t, "the timed-out runtime", before, goneTimeout)

	var got struct{ Slept int }
	h.invoke(t, "stuck", `{"ms": 1}`).wantOK(t, &got)
	after := h.runtimes(binary)
	if got.Slept != 1 || len(after) != 1 || after[0] == before[0] {
		t.Errorf("after the timeout: slept %d, runtimes %v (before %v), want a new one", got.Slept, after, before)
	}
}

// TestShutdownInFlight: SIGTERM while an invocation runs lets it finish,
// then the harness exits 0 with no runtime left (the stop checks both).
func TestShutdownInFlight(t *testing.T) {
	t.Parallel()
	h := startServe(t, "--function", spec(t, "slow", "sleep", "timeout=30s"))
	type result struct {
		r   response
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := h.tryInvoke("slow", `{"ms": 1500}`)
		done <- result{r, err}
	}()
	h.Stdout.mustWaitLine(t, "the invocation running", logWait, contains("sleeping 1500 ms"))
	if n := len(h.runtimes(testfunctions.Build(t, "sleep"))); n != 1 {
		t.Fatalf("%d runtimes while the invocation runs, want 1", n)
	}
	h.Stop(t)
	res := <-done
	if res.err != nil {
		t.Fatalf("the in-flight invocation: %v", res.err)
	}
	if res.r.Status != http.StatusOK || !jsonEqual(res.r.Body, []byte(`{"slept":1500}`)) {
		t.Errorf("the in-flight invocation: %s\nwant 200 {\"slept\":1500}", res.r)
	}
}
