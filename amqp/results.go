package amqp

import (
	"container/list"
	"sync"
)

// results remembers the outcome of a function's recent invocations by
// request id (the correlation id), so that a redelivered message is answered
// again instead of run again. RabbitMQ sets redelivered=true on a message
// that was handed out before and not acked — after a lost connection, a
// closed channel or a worker's shutdown — and such a message may have been
// processed already (lambda-api.md §4): the reply was confirmed but the ack
// never arrived, or the invocation was still running when its channel went
// away. RAPID runs it again; we answer from here, or wait for the run in
// progress. Only this process's outcomes are known: a message redelivered to
// another worker runs again there (at-least-once).
//
// The memory is bounded: the least recently used entries are forgotten past
// max entries or maxBytes of remembered replies.
type results struct {
	max      int
	maxBytes int

	// mu protects entries, order and bytes.
	mu      sync.Mutex
	entries map[string]*list.Element // of *result
	order   *list.List               // most recently used first
	bytes   int                      // the sizes of the entries in order
}

// result is one invocation's outcome, pending until done is closed.
type result struct {
	id   string
	done chan struct{}
	// Set before done is closed, read after.
	ok    bool   // the invocation completed (else it was abandoned)
	reply *reply // the reply to send again; nil for an Event
	// size is what the entry counts against maxBytes; guarded by mu.
	size int
}

// entryOverhead is what an entry costs besides its reply's body.
const entryOverhead = 256

func newResults(max, maxBytes int) *results {
	return &results{max: max, maxBytes: maxBytes, entries: map[string]*list.Element{}, order: list.New()}
}

// claim returns the entry for request id. A redelivered message gets the
// entry already there, if any (owner false): the caller waits for it to be
// done and answers from it. Otherwise the caller owns a new pending entry
// and must finish or abandon it.
func (r *results) claim(id string, redelivered bool) (e *result, owner bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if el, ok := r.entries[id]; ok && redelivered {
		r.order.MoveToFront(el)
		return el.Value.(*result), false
	}
	e = &result{id: id, done: make(chan struct{}), size: entryOverhead}
	if el, ok := r.entries[id]; ok {
		// A new message reusing an id: it runs, and its outcome replaces
		// the old one.
		r.remove(el)
	}
	r.entries[id] = r.order.PushFront(e)
	r.bytes += e.size
	r.evict()
	return e, true
}

// finish records the outcome of an owned entry.
func (r *results) finish(e *result, rep *reply) {
	e.ok, e.reply = true, rep
	if rep != nil {
		r.mu.Lock()
		if el, ok := r.entries[e.id]; ok && el.Value.(*result) == e {
			r.bytes += len(rep.body)
			e.size += len(rep.body)
			r.evict()
		}
		r.mu.Unlock()
	}
	close(e.done)
}

// evict forgets the least recently used entries past the bounds; r.mu is
// held.
func (r *results) evict() {
	for r.order.Len() > r.max || (r.bytes > r.maxBytes && r.order.Len() > 0) {
		r.remove(r.order.Back())
	}
}

// remove forgets one entry; r.mu is held.
func (r *results) remove(el *list.Element) {
	e := el.Value.(*result)
	r.order.Remove(el)
	delete(r.entries, e.id)
	r.bytes -= e.size
}

// abandon drops an owned entry whose invocation did not complete (shutdown):
// the message is requeued and whoever runs it next decides.
func (r *results) abandon(e *result) {
	r.mu.Lock()
	if el, ok := r.entries[e.id]; ok && el.Value.(*result) == e {
		r.remove(el)
	}
	r.mu.Unlock()
	close(e.done)
}

// len returns the number of entries, for tests.
func (r *results) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.order.Len()
}
