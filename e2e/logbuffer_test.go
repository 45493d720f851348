package e2e

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// logBuffer collects a subprocess's output (os/exec writes it from a
// goroutine of its own) and lets tests wait for a line.
type logBuffer struct {
	// mu protects the fields below.
	mu  sync.Mutex
	buf bytes.Buffer
	// changed is closed and replaced on every write, to wake waiters.
	changed chan struct{}
}

func newLogBuffer() *logBuffer {
	return &logBuffer{changed: make(chan struct{})}
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	close(b.changed)
	b.changed = make(chan struct{})
	return len(p), nil
}

// String returns everything written so far.
func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Lines returns the complete lines written so far.
func (b *logBuffer) Lines() []string {
	s, _ := b.snapshot()
	return completeLines(s)
}

func (b *logBuffer) snapshot() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String(), b.changed
}

func completeLines(s string) []string {
	end := strings.LastIndexByte(s, '\n')
	if end < 0 {
		return nil
	}
	return strings.Split(s[:end], "\n")
}

// waitLine waits until a complete line satisfies match and returns it.
// stop, if not nil, ends the wait early (the process exited): the result
// is then "" and false, as when timeout passes.
func (b *logBuffer) waitLine(timeout time.Duration, stop <-chan struct{}, match func(string) bool) (string, bool) {
	var found string
	ok := b.wait(timeout, stop, func(lines []string) bool {
		for _, line := range lines {
			if match(line) {
				found = line
				return true
			}
		}
		return false
	})
	return found, ok
}

// wait waits until cond holds for the complete lines written so far; see
// waitLine for stop.
func (b *logBuffer) wait(timeout time.Duration, stop <-chan struct{}, cond func(lines []string) bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s, changed := b.snapshot()
		if cond(completeLines(s)) {
			return true
		}
		select {
		case <-changed:
		case <-stop:
			// Output written before the exit may still be on its way.
			s, _ := b.snapshot()
			return cond(completeLines(s))
		case <-deadline.C:
			return false
		}
	}
}

// count returns how many complete lines satisfy match.
func (b *logBuffer) count(match func(string) bool) int {
	return countLines(b.Lines(), match)
}

func countLines(lines []string, match func(string) bool) int {
	n := 0
	for _, line := range lines {
		if match(line) {
			n++
		}
	}
	return n
}

// mustWaitCount waits until at least n complete lines satisfy match.
func (b *logBuffer) mustWaitCount(t *testing.T, what string, timeout time.Duration, n int, match func(string) bool) {
	t.Helper()
	if !b.wait(timeout, nil, func(lines []string) bool { return countLines(lines, match) >= n }) {
		t.Fatalf("fewer than %d %s within %s (%d)", n, what, timeout, b.count(match))
	}
}

// mustWaitLine is waitLine that fails the test, naming what it waited for.
func (b *logBuffer) mustWaitLine(t *testing.T, what string, timeout time.Duration, match func(string) bool) string {
	t.Helper()
	line, ok := b.waitLine(timeout, nil, match)
	if !ok {
		t.Fatalf("no %s within %s", what, timeout)
	}
	return line
}

// contains returns a line matcher for a substring.
func contains(sub string) func(string) bool {
	return func(line string) bool { return strings.Contains(line, sub) }
}
