package process

import (
	"io"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// pipeReader reads a runtime's output pipe for the line scanner and keeps
// count of what it took out of the pipe and what the scanner has passed on,
// so that sync can wait until every byte the runtime wrote before a given
// moment has reached the function log. That is what puts a handler's last
// lines before its END line and into its Tail: the runtime writes them
// before it posts its response, but the pipe is read concurrently.
type pipeReader struct {
	f  *os.File
	rc syscall.RawConn

	mu   sync.Mutex // protects the fields below
	cond *sync.Cond
	// read counts the bytes taken out of the pipe; processed those the
	// scanner has handled (passed on, or kept as the start of a line).
	read, processed int64
	done            bool
}

func newPipeReader(f *os.File) (*pipeReader, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	p := &pipeReader{f: f, rc: rc}
	p.cond = sync.NewCond(&p.mu)
	return p, nil
}

// Read is called by the scanner only once it has handled every complete
// line it holds: everything read before is processed.
func (p *pipeReader) Read(b []byte) (int, error) {
	p.mu.Lock()
	p.processed = p.read
	p.cond.Broadcast()
	p.mu.Unlock()

	var n int
	var rerr error
	err := p.rc.Read(func(fd uintptr) bool {
		// Taking bytes out and counting them happen under mu, so that
		// sync sees either both or neither.
		p.mu.Lock()
		n, rerr = syscall.Read(int(fd), b)
		if n > 0 {
			p.read += int64(n)
		}
		p.mu.Unlock()
		return rerr != syscall.EAGAIN
	})
	switch {
	case err != nil:
		return 0, err
	case rerr != nil:
		return 0, rerr
	case n <= 0:
		return 0, io.EOF
	}
	return n, nil
}

// finish marks the end of reading: sync no longer waits.
func (p *pipeReader) finish() {
	p.mu.Lock()
	p.done = true
	p.processed = p.read
	p.cond.Broadcast()
	p.mu.Unlock()
}

// sync waits until the bytes in the pipe now, and those read but not yet
// handled, have been processed, or until deadline.
func (p *pipeReader) sync(deadline time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return
	}
	var unread int32
	p.rc.Control(func(fd uintptr) {
		syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&unread)))
	})
	target := p.read + int64(unread)
	if p.processed >= target {
		return
	}
	t := time.AfterFunc(time.Until(deadline), func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer t.Stop()
	for p.processed < target && !p.done && time.Now().Before(deadline) {
		p.cond.Wait()
	}
}
