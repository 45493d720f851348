package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

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
	// LogFormat is "text" (default), "json", or "raw" (output untagged, no
	// START/END/REPORT: for a harness running as the emulator inside a
	// container whose host harness reports the invocations) for FunctionLog.
	LogFormat string
	// EventQueueSize bounds the Event invocations waiting to run; default
	// 1000. Past it, Event invokes are throttled.
	EventQueueSize int
	// EventRetryDelay is the wait before the first retry of a failed Event
	// invocation, doubled for the second; default 1s.
	EventRetryDelay time.Duration
	// InitTimeout bounds a runtime's init (launch to first /next) for
	// functions that set none; default 10s, as on Lambda.
	InitTimeout time.Duration
}

// Runner is the invoke.Invoker and invoke.Catalog of the functions that run
// on this machine. It is safe for concurrent use.
type Runner struct {
	cfg           Config
	log           *slog.Logger
	flog          *functionLog
	pools         map[string]*pool
	fns           []invoke.Function // sorted by name
	events        *events
	listenHost    string
	listenPort    string
	advertiseHost string
	// telClient delivers Telemetry API events to extensions.
	telClient *http.Client

	mu       sync.RWMutex // protects closed and the use of inflight
	closed   bool
	inflight sync.WaitGroup

	portMu   sync.Mutex // protects portUsed
	portUsed bool

	shutdownOnce sync.Once
	shutdownErr  error
}

var (
	_ invoke.Invoker = (*Runner)(nil)
	_ invoke.Catalog = (*Runner)(nil)
)

