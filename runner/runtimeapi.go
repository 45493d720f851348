package runner

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Runtime API paths and headers.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
const (
	pathNext      = "/2018-06-01/runtime/invocation/next"
	pathResponse  = "/2018-06-01/runtime/invocation/{id}/response"
	pathError     = "/2018-06-01/runtime/invocation/{id}/error"
	pathInitError = "/2018-06-01/runtime/init/error"

	hdrRequestID       = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline        = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID         = "Lambda-Runtime-Trace-Id"
	hdrClientContext   = "Lambda-Runtime-Client-Context"
	hdrCognitoIdentity = "Lambda-Runtime-Cognito-Identity"
	hdrTenantID        = "Lambda-Runtime-Aws-Tenant-Id"
	hdrErrorType       = "Lambda-Runtime-Function-Error-Type"
	hdrErrorBody       = "Lambda-Runtime-Function-Error-Body"
	hdrResponseMode    = "Lambda-Runtime-Function-Response-Mode"

	modeStreaming = "streaming"
	modeBuffered  = "buffered"
)

// routes is the Runtime API of one instance.
func (in *instance) routes() http.Handler {
	r := chi.NewRouter()
	// The runtime waits here for its next invocation (long poll).
	r.Get(pathNext, in.handleNext)
	// The runtime's result for an invocation, buffered or streamed.
	r.Post(pathResponse, in.handleResponse)
	// The runtime's report that the handler failed.
	r.Post(pathError, in.handleError)
	// The runtime's report that initialisation failed.
	r.Post(pathInitError, in.handleInitError)
	in.extensionRoutes(r)
	r.NotFound(func(w http.ResponseWriter, _ *http.Request) {
		writeRuntimeError(w, http.StatusNotFound, "InvalidRequest", "No such Runtime API path")
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, _ *http.Request) {
		writeRuntimeError(w, http.StatusMethodNotAllowed, "InvalidRequest", "Method not allowed")
	})
	return r
}

var statusOK = []byte(`{"status":"OK"}` + "\n")

func (in *instance) handleNext(w http.ResponseWriter, r *http.Request) {
	if in.exts.runtimeReady() {
		in.initDone()
	}
	var inv *invocation
	select {
	case inv = <-in.invocations:
	case <-r.Context().Done():
		return
	case <-in.dead:
		// Never answer: an empty 200 would look like an invocation. The
		// connection closes with the listener once the runtime is gone.
		<-r.Context().Done()
		return
	}
	in.mu.Lock()
	in.current = inv
	in.answered = false
	in.mu.Unlock()
	// START before the runtime has the event, so it precedes the
	// handler's output.
	in.pool.r.flog.start(in.pool.fn.Name, inv.req.RequestID, in.id, inv.tail)
	if in.tel.active() {
		in.tel.emit("platform.start", startRecord{RequestID: inv.req.RequestID, Version: invoke.LatestVersion})
	}

	req := inv.req
	h := w.Header()
	h[hdrRequestID] = []string{req.RequestID}
	h[hdrDeadline] = []string{strconv.FormatInt(inv.deadline.UnixMilli(), 10)}
	h[hdrFunctionARN] = []string{inv.arn}
	if req.TraceID != "" {
		h[hdrTraceID] = []string{req.TraceID}
	}
	if req.ClientContext != "" {
		h[hdrClientContext] = []string{req.ClientContext}
	}
	if req.CognitoIdentity != "" {
		h[hdrCognitoIdentity] = []string{req.CognitoIdentity}
	}
	if req.TenantID != "" {
		h[hdrTenantID] = []string{req.TenantID}
	}
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(len(req.Payload))}
	w.WriteHeader(http.StatusOK)
	w.Write(req.Payload)
}

// claim returns the invocation id names and marks it answered, or writes
// the misuse answer and returns nil.
func (in *instance) claim(w http.ResponseWriter, r *http.Request) *invocation {
	id := chi.URLParam(r, "id")
	in.mu.Lock()
	inv, answered, last := in.current, in.answered, in.lastID
	if inv != nil && inv.req.RequestID == id && !answered {
		in.answered = true
		in.mu.Unlock()
		return inv
	}
	in.mu.Unlock()
	if (inv != nil && inv.req.RequestID == id) || (id != "" && id == last) {
		writeRuntimeError(w, http.StatusForbidden, "InvalidStateTransition",
			"Invocation "+id+" has already been answered")
		return nil
	}
	writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID: "+id)
	return nil
}

