package amqp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Consumer serves functions to AMQP publishers: each function consumes the
// queue named after it, and every delivery becomes an invocation of an
// invoke.Invoker (the runner) whose result goes back to the delivery's
// reply_to (lambda-api.md §4).
//
// Unlike lambda-runtime-api-daemon, which acks without publisher confirms and
// never nacks (at-most-once: a broker restart or a crash loses requests), a
// delivery is acked only after its reply was confirmed by the broker, and
// requeued when the consumer stops before it was answered: at-least-once.
type Consumer struct {
	cfg    ConsumerConfig
	broker broker
	inv    invoke.Invoker
	log    *slog.Logger
	queues []*queue
}

// NewConsumer returns a Consumer of cfg.Functions' queues that invokes inv.
// It checks the configuration and connects nothing: Run does. A nil logger
// discards.
func NewConsumer(cfg ConsumerConfig, inv invoke.Invoker, log *slog.Logger) (*Consumer, error) {
	if inv == nil {
		return nil, errors.New("amqp: consumer: no invoker")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("amqp: consumer: %w", err)
	}
	b, err := parseBroker(cfg.URL, cfg.Username, cfg.Password)
	if err != nil {
		return nil, fmt.Errorf("amqp: consumer: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Consumer{cfg: cfg, broker: b, inv: inv, log: log}
	for _, fn := range cfg.Functions {
		c.queues = append(c.queues, &queue{
			c:       c,
			fn:      fn,
			dlq:     fn.Name + DeadLetterSuffix,
			log:     log.With("function", fn.Name, "queue", fn.Name),
			results: newResults(cfg.ReplyCacheSize, cfg.ReplyCacheBytes),
		})
	}
	return c, nil
}

// Run connects to the broker and consumes every function's queue until ctx
// is done, reconnecting and declaring the queues again after a broker
// restart or a dropped connection. When ctx is done it stops consuming
// (basic.cancel), requeues the deliveries it had not started, lets the
// invocations in flight finish for up to ShutdownGrace (their replies are
// still sent and their deliveries acked), requeues the rest, closes the
// connection and returns nil. It returns an error only when the broker URL's
// connection_attempts were all spent before a first connection.
//
// Run may be called again after it returned; the remembered results carry
// over.
func (c *Consumer) Run(ctx context.Context) error {
	conn := newConnection(c.broker, c.cfg.Name, c.log)
	// The connection outlives ctx until every queue is done: replies, acks
	// and nacks of the grace period need it.
	connCtx, stopConn := context.WithCancel(context.WithoutCancel(ctx))
	defer stopConn()
	// Invocations outlive ctx by the grace period.
	invCtx, stopInv := context.WithCancel(context.WithoutCancel(ctx))
	defer stopInv()
	grace := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(c.cfg.ShutdownGrace, stopInv)
		context.AfterFunc(invCtx, func() { t.Stop() })
	})
	defer grace()

	var connErr error
	connDone := make(chan struct{})
	go func() {
		defer close(connDone)
		connErr = conn.run(connCtx)
	}()
	c.log.Info("consuming function queues", "broker", c.broker.redacted, "queue_kind", string(c.cfg.QueueKind),
		"functions", len(c.queues))
	var wg sync.WaitGroup
	for _, q := range c.queues {
		wg.Go(func() { q.run(ctx, invCtx, conn) })
	}
	wg.Wait()
	stopInv()
	stopConn()
	<-connDone
	if connErr != nil {
		return fmt.Errorf("amqp: consumer: %w", connErr)
	}
	return nil
}

// queue is one function's queue and the deliveries taken from it.
type queue struct {
	c       *Consumer
	fn      invoke.Function
	dlq     string
	log     *slog.Logger
	results *results
}

// run consumes the queue on every connection conn gets, until ctx is done
// or conn stops for good; then waits for its deliveries' handlers.
func (q *queue) run(ctx, invCtx context.Context, conn *connection) {
	var handlers sync.WaitGroup
	defer handlers.Wait()
	failures := 0
	for {
		cn, lost, err := conn.get(ctx)
		if err != nil {
			return
		}
		err = q.serve(ctx, invCtx, cn, &handlers)
		if ctx.Err() != nil {
			return
		}
		if err == nil || closed(lost) {
			// Consumed until the channel went away, or failed because the
			// connection did: wait for the next connection.
			failures = 0
			continue
		}
		failures++
		wait := backoff(time.Second, failures)
		q.log.Error("cannot consume the function's queue", "error", err, "retry_in", wait.Round(time.Millisecond))
		if !sleep(ctx, wait) {
			return
		}
	}
}

