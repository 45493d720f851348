package server

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

func TestInvokeFunctionName(t *testing.T) {
	tests := []struct {
		name          string
		target        string
		wantName      string
		wantQualifier string
		wantStatus    int
		wantCode      string
		wantMessage   string
	}{
		{name: "bare", target: "/2015-03-31/functions/my-fn/invocations", wantName: "my-fn"},
		{name: "qualifier raw", target: "/2015-03-31/functions/my-fn:prod/invocations", wantName: "my-fn", wantQualifier: "prod"},
		{name: "qualifier encoded", target: "/2015-03-31/functions/my-fn%3Aprod/invocations", wantName: "my-fn", wantQualifier: "prod"},
		{name: "$LATEST encoded", target: "/2015-03-31/functions/my-fn%3A%24LATEST/invocations", wantName: "my-fn", wantQualifier: "$LATEST"},
		{name: "partial ARN", target: "/2015-03-31/functions/123456789012%3Afunction%3Amy-fn/invocations", wantName: "my-fn"},
		{name: "partial ARN qualified", target: "/2015-03-31/functions/123456789012%3Afunction%3Amy-fn%3A7/invocations", wantName: "my-fn", wantQualifier: "7"},
		// aws-sdk-go-v2 escapes ':' in a path label as %3A.
		{name: "ARN as the SDK sends it", target: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn/invocations", wantName: "my-fn"},
		{name: "qualified ARN as the SDK sends it", target: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-fn%3A%24LATEST/invocations", wantName: "my-fn", wantQualifier: "$LATEST"},
		{name: "ARN lower-case escapes", target: "/2015-03-31/functions/arn%3aaws%3alambda%3aus-east-1%3a123456789012%3afunction%3amy-fn/invocations", wantName: "my-fn"},
		{name: "ARN raw, other region and account", target: "/2015-03-31/functions/arn:aws:lambda:eu-west-1:999999999999:function:my-fn:prod/invocations", wantName: "my-fn", wantQualifier: "prod"},
		{name: "query qualifier", target: "/2015-03-31/functions/my-fn/invocations?Qualifier=prod", wantName: "my-fn", wantQualifier: "prod"},
		{name: "query qualifier agrees", target: "/2015-03-31/functions/my-fn%3Aprod/invocations?Qualifier=prod", wantName: "my-fn", wantQualifier: "prod"},
		{name: "generic name, one function", target: "/2015-03-31/functions/function/invocations", wantName: "my-fn"},
		{
			name: "qualifier mismatch", target: "/2015-03-31/functions/my-fn%3Aprod/invocations?Qualifier=dev",
			wantStatus: 400, wantCode: "InvalidParameterValueException",
			wantMessage: "The derived qualifier from the function name does not match the specified qualifier.",
		},
		{name: "bad query qualifier", target: "/2015-03-31/functions/my-fn/invocations?Qualifier=a%21b", wantStatus: 400, wantCode: "ValidationException"},
		{name: "encoded slash", target: "/2015-03-31/functions/my%2Ffn/invocations", wantStatus: 400, wantCode: "ValidationException"},
		{name: "bad character", target: "/2015-03-31/functions/my%20fn/invocations", wantStatus: 400, wantCode: "ValidationException"},
		{name: "bad ARN", target: "/2015-03-31/functions/arn%3Aaws%3As3%3A%3A%3Abucket/invocations", wantStatus: 400, wantCode: "ValidationException"},
		{name: "name too long", target: "/2015-03-31/functions/" + string(make65()) + "/invocations", wantStatus: 400, wantCode: "ValidationException"},
		{
			name: "unknown", target: "/2015-03-31/functions/other/invocations",
			wantStatus: 404, wantCode: "ResourceNotFoundException",
			wantMessage: "Function not found: arn:aws:lambda:us-east-1:123456789012:function:other",
		},
		{
			name: "unknown qualified", target: "/2015-03-31/functions/other%3Aprod/invocations",
			wantStatus: 404, wantCode: "ResourceNotFoundException",
			wantMessage: "Function not found: arn:aws:lambda:us-east-1:123456789012:function:other:prod",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &invoketest.Invoker{}
			s := newServer(t, fake, invoketest.Names("my-fn"))
			rec := serve(t, s, request{target: tt.target, body: `{"a":1}`})
			if tt.wantStatus != 0 {
				body := wantError(t, rec, tt.wantStatus, tt.wantCode)
				if tt.wantMessage != "" && body.Message != tt.wantMessage {
					t.Errorf("Message = %q; want %q", body.Message, tt.wantMessage)
				}
				if n := len(fake.Requests()); n != 0 {
					t.Errorf("invoker called %d times; want 0", n)
				}
				return
			}
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d %s; want 200", rec.Code, rec.Body)
			}
			got, ok := fake.Last()
			if !ok {
				t.Fatal("invoker not called")
			}
			if got.FunctionName != tt.wantName || got.Qualifier != tt.wantQualifier {
				t.Errorf("FunctionName, Qualifier = %q, %q; want %q, %q", got.FunctionName, got.Qualifier, tt.wantName, tt.wantQualifier)
			}
		})
	}
}

