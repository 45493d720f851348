package amqp

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testutil"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

// modeFake is a fake function runner that does what the event's "mode"
// asks: echo (default), fail as a function, or fail as the harness with the
// given kind.
func modeFake() *invoketest.Invoker {
	return &invoketest.Invoker{Func: func(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
		var ev struct {
			Mode string `json:"mode"`
			Kind int    `json:"kind"`
		}
		json.Unmarshal(req.Payload, &ev)
		switch ev.Mode {
		case "function-error":
			return invoke.FunctionFailure(req.RequestID, "Exception", "boom"), nil
		case "harness-error":
			return nil, invoke.Errorf(invoke.Kind(ev.Kind), "harness says %d", ev.Kind)
		}
		resp := invoketest.Echo(req)
		if req.Tail {
			resp.LogTail = []byte("START RequestId: " + req.RequestID + "\n")
		}
		return resp, nil
	}}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	fn := uniqueName(t, url, "rpc")
	fake := modeFake()
	runConsumer(t, ConsumerConfig{URL: url, Functions: []invoke.Function{{Name: fn, Concurrency: 4}}}, fake)
	testutil.WaitConsumers(t, url, fn, 1)
	client := newTestClient(t, ClientConfig{URL: url, Timeout: 5 * time.Second, Margin: time.Second})
	ctx := context.Background()

	t.Run("payload, request id, client context, trace id, tenant, tail", func(t *testing.T) {
		req := &invoke.Request{RequestID: invoke.NewRequestID(), FunctionName: fn, Payload: []byte(`{"hello":"world"}`),
			ClientContext: `{"custom":{"a":"b"}}`, TraceID: "Root=1-5759e988-bd862e3fe1be46a994272793", TenantID: "tenant-1", Tail: true}
		resp, err := client.Invoke(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if string(resp.Payload) != `{"hello":"world"}` || resp.RequestID != req.RequestID || resp.FunctionError != "" ||
			string(resp.LogTail) != "START RequestId: "+req.RequestID+"\n" || resp.ContentType != "application/json" {
			t.Errorf("response %+v", resp)
		}
		var got *invoke.Request
		for _, r := range fake.Requests() {
			if r.RequestID == req.RequestID {
				got = &r
			}
		}
		if got == nil {
			t.Fatal("the invoker never saw the request id")
		}
		if got.ClientContext != req.ClientContext || got.TraceID != req.TraceID || got.TenantID != req.TenantID ||
			!got.Tail || got.FunctionName != fn || got.Type != invoke.RequestResponse {
			t.Errorf("invoker got %+v", got)
		}
	})

	t.Run("function error", func(t *testing.T) {
		resp, err := client.Invoke(ctx, &invoke.Request{FunctionName: fn, Payload: []byte(`{"mode":"function-error"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if resp.FunctionError != invoke.FunctionErrorUnhandled || resp.ErrorType != "Exception" || !strings.Contains(string(resp.Payload), `"errorMessage":"boom"`) {
			t.Errorf("response %+v %s", resp, resp.Payload)
		}
	})

	for k := invoke.Internal; k <= invoke.UnsupportedMedia; k++ {
		t.Run("harness error "+k.String(), func(t *testing.T) {
			payload, _ := json.Marshal(map[string]any{"mode": "harness-error", "kind": int(k)})
			_, err := client.Invoke(ctx, &invoke.Request{FunctionName: fn, Payload: payload})
			var ie *invoke.Error
			if !errors.As(err, &ie) || ie.Kind != k || ie.Message != "harness says "+itoa(int(k)) {
				t.Errorf("error = %v (kind %v); want kind %v", err, invoke.KindOf(err), k)
			}
		})
	}

	t.Run("concurrent", func(t *testing.T) {
		errs := make(chan error, 50)
		for i := range 50 {
			go func() {
				payload := []byte(`{"n":` + itoa(i) + `}`)
				resp, err := client.Invoke(ctx, &invoke.Request{FunctionName: fn, Payload: payload})
				if err == nil && string(resp.Payload) != string(payload) {
					err = errors.New("crossed replies: sent " + string(payload) + ", got " + string(resp.Payload))
				}
				errs <- err
			}()
		}
		for range 50 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})

	t.Run("dry run", func(t *testing.T) {
		if _, err := client.Invoke(ctx, &invoke.Request{FunctionName: fn, Type: invoke.DryRun}); err != nil {
			t.Errorf("DryRun of a served function: %v", err)
		}
	})
}

func TestUnroutable(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	fn := uniqueName(t, url, "nobody")
	client := newTestClient(t, ClientConfig{URL: url, Region: "eu-west-1", Account: "111122223333"})
	want := "Function not found: arn:aws:lambda:eu-west-1:111122223333:function:" + fn
	for _, typ := range []invoke.InvocationType{invoke.RequestResponse, invoke.Event, invoke.DryRun} {
		t.Run(string(typ), func(t *testing.T) {
			start := time.Now()
			_, err := client.Invoke(context.Background(), &invoke.Request{FunctionName: fn, Type: typ, Payload: []byte(`{}`)})
			if invoke.KindOf(err) != invoke.NotFound || invoke.MessageOf(err) != want {
				t.Errorf("error = %v; want NotFound %q", err, want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s; an unroutable request must fail fast", d)
			}
		})
	}
}

func TestClientBrokerDown(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1: the gateway must fail fast, not hang.
	client := newTestClient(t, ClientConfig{URL: "amqp://guest:guest@127.0.0.1:1/", ConnectWait: 300 * time.Millisecond})
	for _, typ := range []invoke.InvocationType{invoke.RequestResponse, invoke.Event, invoke.DryRun} {
		start := time.Now()
		_, err := client.Invoke(context.Background(), &invoke.Request{FunctionName: "fn", Type: typ})
		if invoke.KindOf(err) != invoke.Unavailable || time.Since(start) > 2*time.Second {
			t.Errorf("%s: error = %v after %s; want Unavailable within ConnectWait", typ, err, time.Since(start))
		}
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
