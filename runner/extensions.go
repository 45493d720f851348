package runner

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Extension events and shutdown reasons.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html
const (
	eventInvoke   = "INVOKE"
	eventShutdown = "SHUTDOWN"

	reasonSpindown = "spindown"
	reasonTimeout  = "timeout"
	reasonFailure  = "failure"

	// shutdownGrace is what Lambda gives extensions after SHUTDOWN (2 s when
	// extensions are registered) before it kills the environment.
	shutdownGrace = 2 * time.Second
)

// extension is one registered extension of an instance.
type extension struct {
	id, name string
	external bool // launched from the extensions directory
	invoke   bool // subscribed to INVOKE
	shutdown bool // subscribed to SHUTDOWN
	// The fields below are guarded by extensions.mu.
	nexted bool          // called event/next at least once: done with init
	queue  []extEvent    // events not yet handed out
	wake   chan struct{} // signalled (buffered 1) when queue grows
	// owing is the completion the extension's next call to event/next
	// counts down: it got an event and is still processing it.
	owing *completion
}

// extEvent is an event waiting for an extension's event/next.
type extEvent struct {
	body any
	c    *completion
}

// completion counts the extensions that still process an event; done is
// closed when none do. Guarded by extensions.mu.
type completion struct {
	n    int
	done chan struct{}
}

func (c *completion) countDown() {
	if c.n--; c.n == 0 {
		close(c.done)
	}
}

// extensions is the Extensions API state of one instance.
type extensions struct {
	mu   sync.Mutex // protects the fields below and those of every extension
	byID map[string]*extension
	list []*extension // in registration order
	// expected holds the external extensions launched and not yet
	// registered: init waits for them.
	expected map[string]bool
	// runtimeNext is true once the runtime called /next: with every
	// registered extension's first event/next, the end of init.
	runtimeNext bool
	// closed is true once init is over: no more registrations.
	closed bool
}

func newExtensions(external []string) *extensions {
	e := &extensions{byID: map[string]*extension{}, expected: map[string]bool{}}
	for _, name := range external {
		e.expected[name] = true
	}
	return e
}

// register adds an extension, or returns nil once registration is closed.
func (e *extensions) register(name string, events []string) *extension {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	x := &extension{id: invoke.NewRequestID(), name: name, external: e.expected[name],
		wake: make(chan struct{}, 1)}
	delete(e.expected, name)
	for _, ev := range events {
		x.invoke = x.invoke || ev == eventInvoke
		x.shutdown = x.shutdown || ev == eventShutdown
	}
	e.byID[x.id] = x
	e.list = append(e.list, x)
	return x
}

func (e *extensions) get(id string) *extension {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.byID[id]
}

// next records that x asks for its next event: the event it got before is
// processed. It reports whether init is over now (and closes registration
// if so).
func (e *extensions) next(x *extension) (initDone bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	x.nexted = true
	if x.owing != nil {
		x.owing.countDown()
		x.owing = nil
	}
	return e.initDoneLocked()
}

// runtimeReady records the runtime's /next and reports whether init is over.
func (e *extensions) runtimeReady() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.runtimeNext = true
	return e.initDoneLocked()
}

// initDoneLocked: the runtime and every registered extension called their
// next (Lambda's init phase ends when all of them did), and every launched
// extension has registered.
func (e *extensions) initDoneLocked() bool {
	if e.closed {
		return true
	}
	if !e.runtimeNext || len(e.expected) > 0 {
		return false
	}
	for _, x := range e.list {
		if !x.nexted {
			return false
		}
	}
	e.closed = true
	return true
}

// pending says what init still waits for, for the init timeout's message.
func (e *extensions) pending() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var names []string
	for n := range e.expected {
		names = append(names, n)
	}
	if len(names) > 0 {
		sort.Strings(names)
		return "extension " + strings.Join(names, ", ") + " did not register"
	}
	for _, x := range e.list {
		if !x.nexted {
			names = append(names, x.name)
		}
	}
	if len(names) > 0 {
		return "extension " + strings.Join(names, ", ") + " did not call event/next"
	}
	return ""
}

// broadcast queues body for every extension subscribed to the event kind
// and returns the completion of their processing, nil if none is.
func (e *extensions) broadcast(kind string, body any) *completion {
	e.mu.Lock()
	defer e.mu.Unlock()
	var c *completion
	for _, x := range e.list {
		if (kind == eventInvoke && !x.invoke) || (kind == eventShutdown && !x.shutdown) {
			continue
		}
		if c == nil {
			c = &completion{done: make(chan struct{})}
		}
		c.n++
		x.queue = append(x.queue, extEvent{body: body, c: c})
		select {
		case x.wake <- struct{}{}:
		default:
		}
	}
	return c
}

// pop hands out x's next event, if there is one; x owes its completion.
func (e *extensions) pop(x *extension) (extEvent, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(x.queue) == 0 {
		return extEvent{}, false
	}
	ev := x.queue[0]
	x.queue = x.queue[1:]
	x.owing = ev.c
	return ev, true
}

// all returns the registered extensions.
func (e *extensions) all() []*extension {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]*extension(nil), e.list...)
}

// The event bodies of event/next.
type invokeEvent struct {
	EventType          string  `json:"eventType"`
	DeadlineMs         int64   `json:"deadlineMs"`
	RequestID          string  `json:"requestId"`
	InvokedFunctionArn string  `json:"invokedFunctionArn"`
	Tracing            tracing `json:"tracing"`
}

type tracing struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type shutdownEvent struct {
	EventType      string `json:"eventType"`
	DeadlineMs     int64  `json:"deadlineMs"`
	ShutdownReason string `json:"shutdownReason"`
}

// runtimeNextCalled reports whether the runtime has called /next.
func (e *extensions) runtimeNextCalled() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.runtimeNext
}

// externalCount returns the number of registered external extensions.
func (e *extensions) externalCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, x := range e.list {
		if x.external {
			n++
		}
	}
	return n
}
