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
func setRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()[headerRequestID] = []string{invoke.NewRequestID()}
		next.ServeHTTP(w, r)
	})
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
