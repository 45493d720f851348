//go:build e2e

package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// runtimeAPIModes are the two ways a container's runtime gets its Runtime
// API, as --function items. Every lifecycle test runs in both.
var runtimeAPIModes = []struct{ name, item string }{
	{"direct", "runtime-api=direct"},
	{"emulator", "runtime-api=emulator"},
}

// sleepFunction is a --function spec of the sleep test function's image
// (e2e/testdata/images/sleep) with more key=value items.
func sleepFunction(name string, items ...string) string {
	return strings.Join(append([]string{"name=" + name, "image=" + sleepImage}, items...), ",")
}

// invocation is the outcome of an invocation made by another goroutine.
type invocation struct {
	r   response
	err error
}

// invokeAsync invokes function in the background; the answer comes on the
// channel.
func invokeAsync(h *harness, function, payload string) <-chan invocation {
	done := make(chan invocation, 1)
	go func() {
		r, err := h.tryInvoke(function, payload)
		done <- invocation{r, err}
	}()
	return done
}

// await waits for an invocation made by invokeAsync.
func await(t *testing.T, what string, done <-chan invocation) response {
	t.Helper()
	select {
	case res := <-done:
		if res.err != nil {
			t.Fatalf("%s: %v", what, res.err)
		}
		return res.r
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s: no answer after 2 minutes", what)
		return response{}
	}
}

// TestContainerConcurrency: a function of concurrency 4 invoked 4 times at
// once runs in 4 containers at the same time: all 4 are running while
// every invocation sleeps, and all 4 START lines come before the first END.
func TestContainerConcurrency(t *testing.T) {
	t.Parallel()
	for _, mode := range runtimeAPIModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			docker := requireDocker(t)
			h, daemon := startImageServe(t, "--function", sleepFunction("sleepy", mode.item, "concurrency=4", "timeout=60s"))
			const n = 4
			var done []<-chan invocation
			for range n {
				done = append(done, invokeAsync(h, "sleepy", `{"ms": 6000}`))
			}
			h.Stdout.mustWaitCount(t, "invocations sleeping", time.Minute, n, contains("sleeping 6000 ms"))
			running := containersOf(t, docker, daemon, false)
			instances := make(map[string]bool)
			for _, c := range running {
				if c.Labels[labelFunction] != "sleepy" {
					t.Errorf("container %.12s labelled function %q, want sleepy", c.ID, c.Labels[labelFunction])
				}
				instances[c.Labels[labelInstance]] = true
			}
			if len(running) != n || len(instances) != n {
				t.Errorf("%d containers running (%d instances) while %d invocations sleep, want %d", len(running), len(instances), n, n)
			}
			for i, d := range done {
				r := await(t, "invocation", d)
				if r.Status != http.StatusOK || r.Header.Get("X-Amz-Function-Error") != "" || !jsonEqual(r.Body, []byte(`{"slept":6000}`)) {
					t.Errorf("invocation %d: %s", i, r)
				}
			}
			h.Stdout.mustWaitCount(t, "END lines", logWait, n, contains("END RequestId: "))
			lines := h.Stdout.Lines()
			lastStart, firstEnd := -1, len(lines)
			for i, line := range lines {
				if strings.Contains(line, "START RequestId: ") {
					lastStart = i
				}
				if strings.Contains(line, "END RequestId: ") && i < firstEnd {
					firstEnd = i
				}
			}
			if lastStart > firstEnd {
				t.Errorf("an invocation ended (line %d) before the last one started (line %d): they did not run at once", firstEnd+1, lastStart+1)
			}
		})
	}
}

