package runner

import (
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// telemetry is the Telemetry API state of one instance: its subscriptions
// and the events of its init phase, which Lambda keeps for the
// subscriptions made before init ends.
// https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api.html
//
// Emitting costs one atomic load when nobody listens: on is false once init
// is over unless some extension subscribed.
type telemetry struct {
	client *http.Client
	on     atomic.Bool

	mu   sync.Mutex // protects the fields below
	subs []*subscription
	// initEvents holds the events emitted during init, up to
	// maxInitEvents; nil once init is over.
	initEvents []telemetryEvent
	initOver   bool
	closed     bool
	stop       chan struct{} // closed by close: subscriptions flush and end
	wg         sync.WaitGroup
}

// maxInitEvents bounds the init events kept for later subscriptions.
const maxInitEvents = 1000

// telemetryEvent is one event, encoded once for every subscription.
type telemetryEvent struct {
	category string // "platform", "function" or "extension"
	json     []byte
}

func newTelemetry(client *http.Client) *telemetry {
	t := &telemetry{client: client, stop: make(chan struct{})}
	t.on.Store(true) // init events are kept until init ends
	return t
}

// active reports whether an event emitted now would go anywhere.
func (t *telemetry) active() bool { return t != nil && t.on.Load() }

// emit sends an event of type typ ("platform.start", "function", …) with
// record to the subscriptions that want its category, and keeps it if
// init is not over. Safe for concurrent use; a no-op when nobody listens.
func (t *telemetry) emit(typ string, record any) {
	if !t.active() {
		return
	}
	ev := telemetryEvent{category: category(typ)}
	ev.json, _ = json.Marshal(struct {
		Time   string `json:"time"`
		Type   string `json:"type"`
		Record any    `json:"record"`
	}{time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), typ, record})
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.initOver && len(t.initEvents) < maxInitEvents {
		t.initEvents = append(t.initEvents, ev)
	}
	for _, s := range t.subs {
		s.add(ev)
	}
}

func category(typ string) string {
	if len(typ) > 9 && typ[:9] == "platform." {
		return "platform"
	}
	return typ
}

// endInit drops the init events: later subscriptions get only what
// follows them.
func (t *telemetry) endInit() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.initOver = true
	t.initEvents = nil
	t.on.Store(len(t.subs) > 0 && !t.closed)
}

// subscribe adds a subscription and starts its sender; during init it
// gets the init events so far. It reports false once the instance is
// stopping.
func (t *telemetry) subscribe(s *subscription) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	s.client = t.client
	s.kick = make(chan struct{}, 1)
	for _, ev := range t.initEvents {
		s.add(ev)
	}
	t.subs = append(t.subs, s)
	t.on.Store(true)
	t.wg.Go(func() { s.run(t.stop) })
	return true
}

// close stops the subscriptions after a last delivery of what they hold,
// each bounded by finalFlushTimeout, and waits for them. Idempotent.
func (t *telemetry) close() {
	if t == nil {
		return
	}
	t.mu.Lock()
	if !t.closed {
		t.closed = true
		t.on.Store(false)
		close(t.stop)
	}
	t.mu.Unlock()
	t.wg.Wait()
}
