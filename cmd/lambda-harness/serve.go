package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/lambda-harness/lambda-harness/amqp"
	"github.com/lambda-harness/lambda-harness/invoke"
)

const serveCmd = "lambda-harness serve"

// serveFlags holds the flags of serve as they are parsed.
type serveFlags struct {
	listen, runtimeAPI, region, account string
	logFormat                           formatValue
	logLevel                            levelValue
	grace                               secondsValue
	warm                                int
	functions                           listValue
	functionsFile                       fileValue

	// The container launcher, for functions with an image.
	runtimeAPIMode, dockerHost, harnessBinary, daemonName string

	// Defaults of every function, and settings of the one function of the
	// shorthand (a command after the flags).
	timeout, idleTimeout, initTimeout secondsValue
	memory, concurrency, queue        int
	name, handler, runtime, workdir   string
	env, passEnv                      listValue

	// Go's profiling endpoints, off by default.
	debugAddr string

	// The broker (AMQP-RPC) and the gateway; see amqpconfig.go.
	amqpURL, amqpUsername, amqpPassword string
	amqpQueueKind                       queueKindValue
	gateway                             bool
	gatewayTimeout                      secondsValue
}

// newServeFlagSet returns serve's flags bound to a new serveFlags. The
// defaults that come from the environment (the region) are read through
// getenv, so that the usage shows the default in force.
func newServeFlagSet(getenv func(string) string) (*flag.FlagSet, *serveFlags) {
	f := &serveFlags{
		logFormat:   "text",
		grace:       secondsValue(defaultGracePeriod),
		timeout:     secondsValue(invoke.DefaultTimeout),
		idleTimeout: secondsValue(invoke.DefaultIdleTimeout),

		amqpQueueKind:  queueKindValue(amqp.QueueCompat),
		gatewayTimeout: secondsValue(defaultGatewayTimeout),
	}
	fs := flag.NewFlagSet(serveCmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}

	fs.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address `ADDR` (host:port) of the Invoke API; port 0 picks a free port, which\nthe \"listening\" log line reports")
	fs.StringVar(&f.runtimeAPI, "runtime-api-addr", defaultRuntimeAPI, "address `ADDR` the instances' Runtime API listeners bind; port 0 gives each\ninstance a port of its own")
	fs.StringVar(&f.region, "region", envOr(getenv, defaultRegion, "AWS_REGION", "AWS_DEFAULT_REGION"), "`REGION` in the functions' ARNs (default $AWS_REGION, else us-east-1)")
	fs.StringVar(&f.account, "account", defaultAccount, "12-digit `ACCOUNT` id in the functions' ARNs")
	fs.Var(&f.logFormat, "log-format", "`FORMAT` of the harness's log (stderr) and of the function log (stdout):\ntext or json")
	fs.Var(&f.logLevel, "log-level", "`LEVEL` of the harness's log: debug, info, warn or error (default info)")
	fs.StringVar(&f.debugAddr, "debug-addr", "", "`ADDR` (host:port) to serve Go's profiling endpoints (/debug/pprof/) on, for\nperformance work; keep it on 127.0.0.1 (default: off)")
	fs.Var(&f.grace, "grace-period", "on SIGTERM or SIGINT, how long (a `DURATION`) in-flight invocations and\nqueued events may run before the instances are killed; a second signal\nkills them at once")
	fs.IntVar(&f.warm, "warm", 0, "`N` instances of every function to start, and wait for, at startup\n(default 0: the first invocation starts one)")
	fs.Var(&f.functions, "function", "a function, as a `SPEC` (see Function spec below); repeatable")
	fs.Var(&f.functionsFile, "functions-file", "YAML `FILE` of functions (see Functions file below); its functions are\nserved along with the --function specs")
	fs.Var(&f.functionsFile, "f", "short for --functions-file")

	fs.StringVar(&f.runtimeAPIMode, "runtime-api", invoke.RuntimeAPIDirect, "`MODE` of the Runtime API of image functions that choose none: direct\n(AWS_LAMBDA_RUNTIME_API points at the harness) or emulator (an emulator\ninside the container, which the harness forwards invocations to)")
	fs.StringVar(&f.dockerHost, "docker-host", getenv("DOCKER_HOST"), "Docker engine `HOST` that runs image functions, e.g. unix:///var/run/docker.sock\n(default $DOCKER_HOST, else the engine's usual socket)")
	fs.StringVar(&f.harnessBinary, "harness-binary", "", "static Linux lambda-harness `FILE`, a path on the Docker engine's host,\nmounted as /usr/local/bin/aws-lambda-rie in images with emulator harness\n(default: this executable)")
	fs.StringVar(&f.daemonName, "daemon-name", defaultDaemonName, "`NAME` of this harness in the labels of its containers; at start it removes\nthe containers a previous run of the same name left")

	fs.Var(&f.timeout, "timeout", "how long one invocation may run: a Go `DURATION` or seconds, at most 15m")
	fs.IntVar(&f.memory, "memory", invoke.DefaultMemoryMB, "memory size in `MB`, 128 to 10240, reported to the function")
	fs.IntVar(&f.concurrency, "concurrency", invoke.DefaultConcurrency, "most instances of a function running at once, `N`")
	fs.IntVar(&f.queue, "queue", 0, "`N` invocations that may wait for a busy instance before 429\nTooManyRequests; -1 for none (default 0: the larger of 100 and 10 × concurrency)")
	fs.Var(&f.idleTimeout, "idle-timeout", "how long (a `DURATION`) an idle instance lives before it is stopped")
	fs.Var(&f.initTimeout, "init-timeout", "limit (a `DURATION`) from launch to the runtime's first /next\n(default 0: 10s, as on Lambda)")

	fs.StringVar(&f.name, "name", invoke.GenericName, "`NAME` of the function given after -- (shorthand)")
	fs.StringVar(&f.handler, "handler", "", "`HANDLER` of the function given after --, passed as _HANDLER (shorthand)")
	fs.StringVar(&f.runtime, "runtime", "", "informational `RUNTIME` name of the function given after -- (shorthand)")
	fs.StringVar(&f.workdir, "workdir", "", "working directory `DIR` of the function given after -- (shorthand;\ndefault the harness's)")
	fs.Var(&f.env, "env", "`KEY=VALUE` environment variable of the function given after --\n(shorthand); repeatable")
	fs.Var(&f.passEnv, "pass-env", "host environment variable `NAME` the function given after -- may\ninherit, \"*\" for all (shorthand); repeatable")

	// The flags of the broker take no default from the environment: the
	// usage would print it, password and all. resolveServeAMQP reads it.
	fs.StringVar(&f.amqpURL, "amqp-url", "", "RabbitMQ broker `URL`, amqp://[user:pass@]host[:port][/vhost], with RAPID's\n"+
		"?connection_attempts=N&retry_delay=S&heartbeat=S: every function served here\n"+
		"also consumes the queue named after it (AMQP-RPC), and --gateway routes\n"+
		"through it (default $"+envAMQPURL+", else amqp: url: of the functions file)")
	fs.StringVar(&f.amqpUsername, "amqp-username", "", "`USER` name on the broker, replacing the URL's\n(default $"+envAMQPUsername+")")
	fs.StringVar(&f.amqpPassword, "amqp-password", "", "`PASSWORD` on the broker, replacing the URL's (default $"+envAMQPPassword+");\n"+
		"prefer the variable or the functions file: other users see command lines")
	fs.Var(&f.amqpQueueKind, "amqp-queue-kind", "how the functions' queues are declared, a `KIND`: compat (as\n"+
		"lambda-runtime-api-daemon: non-durable, auto-delete; coexists with its workers)\n"+
		"or durable (quorum queues, dead-letter queues: accepted events survive a broker\n"+
		"restart) (default compat, or $"+envAMQPQueueKind+")")
	fs.BoolVar(&f.gateway, "gateway", false, "serve the Invoke API for functions that run elsewhere: an invocation of a\n"+
		"function not served here is published to its queue on --amqp-url and answered\n"+
		"by the worker harness that consumes it; no local function is needed")
	fs.Var(&f.gatewayTimeout, "gateway-timeout", "with --gateway, how long (a `DURATION`) a remote function may run when the\n"+
		"functions file does not give its timeout; the gateway waits 10s more")
	return fs, f
}

