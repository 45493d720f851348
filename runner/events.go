package runner

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Event invocations: accepted at once, run by a fixed set of workers, and
// retried twice with backoff when the function fails, as Lambda does.
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
const eventRetries = 2

type eventItem struct {
	req     *invoke.Request
	attempt int
}

// events is the in-memory queue of Event invocations.
type events struct {
	r     *Runner
	log   *slog.Logger
	ch    chan eventItem
	delay time.Duration // first retry delay; doubled for each retry
	stop  chan struct{}
	// pending counts events queued, running or waiting for a retry.
	pending sync.WaitGroup
	workers sync.WaitGroup
}

func newEvents(r *Runner, size, workers int, delay time.Duration) *events {
	e := &events{
		r:     r,
		log:   r.log,
		ch:    make(chan eventItem, size),
		delay: delay,
		stop:  make(chan struct{}),
	}
	e.workers.Add(workers)
	for range workers {
		go e.work()
	}
	return e
}

// enqueue accepts an Event invocation, or throttles when the queue is full.
func (e *events) enqueue(req *invoke.Request) error {
	e.pending.Add(1)
	select {
	case e.ch <- eventItem{req: req}:
		return nil
	default:
		e.pending.Done()
		return invoke.Errorf(invoke.Throttled, "Rate Exceeded.")
	}
}

func (e *events) work() {
	defer e.workers.Done()
	for {
		select {
		case it := <-e.ch:
			e.run(it)
		case <-e.stop:
			return
		}
	}
}

func (e *events) run(it eventItem) {
	resp, err := e.r.invokeSync(context.Background(), it.req)
	failed := err != nil || resp.FunctionError != ""
	if !failed || it.attempt >= eventRetries {
		if failed {
			e.log.Warn("event invocation failed after retries", "function", it.req.FunctionName,
				"request_id", it.req.RequestID, "attempts", it.attempt+1, "error", errText(resp, err))
		}
		e.pending.Done()
		return
	}
	d := e.delay << it.attempt
	it.attempt++
	e.log.Info("retrying event invocation", "function", it.req.FunctionName,
		"request_id", it.req.RequestID, "attempt", it.attempt+1, "after", d, "error", errText(resp, err))
	time.AfterFunc(d, func() {
		select {
		case e.ch <- it:
		case <-e.stop:
			e.log.Warn("event dropped at shutdown", "function", it.req.FunctionName, "request_id", it.req.RequestID)
			e.pending.Done()
		}
	})
}

func errText(resp *invoke.Response, err error) string {
	if err != nil {
		return err.Error()
	}
	return resp.ErrorType
}

// drain waits until every accepted event has run (retries included) or ctx
// is done, then stops the workers. It reports how many events were left.
func (e *events) drain(ctx context.Context) int {
	done := make(chan struct{})
	go func() {
		e.pending.Wait()
		close(done)
	}()
	left := 0
	select {
	case <-done:
	case <-ctx.Done():
		left = len(e.ch)
	}
	close(e.stop)
	e.workers.Wait()
	for {
		select {
		case it := <-e.ch:
			e.log.Warn("event dropped at shutdown", "function", it.req.FunctionName, "request_id", it.req.RequestID)
			e.pending.Done()
		default:
			return left
		}
	}
}
