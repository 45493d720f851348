package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/moby/moby/client"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// Config configures a Launcher.
type Config struct {
	// Host is the Docker Engine's address (unix:///var/run/docker.sock,
	// tcp://host:2376); "" takes it from the environment as the docker CLI
	// does: DOCKER_HOST, else the current docker context, else the default
	// socket. TLS settings come from DOCKER_CERT_PATH and DOCKER_TLS_VERIFY.
	Host string
	// HarnessBinary is a static Linux build of this harness, bind-mounted
	// read-only at /usr/local/bin/aws-lambda-rie for functions whose
	// emulator is EmulatorHarness; "" means the running executable. It is a
	// path on the Docker engine's host.
	HarnessBinary string
	// Daemon names this harness in the containers' labels; default
	// "lambda-harness". New removes every container labelled with it, so two
	// harnesses that share an engine need different names.
	Daemon string
	// DefaultMode is the Runtime API mode of functions that set none:
	// invoke.RuntimeAPIDirect (the default) or invoke.RuntimeAPIEmulator.
	DefaultMode string
	// Logger receives the launcher's records; nil discards them.
	Logger *slog.Logger
}

// DefaultDaemon is the default Config.Daemon.
const DefaultDaemon = "lambda-harness"

// Labels set on every container, so that a harness finds its own.
const (
	labelDaemon   = "lambda-harness.daemon"
	labelFunction = "lambda-harness.function"
	labelInstance = "lambda-harness.instance"
)

// opTimeout bounds one call to the engine that should be quick (kill,
// inspect, remove, stats): an engine that hangs must not hang the harness.
const opTimeout = 30 * time.Second

// Launcher starts execution environments as Docker containers. It is safe
// for concurrent use.
type Launcher struct {
	cli     *client.Client
	host    string
	daemon  string
	mode    string
	harness string // Config.HarnessBinary, or "" for the executable
	log     *slog.Logger
	hosts   runtimeAPIHosts
	// cgroupRoot is where the cgroups are mounted (see memory).
	cgroupRoot string
	// http forwards invocations to emulators inside containers; one client,
	// so that connections are kept alive across invocations.
	http *http.Client

	// ctx is cancelled by Close; it bounds the work that outlives a Launch
	// call: pulls, waiting for containers to exit.
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex // protects the fields below
	closed bool
	live   map[*environment]struct{}
	pulls  map[string]*pull
	// wg counts the goroutines of environments and pulls; Close waits.
	wg sync.WaitGroup
}

var (
	_ runner.Launcher  = (*Launcher)(nil)
	_ runner.Addresser = (*Launcher)(nil)
)

// New connects to the Docker engine and checks that it answers, learns
// where containers reach this host, and removes the containers a previous
// run of the same Daemon left behind. ctx bounds these steps only.
func New(ctx context.Context, cfg Config) (*Launcher, error) {
	switch cfg.DefaultMode {
	case "":
		cfg.DefaultMode = invoke.RuntimeAPIDirect
	case invoke.RuntimeAPIDirect, invoke.RuntimeAPIEmulator:
	default:
		return nil, fmt.Errorf("container launcher: default runtime api mode %q: want %q or %q",
			cfg.DefaultMode, invoke.RuntimeAPIDirect, invoke.RuntimeAPIEmulator)
	}
	if cfg.Daemon == "" {
		cfg.Daemon = DefaultDaemon
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	host := engineHost(cfg.Host)
	cli, err := client.New(client.WithTLSClientConfigFromEnv(), client.WithAPIVersionFromEnv(), client.WithHost(host))
	if err != nil {
		return nil, fmt.Errorf("docker engine at %s: %w", host, err)
	}
	l := &Launcher{
		cli:        cli,
		host:       host,
		daemon:     cfg.Daemon,
		mode:       cfg.DefaultMode,
		harness:    cfg.HarnessBinary,
		cgroupRoot: cgroupRoot,
		log:        log.With("docker_host", host),
		http:       newForwardClient(),
		live:       make(map[*environment]struct{}),
		pulls:      make(map[string]*pull),
	}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	if err := l.connect(ctx); err != nil {
		l.cancel()
		cli.Close()
		return nil, err
	}
	return l, nil
}

// connect checks that the engine answers, asks it what it is and clears
// the previous run's leftovers.
func (l *Launcher) connect(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	if _, err := l.cli.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return fmt.Errorf("docker engine at %s is not reachable: %w", l.host, err)
	}
	info, err := l.cli.Info(pctx, client.InfoOptions{})
	if err != nil {
		return fmt.Errorf("docker engine at %s: info: %w", l.host, err)
	}
	l.hosts = l.detectHosts(pctx, info.Info)
	if l.hosts.err != nil {
		l.log.Warn("functions in direct mode cannot run", "error", l.hosts.err)
	} else {
		l.log.Debug("runtime api hosts", "listen", l.hosts.listen, "advertise", l.hosts.advertise, "found", l.hosts.how)
	}
	return l.removeLeftovers(pctx)
}

// removeLeftovers removes every container labelled with this Daemon: none
// of them belongs to a live instance, since the harness starts here.
func (l *Launcher) removeLeftovers(ctx context.Context) error {
	list, err := l.cli.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", labelDaemon+"="+l.daemon),
	})
	if err != nil {
		return fmt.Errorf("list the containers of a previous run: %w", err)
	}
	var errs []error
	for _, c := range list.Items {
		l.log.Info("removing a container left by a previous run", "container", c.ID[:12], "names", c.Names)
		if err := l.remove(ctx, c.ID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// remove removes a container with whatever runs in it and its anonymous
// volumes. A container already gone is no error.
func (l *Launcher) remove(ctx context.Context, id string) error {
	_, err := l.cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("remove container %.12s: %w", id, err)
	}
	return nil
}

// Close kills the containers still running, waits until they are removed,
// removes whatever else carries this Daemon's label, and closes the
// connections. Launch fails afterwards. Close is idempotent.
func (l *Launcher) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	live := make([]*environment, 0, len(l.live))
	for e := range l.live {
		live = append(live, e)
	}
	l.mu.Unlock()

	for _, e := range live {
		e.Kill()
	}
	// Whatever still waits after a while (a pull, a hung engine) gives up.
	t := time.AfterFunc(opTimeout, l.cancel)
	l.wg.Wait()
	t.Stop()
	l.cancel()

	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	err := l.removeLeftovers(ctx)
	l.http.CloseIdleConnections()
	return errors.Join(err, l.cli.Close())
}

// track registers a goroutine that Close must wait for; false once the
// launcher is closed.
func (l *Launcher) track() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.wg.Add(1)
	return true
}
