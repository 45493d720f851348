package process_test

import (
	"log/slog"
	"os"
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

// TestLauncher runs the launcher conformance suite.
func TestLauncher(t *testing.T) {
	runnertest.TestLauncher(t, func(t *testing.T) runner.Launcher {
		return newLauncher(t, hostConfig())
	}, runnertest.Options{Function: function})
}

// function returns the configuration of the Go test function name.
func function(t *testing.T, name string) invoke.Function {
	t.Helper()
	return invoke.Function{Name: name, Command: []string{testfunctions.Build(t, name)}}
}

// newLauncher returns a launcher that logs to the test's log.
func newLauncher(t *testing.T, cfg process.Config) *process.Launcher {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	l, err := process.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return l
}

// hostConfig passes the test process's environment as the host's.
func hostConfig() process.Config {
	return process.Config{HostEnv: os.Environ()}
}

// launch launches fn with l against a fake Runtime API that hands it
// event; the test's cleanup kills it.
func launch(t *testing.T, l runner.Launcher, fn invoke.Function, event string) *runnertest.Running {
	t.Helper()
	return runnertest.Launch(t, l, runnertest.FakeConfig{}, fn, runnertest.Invocation{Event: []byte(event)})
}
