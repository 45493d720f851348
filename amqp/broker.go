package amqp

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Query options of a broker URL that amqp091 does not know. They are the
// options lambda-runtime-api-daemon (RAPID) takes from pika's URLParameters,
// so the AMQP_URI of a seed run script works unchanged:
//
//	amqp://host:5672?connection_attempts=20&retry_delay=10&heartbeat=0
const (
	// optionAttempts is how many times the first connection is tried before
	// giving up; absent means forever.
	optionAttempts = "connection_attempts"
	// optionRetryDelay is the wait in seconds between two attempts, and the
	// first step of the backoff after a connection is lost.
	optionRetryDelay = "retry_delay"
	// optionHeartbeat is the heartbeat interval in seconds; 0 turns
	// heartbeats off.
	optionHeartbeat = "heartbeat"
)

// Defaults of the connection.
const (
	defaultRetryDelay = 500 * time.Millisecond
	// maxBackoff caps the wait between two attempts (unless retry_delay
	// asks for more): a broker restart takes seconds, and a worker that
	// waited a minute would leave its queue unserved that long.
	maxBackoff  = 3 * time.Second
	dialTimeout = 10 * time.Second
)

// broker is where a connection goes and how it retries.
type broker struct {
	// url is the URL to dial: RAPID's options removed (heartbeat=0 kept,
	// since amqp091 reads it), the credentials applied.
	url string
	// redacted names the broker in logs and errors: scheme, host, port and
	// vhost, never a user name or password.
	redacted string
	// attempts is connection_attempts; 0 means try forever.
	attempts int
	// retryDelay is retry_delay, or defaultRetryDelay.
	retryDelay time.Duration
	// heartbeat is the heartbeat asked for, 0 for amqp091's default (10 s)
	// or when heartbeat=0 stays in url.
	heartbeat time.Duration
}

// parseBroker reads a broker URL with RAPID's query options. username and
// password, when set, replace the URL's (AMQP_USERNAME and AMQP_PASSWORD of
// the seed's run script). Errors never quote the URL: it may hold a password.
func parseBroker(rawURL, username, password string) (broker, error) {
	if rawURL == "" {
		return broker{}, errors.New("no broker URL")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the URL, credentials and all: say less.
		return broker{}, errors.New("the broker URL is not a valid URL")
	}
	if u.Scheme != "amqp" && u.Scheme != "amqps" {
		return broker{}, fmt.Errorf("broker URL %s: want scheme amqp or amqps", redact(u))
	}
	b := broker{redacted: redact(u), retryDelay: defaultRetryDelay}
	q := u.Query()
	if v := q.Get(optionAttempts); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return broker{}, fmt.Errorf("broker URL %s: %s=%q: want a whole number of at least 1", b.redacted, optionAttempts, v)
		}
		b.attempts = n
	}
	if v := q.Get(optionRetryDelay); v != "" {
		d, err := seconds(v)
		if err != nil {
			return broker{}, fmt.Errorf("broker URL %s: %s=%q: want seconds", b.redacted, optionRetryDelay, v)
		}
		if d > 0 {
			b.retryDelay = d
		}
	}
	keepHeartbeat := false
	if v := q.Get(optionHeartbeat); v != "" {
		d, err := seconds(v)
		if err != nil {
			return broker{}, fmt.Errorf("broker URL %s: %s=%q: want seconds", b.redacted, optionHeartbeat, v)
		}
		b.heartbeat = d
		// amqp091 turns heartbeats off only for heartbeat=0 in the URL;
		// any other value goes through amqp091.Config.
		keepHeartbeat = d == 0
	}
	q.Del(optionAttempts)
	q.Del(optionRetryDelay)
	q.Del(optionHeartbeat)
	if keepHeartbeat {
		q.Set(optionHeartbeat, "0")
	}
	u.RawQuery = q.Encode()
	if username != "" || password != "" {
		user := username
		if user == "" && u.User != nil {
			user = u.User.Username()
		}
		pass := password
		if pass == "" && u.User != nil {
			pass, _ = u.User.Password()
		}
		u.User = url.UserPassword(user, pass)
	}
	b.url = u.String()
	return b, nil
}

// seconds parses a number of seconds, fractions allowed, as pika does.
func seconds(v string) (time.Duration, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 24*3600 {
		return 0, errors.New("bad seconds")
	}
	return time.Duration(f * float64(time.Second)), nil
}

// redact returns u without user information or query: what logs may show.
func redact(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return r.String()
}

// RedactURL returns a broker URL as logs and errors may show it: scheme,
// host, port and vhost, without user name, password or query options. A URL
// that cannot be parsed is shown as "(invalid URL)".
func RedactURL(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || strings.TrimSpace(rawURL) == "" {
		return "(invalid URL)"
	}
	return redact(u)
}
