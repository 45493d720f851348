package container

import (
	"bytes"

	"github.com/lambda-harness/lambda-harness/runner"
)

// maxLine is the longest line passed on whole; a longer one is passed on
// in pieces of this size. 256 KB is the most Lambda keeps of one log event,
// and the process launcher cuts at the same length.
const maxLine = 256 << 10

// lineWriter splits one output stream of a container, as demultiplexed by
// stdcopy, into lines for the runner. Frames do not follow lines: a line
// may span frames and a frame may hold many lines, so a partial line waits
// for the rest. It is used by one goroutine.
type lineWriter struct {
	stream runner.Stream
	output func(runner.Stream, []byte)
	// partial is the start of a line whose end has not arrived yet.
	partial []byte
}

// Write passes on every complete line of p and keeps the rest.
func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			break
		}
		line := p[:i]
		if len(w.partial) > 0 {
			w.partial = append(w.partial, line...)
			line = w.partial
		}
		w.emit(dropCR(line))
		w.partial = w.partial[:0]
		p = p[i+1:]
	}
	w.partial = append(w.partial, p...)
	if len(w.partial) > maxLine {
		// Keep at least one byte: a line of exactly maxLine bytes whose
		// newline comes next is one line, not a piece and an empty line.
		cut := (len(w.partial) - 1) / maxLine * maxLine
		w.emit(w.partial[:cut])
		w.partial = append(w.partial[:0], w.partial[cut:]...)
	}
	return n, nil
}

// flush passes on a last line that has no newline.
func (w *lineWriter) flush() {
	if len(w.partial) > 0 {
		w.emit(dropCR(w.partial))
		w.partial = nil
	}
}

// emit passes on line, in pieces of maxLine if it is longer.
func (w *lineWriter) emit(line []byte) {
	if w.output == nil {
		return
	}
	for len(line) > maxLine {
		w.output(w.stream, line[:maxLine])
		line = line[maxLine:]
	}
	w.output(w.stream, line)
}

// dropCR drops a terminal \r, as bufio.ScanLines does.
func dropCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}
