package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Config configures a Runner.
type Config struct {
	// Region and Account make the ARNs runtimes see; default us-east-1 and
	// 123456789012.
	Region  string
	Account string
	// Launcher starts execution environments. Required.
	Launcher Launcher
	// ListenAddr is where Runtime API listeners bind, host:port. Port 0 (the
	// default, "127.0.0.1:0") gives every instance an ephemeral port; a fixed
	// port is used by the first instance that can take it (rie mode's
	// --runtime-api-address) and the others get ephemeral ports.
	ListenAddr string
	// AdvertiseHost is the host runtimes use to reach the listeners; default
	// the host of ListenAddr.
	AdvertiseHost string
	// Logger is the harness's own log; nil discards.
	Logger *slog.Logger
	// FunctionLog receives function output and START/END/REPORT lines; nil
	// discards.
	FunctionLog io.Writer
	// LogFormat is "text" (default) or "json" for FunctionLog.
	LogFormat string
	// EventQueueSize bounds the Event invocations waiting to run; default
	// 1000. Past it, Event invokes are throttled.
	EventQueueSize int
}

// Runner is the invoke.Invoker and invoke.Catalog of the functions that run
// on this machine. It is safe for concurrent use.
type Runner struct {
	cfg   Config
	log   *slog.Logger
	pools map[string]*pool
	fns   []invoke.Function // sorted by name

	mu     sync.Mutex // protects closed
	closed bool
}

var (
	_ invoke.Invoker = (*Runner)(nil)
	_ invoke.Catalog = (*Runner)(nil)
)

// New returns a Runner serving fns. Every function is validated and given
// its defaults.
func New(cfg Config, fns ...invoke.Function) (*Runner, error) {
	if cfg.Launcher == nil {
		return nil, errors.New("runner: no launcher")
	}
	// TODO: implemented in the next commit.
	_ = fmt.Sprint
	_ = sort.Strings
	return nil, errors.New("runner: not implemented")
}

// Functions returns the configured functions, sorted by name.
func (r *Runner) Functions() []invoke.Function { return r.fns }

// Function returns the function named name.
func (r *Runner) Function(name string) (invoke.Function, bool) {
	p, ok := r.pools[name]
	if !ok {
		return invoke.Function{}, false
	}
	return p.fn, true
}

// Invoke runs req (see invoke.Invoker).
func (r *Runner) Invoke(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	return nil, errors.New("runner: not implemented")
}

// Warm starts n instances of the named function (up to its concurrency)
// and waits until they are ready, so that the first invocations find warm
// instances.
func (r *Runner) Warm(ctx context.Context, name string, n int) error {
	return errors.New("runner: not implemented")
}

// Run does the runner's background work (reaping idle instances, running
// Event invocations) until ctx is done. Call Shutdown after it to stop the
// instances.
func (r *Runner) Run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

// Shutdown stops accepting invocations (they fail with invoke.Unavailable),
// lets in-flight invocations and queued Event invocations finish until ctx
// is done, then kills every instance and waits for them to exit. It is
// idempotent.
func (r *Runner) Shutdown(ctx context.Context) error {
	return nil
}

type pool struct {
	fn invoke.Function
}
