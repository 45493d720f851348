package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Defaults of rie mode, as aws-lambda-rie has them.
const (
	rieDefaultListen     = "0.0.0.0:8080"
	rieDefaultRuntimeAPI = "127.0.0.1:9001"
	rieDefaultName       = "test_function"
	rieDefaultTimeout    = 300 * time.Second
	rieDefaultMemoryMB   = 3008
	rieDefaultTaskRoot   = "/var/task"
	rieExtensionsDir     = "/opt/extensions"
	// rieDefaultGracePeriod fits inside the 10 s that docker stop gives a
	// container before it kills it.
	rieDefaultGracePeriod = 5 * time.Second
)

// rieBootstraps are where aws-lambda-rie looks for the runtime when no
// command is given, in order.
func rieBootstraps() []string {
	return []string{rieDefaultTaskRoot + "/bootstrap", "/opt/bootstrap", "/var/runtime/bootstrap"}
}

// rieFlags holds the flags of rie mode as they are parsed.
type rieFlags struct {
	listen, runtimeAPI string
	logLevel           string
	initCaching        bool
}

// newRIEFlagSet returns the flags of aws-lambda-rie. The flag package stops
// at the first argument that is not a flag, so the runtime command's own
// options (the -m of "python3 -m awslambdaric app.handler") are never taken
// for the emulator's.
func newRIEFlagSet(cmd string, getenv func(string) string) (*flag.FlagSet, *rieFlags) {
	f := &rieFlags{}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&f.listen, "runtime-interface-emulator-address", rieDefaultListen, "address `ADDR` (host:port) of the Invoke API")
	fs.StringVar(&f.runtimeAPI, "runtime-api-address", rieDefaultRuntimeAPI, "address `ADDR` of the Runtime API the runtime talks to (AWS_LAMBDA_RUNTIME_API);\nfurther instances get ports of their own")
	fs.StringVar(&f.logLevel, "log-level", envOr(getenv, "info", "LOG_LEVEL"), "`LEVEL` of the emulator's log: debug, info, warn or error\n(default $LOG_LEVEL, else info)")
	fs.BoolVar(&f.initCaching, "enable-init-caching", false, "accepted for compatibility with aws-lambda-rie; has no effect")
	return fs, f
}

// parseRIE parses rie mode's command line and environment into a daemon
// configuration serving one function, as aws-lambda-rie does. stat is
// os.Stat, used to find a bootstrap when no command is given. It returns
// flag.ErrHelp for -h and --help.
func parseRIE(cmd string, args []string, getenv func(string) string, stat func(string) (fs.FileInfo, error)) (daemonConfig, error) {
	fset, f := newRIEFlagSet(cmd, getenv)
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return daemonConfig{}, err
		}
		return daemonConfig{}, usageErrorf(cmd, "%v", err)
	}
	level, err := parseLevel(f.logLevel)
	if err != nil {
		// LOG_LEVEL is shared with the runtime, which may know names the
		// harness does not: only a bad --log-level is a mistake.
		if flagSet(fset, "log-level") {
			return daemonConfig{}, usageErrorf(cmd, "--log-level: %v", err)
		}
		level = slog.LevelInfo
	}
	fn, err := rieFunction(fset.Args(), getenv, stat)
	if err != nil {
		return daemonConfig{}, usageErrorf(cmd, "%v", err)
	}
	cfg := daemonConfig{
		Listen:      f.listen,
		RuntimeAPI:  f.runtimeAPI,
		Region:      envOr(getenv, defaultRegion, "AWS_REGION", "AWS_DEFAULT_REGION"),
		Account:     defaultAccount,
		LogFormat:   "text",
		LogLevel:    level,
		GracePeriod: rieDefaultGracePeriod,
		Functions:   []invoke.Function{fn},
	}
	if v := getenv(harnessEnvPrefix + "LOG_FORMAT"); v != "" {
		// raw is for a harness that is the emulator inside a container
		// driven by a harness on the host: the function's output goes out
		// as it is, with no START/END/REPORT lines, since the host harness
		// tags the lines and reports the invocation itself. The emulator's
		// own log stays text, and says only what is wrong (warnings and
		// errors, unless --log-level asks for more): its output reaches the
		// host as the function's.
		switch v {
		case "text", "json", "raw":
			cfg.LogFormat = v
			if v == "raw" && !flagSet(fset, "log-level") && cfg.LogLevel < slog.LevelWarn {
				cfg.LogLevel = slog.LevelWarn
			}
		default:
			return daemonConfig{}, usageErrorf(cmd, "%sLOG_FORMAT=%s: want text, json or raw", harnessEnvPrefix, v)
		}
	}
	if v := getenv(harnessEnvPrefix + "GRACE_PERIOD"); v != "" {
		if cfg.GracePeriod, err = parseSeconds(v); err != nil {
			return daemonConfig{}, usageErrorf(cmd, "%sGRACE_PERIOD: %v", harnessEnvPrefix, err)
		}
	}
	if err := checkCommon(cfg); err != nil {
		return daemonConfig{}, usageErrorf(cmd, "%v", err)
	}
	if cfg.AMQP, err = rieAMQP(getenv); err != nil {
		return daemonConfig{}, usageErrorf(cmd, "%v", err)
	}
	return cfg, nil
}