// TestContainerTimeout: an invocation past the function's timeout fails
// with Sandbox.Timedout, its container is killed and removed although the
// function ignores SIGTERM, and the next invocation cold-starts a new one.
func TestContainerTimeout(t *testing.T) {
	t.Parallel()
	for _, mode := range runtimeAPIModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			docker := requireDocker(t)
			h, daemon := startImageServe(t, "--function", sleepFunction("stuck", mode.item, "timeout=2s", "concurrency=1"))
			h.invoke(t, "stuck", `{"ms": 1}`).wantOK(t, nil)
			first := onlyContainer(t, docker, daemon)

			r := h.invoke(t, "stuck", `{"ms": 30000, "ignore_sigterm": true}`)
			e := r.wantFunctionError(t, "Sandbox.Timedout")
			want := "RequestId: " + r.Header.Get("X-Amzn-Requestid") + " Error: Task timed out after 2.00 seconds"
			if e.ErrorMessage != want {
				t.Errorf("errorMessage %q, want %q", e.ErrorMessage, want)
			}
			waitContainerGone(t, docker, first.ID, 15*time.Second)

			r = h.invoke(t, "stuck", `{"ms": 1}`)
			r.wantOK(t, nil)
			id := r.Header.Get("X-Amzn-Requestid")
			report := h.Stdout.mustWaitLine(t, "the REPORT line of the invocation after the timeout", logWait, contains("REPORT RequestId: "+id))
			if !strings.Contains(report, "Init Duration: ") {
				t.Errorf("the invocation after the timeout was not a cold start: %s", report)
			}
			if next := onlyContainer(t, docker, daemon); next.ID == first.ID {
				t.Errorf("the invocation after the timeout ran in the timed-out container %.12s", first.ID)
			}
		})
	}
}

// TestContainerKilledFromOutside: a container killed with docker kill
// during an invocation fails it with Runtime.ExitError, and the next
// invocation is served by a replacement.
func TestContainerKilledFromOutside(t *testing.T) {
	t.Parallel()
	for _, mode := range runtimeAPIModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			docker := requireDocker(t)
			h, daemon := startImageServe(t, "--function", sleepFunction("victim", mode.item, "timeout=60s", "concurrency=1"))
			done := invokeAsync(h, "victim", `{"ms": 60000}`)
			h.Stdout.mustWaitLine(t, "the invocation running", time.Minute, contains("sleeping 60000 ms"))
			victim := onlyContainer(t, docker, daemon)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := run(ctx, nil, "docker", "kill", victim.ID); err != nil {
				t.Fatal(err)
			}

			r := await(t, "the invocation whose container was killed", done)
			e := r.wantFunctionError(t, "Runtime.ExitError")
			t.Logf("errorMessage: %s", e.ErrorMessage)
			if !strings.HasPrefix(e.ErrorMessage, "RequestId: "+r.Header.Get("X-Amzn-Requestid")+" Error: Runtime exited") {
				t.Errorf("errorMessage %q, want Lambda's \"RequestId: ID Error: Runtime exited ...\"", e.ErrorMessage)
			}
			waitContainerGone(t, docker, victim.ID, 15*time.Second)

			var got struct{ Slept int }
			h.invoke(t, "victim", `{"ms": 1}`).wantOK(t, &got)
			if got.Slept != 1 {
				t.Errorf("the replacement answered slept %d, want 1", got.Slept)
			}
			if next := onlyContainer(t, docker, daemon); next.ID == victim.ID {
				t.Errorf("the killed container %.12s served again", victim.ID)
			}
		})
	}
}

// TestContainerShutdown: on SIGTERM the harness lets the invocation in
// flight finish, exits 0, and leaves no container with its label, whether
// warm, busy, direct or emulated.
func TestContainerShutdown(t *testing.T) {
	t.Parallel()
	docker := requireDocker(t)
	h, daemon := startImageServe(t, "--warm", "1",
		"--function", sleepFunction("direct", "runtime-api=direct", "timeout=30s"),
		"--function", sleepFunction("emulated", "runtime-api=emulator", "timeout=30s"))
	busy := invokeAsync(h, "direct", `{"ms": 1500}`)
	h.Stdout.mustWaitLine(t, "the invocation running", time.Minute, contains("sleeping 1500 ms"))
	h.invoke(t, "emulated", `{"ms": 1}`).wantOK(t, nil)
	var functions []string
	for _, c := range containersOf(t, docker, daemon, false) {
		functions = append(functions, c.Labels[labelFunction])
	}
	slices.Sort(functions)
	if len(functions) < 2 || !slices.Contains(functions, "direct") || !slices.Contains(functions, "emulated") {
		t.Errorf("containers running before SIGTERM: %v, want those of direct and emulated", functions)
	}

	h.Stop(t) // SIGTERM; checks that it exits 0
	var got struct{ Slept int }
	await(t, "the invocation in flight at SIGTERM", busy).wantOK(t, &got)
	if got.Slept != 1500 {
		t.Errorf("the invocation in flight answered slept %d, want 1500", got.Slept)
	}
	checkNoContainers(t, docker, daemon)
}
