package e2e

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentInvokes: 50 invocations at once of a function limited to
// 4 instances all succeed, run by no more than 4 runtimes: the rest wait
// for a warm one (RIE crashes on two, aws-lambda-rie#97).
func TestConcurrentInvokes(t *testing.T) {
	t.Parallel()
	h := startServe(t, "--function", spec(t, "sleepy", "sleep", "concurrency=4", "timeout=60s"))
	const n = 50
	results := invokeAll(t, h, n, "sleepy", `{"ms": 50}`)
	ids := make(map[string]bool)
	for i, r := range results {
		if r.Status != http.StatusOK || r.Header.Get("X-Amz-Function-Error") != "" || !jsonEqual(r.Body, []byte(`{"slept":50}`)) {
			t.Errorf("invocation %d: %s", i, r)
		}
		ids[r.Header.Get("X-Amzn-Requestid")] = true
	}
	if len(ids) != n {
		t.Errorf("%d distinct request ids for %d invocations", len(ids), n)
	}
	// Each cold start reports Init Duration once.
	h.Stdout.mustWaitCount(t, "REPORT lines", logWait, n, contains("REPORT RequestId: "))
	if cold := h.Stdout.count(contains("Init Duration: ")); cold < 1 || cold > 4 {
		t.Errorf("%d cold starts, want 1 to 4 (the concurrency)", cold)
	}
}

// TestThrottle: past the wait queue a function throttles with AWS's 429.
func TestThrottle(t *testing.T) {
	t.Parallel()
	h := startServe(t, "--function", spec(t, "narrow", "sleep", "concurrency=1", "queue=2", "timeout=60s"))
	const n = 10
	results := invokeAll(t, h, n, "narrow", `{"ms": 500}`)
	ok, throttled := 0, 0
	for i, r := range results {
		switch r.Status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			throttled++
			r.wantServiceError(t, http.StatusTooManyRequests, "TooManyRequestsException")
			if r.Header.Get("Retry-After") == "" {
				t.Errorf("invocation %d: 429 without Retry-After", i)
			}
			if !strings.Contains(string(r.Body), `"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded"`) {
				t.Errorf("invocation %d: 429 body %s, want AWS's Reason", i, r.Body)
			}
		default:
			t.Errorf("invocation %d: %s", i, r)
		}
	}
	// One runs and two wait; the others are throttled, unless the first
	// ones finished before the last were sent.
	if ok < 1 || throttled < 1 {
		t.Errorf("%d succeeded and %d were throttled, want some of each", ok, throttled)
	}
	t.Logf("%d succeeded, %d throttled", ok, throttled)
}

// invokeAll invokes function n times at once and returns the answers.
func invokeAll(t *testing.T, h *harness, n int, function, payload string) []response {
	t.Helper()
	results := make([]response, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = h.tryInvoke(function, payload) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return results
}