// parseServe parses serve's command line into a daemon configuration. It
// returns flag.ErrHelp for -h and --help.
func parseServe(args []string, getenv func(string) string) (daemonConfig, error) {
	fs, f := newServeFlagSet(getenv)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return daemonConfig{}, err
		}
		return daemonConfig{}, usageErrorf(serveCmd, "%v", err)
	}
	set := make(map[string]bool)
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })

	cfg := daemonConfig{
		Listen:      f.listen,
		RuntimeAPI:  f.runtimeAPI,
		Region:      f.region,
		Account:     f.account,
		LogFormat:   string(f.logFormat),
		LogLevel:    slog.Level(f.logLevel),
		GracePeriod: time.Duration(f.grace),
		Warm:        f.warm,
		DebugAddr:   f.debugAddr,
		Containers: containerConfig{
			Host:          f.dockerHost,
			HarnessBinary: f.harnessBinary,
			Daemon:        f.daemonName,
			DefaultMode:   f.runtimeAPIMode,
		},
	}
	switch {
	case f.warm < 0:
		return daemonConfig{}, usageErrorf(serveCmd, "--warm %d: want 0 or more", f.warm)
	case time.Duration(f.timeout) > invoke.MaxTimeout:
		return daemonConfig{}, usageErrorf(serveCmd, "--timeout %s: want at most %s", f.timeout.String(), formatDuration(invoke.MaxTimeout))
	case f.memory < invoke.MinMemoryMB || f.memory > invoke.MaxMemoryMB:
		return daemonConfig{}, usageErrorf(serveCmd, "--memory %d: want %d to %d", f.memory, invoke.MinMemoryMB, invoke.MaxMemoryMB)
	case f.concurrency < 1:
		return daemonConfig{}, usageErrorf(serveCmd, "--concurrency %d: want at least 1", f.concurrency)
	case f.queue < -1:
		return daemonConfig{}, usageErrorf(serveCmd, "--queue %d: want -1 (no waiting), 0 (the default) or more", f.queue)
	case f.runtimeAPIMode != invoke.RuntimeAPIDirect && f.runtimeAPIMode != invoke.RuntimeAPIEmulator:
		return daemonConfig{}, usageErrorf(serveCmd, "--runtime-api %q: want %s or %s", f.runtimeAPIMode, invoke.RuntimeAPIDirect, invoke.RuntimeAPIEmulator)
	case f.daemonName == "":
		return daemonConfig{}, usageErrorf(serveCmd, "--daemon-name: want a name")
	}

	defaults := invoke.Function{
		Timeout:     time.Duration(f.timeout),
		MemoryMB:    f.memory,
		Concurrency: f.concurrency,
		QueueSize:   f.queue,
		IdleTimeout: time.Duration(f.idleTimeout),
		InitTimeout: time.Duration(f.initTimeout),
	}
	var file functionsFile
	if f.functionsFile != "" {
		var err error
		if file, err = loadFunctionsFile(string(f.functionsFile), defaults); err != nil {
			return daemonConfig{}, usageErrorf(serveCmd, "%v", err)
		}
		// The command line beats the file, which beats the environment.
		if file.Region != "" && !set["region"] {
			cfg.Region = file.Region
		}
		if file.Account != "" && !set["account"] {
			cfg.Account = file.Account
		}
	}
	if err := checkCommon(cfg); err != nil {
		return daemonConfig{}, usageErrorf(serveCmd, "%v", err)
	}
	fns, err := serveFunctions(f, defaults, fs.Args(), set, file)
	if err != nil {
		return daemonConfig{}, usageErrorf(serveCmd, "%v", err)
	}
	cfg.Functions = fns
	if cfg.AMQP, err = resolveServeAMQP(f, set, file, getenv); err != nil {
		return daemonConfig{}, usageErrorf(serveCmd, "%v", err)
	}
	return cfg, nil
}