// rieFunction configures the one function of rie mode from the runtime
// command and the environment variables aws-lambda-rie reads.
func rieFunction(command []string, getenv func(string) string, stat func(string) (fs.FileInfo, error)) (invoke.Function, error) {
	fn := invoke.Function{
		Name:    envOr(getenv, rieDefaultName, "AWS_LAMBDA_FUNCTION_NAME"),
		Command: command,
		// The runtime inherits the container's environment, as under
		// aws-lambda-rie, less the harness's own variables (see hostEnv).
		PassEnv:     []string{"*"},
		Timeout:     rieDefaultTimeout,
		MemoryMB:    rieDefaultMemoryMB,
		Concurrency: 1,
	}
	if !invoke.ValidName(fn.Name) {
		return fn, fmt.Errorf("AWS_LAMBDA_FUNCTION_NAME=%s: want 1 to 64 letters, digits, '-' or '_'", fn.Name)
	}
	if len(fn.Command) == 0 {
		// aws-lambda-rie with no command runs the first bootstrap it finds,
		// in the task root.
		for _, p := range rieBootstraps() {
			if fi, err := stat(p); err == nil && !fi.IsDir() {
				fn.Command = []string{p}
				break
			}
		}
		if len(fn.Command) == 0 {
			return fn, fmt.Errorf("no runtime command given, and no bootstrap at %s", strings.Join(rieBootstraps(), ", "))
		}
		if fi, err := stat(rieDefaultTaskRoot); err == nil && fi.IsDir() {
			fn.WorkingDir = rieDefaultTaskRoot
		}
	}
	// The image's external extensions start before the runtime, as on
	// Lambda (the host harness, running this one as the emulator inside,
	// cannot reach into the container).
	// https://docs.aws.amazon.com/lambda/latest/dg/using-extensions.html
	if fi, err := stat(rieExtensionsDir); err == nil && fi.IsDir() {
		fn.ExtensionsDir = rieExtensionsDir
	}
	// _HANDLER wins; else, as aws-lambda-rie assumes, the last argument of
	// a command with arguments is the handler ("python3 -m awslambdaric
	// app.handler", "/lambda-entrypoint.sh app.handler").
	fn.Handler = getenv("_HANDLER")
	if fn.Handler == "" && len(fn.Command) > 1 {
		fn.Handler = fn.Command[len(fn.Command)-1]
	}

	if v := getenv("AWS_LAMBDA_FUNCTION_TIMEOUT"); v != "" {
		d, err := parseSeconds(v)
		if err != nil || d < time.Second || d > invoke.MaxTimeout {
			return fn, fmt.Errorf("AWS_LAMBDA_FUNCTION_TIMEOUT=%s: want seconds from 1 to %d", v, int(invoke.MaxTimeout.Seconds()))
		}
		fn.Timeout = d
	}
	if v := getenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"); v != "" {
		mb, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fn, fmt.Errorf("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%s: want a whole number of MB", v)
		}
		fn.MemoryMB = min(max(mb, invoke.MinMemoryMB), invoke.MaxMemoryMB)
	}
	for _, name := range []string{"MAX_CONCURRENCY", "AWS_LAMBDA_MAX_CONCURRENCY"} {
		if v := getenv(name); v != "" {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 {
				return fn, fmt.Errorf("%s=%s: want a whole number, at least 1", name, v)
			}
			fn.Concurrency = n
			break
		}
	}
	return fn, fn.Validate()
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// runRIE is rie mode, under the command name cmd ("aws-lambda-rie" or
// "lambda-harness rie").
func runRIE(ctx context.Context, cmd string, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) error {
	cfg, err := parseRIE(cmd, args, getenv, os.Stat)
	if errors.Is(err, flag.ErrHelp) {
		printRIEUsage(stdout, cmd, getenv)
		return nil
	}
	if err != nil {
		return err
	}
	return runDaemon(ctx, cfg, environ, stdout, stderr)
}

