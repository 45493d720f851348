package amqp

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testutil"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

// The tests in this file restart the broker. They do not call t.Parallel:
// Go runs them one at a time, before any parallel test of the package
// resumes, so no other test sees the outage.

// TestBrokerRestartLosesNoEvent restarts the broker while 1,000 Events are
// queued or running on a durable queue: every Event the broker confirmed
// must run at least once.
func TestBrokerRestartLosesNoEvent(t *testing.T) {
	url := testURL(t)
	rabbitmqctl(t, url)
	fn := uniqueName(t, url, "restart-events")
	runs := newCounter()
	fake := &invoketest.Invoker{Func: func(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
		runs.add(req.RequestID)
		time.Sleep(20 * time.Millisecond)
		return invoketest.Echo(req), nil
	}}
	runConsumer(t, ConsumerConfig{URL: url, QueueKind: QueueDurable, Functions: []invoke.Function{{Name: fn, Concurrency: 10}}}, fake)
	testutil.WaitConsumers(t, url, fn, 1)
	client := newTestClient(t, ClientConfig{URL: url, ConnectWait: 2 * time.Second})

	const total = 1000
	var (
		mu       sync.Mutex // protects accepted
		accepted []string
		refused  atomic.Int64
		next     atomic.Int64
	)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for next.Add(1) <= total {
				for {
					req := &invoke.Request{RequestID: invoke.NewRequestID(), FunctionName: fn, Type: invoke.Event, Payload: []byte(`{}`)}
					_, err := client.Invoke(context.Background(), req)
					if err == nil {
						mu.Lock()
						accepted = append(accepted, req.RequestID)
						n := len(accepted)
						mu.Unlock()
						if n > 700 {
							// The last ones paced, so that publishing goes
							// on through the restart.
							time.Sleep(20 * time.Millisecond)
						}
						break
					}
					// Not accepted (no 202): the caller retries.
					refused.Add(1)
					if invoke.KindOf(err) != invoke.Unavailable && invoke.KindOf(err) != invoke.NotFound {
						t.Errorf("publish during the restart: %v", err)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	for ids, _ := runs.distinct(); ids < 100; ids, _ = runs.distinct() {
		time.Sleep(5 * time.Millisecond)
	}
	queued := queueDepth(t, url, fn)
	restartBroker(t, url)
	t.Logf("restarted the broker with %d events queued and more being published", queued)
	wg.Wait()

	deadline := time.Now().Add(60 * time.Second)
	lost := total
	for time.Now().Before(deadline) {
		lost = 0
		for _, id := range accepted {
			if runs.get(id) == 0 {
				lost++
			}
		}
		if lost == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	ids, all := runs.distinct()
	t.Logf("events: sent %d, accepted %d, refused during the outage %d (retried); executed %d distinct (%d runs, %d repeats); lost %d",
		total, len(accepted), refused.Load(), ids, all, all-ids, lost)
	if lost != 0 {
		t.Errorf("%d accepted events never ran", lost)
	}
}

// TestBrokerRestartDuringSyncLoad restarts the broker under RequestResponse
// load: every call must end with a result or a clear error within its
// deadline, and calls must succeed again once the broker is back.
func TestBrokerRestartDuringSyncLoad(t *testing.T) {
	url := testURL(t)
	rabbitmqctl(t, url)
	fn := uniqueName(t, url, "restart-sync")
	fake := &invoketest.Invoker{Func: func(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
		time.Sleep(2 * time.Millisecond)
		return invoketest.Echo(req), nil
	}}
	runConsumer(t, ConsumerConfig{URL: url, Functions: []invoke.Function{{Name: fn, Concurrency: 8}}}, fake)
	testutil.WaitConsumers(t, url, fn, 1)
	const timeout, margin, connectWait = 2 * time.Second, time.Second, time.Second
	client := newTestClient(t, ClientConfig{URL: url, Timeout: timeout, Margin: margin, ConnectWait: connectWait})
	limit := timeout + margin + 500*time.Millisecond // the deadline, and scheduling slack

	var (
		sent, answered, slow atomic.Int64
		mu                   sync.Mutex // protects errs
		errs                 = map[string]int{}
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				sent.Add(1)
				start := time.Now()
				resp, err := client.Invoke(context.Background(), &invoke.Request{FunctionName: fn, Payload: []byte(`{"k":1}`)})
				if d := time.Since(start); d > limit {
					slow.Add(1)
					t.Errorf("a call took %s; want at most %s", d, limit)
				}
				switch {
				case err == nil && string(resp.Payload) == `{"k":1}`:
					answered.Add(1)
				case err == nil:
					t.Errorf("wrong reply %s", resp.Payload)
				default:
					var ie *invoke.Error
					if !errors.As(err, &ie) || ie.Message == "" {
						t.Errorf("unclear error %v", err)
					}
					mu.Lock()
					errs[invoke.KindOf(err).String()+": "+invoke.MessageOf(err)]++
					mu.Unlock()
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	before := answered.Load()
	restartBroker(t, url)
	// Calls must succeed again: the consumer and the client reconnect and
	// the consumer declares its queue again.
	after := answered.Load()
	deadline := time.Now().Add(20 * time.Second)
	for answered.Load() < after+100 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	t.Logf("calls: sent %d, answered %d (%d before the restart), failed with a clear error %d, over the deadline %d",
		sent.Load(), answered.Load(), before, sent.Load()-answered.Load(), slow.Load())
	for e, n := range errs {
		t.Logf("  %4d × %s", n, e)
	}
	if answered.Load() < after+100 {
		t.Errorf("calls did not recover after the restart: %d answered since", answered.Load()-after)
	}
}
