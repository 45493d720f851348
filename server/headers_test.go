package server

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

func TestInvokeHeaders(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	raw64 := base64.RawStdEncoding.EncodeToString
	ctxJSON := `{"custom":{"k":"v"},"env":{"a":"b"}}`
	// Unpadded base64 of n bytes has ceil(4n/3) characters: 2,687 bytes
	// make exactly the limit of 3,583, one more byte one character more.
	contextOf := func(n int) string { return raw64([]byte(`{"c":"` + strings.Repeat("x", n-8) + `"}`)) }
	longest, tooLong := contextOf(2687), contextOf(2688)
	if len(longest) != invoke.MaxClientContext || len(tooLong) != invoke.MaxClientContext+1 {
		t.Fatalf("test client contexts have %d and %d bytes", len(longest), len(tooLong))
	}

	tests := []struct {
		name       string
		header     map[string]string
		check      func(t *testing.T, req invoke.Request)
		wantStatus int
		wantCode   string
		wantMsg    string
	}{
		{name: "no headers", check: func(t *testing.T, req invoke.Request) {
			if req.Type != invoke.RequestResponse || req.Tail || req.ClientContext != "" || req.TraceID != "" || req.TenantID != "" {
				t.Errorf("request = %+v; want defaults", req)
			}
		}},
		{name: "bad invocation type", header: map[string]string{"X-Amz-Invocation-Type": "event"}, wantStatus: 400, wantCode: "ValidationException",
			wantMsg: "1 validation error detected: Value 'event' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"},
		{name: "bad log type", header: map[string]string{"X-Amz-Log-Type": "All"}, wantStatus: 400, wantCode: "ValidationException",
			wantMsg: "1 validation error detected: Value 'All' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]"},
		{name: "client context", header: map[string]string{"X-Amz-Client-Context": b64([]byte(ctxJSON))}, check: func(t *testing.T, req invoke.Request) {
			if req.ClientContext != ctxJSON {
				t.Errorf("ClientContext = %q; want %q", req.ClientContext, ctxJSON)
			}
		}},
		{name: "client context unpadded", header: map[string]string{"X-Amz-Client-Context": raw64([]byte(`{"a":1}`))}, check: func(t *testing.T, req invoke.Request) {
			if req.ClientContext != `{"a":1}` {
				t.Errorf("ClientContext = %q", req.ClientContext)
			}
		}},
		{name: "client context at the limit", header: map[string]string{"X-Amz-Client-Context": longest}, check: func(t *testing.T, req invoke.Request) {
			if req.ClientContext == "" {
				t.Error("ClientContext is empty")
			}
		}},
		{name: "client context dropped for Event", header: map[string]string{"X-Amz-Client-Context": b64([]byte(ctxJSON)), "X-Amz-Invocation-Type": "Event"}, check: func(t *testing.T, req invoke.Request) {
			if req.ClientContext != "" {
				t.Errorf("ClientContext = %q; want none for Event", req.ClientContext)
			}
		}},
		{name: "client context too long", header: map[string]string{"X-Amz-Client-Context": tooLong}, wantStatus: 400, wantCode: "InvalidParameterValueException"},
		{name: "client context not base64", header: map[string]string{"X-Amz-Client-Context": "{not base64}"}, wantStatus: 400, wantCode: "InvalidParameterValueException",
			wantMsg: "Client context must be a valid Base64-encoded JSON object."},
		{name: "client context not JSON", header: map[string]string{"X-Amz-Client-Context": b64([]byte("hello"))}, wantStatus: 400, wantCode: "InvalidParameterValueException",
			wantMsg: "Client context must be a valid Base64-encoded JSON object."},
		{name: "client context not an object", header: map[string]string{"X-Amz-Client-Context": b64([]byte("[1]"))}, wantStatus: 400, wantCode: "InvalidParameterValueException"},
		{name: "bad client context on Event", header: map[string]string{"X-Amz-Client-Context": "!!", "X-Amz-Invocation-Type": "Event"}, wantStatus: 400, wantCode: "InvalidParameterValueException"},
		{name: "trace id", header: map[string]string{"X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}, check: func(t *testing.T, req invoke.Request) {
			if req.TraceID != "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1" {
				t.Errorf("TraceID = %q", req.TraceID)
			}
		}},
		{name: "tenant id", header: map[string]string{"X-Amz-Tenant-Id": "tenant-1/eu:a.b_c=d+e@f g"}, check: func(t *testing.T, req invoke.Request) {
			if req.TenantID != "tenant-1/eu:a.b_c=d+e@f g" {
				t.Errorf("TenantID = %q", req.TenantID)
			}
		}},
		{name: "tenant id 256", header: map[string]string{"X-Amz-Tenant-Id": strings.Repeat("t", 256)}, check: func(t *testing.T, req invoke.Request) {
			if len(req.TenantID) != 256 {
				t.Errorf("TenantID has %d bytes; want 256", len(req.TenantID))
			}
		}},
		{name: "tenant id 257", header: map[string]string{"X-Amz-Tenant-Id": strings.Repeat("t", 257)}, wantStatus: 400, wantCode: "ValidationException"},
		{name: "tenant id bad character", header: map[string]string{"X-Amz-Tenant-Id": "a;b"}, wantStatus: 400, wantCode: "ValidationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &invoketest.Invoker{}
			s := newServer(t, fake, invoketest.Names("my-fn"))
			rec := serve(t, s, request{target: "/2015-03-31/functions/my-fn/invocations", header: tt.header, body: "{}"})
			if tt.wantStatus != 0 {
				body := wantError(t, rec, tt.wantStatus, tt.wantCode)
				if tt.wantMsg != "" && body.Message != tt.wantMsg {
					t.Errorf("Message = %q; want %q", body.Message, tt.wantMsg)
				}
				if len(fake.Requests()) != 0 {
					t.Error("invoker was called")
				}
				return
			}
			if rec.Code/100 != 2 {
				t.Fatalf("status = %d %s; want success", rec.Code, rec.Body)
			}
			req, ok := fake.Last()
			if !ok {
				t.Fatal("invoker not called")
			}
			tt.check(t, req)
		})
	}
}
