package server

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

// BenchmarkInvoke measures one synchronous invoke with a small payload
// through the route table, the function answered by an echo that records
// nothing. httptest's request and recorder account for much of the cost.
func BenchmarkInvoke(b *testing.B) {
	echo := invoke.InvokerFunc(func(_ context.Context, req *invoke.Request) (*invoke.Response, error) {
		return invoketest.Echo(req), nil
	})
	s, err := New(Config{Invoker: echo, Catalog: invoketest.Names("my-fn")})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	payload := []byte(`{"key1":"value1","key2":"value2","key3":"value3"}`)
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/2015-03-31/functions/my-fn/invocations", bytes.NewReader(payload))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
