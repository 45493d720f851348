package amqp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Client is the invoke.Invoker of a gateway: it runs functions wherever a
// Consumer serves their queues, through the broker (lambda-api.md §4).
//
// RequestResponse publishes to the default exchange with the function's name
// as routing key, mandatory, reply_to amq.rabbitmq.reply-to (direct reply-to
// on the publishing channel), correlation_id the request id, and waits for
// the reply. An unroutable publish (no queue of that name: no worker serves
// the function) comes back as basic.return and fails as NotFound, as
// lambda-runtime-api-daemon's gateway answers ResourceNotFoundException.
// Event publishes persistent and waits for the broker's confirm only: once
// confirmed (a 202 upstream) the broker owns the event. DryRun checks that
// the function's queue exists.
//
// A Client keeps its connection open in the background, reconnecting after
// a broker restart; while there is none, an invocation fails as Unavailable
// after ConnectWait rather than hanging. It is safe for concurrent use.
type Client struct {
	cfg    ClientConfig
	broker broker
	log    *slog.Logger
	conn   *connection

	stop context.CancelFunc
	wg   sync.WaitGroup // the connection's and the sessions' goroutines
	// closed is closed by Close.
	closed    chan struct{}
	closeOnce sync.Once
	// connErr is the connection's end, set before wg is done.
	connErr error

	// mu protects sessions and changed.
	mu       sync.Mutex
	sessions []*session // one slot per channel; nil while down
	// changed is closed (and replaced) whenever a session comes up.
	changed chan struct{}
	next    atomic.Uint32
}

var _ invoke.Invoker = (*Client)(nil)

// NewClient returns a Client of the broker at cfg.URL and starts connecting
// in the background. Close stops it. A nil logger discards.
func NewClient(cfg ClientConfig, log *slog.Logger) (*Client, error) {
	cfg = cfg.withDefaults()
	b, err := parseBroker(cfg.URL, cfg.Username, cfg.Password)
	if err != nil {
		return nil, fmt.Errorf("amqp: client: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, stop := context.WithCancel(context.Background())
	c := &Client{
		cfg:      cfg,
		broker:   b,
		log:      log,
		conn:     newConnection(b, cfg.Name, log),
		stop:     stop,
		closed:   make(chan struct{}),
		sessions: make([]*session, cfg.Channels),
		changed:  make(chan struct{}),
	}
	c.wg.Go(func() {
		if err := c.conn.run(ctx); err != nil {
			c.connErr = err
			log.Error("gateway gave up connecting to the broker", "error", err)
		}
	})
	for i := range cfg.Channels {
		c.wg.Go(func() { c.keepSession(ctx, i) })
	}
	return c, nil
}

// Close stops the Client: invocations waiting for a reply fail as
// Unavailable, and the connection is closed. It returns the connection's
// error, if it gave up. Close is idempotent.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.stop()
	})
	c.wg.Wait()
	if c.connErr != nil {
		return fmt.Errorf("amqp: client: %w", c.connErr)
	}
	return nil
}

// Invoke runs req through the broker. See the Client's doc.
func (c *Client) Invoke(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	if req.RequestID == "" {
		req.RequestID = invoke.NewRequestID()
	}
	if req.FunctionName == "" {
		return nil, c.notFound(req)
	}
	switch req.InvocationType() {
	case invoke.DryRun:
		return c.dryRun(ctx, req)
	case invoke.Event:
		return c.event(ctx, req)
	default:
		return c.call(ctx, req)
	}
}

// timeout is how long the Client waits for the reply to an invocation of
// function name.
func (c *Client) timeout(name string) time.Duration {
	t, ok := c.cfg.Timeouts[name]
	if !ok || t <= 0 {
		t = c.cfg.Timeout
	}
	return t + c.cfg.Margin
}