func make65() []byte {
	b := make([]byte, 65)
	for i := range b {
		b[i] = 'a'
	}
	return b
}

func TestInvokeGenericName(t *testing.T) {
	tests := []struct {
		name       string
		catalog    *invoketest.Catalog
		wantStatus int
		wantName   string
	}{
		{"one function", invoketest.Names("real-name"), 200, "real-name"},
		{"a function named function", invoketest.Names("function", "other"), 200, "function"},
		{"two functions", invoketest.Names("a", "b"), 404, ""},
		{"no function", invoketest.Names(), 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &invoketest.Invoker{}
			s := newServer(t, fake, tt.catalog)
			rec := serve(t, s, request{target: "/2015-03-31/functions/function/invocations"})
			if tt.wantStatus == 404 {
				body := wantError(t, rec, 404, "ResourceNotFoundException")
				if want := "Function not found: arn:aws:lambda:us-east-1:123456789012:function:function"; body.Message != want {
					t.Errorf("Message = %q; want %q", body.Message, want)
				}
				return
			}
			if got, _ := fake.Last(); rec.Code != 200 || got.FunctionName != tt.wantName {
				t.Errorf("status %d, FunctionName %q; want 200, %q", rec.Code, got.FunctionName, tt.wantName)
			}
		})
	}
}

func TestInvokeResponse(t *testing.T) {
	tests := []struct {
		name      string
		header    map[string]string
		resp      invoke.Response
		wantCode  int
		wantBody  string
		wantHdr   map[string]string // "" means absent
		wantTail  bool
		wantType  invoke.InvocationType
		wantIDHdr string // x-amzn-RequestId if not the generated one
	}{
		{
			name: "success", resp: invoke.Response{Payload: []byte(`{"ok":true}`)},
			wantCode: 200, wantBody: `{"ok":true}`, wantType: invoke.RequestResponse,
			wantHdr: map[string]string{"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST",
				"Content-Length": "11", "X-Amz-Function-Error": "", "X-Amz-Log-Result": ""},
		},
		{
			name: "runtime content type and version", resp: invoke.Response{Payload: []byte("hi"), ContentType: "text/plain", ExecutedVersion: "3"},
			wantCode: 200, wantBody: "hi", wantType: invoke.RequestResponse,
			wantHdr: map[string]string{"Content-Type": "text/plain", "X-Amz-Executed-Version": "3"},
		},
		{
			name: "function error", resp: *invoke.FunctionFailure("", invoke.ErrorTypeTimeout, "Task timed out after 1.00 seconds"),
			wantCode: 200, wantBody: `{"errorMessage":"Task timed out after 1.00 seconds","errorType":"Sandbox.Timedout"}`,
			wantType: invoke.RequestResponse,
			wantHdr:  map[string]string{"X-Amz-Function-Error": "Unhandled", "Content-Type": "application/json"},
		},
		{
			name: "tail", header: map[string]string{"X-Amz-Log-Type": "Tail"},
			resp:     invoke.Response{Payload: []byte(`1`), LogTail: []byte("START RequestId: x\nEND\n")},
			wantCode: 200, wantBody: `1`, wantType: invoke.RequestResponse, wantTail: true,
			wantHdr: map[string]string{"X-Amz-Log-Result": base64.StdEncoding.EncodeToString([]byte("START RequestId: x\nEND\n"))},
		},
		{
			name: "log type none", header: map[string]string{"X-Amz-Log-Type": "None"},
			resp: invoke.Response{Payload: []byte(`1`), LogTail: []byte("x")}, wantCode: 200, wantBody: `1`,
			wantType: invoke.RequestResponse, wantHdr: map[string]string{"X-Amz-Log-Result": ""},
		},
		{
			name: "event", header: map[string]string{"X-Amz-Invocation-Type": "Event", "X-Amz-Log-Type": "Tail"},
			resp: invoke.Response{LogTail: []byte("x")}, wantCode: 202, wantBody: "", wantType: invoke.Event,
			wantHdr: map[string]string{"X-Amz-Executed-Version": "$LATEST", "X-Amz-Log-Result": ""},
		},
		{
			name: "dry run", header: map[string]string{"X-Amz-Invocation-Type": "DryRun"},
			wantCode: 204, wantBody: "", wantType: invoke.DryRun,
		},
		{
			name: "explicit request response", header: map[string]string{"X-Amz-Invocation-Type": "RequestResponse"},
			resp: invoke.Response{Payload: []byte(`2`)}, wantCode: 200, wantBody: `2`, wantType: invoke.RequestResponse,
		},
		{
			name: "invoker's own request id", resp: invoke.Response{RequestID: "other-id", Payload: []byte(`1`)},
			wantCode: 200, wantBody: `1`, wantType: invoke.RequestResponse, wantIDHdr: "other-id",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &invoketest.Invoker{Response: &tt.resp}
			s := newServer(t, fake, invoketest.Names("my-fn"))
			rec := serve(t, s, request{target: "/2015-03-31/functions/my-fn/invocations", header: tt.header, body: `{"in":1}`})
			if rec.Code != tt.wantCode || rec.Body.String() != tt.wantBody {
				t.Errorf("response = %d %q; want %d %q", rec.Code, rec.Body, tt.wantCode, tt.wantBody)
			}
			for k, want := range tt.wantHdr {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s = %q; want %q", k, got, want)
				}
			}
			got, _ := fake.Last()
			if got.Type != tt.wantType || got.Tail != tt.wantTail {
				t.Errorf("request Type, Tail = %q, %v; want %q, %v", got.Type, got.Tail, tt.wantType, tt.wantTail)
			}
			if string(got.Payload) != `{"in":1}` {
				t.Errorf("request Payload = %q", got.Payload)
			}
			wantID := tt.wantIDHdr
			if wantID == "" {
				wantID = got.RequestID
			}
			if id := rec.Header().Get("x-amzn-RequestId"); id == "" || id != wantID {
				t.Errorf("x-amzn-RequestId = %q; want %q, the id the invoker received", id, wantID)
			}
		})
	}
}

