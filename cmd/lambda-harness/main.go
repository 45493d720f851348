package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

// rieName is the name under which the binary behaves as aws-lambda-rie, so
// that it can be dropped into an image in place of the real emulator
// (DESIGN.md, "Execution environments").
const rieName = "aws-lambda-rie"

func main() {
	setProcs(os.Getenv)
	ctx, force := signalContext()
	err := run(ctx, os.Args, os.Getenv, os.Environ(), os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
	}
	force()
	os.Exit(exitCode(err))
}

// signalContext returns a context cancelled by the first SIGTERM or SIGINT,
// which asks for a graceful stop. A second signal cancels the context's hard
// stop (see withHardStop): the daemon then kills its instances at once
// instead of waiting out the grace period, so that even an impatient stop
// leaves no runtime process behind. A third signal gets the default action.
// The returned function releases the signal handling.
func signalContext() (context.Context, func()) {
	hard, forceStop := context.WithCancel(context.Background())
	ctx, stop := context.WithCancelCause(withHardStop(context.Background(), hard))
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			stop(fmt.Errorf("received %v", sig))
		case <-done:
			return
		}
		select {
		case <-sigs:
			forceStop()
			signal.Reset(syscall.SIGTERM, syscall.SIGINT)
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		signal.Stop(sigs)
		stop(nil)
		forceStop()
	}
}

// hardStopKey is the context key of the hard-stop context.
type hardStopKey struct{}

// withHardStop returns ctx carrying hard: a context that is cancelled when
// the daemon must stop at once (a second signal), while ctx itself is
// cancelled when it should stop gracefully. The shutdown deadline derives
// from hard, so cancelling it cuts the grace period short.
func withHardStop(ctx, hard context.Context) context.Context {
	return context.WithValue(ctx, hardStopKey{}, hard)
}

// hardStop returns the hard-stop context carried by ctx, or a context that
// is never cancelled if there is none (tests that call run directly).
func hardStop(ctx context.Context) context.Context {
	if hard, ok := ctx.Value(hardStopKey{}).(context.Context); ok {
		return hard
	}
	return context.WithoutCancel(ctx)
}

// run is the whole program: args are the command line including the
// program name (os.Args), getenv and environ the environment, stdout the
// functions' output and stderr the harness's own log. Cancelling ctx stops
// a daemon gracefully. A *usageError means the command line or the
// configuration is wrong (exit status 2); any other error is a failure
// (exit status 1).
func run(ctx context.Context, args []string, getenv func(string) string, environ []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		args = []string{"lambda-harness"}
	}
	if filepath.Base(args[0]) == rieName {
		return runRIE(ctx, rieName, args[1:], getenv, environ, stdout, stderr)
	}
	args = args[1:]
	if len(args) == 0 {
		printUsage(stderr)
		return usageErrorf("", "no command given")
	}
	switch cmd := args[0]; cmd {
	case "serve":
		return runServe(ctx, args[1:], getenv, environ, stdout, stderr)
	case "rie":
		return runRIE(ctx, "lambda-harness rie", args[1:], getenv, environ, stdout, stderr)
	case "version", "-version", "--version":
		printVersion(stdout)
		return nil
	case "help", "-h", "-help", "--help":
		return runHelp(args[1:], getenv, stdout, stderr)
	default:
		printUsage(stderr)
		return usageErrorf("", "unknown command %q", cmd)
	}
}

// runHelp prints the usage of the top level or of one command.
func runHelp(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printUsage(stdout)
		return nil
	}
	switch args[0] {
	case "serve":
		printServeUsage(stdout, getenv)
	case "rie", rieName:
		printRIEUsage(stdout, "lambda-harness rie", getenv)
	case "version", "help":
		printUsage(stdout)
	default:
		printUsage(stderr)
		return usageErrorf("", "unknown command %q", args[0])
	}
	return nil
}

// usageError is a mistake in the command line or the configuration: the
// user has to change how the harness is started.
type usageError struct {
	// cmd is the command whose --help explains the mistake, e.g.
	// "lambda-harness serve"; "" for the top level.
	cmd string
	msg string
}

func usageErrorf(cmd, format string, args ...any) error {
	return &usageError{cmd: cmd, msg: fmt.Sprintf(format, args...)}
}

func (e *usageError) Error() string {
	cmd := e.cmd
	if cmd == "" {
		cmd = "lambda-harness"
	}
	return fmt.Sprintf("%s\nRun '%s --help' for usage.", e.msg, cmd)
}

// errForced is returned when a second signal cut the graceful stop short.
var errForced = errors.New("stopped at once by a second signal; in-flight invocations were killed")

// exitCode maps run's result to the process's exit status: 0 for success,
// 2 for usage errors (as the flag package and most Unix tools do), 1 for
// anything else.
func exitCode(err error) int {
	var u *usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &u):
		return 2
	default:
		return 1
	}
}
