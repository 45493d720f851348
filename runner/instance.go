package runner

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// instance is one execution environment: a runtime started by the Launcher
// and the Runtime API listener it talks to.
type instance struct {
	id   string
	pool *pool
	log  *slog.Logger
	ln   net.Listener
	srv  *http.Server
	proc Process // set once launched
	// fw is proc as a Forwarder when an emulator inside the environment
	// serves its Runtime API; set once launched.
	fw Forwarder

	launched time.Time
	// ready is closed at the runtime's first /next: init is over.
	ready     chan struct{}
	readyOnce sync.Once
	initDur   time.Duration // written before ready is closed
	// dead is closed when the instance must not be used again: its process
	// exited, or it was killed.
	dead     chan struct{}
	deadOnce sync.Once
	// initFailed is closed when the runtime posted /init/error.
	initFailed chan struct{}
	// invocations hands the next invocation to the runtime's pending /next.
	invocations chan *invocation
	// exts is the Extensions API state.
	exts *extensions
	// tel is the Telemetry API state.
	tel *telemetry
	// stopOnce starts the shutdown (SHUTDOWN event, then the kill) once;
	// stopped is closed when the process has been killed.
	stopOnce sync.Once
	stopped  chan struct{}

	mu sync.Mutex // protects the fields below
	// current is the invocation the runtime is working on, nil between
	// invocations.
	current *invocation
	// answered is true once the runtime answered current (response or
	// error); a second answer is an InvalidStateTransition.
	answered bool
	// lastID is the id of the last invocation answered, to tell a stale id
	// (InvalidStateTransition) from an unknown one (InvalidRequestID).
	lastID string
	// initErr is what the runtime posted to /init/error, if it did.
	initErr *invoke.Response
	// lastUsed is when the instance last went idle (for reaping).
	lastUsed time.Time
	// launchErr is why the runtime could not be started; set before the
	// instance is handed to an invoker.
	launchErr error
	// cold is true until the first invocation has reported Init Duration;
	// only the invoker that owns the instance touches it, as it does
	// maxMem and memSampled.
	cold       bool
	maxMem     uint64
	memSampled time.Time
}

// initFailure marks an instance whose init failed; the response holds the
// error object for the caller.
type initFailure struct{ resp *invoke.Response }

func (e *initFailure) Error() string { return "init failed: " + e.resp.ErrorType }

