package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"golang.org/x/sync/errgroup"

	"github.com/lambda-harness/lambda-harness/amqp"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// broker is the harness's side of RabbitMQ, when it has one: the consumer
// of the local functions' queues and the gateway's client.
type broker struct {
	// consumer consumes the local functions' queues; nil without a broker
	// or without local functions.
	consumer *amqp.Consumer
	// invoker is what the consumer invokes: the runner, abandoned when
	// the consumer's grace period ends.
	invoker *abandoning
	// client routes the gateway's remote invocations; nil unless
	// --gateway. serveUntilDone closes it.
	client *amqp.Client
}

// serveUntilDone serves the Invoke API on ln, consumes the functions'
// queues on the broker, if any, and runs the runner's background work until
// ctx is cancelled (a signal) or one of them fails, then stops gracefully:
//
//  1. the HTTP server stops accepting and waits for in-flight requests,
//     which are waiting for their invocations, and the consumer stops
//     consuming, requeues the deliveries it had not started and lets its
//     in-flight invocations finish; what is still running at the end of the
//     grace period it requeues (basic.nack), for another worker to run;
//  2. the gateway's client closes, once the HTTP requests it served are
//     answered;
//  3. once the consumer is done, the runner refuses new invocations, lets
//     in-flight ones and queued Event invocations finish, then kills every
//     instance and waits for it.
//
// All steps share one deadline, cfg.GracePeriod from the signal, cut short
// by a hard stop (a second signal). Every instance is dead when it returns,
// so no runtime process outlives the harness.
func serveUntilDone(ctx context.Context, log *slog.Logger, ln net.Listener, h http.Handler, rn *runner.Runner, b broker, cfg daemonConfig) error {
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
	// consumed is closed when the consumer has settled every delivery.
	consumed := make(chan struct{})
	if b.consumer != nil {
		g.Go(func() error {
			defer close(consumed)
			// It stops consuming when gctx is done, and returns an error
			// only when connection_attempts were spent before a first
			// connection: that stops the harness, as it stops RAPID.
			return b.consumer.Run(gctx)
		})
	} else {
		close(consumed)
	}
	if cfg.Warm > 0 {
		g.Go(func() error { return warmAll(gctx, log, rn, cfg.Functions, cfg.Warm) })
	}
	g.Go(func() error {
		<-gctx.Done()
		defer stopRunner()
		return shutdown(ctx, gctx, log, hs, rn, b, consumed, cfg)
	})
	return g.Wait()
}

// shutdown stops the HTTP server, the gateway's client, then — once the
// consumer is done — the runner, within the grace period (see
// serveUntilDone). A grace period that runs out is logged, not an error:
// the harness still stops cleanly. A hard stop is an error.
func shutdown(ctx, gctx context.Context, log *slog.Logger, hs *http.Server, rn *runner.Runner, b broker, consumed <-chan struct{}, cfg daemonConfig) error {
	// The signal, or the error that stopped the harness.
	reason := "stopping"
	if cause := context.Cause(gctx); cause != nil && cause != context.Canceled {
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
	if b.client != nil {
		if err := b.client.Close(); err != nil {
			log.Warn("gateway's broker client", "err", err)
		}
	}
	// The consumer's own grace period is the same: it is done by the
	// deadline, unless a reply is slow to be confirmed. A hard stop does
	// not wait for it; killing the instances ends its invocations.
	select {
	case <-consumed:
	case <-hard.Done():
	}
	if err := rn.Shutdown(sctx); err != nil {
		log.Warn("runner stopped before its work was done", "err", err)
	}
	if b.invoker != nil {
		b.invoker.Wait()
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
