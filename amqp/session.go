package amqp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"
)

// session is one channel of a Client: it publishes requests (mandatory, in
// confirm mode) and receives, on the same channel, their replies through
// direct reply-to, their confirms and their returns. One goroutine
// dispatches all three to the waiting calls.
//
// RabbitMQ sends basic.return for an unroutable message before its
// basic.ack, and amqp091 hands both over from its one reader goroutine; with
// unbuffered notification channels read by one dispatcher, a call therefore
// learns it was returned before it learns it was confirmed.
type session struct {
	ch *amqp091.Channel
	// done is closed when the dispatcher has ended: the channel is closed
	// and every pending call was told.
	done chan struct{}

	// pubMu serialises publishes, so that a publish's sequence number (its
	// confirm's delivery tag) is known and registered before the confirm
	// can arrive.
	pubMu sync.Mutex

	// mu protects byTag, byID and closed. Lock order: pubMu, then mu.
	mu     sync.Mutex
	byTag  map[uint64]*call // awaiting a confirm
	byID   map[string]*call // awaiting a reply or a return, by correlation id
	closed bool
}

// call is one publish waiting for its outcome.
type call struct {
	id  string
	tag uint64 // set by publish
	// confirmed receives the broker's confirm, once.
	confirmed chan confirm
	// replies receives the reply, a return, or the loss of the channel,
	// once; only for a call that wants a reply.
	replies chan outcome
	// returned is set by the dispatcher when the message came back
	// unroutable; read only by the dispatcher.
	returned bool
}

type confirm struct {
	ack      bool // the broker took responsibility for the message
	returned bool // ... but it was unroutable (no queue of that name)
	lost     bool // the channel closed before the confirm
}

type outcome struct {
	reply    *amqp091.Delivery
	returned bool
	lost     bool
}

var errSessionClosed = errors.New("channel closed")

func newCall(id string, wantReply bool) *call {
	c := &call{id: id, confirmed: make(chan confirm, 1)}
	if wantReply {
		c.replies = make(chan outcome, 1)
	}
	return c
}

// openSession opens a channel on cn in confirm mode, consumes direct
// reply-to on it (auto-ack, as RabbitMQ requires) and starts its dispatcher.
func openSession(cn *amqp091.Connection) (*session, error) {
	ch, err := cn.Channel()
	if err != nil {
		return nil, fmt.Errorf("open channel: %w", err)
	}
	if err := ch.Confirm(false); err != nil {
		ch.Close()
		return nil, fmt.Errorf("enable publisher confirms: %w", err)
	}
	replies, err := ch.Consume(directReplyTo, "", true, false, false, false, nil)
	if err != nil {
		ch.Close()
		return nil, fmt.Errorf("consume direct reply-to: %w", err)
	}
	s := &session{
		ch:    ch,
		done:  make(chan struct{}),
		byTag: map[uint64]*call{},
		byID:  map[string]*call{},
	}
	returns := ch.NotifyReturn(make(chan amqp091.Return))
	confirms := ch.NotifyPublish(make(chan amqp091.Confirmation))
	go s.dispatch(returns, confirms, replies)
	return s, nil
}

