package container_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/runner/container"
	"github.com/lambda-harness/lambda-harness/runner/runnertest"
)

// TestOutOfMemory: a function that allocates past its memory size is
// killed by the kernel, and the exit reason says why.
func TestOutOfMemory(t *testing.T) {
	l := newLauncher(t, container.Config{})
	fn := function(t, "alloc")
	fn.MemoryMB = 128
	r := launch(t, l, fakeConfig(t), fn, `{"mb":256}`, nil)
	got := r.waitDone(t)
	want := "signal: killed (out of memory: the function's memory limit of 128 MB was reached)"
	if got != want {
		t.Errorf("ExitReason() = %q, want %q", got, want)
	}
}

// TestMaxMemory: the peak memory reported covers what the function
// allocated, whether it is read from the container's cgroup (an engine on
// this host) or from the engine's stats (any other), and asking is cheap.
func TestMaxMemory(t *testing.T) {
	for _, c := range []struct {
		name string
		// lag is how long the figure may take to arrive: the engine's
		// stats come once a second.
		lag      time.Duration
		fromStat bool
	}{
		{"cgroup", 0, false},
		{"engine stats", 3 * time.Second, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := newLauncher(t, container.Config{})
			if c.fromStat {
				container.SetCgroupRoot(l, t.TempDir())
			}
			fn := function(t, "alloc")
			fn.MemoryMB = 256
			r := launch(t, l, fakeConfig(t), fn, `{"mb":64}`, nil)
			if a := r.api.WaitAnswer(t, runnertest.Timeout); !strings.Contains(string(a.Body), `"allocated_mb":64`) {
				t.Fatalf("alloc answered %s %s", a.Kind, a.Body)
			}
			deadline := time.Now().Add(c.lag)
			got := r.proc.MaxMemoryBytes()
			for got < 64<<20 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				got = r.proc.MaxMemoryBytes()
			}
			if got < 64<<20 {
				t.Errorf("MaxMemoryBytes() = %d MB after allocating 64 MB", got>>20)
			}
			// The runner asks after every invocation: it must not wait for
			// the engine's stats collector.
			start := time.Now()
			for range 5 {
				r.proc.MaxMemoryBytes()
			}
			if d := time.Since(start); d > 250*time.Millisecond {
				t.Errorf("5 calls of MaxMemoryBytes took %s", d)
			}
		})
	}
}