// start listens and launches the runtime. It returns once the process runs;
// use awaitReady for the end of init.
func (in *instance) start(ctx context.Context, r *Runner) error {
	ln, host, err := r.listen(in.pool.fn)
	if err != nil {
		return fmt.Errorf("runtime api listener: %w", err)
	}
	in.ln = ln
	in.launched = time.Now() // before Serve: the handlers read it
	in.srv = &http.Server{
		Handler:           in.routes(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(in.log.Handler(), slog.LevelDebug),
	}
	in.exts = newExtensions(externalExtensions(in.pool.fn.ExtensionsDir, in.log))
	in.tel.emit("platform.initStart", initRecord{InitializationType: "on-demand", Phase: "init"})
	go in.srv.Serve(ln) // ends when watch closes the server

	_, port, _ := net.SplitHostPort(ln.Addr().String())
	api := net.JoinHostPort(host, port)
	spec := Spec{
		Function:   in.pool.fn,
		InstanceID: in.id,
		RuntimeAPI: api,
		Env:        r.runtimeEnv(in.pool.fn, api, in.id, in.launched),
		Output:     in.output,
	}
	proc, err := r.cfg.Launcher.Launch(ctx, spec)
	if err != nil {
		in.srv.Close()
		return err
	}
	in.mu.Lock()
	in.proc = proc
	in.mu.Unlock()
	if fw, ok := proc.(Forwarder); ok {
		// An emulator inside: ready once launched, its runtime starts at
		// the first invocation.
		in.fw = fw
		in.initDone()
	}
	go in.watch()
	if in.isDead() {
		// Killed (shutdown) while launching.
		proc.Kill()
	}
	return nil
}

// initDone ends init: the instance is ready. Idempotent.
func (in *instance) initDone() {
	in.readyOnce.Do(func() {
		in.initDur = time.Since(in.launched)
		in.emitInitDone(statusSuccess, in.initDur)
		close(in.ready)
	})
}

// failInit records an init error (the runtime's or an extension's) and
// reports whether it was the first, before the end of init.
func (in *instance) failInit(resp *invoke.Response) bool {
	select {
	case <-in.ready:
		return false
	default:
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.initErr != nil {
		return false
	}
	in.initErr = resp
	close(in.initFailed)
	in.emitInitDone(statusError, time.Since(in.launched))
	return true
}

// watch marks the instance dead when its process exits, gives the
// extensions their SHUTDOWN event, and only then closes its Runtime API: a
// runtime that is being killed must not see its connection refused first
// and log a misleading error.
func (in *instance) watch() {
	<-in.proc.Done()
	in.log.Debug("runtime exited", "reason", in.proc.ExitReason())
	in.kill(reasonFailure)
	<-in.stopped
	in.srv.Close()
	in.pool.forget(in)
}

// markDead stops handing invocations to the instance. Idempotent.
func (in *instance) markDead() {
	in.deadOnce.Do(func() { close(in.dead) })
}

func (in *instance) isDead() bool {
	select {
	case <-in.dead:
		return true
	default:
		return false
	}
}

// kill stops the instance. Extensions subscribed to SHUTDOWN get the event
// with reason (reasonSpindown, reasonTimeout, reasonFailure) first, and at
// most shutdownGrace to call event/next again; then the process is killed.
// kill does not wait for that; stopped is closed once it is done. The first
// reason wins. Idempotent.
func (in *instance) kill(reason string) {
	in.markDead()
	in.stopOnce.Do(func() {
		var c *completion
		if in.exts != nil {
			deadline := time.Now().Add(shutdownGrace)
			c = in.exts.broadcast(eventShutdown, shutdownEvent{
				EventType: eventShutdown, DeadlineMs: deadline.UnixMilli(), ShutdownReason: reason})
		}
		if c == nil {
			in.killProcess()
			return
		}
		in.log.Debug("shutting down extensions", "reason", reason)
		// Bounded by shutdownGrace; its end is published by closing stopped.
		var exited <-chan struct{}
		in.mu.Lock()
		if w, ok := in.proc.(ExtensionWaiter); ok && len(in.exts.all()) == in.exts.externalCount() {
			exited = w.ExtensionsDone()
		}
		in.mu.Unlock()
		go func() {
			t := time.NewTimer(shutdownGrace)
			defer t.Stop()
			select {
			case <-exited:
			case <-c.done:
			case <-t.C:
				in.log.Warn("extensions did not finish within the shutdown deadline", "reason", reason)
			}
			in.killProcess()
		}()
	})
}

func (in *instance) killProcess() {
	// The subscribers get the last events while their extensions live.
	in.tel.close()
	in.mu.Lock()
	proc := in.proc
	in.mu.Unlock()
	if proc != nil {
		proc.Kill()
	}
	close(in.stopped)
}

// wait blocks until the process has exited (after kill).
func (in *instance) wait(ctx context.Context) {
	in.mu.Lock()
	proc := in.proc
	in.mu.Unlock()
	if proc == nil {
		return
	}
	select {
	case <-proc.Done():
	case <-ctx.Done():
	}
}

// awaitReady waits for the end of init: the first /next. It fails with an
// *initFailure when the runtime reported an init error, exited, or did not
// get ready within the init timeout.
func (in *instance) awaitReady(requestID string) error {
	if in.launchErr != nil {
		return &initFailure{invoke.FunctionFailure(requestID, invoke.ErrorTypeInvalidEntrypoint,
			"RequestId: "+requestID+" Error: "+in.launchErr.Error())}
	}
	select {
	case <-in.ready:
		return nil
	default:
	}
	timeout := in.pool.fn.InitTimeout
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-in.ready:
		return nil
	case <-in.dead:
	case <-in.initFailed:
	case <-t.C:
		in.kill(reasonFailure)
		why := "Runtime failed to become ready within %s (no call to /next)"
		if in.exts.runtimeNextCalled() {
			why = in.exts.pending() + " within %s"
		}
		return &initFailure{invoke.FunctionFailure(requestID, invoke.ErrorTypeInitTimeout,
			fmt.Sprintf("RequestId: %s Error: "+why, requestID, timeout))}
	}
	// Dead before ready: report /init/error's body if there was one.
	in.mu.Lock()
	ie := in.initErr
	in.mu.Unlock()
	in.kill(reasonFailure)
	if ie != nil {
		ie.RequestID = requestID
		return &initFailure{ie}
	}
	<-in.proc.Done()
	return &initFailure{exitFailure(requestID, in.proc.ExitReason())}
}

// output tags a line of the runtime's output with the invocation it
// belongs to and writes it to the function log.
func (in *instance) output(stream Stream, line []byte) {
	in.mu.Lock()
	inv, requestID := in.current, in.lastID
	in.mu.Unlock()
	var tail *tailBuffer
	if inv != nil {
		requestID, tail = inv.req.RequestID, inv.tail
	}
	in.pool.r.flog.line(in.pool.fn.Name, requestID, in.id, kindOutput, stream, line, tail)
	if in.tel.active() {
		typ := "function"
		if stream == Extension {
			typ = "extension"
		}
		in.tel.emit(typ, string(line))
	}
}
