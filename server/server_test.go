package server

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

func TestNew(t *testing.T) {
	fake := &invoketest.Invoker{}
	cat := invoketest.Names("my-fn")
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"defaults", Config{Invoker: fake, Catalog: cat}, ""},
		{"explicit", Config{Invoker: fake, Catalog: cat, Region: "eu-west-1", Account: "000000000000", Logger: slog.Default()}, ""},
		{"no invoker", Config{Catalog: cat}, "no Invoker"},
		{"no catalog", Config{Invoker: fake}, "no Catalog"},
		{"bad region", Config{Invoker: fake, Catalog: cat, Region: "us:east"}, "region"},
		{"short account", Config{Invoker: fake, Catalog: cat, Account: "1234"}, "account"},
		{"letters in account", Config{Invoker: fake, Catalog: cat, Account: "12345678901x"}, "account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil || s == nil || s.Handler() == nil {
					t.Fatalf("New = %v, %v; want a server", s, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New error = %v; want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	s := newServer(t, &invoketest.Invoker{}, invoketest.Names("my-fn"))
	if s.region != DefaultRegion || s.account != DefaultAccount {
		t.Errorf("region, account = %q, %q; want %q, %q", s.region, s.account, DefaultRegion, DefaultAccount)
	}
}

func TestHealth(t *testing.T) {
	s := newServer(t, &invoketest.Invoker{}, invoketest.Names())
	rec := serve(t, s, request{method: http.MethodGet, target: "/healthz"})
	if rec.Code != http.StatusOK || rec.Body.String() != `{"status":"ok"}` {
		t.Fatalf("GET /healthz = %d %s; want 200 {\"status\":\"ok\"}", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q; want application/json", ct)
	}
}

// newServer returns a Server over inv and cat in the default region and
// account.
func newServer(t *testing.T, inv invoke.Invoker, cat invoke.Catalog) *Server {
	t.Helper()
	s, err := New(Config{Invoker: inv, Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// request describes one test request.
type request struct {
	method  string // POST if empty
	target  string // path and query, percent-encoded as on the wire
	header  map[string]string
	body    string
	chunked bool // send without Content-Length
}

// serve sends req through s's handler.
func serve(t *testing.T, s *Server, req request) *httptest.ResponseRecorder {
	t.Helper()
	method := req.method
	if method == "" {
		method = http.MethodPost
	}
	var body io.Reader = strings.NewReader(req.body)
	if req.chunked {
		body = io.MultiReader(body) // hides the length from NewRequest
	}
	r := httptest.NewRequest(method, req.target, body)
	if req.chunked {
		r.ContentLength = -1
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, r)
	return rec
}

// awsErr is the decoded body of a service error.
type awsErr struct {
	Type         string
	Message      string `json:"Message"`
	LowerMessage string `json:"message"`
	Reason       string
}

// wantError checks that rec is the AWS service error status/code and
// returns its body.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) awsErr {
	t.Helper()
	if rec.Code != status {
		t.Errorf("status = %d; want %d (body %s)", rec.Code, status, rec.Body)
	}
	if got := rec.Header().Get("x-amzn-ErrorType"); got != code {
		t.Errorf("x-amzn-ErrorType = %q; want %q", got, code)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q; want application/json", got)
	}
	if rec.Header().Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId")
	}
	var body awsErr
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		t.Fatalf("error body: %v", err)
	}
	wantType := "User"
	if status >= 500 {
		wantType = "Service"
	}
	if body.Type != wantType {
		t.Errorf("Type = %q; want %q", body.Type, wantType)
	}
	if body.Message != body.LowerMessage || body.Message == "" {
		t.Errorf("Message = %q, message = %q; want the same, not empty", body.Message, body.LowerMessage)
	}
	return body
}
