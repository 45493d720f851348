package amqp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"
)

// errStopped is what waiting for a connection returns once the connection
// has stopped for good.
var errStopped = errors.New("the connection to the broker is closed")

// connection owns one AMQP connection to a broker and keeps it open: it
// dials, watches NotifyClose, and dials again with backoff after a broker
// restart or a dropped connection. amqp091-go does not reconnect by itself
// (lambda-api.md §4), so every user of the connection runs a loop: get the
// current connection, open its channels, declare its topology, work until
// the connection is lost, and start over. That loop is what makes consumers
// and clients resume after an outage.
type connection struct {
	broker broker
	name   string // connection_name shown by the broker
	log    *slog.Logger

	// mu protects cur, ready and err.
	mu sync.Mutex
	// cur is the live connection, nil while there is none.
	cur *amqp091.Connection
	// ready is closed when cur is set or the connection stops for good;
	// replaced by an open one whenever cur is lost.
	ready chan struct{}
	// lost is closed when cur is lost.
	lost chan struct{}
	// err is set when the connection stopped for good.
	err error
}

func newConnection(b broker, name string, log *slog.Logger) *connection {
	return &connection{broker: b, name: name, log: log, ready: make(chan struct{})}
}

// run dials and redials until ctx is done, then closes the connection. It
// returns an error only when connection_attempts was given and the first
// connection failed that many times; ctx's end is a nil error.
func (c *connection) run(ctx context.Context) (err error) {
	defer func() {
		c.mu.Lock()
		c.err = errStopped
		if err != nil {
			c.err = err
		}
		select {
		case <-c.ready:
		default:
			close(c.ready)
		}
		c.mu.Unlock()
	}()
	connected := false
	failures := 0
	for {
		conn, err := c.dial(ctx)
		if ctx.Err() != nil {
			if conn != nil {
				conn.Close()
			}
			return nil
		}
		if err != nil {
			failures++
			if !connected && c.broker.attempts > 0 && failures >= c.broker.attempts {
				return fmt.Errorf("connect to %s: gave up after %d attempts: %w", c.broker.redacted, failures, err)
			}
			wait := backoff(c.broker.retryDelay, failures)
			c.log.Warn("cannot connect to the broker", "broker", c.broker.redacted, "attempt", failures,
				"retry_in", wait.Round(time.Millisecond), "error", err)
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		c.log.Info("connected to the broker", "broker", c.broker.redacted, "attempts", failures+1, "reconnected", connected)
		connected, failures = true, 0
		closed := conn.NotifyClose(make(chan *amqp091.Error, 1))
		lost := c.set(conn)
		select {
		case <-ctx.Done():
			c.unset(lost)
			conn.Close()
			return nil
		case e := <-closed:
			c.unset(lost)
			c.log.Warn("lost the connection to the broker", "broker", c.broker.redacted, "error", e)
		}
	}
}

// set publishes conn as the live connection and returns the channel that
// unset closes.
func (c *connection) set(conn *amqp091.Connection) chan struct{} {
	lost := make(chan struct{})
	c.mu.Lock()
	c.cur, c.lost = conn, lost
	close(c.ready)
	c.mu.Unlock()
	return lost
}

// unset withdraws the live connection and tells its users it is lost.
func (c *connection) unset(lost chan struct{}) {
	c.mu.Lock()
	c.cur, c.lost = nil, nil
	c.ready = make(chan struct{})
	c.mu.Unlock()
	close(lost)
}

// get waits until there is a live connection, ctx is done or the connection
// stopped for good. It returns the connection and a channel closed when that
// connection is lost.
func (c *connection) get(ctx context.Context) (*amqp091.Connection, <-chan struct{}, error) {
	for {
		c.mu.Lock()
		cur, lost, ready, err := c.cur, c.lost, c.ready, c.err
		c.mu.Unlock()
		switch {
		case err != nil:
			return nil, nil, err
		case cur != nil:
			return cur, lost, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-ready:
		}
	}
}

// dial opens one connection. The TCP dial follows ctx; the AMQP handshake is
// bounded by dialTimeout and cut short when ctx ends.
func (c *connection) dial(ctx context.Context) (*amqp091.Connection, error) {
	var (
		mu  sync.Mutex // protects raw
		raw net.Conn
	)
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if raw != nil {
			raw.SetDeadline(time.Unix(1, 0)) // fail the handshake now
		}
	})
	defer stop()
	props := amqp091.NewConnectionProperties()
	props.SetClientConnectionName(c.name)
	conn, err := amqp091.DialConfig(c.broker.url, amqp091.Config{
		Heartbeat:  c.broker.heartbeat,
		Properties: props,
		Locale:     "en_US",
		Dial: func(network, addr string) (net.Conn, error) {
			d := net.Dialer{Timeout: dialTimeout}
			nc, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			// Cleared by amqp091 once the handshake is done.
			nc.SetDeadline(time.Now().Add(dialTimeout))
			mu.Lock()
			raw = nc
			mu.Unlock()
			return nc, nil
		},
	})
	if err != nil {
		return nil, err
	}
	return conn, nil
}

// backoff is the wait before attempt n+1 after n failures: base doubled per
// failure, capped at maxBackoff (or base, if larger), with ±20% jitter so
// that many workers do not hammer a recovering broker in step.
func backoff(base time.Duration, failures int) time.Duration {
	limit := max(maxBackoff, base)
	d := base
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// sleep waits d or until ctx is done; it reports whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