// serve consumes the queue on one channel of cn until the channel closes
// (nil error: the connection was lost or the broker cancelled the consumer)
// or ctx is done. Each delivery is handled in its own goroutine, at most
// prefetch (the function's concurrency) at once.
func (q *queue) serve(ctx, invCtx context.Context, cn *amqp091.Connection, handlers *sync.WaitGroup) error {
	ch, err := cn.Channel()
	if err != nil {
		return fmt.Errorf("open channel: %w", err)
	}
	defer ch.Close()
	if err := q.declare(ch); err != nil {
		return err
	}
	if err := ch.Qos(q.fn.Concurrency, 0, false); err != nil {
		return fmt.Errorf("set prefetch: %w", err)
	}
	// Replies and dead letters are confirmed before a delivery is acked.
	if err := ch.Confirm(false); err != nil {
		return fmt.Errorf("enable publisher confirms: %w", err)
	}
	tag := "lambda-harness-" + invoke.NewRequestID()
	deliveries, err := ch.Consume(q.fn.Name, tag, false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	q.log.Debug("consuming", "prefetch", q.fn.Concurrency)
	var inflight sync.WaitGroup // this channel's handlers
	for {
		select {
		case d, ok := <-deliveries:
			if !ok {
				// The handlers in flight may still finish: their results
				// are remembered for the redeliveries.
				q.log.Debug("channel closed; consuming again")
				return nil
			}
			handlers.Add(1)
			inflight.Add(1)
			go func() {
				defer handlers.Done()
				defer inflight.Done()
				q.handle(ctx, invCtx, ch, &d)
			}()
		case <-ctx.Done():
			// Stop the flow, give back what was not started, and let the
			// handlers answer and ack on this channel before it closes.
			if err := ch.Cancel(tag, false); err != nil {
				q.log.Debug("cancel consumer", "error", err)
			}
			requeued := 0
			for d := range deliveries {
				d.Nack(false, true)
				requeued++
			}
			inflight.Wait()
			q.log.Debug("stopped consuming", "requeued_unstarted", requeued)
			return nil
		}
	}
}

// declare declares the function's queue and, if dead-lettering is on, its
// dead-letter queue.
func (q *queue) declare(ch *amqp091.Channel) error {
	cfg := q.c.cfg
	var err error
	switch cfg.QueueKind {
	case QueueDurable:
		args := amqp091.Table{"x-queue-type": "quorum"}
		if *cfg.DeadLetter {
			args["x-dead-letter-exchange"] = ""
			args["x-dead-letter-routing-key"] = q.dlq
		}
		if cfg.DeliveryLimit > 0 {
			args["x-delivery-limit"] = int64(cfg.DeliveryLimit)
		}
		_, err = ch.QueueDeclare(q.fn.Name, true, false, false, false, args)
	default:
		// RAPID's declaration, argument for argument.
		_, err = ch.QueueDeclare(q.fn.Name, false, true, false, false, nil)
	}
	if err != nil {
		return declareError(q.fn.Name, cfg.QueueKind, err)
	}
	if !*cfg.DeadLetter {
		return nil
	}
	var args amqp091.Table
	if cfg.QueueKind == QueueDurable {
		args = amqp091.Table{"x-queue-type": "quorum"}
	}
	if _, err := ch.QueueDeclare(q.dlq, true, false, false, false, args); err != nil {
		return declareError(q.dlq, cfg.QueueKind, err)
	}
	return nil
}

// closed reports whether ch is closed.
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func declareError(name string, kind QueueKind, err error) error {
	var ae *amqp091.Error
	if errors.As(err, &ae) && ae.Code == amqp091.PreconditionFailed {
		return fmt.Errorf("declare queue %s: it exists with other settings than a %s queue's "+
			"(declared by another queue kind?): %w", name, kind, err)
	}
	return fmt.Errorf("declare queue %s: %w", name, err)
}
