package process

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
)

// startExtensions starts the external extensions at paths, in order, before
// the runtime, as Lambda starts the executables of /opt/extensions
// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-extensions.html).
// They get the runtime's environment (AWS_LAMBDA_RUNTIME_API included) and
// output pipes, and share one process group, led by the first, that the
// runtime joins: Kill and the runtime's exit end them too. It returns the
// group id, 0 when there is nothing to start, and a channel closed once
// every extension has exited.
//
// Each extension is waited for by a goroutine of its own, which ends when
// the extension exits; at the latest when its group is killed.
func startExtensions(paths, env []string, dir string, stdout, stderr *os.File, log *slog.Logger) (int, <-chan struct{}, error) {
	pgid := 0
	var wg sync.WaitGroup
	done := make(chan struct{})
	defer func() {
		go func() { wg.Wait(); close(done) }()
	}()
	for _, path := range paths {
		cmd := &exec.Cmd{
			Path:        path,
			Args:        []string{path},
			Env:         env,
			Dir:         dir,
			Stdout:      stdout,
			Stderr:      stderr,
			SysProcAttr: &syscall.SysProcAttr{Setpgid: true, Pgid: pgid},
		}
		if err := cmd.Start(); err != nil {
			if pgid != 0 {
				syscall.Kill(-pgid, syscall.SIGKILL)
			}
			return 0, done, fmt.Errorf("start extension %s: %w", path, err)
		}
		if pgid == 0 {
			pgid = cmd.Process.Pid
		}
		log.Debug("extension started", "path", path, "pid", cmd.Process.Pid)
		wg.Go(func() { cmd.Wait() })
	}
	return pgid, done, nil
}

// ExtensionsDone is closed once every external extension has exited.
func (p *process) ExtensionsDone() <-chan struct{} { return p.extDone }
