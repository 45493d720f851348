package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awsCLIv2 is where Debian's awscli package installs the AWS CLI v2, the
// one the seed's commands need (--cli-binary-format).
const awsCLIv2 = "/usr/bin/aws"

// awsCLI is one AWS CLI: v2 at /usr/bin/aws, or v1 from pip, first on
// PATH.
type awsCLI struct {
	name string
	path string
	v2   bool
}

// inCI reports whether the tests run in CI, where a missing tool is a
// failure rather than a skip.
func inCI() bool { return os.Getenv("CI") == "true" }

// missing fails the test in CI and skips it, loudly, elsewhere.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if inCI() {
		t.Fatalf("CI=true and "+format, args...)
	}
	t.Logf("SKIPPING, NOT TESTED: "+format, args...)
	t.SkipNow()
}

// requireCLIv2 returns the AWS CLI v2.
func requireCLIv2(t *testing.T) awsCLI {
	t.Helper()
	if _, err := os.Stat(awsCLIv2); err != nil {
		missing(t, "the AWS CLI v2 is not installed (%v): apt-get install awscli", err)
	}
	return awsCLI{name: "v2", path: awsCLIv2, v2: true}
}

// requireCLIv1 returns the AWS CLI v1, the aws first on PATH when it is
// v1 (pip's awscli).
func requireCLIv1(t *testing.T) awsCLI {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		missing(t, "no AWS CLI v1 on PATH: pip install awscli")
	}
	out, _ := exec.Command(path, "--version").CombinedOutput()
	if !bytes.HasPrefix(out, []byte("aws-cli/1.")) {
		missing(t, "the aws first on PATH (%s) is not v1: %s", path, bytes.TrimSpace(out))
	}
	return awsCLI{name: "v1", path: path}
}

// cliEnv is the AWS CLI's environment: dummy credentials and region, no
// configuration files, no pager.
func cliEnv() []string {
	return append(baseEnv(),
		"AWS_ACCESS_KEY_ID=AKIAE2EEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=e2e-secret",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	)
}

// cliResult is what a CLI command did.
type cliResult struct {
	stdout, stderr string
	code           int
}

// run runs the CLI with args in dir.
func (c awsCLI) run(t *testing.T, dir string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.path, args...)
	cmd.Dir = dir
	cmd.Env = cliEnv()
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("aws %s: %v", strings.Join(args, " "), err)
	}
	return cliResult{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
}

// invoke runs aws lambda invoke, the payload given as the CLI needs it,
// writing the result into outfile in dir.
func (c awsCLI) invoke(t *testing.T, url, dir, function, payload string, extra ...string) cliResult {
	t.Helper()
	args := []string{"lambda", "invoke", "--endpoint-url", url, "--function-name", function, "--payload", payload}
	if c.v2 {
		// v2 takes --payload as base64 unless told otherwise; v1 sends it
		// raw and does not know the option.
		args = append(args, "--cli-binary-format", "raw-in-base64-out")
	}
	args = append(args, extra...)
	return c.run(t, dir, append(args, "out.json")...)
}

// invokeOutput is what aws lambda invoke prints.
type invokeOutput struct {
	StatusCode      int
	FunctionError   string
	ExecutedVersion string
	LogResult       string
}

func (r cliResult) wantSuccess(t *testing.T, v any) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit status %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if v != nil {
		decodeJSON(t, []byte(r.stdout), v)
	}
}

func TestAWSCLI(t *testing.T) {
	t.Parallel()
	var clis []awsCLI
	for _, require := range []func(*testing.T) awsCLI{requireCLIv2, requireCLIv1} {
		// Each lookup in a subtest of its own, so that a missing CLI
		// skips only its tests.
		t.Run("find", func(t *testing.T) { clis = append(clis, require(t)) })
	}
	if len(clis) == 0 {
		t.Skip("no AWS CLI")
	}
	h := startServe(t, functionFlags(spec(t, "echo", "echo"), spec(t, "error", "error"))...)
	for _, cli := range clis {
		for _, c := range []struct {
			name string
			test func(*testing.T, awsCLI, *harness, string)
		}{
			{"invoke", testCLIInvoke},
			{"invoke function error", testCLIFunctionError},
			{"invoke log-type Tail", testCLITail},
			{"invoke not found", testCLINotFound},
			{"list-functions", testCLIListFunctions},
			{"get-function", testCLIGetFunction},
		} {
			t.Run(cli.name+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				c.test(t, cli, h, t.TempDir())
			})
		}
	}
}

