package container

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"syscall"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/lambda-harness/lambda-harness/runner"
)

// environment is one running container: a runner.Process.
type environment struct {
	l        *Launcher
	id       string
	memoryMB int
	log      *slog.Logger
	stdout   *lineWriter
	stderr   *lineWriter
	mem      *memory

	// exited is closed once the container has exited and its output has
	// been read; done once it has also been removed.
	exited chan struct{}
	done   chan struct{}
	// kill is closed by Kill, to wake the goroutine that kills.
	kill     chan struct{}
	killOnce sync.Once

	mu     sync.Mutex // protects reason
	reason string
}

var _ runner.Process = (*environment)(nil)

func newEnvironment(l *Launcher, spec runner.Spec, id string, log *slog.Logger) *environment {
	return &environment{
		l:        l,
		id:       id,
		memoryMB: spec.Function.MemoryMB,
		log:      log,
		stdout:   &lineWriter{stream: runner.Stdout, output: spec.Output},
		stderr:   &lineWriter{stream: runner.Stderr, output: spec.Output},
		mem:      newMemory(l.cli, id, log, l.cgroupRoot),
		exited:   make(chan struct{}),
		done:     make(chan struct{}),
		kill:     make(chan struct{}),
	}
}

// Done is closed once the container has exited, its output has been read
// to the end, and it has been removed.
func (e *environment) Done() <-chan struct{} { return e.done }

// ExitReason says how the container's main process ended, in the words of
// os.ProcessState ("exit status 2", "signal: killed"), and whether the
// kernel killed it for want of memory; "" before Done.
func (e *environment) ExitReason() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reason
}

// Kill kills the container with SIGKILL, as Lambda stops an environment,
// without waiting: the call to the engine is made by the environment's own
// goroutine. Safe to call more than once and after the exit.
func (e *environment) Kill() {
	e.killOnce.Do(func() { close(e.kill) })
}

// MaxMemoryBytes returns the container's peak memory so far (see memory);
// after the exit, the last figure measured. It does not call the engine.
func (e *environment) MaxMemoryBytes() uint64 {
	select {
	case <-e.exited:
		return e.mem.peak.Load()
	default:
	}
	return e.mem.current(e.exited)
}

// run reads the container's output to the end, waits for its exit, and
// removes it. It owns the goroutines that kill the container and sample
// its memory, and the launcher's count of it.
func (e *environment) run(att client.HijackedResponse) {
	defer e.l.wg.Done()
	var helpers sync.WaitGroup
	helpers.Go(e.killer)
	watchCtx, stopWatch := context.WithCancel(e.l.ctx)
	helpers.Go(func() { e.mem.watch(watchCtx, e.mainPID(watchCtx)) })

	// The attachment ends when the container's output does: at its exit,
	// unless something it started holds on to the output, which Docker
	// ends with the container too.
	if _, err := stdcopy.StdCopy(e.stdout, e.stderr, att.Reader); err != nil {
		e.log.Debug("container output broke off", "error", err)
	}
	att.Close()
	e.stdout.flush()
	e.stderr.flush()
	reason := e.waitExit()
	close(e.exited)
	stopWatch()
	helpers.Wait()

	ctx, cancel := context.WithTimeout(context.WithoutCancel(e.l.ctx), opTimeout)
	if err := e.l.remove(ctx, e.id); err != nil {
		e.log.Warn("cannot remove the container", "error", err)
	}
	cancel()
	e.l.forget(e)
	e.log.Debug("container exited", "reason", reason)
	e.mu.Lock()
	e.reason = reason
	e.mu.Unlock()
	close(e.done)
}

// killer kills the container when Kill is called before it exits.
func (e *environment) killer() {
	select {
	case <-e.exited:
		return
	case <-e.kill:
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(e.l.ctx), opTimeout)
	defer cancel()
	_, err := e.l.cli.ContainerKill(ctx, e.id, client.ContainerKillOptions{Signal: "KILL"})
	if err != nil && !isNotFound(err) && !isConflict(err) { // conflict: not running any more
		e.log.Warn("cannot kill the container", "error", err)
	}
}

// mainPID returns the pid of the container's main process as the engine's
// host sees it, or 0.
func (e *environment) mainPID(ctx context.Context) int {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	in, err := e.l.cli.ContainerInspect(ctx, e.id, client.ContainerInspectOptions{})
	if err != nil || in.Container.State == nil {
		return 0
	}
	return in.Container.State.Pid
}

// waitExit waits for the container to stop running and returns its exit
// reason.
func (e *environment) waitExit() string {
	code := -1
	w := e.l.cli.ContainerWait(e.l.ctx, e.id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case r := <-w.Result:
		code = int(r.StatusCode)
	case err := <-w.Error:
		e.log.Warn("cannot wait for the container", "error", err)
	}
	// Only the inspection says whether the kernel's OOM killer struck.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(e.l.ctx), opTimeout)
	defer cancel()
	oom := false
	if in, err := e.l.cli.ContainerInspect(ctx, e.id, client.ContainerInspectOptions{}); err != nil {
		e.log.Warn("cannot inspect the exited container", "error", err)
	} else if st := in.Container.State; st != nil && !st.Running {
		code, oom = st.ExitCode, st.OOMKilled
	}
	if code < 0 {
		return "exit status unknown: the docker engine did not say"
	}
	return exitReason(code, oom, e.memoryMB)
}

// exitReason words an exit code as os.ProcessState does. Docker reports a
// death by signal N as exit code 128+N, as shells do; 137 is SIGKILL, from
// Kill, from someone's docker kill, or from the OOM killer.
func exitReason(code int, oomKilled bool, memoryMB int) string {
	reason := "exit status " + strconv.Itoa(code)
	if code > 128 && code < 128+65 {
		reason = "signal: " + syscall.Signal(code-128).String()
	}
	if oomKilled {
		reason += fmt.Sprintf(" (out of memory: the function's memory limit of %d MB was reached)", memoryMB)
	}
	return reason
}
