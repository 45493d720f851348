package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"golang.org/x/sync/errgroup"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// serveUntilDone serves the Invoke API on ln and runs the runner's
// background work until ctx is cancelled (a signal) or one of them fails,
// then stops gracefully:
//
//  1. the HTTP server stops accepting and waits for in-flight requests,
//     which are waiting for their invocations;
//  2. the runner refuses new invocations, lets in-flight ones and queued
//     Event invocations finish, then kills every instance and waits for it.
//
// Both steps share one deadline, cfg.GracePeriod from the signal, cut short
// by a hard stop (a second signal). Every instance is dead when it returns,
// so no runtime process outlives the harness.
func serveUntilDone(ctx context.Context, log *slog.Logger, ln net.Listener, h http.Handler, rn *runner.Runner, cfg daemonConfig) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// The runner's background work outlives the signal: it must go on
	// while Shutdown drains, so it has its own context, cancelled last.
	runCtx, stopRunner := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRunner()

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve http: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		if err := rn.Run(runCtx); err != nil {
			return fmt.Errorf("runner: %w", err)
		}
		return nil
	})
	if cfg.Warm > 0 {
		g.Go(func() error { return warmAll(gctx, log, rn, cfg.Functions, cfg.Warm) })
	}
	g.Go(func() error {
		<-gctx.Done()
		defer stopRunner()
		return shutdown(ctx, log, hs, rn, cfg)
	})
	return g.Wait()
}

// shutdown stops the HTTP server and then the runner within the grace
// period (see serveUntilDone). A grace period that runs out is logged, not
// an error: the harness still stops cleanly. A hard stop is an error.
func shutdown(ctx context.Context, log *slog.Logger, hs *http.Server, rn *runner.Runner, cfg daemonConfig) error {
	reason := "stopping"
	if cause := context.Cause(ctx); cause != nil {
		reason = cause.Error()
	}
	log.Info("shutting down", "reason", reason, "grace_period", cfg.GracePeriod)
	hard := hardStop(ctx)
	sctx, cancel := context.WithTimeout(hard, cfg.GracePeriod)
	defer cancel()

	httpErr := hs.Shutdown(sctx)
	if httpErr != nil {
		log.Warn("grace period over with requests in flight", "err", httpErr)
	}
	if err := rn.Shutdown(sctx); err != nil {
		log.Warn("runner stopped before its work was done", "err", err)
	}
	if httpErr != nil {
		// The instances are dead, so the remaining handlers are answering
		// with failures; cut their connections rather than wait.
		hs.Close()
	}
	if hard.Err() != nil {
		return errForced
	}
	log.Info("stopped")
	return nil
}

// warmAll starts n instances of every function (runner.Warm caps n at each
// function's concurrency) at once and waits until they are ready. A function that
// cannot start is a startup failure; being interrupted by a stop is not.
func warmAll(ctx context.Context, log *slog.Logger, rn *runner.Runner, fns []invoke.Function, n int) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, fn := range fns {
		g.Go(func() error {
			if err := rn.Warm(gctx, fn.Name, n); err != nil {
				return fmt.Errorf("warm function %s: %w", fn.Name, err)
			}
			log.Debug("warmed", "function", fn.Name, "instances", n)
			return nil
		})
	}
	err := g.Wait()
	if err != nil && ctx.Err() != nil {
		return nil
	}
	return err
}
