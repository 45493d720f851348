package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// awsError is how one kind of harness error appears on the wire.
type awsError struct {
	status int
	code   string // x-amzn-ErrorType
	reason string // the Reason member, where AWS sends one
}

// AWS error codes the server writes itself, outside the kind table.
const (
	codeService          = "ServiceException"
	codeUnknownOperation = "UnknownOperationException"
)

// kindErrors maps each invoke.Kind to its status and AWS error code
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors).
// The 413 code is the one AWS sends, RequestEntityTooLargeException; the API
// model names that shape RequestTooLargeException.
var kindErrors = [...]awsError{
	invoke.Internal:         {http.StatusInternalServerError, codeService, ""},
	invoke.NotFound:         {http.StatusNotFound, "ResourceNotFoundException", ""},
	invoke.Throttled:        {http.StatusTooManyRequests, "TooManyRequestsException", "ReservedFunctionConcurrentInvocationLimitExceeded"},
	invoke.TooLarge:         {http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", ""},
	invoke.InvalidContent:   {http.StatusBadRequest, "InvalidRequestContentException", ""},
	invoke.InvalidParameter: {http.StatusBadRequest, "InvalidParameterValueException", ""},
	invoke.Validation:       {http.StatusBadRequest, "ValidationException", ""},
	invoke.Unavailable:      {http.StatusServiceUnavailable, codeService, ""},
	invoke.NotReady:         {http.StatusBadGateway, "ResourceNotReadyException", ""},
	invoke.UnsupportedMedia: {http.StatusUnsupportedMediaType, "UnsupportedMediaTypeException", ""},
}

// errorFor returns the wire form of kind k.
func errorFor(k invoke.Kind) awsError {
	if int(k) < len(kindErrors) && kindErrors[k].code != "" {
		return kindErrors[k]
	}
	return kindErrors[invoke.Internal]
}

// retryAfterSeconds is the Retry-After of a 429: a local harness frees a
// slot as soon as an invocation ends, so the shortest wait will do.
const retryAfterSeconds = "1"

// fail answers a request that could not be served with the AWS error of
// err's kind. The caller-facing message is invoke.MessageOf(err); the whole
// error, internal detail included, goes to the log. function names the
// function for the log, "" if unknown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, function string, err error) {
	id := requestID(w)
	if r.Context().Err() != nil {
		// The caller is gone: nobody reads the answer.
		s.log.Debug("caller went away", "function", function, "request_id", id, "error", err)
		return
	}
	k := invoke.KindOf(err)
	e := errorFor(k)
	level := slog.LevelDebug
	if e.status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	s.log.Log(r.Context(), level, "request failed", "function", function, "request_id", id,
		"kind", k.String(), "status", e.status, "error", err)
	if e.status == http.StatusTooManyRequests {
		w.Header().Set(headerRetryAfter, retryAfterSeconds)
	}
	writeError(w, e.status, e.code, invoke.MessageOf(err), e.reason)
}

// errorBody is the body of an AWS service error. Lambda's shapes spell the
// message "message" or "Message" depending on the error; both are sent, as
// clients read either.
type errorBody struct {
	Type         string `json:"Type"`
	Message      string `json:"Message"`
	LowerMessage string `json:"message"`
	Reason       string `json:"Reason,omitempty"`
}

// writeError writes an AWS service error: x-amzn-ErrorType and a JSON body
// whose Type is "User" for a 4xx and "Service" for a 5xx.
func writeError(w http.ResponseWriter, status int, code, message, reason string) {
	typ := "User"
	if status >= http.StatusInternalServerError {
		typ = "Service"
	}
	w.Header().Set(headerErrorType, code)
	writeJSON(w, status, errorBody{Type: typ, Message: message, LowerMessage: message, Reason: reason})
}

// writeJSON writes v as a JSON body with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only the server's own types are written; this does not happen.
		status = http.StatusInternalServerError
		body = []byte(`{"Type":"Service","Message":"An internal error occurred.","message":"An internal error occurred."}`)
	}
	h := w.Header()
	h.Set(headerContentType, contentTypeJSON)
	h.Set(headerContentLength, strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// handleUnknownOperation answers a path that is no operation of the API.
func handleUnknownOperation(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, codeUnknownOperation,
		"Unknown operation: "+r.Method+" "+shortPath(r), "")
}

// handleMethodNotAllowed answers a known path called with the wrong method.
func handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusMethodNotAllowed, codeUnknownOperation,
		"Method "+r.Method+" is not allowed on "+shortPath(r), "")
}

// shortPath returns the request's path, cut short for an error message.
func shortPath(r *http.Request) string {
	const max = 256
	p := r.URL.EscapedPath()
	if len(p) > max {
		p = p[:max] + "..."
	}
	return p
}
