package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/lambda-harness/lambda-harness/amqp"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
	"github.com/lambda-harness/lambda-harness/runner/process"
	"github.com/lambda-harness/lambda-harness/server"
)

// HTTP server limits. There is no write timeout: a function may run for
// up to 15 minutes (invoke.MaxTimeout) before it answers.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 1 << 20
)

// runDaemon wires the engine — process launcher, container launcher when
// a function has an image, runner, Invoke API server, and with a broker the
// consumer of the functions' queues and the gateway's client — serves it on
// cfg.Listen (and the broker) until ctx is cancelled, then stops it gracefully (see
// serveUntilDone) and closes the container launcher last. The functions'
// output goes to stdout, the harness's own log to stderr; environ is the
// host environment, from which the harness's own variables are stripped
// before any runtime may inherit it.
func runDaemon(ctx context.Context, cfg daemonConfig, environ []string, stdout, stderr io.Writer) error {
	logger := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)

	procs, err := process.New(process.Config{HostEnv: hostEnv(environ), Logger: logger})
	if err != nil {
		return fmt.Errorf("process launcher: %w", err)
	}
	if os.Getpid() == 1 {
		// As a container's PID 1 (the emulator an entrypoint execs) the
		// harness inherits every orphan in the container and must reap
		// them, or they stay zombies (see process.ReapOrphans).
		rctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		reaped := make(chan struct{})
		go func() { procs.ReapOrphans(rctx); close(reaped) }()
		defer func() { stop(); <-reaped }()
	}
	if cfg.DebugAddr != "" {
		stop, err := serveDebug(cfg.DebugAddr, logger)
		if err != nil {
			return err
		}
		defer stop()
	}
	launcher := launchers{process: procs}
	// Docker is contacted only when it is needed, so that serving local
	// processes works on a machine without it.
	if names := imageFunctions(cfg.Functions); len(names) > 0 {
		containers, err := newContainerLauncher(ctx, cfg.Containers, logger)
		if err != nil {
			return fmt.Errorf("functions with an image (%s) need a Docker engine: %w", strings.Join(names, ", "), err)
		}
		// Deferred, so after serveUntilDone, whose shutdown has stopped
		// the runner and with it every container.
		defer func() {
			if err := containers.Close(); err != nil {
				logger.Warn("container launcher did not close cleanly", "err", err)
			}
		}()
		launcher.image = containers
	}
	rn, err := runner.New(runner.Config{
		Region:      cfg.Region,
		Account:     cfg.Account,
		Launcher:    launcher,
		ListenAddr:  cfg.RuntimeAPI,
		Logger:      logger,
		FunctionLog: stdout,
		LogFormat:   cfg.LogFormat,
	}, cfg.Functions...)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		// The runner has started nothing yet (instances start on the
		// first invocation or Warm), so there is nothing to stop.
		return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
	}
	b, inv, catalog, err := newBroker(ctx, cfg, rn, logger)
	if err != nil {
		ln.Close()
		return err
	}
	srv, err := server.New(server.Config{
		Region:  cfg.Region,
		Account: cfg.Account,
		Invoker: inv,
		Catalog: catalog,
		Logger:  logger,
	})
	if err != nil {
		ln.Close()
		if b.client != nil {
			b.client.Close()
		}
		return err
	}
	// Tests and scripts read the bound address from this line (port 0):
	// addr stays its first attribute.
	attrs := []any{"addr", ln.Addr().String(), "functions", functionNames(cfg.Functions), "version", version}
	if a := cfg.AMQP; a.URL != "" {
		attrs = append(attrs, "amqp", amqp.RedactURL(a.URL), "queue_kind", string(a.QueueKind), "gateway", a.Gateway)
	}
	logger.Info("listening", attrs...)
	return serveUntilDone(ctx, logger, ln, srv.Handler(), rn, b, cfg)
}

// newBroker makes the harness's side of the broker cfg.AMQP names, if any:
// a consumer of every local function's queue and, for a gateway, the
// client that runs the other functions through the broker. It returns what
// the Invoke API invokes and resolves names with: the runner, or the
// gateway over the runner and the client.
func newBroker(ctx context.Context, cfg daemonConfig, rn *runner.Runner, log *slog.Logger) (broker, invoke.Invoker, invoke.Catalog, error) {
	a := cfg.AMQP
	var b broker
	if a.URL == "" {
		return b, rn, rn, nil
	}
	if len(cfg.Functions) > 0 {
		b.invoker = &abandoning{inv: rn, hard: hardStop(ctx)}
		c, err := amqp.NewConsumer(amqp.ConsumerConfig{
			URL:           a.URL,
			Username:      a.Username,
			Password:      a.Password,
			Functions:     cfg.Functions,
			QueueKind:     a.QueueKind,
			ShutdownGrace: cfg.GracePeriod,
		}, b.invoker, log)
		if err != nil {
			return broker{}, nil, nil, err
		}
		b.consumer = c
	}
	if !a.Gateway {
		return b, rn, rn, nil
	}
	timeouts := make(map[string]time.Duration, len(a.Remote))
	for _, fn := range a.Remote {
		timeouts[fn.Name] = fn.Timeout
	}
	client, err := amqp.NewClient(amqp.ClientConfig{
		URL:      a.URL,
		Username: a.Username,
		Password: a.Password,
		Region:   cfg.Region,
		Account:  cfg.Account,
		Timeout:  a.GatewayTimeout,
		Timeouts: timeouts,
		Name:     "lambda-harness gateway",
	}, log)
	if err != nil {
		return broker{}, nil, nil, err
	}
	b.client = client
	g := newGateway(rn, client, a.Remote, a.GatewayTimeout)
	return b, g, g, nil
}

// newLogger returns the harness's own logger writing to w in format
// ("json", else text: rie mode's "raw" is for the function log only) at
// level.
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func functionNames(fns []invoke.Function) []string {
	names := make([]string, len(fns))
	for i, fn := range fns {
		names[i] = fn.Name
	}
	return names
}