// serveFunctions builds the functions of serve: one per --function spec,
// the shorthand's function when a command follows the flags, and the
// functions of the functions file. Their names must differ.
func serveFunctions(f *serveFlags, defaults invoke.Function, command []string, set map[string]bool, file functionsFile) ([]invoke.Function, error) {
	var fns []invoke.Function
	from := make(map[string]string) // function name → where it is defined, for messages
	add := func(fn invoke.Function, where string) error {
		if first, dup := from[fn.Name]; dup {
			return fmt.Errorf("function %q is defined twice: %s and %s", fn.Name, first, where)
		}
		from[fn.Name] = where
		fns = append(fns, fn)
		return nil
	}
	for _, spec := range f.functions {
		fn, err := parseFunctionSpec(spec, defaults)
		if err != nil {
			return nil, fmt.Errorf("--function %q: %w", spec, err)
		}
		if err := add(fn, "by --function"); err != nil {
			return nil, err
		}
	}
	if len(command) > 0 {
		fn := defaults
		fn.Name = f.name
		fn.Command = command
		fn.Handler = f.handler
		fn.Runtime = f.runtime
		fn.WorkingDir = f.workdir
		fn.PassEnv = append([]string(nil), f.passEnv...)
		for _, kv := range f.env {
			if err := addEnv(&fn, kv); err != nil {
				return nil, fmt.Errorf("--env %w", err)
			}
		}
		if !invoke.ValidName(fn.Name) {
			return nil, fmt.Errorf("--name %q is not a valid function name: want 1 to 64 letters, digits, '-' or '_'", fn.Name)
		}
		if err := fn.Validate(); err != nil {
			return nil, err
		}
		if err := add(fn, "by the command after the flags"); err != nil {
			return nil, err
		}
	} else {
		// These flags only configure the function given after the flags;
		// without a command they are a mistake.
		for _, name := range []string{"name", "handler", "runtime", "workdir", "env", "pass-env"} {
			if set[name] {
				return nil, fmt.Errorf("--%s configures the function given after --, but there is no command: "+
					"add -- COMMAND ARGS..., or use --function 'name=...,cmd=...'", name)
			}
		}
	}
	inFile := func(name string) string {
		where := "in " + string(f.functionsFile)
		if line := file.Lines[name]; line > 0 {
			where += fmt.Sprintf(":%d", line)
		}
		return where
	}
	for _, fn := range file.Functions {
		if err := add(fn, inFile(fn.Name)); err != nil {
			return nil, err
		}
	}
	for _, fn := range file.Remote {
		if !f.gateway {
			return nil, fmt.Errorf("function %q %s is remote: true: serve it with --gateway", fn.Name, inFile(fn.Name))
		}
		if first, dup := from[fn.Name]; dup {
			return nil, fmt.Errorf("function %q is defined twice: %s and %s", fn.Name, first, inFile(fn.Name))
		}
	}
	if len(fns) == 0 && !f.gateway {
		return nil, errors.New("no function to serve: give -f FILE, --function SPEC, or a command after the flags (-- COMMAND ARGS...)")
	}
	return fns, nil
}

