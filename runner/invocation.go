package runner

import (
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// invocation is one request on its way through an instance. The invoker
// goroutine owns it; the Runtime API handlers reach it through
// instance.current and deliver exactly one result on done.
type invocation struct {
	req      *invoke.Request
	arn      string
	deadline time.Time
	// done receives the runtime's answer (response or error). Buffered so
	// that a handler never blocks on an invoker that has given up.
	done chan *invoke.Response
	// tail collects the invocation's log for X-Amz-Log-Type: Tail; nil when
	// the caller did not ask for it.
	tail *tailBuffer
	// exts completes when every INVOKE-subscribed extension has processed
	// the invocation; nil when none is subscribed. Only the invoker
	// goroutine touches the field.
	exts *completion
}

func newInvocation(req *invoke.Request, arn string, deadline time.Time) *invocation {
	inv := &invocation{req: req, arn: arn, deadline: deadline, done: make(chan *invoke.Response, 1)}
	if req.Tail {
		inv.tail = &tailBuffer{}
	}
	return inv
}

// tailBuffer keeps the last invoke.LogTailSize bytes written to it. It is
// guarded by the function log's mutex (see functionLog).
type tailBuffer struct {
	buf []byte
}

func (t *tailBuffer) add(line []byte) {
	t.buf = append(t.buf, line...)
	t.buf = append(t.buf, '\n')
	if over := len(t.buf) - 2*invoke.LogTailSize; over > 0 {
		// Compact rarely: keep twice the tail so appends stay cheap.
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-invoke.LogTailSize:]...)
	}
}

func (t *tailBuffer) bytes() []byte {
	b := t.buf
	if len(b) > invoke.LogTailSize {
		b = b[len(b)-invoke.LogTailSize:]
	}
	return append([]byte(nil), b...)
}
