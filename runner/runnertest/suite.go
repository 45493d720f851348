package runnertest

import (
	"context"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// Timeout bounds every wait of the suite: generous, since a loaded machine
// running the tests with -race starts runtimes slowly.
const Timeout = 30 * time.Second

// Options says how the conformance suite runs the launcher under test.
type Options struct {
	// Function returns the configuration that runs the named test function
	// (testdata/functions/<name>) with the launcher under test: a command
	// for processes, an image for containers. The suite uses echo, env,
	// exit, print and sleep; it may change the result's Name and Env.
	Function func(t *testing.T, name string) invoke.Function
	// Missing returns a configuration whose runtime does not exist, which
	// Launch must refuse. By default it is the echo function with its
	// command replaced by a path that does not exist.
	Missing func(t *testing.T) invoke.Function
	// Fake says where the fake Runtime API listens.
	Fake FakeConfig
}

// TestLauncher runs the conformance suite against the launchers
// newLauncher returns: what the runner relies on from every
// runner.Launcher. Each subtest gets a launcher of its own and runs in
// parallel with the others.
func TestLauncher(t *testing.T, newLauncher func(t *testing.T) runner.Launcher, opts Options) {
	t.Helper()
	if opts.Function == nil {
		t.Fatal("runnertest.TestLauncher: Options.Function is nil")
	}
	if opts.Missing == nil {
		opts.Missing = func(t *testing.T) invoke.Function {
			fn := opts.Function(t, "echo")
			fn.Command = []string{"/nonexistent/runnertest/bootstrap"}
			return fn
		}
	}
	s := &suite{newLauncher: newLauncher, opts: opts}
	for _, c := range []struct {
		name string
		test func(*testing.T, *suite)
	}{
		{"Echo", testEcho},
		{"Environment", testEnvironment},
		{"Output", testOutput},
		{"ExitStatus", testExitStatus},
		{"Kill", testKill},
		{"KillTwiceAndAfterExit", testKillTwice},
		{"MaxMemory", testMaxMemory},
		{"ContextBoundsStartOnly", testContextBoundsStart},
		{"Concurrent", testConcurrent},
		{"MissingCommand", testMissing},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.test(t, s)
		})
	}
}

type suite struct {
	newLauncher func(t *testing.T) runner.Launcher
	opts        Options
}

// launch starts the named test function against a fake Runtime API that
// hands it event, and kills it at the end of the test.
func (s *suite) launch(t *testing.T, l runner.Launcher, name string, event string, env map[string]string) *Running {
	t.Helper()
	fn := s.opts.Function(t, name)
	fn.Name = "runnertest-" + name
	if len(env) > 0 {
		fn.Env = env
	}
	return launch(t, context.Background(), l, s.opts.Fake, fn, Invocation{Event: []byte(event)})
}
