package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

func TestInvokeErrorKinds(t *testing.T) {
	secret := errors.New("dial unix /var/run/secret.sock: permission denied")
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantCode   string
		wantMsg    string
		wantReason string
		wantLogged bool // at error level
	}{
		{"internal", invoke.Wrap(invoke.Internal, "An internal error occurred.", secret), 500, "ServiceException", "An internal error occurred.", "", true},
		{"plain error", fmt.Errorf("runner: %w", secret), 500, "ServiceException", "An internal error occurred.", "", true},
		{"not found", invoke.Errorf(invoke.NotFound, "Function not found: arn:aws:lambda:us-east-1:123456789012:function:my-fn"), 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:my-fn", "", false},
		{"throttled", invoke.Errorf(invoke.Throttled, "Rate Exceeded."), 429, "TooManyRequestsException", "Rate Exceeded.", "ReservedFunctionConcurrentInvocationLimitExceeded", false},
		{"too large", invoke.Errorf(invoke.TooLarge, "too big"), 413, "RequestEntityTooLargeException", "too big", "", false},
		{"invalid content", invoke.Errorf(invoke.InvalidContent, "bad json"), 400, "InvalidRequestContentException", "bad json", "", false},
		{"invalid parameter", invoke.Errorf(invoke.InvalidParameter, "bad value"), 400, "InvalidParameterValueException", "bad value", "", false},
		{"validation", invoke.Errorf(invoke.Validation, "bad name"), 400, "ValidationException", "bad name", "", false},
		{"unavailable", invoke.Wrap(invoke.Unavailable, "The harness is shutting down.", secret), 503, "ServiceException", "The harness is shutting down.", "", true},
		{"not ready", invoke.Wrap(invoke.NotReady, "The runtime could not be started.", secret), 502, "ResourceNotReadyException", "The runtime could not be started.", "", true},
		{"unsupported media", invoke.Errorf(invoke.UnsupportedMedia, "not JSON"), 415, "UnsupportedMediaTypeException", "not JSON", "", false},
		{"unknown kind", &invoke.Error{Kind: 200, Message: "odd"}, 500, "ServiceException", "odd", "", true},
		{"wrapped kind", fmt.Errorf("pool: %w", invoke.Errorf(invoke.Throttled, "Rate Exceeded.")), 429, "TooManyRequestsException", "Rate Exceeded.", "ReservedFunctionConcurrentInvocationLimitExceeded", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			s, err := New(Config{
				Invoker: &invoketest.Invoker{Err: tt.err},
				Catalog: invoketest.Names("my-fn"),
				Logger:  slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo})),
			})
			if err != nil {
				t.Fatal(err)
			}
			rec := serve(t, s, request{target: "/2015-03-31/functions/my-fn/invocations", body: "{}"})
			body := wantError(t, rec, tt.wantStatus, tt.wantCode)
			if body.Message != tt.wantMsg || body.Reason != tt.wantReason {
				t.Errorf("Message, Reason = %q, %q; want %q, %q", body.Message, body.Reason, tt.wantMsg, tt.wantReason)
			}
			if strings.Contains(rec.Body.String(), "secret") {
				t.Errorf("body leaks internal detail: %s", rec.Body)
			}
			if got, want := rec.Header().Get("Retry-After"), map[bool]string{true: "1"}[tt.wantStatus == 429]; got != want {
				t.Errorf("Retry-After = %q; want %q", got, want)
			}
			logged := strings.Contains(logs.String(), "level=ERROR")
			if logged != tt.wantLogged {
				t.Errorf("logged at error level: %v; want %v (log %q)", logged, tt.wantLogged, logs.String())
			}
			if tt.wantLogged && !strings.Contains(logs.String(), "request_id="+rec.Header().Get("x-amzn-RequestId")) {
				t.Errorf("log %q lacks the request id", logs.String())
			}
		})
	}
}

func TestInvokeCallerGone(t *testing.T) {
	var logs bytes.Buffer
	fake := &invoketest.Invoker{Func: func(ctx context.Context, _ *invoke.Request) (*invoke.Response, error) {
		<-ctx.Done()
		return nil, invoke.Wrap(invoke.Unavailable, "The caller went away.", ctx.Err())
	}}
	s, err := New(Config{Invoker: fake, Catalog: invoketest.Names("my-fn"),
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/2015-03-31/functions/my-fn/invocations", strings.NewReader("{}"))
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, r)
	if rec.Body.Len() != 0 || rec.Header().Get("x-amzn-ErrorType") != "" {
		t.Errorf("answered %d %s to a caller that went away", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "level=DEBUG") || strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("log = %q; want one debug line", logs.String())
	}
}

func TestUnknownOperation(t *testing.T) {
	tests := []struct {
		method, target string
		wantStatus     int
	}{
		{http.MethodGet, "/", 404},
		{http.MethodPost, "/2015-03-31/functions/my-fn/aliases", 404},
		{http.MethodPost, "/2021-11-15/functions/my-fn/nothing-here", 404},
		{http.MethodGet, "/2015-03-31/functions/my-fn/invocations", 405},
		{http.MethodPut, "/2015-03-31/functions/my-fn", 405},
		{http.MethodDelete, "/healthz", 405},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			fake := &invoketest.Invoker{}
			s := newServer(t, fake, invoketest.Names("my-fn"))
			rec := serve(t, s, request{method: tt.method, target: tt.target})
			body := wantError(t, rec, tt.wantStatus, "UnknownOperationException")
			if !strings.Contains(body.Message, tt.method) {
				t.Errorf("Message = %q; want the method named", body.Message)
			}
			if len(fake.Requests()) != 0 {
				t.Error("invoker was called")
			}
		})
	}
}

func TestPanicRecovery(t *testing.T) {
	var logs bytes.Buffer
	calls := 0
	fake := &invoketest.Invoker{Func: func(_ context.Context, req *invoke.Request) (*invoke.Response, error) {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return invoketest.Echo(req), nil
	}}
	s, err := New(Config{Invoker: fake, Catalog: invoketest.Names("my-fn"), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	rec := serve(t, s, request{target: "/2015-03-31/functions/my-fn/invocations", body: `{"a":1}`})
	body := wantError(t, rec, 500, "ServiceException")
	if body.Message != "An internal error occurred." {
		t.Errorf("Message = %q", body.Message)
	}
	first, _ := fake.Last()
	if id := rec.Header().Get("x-amzn-RequestId"); id != first.RequestID {
		t.Errorf("x-amzn-RequestId = %q; want %q", id, first.RequestID)
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("log = %q; want the panic at error level", logs.String())
	}
	// The server still serves.
	rec = serve(t, s, request{target: "/2015-03-31/functions/my-fn/invocations", body: `{"a":1}`})
	if rec.Code != 200 || rec.Body.String() != `{"a":1}` {
		t.Errorf("after a panic: %d %s; want 200", rec.Code, rec.Body)
	}
}

func TestPanicHeadersReset(t *testing.T) {
	s := newServer(t, &invoketest.Invoker{}, invoketest.Names())
	h := setRequestID(s.recoverPanics(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		panic(errors.New("late"))
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	wantError(t, rec, 500, "ServiceException")
	if rec.Header().Get("X-Amz-Function-Error") != "" {
		t.Error("headers set before the panic were sent")
	}
}

func TestPanicAbortHandler(t *testing.T) {
	s := newServer(t, &invoketest.Invoker{}, invoketest.Names())
	h := s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v; want http.ErrAbortHandler passed on", v)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
}