// New returns a Runner serving fns. Every function is validated and given
// its defaults. It starts the Event workers; Shutdown stops them.
func New(cfg Config, fns ...invoke.Function) (*Runner, error) {
	if cfg.Launcher == nil {
		return nil, errors.New("runner: no launcher")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Account == "" {
		cfg.Account = "123456789012"
	}
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	if cfg.EventQueueSize <= 0 {
		cfg.EventQueueSize = 1000
	}
	if cfg.EventRetryDelay <= 0 {
		cfg.EventRetryDelay = time.Second
	}
	if cfg.InitTimeout <= 0 {
		cfg.InitTimeout = 10 * time.Second
	}
	host, port, err := net.SplitHostPort(cfg.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("runner: runtime api address %q: %w", cfg.ListenAddr, err)
	}
	if cfg.AdvertiseHost == "" {
		cfg.AdvertiseHost = host
		if host == "" || host == "0.0.0.0" || host == "::" {
			cfg.AdvertiseHost = "127.0.0.1"
		}
	}
	flog, err := newFunctionLog(cfg.FunctionLog, cfg.LogFormat)
	if err != nil {
		return nil, fmt.Errorf("runner: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runner{
		cfg:           cfg,
		log:           log,
		flog:          flog,
		pools:         make(map[string]*pool, len(fns)),
		listenHost:    host,
		listenPort:    port,
		advertiseHost: cfg.AdvertiseHost,
		telClient:     newTelemetryClient("127.0.0.1"),
	}
	workers := 0
	for _, fn := range fns {
		if err := fn.Validate(); err != nil {
			return nil, fmt.Errorf("runner: %w", err)
		}
		if _, dup := r.pools[fn.Name]; dup {
			return nil, fmt.Errorf("runner: function %s is defined twice", fn.Name)
		}
		fn = fn.WithDefaults()
		if fn.InitTimeout <= 0 {
			fn.InitTimeout = cfg.InitTimeout
		}
		r.pools[fn.Name] = newPool(r, fn)
		r.fns = append(r.fns, fn)
		workers += fn.Concurrency
	}
	sort.Slice(r.fns, func(i, j int) bool { return r.fns[i].Name < r.fns[j].Name })
	r.events = newEvents(r, cfg.EventQueueSize, min(max(workers, 1), 256), cfg.EventRetryDelay)
	return r, nil
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

// Invoke runs req (see invoke.Invoker). A RequestResponse invocation that
// has reached a runtime runs to its end even if ctx is cancelled; ctx only
// bounds the wait for a free instance.
func (r *Runner) Invoke(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	if req.RequestID == "" {
		req.RequestID = invoke.NewRequestID()
	}
	if len(req.Payload) == 0 {
		// Lambda hands a function {} when the caller sent no payload.
		req.Payload = emptyEvent
	}
	if _, ok := r.pools[req.FunctionName]; !ok {
		return nil, invoke.Errorf(invoke.NotFound, "Function not found: %s",
			invoke.ARN(r.cfg.Region, r.cfg.Account, req.FunctionName, req.Qualifier))
	}
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return nil, invoke.Errorf(invoke.Unavailable, "The harness is shutting down.")
	}
	r.inflight.Add(1)
	r.mu.RUnlock()
	defer r.inflight.Done()

	switch req.InvocationType() {
	case invoke.DryRun:
		return &invoke.Response{RequestID: req.RequestID, ExecutedVersion: invoke.LatestVersion}, nil
	case invoke.Event:
		if err := r.events.enqueue(req); err != nil {
			return nil, err
		}
		return &invoke.Response{RequestID: req.RequestID, ExecutedVersion: invoke.LatestVersion}, nil
	case invoke.RequestResponse:
		return r.invokeSync(ctx, req)
	default:
		return nil, invoke.Errorf(invoke.InvalidParameter, "Invalid invocation type: %s", req.Type)
	}
}

var emptyEvent = []byte("{}")

// maxHandoffs bounds how often an invocation moves on to another instance
// because the one it got died before receiving it.
const maxHandoffs = 3

// invokeSync runs req on an instance and waits for its result. An instance
// can die between two invocations (aws-lambda-go exits after a panic, just
// after reporting it): an invocation its runtime never received goes to
// another instance.
func (r *Runner) invokeSync(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	p := r.pools[req.FunctionName]
	for attempt := 1; ; attempt++ {
		resp, delivered, err := r.runOn(ctx, p, req)
		if delivered || err != nil || attempt == maxHandoffs {
			return resp, err
		}
		r.log.Debug("instance died before the invocation reached it, trying another",
			"function", p.fn.Name, "request_id", req.RequestID)
	}
}

// runOn runs req on one instance of p.
func (r *Runner) runOn(ctx context.Context, p *pool, req *invoke.Request) (resp *invoke.Response, delivered bool, err error) {
	in, err := p.acquire(ctx)
	if err != nil {
		return nil, true, err
	}
	released := false
	defer func() {
		if !released {
			p.release(in)
		}
	}()
	fn := p.fn
	if in.cold {
		if err := in.awaitReady(req.RequestID); err != nil {
			var f *initFailure
			if errors.As(err, &f) {
				r.log.Warn("init failed", "function", fn.Name, "instance_id", in.id,
					"request_id", req.RequestID, "error_type", f.resp.ErrorType)
				return f.resp, true, nil
			}
			return nil, true, err
		}
	}
	start := time.Now()
	inv := newInvocation(req, invoke.ARN(r.cfg.Region, r.cfg.Account, fn.Name, req.Qualifier), start.Add(fn.Timeout))
	resp, delivered, reusable := in.run(inv)
	if !delivered {
		return resp, false, nil
	}
	if s, ok := resp.Stream.(*streamBody); ok {
		// The invocation goes on while the caller reads: it ends, and the
		// instance is released, when the stream does.
		released = true
		r.inflight.Add(1)
		go r.finishStream(p, in, inv, s, start)
		return resp, true, nil
	}
	if !reusable {
		in.kill(reasonFailure)
	}
	r.report(in, inv, time.Since(start), runStatus(resp, !reusable))
	if inv.tail != nil {
		resp.LogTail = inv.tail.bytes()
	}
	if reusable && inv.exts != nil {
		// The caller has its result as soon as the runtime answered, as on
		// Lambda; the instance is reused only once the extensions are done
		// with the invocation too, within its deadline.
		released = true
		r.inflight.Add(1)
		go func() {
			defer r.inflight.Done()
			if !in.awaitExtensions(inv) {
				in.log.Warn("extensions did not finish the invocation by its deadline",
					"request_id", req.RequestID)
				in.kill(reasonTimeout)
			}
			p.release(in)
		}()
	}
	return resp, true, nil
}

// report ends an invocation on in: the runtime's output caught up with, the
// END and REPORT lines written, the instance done with inv. Only the owner
// of the instance calls it.
func (r *Runner) report(in *instance, inv *invocation, duration time.Duration, status string) {
	fn := in.pool.fn
	in.syncOutput()
	rep := report{
		requestID: inv.req.RequestID,
		duration:  duration,
		memoryMB:  fn.MemoryMB,
		maxMemory: in.maxMemory(duration),
		initDur:   in.initDur,
		cold:      in.cold,
	}
	in.cold = false
	r.flog.end(fn.Name, in.id, rep, inv.tail)
	in.emitReport(rep, status)
	in.finish(inv)
}

// Warm starts up to n instances of the named function and waits until they
// are ready, so that the first invocations find warm instances.
func (r *Runner) Warm(ctx context.Context, name string, n int) error {
	p, ok := r.pools[name]
	if !ok {
		return invoke.Errorf(invoke.NotFound, "Function not found: %s", name)
	}
	n = min(n, p.fn.Concurrency)
	ins := make([]*instance, 0, n)
	defer func() {
		for _, in := range ins {
			p.release(in)
		}
	}()
	for range n {
		in, err := p.acquire(ctx)
		if err != nil {
			return fmt.Errorf("warm %s: %w", name, err)
		}
		ins = append(ins, in)
	}
	for _, in := range ins {
		if err := in.awaitReady("warm-up"); err != nil {
			return fmt.Errorf("warm %s: %w", name, err)
		}
	}
	return nil
}

// Run reaps idle instances until ctx is done. Call Shutdown after it to
// stop the instances.
func (r *Runner) Run(ctx context.Context) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-tick.C:
			for _, p := range r.pools {
				p.reap(now)
			}
		}
	}
}

