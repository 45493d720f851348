package process

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/lambda-harness/lambda-harness/runner"
)

// Config configures a Launcher.
type Config struct {
	// HostEnv is the host environment as KEY=value, already stripped of the
	// harness's own settings and secrets by cmd (only cmd reads the
	// environment). Runtimes inherit only part of it (see Launch).
	HostEnv []string
	// Logger receives debug records of starts and exits; nil discards them.
	Logger *slog.Logger
}

// Launcher starts runtimes as local processes. It is safe for concurrent
// use.
type Launcher struct {
	hostEnv []string
	log     *slog.Logger
	// children says whether /proc lists a task's children (see memory).
	children bool
	// runtimes are the main processes started and not yet waited for.
	runtimes pids
}

var _ runner.Launcher = (*Launcher)(nil)

// New returns a Launcher configured by cfg.
func New(cfg Config) (*Launcher, error) {
	for _, kv := range cfg.HostEnv {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return nil, fmt.Errorf("process launcher: host environment entry %q: want KEY=value", kv)
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Launcher{
		hostEnv:  append([]string(nil), cfg.HostEnv...),
		log:      log,
		children: procChildren(),
	}, nil
}

// Launch starts the function's runtime command, or its exec wrapper
// (AWS_LAMBDA_EXEC_WRAPPER in the final environment) with the command as
// arguments unless the command already starts with the wrapper, in the
// function's working directory and a process group of its own.
//
// The environment is PATH, HOME, TZ and LANG from the host (PATH defaults
// to the usual system directories), plus the host variables the function
// names in PassEnv (all of them for "*"), with spec.Env on top.
//
// A runtime or wrapper that does not exist or is not executable is an
// error that says so, returned before anything starts. ctx bounds only the
// start: the process lives on until Kill or its own exit.
func (l *Launcher) Launch(ctx context.Context, spec runner.Spec) (runner.Process, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fn := spec.Function
	if len(fn.Command) == 0 {
		return nil, fmt.Errorf("function %s: no runtime command", fn.Name)
	}
	if fn.WorkingDir != "" {
		if fi, err := os.Stat(fn.WorkingDir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("working directory %s: does not exist", fn.WorkingDir)
		}
	}
	env := buildEnv(l.hostEnv, fn.PassEnv, spec.Env)
	path, argv, err := commandLine(fn.Command, fn.WorkingDir, env)
	if err != nil {
		return nil, err
	}

	// The runtime writes into pipes of our own rather than ones os/exec
	// makes, so that the read ends stay ours: they take a deadline once the
	// runtime has exited (see process.wait), where os/exec's would be closed
	// by Wait before the output was read to the end.
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		stdoutR.Close()
		stdoutW.Close()
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}
	extensions, err := runner.ExtensionFiles(fn.ExtensionsDir)
	if err != nil {
		stdoutR.Close()
		stdoutW.Close()
		stderrR.Close()
		stderrW.Close()
		return nil, fmt.Errorf("extensions directory: %w", err)
	}
	// The extensions write into a pipe of their own, so that their lines
	// can be told from the runtime's (the Telemetry API's "extension" type).
	var extR, extW *os.File
	if len(extensions) > 0 {
		if extR, extW, err = os.Pipe(); err != nil {
			stdoutR.Close()
			stdoutW.Close()
			stderrR.Close()
			stderrW.Close()
			return nil, fmt.Errorf("extensions output: %w", err)
		}
	}
	pgid, extDone, err := startExtensions(extensions, env, fn.WorkingDir, extW, extW, l.log)
	if extW != nil {
		extW.Close() // the extensions have their copies
	}
	if err != nil {
		stdoutR.Close()
		stdoutW.Close()
		stderrR.Close()
		stderrW.Close()
		if extR != nil {
			extR.Close()
		}
		return nil, err
	}
	cmd := &exec.Cmd{
		Path:   path,
		Args:   argv,
		Env:    env,
		Dir:    fn.WorkingDir,
		Stdout: stdoutW,
		Stderr: stderrW,
		// A group of its own, so that Kill reaches whatever the runtime
		// starts (a wrapper's extensions, a shell's children) and a signal
		// to the harness's group does not reach the runtime.
		// The external extensions' group when there are any.
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true, Pgid: pgid},
	}
	err = cmd.Start()
	// The child has its copies of the write ends; ours must go, or the
	// readers would never see the end of the output.
	stdoutW.Close()
	stderrW.Close()
	if err != nil {
		stdoutR.Close()
		stderrR.Close()
		if extR != nil {
			extR.Close()
		}
		if pgid != 0 {
			syscall.Kill(-pgid, syscall.SIGKILL)
		}
		return nil, fmt.Errorf("start %s: %w", argv[0], err)
	}

	pid := cmd.Process.Pid
	if pgid == 0 {
		pgid = pid // Setpgid with Pgid 0: the group is named after the leader
	}
	l.runtimes.add(pid)
	// Both are pipes, which always have a raw connection.
	outR, _ := newPipeReader(stdoutR)
	errR, _ := newPipeReader(stderrR)
	p := &process{
		stdout:  outR,
		stderr:  errR,
		cmd:     cmd,
		pgid:    pgid,
		extDone: extDone,
		hasExt:  len(extensions) > 0,
		ext:     extR,
		killedC: make(chan struct{}),
		log: l.log.With("function", fn.Name, "instance_id", spec.InstanceID,
			"pid", pid),
		done: make(chan struct{}),
		mem:  memory{pid: pid, pgid: pgid, children: l.children},
	}
	p.log.Debug("runtime started", "command", argv)
	go func() {
		p.wait(stdoutR, stderrR, spec.Output)
		l.runtimes.remove(pid)
	}()
	return p, nil
}
