package server

import (
	"net/http"
	"runtime/debug"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// setRequestID gives every request a new request id and sends it as
// x-amzn-RequestId, errors included. The Invoke handler reads it back from
// the response header to put it in the invoke.Request, so the id a caller
// sees is the one the function saw.
//
// A harness that forwards an invocation to another one (the emulator
// inside a container) names the id it already gave in
// Lambda-Harness-Request-Id, so that the function, its log lines and both
// harnesses' answers share one id. Anything that is not a plausible id is
// ignored.
func setRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(headerForwardedRequestID)
		if !validRequestID(id) {
			id = invoke.NewRequestID()
		}
		w.Header()[headerRequestID] = []string{id}
		next.ServeHTTP(w, r)
	})
}

// validRequestID reports whether id can stand as a request id: 1 to 64
// letters, digits and '-'.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// requestID returns the request id setRequestID gave this response.
func requestID(w http.ResponseWriter) string {
	if v := w.Header()[headerRequestID]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// recoverPanics keeps a panicking handler from taking the daemon down: it
// logs the panic with its stack and answers 500 ServiceException, keeping
// only the request id of the headers set so far.
// http.ErrAbortHandler is passed on: it is how a handler asks net/http to
// abort the response.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			id := requestID(w)
			s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path,
				"request_id", id, "panic", v, "stack", string(debug.Stack()))
			h := w.Header()
			clear(h)
			h[headerRequestID] = []string{id}
			writeError(w, http.StatusInternalServerError, codeService, invoke.MessageOf(nil), "")
		}()
		next.ServeHTTP(w, r)
	})
}
