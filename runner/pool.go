package runner

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// pool holds the instances of one function.
type pool struct {
	fn  invoke.Function
	r   *Runner
	log *slog.Logger

	mu sync.Mutex // protects the fields below
	// idle instances, least recently used first: acquire takes from the
	// end so the warmest instance is reused and the coldest ones age out.
	idle []*instance
	// all counts the instances alive or starting, at most fn.Concurrency.
	all map[*instance]struct{}
	// waiters are invocations waiting for an instance, first come first
	// served, at most fn.QueueSize.
	waiters []chan *instance
	closed  bool
}

func newPool(r *Runner, fn invoke.Function) *pool {
	return &pool{
		fn:  fn,
		r:   r,
		log: r.log.With("function", fn.Name),
		all: make(map[*instance]struct{}),
	}
}

// acquire returns an instance the caller owns until release. A new
// instance may still be initialising (or may have failed to start): call
// awaitReady before running an invocation on it.
func (p *pool) acquire(ctx context.Context) (*instance, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, invoke.Errorf(invoke.Unavailable, "The function %s is shutting down.", p.fn.Name)
	}
	if n := len(p.idle); n > 0 {
		in := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return in, nil
	}
	if len(p.all) < p.fn.Concurrency {
		in := p.newInstance()
		p.mu.Unlock()
		p.launch(in)
		return in, nil
	}
	if len(p.waiters) >= max(p.fn.QueueSize, 0) {
		p.mu.Unlock()
		return nil, invoke.Errorf(invoke.Throttled, "Rate Exceeded.")
	}
	ch := make(chan *instance, 1)
	p.waiters = append(p.waiters, ch)
	p.mu.Unlock()

	select {
	case in, ok := <-ch:
		if !ok {
			return nil, invoke.Errorf(invoke.Unavailable, "The function %s is shutting down.", p.fn.Name)
		}
		return in, nil
	case <-ctx.Done():
		p.mu.Lock()
		for i, w := range p.waiters {
			if w == ch {
				p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
				break
			}
		}
		p.mu.Unlock()
		// An instance may have been handed over meanwhile: give it back.
		select {
		case in := <-ch:
			p.release(in)
		default:
		}
		return nil, invoke.Wrap(invoke.Unavailable, "The invocation was cancelled while waiting for an instance.", ctx.Err())
	}
}

// newInstance registers a new instance. p.mu must be held.
func (p *pool) newInstance() *instance {
	id := invoke.NewRequestID()
	in := &instance{
		id:          id,
		pool:        p,
		log:         p.log.With("instance_id", id),
		ready:       make(chan struct{}),
		dead:        make(chan struct{}),
		initFailed:  make(chan struct{}),
		stopped:     make(chan struct{}),
		invocations: make(chan *invocation),
		tel:         newTelemetry(p.r.telClient),
		cold:        true,
	}
	p.all[in] = struct{}{}
	return in
}

// launch starts in. On failure the instance is dead and forgotten, and
// awaitReady reports the failure to the invocation that gets it.
func (p *pool) launch(in *instance) {
	// The launch must not die with one caller's context: the instance
	// outlives the invocation that started it.
	if err := in.start(context.Background(), p.r); err != nil {
		p.log.Warn("cannot start runtime", "instance_id", in.id, "error", err)
		in.launchErr = err
		in.markDead() // start closed the listener
		p.forget(in)
		return
	}
	p.log.Debug("instance started", "instance_id", in.id)
}

// release gives an instance back after an invocation: to the first waiter,
// else to the idle list. A dead instance is forgotten, and a waiter gets a
// fresh instance in its place.
func (p *pool) release(in *instance) {
	if in.isDead() {
		p.forget(in)
		return
	}
	p.mu.Lock()
	if len(p.waiters) > 0 {
		ch := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.mu.Unlock()
		ch <- in
		return
	}
	in.lastUsed = time.Now()
	p.idle = append(p.idle, in)
	p.mu.Unlock()
}

// forget drops a dead instance and, if callers wait, launches a
// replacement for the first of them. Idempotent.
func (p *pool) forget(in *instance) {
	p.mu.Lock()
	if _, ok := p.all[in]; !ok {
		p.mu.Unlock()
		return
	}
	delete(p.all, in)
	for i, x := range p.idle {
		if x == in {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			break
		}
	}
	if len(p.waiters) == 0 || p.closed {
		p.mu.Unlock()
		return
	}
	ch := p.waiters[0]
	p.waiters = p.waiters[1:]
	next := p.newInstance()
	p.mu.Unlock()
	// The waiter gets the new instance whether or not it starts: a failed
	// start is the waiter's init failure, as on Lambda.
	go func() {
		p.launch(next)
		ch <- next
	}()
}

// reap kills instances idle for longer than the function's idle timeout.
func (p *pool) reap(now time.Time) {
	var old []*instance
	p.mu.Lock()
	for len(p.idle) > 0 && now.Sub(p.idle[0].lastUsed) >= p.fn.IdleTimeout {
		old = append(old, p.idle[0])
		p.idle = p.idle[1:]
	}
	p.mu.Unlock()
	for _, in := range old {
		p.log.Debug("reaping idle instance", "instance_id", in.id)
		in.kill(reasonSpindown)
		p.forget(in)
	}
}

// close stops handing out instances and kills them all. Waiters are told
// the function is shutting down.
func (p *pool) close(ctx context.Context) {
	p.mu.Lock()
	p.closed = true
	ins := make([]*instance, 0, len(p.all))
	for in := range p.all {
		ins = append(ins, in)
	}
	p.idle = nil
	waiters := p.waiters
	p.waiters = nil
	p.mu.Unlock()
	for _, ch := range waiters {
		close(ch)
	}
	for _, in := range ins {
		in.kill(reasonSpindown)
	}
	for _, in := range ins {
		in.wait(ctx)
	}
}

// size returns the number of instances and of idle ones.
func (p *pool) size() (all, idle int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.all), len(p.idle)
}
