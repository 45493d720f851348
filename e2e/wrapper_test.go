package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
)

// TestExecWrapper: the bash+curl custom runtime behind an exec wrapper
// (AWS_LAMBDA_EXEC_WRAPPER in the function's environment); a wrapper that
// is missing or not executable fails the invocation with the message of
// the seed's entrypoint.
func TestExecWrapper(t *testing.T) {
	t.Parallel()
	bootstrap := testfunctions.Path(t, "bash-runtime/bootstrap")
	wrapper := testfunctions.Path(t, "bash-runtime/wrapper.sh")
	notExec := filepath.Join(t.TempDir(), "wrapper.sh")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\nexec \"$@\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fn := func(name, wrapper string) string {
		return "name=" + name + ",env=AWS_LAMBDA_EXEC_WRAPPER=" + wrapper + ",cmd=" + bootstrap
	}
	h := startServe(t, functionFlags(
		fn("wrapped", wrapper),
		fn("missing", "/nonexistent/wrapper.sh"),
		fn("not-executable", notExec),
	)...)

	t.Run("wrapped", func(t *testing.T) {
		for i := range 2 {
			var got struct {
				Echo    json.RawMessage
				Wrapped string
			}
			h.invoke(t, "wrapped", `{"key": "value"}`).wantOK(t, &got)
			if !jsonEqual(got.Echo, []byte(`{"key":"value"}`)) || got.Wrapped != "yes" {
				t.Errorf("call %d: echo %s, wrapped %q; want the event and yes", i, got.Echo, got.Wrapped)
			}
		}
		h.Stdout.mustWaitLine(t, "the wrapper's line", logWait, contains("wrapper.sh: starting "+bootstrap))
	})
	for _, c := range []struct{ name, want string }{
		{"missing", "/nonexistent/wrapper.sh: does not exist"},
		{"not-executable", notExec + ": is not an executable"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := h.invoke(t, c.name, `{}`)
			if r.Status != 200 || r.Header.Get("X-Amz-Function-Error") != "Unhandled" {
				t.Fatalf("got %s\nwant 200 with X-Amz-Function-Error: Unhandled", r)
			}
			var e functionErrorBody
			decodeJSON(t, r.Body, &e)
			if e.ErrorType == "" || !strings.Contains(e.ErrorMessage, c.want) {
				t.Errorf("error %s, want a message with %q", r.Body, c.want)
			}
		})
	}
}
