package main

import (
	"context"
	"sync"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// abandoning is the invoke.Invoker the AMQP consumer calls: the runner,
// with the wait for a result that ends when ctx does, as the Invoker
// contract allows ("cancelling ctx abandons the wait").
//
// The runner lets an invocation handed to a runtime run to its end whatever
// its ctx, and so would keep the consumer waiting past its grace period. But
// a consumer that stops must give its unfinished deliveries back to the
// broker when the grace period ends, so that another worker runs them
// (at-least-once): it cancels the invocations' context then, and treats the
// Unavailable error returned here as "requeue". The abandoned invocation
// still runs until the runner's shutdown kills its instance; its result is
// dropped. A hard stop (a second signal) abandons every invocation at once,
// so that the consumer requeues them before their instances are killed
// rather than answering the callers with the runtimes' deaths.
type abandoning struct {
	inv invoke.Invoker
	// hard is the hard-stop context (see hardStop).
	hard context.Context
	// wg counts the invocations still running, abandoned or not.
	wg sync.WaitGroup
}

var _ invoke.Invoker = (*abandoning)(nil)

// Invoke calls the runner in a goroutine and returns its result, or an
// Unavailable error as soon as ctx is done or the harness must stop at once.
func (a *abandoning) Invoke(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, invoke.Wrap(invoke.Unavailable, "The harness is shutting down.", err)
	}
	type result struct {
		resp *invoke.Response
		err  error
	}
	done := make(chan result, 1)
	// The request is the runner's from here: an abandoned invocation may
	// still read it, so it gets its own copy.
	r := *req
	a.wg.Go(func() {
		resp, err := a.inv.Invoke(ctx, &r)
		done <- result{resp, err}
	})
	select {
	case res := <-done:
		if res.err == nil && res.resp != nil && req.RequestID == "" {
			req.RequestID = r.RequestID
		}
		return res.resp, res.err
	case <-ctx.Done():
		return nil, invoke.Wrap(invoke.Unavailable, "The harness is shutting down.", context.Cause(ctx))
	case <-a.hard.Done():
		return nil, invoke.Wrap(invoke.Unavailable, "The harness is stopping at once.", errForced)
	}
}

// Wait waits for every invocation, abandoned or not, to end: call it after
// the runner's shutdown, which ends them.
func (a *abandoning) Wait() { a.wg.Wait() }
