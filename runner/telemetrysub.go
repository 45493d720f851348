package runner

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// subscription is one extension's Telemetry API subscription: the events
// of the categories it chose, batched and POSTed as JSON arrays to its
// destination when the batch has maxItems events or maxBytes bytes, or
// timeout after its first event.
// https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api.html#telemetry-api-buffering
type subscription struct {
	extension string
	uri       string
	types     map[string]bool
	maxItems  int
	maxBytes  int
	timeout   time.Duration

	client *http.Client
	// kick is signalled (buffered 1) when the batch gets its first event
	// or fills up.
	kick chan struct{}

	mu    sync.Mutex // protects batch and size
	batch [][]byte
	size  int
}

// Telemetry buffering defaults and the bound of the last delivery when an
// instance stops.
const (
	defaultMaxItems   = 1000
	defaultMaxBytes   = 256 << 10
	defaultTimeout    = time.Second
	minTimeout        = 25 * time.Millisecond
	deliveryTimeout   = 5 * time.Second
	finalFlushTimeout = 500 * time.Millisecond
)

// add queues ev if the subscription wants its category. Called with
// telemetry.mu held.
func (s *subscription) add(ev telemetryEvent) {
	if !s.types[ev.category] {
		return
	}
	s.mu.Lock()
	s.batch = append(s.batch, ev.json)
	s.size += len(ev.json)
	signal := len(s.batch) == 1 || s.fullLocked()
	s.mu.Unlock()
	if signal {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

func (s *subscription) fullLocked() bool {
	return len(s.batch) >= s.maxItems || s.size >= s.maxBytes
}

func (s *subscription) full() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fullLocked()
}

// run delivers batches until stop is closed, then delivers what is left.
// It is started and waited for by telemetry.
func (s *subscription) run(stop <-chan struct{}) {
	for {
		select {
		case <-s.kick:
		case <-stop:
			s.flush(true, finalFlushTimeout)
			return
		}
		if s.empty() {
			continue // a stale kick
		}
		// The batch's first event is here: it leaves when full or at the
		// timeout.
		t := time.NewTimer(s.timeout)
	wait:
		for {
			if s.full() {
				s.flush(false, deliveryTimeout)
				if s.empty() {
					break wait
				}
			}
			select {
			case <-s.kick:
			case <-t.C:
				s.flush(true, deliveryTimeout)
				break wait
			case <-stop:
				t.Stop()
				s.flush(true, finalFlushTimeout)
				return
			}
		}
		t.Stop()
	}
}

func (s *subscription) empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.batch) == 0
}

// flush POSTs the queued events in requests of at most maxItems; unless
// all, it leaves the last maxItems-1 or fewer for later when the batch
// is full by count only. A batch the destination does not take is
// dropped, as on Lambda.
func (s *subscription) flush(all bool, timeout time.Duration) {
	s.mu.Lock()
	batch := s.batch
	n := len(batch)
	if !all && s.size < s.maxBytes {
		n -= n % s.maxItems
	}
	s.batch = append([][]byte(nil), batch[n:]...)
	s.size = 0
	for _, ev := range s.batch {
		s.size += len(ev)
	}
	s.mu.Unlock()
	batch = batch[:n]
	for len(batch) > 0 {
		k := min(len(batch), s.maxItems)
		s.post(batch[:k], timeout)
		batch = batch[k:]
	}
}

func (s *subscription) post(events [][]byte, timeout time.Duration) {
	body := append([]byte{'['}, bytes.Join(events, []byte{','})...)
	body = append(body, ']')
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.uri, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return
	}
	resp.Body.Close()
}

// sandboxHost is the host name Lambda gives an extension for its own
// listeners in telemetry destinations.
const sandboxHost = "sandbox.localdomain"

// newTelemetryClient returns the client that delivers telemetry: it dials
// sandbox.localdomain (and "sandbox") as sandboxIP, where the extensions
// of process functions listen.
func newTelemetryClient(sandboxIP string) *http.Client {
	d := &net.Dialer{Timeout: 2 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, port, err := net.SplitHostPort(addr); err == nil && (host == sandboxHost || host == "sandbox") {
				addr = net.JoinHostPort(sandboxIP, port)
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{Transport: tr}
}
