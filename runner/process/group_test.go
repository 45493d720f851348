package process_test

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
	"github.com/lambda-harness/lambda-harness/runner"
	"github.com/lambda-harness/lambda-harness/runner/runnertest"
)

// TestNoOrphans: what a wrapper leaves behind in the background ends with
// the runtime, whether the runtime is killed or exits by itself.
func TestNoOrphans(t *testing.T) {
	for _, c := range []struct {
		name, function, event string
		kill                  bool
	}{
		{"killed", "sleep", `{"ms":600000}`, true},
		{"exited", "exit", `{"code":2}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fn := function(t, c.function)
			fn.Env = map[string]string{"AWS_LAMBDA_EXEC_WRAPPER": testfunctions.Path(t, "bash-runtime/spawn-wrapper.sh")}
			r := launch(t, newLauncher(t, hostConfig()), fn, c.event)
			child := pidFromLine(t, r.Output, "spawned ")
			if c.kill {
				r.API.WaitNext(t, runnertest.Timeout)
				r.Process.Kill()
			}
			r.WaitDone(t)
			// The child held the output pipes, so at Done it is exiting:
			// it has closed its files, if not finished dying.
			if !gone(t, child, runnertest.Timeout) {
				t.Errorf("the wrapper's child %d outlived the runtime", child)
			}
		})
	}
}

// TestEscapedChildDoesNotBlockDone: a child that left the process group
// (so the group kill misses it) and holds the output open delays Done by
// the output grace at most.
func TestEscapedChildDoesNotBlockDone(t *testing.T) {
	fn := function(t, "exit")
	fn.Env = map[string]string{"AWS_LAMBDA_EXEC_WRAPPER": testfunctions.Path(t, "bash-runtime/escape-wrapper.sh")}
	r := launch(t, newLauncher(t, hostConfig()), fn, `{"code":4}`)
	child := pidFromLine(t, r.Output, "escaped ")
	t.Cleanup(func() { syscall.Kill(child, syscall.SIGKILL) })
	start := time.Now()
	if got := r.WaitDone(t); got != "exit status 4" {
		t.Errorf("ExitReason() = %q, want %q", got, "exit status 4")
	}
	t.Logf("done %s after the exit was noticed", time.Since(start))
	if !alive(t, child) {
		t.Log("the escaped child is gone already; the test proved nothing")
	}
}

// pidFromLine waits for the stdout line "<prefix><pid>" and returns pid.
func pidFromLine(t *testing.T, out *runnertest.Output, prefix string) int {
	t.Helper()
	line := out.WaitForLine(t, runnertest.Timeout, runner.Stdout, prefix+"line", func(s string) bool {
		return strings.HasPrefix(s, prefix)
	})
	pid, err := strconv.Atoi(strings.TrimPrefix(line, prefix))
	if err != nil {
		t.Fatalf("line %q: %v", line, err)
	}
	return pid
}

// gone waits for process pid to be gone, polling /proc since it is no
// child of ours to wait for, and reports whether it went within timeout.
func gone(t *testing.T, pid int, timeout time.Duration) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for alive(t, pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// alive reports whether process pid exists and is not a zombie (a dead
// process its new parent has not reaped yet).
func alive(t *testing.T, pid int) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if errors.Is(err, os.ErrNotExist) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	// "pid (comm) S ...": the state follows the last parenthesis.
	i := bytes.LastIndexByte(b, ')')
	f := bytes.Fields(b[i+1:])
	return len(f) > 0 && string(f[0]) != "Z" && string(f[0]) != "X"
}
