package runner

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// functionLog writes function output and the START / END / REPORT lines, as
// human-readable text or as JSON objects, and copies each invocation's
// lines into its Tail buffer.
//
// Lines are buffered and written at most flushDelay later (or when the
// buffer fills): three write calls per invocation cost more than the rest
// of the harness's side of a short invoke.
type functionLog struct {
	json bool
	// raw writes function output as it is and no START/END/REPORT lines:
	// the format of a harness running as the emulator inside a container,
	// whose host harness tags the lines and reports the invocation itself.
	raw bool

	mu    sync.Mutex // protects the fields below and every tailBuffer
	w     io.Writer
	buf   []byte
	timer *time.Timer // armed while buf holds unwritten lines
}

const (
	flushDelay = 50 * time.Millisecond
	flushSize  = 32 << 10
)

func newFunctionLog(w io.Writer, format string) (*functionLog, error) {
	switch format {
	case "", "text", "json", "raw":
	default:
		return nil, fmt.Errorf("log format %q: want text, json or raw", format)
	}
	if w == nil {
		w = io.Discard
	}
	return &functionLog{json: format == "json", raw: format == "raw", w: w}, nil
}

// Kinds of log line.
const (
	kindOutput   = "function"
	kindPlatform = "platform"
)

type jsonLine struct {
	Time       string `json:"time"`
	Type       string `json:"type"`
	Function   string `json:"function"`
	RequestID  string `json:"request_id,omitempty"`
	InstanceID string `json:"instance_id,omitempty"`
	Stream     string `json:"stream,omitempty"`
	Message    string `json:"message"`
}

// line writes one line for function fn. requestID is "" during init. tail,
// if not nil, gets a copy of the line as AWS's log would show it.
func (l *functionLog) line(fn, requestID, instanceID, kind string, stream Stream, msg []byte, tail *tailBuffer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if tail != nil {
		tail.add(msg)
	}
	b := l.buf
	switch {
	case l.raw && kind == kindPlatform:
		return
	case l.raw:
		b = append(b, msg...)
	case l.json:
		jl := jsonLine{
			Time:       time.Now().UTC().Format(time.RFC3339Nano),
			Type:       kind,
			Function:   fn,
			RequestID:  requestID,
			InstanceID: instanceID,
			Message:    string(msg),
		}
		switch stream {
		case Stdout:
			jl.Stream = "stdout"
		case Stderr:
			jl.Stream = "stderr"
		case Extension:
			jl.Stream = "extension"
		}
		enc, _ := json.Marshal(jl)
		b = append(b, enc...)
	default:
		b = append(b, '[')
		b = append(b, fn...)
		b = append(b, ' ')
		if requestID == "" {
			b = append(b, "init"...)
		} else {
			b = append(b, requestID...)
		}
		b = append(b, "] "...)
		b = append(b, msg...)
	}
	b = append(b, '\n')
	l.buf = b
	switch {
	case len(b) >= flushSize:
		l.flushLocked()
	case l.timer == nil:
		l.timer = time.AfterFunc(flushDelay, l.flush)
	}
}

// flush writes the buffered lines.
func (l *functionLog) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
}

func (l *functionLog) flushLocked() {
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	if len(l.buf) > 0 {
		l.w.Write(l.buf)
	}
	if cap(l.buf) > 4*flushSize {
		l.buf = nil
	} else {
		l.buf = l.buf[:0]
	}
}

// start writes the START line of an invocation.
func (l *functionLog) start(fn, requestID, instanceID string, tail *tailBuffer) {
	msg := "START RequestId: " + requestID + " Version: $LATEST"
	l.line(fn, requestID, instanceID, kindPlatform, 0, []byte(msg), tail)
}

// report is what the END and REPORT lines of an invocation say.
type report struct {
	requestID string
	duration  time.Duration
	memoryMB  int
	maxMemory uint64 // bytes; 0 if not measured
	initDur   time.Duration
	cold      bool
}

// end writes the END and REPORT lines of an invocation, in AWS's format.
// https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html#python-logging-output
func (l *functionLog) end(fn, instanceID string, rep report, tail *tailBuffer) {
	l.line(fn, rep.requestID, instanceID, kindPlatform, 0, []byte("END RequestId: "+rep.requestID), tail)
	l.line(fn, rep.requestID, instanceID, kindPlatform, 0, rep.appendTo(nil), tail)
}

func (rep report) appendTo(b []byte) []byte {
	ms := float64(rep.duration) / float64(time.Millisecond)
	billed := (rep.duration + time.Millisecond - 1) / time.Millisecond
	if billed < 1 {
		billed = 1
	}
	b = append(b, "REPORT RequestId: "...)
	b = append(b, rep.requestID...)
	b = append(b, "\tDuration: "...)
	b = strconv.AppendFloat(b, ms, 'f', 2, 64)
	b = append(b, " ms\tBilled Duration: "...)
	b = strconv.AppendInt(b, int64(billed), 10)
	b = append(b, " ms\tMemory Size: "...)
	b = strconv.AppendInt(b, int64(rep.memoryMB), 10)
	b = append(b, " MB\tMax Memory Used: "...)
	used := (rep.maxMemory + (1<<20 - 1)) >> 20
	b = strconv.AppendUint(b, used, 10)
	b = append(b, " MB"...)
	if rep.cold {
		b = append(b, "\tInit Duration: "...)
		b = strconv.AppendFloat(b, float64(rep.initDur)/float64(time.Millisecond), 'f', 2, 64)
		b = append(b, " ms"...)
	}
	return b
}
