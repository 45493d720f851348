package container

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// TestForward: an invocation reaches the emulator with the Invoke API's
// headers and the harness's request id; its answer comes back as a
// response, a function error, or an error of the emulator's own.
func TestForward(t *testing.T) {
	req := &invoke.Request{
		RequestID:     "8c1e6a43-93a8-4a4e-9a0f-3c1a0e0f1a2b",
		Payload:       []byte(`{"in":1}`),
		ClientContext: `{"custom":{"k":"v"}}`,
		TraceID:       "Root=1-5759e988-bd862e3fe1be46a994272793",
		TenantID:      "tenant-1",
	}
	for _, c := range []struct {
		name              string
		status            int
		header            http.Header
		body              string
		wantErr           bool
		wantFuncErr, want string
		wantErrType       string
		wantContentType   string
	}{
		{name: "response", status: 200, header: http.Header{"Content-Type": {"text/plain"}}, body: `hi`,
			want: "hi", wantContentType: "text/plain"},
		{name: "function error", status: 200, header: http.Header{"X-Amz-Function-Error": {"Unhandled"}},
			body: `{"errorMessage":"boom","errorType":"MyError"}`, wantFuncErr: invoke.FunctionErrorUnhandled,
			wantErrType: "MyError", want: `{"errorMessage":"boom","errorType":"MyError"}`},
		{name: "function error without a type", status: 200, header: http.Header{"X-Amz-Function-Error": {"Unhandled"}},
			body: `oops`, wantFuncErr: invoke.FunctionErrorUnhandled, wantErrType: invoke.ErrorTypeUnknown, want: `oops`},
		{name: "the emulator's own error", status: 500, body: `{"errorType":"ServiceException"}`, wantErr: true},
		{name: "wrong function name", status: 404, body: `{"Message":"Function not found"}`, wantErr: true},
		{name: "too large", status: 200, body: strings.Repeat("x", invoke.MaxResponsePayload+1),
			wantFuncErr: invoke.FunctionErrorUnhandled, wantErrType: invoke.ErrorTypeTooLarge},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if r.Method != http.MethodPost || r.URL.Path != "/2015-03-31/functions/fn/invocations" || string(body) != `{"in":1}` {
					t.Errorf("got %s %s %s", r.Method, r.URL.Path, body)
				}
				cc, _ := base64.StdEncoding.DecodeString(r.Header.Get("X-Amz-Client-Context"))
				if string(cc) != req.ClientContext || r.Header.Get("X-Amzn-Trace-Id") != req.TraceID ||
					r.Header.Get("X-Amz-Tenant-Id") != req.TenantID || r.Header.Get("Lambda-Harness-Request-Id") != req.RequestID {
					t.Errorf("headers %v", r.Header)
				}
				for k, v := range c.header {
					w.Header()[k] = v
				}
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}))
			defer srv.Close()
			e := &emulated{environment: &environment{l: &Launcher{http: newForwardClient()}},
				url: srv.URL + "/2015-03-31/functions/fn/invocations"}
			resp, err := e.Forward(context.Background(), req)
			if c.wantErr {
				if err == nil {
					t.Fatalf("no error; response %+v", resp)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if resp.FunctionError != c.wantFuncErr || resp.ErrorType != c.wantErrType || resp.RequestID != req.RequestID ||
				resp.ContentType != c.wantContentType && c.wantContentType != "" {
				t.Errorf("response %q %q %q %q", resp.FunctionError, resp.ErrorType, resp.RequestID, resp.ContentType)
			}
			if c.want != "" && string(resp.Payload) != c.want {
				t.Errorf("payload %.100s, want %.100s", resp.Payload, c.want)
			}
		})
	}
}
