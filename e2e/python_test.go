package e2e

import (
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"
)

// TestPythonRuntime runs Python handlers through the awslambdaric
// stand-in: the context object, a handler's exception, and an init error
// (a module that cannot be imported), which the runtime reports to
// /runtime/init/error before it exits.
func TestPythonRuntime(t *testing.T) {
	t.Parallel()
	fn := func(name, handler string) string {
		return strings.Join([]string{
			"name=" + name,
			"workdir=" + filepath.Join(moduleRoot, "e2e", "testdata", "python"),
			"env=PYTHONPATH=" + awslambdaricStandin(),
			"env=PYTHONDONTWRITEBYTECODE=1",
			"memory=256",
			"timeout=10s",
			"cmd=python3 -m awslambdaric " + handler,
		}, ",")
	}
	h := startServe(t, functionFlags(
		fn("py-context", "app.context"),
		fn("py-fail", "app.fail"),
		fn("py-import", "nosuchmodule.handler"),
		fn("py-missing", "app.nosuchhandler"),
	)...)

	t.Run("context", func(t *testing.T) {
		t.Parallel()
		r := h.invoke(t, "py-context", `{"key": "value"}`,
			"X-Amz-Client-Context", base64.StdEncoding.EncodeToString([]byte(clientContextJSON)),
			"X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793")
		var got struct {
			Event               map[string]string `json:"event"`
			RequestID           string            `json:"request_id"`
			InvokedFunctionArn  string            `json:"invoked_function_arn"`
			RemainingMs         int               `json:"remaining_ms"`
			FunctionName        string            `json:"function_name"`
			MemoryLimitInMB     string            `json:"memory_limit_in_mb"`
			ClientContextCustom map[string]string `json:"client_context_custom"`
			TraceID             string            `json:"trace_id"`
		}
		r.wantOK(t, &got)
		if got.Event["key"] != "value" || got.RequestID != r.Header.Get("X-Amzn-Requestid") ||
			got.InvokedFunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:py-context" ||
			got.RemainingMs <= 0 || got.RemainingMs > 10_000 || got.FunctionName != "py-context" ||
			got.MemoryLimitInMB != "256" || got.ClientContextCustom["k"] != "v" ||
			got.TraceID != "Root=1-5759e988-bd862e3fe1be46a994272793" {
			t.Errorf("context %+v", got)
		}
	})
	t.Run("exception", func(t *testing.T) {
		t.Parallel()
		e := h.invoke(t, "py-fail", `{"value": 42}`).wantFunctionError(t, "ValueError")
		if e.ErrorMessage != "bad value: 42" || !strings.Contains(string(e.StackTrace), "app.py") {
			t.Errorf("error %+v", e)
		}
		// The runtime survives a handler's exception.
		h.invoke(t, "py-fail", `{"value": 43}`).wantFunctionError(t, "ValueError")
	})
	for _, c := range []struct{ name, errorType, message string }{
		{"py-import", "Runtime.ImportModuleError", "Unable to import module 'nosuchmodule'"},
		{"py-missing", "Runtime.HandlerNotFound", "Handler 'nosuchhandler' missing on module 'app'"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := h.invoke(t, c.name, `{}`).wantFunctionError(t, c.errorType)
			if !strings.HasPrefix(e.ErrorMessage, c.message) {
				t.Errorf("errorMessage %q, want it to start with %q", e.ErrorMessage, c.message)
			}
		})
	}
}
