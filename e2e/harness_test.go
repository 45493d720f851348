package e2e

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Time limits of the harness's lifecycle in the tests. They are generous:
// the harness may be built with the race detector, on a busy 2-core
// machine.
const (
	startTimeout = 30 * time.Second
	stopTimeout  = 30 * time.Second
	// goneTimeout is how long a process the harness should have ended may
	// take to disappear from /proc.
	goneTimeout = 3 * time.Second
	// logWait is how long a line may take to reach the function log,
	// which the harness writes in batches.
	logWait = 10 * time.Second
)

// markerVar is set in every harness's environment to a value of its own.
// In rie mode the runtimes inherit it, which lets a scan of /proc find any
// that survive the harness.
const markerVar = "LAMBDA_E2E_MARKER"

// harnessConfig says how to start a harness.
type harnessConfig struct {
	// Program is what to run: harnessBin if empty, else e.g. a link to it
	// named aws-lambda-rie, or an entrypoint script that execs it.
	Program string
	Args    []string
	// Env is added to the harness's base environment: PATH, HOME, LANG and
	// the marker.
	Env []string
	// Dir is the harness's working directory ("" for the test's).
	Dir string
}

// harness is a lambda-harness subprocess.
type harness struct {
	cmd *exec.Cmd
	// URL is the Invoke API's base URL, e.g. http://127.0.0.1:41234.
	URL    string
	marker string
	// Stdout is the function log, Stderr the harness's own log.
	Stdout, Stderr *logBuffer
	// exited is closed once the process has exited and been waited for.
	exited  chan struct{}
	waitErr error
	stopped bool
}

// listeningRE finds the Invoke API's address in the "listening" log line.
var listeningRE = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startServe starts the harness in serve mode on a free port with args
// (functions and flags) and debug logging.
func startServe(t *testing.T, args ...string) *harness {
	t.Helper()
	return startHarness(t, harnessConfig{
		Args: append([]string{"serve", "--listen", "127.0.0.1:0", "--log-level", "debug"}, args...),
	})
}

// startHarness starts the harness and waits until its Invoke API listens,
// by reading the address from its log. The test's cleanup stops it (see
// stop) and, if the test failed, logs its output.
func startHarness(t *testing.T, cfg harnessConfig) *harness {
	t.Helper()
	h, err := launchHarness(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// launchHarness is startHarness returning an error instead of failing,
// for callers that retry (a port that is busy for a while).
func launchHarness(t *testing.T, cfg harnessConfig) (*harness, error) {
	t.Helper()
	program := cfg.Program
	if program == "" {
		program = harnessBin
	}
	h := &harness{
		cmd:    exec.Command(program, cfg.Args...),
		marker: markerVar + "=" + rand.Text(),
		Stdout: newLogBuffer(),
		Stderr: newLogBuffer(),
		exited: make(chan struct{}),
	}
	h.cmd.Dir = cfg.Dir
	h.cmd.Env = append(baseEnv(), h.marker)
	h.cmd.Env = append(h.cmd.Env, cfg.Env...)
	h.cmd.Stdout = h.Stdout
	h.cmd.Stderr = h.Stderr
	// A runtime that outlived the harness would hold the output pipes
	// open; Wait must not hang on it (the orphan check reports it).
	h.cmd.WaitDelay = 2 * time.Second
	if err := h.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", program, err)
	}
	go func() {
		h.waitErr = h.cmd.Wait()
		close(h.exited)
	}()
	// Registered first, so run last: after the stop below.
	t.Cleanup(func() {
		if t.Failed() {
			h.logOutput(t)
		}
	})
	t.Cleanup(func() { h.stop(t) })

	line, ok := h.Stderr.waitLine(startTimeout, h.exited, listeningRE.MatchString)
	if !ok {
		h.stopped = true
		select {
		case <-h.exited:
			return nil, fmt.Errorf("harness exited before listening (%v); stderr:\n%s", h.waitErr, h.Stderr.String())
		default:
			h.cmd.Process.Kill()
			<-h.exited
			return nil, fmt.Errorf("harness not listening after %s; stderr:\n%s", startTimeout, h.Stderr.String())
		}
	}
	addr := listeningRE.FindStringSubmatch(line)[1]
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("listening line %q: %v", line, err)
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	h.URL = "http://" + net.JoinHostPort(host, port)
	return h, nil
}

// baseEnv is the environment every harness starts with: what programs
// need, and nothing of the test's own environment that could change the
// harness's behaviour.
func baseEnv() []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LANG=C.UTF-8",
		// A binary built with the race detector sleeps a second at exit
		// by default; the harness is stopped in every test.
		strings.TrimSpace("GORACE=atexit_sleep_ms=0 " + os.Getenv("GORACE"))}
	if v, ok := os.LookupEnv("TMPDIR"); ok {
		env = append(env, "TMPDIR="+v)
	}
	return env
}

// Pid is the harness's process id.
func (h *harness) Pid() int { return h.cmd.Process.Pid }

// Stop stops the harness with SIGTERM and checks that it exits 0 and
// leaves no process behind. It is idempotent; the test's cleanup calls it.
func (h *harness) Stop(t *testing.T) {
	t.Helper()
	h.stop(t)
}

func (h *harness) stop(t *testing.T) {
	t.Helper()
	if h.stopped {
		return
	}
	h.stopped = true
	// Every process the harness started is below it until it exits.
	procs := descendants(h.Pid())
	h.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-h.exited:
	case <-time.After(stopTimeout):
		t.Errorf("harness still running %s after SIGTERM; killing it", stopTimeout)
		h.cmd.Process.Kill()
		<-h.exited
	}
	h.checkExit(t)
	assertGone(t, "after the harness exited, a process it started", procs, goneTimeout)
	assertGone(t, "after the harness exited, a process with its environment", withEnv(h.marker), goneTimeout)
}

// checkExit checks that the harness exited with status 0 and that nothing
// kept its output open.
func (h *harness) checkExit(t *testing.T) {
	t.Helper()
	if code := h.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("harness exited with status %d (%v), want 0", code, h.cmd.ProcessState)
	}
	if errors.Is(h.waitErr, exec.ErrWaitDelay) {
		t.Errorf("after the harness exited, a process kept its output open")
	}
	if strings.Contains(h.Stderr.String(), "WARNING: DATA RACE") {
		t.Errorf("the race detector found a data race in the harness")
	}
}

// logOutput logs both of the harness's logs.
func (h *harness) logOutput(t *testing.T) {
	t.Helper()
	t.Logf("harness %s\n--- stderr (harness log):\n%s\n--- stdout (function log):\n%s",
		strings.Join(h.cmd.Args, " "), h.Stderr.String(), limit(h.Stdout.String(), 64<<10))
}

// limit shortens s to its last n bytes.
func limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "[...]" + s[len(s)-n:]
}
