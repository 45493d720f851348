package server

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// handleInvoke serves Invoke.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
func (s *Server) handleInvoke(w http.ResponseWriter, r *http.Request) {
	req, err := s.invokeRequest(w, r, false)
	if err != nil {
		s.fail(w, r, req.FunctionName, err)
		return
	}
	resp, err := s.invoker.Invoke(r.Context(), req)
	if err == nil && resp == nil {
		err = errors.New("invoker returned neither a response nor an error")
	}
	if err != nil {
		s.fail(w, r, req.FunctionName, err)
		return
	}
	writeInvokeResponse(w, req, resp)
}

// handleInvokeAsync serves the deprecated InvokeAsync: an Event invocation
// answered with 202 and {"Status":202}.
// https://docs.aws.amazon.com/lambda/latest/api/API_InvokeAsync.html
func (s *Server) handleInvokeAsync(w http.ResponseWriter, r *http.Request) {
	req, err := s.invokeRequest(w, r, true)
	if err == nil {
		_, err = s.invoker.Invoke(r.Context(), req)
	}
	if err != nil {
		s.fail(w, r, req.FunctionName, err)
		return
	}
	writeJSON(w, http.StatusAccepted, struct{ Status int }{http.StatusAccepted})
}

// invokeRequest turns an Invoke (or, if async, InvokeAsync) request into an
// invoke.Request for a function that exists. It checks, in order, the name,
// the headers, the body's declared size, that the function exists, the
// body's actual size, and that the body is JSON. On error the returned
// request still names the function, as far as it is known, for the log.
func (s *Server) invokeRequest(w http.ResponseWriter, r *http.Request, async bool) (*invoke.Request, error) {
	req := &invoke.Request{RequestID: requestID(w), Type: invoke.RequestResponse}
	if async {
		req.Type = invoke.Event
	}
	name, qualifier, err := functionName(r)
	if err != nil {
		return req, err
	}
	req.FunctionName, req.Qualifier = name, qualifier
	if !async {
		if req.Type, err = invocationType(r); err != nil {
			return req, err
		}
		if req.Tail, err = tail(r); err != nil {
			return req, err
		}
		// Tail applies to synchronous invocations only.
		req.Tail = req.Tail && req.Type == invoke.RequestResponse
	}
	if req.ClientContext, err = clientContext(r); err != nil {
		return req, err
	}
	if req.Type != invoke.RequestResponse {
		// Lambda passes the client context to synchronous invocations only.
		req.ClientContext = ""
	}
	if req.TenantID, err = tenantID(r); err != nil {
		return req, err
	}
	req.TraceID = r.Header.Get(headerTraceID)

	limit, tooLarge := payloadLimit(req.Type, async)
	if r.ContentLength > limit {
		return req, tooLarge(r.ContentLength)
	}
	f, ok := s.resolve(name)
	if !ok {
		return req, s.notFound(name, qualifier)
	}
	req.FunctionName = f.Name
	if req.Payload, err = readPayload(r, limit, tooLarge); err != nil {
		return req, err
	}
	return req, checkJSON(req.Payload)
}

// payloadLimit returns the largest request body of an invocation type and
// AWS's error for a larger one, given its size (-1 if unknown).
func payloadLimit(t invoke.InvocationType, async bool) (int64, func(size int64) error) {
	switch {
	case async:
		return invoke.MaxEventPayload, func(int64) error {
			return invoke.Errorf(invoke.TooLarge,
				"Request must be smaller than %d bytes for the InvokeAsync operation", invoke.MaxEventPayload)
		}
	case t == invoke.Event:
		return invoke.MaxEventPayload, func(size int64) error {
			what := "Payload"
			if size >= 0 {
				what = strconv.FormatInt(size, 10) + " byte payload"
			}
			return invoke.Errorf(invoke.TooLarge,
				"%s is too large for the Event invocation type (limit %d bytes)", what, invoke.MaxEventPayload)
		}
	default:
		return invoke.MaxSyncPayload, func(int64) error {
			return invoke.Errorf(invoke.TooLarge,
				"Request must be smaller than %d bytes for the InvokeFunction operation", invoke.MaxSyncPayload)
		}
	}
}

// writeInvokeResponse writes the result of an invocation: 202 for Event,
// 204 for DryRun, else 200 with the function's payload. A function error is
// still a 200, marked by X-Amz-Function-Error.
func writeInvokeResponse(w http.ResponseWriter, req *invoke.Request, resp *invoke.Response) {
	h := w.Header()
	if resp.RequestID != "" && resp.RequestID != req.RequestID {
		// The id the function saw wins (an Invoker may assign its own).
		h[headerRequestID] = []string{resp.RequestID}
	}
	version := resp.ExecutedVersion
	if version == "" {
		version = invoke.LatestVersion
	}
	h[headerExecutedVersion] = []string{version}
	switch req.Type {
	case invoke.Event:
		w.WriteHeader(http.StatusAccepted)
		return
	case invoke.DryRun:
		w.WriteHeader(http.StatusNoContent)
		return
	}
	ct := resp.ContentType
	if ct == "" {
		ct = contentTypeJSON
	}
	h[headerContentType] = []string{ct}
	h[headerContentLength] = []string{strconv.Itoa(len(resp.Payload))}
	if resp.FunctionError != "" {
		h[headerFunctionError] = []string{resp.FunctionError}
	}
	if req.Tail {
		h[headerLogResult] = []string{base64.StdEncoding.EncodeToString(resp.LogTail)}
	}
	w.WriteHeader(http.StatusOK)
	w.Write(resp.Payload)
}