// runServe is the serve command.
func runServe(ctx context.Context, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		printServeUsage(stdout, getenv)
		return nil
	}
	if err != nil {
		return err
	}
	return runDaemon(ctx, cfg, environ, stdout, stderr)
}

// printServeUsage prints serve's usage: synopsis, flags with their
// defaults, the functions file, the function spec syntax and examples.
func printServeUsage(w io.Writer, getenv func(string) string) {
	fmt.Fprint(w, `Usage: lambda-harness serve [flags] [-- command args...]

Serve functions over the Lambda Invoke API. A function runs as local
processes or, when it has an image, as Docker containers of that image — up
to the function's concurrency, started on demand and reused while warm. Its
runtime reaches the harness over the Lambda Runtime API, so any Runtime
Interface Client works unchanged (aws-lambda-go, awslambdaric, the Node,
Java and .NET clients, a bash custom runtime). Docker is needed only when a
function has an image.

Give functions in a functions file (-f FILE), with --function SPEC
(repeatable), or as one command after the flags, configured by the
shorthand flags --name, --handler, --env, --pass-env, --workdir and
--runtime; all three may be combined, and names must differ. The flags
--timeout, --memory, --concurrency, --queue, --idle-timeout and
--init-timeout apply to the shorthand's function and are the defaults of
every --function spec and of the functions file's functions (whose own
defaults: come first).

An image's runtime gets its Runtime API in one of two modes (--runtime-api,
or per function): direct sets AWS_LAMBDA_RUNTIME_API to a listener of the
harness reachable from the container (the image's entrypoint then runs the
runtime itself); emulator lets an emulator inside the container serve it —
this binary mounted as /usr/local/bin/aws-lambda-rie (emulator harness), or
the image's own (emulator image) — and forwards invocations to it.

With a RabbitMQ broker (--amqp-url) every function served here also takes
invocations from the queue named after it (AMQP-RPC, as
lambda-runtime-api-daemon's clients send them: default exchange, routing key
the function's name, reply_to and correlation_id), while HTTP is served too;
many harnesses may consume one function's queue. A delivery is acked once its
reply is confirmed by the broker (at-least-once); on SIGTERM the harness stops
consuming, lets in-flight invocations finish within the grace period and
requeues the rest for another worker. With --gateway the harness also serves
functions that run elsewhere: an invocation of a name not served here is
published to its queue and answered by the worker that consumes it; a name
no worker serves is 404 ResourceNotFoundException. Broker URLs are logged
without credentials, which no function ever sees.

The functions' output and their START/END/REPORT lines go to stdout, the
harness's own log to stderr. Local runtimes inherit only PATH, HOME, TZ and
LANG from the host environment, plus the variables their pass-env names;
never the harness's own settings and secrets (LAMBDA_HARNESS_*, AMQP_*).

Flags:
`)
	fs, _ := newServeFlagSet(getenv)
	printFlags(w, fs)
	fmt.Fprint(w, `
Functions file:
  YAML; functions.example.yaml, at the root of the repository, explains every key.
    region: eu-west-1            # optional, as --region (the flag wins)
    account: "123456789012"      # optional, as --account (the flag wins)
    defaults:                    # optional: settings of every function that omits them
      timeout: 30s
    functions:                   # function name → settings
      echo:
        command: ["./bin/echo"]  # a local process
        env: {GREETING: hi}
      hello:
        image: lambda-harness/bash-example-wrapper   # a container image
        runtime-api: emulator
      resize:                    # with --gateway: runs on other harnesses
        remote: true             # only timeout and description besides
        timeout: 1m
    amqp:                        # optional: the broker (the --amqp-* flags win)
      url: amqp://rabbitmq:5672/
      username: lambda
      password: secret
      queue-kind: durable
  A function takes the keys of a function spec (below) but name, which is its
  key, with command for cmd; env is a mapping and pass-env a list; a command
  or an entrypoint is a list of words, or one string split like a shell does.
  Relative paths of local processes (a command with a '/', workdir,
  exec-wrapper) are taken from the file's directory. An unknown key is an
  error, reported with the file's line, as are invalid settings.

Function spec:
  A comma-separated list of key=value items, for example
    name=echo,timeout=3s,memory=128,env=K=V,env=K2=V2,cmd=./bin/echo arg1 "arg 2"
    name=hello,image=lambda-harness/bash-example-wrapper,runtime-api=emulator
  cmd must come last: it takes the rest of the spec, commas included, and is
  split into words like a shell does (quotes and backslashes, no expansion).
  Any other value containing a comma can be quoted whole: env="GREETING=hi, you".
  Durations are Go durations (1m30s) or seconds (90). Keys:
`)
	for _, k := range specKeys() {
		item := k.name + "=" + k.arg
		if k.repeat {
			k.usage += "; repeatable"
		}
		fmt.Fprintf(w, "    %-23s %s\n", item, strings.ReplaceAll(k.usage, "\n", "\n"+strings.Repeat(" ", 28)))
	}
	fmt.Fprint(w, `
Examples:
  lambda-harness serve --name echo -- ./bin/echo
  lambda-harness serve --name echo --timeout 10 --concurrency 4 --env GREETING=hi -- ./bin/echo --verbose
  lambda-harness serve -f functions.yaml --listen 0.0.0.0:8080
  lambda-harness serve --listen 0.0.0.0:8080 --warm 1 \
      --function 'name=hello,handler=app.handler,pass-env=PYTHONPATH,cmd=python3 -m awslambdaric app.handler' \
      --function 'name=echo,memory=256,concurrency=4,cmd=./bin/echo'
  lambda-harness serve --runtime-api emulator \
      --function 'name=hello,image=lambda-harness/bash-example-wrapper,exec-wrapper=/opt/wrapper'
  LAMBDA_HARNESS_AMQP_PASSWORD=secret lambda-harness serve --amqp-url amqp://lambda@rabbitmq:5672/ \
      --amqp-queue-kind durable --concurrency 8 --name echo -- ./bin/echo        # a worker
  lambda-harness serve --gateway --amqp-url amqp://guest:guest@rabbitmq:5672/ \
      --listen 0.0.0.0:8080                                                     # a gateway

`)
	fmt.Fprint(w, invokeExamples("localhost:8080", "echo"))
}