func TestInvokeRequestIDsDiffer(t *testing.T) {
	fake := &invoketest.Invoker{}
	s := newServer(t, fake, invoketest.Names("my-fn"))
	seen := map[string]bool{}
	for range 20 {
		rec := serve(t, s, request{target: "/2015-03-31/functions/my-fn/invocations"})
		id := rec.Header().Get("x-amzn-RequestId")
		if len(id) != 36 || seen[id] {
			t.Fatalf("request id %q: want a fresh UUID", id)
		}
		seen[id] = true
	}
	for i, req := range fake.Requests() {
		if !seen[req.RequestID] {
			t.Errorf("request %d: id %q was not sent to the caller", i, req.RequestID)
		}
	}
}

func TestInvokeNilResponse(t *testing.T) {
	fake := &invoketest.Invoker{Func: func(context.Context, *invoke.Request) (*invoke.Response, error) { return nil, nil }}
	s := newServer(t, fake, invoketest.Names("my-fn"))
	rec := serve(t, s, request{target: "/2015-03-31/functions/my-fn/invocations"})
	wantError(t, rec, 500, "ServiceException")
}

func TestInvokeForwardedRequestID(t *testing.T) {
	cases := []struct{ name, header, want string }{
		{"forwarded id kept", "5d1f0f5e-3c1a-4b1e-a9d4-0a0e3e1c2b3a", "5d1f0f5e-3c1a-4b1e-a9d4-0a0e3e1c2b3a"},
		{"implausible id ignored", "bad id\r\n", ""},
		{"too long ignored", strings.Repeat("a", 65), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := &invoketest.Invoker{}
			s := newServer(t, fake, invoketest.Names("my-fn"))
			rec := serve(t, s, request{target: "/2015-03-31/functions/my-fn/invocations",
				header: map[string]string{"Lambda-Harness-Request-Id": tc.header}})
			last, _ := fake.Last()
			got := last.RequestID
			if tc.want != "" && got != tc.want {
				t.Errorf("request id %q, want the forwarded %q", got, tc.want)
			}
			if tc.want == "" && (got == tc.header || len(got) != 36) {
				t.Errorf("request id %q: want a fresh one", got)
			}
			if rec.Header().Get("x-amzn-RequestId") != got {
				t.Errorf("x-amzn-RequestId %q, want %q", rec.Header().Get("x-amzn-RequestId"), got)
			}
		})
	}
}
