package container

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

func TestContainerEnv(t *testing.T) {
	fn := invoke.Function{Name: "f", MemoryMB: 256, Timeout: 2500 * time.Millisecond}
	lambda := []string{"AWS_LAMBDA_RUNTIME_API=172.17.0.1:9001", "AWS_LAMBDA_FUNCTION_NAME=f", "FOO=bar", "FOO=baz"}
	for _, c := range []struct {
		name, emulator string
		env, cmd       []string
		want           []string
	}{
		{"direct", "", lambda, nil,
			[]string{"AWS_LAMBDA_RUNTIME_API=172.17.0.1:9001", "AWS_LAMBDA_FUNCTION_NAME=f", "FOO=baz"}},
		{"direct, handler from CMD", "", []string{"A=1"}, []string{"python3", "app.handler"},
			[]string{"A=1", "_HANDLER=app.handler"}},
		{"direct, the function's handler wins", "", []string{"_HANDLER=mine"}, []string{"app.handler"},
			[]string{"_HANDLER=mine"}},
		{"emulator harness", invoke.EmulatorHarness, lambda, nil,
			[]string{"AWS_LAMBDA_FUNCTION_NAME=f", "FOO=baz", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
				"AWS_LAMBDA_FUNCTION_TIMEOUT=3", "MAX_CONCURRENCY=1", "LAMBDA_HARNESS_LOG_FORMAT=raw"}},
		{"emulator image", invoke.EmulatorImage, lambda, nil,
			[]string{"AWS_LAMBDA_FUNCTION_NAME=f", "FOO=baz", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
				"AWS_LAMBDA_FUNCTION_TIMEOUT=3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := containerEnv(c.env, fn, c.emulator, c.cmd)
			if !slices.Equal(got, c.want) {
				t.Errorf("containerEnv = %q, want %q", got, c.want)
			}
		})
	}
}

func TestContainerName(t *testing.T) {
	for _, c := range []struct{ instance, want string }{
		{"0f8e2a4c-1b2d-4e5f-8a9b-0c1d2e3f4a5b", "lambda-harness-fn-0f8e2a4c1b2d"},
		{"fake-ABCDEFGH", "lambda-harness-fn-fakeABCDEFGH"},
	} {
		if got := containerName("fn", c.instance); got != c.want {
			t.Errorf("containerName(%q) = %q, want %q", c.instance, got, c.want)
		}
	}
	// Too little to go on: a random short id.
	a, b := containerName("fn", ""), containerName("fn", "")
	if a == b || !strings.HasPrefix(a, "lambda-harness-fn-") || len(a) != len("lambda-harness-fn-")+12 {
		t.Errorf("containerName of no instance id: %q and %q", a, b)
	}
}

func TestEmulatorName(t *testing.T) {
	fn := invoke.Function{Name: "my-fn"}
	if got := emulatorName(fn, invoke.EmulatorHarness); got != "my-fn" {
		t.Errorf("harness: %q", got)
	}
	if got := emulatorName(fn, invoke.EmulatorImage); got != "function" {
		t.Errorf("image: %q", got)
	}
}

func TestExitReason(t *testing.T) {
	for _, c := range []struct {
		code int
		oom  bool
		want string
	}{
		{0, false, "exit status 0"},
		{3, false, "exit status 3"},
		{128, false, "exit status 128"},
		{137, false, "signal: killed"},
		{143, false, "signal: terminated"},
		{139, false, "signal: segmentation fault"},
		{255, false, "exit status 255"},
		{137, true, "signal: killed (out of memory: the function's memory limit of 128 MB was reached)"},
	} {
		if got := exitReason(c.code, c.oom, 128); got != c.want {
			t.Errorf("exitReason(%d, %v) = %q, want %q", c.code, c.oom, got, c.want)
		}
	}
}