// dispatch hands returns, confirms and replies to their calls until the
// channel closes, then fails the calls still waiting.
func (s *session) dispatch(returns <-chan amqp091.Return, confirms <-chan amqp091.Confirmation, replies <-chan amqp091.Delivery) {
	defer close(s.done)
	defer s.fail()
	for returns != nil || confirms != nil || replies != nil {
		select {
		case r, ok := <-returns:
			if !ok {
				returns = nil
				continue
			}
			s.mu.Lock()
			c := s.byID[r.CorrelationId]
			if c != nil {
				c.returned = true
				if c.replies != nil {
					delete(s.byID, c.id)
					c.replies <- outcome{returned: true}
				}
			}
			s.mu.Unlock()
		case cf, ok := <-confirms:
			if !ok {
				confirms = nil
				continue
			}
			s.mu.Lock()
			c := s.byTag[cf.DeliveryTag]
			delete(s.byTag, cf.DeliveryTag)
			if c != nil {
				if c.replies == nil {
					delete(s.byID, c.id)
				}
				c.confirmed <- confirm{ack: cf.Ack, returned: c.returned}
			}
			s.mu.Unlock()
		case d, ok := <-replies:
			if !ok {
				replies = nil
				continue
			}
			s.mu.Lock()
			c := s.byID[d.CorrelationId]
			if c != nil && c.replies != nil {
				delete(s.byID, c.id)
				c.replies <- outcome{reply: &d}
			}
			// A reply nobody waits for (the call timed out, or a
			// redelivered request was answered twice) is dropped.
			s.mu.Unlock()
		}
	}
}

// fail marks the session closed and tells every waiting call.
func (s *session) fail() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for tag, c := range s.byTag {
		c.confirmed <- confirm{lost: true}
		delete(s.byTag, tag)
	}
	for id, c := range s.byID {
		if c.replies != nil {
			c.replies <- outcome{lost: true}
		}
		delete(s.byID, id)
	}
}

// publish registers c and publishes msg to the default exchange with
// routing key key, mandatory.
func (s *session) publish(key string, msg amqp091.Publishing, c *call) error {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	tag := s.ch.GetNextPublishSeqNo()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errSessionClosed
	}
	if _, dup := s.byID[c.id]; dup {
		s.mu.Unlock()
		return fmt.Errorf("request id %s is already waiting for a reply", c.id)
	}
	c.tag = tag
	s.byTag[tag] = c
	s.byID[c.id] = c
	s.mu.Unlock()
	if err := s.ch.Publish("", key, true, false, msg); err != nil {
		s.forget(c)
		return err
	}
	return nil
}

// forget stops waiting for c's outcome.
func (s *session) forget(c *call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byID[c.id] == c {
		delete(s.byID, c.id)
	}
	if s.byTag[c.tag] == c {
		delete(s.byTag, c.tag)
	}
}

func (s *session) isClosed() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// keepSession keeps session slot i open on whatever connection there is.
func (c *Client) keepSession(ctx context.Context, i int) {
	failures := 0
	for {
		cn, lost, err := c.conn.get(ctx)
		if err != nil {
			return
		}
		s, err := openSession(cn)
		if err != nil {
			failures++
			wait := backoff(c.broker.retryDelay, failures)
			c.log.Warn("cannot open a channel to the broker", "error", err, "retry_in", wait.Round(time.Millisecond))
			if !sleep(ctx, wait) {
				return
			}
			continue
		}
		failures = 0
		c.mu.Lock()
		c.sessions[i] = s
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
		select {
		case <-s.done:
		case <-lost:
		case <-ctx.Done():
		}
		c.mu.Lock()
		c.sessions[i] = nil
		c.mu.Unlock()
		s.ch.Close()
		<-s.done
		if ctx.Err() != nil {
			return
		}
	}
}

// session returns an open session, waiting up to ConnectWait for one.
func (c *Client) session(ctx context.Context) (*session, error) {
	wait := time.NewTimer(c.cfg.ConnectWait)
	defer wait.Stop()
	for {
		c.mu.Lock()
		n := uint32(len(c.sessions))
		start := c.next.Add(1)
		for i := range n {
			if s := c.sessions[(start+i)%n]; s != nil && !s.isClosed() {
				c.mu.Unlock()
				return s, nil
			}
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, unavailable("The invocation was cancelled while waiting for the broker.", ctx.Err())
		case <-wait.C:
			return nil, unavailable("The broker is unreachable.", errors.New("no connection within "+c.cfg.ConnectWait.String()))
		case <-c.closed:
			return nil, unavailable("The gateway is shutting down.", errStopped)
		}
	}
}
