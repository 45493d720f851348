package runnertest

import (
	"context"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// Running is an execution environment launched for a test, with the fake
// Runtime API it talks to and its output.
type Running struct {
	API     *FakeRuntimeAPI
	Process runner.Process
	Output  *Output
}

// Launch launches fn with l against a new FakeRuntimeAPI (listening as cfg
// says) that hands out inv. The test fails if Launch fails; its cleanup
// kills the environment and waits for it to be done.
func Launch(t testing.TB, l runner.Launcher, cfg FakeConfig, fn invoke.Function, inv Invocation) *Running {
	t.Helper()
	return launch(t, t.Context(), l, cfg, fn, inv)
}

func launch(t testing.TB, ctx context.Context, l runner.Launcher, cfg FakeConfig, fn invoke.Function, inv Invocation) *Running {
	t.Helper()
	r := &Running{
		API:    NewFakeRuntimeAPI(t, cfg, inv),
		Output: &Output{},
	}
	proc, err := l.Launch(ctx, r.API.Spec(fn, r.Output))
	if err != nil {
		t.Fatalf("Launch %s: %v", fn.Name, err)
	}
	r.Process = proc
	t.Cleanup(func() {
		proc.Kill()
		select {
		case <-proc.Done():
		case <-time.After(Timeout):
			t.Errorf("%s: not done %s after Kill", fn.Name, Timeout)
		}
	})
	return r
}

// WaitDone waits for the environment to exit and returns its exit reason.
func (r *Running) WaitDone(t testing.TB) string {
	t.Helper()
	select {
	case <-r.Process.Done():
		return r.Process.ExitReason()
	case <-time.After(Timeout):
		t.Fatalf("not done after %s; output:\n%s", Timeout, format(r.Output.Lines()))
		return ""
	}
}

// AssertRunning checks that the environment has not exited.
func (r *Running) AssertRunning(t testing.TB) {
	t.Helper()
	select {
	case <-r.Process.Done():
		t.Fatalf("exited (%s), want it running; output:\n%s", r.Process.ExitReason(), format(r.Output.Lines()))
	default:
	}
	if reason := r.Process.ExitReason(); reason != "" {
		t.Errorf("ExitReason() = %q while running, want \"\"", reason)
	}
}
