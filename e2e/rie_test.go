package e2e

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
)

// rieFlags are aws-lambda-rie's flags, with free ports so that the rie
// tests can run alongside the others.
func rieFlags(runtimeAPI string) []string {
	return []string{
		"--runtime-interface-emulator-address", "127.0.0.1:0",
		"--runtime-api-address", runtimeAPI,
		"--log-level", "debug",
	}
}

// rieLink returns a link to the harness named aws-lambda-rie: invoked
// under that name it is in rie mode.
func rieLink(t *testing.T) string {
	t.Helper()
	link := filepath.Join(t.TempDir(), "aws-lambda-rie")
	if err := os.Symlink(harnessBin, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestRIENamesAndEnvironment: in rie mode (the binary invoked as
// aws-lambda-rie) both "function" and the real name work, RIE's flags are
// taken, and the runtime inherits the container's environment less the
// harness's own settings and secrets.
func TestRIENamesAndEnvironment(t *testing.T) {
	t.Parallel()
	runtimeAPI := freeAddr(t)
	h := startHarness(t, harnessConfig{
		Program: rieLink(t),
		Args:    append(rieFlags(runtimeAPI), testfunctions.Build(t, "env")),
		Env: append([]string{
			"AWS_LAMBDA_FUNCTION_NAME=rie-env",
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
			"MAX_CONCURRENCY=2",
		}, hostSecrets...),
	})
	for _, name := range []string{"function", "rie-env", "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Arie-env"} {
		var env map[string]string
		h.invoke(t, name, `{}`).wantOK(t, &env)
		for k, want := range map[string]string{
			"FOO":                             "bar",
			"AWS_LAMBDA_FUNCTION_NAME":        "rie-env",
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
			"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
			markerVar:                         strings.TrimPrefix(h.marker, markerVar+"="),
		} {
			if env[k] != want {
				t.Errorf("invoked as %s: the runtime has %s=%q, want %q", name, k, env[k], want)
			}
		}
		for _, k := range []string{"AMQP_URI", "AMQP_USERNAME", "AMQP_PASSWORD", "MAX_CONCURRENCY"} {
			if v, ok := env[k]; ok {
				t.Errorf("invoked as %s: the runtime sees the harness's %s=%q", name, k, v)
			}
		}
	}
	h.invoke(t, "other", `{}`).wantServiceError(t, http.StatusNotFound, "ResourceNotFoundException")
}

// TestRIETimeout: AWS_LAMBDA_FUNCTION_TIMEOUT is the function's timeout
// in rie mode (here "lambda-harness rie").
func TestRIETimeout(t *testing.T) {
	t.Parallel()
	h := startHarness(t, harnessConfig{
		Args: append(append([]string{"rie"}, rieFlags("127.0.0.1:0")...), testfunctions.Build(t, "sleep")),
		Env:  []string{"AWS_LAMBDA_FUNCTION_TIMEOUT=1"},
	})
	e := h.invoke(t, "function", `{"ms": 3000}`).wantFunctionError(t, "Sandbox.Timedout")
	if !strings.HasSuffix(e.ErrorMessage, "Error: Task timed out after 1.00 seconds") {
		t.Errorf("errorMessage %q, want a timeout after 1.00 seconds", e.ErrorMessage)
	}
	h.invoke(t, "function", `{"ms": 1}`).wantOK(t, nil)
}
