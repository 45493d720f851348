package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The error contract over net/http, run by TestHTTPCallers: service
// errors (the function did not run) and function errors (it ran and
// failed: 200 with X-Amz-Function-Error).

func testServiceErrors(t *testing.T, h *harness) {
	for _, c := range []struct {
		name, path string
		status     int
		code, msg  string
	}{
		{"unknown function", invokePath("nope"), 404, "ResourceNotFoundException",
			"Function not found: " + arn("nope")},
		{"generic name with several functions", invokePath("function"), 404, "ResourceNotFoundException",
			"Function not found: " + arn("function")},
		{"invalid name", invokePath("bad%20name%21"), 400, "ValidationException", ""},
		{"qualifiers disagree", "/2015-03-31/functions/echo:1/invocations?Qualifier=2", 400,
			"InvalidParameterValueException",
			"The derived qualifier from the function name does not match the specified qualifier."},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.do(t, http.MethodPost, c.path, strings.NewReader(`{}`))
			msg := r.wantServiceError(t, c.status, c.code)
			if c.msg != "" && msg != c.msg {
				t.Errorf("message %q, want %q", msg, c.msg)
			}
		})
	}
}

// testPayloadLimits: 6,291,456 bytes is the largest synchronous request;
// an invalid JSON body is refused before the function runs.
func testPayloadLimits(t *testing.T, h *harness) {
	const maxSync = 6_291_456
	largest := `"` + strings.Repeat("x", maxSync-2) + `"`
	r := h.invoke(t, "echo", largest)
	r.wantOK(t, nil)
	if len(r.Body) != maxSync {
		t.Errorf("echo of %d bytes answered %d bytes", maxSync, len(r.Body))
	}

	r = h.invoke(t, "echo", largest+" ")
	msg := r.wantServiceError(t, http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException")
	if want := "Request must be smaller than 6291456 bytes for the InvokeFunction operation"; msg != want {
		t.Errorf("message %q, want %q", msg, want)
	}

	r = h.invoke(t, "echo", `{"key": `)
	msg = r.wantServiceError(t, http.StatusBadRequest, "InvalidRequestContentException")
	if !strings.HasPrefix(msg, "Could not parse request body into json") {
		t.Errorf("message %q, want it to start with %q", msg, "Could not parse request body into json")
	}
}

// testFunctionErrors: a handler's error is a 200 with
// X-Amz-Function-Error and the runtime's error object; after a panic,
// which ends the runtime, the function still answers.
func testFunctionErrors(t *testing.T, h *harness) {
	for _, c := range []struct {
		name, function, event, errorType, message string
	}{
		{"typed error", "error", `{"type": "MyError", "message": "kaboom"}`, "MyError", "kaboom"},
		{"plain error", "error", `{}`, "errorString", "boom"},
		{"panic", "panic", `{"message": "oops"}`, "string", "oops"},
		{"panic again", "panic", `{"message": "oops again"}`, "string", "oops again"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := h.invoke(t, c.function, c.event).wantFunctionError(t, c.errorType)
			if e.ErrorMessage != c.message {
				t.Errorf("errorMessage %q, want %q", e.ErrorMessage, c.message)
			}
			if c.function == "panic" && len(e.StackTrace) < 3 {
				t.Errorf("panic without a stack trace")
			}
		})
	}
}

// testExitMidInvoke: a runtime that exits during an invocation fails it
// at once with Runtime.ExitError (the function's timeout is 30 s).
func testExitMidInvoke(t *testing.T, h *harness) {
	for i := range 2 {
		start := time.Now()
		r := h.invoke(t, "exit", `{"code": 3}`)
		e := r.wantFunctionError(t, "Runtime.ExitError")
		elapsed := time.Since(start)
		id := r.Header.Get("X-Amzn-Requestid")
		want := "RequestId: " + id + " Error: Runtime exited with error: exit status 3"
		if e.ErrorMessage != want {
			t.Errorf("call %d: errorMessage %q, want %q", i, e.ErrorMessage, want)
		}
		if elapsed > 5*time.Second {
			t.Errorf("call %d: the crash took %v to be reported", i, elapsed)
		}
	}
}

func testResponseTooLarge(t *testing.T, h *harness) {
	e := h.invoke(t, "large", `{"bytes": 6291557}`).wantFunctionError(t, "Function.ResponseSizeTooLarge")
	if want := "Response payload size exceeded maximum allowed payload size (6291556 bytes)."; e.ErrorMessage != want {
		t.Errorf("errorMessage %q, want %q", e.ErrorMessage, want)
	}
	r := h.invoke(t, "large", `{"bytes": 100}`)
	r.wantOK(t, nil)
	if len(r.Body) != 100 {
		t.Errorf("after a too large response: %d bytes, want 100", len(r.Body))
	}
}
