package main

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

// fakeLocal is the runner's side of a gateway: a Catalog and an Invoker
// that says it ran the invocation here.
type fakeLocal struct {
	*invoketest.Catalog
}

func (fakeLocal) Invoke(_ context.Context, req *invoke.Request) (*invoke.Response, error) {
	return &invoke.Response{RequestID: req.RequestID, Payload: []byte(`"local"`)}, nil
}

// remoteRecorder stands in for the broker client: it records the names it
// was asked to run.
type remoteRecorder struct {
	mu    sync.Mutex // protects names
	names []string
}

func (r *remoteRecorder) Invoke(_ context.Context, req *invoke.Request) (*invoke.Response, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.names = append(r.names, req.FunctionName)
	if req.FunctionName == "nobody-serves-it" {
		// What the Client answers when the broker returns the publish.
		return nil, invoke.Errorf(invoke.NotFound, "Function not found: %s", req.FunctionName)
	}
	return &invoke.Response{RequestID: req.RequestID, Payload: []byte(`"remote"`)}, nil
}

func TestGatewayCatalog(t *testing.T) {
	declared := []invoke.Function{{Name: "resize", Timeout: time.Minute, Description: "images"}, {Name: "b-remote", Timeout: 2 * time.Second}}
	g := newGateway(fakeLocal{invoketest.Names("echo", "z-local")}, &remoteRecorder{}, declared, 15*time.Minute)

	var names []string
	for _, fn := range g.Functions() {
		names = append(names, fn.Name)
	}
	if want := []string{"b-remote", "echo", "resize", "z-local"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Functions() = %q, want the local and the declared remote functions sorted: %q", names, want)
	}

	tests := []struct {
		name   string
		wantOK bool
		want   invoke.Function
	}{
		{"echo", true, invoke.Function{Name: "echo", Command: []string{"./bootstrap"}}},
		{"resize", true, invoke.Function{Name: "resize", Timeout: time.Minute, Description: "images"}},
		{"b-remote", true, invoke.Function{Name: "b-remote", Timeout: 2 * time.Second, Description: remoteDescription}},
		{"served-by-a-worker", true, invoke.Function{Name: "served-by-a-worker", Timeout: 15 * time.Minute, Description: remoteDescription}},
		// More than one function: the generic name is a remote function's.
		{invoke.GenericName, true, invoke.Function{Name: invoke.GenericName, Timeout: 15 * time.Minute, Description: remoteDescription}},
		{"not a name!", false, invoke.Function{}},
		{"", false, invoke.Function{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := g.Function(tt.name)
			if ok != tt.wantOK || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Function(%q) = %+v, %v; want %+v, %v", tt.name, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestGatewayGenericName(t *testing.T) {
	t.Run("the only local function", func(t *testing.T) {
		g := newGateway(fakeLocal{invoketest.Names("echo")}, &remoteRecorder{}, nil, time.Minute)
		if fn, ok := g.Function(invoke.GenericName); !ok || fn.Name != "echo" {
			t.Errorf("Function(function) = %+v, %v; want echo", fn, ok)
		}
	})
	t.Run("the only declared remote function", func(t *testing.T) {
		g := newGateway(fakeLocal{invoketest.Names()}, &remoteRecorder{}, []invoke.Function{{Name: "resize"}}, time.Minute)
		if fn, ok := g.Function(invoke.GenericName); !ok || fn.Name != "resize" {
			t.Errorf("Function(function) = %+v, %v; want resize", fn, ok)
		}
	})
}

func TestGatewayRoutes(t *testing.T) {
	remote := &remoteRecorder{}
	g := newGateway(fakeLocal{invoketest.Names("echo")}, remote, []invoke.Function{{Name: "resize"}}, time.Minute)
	ctx := context.Background()
	for _, tt := range []struct{ name, want string }{
		{"echo", `"local"`},
		{"resize", `"remote"`},
		{"anything-else", `"remote"`},
	} {
		resp, err := g.Invoke(ctx, &invoke.Request{FunctionName: tt.name})
		if err != nil || string(resp.Payload) != tt.want {
			t.Errorf("Invoke(%s) = %+v, %v; want %s", tt.name, resp, err, tt.want)
		}
	}
	_, err := g.Invoke(ctx, &invoke.Request{FunctionName: "nobody-serves-it"})
	if invoke.KindOf(err) != invoke.NotFound {
		t.Errorf("Invoke(nobody-serves-it) = %v, want the client's NotFound", err)
	}
	if want := []string{"resize", "anything-else", "nobody-serves-it"}; !reflect.DeepEqual(remote.names, want) {
		t.Errorf("the broker client ran %q, want %q", remote.names, want)
	}
}

// blockingInvoker blocks until released, the way the runner lets an
// invocation run to its end whatever its context.
type blockingInvoker struct {
	started chan struct{}
	release chan struct{}
}

func (b *blockingInvoker) Invoke(context.Context, *invoke.Request) (*invoke.Response, error) {
	close(b.started)
	<-b.release
	return &invoke.Response{Payload: []byte(`"late"`)}, nil
}

func TestAbandoning(t *testing.T) {
	t.Run("returns the result", func(t *testing.T) {
		a := &abandoning{inv: fakeLocal{}, hard: context.Background()}
		resp, err := a.Invoke(context.Background(), &invoke.Request{RequestID: "r"})
		if err != nil || string(resp.Payload) != `"local"` {
			t.Errorf("Invoke = %+v, %v", resp, err)
		}
		a.Wait()
	})
	for _, tt := range []struct {
		name   string
		cancel func(stop, hardStop context.CancelFunc)
	}{
		{"abandons the wait when ctx ends", func(stop, _ context.CancelFunc) { stop() }},
		{"abandons the wait at a hard stop", func(_, hardStop context.CancelFunc) { hardStop() }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := &blockingInvoker{started: make(chan struct{}), release: make(chan struct{})}
			hard, hardStop := context.WithCancel(context.Background())
			defer hardStop()
			a := &abandoning{inv: b, hard: hard}
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			done := make(chan error, 1)
			go func() {
				_, err := a.Invoke(ctx, &invoke.Request{RequestID: "r"})
				done <- err
			}()
			<-b.started
			tt.cancel(stop, hardStop)
			err := <-done
			if invoke.KindOf(err) != invoke.Unavailable {
				t.Errorf("Invoke after the end = %v, want Unavailable (the consumer requeues)", err)
			}
			waited := make(chan struct{})
			go func() { a.Wait(); close(waited) }()
			select {
			case <-waited:
				t.Fatal("Wait returned while the abandoned invocation still runs")
			case <-time.After(20 * time.Millisecond):
			}
			close(b.release)
			<-waited
		})
	}
	t.Run("a done ctx runs nothing", func(t *testing.T) {
		ctx, stop := context.WithCancel(context.Background())
		stop()
		a := &abandoning{inv: &blockingInvoker{}, hard: context.Background()}
		if _, err := a.Invoke(ctx, &invoke.Request{}); !errors.Is(err, context.Canceled) || invoke.KindOf(err) != invoke.Unavailable {
			t.Errorf("Invoke = %v, want Unavailable wrapping context.Canceled", err)
		}
	})
}
