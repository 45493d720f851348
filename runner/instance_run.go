package runner

import (
	"context"
	"fmt"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// The invocation side of an instance: handing an invocation to its
// runtime (or its emulator) and what the caller gets when that fails.

// exitFailure is Lambda's Runtime.ExitError for a runtime that exited.
func exitFailure(requestID, reason string) *invoke.Response {
	msg := "RequestId: " + requestID + " Error: Runtime exited without providing a reason"
	if reason != "" && reason != "exit status 0" {
		msg = "RequestId: " + requestID + " Error: Runtime exited with error: " + reason
	}
	return invoke.FunctionFailure(requestID, invoke.ErrorTypeExit, msg)
}

// run hands inv to the runtime and waits for its answer, the deadline, or
// the runtime's death. The instance must be ready and owned by the caller.
// It reports whether the runtime received the invocation at all (an
// instance can die between two invocations) and whether the instance may
// be reused.
func (in *instance) run(inv *invocation) (resp *invoke.Response, delivered, reusable bool) {
	if in.fw != nil {
		return in.forward(inv)
	}
	t := time.NewTimer(time.Until(inv.deadline))
	defer t.Stop()
	select {
	case in.invocations <- inv:
		in.sendInvoke(inv)
	case <-in.dead:
		return in.deathFailure(inv), false, false
	case <-t.C:
		in.kill(reasonTimeout)
		return in.timeoutFailure(inv), true, false
	}
	select {
	case resp := <-inv.done:
		return resp, true, true
	case <-in.dead:
		// The runtime may have answered just before it died.
		select {
		case resp := <-inv.done:
			return resp, true, false
		default:
		}
		return in.deathFailure(inv), true, false
	case <-t.C:
		in.kill(reasonTimeout)
		return in.timeoutFailure(inv), true, false
	}
}

// forward runs inv through the emulator inside the environment.
func (in *instance) forward(inv *invocation) (resp *invoke.Response, delivered, reusable bool) {
	in.mu.Lock()
	in.current = inv
	in.answered = true // nothing may answer it through our Runtime API
	in.mu.Unlock()
	in.pool.r.flog.start(in.pool.fn.Name, inv.req.RequestID, in.id, inv.tail)
	ctx, cancel := context.WithDeadline(context.Background(), inv.deadline)
	defer cancel()
	resp, err := in.fw.Forward(ctx, inv.req)
	switch {
	case err == nil:
		resp.RequestID = inv.req.RequestID
		return resp, true, true
	case ctx.Err() != nil:
		in.kill(reasonTimeout)
		return in.timeoutFailure(inv), true, false
	default:
		in.log.Warn("forwarding to the emulator failed", "request_id", inv.req.RequestID, "error", err)
		in.kill(reasonFailure)
		return in.deathFailure(inv), true, false
	}
}

// finish ends the instance's work on inv: later output is no longer its,
// and a late answer for it is an InvalidStateTransition.
func (in *instance) finish(inv *invocation) {
	in.mu.Lock()
	if in.current == inv {
		in.lastID = inv.req.RequestID
		in.current = nil
	}
	in.mu.Unlock()
}

// syncOutput waits briefly until the runtime's output written so far has
// been logged, where the launcher can tell.
func (in *instance) syncOutput() {
	if s, ok := in.proc.(OutputSyncer); ok {
		s.SyncOutput(time.Now().Add(outputSyncWait))
	}
}

// outputSyncWait bounds the wait for a runtime's last lines.
const outputSyncWait = 200 * time.Millisecond

func (in *instance) timeoutFailure(inv *invocation) *invoke.Response {
	return invoke.FunctionFailure(inv.req.RequestID, invoke.ErrorTypeTimeout,
		fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds",
			inv.req.RequestID, in.pool.fn.Timeout.Seconds()))
}

func (in *instance) deathFailure(inv *invocation) *invoke.Response {
	<-in.proc.Done()
	return exitFailure(inv.req.RequestID, in.proc.ExitReason())
}

// Measuring memory reads /proc files of the whole process tree: a third of
// the harness's CPU time if done for every short invocation. The peak only
// grows, so a recent reading stays true; it is refreshed when older than
// memSampleAge or after an invocation long enough to have allocated.
const (
	memSampleAge   = 50 * time.Millisecond
	memSampleAfter = 10 * time.Millisecond
)

// maxMemory returns the runtime's peak memory for the REPORT line of an
// invocation that took d. Only the owner of the instance calls it.
func (in *instance) maxMemory(d time.Duration) uint64 {
	now := time.Now()
	if in.cold || d >= memSampleAfter || now.Sub(in.memSampled) >= memSampleAge {
		in.maxMem = max(in.maxMem, in.proc.MaxMemoryBytes())
		in.memSampled = now
	}
	return in.maxMem
}
