package amqp

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// QueueKind says how a consumer declares its functions' queues.
type QueueKind string

// The queue kinds.
const (
	// QueueCompat declares each function's queue as lambda-runtime-api-daemon
	// (RAPID) does: non-durable, auto-delete, no arguments. A harness and
	// RAPID workers can then consume one queue side by side (a declaration
	// with other arguments would fail with PRECONDITION_FAILED), and a queue
	// with no worker left disappears, so a gateway's publish comes back
	// unroutable: a fast 404 rather than a request waiting for a worker.
	// Messages do not survive a broker restart. The default.
	QueueCompat QueueKind = "compat"
	// QueueDurable declares each function's queue as a quorum queue
	// (durable, replicated on a cluster) with a dead-letter queue
	// "<name>.dlq": with persistent messages and publisher confirms, an
	// accepted Event survives a broker restart.
	QueueDurable QueueKind = "durable"
)

// DeadLetterSuffix names a function's dead-letter queue: "<name>.dlq".
const DeadLetterSuffix = ".dlq"

// ConsumerConfig configures a Consumer.
type ConsumerConfig struct {
	// URL is the broker, amqp://user:pass@host:port/vhost, with RAPID's
	// query options connection_attempts, retry_delay (seconds) and
	// heartbeat (seconds). Never logged whole.
	URL string
	// Username and Password, when set, replace the URL's credentials.
	Username string
	Password string
	// Functions are the functions to serve: each consumes the queue named
	// after it, with a prefetch of its Concurrency (default
	// invoke.DefaultConcurrency).
	Functions []invoke.Function
	// QueueKind is QueueCompat (the default) or QueueDurable.
	QueueKind QueueKind
	// DeadLetter says where a message goes that cannot be answered: an
	// Event that failed every attempt, or an undecodable message without
	// reply_to. With true it is published to "<name>.dlq" (declared durable;
	// a quorum queue for QueueDurable) before it is acked. With false it is
	// logged at error level and acked: nothing keeps it. nil means true for
	// QueueDurable and false for QueueCompat, whose users expect no queue
	// beyond RAPID's.
	DeadLetter *bool
	// DeliveryLimit, if positive, sets x-delivery-limit on durable queues:
	// a message handed out that many times without an ack (a worker that
	// crashes on it) is dead-lettered by the broker.
	DeliveryLimit int
	// EventRetries is how many more times a failed Event is invoked;
	// default 2, as on Lambda. Negative means none.
	EventRetries int
	// EventRetryDelay is the wait before the first retry, doubled for each
	// next one; default 1s.
	EventRetryDelay time.Duration
	// ReplyCacheSize bounds, per function, the remembered results used to
	// answer a redelivered request without running it again; default
	// 10,000.
	ReplyCacheSize int
	// ReplyCacheBytes bounds, per function, the size of the remembered
	// replies; default 64 MiB.
	ReplyCacheBytes int
	// ShutdownGrace is how long in-flight invocations may go on once Run's
	// context is done; what has not finished then is requeued. Default 10s.
	ShutdownGrace time.Duration
	// Name is shown by the broker as the connection's name; default
	// "lambda-harness consumer".
	Name string
}

func (c ConsumerConfig) withDefaults() (ConsumerConfig, error) {
	if len(c.Functions) == 0 {
		return c, errors.New("no functions to consume")
	}
	switch c.QueueKind {
	case "":
		c.QueueKind = QueueCompat
	case QueueCompat, QueueDurable:
	default:
		return c, fmt.Errorf("queue kind %q: want %q or %q", c.QueueKind, QueueCompat, QueueDurable)
	}
	if c.DeadLetter == nil {
		dl := c.QueueKind == QueueDurable
		c.DeadLetter = &dl
	}
	c.Functions = slices.Clone(c.Functions)
	seen := map[string]bool{}
	for i, f := range c.Functions {
		if !invoke.ValidName(f.Name) {
			return c, fmt.Errorf("function name %q is not valid", f.Name)
		}
		if seen[f.Name] {
			return c, fmt.Errorf("function %s is listed twice", f.Name)
		}
		seen[f.Name] = true
		if f.Concurrency <= 0 {
			c.Functions[i].Concurrency = invoke.DefaultConcurrency
		}
	}
	if c.EventRetries == 0 {
		c.EventRetries = 2
	} else if c.EventRetries < 0 {
		c.EventRetries = 0
	}
	if c.EventRetryDelay <= 0 {
		c.EventRetryDelay = time.Second
	}
	if c.ReplyCacheSize <= 0 {
		c.ReplyCacheSize = 10_000
	}
	if c.ReplyCacheBytes <= 0 {
		c.ReplyCacheBytes = 64 << 20
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = 10 * time.Second
	}
	if c.Name == "" {
		c.Name = "lambda-harness consumer"
	}
	return c, nil
}

// ClientConfig configures a Client.
type ClientConfig struct {
	// URL, Username and Password: as in ConsumerConfig.
	URL      string
	Username string
	Password string
	// Region and Account make the ARN in "Function not found" errors;
	// default us-east-1 and 123456789012.
	Region  string
	Account string
	// Timeout is how long a RequestResponse invocation may take when
	// Timeouts does not name the function; default 15m, Lambda's longest.
	Timeout time.Duration
	// Timeouts are functions' own timeouts, by name.
	Timeouts map[string]time.Duration
	// Margin is added to a function's timeout before the Client gives up
	// waiting for the reply: time for queueing, a cold start and the trip
	// through the broker. Default 10s.
	Margin time.Duration
	// ConnectWait bounds how long an invocation waits for a connection to
	// the broker before failing as Unavailable; default 5s.
	ConnectWait time.Duration
	// Channels is how many AMQP channels publish requests and receive
	// replies, each serialising its own publishes; default 2. One, two,
	// four and eight channels measured alike with 8 requesters on a 2-core
	// machine (broker-bound); a second channel keeps invocations going while
	// one is being reopened.
	Channels int
	// Name is shown by the broker as the connection's name; default
	// "lambda-harness client".
	Name string
}

func (c ClientConfig) withDefaults() ClientConfig {
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Account == "" {
		c.Account = "123456789012"
	}
	if c.Timeout <= 0 {
		c.Timeout = invoke.MaxTimeout
	}
	if c.Margin <= 0 {
		c.Margin = 10 * time.Second
	}
	if c.ConnectWait <= 0 {
		c.ConnectWait = 5 * time.Second
	}
	if c.Channels <= 0 {
		c.Channels = 2
	}
	if c.Name == "" {
		c.Name = "lambda-harness client"
	}
	return c
}