// Shutdown stops accepting invocations (they fail with invoke.Unavailable),
// lets in-flight invocations and queued Event invocations finish until ctx
// is done, then kills every instance and waits for them to exit. It is
// idempotent.
func (r *Runner) Shutdown(ctx context.Context) error {
	r.shutdownOnce.Do(func() { r.shutdownErr = r.shutdown(ctx) })
	return r.shutdownErr
}

func (r *Runner) shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()

	var errs []error
	done := make(chan struct{})
	go func() {
		r.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, errors.New("in-flight invocations cut off at the end of the grace period"))
	}
	if left := r.events.drain(ctx); left > 0 {
		errs = append(errs, fmt.Errorf("%d queued event invocations dropped at the end of the grace period", left))
	}
	// Instances get a moment of their own to die, whatever is left of ctx.
	kctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for _, p := range r.pools {
		wg.Go(func() { p.close(kctx) })
	}
	wg.Wait()
	<-done
	r.flog.flush()
	r.telClient.CloseIdleConnections()
	return errors.Join(errs...)
}

// listen opens a Runtime API listener for an instance of fn and returns
// the host its runtime is to use: where the launcher says (a container's
// gateway), else on the configured port if it is fixed and still free,
// else on an ephemeral port of the configured host.
func (r *Runner) listen(fn invoke.Function) (net.Listener, string, error) {
	if a, ok := r.cfg.Launcher.(Addresser); ok {
		if listen, advertise := a.RuntimeAPIHosts(fn); listen != "" {
			if advertise == "" {
				advertise = listen
			}
			ln, err := net.Listen("tcp", net.JoinHostPort(listen, "0"))
			return ln, advertise, err
		}
	}
	if r.listenPort != "0" && r.listenPort != "" {
		r.portMu.Lock()
		defer r.portMu.Unlock()
		if !r.portUsed {
			ln, err := net.Listen("tcp", net.JoinHostPort(r.listenHost, r.listenPort))
			if err == nil {
				r.portUsed = true
				return ln, r.advertiseHost, nil
			}
			r.log.Warn("runtime api port taken, using an ephemeral port", "addr", r.cfg.ListenAddr, "error", err)
		}
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(r.listenHost, "0"))
	return ln, r.advertiseHost, err
}
