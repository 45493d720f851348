package runnertest

import (
	"sync"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/runner"
)

// Line is one line of a runtime's output.
type Line struct {
	Stream runner.Stream
	Text   string
}

// Output collects a runtime's output lines; its Write method is a
// runner.Spec's Output. It is safe for concurrent use.
type Output struct {
	// mu protects the fields below.
	mu    sync.Mutex
	lines []Line
	// changed is closed and replaced at every line, to wake WaitFor.
	changed chan struct{}
}

// Write records a line; it is the Output function of a runner.Spec.
func (o *Output) Write(stream runner.Stream, line []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.lines = append(o.lines, Line{Stream: stream, Text: string(line)})
	if o.changed != nil {
		close(o.changed)
		o.changed = nil
	}
}

// Lines returns the lines so far.
func (o *Output) Lines() []Line {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]Line(nil), o.lines...)
}

// Text returns the lines of stream so far.
func (o *Output) Text(stream runner.Stream) []string {
	var text []string
	for _, l := range o.Lines() {
		if l.Stream == stream {
			text = append(text, l.Text)
		}
	}
	return text
}

// WaitFor waits until ok holds for the lines so far, failing the test
// after timeout.
func (o *Output) WaitFor(t testing.TB, timeout time.Duration, what string, ok func([]Line) bool) {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		o.mu.Lock()
		if ok(o.lines) {
			o.mu.Unlock()
			return
		}
		if o.changed == nil {
			o.changed = make(chan struct{})
		}
		changed := o.changed
		o.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			t.Fatalf("no %s in the output after %s; output:\n%s", what, timeout, format(o.Lines()))
		}
	}
}

// WaitForLine waits for a line of stream that satisfies match and returns
// it.
func (o *Output) WaitForLine(t testing.TB, timeout time.Duration, stream runner.Stream, what string, match func(string) bool) string {
	t.Helper()
	var found string
	o.WaitFor(t, timeout, what, func(lines []Line) bool {
		for _, l := range lines {
			if l.Stream == stream && match(l.Text) {
				found = l.Text
				return true
			}
		}
		return false
	})
	return found
}

func format(lines []Line) string {
	var b []byte
	for _, l := range lines {
		name := "stdout"
		if l.Stream == runner.Stderr {
			name = "stderr"
		}
		text := l.Text
		if len(text) > 200 {
			text = text[:200] + "..."
		}
		b = append(b, name+": "+text+"\n"...)
	}
	return string(b)
}
