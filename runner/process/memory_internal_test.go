package process

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner/runnertest"
)

// TestMaxMemory measures a runtime that allocates, on its own and as the
// child of a wrapper that does not exec it, through /proc's children lists
// and through the scan of the process group.
func TestMaxMemory(t *testing.T) {
	const mb = 64
	// A wrapper that stays the main process, so the memory is a child's.
	forker := filepath.Join(t.TempDir(), "fork-wrapper.sh")
	if err := os.WriteFile(forker, []byte("#!/bin/sh\n\"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := New(Config{HostEnv: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		wrapper string
	}{
		{"runtime", ""},
		{"child of the wrapper", forker},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fn := invoke.Function{Name: "alloc", Command: []string{testfunctions.Build(t, "alloc")}}
			if c.wrapper != "" {
				fn.Env = map[string]string{execWrapperVar: c.wrapper}
			}
			r := runnertest.Launch(t, l, runnertest.FakeConfig{}, fn, runnertest.Invocation{Event: []byte(`{"mb":64}`)})
			r.API.WaitAnswer(t, runnertest.Timeout)
			p := r.Process.(*process)
			for _, m := range []struct {
				name   string
				sample func() uint64
			}{
				{"MaxMemoryBytes", p.MaxMemoryBytes},
				{"children lists", (&memory{pid: p.pgid, pgid: p.pgid, children: true}).sample},
				{"group scan", (&memory{pid: p.pgid, pgid: p.pgid, children: false}).sample},
			} {
				got := m.sample()
				if got < mb<<20 || got > (mb+512)<<20 {
					t.Errorf("%s: %d MiB, want about %d MiB", m.name, got>>20, mb)
				}
				t.Logf("%s: %d MiB", m.name, got>>20)
			}
			if !l.children {
				t.Log("this kernel has no /proc/<pid>/task/<tid>/children; MaxMemoryBytes scans the group")
			}
		})
	}
}

// TestMaxMemoryAfterExit: once the runtime has exited, the peak measured
// last stays, and /proc is not read for a pid that may have been reused.
func TestMaxMemoryAfterExit(t *testing.T) {
	l, err := New(Config{HostEnv: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	fn := invoke.Function{Name: "exit", Command: []string{testfunctions.Build(t, "exit")}}
	r := runnertest.Launch(t, l, runnertest.FakeConfig{}, fn, runnertest.Invocation{Event: []byte(`{"code":1}`)})
	r.API.WaitNext(t, runnertest.Timeout)
	before := r.Process.MaxMemoryBytes()
	r.WaitDone(t)
	if after := r.Process.MaxMemoryBytes(); after < before || after == 0 {
		t.Errorf("MaxMemoryBytes() = %d after the exit, %d before", after, before)
	}
}

// BenchmarkMaxMemoryBytes measures one sample of a Go runtime, which the
// runner takes once per invocation.
func BenchmarkMaxMemoryBytes(b *testing.B) {
	l, err := New(Config{HostEnv: os.Environ()})
	if err != nil {
		b.Fatal(err)
	}
	fn := invoke.Function{Name: "sleep", Command: []string{testfunctions.Build(b, "sleep")}}
	r := runnertest.Launch(b, l, runnertest.FakeConfig{}, fn, runnertest.Invocation{Event: []byte(`{"ms":600000}`)})
	r.API.WaitNext(b, runnertest.Timeout)
	for b.Loop() {
		r.Process.MaxMemoryBytes()
	}
}
