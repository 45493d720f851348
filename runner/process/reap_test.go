package process

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// TestReapOrphans runs in a child process of the test binary that makes
// itself a subreaper, standing in for PID 1 in a container: orphans are
// reparented to it, as they would be to the harness there. (In this
// process it would turn the other tests' killed orphans into zombies.)
func TestReapOrphans(t *testing.T) {
	if os.Getenv("REAP_CHILD") == "1" {
		reapChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestReapOrphans$", "-test.v")
	cmd.Env = append(os.Environ(), "REAP_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestReapOrphans") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func reapChild(t *testing.T) {
	const prSetChildSubreaper = 36
	if _, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); errno != 0 {
		t.Skipf("cannot become a subreaper: %v", errno)
	}
	l, err := New(Config{HostEnv: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	// A runtime that exits 7: its status must stay its own.
	p, err := l.Launch(context.Background(), runner.Spec{
		Function: invoke.Function{Name: "f", Command: []string{"sh", "-c", "sleep 0.2; exit 7"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// An orphan: the shell exits at once, its background sleep is left to us.
	out, err := exec.Command("sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!").Output()
	if err != nil {
		t.Fatal(err)
	}
	orphan, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	syscall.Kill(orphan, syscall.SIGKILL)
	if !eventually(func() bool { return procState(orphan) == "Z" }) {
		t.Fatalf("orphan %d never became our zombie (state %q)", orphan, procState(orphan))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.ReapOrphans(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	syscall.Kill(os.Getpid(), syscall.SIGCHLD)
	if !eventually(func() bool { return procState(orphan) == "" }) {
		t.Errorf("orphan %d not reaped (state %q)", orphan, procState(orphan))
	}
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("runtime did not exit")
	}
	if r := p.ExitReason(); r != "exit status 7" {
		t.Errorf("runtime exit reason %q: the reaper took its status", r)
	}
}

// procState returns the state letter of pid from /proc, "" if it is gone.
func procState(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2 : i+3]
	}
	return "?"
}

func eventually(cond func() bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}