func testCLIInvoke(t *testing.T, cli awsCLI, h *harness, dir string) {
	var out invokeOutput
	cli.invoke(t, h.URL, dir, "echo", `{"key": "value"}`).wantSuccess(t, &out)
	if out.StatusCode != 200 || out.FunctionError != "" || out.ExecutedVersion != "$LATEST" {
		t.Errorf("printed %+v, want StatusCode 200 and ExecutedVersion $LATEST", out)
	}
	got, err := os.ReadFile(filepath.Join(dir, "out.json"))
	if err != nil || !jsonEqual(got, []byte(`{"key":"value"}`)) {
		t.Errorf("out.json: %s (%v), want the event", got, err)
	}
}

func testCLIFunctionError(t *testing.T, cli awsCLI, h *harness, dir string) {
	var out invokeOutput
	cli.invoke(t, h.URL, dir, "error", `{"type": "MyError", "message": "kaboom"}`).wantSuccess(t, &out)
	if out.StatusCode != 200 || out.FunctionError != "Unhandled" {
		t.Errorf("printed %+v, want StatusCode 200 and FunctionError Unhandled", out)
	}
	var e functionErrorBody
	b, _ := os.ReadFile(filepath.Join(dir, "out.json"))
	decodeJSON(t, b, &e)
	if e.ErrorType != "MyError" || e.ErrorMessage != "kaboom" {
		t.Errorf("out.json %s, want errorType MyError, errorMessage kaboom", b)
	}
}

func testCLITail(t *testing.T, cli awsCLI, h *harness, dir string) {
	var out invokeOutput
	cli.invoke(t, h.URL, dir, "echo", `{}`, "--log-type", "Tail").wantSuccess(t, &out)
	log, err := base64.StdEncoding.DecodeString(out.LogResult)
	if err != nil {
		t.Fatalf("LogResult %q: %v", out.LogResult, err)
	}
	for _, want := range []string{"START RequestId: ", "END RequestId: ", "REPORT RequestId: "} {
		if !strings.Contains(string(log), want) {
			t.Errorf("LogResult without %q:\n%s", want, log)
		}
	}
}

func testCLINotFound(t *testing.T, cli awsCLI, h *harness, dir string) {
	r := cli.invoke(t, h.URL, dir, "nope", `{}`)
	if r.code == 0 || !strings.Contains(r.stderr, "ResourceNotFoundException") {
		t.Errorf("exit status %d, stderr %q: want a failure naming ResourceNotFoundException", r.code, r.stderr)
	}
}

func testCLIListFunctions(t *testing.T, cli awsCLI, h *harness, dir string) {
	var out struct {
		Functions []struct{ FunctionName string }
	}
	cli.run(t, dir, "lambda", "list-functions", "--endpoint-url", h.URL).wantSuccess(t, &out)
	var names []string
	for _, f := range out.Functions {
		names = append(names, f.FunctionName)
	}
	if strings.Join(names, ",") != "echo,error" {
		t.Errorf("functions %v, want echo and error", names)
	}
}

func testCLIGetFunction(t *testing.T, cli awsCLI, h *harness, dir string) {
	var out struct {
		Configuration struct{ FunctionName, FunctionArn, State string }
	}
	cli.run(t, dir, "lambda", "get-function", "--endpoint-url", h.URL, "--function-name", "echo").wantSuccess(t, &out)
	c := out.Configuration
	if c.FunctionName != "echo" || c.State != "Active" || c.FunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:echo" {
		t.Errorf("configuration %+v", c)
	}
}
