package runner

import (
	"context"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Launcher starts execution environments: one runtime (a process, a
// container) whose Runtime API client talks to a listener the runner serves.
//
// Launch returns once the environment has been started, not when the
// runtime is ready (the runner waits for its first /next). ctx bounds the
// start only; the environment lives until Kill or until it exits by itself.
// Implementations are safe for concurrent use.
type Launcher interface {
	Launch(ctx context.Context, spec Spec) (Process, error)
}

// Spec says what to launch.
type Spec struct {
	// Function is the function's configuration (with defaults applied).
	Function invoke.Function
	// InstanceID names the environment in logs and labels.
	InstanceID string
	// RuntimeAPI is the host:port the runtime must reach the Runtime API at
	// (AWS_LAMBDA_RUNTIME_API, already included in Env).
	RuntimeAPI string
	// Env is the runtime's Lambda environment (lambda-api.md §2) merged with
	// the function's own variables, as KEY=value. A launcher adds only what
	// its kind of environment needs (for example the host variables listed
	// in Function.PassEnv); it never adds the harness's own settings.
	Env []string
	// Output receives the runtime's stdout and stderr, one line at a time
	// (without the newline). It is called from the launcher's reader
	// goroutines and must not retain line.
	Output func(stream Stream, line []byte)
}

// Stream names an output stream of a runtime.
type Stream uint8

// The output streams.
const (
	Stdout Stream = iota + 1
	Stderr
	// Extension is the output of the environment's external extensions,
	// where the launcher can tell it from the runtime's.
	Extension
)

// Process is a running execution environment.
type Process interface {
	// Done is closed when the environment has exited and its output has been
	// read to the end — or, while external extensions outlive a crashed
	// runtime to get their SHUTDOWN event, as soon as the runtime has
	// exited (their output is read until Kill).
	Done() <-chan struct{}
	// ExitReason describes how it exited once Done is closed, in the words
	// of Lambda's Runtime.ExitError ("exit status 127", "signal: killed");
	// "" before.
	ExitReason() string
	// Kill stops the environment and everything it started (the whole
	// process group, the container). It does not wait for Done. Safe to call
	// more than once and after exit.
	Kill()
	// MaxMemoryBytes returns the peak memory used so far by the
	// environment's processes, measured, or 0 if it cannot be measured.
	MaxMemoryBytes() uint64
}

// OutputSyncer is implemented by a Process whose output can be caught up
// with: SyncOutput returns once every line the runtime wrote before the
// call has been passed to Spec.Output, or at deadline. The runner calls it
// when a runtime has answered, so that the handler's last lines come
// before the END line and into the Tail.
type OutputSyncer interface {
	SyncOutput(deadline time.Time)
}

// Forwarder is implemented by a Process whose environment runs an emulator
// of its own (an aws-lambda-rie inside a container image): the runner
// forwards each invocation to it over the Invoke API instead of serving the
// Runtime API to the runtime. Launch returns once the emulator accepts
// connections. Forward is called for one invocation at a time and blocks
// until the emulator answers or ctx (the invocation's deadline) is done; a
// function failure is a Response with FunctionError set, an error means the
// emulator could not be reached or broke off.
type Forwarder interface {
	Forward(ctx context.Context, req *invoke.Request) (*invoke.Response, error)
}

// Addresser is implemented by a Launcher whose runtimes reach the Runtime
// API at an address of their own, for example a container's through its
// network's gateway: listen is the host the instance's listener binds,
// advertise the host the runtime is told (AWS_LAMBDA_RUNTIME_API). An empty
// answer means the runner's configured default.
type Addresser interface {
	RuntimeAPIHosts(fn invoke.Function) (listen, advertise string)
}

// ExtensionWaiter is implemented by a Process that starts the external
// extensions itself: ExtensionsDone is closed once all of them have exited,
// which ends the wait after SHUTDOWN early (an extension may exit instead
// of calling event/next again).
type ExtensionWaiter interface {
	ExtensionsDone() <-chan struct{}
}
