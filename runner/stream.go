package runner

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// streamBody carries a streamed response from the runtime's POST to the
// caller without buffering: the Runtime API handler pumps the runtime's
// body into a pipe whose every write waits for the caller's read, so the
// first bytes reach the caller before the function ends.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming
type streamBody struct {
	pr *io.PipeReader
	pw *io.PipeWriter
	// bodyDone is closed by the pump when the runtime's body has ended or
	// broken off; pumpFail and broken are set before.
	bodyDone chan struct{}
	pumpFail *invoke.Response
	broken   bool
	tooLarge bool
	// complete is closed once the invocation is over (logged, its instance
	// released); result is set before.
	complete chan struct{}
	result   *invoke.Response
}

var _ invoke.ResponseStream = (*streamBody)(nil)

// errStreamAborted ends the caller's side of a stream cut short by a
// timeout or a crash; the caller sees io.EOF and the failure in Result.
var errStreamAborted = errors.New("stream aborted")

func newStreamBody() *streamBody {
	pr, pw := io.Pipe()
	return &streamBody{pr: pr, pw: pw, bodyDone: make(chan struct{}), complete: make(chan struct{})}
}

// Read returns the bytes as the runtime sends them, then io.EOF once the
// invocation is complete.
func (s *streamBody) Read(p []byte) (int, error) {
	n, err := s.pr.Read(p)
	if err != nil {
		<-s.complete
		return n, io.EOF
	}
	return n, nil
}

// Close abandons the rest of the stream: the pump discards it.
func (s *streamBody) Close() error {
	s.pr.Close()
	return nil
}

// Result tells how the invocation ended (see invoke.ResponseStream).
func (s *streamBody) Result() *invoke.Response {
	select {
	case <-s.complete:
		return s.result
	default:
		return nil
	}
}

// pump copies the runtime's streamed body into the pipe until it ends,
// then reads the error trailers. A caller that went away only stops the
// copying: the body is still read to its end so the runtime is not stuck.
func (s *streamBody) pump(r *http.Request, id string) {
	defer close(s.bodyDone)
	defer s.pw.Close()
	buf := make([]byte, 32<<10)
	var total int64
	writing := true
	for {
		n, err := r.Body.Read(buf)
		if n > 0 {
			total += int64(n)
			if total > invoke.MaxStreamPayload {
				s.tooLarge = true
				s.pumpFail = invoke.FunctionFailure(id, invoke.ErrorTypeTooLarge,
					"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(invoke.MaxStreamPayload)+" bytes).")
				return
			}
			if writing {
				if _, werr := s.pw.Write(buf[:n]); werr != nil {
					writing = false
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			s.broken = true
			return
		}
	}
	if et := r.Trailer.Get(hdrErrorType); et != "" {
		s.pumpFail = streamFailure(id, et, r.Trailer.Get(hdrErrorBody))
	}
}

// handleStreamedResponse delivers a response to a caller that asked for a
// stream, as the runtime sends it.
func (in *instance) handleStreamedResponse(w http.ResponseWriter, r *http.Request, inv *invocation) {
	id := inv.req.RequestID
	s := newStreamBody()
	inv.done <- &invoke.Response{
		RequestID:       id,
		Stream:          s,
		ContentType:     r.Header.Get("Content-Type"),
		ExecutedVersion: invoke.LatestVersion,
	}
	s.pump(r, id)
	if s.tooLarge {
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"Response payload size exceeded maximum allowed payload size ("+strconv.Itoa(invoke.MaxStreamPayload)+" bytes).")
		return
	}
	writeAccepted(w)
}

// finishStream waits for a streamed invocation to end — the runtime's body
// done, the deadline, or the runtime's death — then logs it, releases its
// instance and completes the caller's stream. It runs in a goroutine of
// its own, counted in the runner's in-flight invocations.
func (r *Runner) finishStream(p *pool, in *instance, inv *invocation, s *streamBody, start time.Time) {
	defer r.inflight.Done()
	t := time.NewTimer(time.Until(inv.deadline))
	defer t.Stop()
	var fail *invoke.Response
	select {
	case <-s.bodyDone:
		fail = s.pumpFail
		if s.broken {
			in.kill(reasonFailure)
			fail = in.deathFailure(inv)
		}
	case <-t.C:
		in.kill(reasonTimeout)
		s.pw.CloseWithError(errStreamAborted)
		fail = in.timeoutFailure(inv)
	case <-in.dead:
		select {
		case <-s.bodyDone: // it finished before it died
			fail = s.pumpFail
		default:
			s.pw.CloseWithError(errStreamAborted)
			fail = in.deathFailure(inv)
		}
	}
	if fail != nil && fail.ErrorType == invoke.ErrorTypeTooLarge {
		in.kill(reasonFailure)
	}
	r.report(in, inv, time.Since(start), runStatus(fail, in.isDead()))
	res := fail
	if res == nil {
		res = &invoke.Response{RequestID: inv.req.RequestID, ExecutedVersion: invoke.LatestVersion}
	}
	if inv.tail != nil {
		res.LogTail = inv.tail.bytes()
	}
	s.result = res
	if inv.exts != nil && !in.isDead() {
		// As for a buffered response: the caller is done now, the instance
		// once the extensions are done with the invocation too.
		close(s.complete)
		if !in.awaitExtensions(inv) {
			in.log.Warn("extensions did not finish the invocation by its deadline", "request_id", inv.req.RequestID)
			in.kill(reasonTimeout)
		}
		p.release(in)
		return
	}
	// Released before the caller sees the end, so that its next invocation
	// finds the instance warm.
	p.release(in)
	close(s.complete)
}