// printRIEUsage prints rie mode's usage under the command name cmd.
func printRIEUsage(w io.Writer, cmd string, getenv func(string) string) {
	fmt.Fprintf(w, `Usage: %[1]s [flags] <runtime command> [args...]

A drop-in for the AWS Lambda Runtime Interface Emulator (aws-lambda-rie)
inside a container image: it serves one function, run by the runtime
command, over the Lambda Invoke API. Unlike aws-lambda-rie it accepts the
function's real name as well as "function", runs concurrent invocations
(scaling up to the concurrency below), and answers with AWS's error
contract. The same mode is selected when this binary is invoked under the
name aws-lambda-rie, which then takes all its arguments as rie's.

Flags stop at the first argument that is not a flag: everything from the
runtime command on is the runtime's, so "python3 -m awslambdaric app.handler"
keeps its -m. Without a command, the first that exists of
%[2]s is run, in %[3]s.

With AMQP_URI set, the function also takes invocations from the RabbitMQ
queue named after it (AWS_LAMBDA_FUNCTION_NAME), as lambda-runtime-api-daemon
does, while HTTP is served too. An unreachable broker is retried in the
background, with a warning, while HTTP works; but when the URL's
connection_attempts were all spent before a first connection, the emulator
stops and exits 1, as lambda-runtime-api-daemon does, for the container's
restart policy to try again. After a first connection it reconnects forever.

The runtime inherits the container's environment, less the harness's own
settings and secrets (LAMBDA_HARNESS_*, AMQP_*, MAX_CONCURRENCY,
AWS_LAMBDA_MAX_CONCURRENCY, AWS_LAMBDA_RUNTIME_API). Its output goes to
stdout, the emulator's log to stderr.

Flags:
`, cmd, strings.Join(rieBootstraps(), ", "), rieDefaultTaskRoot)
	fs, _ := newRIEFlagSet(cmd, getenv)
	printFlags(w, fs)
	fmt.Fprintf(w, `
Environment:
  AWS_LAMBDA_FUNCTION_NAME         the function's name (default %s)
  AWS_LAMBDA_FUNCTION_TIMEOUT      seconds one invocation may run, 1 to 900 (default %d)
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE  memory size in MB, brought into 128..10240 (default %d)
  AWS_LAMBDA_FUNCTION_VERSION      read by runtimes only; invocations run $LATEST
  _HANDLER                         the handler (default: the command's last argument,
                                   when it has arguments)
  MAX_CONCURRENCY, AWS_LAMBDA_MAX_CONCURRENCY
                                   most invocations running at once, each in its own
                                   runtime process (default 1)
  LOG_LEVEL                        the default of --log-level
  AWS_REGION, AWS_DEFAULT_REGION   the region in the function's ARN (default us-east-1)
  LAMBDA_HARNESS_LOG_FORMAT        text or json, for both logs (default text); raw writes
                                   the function's output as it is, without START/END/REPORT
                                   lines, and the emulator's log as text (for a harness
                                   inside a container, driven by one on the host)
  LAMBDA_HARNESS_GRACE_PERIOD      on SIGTERM, how long in-flight invocations may finish
                                   before the runtime is killed (default %s)
  AMQP_URI                         RabbitMQ broker to consume the function's queue on,
                                   amqp://[user:pass@]host[:port][/vhost], with
                                   ?connection_attempts=N&retry_delay=S&heartbeat=S
                                   (default none: HTTP only)
  AMQP_USERNAME, AMQP_PASSWORD     credentials on the broker, replacing the URI's
  LAMBDA_HARNESS_AMQP_QUEUE_KIND   compat (default: queues as lambda-runtime-api-daemon
                                   declares them) or durable (quorum queues)

Examples:
  aws-lambda-rie python3 -m awslambdaric app.handler
  %[5]s --runtime-interface-emulator-address 127.0.0.1:9000 ./bootstrap
  docker run -p 8080:8080 -v $PWD/bin/lambda-harness:/usr/local/bin/aws-lambda-rie:ro \
      --entrypoint /usr/local/bin/aws-lambda-rie IMAGE python3 -m awslambdaric app.handler
  AWS_LAMBDA_FUNCTION_NAME=echo AMQP_URI='amqp://rabbitmq:5672?connection_attempts=20&retry_delay=10' \
      AMQP_USERNAME=guest AMQP_PASSWORD=guest MAX_CONCURRENCY=4 aws-lambda-rie ./bootstrap

`, rieDefaultName, int(rieDefaultTimeout.Seconds()), rieDefaultMemoryMB, formatDuration(rieDefaultGracePeriod), cmd)
	fmt.Fprint(w, invokeExamples("localhost:8080", rieDefaultName))
}
