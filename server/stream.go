package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/lambda-harness/lambda-harness/invoke"
)

const contentTypeEventStream = "application/vnd.amazon.eventstream"

// streamChunk is the most of a function's response one PayloadChunk
// carries.
const streamChunk = 32 << 10

// handleInvokeStream serves InvokeWithResponseStream: the function's
// response goes out as PayloadChunk messages as the runtime produces it —
// the first bytes before the function ends — then one InvokeComplete with
// the error, if any, and the log tail.
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
func (s *Server) handleInvokeStream(w http.ResponseWriter, r *http.Request) {
	req, err := s.invokeRequest(w, r, false)
	if err == nil && req.Type == invoke.Event {
		err = invoke.Errorf(invoke.Validation,
			"1 validation error detected: Value 'Event' at 'invocationType' failed to satisfy constraint: "+
				"Member must satisfy enum value set: [RequestResponse, DryRun]")
	}
	if err != nil {
		s.fail(w, r, req.FunctionName, err)
		return
	}
	req.Stream = true
	resp, err := s.invoker.Invoke(r.Context(), req)
	if err == nil && resp == nil {
		err = errors.New("invoker returned neither a response nor an error")
	}
	if err != nil {
		s.fail(w, r, req.FunctionName, err)
		return
	}
	if req.Type == invoke.DryRun {
		writeInvokeResponse(w, req, resp)
		return
	}
	h := w.Header()
	if resp.RequestID != "" && resp.RequestID != req.RequestID {
		h[headerRequestID] = []string{resp.RequestID}
	}
	version := resp.ExecutedVersion
	if version == "" {
		version = invoke.LatestVersion
	}
	h[headerExecutedVersion] = []string{version}
	h[headerContentType] = []string{contentTypeEventStream}
	w.WriteHeader(http.StatusOK)
	out := &eventWriter{w: w, rc: http.NewResponseController(w)}
	// The caller learns at once that the invocation started.
	out.rc.Flush()
	if resp.Stream == nil {
		// Failed before streaming, or an Invoker that does not stream.
		if resp.FunctionError == "" {
			for p := resp.Payload; len(p) > 0; p = p[min(len(p), streamChunk):] {
				out.event(payloadChunkHeaders, p[:min(len(p), streamChunk)])
			}
		}
		out.complete(resp)
		return
	}
	defer resp.Stream.Close()
	chunk := make([]byte, streamChunk)
	for {
		n, err := resp.Stream.Read(chunk)
		if n > 0 && out.event(payloadChunkHeaders, chunk[:n]) != nil {
			// The caller went away: Close lets the invocation finish.
			s.log.Debug("stream caller gone", "request_id", req.RequestID)
			return
		}
		if err != nil {
			break
		}
	}
	out.complete(resp.Stream.Result())
}

// eventWriter writes event-stream messages, each flushed at once.
type eventWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	buf []byte
}

func (e *eventWriter) event(headers eventHeaders, payload []byte) error {
	var err error
	if e.buf, err = writeEvent(e.w, e.buf, headers, payload); err != nil {
		return err
	}
	return e.rc.Flush()
}

// invokeComplete is the payload of the InvokeComplete message.
type invokeComplete struct {
	ErrorCode    string `json:",omitempty"`
	ErrorDetails string `json:",omitempty"`
	LogResult    string `json:",omitempty"`
}

// complete writes InvokeComplete for how the invocation ended.
func (e *eventWriter) complete(res *invoke.Response) {
	var c invokeComplete
	if res != nil {
		if res.FunctionError != "" {
			c.ErrorCode, c.ErrorDetails = res.ErrorType, string(res.Payload)
			var obj invoke.ErrorObject
			if json.Unmarshal(res.Payload, &obj) == nil && obj.ErrorMessage != "" {
				c.ErrorDetails = obj.ErrorMessage
				if c.ErrorCode == "" {
					c.ErrorCode = obj.ErrorType
				}
			}
			if c.ErrorCode == "" {
				c.ErrorCode = res.FunctionError
			}
		}
		if len(res.LogTail) > 0 {
			c.LogResult = base64.StdEncoding.EncodeToString(res.LogTail)
		}
	}
	b, _ := json.Marshal(c)
	e.event(invokeCompleteHeaders, b)
}
