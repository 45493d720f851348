package amqp

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testutil"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

// slowEcho is a fake function runner that takes d per invocation and counts
// them.
func slowEcho(d time.Duration, n *atomic.Int64) *invoketest.Invoker {
	return &invoketest.Invoker{Func: func(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
		n.Add(1)
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return nil, invoke.Wrap(invoke.Unavailable, "stopped", ctx.Err())
		}
		return invoketest.Echo(req), nil
	}}
}

func TestTwoConsumersShareAQueue(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	fn := uniqueName(t, url, "share")
	var a, b atomic.Int64
	fns := []invoke.Function{{Name: fn, Concurrency: 2}}
	runConsumer(t, ConsumerConfig{URL: url, Functions: fns}, slowEcho(5*time.Millisecond, &a))
	runConsumer(t, ConsumerConfig{URL: url, Functions: fns}, slowEcho(5*time.Millisecond, &b))
	testutil.WaitConsumers(t, url, fn, 2)
	client := newTestClient(t, ClientConfig{URL: url, Timeout: 10 * time.Second})
	const calls = 200
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range 8 {
		wg.Go(func() {
			for range calls / 8 {
				if _, err := client.Invoke(context.Background(), &invoke.Request{FunctionName: fn, Payload: []byte(`{}`)}); err != nil {
					failed.Add(1)
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	t.Logf("sent %d, answered %d, worker A ran %d, worker B ran %d", calls, calls-failed.Load(), a.Load(), b.Load())
	if a.Load() < calls/10 || b.Load() < calls/10 || a.Load()+b.Load() != calls {
		t.Errorf("work split %d / %d; want both workers busy and %d runs in all", a.Load(), b.Load(), calls)
	}
}

// TestShutdownRequeuesToTheOtherConsumer stops a worker while it holds
// deliveries: what it had not answered must go to the other worker, and
// every caller get an answer.
func TestShutdownRequeuesToTheOtherConsumer(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	fn := uniqueName(t, url, "handover")
	fns := []invoke.Function{{Name: fn, Concurrency: 5}}
	// Worker A is stuck on whatever it takes; it gets 100ms to finish once
	// told to stop.
	var aRan atomic.Int64
	_, stopA := runConsumer(t, ConsumerConfig{URL: url, QueueKind: QueueDurable, Functions: fns,
		ShutdownGrace: 100 * time.Millisecond}, slowEcho(time.Hour, &aRan))
	testutil.WaitConsumers(t, url, fn, 1)
	client := newTestClient(t, ClientConfig{URL: url, Timeout: 20 * time.Second})

	const calls = 10 // 5 in A's hands, 5 waiting in the queue
	results := make(chan error, calls)
	for range calls {
		go func() {
			_, err := client.Invoke(context.Background(), &invoke.Request{FunctionName: fn, Payload: []byte(`{}`)})
			results <- err
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for aRan.Load() < 5 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if aRan.Load() != 5 {
		t.Fatalf("worker A runs %d; want its prefetch, 5", aRan.Load())
	}
	var bRan atomic.Int64
	runConsumer(t, ConsumerConfig{URL: url, QueueKind: QueueDurable, Functions: fns}, slowEcho(time.Millisecond, &bRan))
	testutil.WaitConsumers(t, url, fn, 2)
	stopA() // returns once A has requeued what it held

	answered := 0
	for range calls {
		if err := <-results; err != nil {
			t.Error(err)
		} else {
			answered++
		}
	}
	t.Logf("sent %d, answered %d, lost %d; worker A started %d and finished none, worker B ran %d",
		calls, answered, calls-answered, aRan.Load(), bRan.Load())
	if bRan.Load() != calls {
		t.Errorf("worker B ran %d; want all %d", bRan.Load(), calls)
	}
}
