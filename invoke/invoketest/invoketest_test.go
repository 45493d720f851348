package invoketest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/lambda-harness/lambda-harness/invoke"
)

func TestInvoker(t *testing.T) {
	ctx := context.Background()
	boom := errors.New("boom")
	tests := []struct {
		name        string
		fake        *Invoker
		req         invoke.Request
		wantPayload string
		wantID      string
		wantErr     error
	}{
		{name: "echo", fake: &Invoker{}, req: invoke.Request{RequestID: "r1", Payload: []byte(`{"a":1}`)}, wantPayload: `{"a":1}`, wantID: "r1"},
		{name: "echo event", fake: &Invoker{}, req: invoke.Request{RequestID: "r2", Type: invoke.Event, Payload: []byte(`{}`)}, wantPayload: "", wantID: "r2"},
		{name: "response", fake: &Invoker{Response: &invoke.Response{Payload: []byte("x")}}, req: invoke.Request{RequestID: "r3"}, wantPayload: "x", wantID: "r3"},
		{name: "response with id", fake: &Invoker{Response: &invoke.Response{RequestID: "fixed"}}, req: invoke.Request{RequestID: "r4"}, wantID: "fixed"},
		{name: "error", fake: &Invoker{Err: boom, Response: &invoke.Response{}}, req: invoke.Request{RequestID: "r5"}, wantErr: boom},
		{name: "func", fake: &Invoker{Err: boom, Func: func(_ context.Context, req *invoke.Request) (*invoke.Response, error) {
			return &invoke.Response{RequestID: req.RequestID, Payload: []byte("f")}, nil
		}}, req: invoke.Request{RequestID: "r6"}, wantPayload: "f", wantID: "r6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := tt.fake.Invoke(ctx, &tt.req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v; want %v", err, tt.wantErr)
			}
			if err == nil && (string(resp.Payload) != tt.wantPayload || resp.RequestID != tt.wantID) {
				t.Errorf("response = %q %q; want %q %q", resp.RequestID, resp.Payload, tt.wantID, tt.wantPayload)
			}
			last, ok := tt.fake.Last()
			if !ok || last.RequestID != tt.req.RequestID {
				t.Errorf("Last = %+v, %v; want the request", last, ok)
			}
		})
	}
}

func TestInvokerRecordsCopies(t *testing.T) {
	fake := &Invoker{}
	req := &invoke.Request{RequestID: "r", Payload: []byte("abc")}
	fake.Invoke(context.Background(), req)
	req.Payload[0] = 'X'
	if got, _ := fake.Last(); string(got.Payload) != "abc" {
		t.Errorf("recorded payload = %q; want the copy abc", got.Payload)
	}
}

func TestInvokerConcurrent(t *testing.T) {
	fake := &Invoker{}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { fake.Invoke(context.Background(), &invoke.Request{RequestID: invoke.NewRequestID()}) })
	}
	wg.Wait()
	if n := len(fake.Requests()); n != 50 {
		t.Errorf("recorded %d requests; want 50", n)
	}
}

func TestCatalog(t *testing.T) {
	c := Names("b", "c", "a")
	fns := c.Functions()
	if len(fns) != 3 || fns[0].Name != "a" || fns[2].Name != "c" {
		t.Errorf("Functions = %v; want sorted a, b, c", fns)
	}
	fns[0].Name = "changed"
	if f, ok := c.Function("a"); !ok || f.Name != "a" || f.Validate() != nil {
		t.Errorf("Function(a) = %+v, %v; want a valid function a", f, ok)
	}
	if _, ok := c.Function("zz"); ok {
		t.Error("Function(zz) found")
	}
	if _, ok := Names().Function("a"); ok {
		t.Error("empty catalog found a")
	}
}