// call runs a RequestResponse invocation.
func (c *Client) call(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	timeout := c.timeout(req.FunctionName)
	callCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cl := newCall(req.RequestID, true)
	msg := amqp091.Publishing{
		ContentType:   contentTypeJSON,
		CorrelationId: req.RequestID,
		ReplyTo:       directReplyTo,
		Headers:       requestHeaders(req),
		Body:          req.Payload,
		// A request still queued when its caller has given up expires
		// instead of running for nobody.
		Expiration: strconv.FormatInt(timeout.Milliseconds(), 10),
	}
	s, err := c.publish(callCtx, req.FunctionName, msg, cl)
	if err != nil {
		return nil, err
	}
	for {
		select {
		case o := <-cl.replies:
			switch {
			case o.returned:
				return nil, c.notFound(req)
			case o.lost:
				return nil, unavailable("The connection to the broker was lost before the function answered.", errSessionClosed)
			}
			return decodeReply(o.reply)
		case cf := <-cl.confirmed:
			if !cf.ack {
				s.forget(cl)
				if cf.lost {
					return nil, unavailable("The connection to the broker was lost before the request was accepted.", errSessionClosed)
				}
				return nil, unavailable("The broker refused the request.", errors.New("publish nacked"))
			}
		case <-callCtx.Done():
			s.forget(cl)
			if ctx.Err() != nil {
				return nil, unavailable("The invocation was cancelled before the function answered.", ctx.Err())
			}
			return nil, invoke.Errorf(invoke.Unavailable,
				"No reply from function %s within %s: no worker answered in time.", req.FunctionName, timeout)
		}
	}
}

// event publishes an Event invocation, persistent, and returns once the
// broker confirmed it.
func (c *Client) event(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.ConnectWait+c.cfg.Margin)
	defer cancel()
	cl := newCall(req.RequestID, false)
	msg := amqp091.Publishing{
		ContentType:   contentTypeJSON,
		CorrelationId: req.RequestID,
		DeliveryMode:  amqp091.Persistent,
		Headers:       requestHeaders(req),
		Body:          req.Payload,
	}
	s, err := c.publish(ctx, req.FunctionName, msg, cl)
	if err != nil {
		return nil, err
	}
	select {
	case cf := <-cl.confirmed:
		switch {
		case cf.returned:
			return nil, c.notFound(req)
		case cf.lost:
			return nil, unavailable("The connection to the broker was lost before the event was accepted.", errSessionClosed)
		case !cf.ack:
			return nil, unavailable("The broker refused the event.", errors.New("publish nacked"))
		}
		return &invoke.Response{RequestID: req.RequestID, ExecutedVersion: invoke.LatestVersion}, nil
	case <-ctx.Done():
		s.forget(cl)
		return nil, unavailable("The broker did not confirm the event in time.", ctx.Err())
	}
}

// publish publishes msg for c on an open session. A session that closes
// between being picked and publishing sent nothing, so another is tried.
func (c *Client) publish(ctx context.Context, key string, msg amqp091.Publishing, cl *call) (*session, error) {
	for attempt := 1; ; attempt++ {
		s, err := c.session(ctx)
		if err != nil {
			return nil, err
		}
		err = s.publish(key, msg, cl)
		if err == nil {
			return s, nil
		}
		if attempt == 1 && (errors.Is(err, errSessionClosed) || errors.Is(err, amqp091.ErrClosed)) {
			continue
		}
		return nil, unavailable("The request could not be sent to the broker.", err)
	}
}

// dryRun checks that the function's queue exists (a passive declare, on a
// channel of its own: a failed passive declare closes its channel).
func (c *Client) dryRun(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	wait, cancel := context.WithTimeout(ctx, c.cfg.ConnectWait)
	defer cancel()
	cn, _, err := c.conn.get(wait)
	if err != nil {
		return nil, unavailable("The broker is unreachable.", err)
	}
	ch, err := cn.Channel()
	if err != nil {
		return nil, unavailable("The broker is unreachable.", err)
	}
	defer ch.Close()
	if _, err := ch.QueueDeclarePassive(req.FunctionName, false, false, false, false, nil); err != nil {
		var ae *amqp091.Error
		if errors.As(err, &ae) && ae.Code == amqp091.NotFound {
			return nil, c.notFound(req)
		}
		return nil, unavailable("The broker could not check the function.", err)
	}
	return &invoke.Response{RequestID: req.RequestID, ExecutedVersion: invoke.LatestVersion}, nil
}

func (c *Client) notFound(req *invoke.Request) error {
	return invoke.Errorf(invoke.NotFound, "Function not found: %s",
		invoke.ARN(c.cfg.Region, c.cfg.Account, req.FunctionName, req.Qualifier))
}

func unavailable(message string, err error) error {
	return invoke.Wrap(invoke.Unavailable, message, err)
}
