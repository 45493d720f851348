package runner

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// readStream reads a response stream to its end.
func readStream(t *testing.T, s invoke.ResponseStream) string {
	t.Helper()
	b, err := io.ReadAll(s)
	if err != nil {
		t.Fatalf("reading the stream: %v", err)
	}
	return string(b)
}

func TestStreamUnbuffered(t *testing.T) {
	gate := make(chan struct{})
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		return fakeAction{stream: []fakeChunk{{data: []byte("first ")}, {data: []byte("second"), gate: gate}}}
	}}
	r, _ := newTestRunner(t, l, fn("streamer"))
	resp := call(t, r, &invoke.Request{FunctionName: "streamer", Stream: true, Tail: true})
	if resp.Stream == nil {
		t.Fatalf("no stream: %+v", resp)
	}
	// The first chunk arrives while the function is still held at the gate.
	buf := make([]byte, 64)
	n, err := resp.Stream.Read(buf)
	if err != nil || string(buf[:n]) != "first " {
		t.Fatalf("first read: %q %v", buf[:n], err)
	}
	if resp.Stream.Result() != nil {
		t.Error("a result before the end of the stream")
	}
	close(gate)
	if rest := readStream(t, resp.Stream); rest != "second" {
		t.Errorf("rest %q", rest)
	}
	res := resp.Stream.Result()
	if res == nil || res.FunctionError != "" || !strings.Contains(string(res.LogTail), "REPORT RequestId: "+resp.RequestID) {
		t.Fatalf("result %+v", res)
	}
	// The instance is released and serves again, buffered this time.
	if got := string(call(t, r, &invoke.Request{FunctionName: "streamer", Payload: []byte(`1`)}).Payload); got != "first second" {
		t.Errorf("plain invoke of a streaming function: %q", got)
	}
	if n := l.launches.Load(); n != 1 {
		t.Errorf("%d launches, want the instance reused", n)
	}
}

func TestStreamFailures(t *testing.T) {
	cases := []struct {
		name      string
		action    fakeAction
		timeout   time.Duration
		errorType string
	}{
		{"error trailers", fakeAction{stream: []fakeChunk{{data: []byte("part")}},
			trailer: map[string]string{"Lambda-Runtime-Function-Error-Type": "StreamError",
				"Lambda-Runtime-Function-Error-Body": "eyJlcnJvck1lc3NhZ2UiOiJtaWQtc3RyZWFtIiwiZXJyb3JUeXBlIjoiU3RyZWFtRXJyb3IifQ=="}},
			5 * time.Second, "StreamError"},
		{"timeout mid-stream", fakeAction{stream: []fakeChunk{{data: []byte("part")}, {data: []byte("never"), gate: make(chan struct{})}}},
			300 * time.Millisecond, "Sandbox.Timedout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction { return tc.action }}
			f := fn("streamer")
			f.Timeout = tc.timeout
			r, _ := newTestRunner(t, l, f)
			resp := call(t, r, &invoke.Request{FunctionName: "streamer", Stream: true})
			if got := readStream(t, resp.Stream); got != "part" {
				t.Errorf("streamed %q", got)
			}
			res := resp.Stream.Result()
			if res == nil || res.FunctionError == "" || res.ErrorType != tc.errorType {
				t.Fatalf("result %+v, want %s", res, tc.errorType)
			}
		})
	}
}

func TestStreamCallerGoesAway(t *testing.T) {
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		return fakeAction{stream: []fakeChunk{{data: []byte("a")}, {data: []byte(strings.Repeat("b", 1<<20))}}}
	}}
	r, _ := newTestRunner(t, l, fn("streamer"))
	resp := call(t, r, &invoke.Request{FunctionName: "streamer", Stream: true})
	resp.Stream.Close()
	// The runtime is not stuck: the instance comes back and serves.
	if !waitFor(func() bool { _, idle := r.pools["streamer"].size(); return idle == 1 }) {
		t.Fatal("the instance never came back after the caller went away")
	}
	if got := string(call(t, r, &invoke.Request{FunctionName: "streamer"}).Payload); !strings.HasPrefix(got, "ab") {
		t.Errorf("next invoke: %.10q", got)
	}
	if n := l.launches.Load(); n != 1 {
		t.Errorf("%d launches, want the instance reused", n)
	}
}
