package server

import (
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

// jsonOfSize returns a JSON string value of exactly n bytes.
func jsonOfSize(n int) string {
	return `"` + strings.Repeat("a", n-2) + `"`
}

func TestInvokePayloadSize(t *testing.T) {
	const (
		syncMsg  = "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
		asyncMsg = "Request must be smaller than 1048576 bytes for the InvokeAsync operation"
	)
	invokePath := "/2015-03-31/functions/my-fn/invocations"
	asyncPath := "/2014-11-13/functions/my-fn/invoke-async"
	event := map[string]string{"X-Amz-Invocation-Type": "Event"}
	dryRun := map[string]string{"X-Amz-Invocation-Type": "DryRun"}
	tests := []struct {
		name       string
		target     string
		header     map[string]string
		size       int
		chunked    bool
		wantStatus int
		wantMsg    string
	}{
		{name: "sync at the limit", target: invokePath, size: invoke.MaxSyncPayload, wantStatus: 200},
		{name: "sync over the limit", target: invokePath, size: invoke.MaxSyncPayload + 1, wantStatus: 413, wantMsg: syncMsg},
		{name: "sync chunked at the limit", target: invokePath, size: invoke.MaxSyncPayload, chunked: true, wantStatus: 200},
		{name: "sync chunked over the limit", target: invokePath, size: invoke.MaxSyncPayload + 1, chunked: true, wantStatus: 413, wantMsg: syncMsg},
		{name: "dry run over the limit", target: invokePath, header: dryRun, size: invoke.MaxSyncPayload + 1, wantStatus: 413, wantMsg: syncMsg},
		{name: "event at the limit", target: invokePath, header: event, size: invoke.MaxEventPayload, wantStatus: 202},
		{name: "event over the limit", target: invokePath, header: event, size: invoke.MaxEventPayload + 1, wantStatus: 413,
			wantMsg: "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)"},
		{name: "event chunked over the limit", target: invokePath, header: event, size: invoke.MaxEventPayload + 1, chunked: true, wantStatus: 413,
			wantMsg: "Payload is too large for the Event invocation type (limit 1048576 bytes)"},
		{name: "invoke-async at the limit", target: asyncPath, size: invoke.MaxEventPayload, wantStatus: 202},
		{name: "invoke-async over the limit", target: asyncPath, size: invoke.MaxEventPayload + 1, wantStatus: 413, wantMsg: asyncMsg},
		{name: "invoke-async chunked over the limit", target: asyncPath, size: invoke.MaxEventPayload + 1, chunked: true, wantStatus: 413, wantMsg: asyncMsg},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &invoketest.Invoker{}
			s := newServer(t, fake, invoketest.Names("my-fn"))
			rec := serve(t, s, request{target: tt.target, header: tt.header, body: jsonOfSize(tt.size), chunked: tt.chunked})
			if tt.wantStatus == 413 {
				body := wantError(t, rec, 413, "RequestEntityTooLargeException")
				if body.Message != tt.wantMsg {
					t.Errorf("Message = %q; want %q", body.Message, tt.wantMsg)
				}
				if len(fake.Requests()) != 0 {
					t.Error("invoker was called")
				}
				return
			}
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d %s; want %d", rec.Code, rec.Body, tt.wantStatus)
			}
			if got, _ := fake.Last(); len(got.Payload) != tt.size {
				t.Errorf("payload has %d bytes; want %d", len(got.Payload), tt.size)
			}
		})
	}
}

func TestInvokePayloadJSON(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		chunked bool
		wantErr bool
	}{
		{name: "empty", body: ""},
		{name: "empty chunked", body: "", chunked: true},
		{name: "object", body: `{"a":[1,2,{"b":null}]}`},
		{name: "string", body: `"text"`},
		{name: "number", body: `42`},
		{name: "null", body: `null`},
		{name: "whitespace around", body: " \n{}\t "},
		{name: "chunked object", body: `{"a":1}`, chunked: true},
		{name: "bare word", body: `hello`, wantErr: true},
		{name: "truncated", body: `{"a":`, wantErr: true},
		{name: "two values", body: `{} {}`, wantErr: true},
		{name: "whitespace only", body: "  ", wantErr: true},
		{name: "invalid chunked", body: `{a}`, chunked: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &invoketest.Invoker{}
			s := newServer(t, fake, invoketest.Names("my-fn"))
			rec := serve(t, s, request{target: "/2015-03-31/functions/my-fn/invocations", body: tt.body, chunked: tt.chunked})
			if tt.wantErr {
				body := wantError(t, rec, 400, "InvalidRequestContentException")
				if !strings.HasPrefix(body.Message, "Could not parse request body into json: ") {
					t.Errorf("Message = %q", body.Message)
				}
				if len(fake.Requests()) != 0 {
					t.Error("invoker was called")
				}
				return
			}
			if rec.Code != 200 {
				t.Fatalf("status = %d %s; want 200", rec.Code, rec.Body)
			}
			got, _ := fake.Last()
			if string(got.Payload) != tt.body {
				t.Errorf("payload = %q; want %q, unchanged", got.Payload, tt.body)
			}
			if rec.Body.String() != tt.body {
				t.Errorf("response = %q; want the echo %q", rec.Body, tt.body)
			}
		})
	}
}

func TestInvokeAsync(t *testing.T) {
	for _, path := range []string{"/2014-11-13/functions/my-fn/invoke-async", "/2014-11-13/functions/my-fn/invoke-async/"} {
		t.Run(path, func(t *testing.T) {
			fake := &invoketest.Invoker{}
			s := newServer(t, fake, invoketest.Names("my-fn"))
			rec := serve(t, s, request{target: path, body: `{"x":1}`,
				header: map[string]string{"X-Amz-Invocation-Type": "RequestResponse"}})
			if rec.Code != 202 || rec.Body.String() != `{"Status":202}` {
				t.Fatalf("response = %d %s; want 202 {\"Status\":202}", rec.Code, rec.Body)
			}
			got, _ := fake.Last()
			if got.Type != invoke.Event || string(got.Payload) != `{"x":1}` || got.FunctionName != "my-fn" {
				t.Errorf("request = %+v; want an Event for my-fn", got)
			}
			if id := rec.Header().Get("x-amzn-RequestId"); id != got.RequestID {
				t.Errorf("x-amzn-RequestId = %q; want %q", id, got.RequestID)
			}
		})
	}
	t.Run("unknown function", func(t *testing.T) {
		s := newServer(t, &invoketest.Invoker{}, invoketest.Names("my-fn"))
		rec := serve(t, s, request{target: "/2014-11-13/functions/nope/invoke-async", body: `{}`})
		wantError(t, rec, 404, "ResourceNotFoundException")
	})
	t.Run("invoker error", func(t *testing.T) {
		s := newServer(t, &invoketest.Invoker{Err: invoke.Errorf(invoke.Throttled, "Rate Exceeded.")}, invoketest.Names("my-fn"))
		rec := serve(t, s, request{target: "/2014-11-13/functions/my-fn/invoke-async", body: `{}`})
		wantError(t, rec, 429, "TooManyRequestsException")
	})
}
