package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"
)

// directReplyTo is RabbitMQ's pseudo-queue for RPC replies: consumed with
// auto-ack on the channel that publishes the requests.
const directReplyTo = "amq.rabbitmq.reply-to"

// requestTimeout bounds the wait for one reply: a request lost or returned
// unroutable counts as an error instead of stopping its requester.
const requestTimeout = 10 * time.Second

type loadConfig struct {
	url, queue       string
	requesters       int
	duration, warmup time.Duration
	payload          []byte
	confirm          bool
}

// result is what a load run measured.
type result struct {
	requesters int
	latencies  []time.Duration // of the measured requests, sorted
	elapsed    time.Duration
	errors     int
}

func (r result) String() string {
	pct := func(p float64) float64 {
		if len(r.latencies) == 0 {
			return 0
		}
		i := min(int(float64(len(r.latencies))*p), len(r.latencies)-1)
		return float64(r.latencies[i].Microseconds()) / 1000
	}
	return fmt.Sprintf("requesters=%d requests=%d seconds=%.2f rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d",
		r.requesters, len(r.latencies), r.elapsed.Seconds(), float64(len(r.latencies))/r.elapsed.Seconds(),
		pct(0.50), pct(0.99), r.errors)
}

// load runs cfg.requesters requesters for the warm-up and then the
// measured duration.
func load(ctx context.Context, cfg loadConfig) (result, error) {
	reqs := make([]*requester, cfg.requesters)
	for i := range reqs {
		r, err := newRequester(cfg, i)
		if err != nil {
			return result{}, err
		}
		defer r.close()
		reqs[i] = r
	}
	start := time.Now()
	measureFrom := start.Add(cfg.warmup)
	end := measureFrom.Add(cfg.duration)
	var wg sync.WaitGroup
	for _, r := range reqs {
		wg.Go(func() { r.run(ctx, measureFrom, end) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return result{}, ctx.Err()
	}
	res := result{requesters: cfg.requesters, elapsed: time.Since(measureFrom)}
	if last := time.Now(); last.After(end) {
		res.elapsed = end.Sub(measureFrom)
	}
	for _, r := range reqs {
		res.latencies = append(res.latencies, r.latencies...)
		res.errors += r.errors
	}
	slices.Sort(res.latencies)
	return res, nil
}

// requester is one client: a connection, a channel that publishes and
// receives the replies, and what it measured.
type requester struct {
	cfg     loadConfig
	id      int
	conn    *amqp091.Connection
	ch      *amqp091.Channel
	replies <-chan amqp091.Delivery
	returns <-chan amqp091.Return

	latencies []time.Duration
	errors    int
}

func newRequester(cfg loadConfig, id int) (*requester, error) {
	conn, err := amqp091.Dial(cfg.url)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	r := &requester{cfg: cfg, id: id, conn: conn}
	if r.ch, err = conn.Channel(); err != nil {
		conn.Close()
		return nil, err
	}
	if cfg.confirm {
		if err := r.ch.Confirm(false); err != nil {
			conn.Close()
			return nil, err
		}
	}
	r.returns = r.ch.NotifyReturn(make(chan amqp091.Return, 1))
	if r.replies, err = r.ch.Consume(directReplyTo, "", true, false, false, false, nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("consume %s: %w", directReplyTo, err)
	}
	return r, nil
}

func (r *requester) close() { r.conn.Close() }

// run sends requests one after the other until end, keeping the latencies
// of those sent from measureFrom on.
func (r *requester) run(ctx context.Context, measureFrom, end time.Time) {
	for seq := 0; ctx.Err() == nil; seq++ {
		t := time.Now()
		if t.After(end) {
			return
		}
		err := r.call(ctx, strconv.Itoa(r.id)+"-"+strconv.Itoa(seq))
		if t.Before(measureFrom) {
			continue
		}
		if err != nil {
			r.errors++
			continue
		}
		r.latencies = append(r.latencies, time.Since(t))
	}
}

// call publishes one request and waits for its confirm and its reply.
func (r *requester) call(ctx context.Context, id string) error {
	msg := amqp091.Publishing{
		ContentType:   "application/json",
		CorrelationId: id,
		ReplyTo:       directReplyTo,
		Body:          r.cfg.payload,
	}
	var confirm *amqp091.DeferredConfirmation
	var err error
	if r.cfg.confirm {
		confirm, err = r.ch.PublishWithDeferredConfirmWithContext(ctx, "", r.cfg.queue, true, false, msg)
	} else {
		err = r.ch.PublishWithContext(ctx, "", r.cfg.queue, true, false, msg)
	}
	if err != nil {
		return err
	}
	timeout := time.NewTimer(requestTimeout)
	defer timeout.Stop()
	if confirm != nil {
		select {
		case <-confirm.Done():
			if !confirm.Acked() {
				return errors.New("request nacked by the broker")
			}
		case <-timeout.C:
			return errors.New("no confirm")
		}
	}
	for {
		select {
		case d, ok := <-r.replies:
			if !ok {
				return errors.New("reply channel closed")
			}
			if d.CorrelationId == id {
				return nil
			}
			// A late reply to a request that timed out.
		case ret := <-r.returns:
			return fmt.Errorf("returned: %s", ret.ReplyText)
		case <-timeout.C:
			return errors.New("no reply")
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// waitConsumer waits until queue exists and has a consumer.
func waitConsumer(ctx context.Context, url, queue string, limit time.Duration) error {
	conn, err := amqp091.Dial(url)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	deadline := time.Now().Add(limit)
	for {
		ch, err := conn.Channel()
		if err != nil {
			return err
		}
		q, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil)
		if err == nil {
			ch.Close()
			if q.Consumers > 0 {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("queue %s has no consumer after %s", queue, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