func (in *instance) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv := in.claim(w, r)
	if inv == nil {
		return
	}
	id := inv.req.RequestID
	mode := r.Header.Get(hdrResponseMode)
	if mode != "" && mode != modeStreaming && mode != modeBuffered {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidFunctionResponseMode",
			"Invalid response mode: "+mode)
		flush(w)
		inv.done <- invoke.FunctionFailure(id, invoke.ErrorTypeInvalidMode,
			"RequestId: "+id+" Error: Invalid response mode header value: "+mode)
		return
	}
	if inv.req.Stream {
		in.handleStreamedResponse(w, r, inv)
		return
	}
	body, err := readBody(r, invoke.MaxResponsePayload)
	if errors.Is(err, errTooLarge) {
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			"Response payload size exceeded maximum allowed payload size (6291556 bytes).")
		flush(w)
		inv.done <- invoke.FunctionFailure(id, invoke.ErrorTypeTooLarge,
			"Response payload size exceeded maximum allowed payload size (6291556 bytes).")
		return
	}
	if err != nil {
		in.log.Debug("reading runtime response", "request_id", id, "error", err)
		inv.done <- invoke.FunctionFailure(id, invoke.ErrorTypeUnknown,
			"RequestId: "+id+" Error: Runtime failed to send its response")
		return
	}
	// A streamed response reports a mid-stream failure in trailers; so may a
	// buffered one (aws-lambda-go declares the trailers on every response).
	if et := r.Trailer.Get(hdrErrorType); et != "" {
		inv.done <- streamFailure(id, et, r.Trailer.Get(hdrErrorBody))
	} else {
		inv.done <- &invoke.Response{
			RequestID:       id,
			Payload:         body,
			ContentType:     r.Header.Get("Content-Type"),
			ExecutedVersion: invoke.LatestVersion,
		}
	}
	writeAccepted(w)
}

func (in *instance) handleError(w http.ResponseWriter, r *http.Request) {
	inv := in.claim(w, r)
	if inv == nil {
		return
	}
	body, err := readBody(r, invoke.MaxResponsePayload)
	if err != nil {
		body = nil
	}
	inv.done <- errorResponse(inv.req.RequestID, r.Header.Get(hdrErrorType), body)
	writeAccepted(w)
}

func (in *instance) handleInitError(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r, invoke.MaxResponsePayload)
	resp := errorResponse("", r.Header.Get(hdrErrorType), body)
	if !in.failInit(resp) {
		writeRuntimeError(w, http.StatusForbidden, "InvalidStateTransition",
			"Init error reported after initialisation, or twice")
		return
	}
	writeAccepted(w)
}

// errorResponse is the caller's view of an error a runtime posted: the body
// as posted when it is a JSON object, else an error object built around it.
func errorResponse(requestID, errorType string, body []byte) *invoke.Response {
	var obj struct {
		ErrorType string `json:"errorType"`
	}
	if len(body) > 0 && body[0] == '{' && json.Unmarshal(body, &obj) == nil {
		if errorType == "" {
			errorType = obj.ErrorType
		}
		return &invoke.Response{RequestID: requestID, Payload: body,
			FunctionError: invoke.FunctionErrorUnhandled, ErrorType: errorType,
			ExecutedVersion: invoke.LatestVersion}
	}
	if errorType == "" {
		errorType = invoke.ErrorTypeUnknown
	}
	resp := invoke.FunctionFailure(requestID, errorType, string(body))
	return resp
}

// streamFailure decodes the error trailers of a streamed response.
func streamFailure(requestID, errorType, b64 string) *invoke.Response {
	body, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		body = []byte(b64)
	}
	return errorResponse(requestID, errorType, body)
}

var errTooLarge = errors.New("body too large")

// readBody reads a request body of at most limit bytes, sized from
// Content-Length when the runtime sent one.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, errTooLarge
	}
	if r.ContentLength >= 0 {
		b := make([]byte, r.ContentLength)
		_, err := io.ReadFull(r.Body, b)
		return b, err
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

// flush sends what was written before the invoker is told, so that the
// runtime gets its answer even if the instance is killed next.
func flush(w http.ResponseWriter) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

func writeAccepted(w http.ResponseWriter) {
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	w.WriteHeader(http.StatusAccepted)
	w.Write(statusOK)
}

func writeRuntimeError(w http.ResponseWriter, status int, errorType, message string) {
	b, _ := json.Marshal(invoke.ErrorObject{ErrorMessage: message, ErrorType: errorType})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
