package invoke

import (
	"fmt"
	"time"
)

// Defaults of a function's configuration, as on AWS where AWS has one.
const (
	DefaultTimeout     = 3 * time.Second
	DefaultMemoryMB    = 128
	DefaultConcurrency = 10
	DefaultIdleTimeout = 10 * time.Minute
	// DefaultQueueFactor × concurrency, and at least DefaultQueueSize, is
	// the default bound of the wait queue of a busy function.
	DefaultQueueFactor = 10
	DefaultQueueSize   = 100
	MinMemoryMB        = 128
	MaxMemoryMB        = 10_240
	MaxTimeout         = 15 * time.Minute
)

// Function is the configuration of one function.
type Function struct {
	// Name is the bare function name (ValidName).
	Name string
	// Command is the runtime command and its arguments (process launcher),
	// for example ["python3", "-m", "awslambdaric", "app.handler"] or
	// ["./bootstrap"]. For an image it overrides the image's CMD.
	Command []string
	// Image is the container image that runs the function; "" runs Command
	// as a local process.
	Image string
	// Entrypoint overrides the image's ENTRYPOINT.
	Entrypoint []string
	// RuntimeAPI says how a container's runtime reaches the Runtime API:
	// RuntimeAPIDirect or RuntimeAPIEmulator; "" is the launcher's default.
	RuntimeAPI string
	// Emulator says which emulator runs inside the container in
	// RuntimeAPIEmulator mode: EmulatorHarness (this binary, mounted as
	// /usr/local/bin/aws-lambda-rie) or EmulatorImage (the image's own);
	// "" means EmulatorHarness.
	Emulator string
	// Handler is _HANDLER.
	Handler string
	// Runtime is informational ("provided.al2023", "python3.12", ...).
	Runtime string
	// Description is informational.
	Description string
	// WorkingDir is where the runtime starts; "" means the harness's own.
	WorkingDir string
	// ExtensionsDir holds external extensions: the process launcher starts
	// every executable in it, sorted by name, before the runtime, and init
	// waits for each to register under its file name. "" (the default for
	// processes) means none. Inside a container image the emulator uses
	// /opt/extensions, as Lambda does.
	// https://docs.aws.amazon.com/lambda/latest/dg/lambda-extensions.html
	ExtensionsDir string
	// Env is the function's own environment variables.
	Env map[string]string
	// PassEnv lists host environment variables the runtime may inherit, on
	// top of the few every runtime needs. "*" passes all of them (rie mode).
	PassEnv []string
	// Timeout is how long one invocation may run.
	Timeout time.Duration
	// MemoryMB is the memory size, reported in REPORT lines and
	// AWS_LAMBDA_FUNCTION_MEMORY_SIZE.
	MemoryMB int
	// Concurrency is the most instances (execution environments) that run at
	// once.
	Concurrency int
	// QueueSize is how many invocations may wait for a busy instance before
	// the function throttles (429). 0 means the larger of DefaultQueueSize
	// and Concurrency × DefaultQueueFactor; a negative value means no
	// waiting at all.
	QueueSize int
	// IdleTimeout is how long an idle instance lives before it is reaped.
	IdleTimeout time.Duration
	// InitTimeout bounds the time from launch to the first /next; 0 means
	// the invocation's timeout.
	InitTimeout time.Duration
}

// Ways for a container's runtime to reach the Runtime API.
const (
	// RuntimeAPIDirect sets AWS_LAMBDA_RUNTIME_API to the instance's
	// listener on the host.
	RuntimeAPIDirect = "direct"
	// RuntimeAPIEmulator lets an emulator inside the container serve the
	// Runtime API; invocations are forwarded to its Invoke API.
	RuntimeAPIEmulator = "emulator"
)

// Emulators for RuntimeAPIEmulator.
const (
	// EmulatorHarness mounts this harness's own binary as the image's
	// /usr/local/bin/aws-lambda-rie.
	EmulatorHarness = "harness"
	// EmulatorImage uses the emulator the image carries; it may be the real
	// aws-lambda-rie, which knows only the name "function".
	EmulatorImage = "image"
)

// WithDefaults returns f with every zero setting replaced by its default.
func (f Function) WithDefaults() Function {
	if f.Timeout <= 0 {
		f.Timeout = DefaultTimeout
	}
	if f.MemoryMB <= 0 {
		f.MemoryMB = DefaultMemoryMB
	}
	if f.Concurrency <= 0 {
		f.Concurrency = DefaultConcurrency
	}
	if f.QueueSize == 0 {
		f.QueueSize = max(DefaultQueueSize, f.Concurrency*DefaultQueueFactor)
	}
	if f.IdleTimeout <= 0 {
		f.IdleTimeout = DefaultIdleTimeout
	}
	return f
}

// Validate reports what is wrong with f's configuration.
func (f Function) Validate() error {
	if !ValidName(f.Name) {
		return fmt.Errorf("function name %q: want 1 to 64 letters, digits, '-' or '_'", f.Name)
	}
	if len(f.Command) == 0 && f.Image == "" {
		return fmt.Errorf("function %s: no runtime command and no image", f.Name)
	}
	if f.Image == "" && (len(f.Entrypoint) > 0 || f.RuntimeAPI != "" || f.Emulator != "") {
		return fmt.Errorf("function %s: entrypoint, runtime API mode and emulator apply to images only", f.Name)
	}
	switch f.RuntimeAPI {
	case "", RuntimeAPIDirect, RuntimeAPIEmulator:
	default:
		return fmt.Errorf("function %s: runtime API mode %q: want %q or %q", f.Name, f.RuntimeAPI, RuntimeAPIDirect, RuntimeAPIEmulator)
	}
	switch f.Emulator {
	case "", EmulatorHarness, EmulatorImage:
	default:
		return fmt.Errorf("function %s: emulator %q: want %q or %q", f.Name, f.Emulator, EmulatorHarness, EmulatorImage)
	}
	if f.Timeout < 0 || f.Timeout > MaxTimeout {
		return fmt.Errorf("function %s: timeout %s: want at most %s", f.Name, f.Timeout, MaxTimeout)
	}
	if f.MemoryMB != 0 && (f.MemoryMB < MinMemoryMB || f.MemoryMB > MaxMemoryMB) {
		return fmt.Errorf("function %s: memory %d MB: want %d to %d", f.Name, f.MemoryMB, MinMemoryMB, MaxMemoryMB)
	}
	if f.Concurrency < 0 {
		return fmt.Errorf("function %s: concurrency %d: want at least 1", f.Name, f.Concurrency)
	}
	for k := range f.Env {
		if !ValidEnvName(k) {
			return fmt.Errorf("function %s: environment variable name %q is not valid", f.Name, k)
		}
	}
	return nil
}

// ValidEnvName reports whether k can name an environment variable: a
// letter or '_', then letters, digits or '_'.
func ValidEnvName(k string) bool {
	if k == "" {
		return false
	}
	for i, c := range k {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
