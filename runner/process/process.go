package process

import (
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/lambda-harness/lambda-harness/runner"
)

// outputGrace is how long the output is still read after the runtime's
// process group has been killed. Killing the group closes every write end
// of the pipes in it; only a process that left the group (setsid) can hold
// one open, and it must not keep Done from closing.
const outputGrace = 2 * time.Second

// process is one runtime process tree.
type process struct {
	cmd  *exec.Cmd
	pgid int
	log  *slog.Logger
	done chan struct{}
	mem  memory
	// extDone is closed once the external extensions have exited; hasExt
	// says whether there were any. They lead the process group, so it is
	// still ours to signal after the runtime's exit while one of them lives.
	extDone <-chan struct{}
	hasExt  bool
	// killedC is closed by Kill.
	killedC chan struct{}
	// ext reads the external extensions' output; nil without extensions.
	ext *os.File
	// stdout and stderr read the output pipes (see SyncOutput).
	stdout, stderr *pipeReader

	// mu protects the fields below.
	mu sync.Mutex
	// exited is set once the main process has been reaped: from then on the
	// group id may be reused by the system and is no longer ours to signal.
	exited bool
	killed bool
	reason string
}

var (
	_ runner.Process         = (*process)(nil)
	_ runner.OutputSyncer    = (*process)(nil)
	_ runner.ExtensionWaiter = (*process)(nil)
)

// Done is closed once the runtime has exited and its output is read.
func (p *process) Done() <-chan struct{} { return p.done }

// ExitReason returns how the runtime exited, as os.ProcessState says it
// ("exit status 3", "signal: killed"); "" before Done.
func (p *process) ExitReason() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reason
}

// Kill sends SIGKILL to the runtime's whole process group. Lambda too stops
// a runtime with SIGKILL, without SIGTERM first, unless an extension asks
// otherwise.
func (p *process) Kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.killed || (p.exited && !p.extensionsAlive()) {
		return
	}
	p.killed = true
	close(p.killedC)
	p.log.Debug("killing runtime")
	p.killGroup()
}

// extensionsAlive reports whether external extensions were started and
// one of them still runs.
func (p *process) extensionsAlive() bool {
	if !p.hasExt {
		return false
	}
	select {
	case <-p.extDone:
		return false
	default:
		return true
	}
}

// killGroup signals the group; the caller holds mu.
func (p *process) killGroup() {
	err := syscall.Kill(-p.pgid, syscall.SIGKILL)
	if err != nil && !errors.Is(err, syscall.ESRCH) {
		p.log.Warn("kill runtime process group", "err", err)
	}
}

// SyncOutput waits, at most until deadline, until everything the runtime
// has written to stdout and stderr so far has been passed to the output
// function (see runner.OutputSyncer).
func (p *process) SyncOutput(deadline time.Time) {
	p.stdout.sync(deadline)
	p.stderr.sync(deadline)
}

// MaxMemoryBytes returns the peak memory of the process tree so far (see
// memory). After the exit it returns the last figure measured.
func (p *process) MaxMemoryBytes() uint64 {
	p.mu.Lock()
	exited := p.exited
	p.mu.Unlock()
	if exited {
		return p.mem.peak.Load()
	}
	return p.mem.sample()
}

// wait reads the output, waits for the main process, then ends the rest of
// the group and publishes the exit by closing done. It owns the readers'
// goroutines and waits for them.
func (p *process) wait(stdout, stderr *os.File, output func(runner.Stream, []byte)) {
	var readers sync.WaitGroup
	readers.Go(func() { readLines(p.stdout, runner.Stdout, output); p.stdout.finish() })
	readers.Go(func() { readLines(p.stderr, runner.Stderr, output); p.stderr.finish() })
	if p.ext != nil {
		readers.Go(func() { readLines(p.ext, runner.Extension, output) })
	}

	err := p.cmd.Wait()

	// The environment ends with its main process: whatever it left behind
	// (a wrapper's background children) goes too, so no orphans remain.
	// The group id is still ours: the system hands out ids in turn, so
	// it does not reuse the one just freed in the meantime.
	//
	// Except while external extensions live: Lambda gives them a SHUTDOWN
	// event (reason failure) after a runtime crash, so the exit is
	// published now and the group dies when the runner calls Kill, after
	// that event; their output is read until then.
	p.mu.Lock()
	extAlive := p.extensionsAlive()
	if !extAlive {
		p.killGroup()
	}
	p.exited = true
	p.mu.Unlock()
	if extAlive {
		p.publishExit(err)
		select {
		case <-p.killedC:
		case <-p.extDone:
			p.mu.Lock()
			p.killGroup()
			p.mu.Unlock()
		}
	}

	deadline := time.Now().Add(outputGrace)
	stdout.SetReadDeadline(deadline)
	stderr.SetReadDeadline(deadline)
	if p.ext != nil {
		p.ext.SetReadDeadline(deadline)
	}
	readers.Wait()
	stdout.Close()
	stderr.Close()
	if p.ext != nil {
		p.ext.Close()
	}

	if !extAlive {
		p.publishExit(err)
	}
}

// publishExit records how the runtime exited and closes done.
func (p *process) publishExit(err error) {
	reason := ""
	if p.cmd.ProcessState != nil {
		reason = p.cmd.ProcessState.String()
	} else if err != nil {
		reason = err.Error()
	}
	p.mu.Lock()
	p.reason = reason
	p.mu.Unlock()
	p.log.Debug("runtime exited", "reason", reason)
	close(p.done)
}
