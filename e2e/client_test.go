package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
)

// httpClient is the plain net/http caller: no proxy (the harness is
// local), enough idle connections for the concurrency tests, and a
// timeout so that a hung invocation fails the test instead of the run.
var httpClient = &http.Client{
	Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64},
	Timeout:   60 * time.Second,
}

// response is an answer of the harness, read whole.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// invokePath is the Invoke API's path for a function name as it goes on
// the wire (already percent-encoded where it needs to be).
func invokePath(name string) string {
	return "/2015-03-31/functions/" + name + "/invocations"
}

// invoke POSTs payload to the Invoke API of function name; headers are
// name/value pairs.
func (h *harness) invoke(t *testing.T, name, payload string, headers ...string) response {
	t.Helper()
	return h.do(t, http.MethodPost, invokePath(name), strings.NewReader(payload), headers...)
}

// do sends one request to the harness; headers are name/value pairs.
func (h *harness) do(t *testing.T, method, path string, body io.Reader, headers ...string) response {
	t.Helper()
	r, err := h.send(method, path, body, headers...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tryInvoke is invoke for goroutines other than the test's, which must
// not call t.Fatal.
func (h *harness) tryInvoke(name, payload string, headers ...string) (response, error) {
	return h.send(http.MethodPost, invokePath(name), strings.NewReader(payload), headers...)
}

// send sends one request to the harness and reads the whole answer.
func (h *harness) send(method, path string, body io.Reader, headers ...string) (response, error) {
	req, err := http.NewRequest(method, h.URL+path, body)
	if err != nil {
		return response{}, err
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: read body: %w", method, path, err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

func (r response) String() string {
	var b strings.Builder
	b.WriteString(http.StatusText(r.Status))
	for k, v := range r.Header {
		b.WriteString("\n  " + k + ": " + strings.Join(v, ", "))
	}
	b.WriteString("\n  " + limit(string(r.Body), 2048))
	return b.String()
}

// functionErrorBody is the body of a function error (X-Amz-Function-Error).
type functionErrorBody struct {
	ErrorType    string          `json:"errorType"`
	ErrorMessage string          `json:"errorMessage"`
	StackTrace   json.RawMessage `json:"stackTrace"`
}

// wantOK checks a 200 without a function error and decodes the body into
// v (if not nil).
func (r response) wantOK(t *testing.T, v any) {
	t.Helper()
	if r.Status != http.StatusOK || r.Header.Get("X-Amz-Function-Error") != "" {
		t.Fatalf("got %s\nwant 200 without X-Amz-Function-Error", r)
	}
	if v != nil {
		if err := json.Unmarshal(r.Body, v); err != nil {
			t.Fatalf("body %s: %v", limit(string(r.Body), 512), err)
		}
	}
}

// wantFunctionError checks a 200 with X-Amz-Function-Error: Unhandled and
// an error body of errorType, and returns the body.
func (r response) wantFunctionError(t *testing.T, errorType string) functionErrorBody {
	t.Helper()
	if r.Status != http.StatusOK || r.Header.Get("X-Amz-Function-Error") != "Unhandled" {
		t.Fatalf("got %s\nwant 200 with X-Amz-Function-Error: Unhandled", r)
	}
	var e functionErrorBody
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("function error body %s: %v", r.Body, err)
	}
	if e.ErrorType != errorType {
		t.Fatalf("errorType %q (%s), want %q", e.ErrorType, r.Body, errorType)
	}
	return e
}

// wantServiceError checks a service error: status, x-amzn-ErrorType and
// AWS's JSON body; it returns the body's message.
func (r response) wantServiceError(t *testing.T, status int, code string) string {
	t.Helper()
	if r.Status != status || r.Header.Get("X-Amzn-Errortype") != code {
		t.Fatalf("got %s\nwant %d with x-amzn-ErrorType: %s", r, status, code)
	}
	if r.Header.Get("X-Amzn-Requestid") == "" {
		t.Errorf("service error without x-amzn-RequestId")
	}
	var body struct {
		Type         string
		Message      string `json:"Message"`
		LowerMessage string `json:"message"`
	}
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("service error body %s: %v", r.Body, err)
	}
	if body.Type != "User" {
		t.Errorf("service error body %s: Type %q, want User", r.Body, body.Type)
	}
	msg := body.Message
	if msg == "" {
		msg = body.LowerMessage
	}
	if msg == "" {
		t.Errorf("service error body %s: no message", r.Body)
	}
	return msg
}

// spec returns a --function spec for the Go test function binary under
// name, with extra key=value items (cmd is added last).
func spec(t *testing.T, name, binary string, items ...string) string {
	t.Helper()
	parts := append([]string{"name=" + name}, items...)
	return strings.Join(append(parts, "cmd="+testfunctions.Build(t, binary)), ",")
}

// functionFlags returns --function flags for specs.
func functionFlags(specs ...string) []string {
	var args []string
	for _, s := range specs {
		args = append(args, "--function", s)
	}
	return args
}

// jsonEqual reports whether a and b are the same JSON value.
func jsonEqual(a, b []byte) bool {
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return bytes.Equal(a, b)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}

// decodeJSON is json.Unmarshal that fails the test.
func decodeJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", limit(string(b), 512), err)
	}
}
