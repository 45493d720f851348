package main

import (
	"context"
	"log/slog"

	"github.com/lambda-harness/lambda-harness/runner/container"
)

// containerLauncher is the container launcher as serve holds it: started
// by newContainerLauncher, closed after the runner's Shutdown.
type containerLauncher interface {
	imageLauncher
	Close() error
}

// newContainerLauncher connects to the Docker engine of cfg: container.New
// pings it, so an unreachable engine fails here, at start, and removes the
// containers a previous run of the same daemon name left behind.
func newContainerLauncher(ctx context.Context, cfg containerConfig, logger *slog.Logger) (containerLauncher, error) {
	l, err := container.New(ctx, container.Config{
		Host:          cfg.Host,
		HarnessBinary: cfg.HarnessBinary,
		Daemon:        cfg.Daemon,
		DefaultMode:   cfg.DefaultMode,
		Logger:        logger,
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}
