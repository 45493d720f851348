package testfunctions_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
	"github.com/lambda-harness/lambda-harness/runner/process"
	"github.com/lambda-harness/lambda-harness/runner/runnertest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testfunctions.Cleanup()
	os.Exit(code)
}

// TestFunctions runs every test function once against a fake Runtime API
// and checks that it behaves as its doc comment says.
func TestFunctions(t *testing.T) {
	l, err := process.New(process.Config{HostEnv: os.Environ()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		event  string
		header http.Header
		check  func(t *testing.T, r *runnertest.Running, a runnertest.Answer)
	}{
		{"echo", `{"a":[1,"two"]}`, nil, wantResponse(`{"a":[1,"two"]}`)},
		{"error", `{"type":"MyError","message":"bad"}`, nil, wantError("MyError", "bad")},
		{"error", `{}`, nil, wantError("errorString", "boom")},
		{"panic", `{"message":"oops"}`, nil, func(t *testing.T, r *runnertest.Running, a runnertest.Answer) {
			wantError("string", "oops")(t, r, a)
			wantExit("exit status 1")(t, r, a)
		}},
		{"sleep", `{"ms":5}`, nil, wantResponse(`{"slept":5}`)},
		{"env", `{}`, nil, func(t *testing.T, _ *runnertest.Running, a runnertest.Answer) {
			var env map[string]string
			if err := json.Unmarshal(a.Body, &env); err != nil || env["AWS_LAMBDA_FUNCTION_NAME"] != "env" {
				t.Errorf("answer %s (%v), want an environment with AWS_LAMBDA_FUNCTION_NAME=env", a.Body, err)
			}
		}},
		{"context", `{}`, http.Header{
			"Lambda-Runtime-Trace-Id":         {"Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"},
			"Lambda-Runtime-Client-Context":   {`{"Client":{"app_title":"app"},"custom":{"k":"v"},"env":{"e":"f"}}`},
			"Lambda-Runtime-Cognito-Identity": {`{"CognitoIdentityID":"id","CognitoIdentityPoolID":"pool"}`},
			"Lambda-Runtime-Aws-Tenant-Id":    {"tenant-1"},
		}, checkContext},
		{"large", `{"bytes":7000000}`, nil, func(t *testing.T, _ *runnertest.Running, a runnertest.Answer) {
			if len(a.Body) != 7_000_000 || a.Body[0] != '"' || a.Body[1] != 'x' {
				t.Errorf("answer %s of %d bytes, want a JSON string of 7000000", a.Kind, len(a.Body))
			}
		}},
		{"print", `{"lines":2}`, nil, func(t *testing.T, r *runnertest.Running, a runnertest.Answer) {
			wantResponse(`{"printed":2}`)(t, r, a)
			wantLine(runner.Stderr, "stderr line 2")(t, r, a)
		}},
		{"alloc", `{"mb":1}`, nil, wantResponse(`{"allocated_mb":1}`)},
		{"exit", `{}`, nil, wantExit("exit status 3")},
		{"stream", `{"chunks":2}`, nil, func(t *testing.T, r *runnertest.Running, a runnertest.Answer) {
			wantResponse("chunk 1\nchunk 2\n")(t, r, a)
			if mode := a.Header.Get("Lambda-Runtime-Function-Response-Mode"); mode != "streaming" {
				t.Errorf("response mode %q, want streaming", mode)
			}
			if typ := a.Trailer.Get("Lambda-Runtime-Function-Error-Type"); typ != "" {
				t.Errorf("error trailer %q, want none", typ)
			}
		}},
		{"stream", `{"chunks":1,"fail":true}`, nil, func(t *testing.T, r *runnertest.Running, a runnertest.Answer) {
			wantResponse("chunk 1\n")(t, r, a)
			body, _ := base64.StdEncoding.DecodeString(a.Trailer.Get("Lambda-Runtime-Function-Error-Body"))
			if typ := a.Trailer.Get("Lambda-Runtime-Function-Error-Type"); typ != "StreamError" ||
				!strings.Contains(string(body), `"errorType":"StreamError"`) {
				t.Errorf("error trailers %v (body %s), want StreamError", a.Trailer, body)
			}
		}},
		{"badmode", `{}`, nil, func(t *testing.T, r *runnertest.Running, a runnertest.Answer) {
			if mode := a.Header.Get("Lambda-Runtime-Function-Response-Mode"); mode != "bogus" {
				t.Errorf("response mode %q, want bogus", mode)
			}
			wantLine(runner.Stderr, "badmode: response status 400 Bad Request")(t, r, a)
		}},
		{"bash-runtime", `{"k":1}`, nil, wantResponse(`{"echo":{"k":1},"wrapped":""}`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fn := invoke.Function{Name: c.name}
			if c.name == "bash-runtime" {
				fn.Command = []string{testfunctions.Path(t, "bash-runtime/bootstrap")}
			} else {
				fn.Command = []string{testfunctions.Build(t, c.name)}
			}
			r := runnertest.Launch(t, l, runnertest.FakeConfig{}, fn, runnertest.Invocation{
				Event: []byte(c.event), Header: c.header,
			})
			var a runnertest.Answer
			if c.name != "exit" {
				a = r.API.WaitAnswer(t, runnertest.Timeout)
			}
			c.check(t, r, a)
		})
	}
}
