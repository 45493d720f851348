package main

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
	"github.com/lambda-harness/lambda-harness/internal/testutil"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testfunctions.Cleanup()
	os.Exit(code)
}

// addrWatcher is the harness's stderr: it keeps the log and sends the
// address of the first "listening" line on addr.
type addrWatcher struct {
	testutil.SyncBuffer
	once sync.Once
	addr chan string
}

var listeningLine = regexp.MustCompile(`msg=listening addr=(\S+)`)

func (w *addrWatcher) Write(p []byte) (int, error) {
	n, err := w.SyncBuffer.Write(p)
	if m := listeningLine.FindSubmatch(p); m != nil {
		w.once.Do(func() { w.addr <- string(m[1]) })
	}
	return n, err
}

// harness is a run of the program in the test process.
type harness struct {
	addr   string
	stdout *testutil.SyncBuffer
	stderr *addrWatcher
	done   chan error
}

// startHarness calls run with args in a goroutine and waits until it
// listens (or fails). ctx stops it.
func startHarness(t *testing.T, ctx context.Context, args ...string) *harness {
	t.Helper()
	return startHarnessEnv(t, ctx, env(), args...)
}

// startHarnessEnv is startHarness with the environment getenv.
func startHarnessEnv(t *testing.T, ctx context.Context, getenv func(string) string, args ...string) *harness {
	t.Helper()
	h := &harness{stdout: &testutil.SyncBuffer{}, stderr: &addrWatcher{addr: make(chan string, 1)}, done: make(chan error, 1)}
	go func() {
		h.done <- run(ctx, append([]string{"lambda-harness"}, args...), getenv, os.Environ(), h.stdout, h.stderr)
	}()
	select {
	case h.addr = <-h.stderr.addr:
	case err := <-h.done:
		t.Fatalf("run returned before listening: %v\nstderr:\n%s", err, h.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("no listening line after 30s; stderr:\n%s", h.stderr.String())
	}
	return h
}

// wait waits for run to return.
func (h *harness) wait(t *testing.T, limit time.Duration) error {
	t.Helper()
	select {
	case err := <-h.done:
		return err
	case <-time.After(limit):
		t.Fatalf("run did not return %v after the stop; stderr:\n%s", limit, h.stderr.String())
		return nil
	}
}

// post invokes a function and returns the status and body.
func (h *harness) post(t *testing.T, name, payload string) (int, string) {
	t.Helper()
	resp, err := http.Post("http://"+h.addr+"/2015-03-31/functions/"+name+"/invocations", "application/json", strings.NewReader(payload))
	if err != nil {
		t.Fatalf("invoke %s: %v", name, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// processesRunning returns the pids of the processes running the
// executable bin, to check that none outlives the harness.
func processesRunning(t *testing.T, bin string) []string {
	t.Helper()
	exes, _ := filepath.Glob("/proc/[0-9]*/exe")
	var pids []string
	for _, exe := range exes {
		if target, err := os.Readlink(exe); err == nil && target == bin {
			pids = append(pids, filepath.Base(filepath.Dir(exe)))
		}
	}
	return pids
}

func TestRunServesUntilStopped(t *testing.T) {
	echo := testfunctions.Build(t, "echo")
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	h := startHarness(t, ctx, "serve", "--listen", "127.0.0.1:0", "--warm", "1", "--name", "echo", "--", echo)

	resp, err := http.Get("http://" + h.addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz: %s, want 200", resp.Status)
	}
	for _, name := range []string{"echo", "function"} {
		if status, body := h.post(t, name, `{"key":"value"}`); status != http.StatusOK || body != `{"key":"value"}` {
			t.Errorf("invoke %s: %d %s, want 200 and the event back", name, status, body)
		}
	}
	if pids := processesRunning(t, echo); len(pids) == 0 {
		t.Errorf("no echo runtime running while serving")
	}

	stop()
	if err := h.wait(t, 30*time.Second); err != nil {
		t.Fatalf("run after a graceful stop: %v, want nil\nstderr:\n%s", err, h.stderr.String())
	}
	if pids := processesRunning(t, echo); len(pids) > 0 {
		t.Errorf("runtime processes %v outlived the harness", pids)
	}
	if out := h.stdout.String(); !strings.Contains(out, "REPORT RequestId:") {
		t.Errorf("function log on stdout has no REPORT line:\n%s", out)
	}
	if log := h.stderr.String(); !strings.Contains(log, "msg=stopped") {
		t.Errorf("harness log has no stopped line:\n%s", log)
	}
}

func TestRunSecondStopKillsAtOnce(t *testing.T) {
	sleep := testfunctions.Build(t, "sleep")
	hard, forceStop := context.WithCancel(context.Background())
	defer forceStop()
	ctx, stop := context.WithCancel(withHardStop(t.Context(), hard))
	defer stop()
	h := startHarness(t, ctx, "serve", "--listen", "127.0.0.1:0", "--grace-period", "5m", "--timeout", "5m",
		"--name", "sleep", "--", sleep)

	// An invocation that would outlast the grace period, ignoring SIGTERM.
	invoked := make(chan struct{})
	go func() {
		defer close(invoked)
		resp, err := http.Post("http://"+h.addr+"/2015-03-31/functions/sleep/invocations", "application/json",
			strings.NewReader(`{"ms": 300000, "ignore_sigterm": true}`))
		if err == nil {
			resp.Body.Close()
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(h.stdout.String(), "sleeping"); {
		if time.Now().After(deadline) {
			t.Fatalf("the invocation did not start; stdout:\n%s", h.stdout.String())
		}
		time.Sleep(10 * time.Millisecond) // polling the log for a line, not waiting for readiness
	}

	stop()
	forceStop()
	if err := h.wait(t, 30*time.Second); !errors.Is(err, errForced) {
		t.Errorf("run after a second stop: %v, want errForced", err)
	}
	<-invoked
	if pids := processesRunning(t, sleep); len(pids) > 0 {
		t.Errorf("runtime processes %v outlived the harness", pids)
	}
}

func TestRunFailsWhenThePortIsTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, _, err = runCLI(t, "lambda-harness", "serve", "--listen", ln.Addr().String(), "--", "/bin/true")
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "listen on "+ln.Addr().String()) {
		t.Errorf("run on a taken port: %v (exit %d), want a listen error and exit 1", err, exitCode(err))
	}
}
