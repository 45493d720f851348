package runner

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// forwardLauncher launches fake environments whose own emulator answers
// invocations (a stand-in for a container running aws-lambda-rie): the
// runner must forward to them rather than serve them a Runtime API.
type forwardLauncher struct {
	forward  func(ctx context.Context, req *invoke.Request) (*invoke.Response, error)
	launches atomic.Int32
	last     atomic.Pointer[forwardProc]
}

type forwardProc struct {
	l      *forwardLauncher
	spec   Spec
	done   chan struct{}
	killed atomic.Bool
}

func (l *forwardLauncher) Launch(_ context.Context, spec Spec) (Process, error) {
	l.launches.Add(1)
	p := &forwardProc{l: l, spec: spec, done: make(chan struct{})}
	l.last.Store(p)
	return p, nil
}

func (p *forwardProc) Forward(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	p.spec.Output(Stdout, []byte("inside "+req.RequestID))
	return p.l.forward(ctx, req)
}

func (p *forwardProc) Done() <-chan struct{} { return p.done }
func (p *forwardProc) ExitReason() string {
	if p.killed.Load() {
		return "signal: killed"
	}
	return ""
}
func (p *forwardProc) Kill() {
	if p.killed.CompareAndSwap(false, true) {
		close(p.done)
	}
}
func (p *forwardProc) MaxMemoryBytes() uint64 { return 30 << 20 }

func TestForwardToEmulatorInside(t *testing.T) {
	l := &forwardLauncher{forward: func(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
		switch string(req.Payload) {
		case `"hang"`:
			<-ctx.Done()
			return nil, ctx.Err()
		case `"broken"`:
			return nil, errors.New("connection reset by peer")
		}
		return &invoke.Response{Payload: req.Payload}, nil
	}}
	f := fn("img")
	f.Timeout = 300 * time.Millisecond
	r, _ := newTestRunner(t, l, f)
	resp := call(t, r, &invoke.Request{FunctionName: "img", Payload: []byte(`{"a":1}`), Tail: true})
	if string(resp.Payload) != `{"a":1}` || resp.RequestID == "" {
		t.Fatalf("forwarded response %+v", resp)
	}
	if tail := string(resp.LogTail); !strings.Contains(tail, "START RequestId: "+resp.RequestID) ||
		!strings.Contains(tail, "inside "+resp.RequestID) || !strings.Contains(tail, "Init Duration") {
		t.Errorf("tail %q", tail)
	}
	if et := errorType(t, call(t, r, &invoke.Request{FunctionName: "img", Payload: []byte(`"hang"`)})); et != "Sandbox.Timedout" {
		t.Errorf("timeout: %s", et)
	}
	if !l.last.Load().killed.Load() {
		t.Error("timed-out environment not killed")
	}
	if et := errorType(t, call(t, r, &invoke.Request{FunctionName: "img", Payload: []byte(`"broken"`)})); et != "Runtime.ExitError" {
		t.Errorf("broken emulator: %s", et)
	}
	call(t, r, &invoke.Request{FunctionName: "img"})
	if n := l.launches.Load(); n != 3 {
		t.Errorf("%d launches, want a fresh environment after each failure", n)
	}
}

// hostLauncher is the fake launcher with an Addresser: its runtimes reach
// the Runtime API on another loopback address, as a container reaches the
// host through its network's gateway.
type hostLauncher struct{ fakeLauncher }

func (*hostLauncher) RuntimeAPIHosts(invoke.Function) (string, string) { return "127.0.0.2", "" }

func TestLauncherChoosesRuntimeAPIHost(t *testing.T) {
	l := &hostLauncher{}
	r, _ := newTestRunner(t, l, fn("net"))
	call(t, r, &invoke.Request{FunctionName: "net"})
	if api := l.runtime(0).spec.RuntimeAPI; !strings.HasPrefix(api, "127.0.0.2:") {
		t.Errorf("runtime api %s, want the launcher's host", api)
	}
}
