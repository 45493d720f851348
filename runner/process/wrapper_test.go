package process_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
	"github.com/lambda-harness/lambda-harness/runner/runnertest"
)

// TestExecWrapper runs the bash+curl runtime (started as ./bootstrap from
// its directory) with and without the exec wrapper, which must run first
// and hand over to the runtime, as in the seed's image.
func TestExecWrapper(t *testing.T) {
	dir := filepath.Dir(testfunctions.Path(t, "bash-runtime/bootstrap"))
	for _, c := range []struct {
		name, wrapper, wantWrapped, wantLine string
	}{
		{"no wrapper", "", "", ""},
		{"absolute wrapper", filepath.Join(dir, "wrapper.sh"), "yes", "wrapper.sh: starting ./bootstrap"},
		{"wrapper relative to the working directory", "./wrapper.sh", "yes", "wrapper.sh: starting ./bootstrap"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fn := invoke.Function{Name: "bash-runtime", Command: []string{"./bootstrap"}, WorkingDir: dir}
			if c.wrapper != "" {
				fn.Env = map[string]string{"AWS_LAMBDA_EXEC_WRAPPER": c.wrapper}
			}
			r := launch(t, newLauncher(t, hostConfig()), fn, `{"key":"value"}`)
			a := r.API.WaitAnswer(t, runnertest.Timeout)
			var got struct {
				Echo    json.RawMessage `json:"echo"`
				Wrapped string          `json:"wrapped"`
			}
			if err := json.Unmarshal(a.Body, &got); err != nil {
				t.Fatalf("answer %s %s: %v", a.Kind, a.Body, err)
			}
			if string(got.Echo) != `{"key":"value"}` || got.Wrapped != c.wantWrapped {
				t.Errorf("answer %s, want the event and wrapped %q", a.Body, c.wantWrapped)
			}
			if c.wantLine != "" {
				r.Output.WaitForLine(t, runnertest.Timeout, runner.Stdout, c.wantLine, func(s string) bool {
					return s == c.wantLine
				})
			}
			r.AssertRunning(t)
		})
	}
}

// TestLaunchErrors checks the messages of the configurations that cannot
// start; the wrapper's are those of the seed's entrypoint.
func TestLaunchErrors(t *testing.T) {
	tmp := t.TempDir()
	notExec := filepath.Join(tmp, "not-executable.sh")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\nexec \"$@\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	echo := testfunctions.Build(t, "echo")
	for _, c := range []struct {
		name    string
		command []string
		dir     string
		wrapper string
		want    string
	}{
		{"missing wrapper", []string{echo}, "", "/nonexistent/wrapper.sh", "/nonexistent/wrapper.sh: does not exist"},
		{"wrapper without execute bit", []string{echo}, "", notExec, notExec + ": is not an executable"},
		{"wrapper is a directory", []string{echo}, "", tmp, tmp + ": is not an executable"},
		{"missing relative wrapper", []string{echo}, tmp, "./wrapper.sh", "./wrapper.sh: does not exist"},
		{"missing command", []string{"/nonexistent/bootstrap"}, "", "", "/nonexistent/bootstrap: does not exist"},
		{"command without execute bit", []string{notExec}, "", "", notExec + ": is not an executable"},
		{"relative command", []string{"./bootstrap"}, tmp, "", "./bootstrap: does not exist"},
		{"command not in PATH", []string{"no-such-runtime"}, "", "", "no-such-runtime: not found in PATH"},
		{"missing working directory", []string{echo}, "/nonexistent/dir", "", "working directory /nonexistent/dir: does not exist"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fn := invoke.Function{Name: "errors", Command: c.command, WorkingDir: c.dir}
			if c.wrapper != "" {
				fn.Env = map[string]string{"AWS_LAMBDA_EXEC_WRAPPER": c.wrapper}
			}
			api := runnertest.NewFakeRuntimeAPI(t, runnertest.FakeConfig{}, runnertest.Invocation{})
			p, err := newLauncher(t, hostConfig()).Launch(context.Background(), api.Spec(fn, nil))
			if err == nil {
				p.Kill()
				t.Fatalf("Launch: no error, want %q", c.want)
			}
			if err.Error() != c.want {
				t.Errorf("Launch: %q, want %q", err, c.want)
			}
		})
	}
}

// TestLaunchCancelled: a context cancelled before the start stops it.
func TestLaunchCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fn := function(t, "echo")
	api := runnertest.NewFakeRuntimeAPI(t, runnertest.FakeConfig{}, runnertest.Invocation{})
	p, err := newLauncher(t, hostConfig()).Launch(ctx, api.Spec(fn, nil))
	if err == nil {
		p.Kill()
		t.Fatal("Launch with a cancelled context: no error")
	}
}
