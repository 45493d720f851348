package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testutil"
	"github.com/lambda-harness/lambda-harness/invoke"
)

func newTestRunner(t *testing.T, l Launcher, fns ...invoke.Function) (*Runner, *testutil.SyncBuffer) {
	t.Helper()
	logs := &testutil.SyncBuffer{}
	r, err := New(Config{Launcher: l, FunctionLog: logs, Region: "eu-west-1", Account: "111122223333",
		EventRetryDelay: 10 * time.Millisecond}, fns...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return r, logs
}

func fn(name string) invoke.Function {
	return invoke.Function{Name: name, Command: []string{"bootstrap"}, Timeout: 5 * time.Second}
}

func call(t *testing.T, r *Runner, req *invoke.Request) *invoke.Response {
	t.Helper()
	resp, err := r.Invoke(context.Background(), req)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	return resp
}

func errorType(t *testing.T, resp *invoke.Response) string {
	t.Helper()
	if resp.FunctionError != invoke.FunctionErrorUnhandled {
		t.Fatalf("FunctionError = %q, want Unhandled (payload %s)", resp.FunctionError, resp.Payload)
	}
	var obj invoke.ErrorObject
	if err := json.Unmarshal(resp.Payload, &obj); err != nil {
		t.Fatalf("error body %q: %v", resp.Payload, err)
	}
	return obj.ErrorType
}

func TestInvokeEcho(t *testing.T) {
	var got fakeInvocation
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		got = inv
		return fakeAction{respond: inv.body}
	}}
	r, _ := newTestRunner(t, l, fn("echo"))
	req := &invoke.Request{FunctionName: "echo", Qualifier: "live", Payload: []byte(`{"k":"v"}`),
		ClientContext: `{"custom":{"a":"b"}}`, CognitoIdentity: `{"cognitoIdentityId":"x"}`,
		TraceID: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", TenantID: "tenant-1"}
	before := time.Now()
	resp := call(t, r, req)
	if string(resp.Payload) != `{"k":"v"}` || resp.FunctionError != "" {
		t.Fatalf("response = %s %q", resp.Payload, resp.FunctionError)
	}
	if resp.RequestID == "" || resp.RequestID != req.RequestID || got.id != resp.RequestID {
		t.Errorf("request ids: response %q, request %q, runtime saw %q", resp.RequestID, req.RequestID, got.id)
	}
	h := got.header
	for k, want := range map[string]string{
		"Lambda-Runtime-Invoked-Function-Arn": "arn:aws:lambda:eu-west-1:111122223333:function:echo:live",
		"Lambda-Runtime-Trace-Id":             req.TraceID,
		"Lambda-Runtime-Client-Context":       req.ClientContext,
		"Lambda-Runtime-Cognito-Identity":     req.CognitoIdentity,
		"Lambda-Runtime-Aws-Tenant-Id":        "tenant-1",
		"Content-Type":                        "application/json",
	} {
		if h.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, h.Get(k), want)
		}
	}
	ms, err := strconv.ParseInt(h.Get("Lambda-Runtime-Deadline-Ms"), 10, 64)
	deadline := time.UnixMilli(ms)
	if err != nil || deadline.Before(before.Add(4*time.Second)) || deadline.After(time.Now().Add(5*time.Second)) {
		t.Errorf("deadline %v: want about 5s from %v (%v)", deadline, before, err)
	}
}

func TestRuntimeEnvironment(t *testing.T) {
	l := &fakeLauncher{}
	f := fn("envfn")
	f.Handler = "app.handler"
	f.MemoryMB = 256
	f.Env = map[string]string{"GREETING": "hi", "AWS_LAMBDA_FUNCTION_NAME": "spoofed"}
	r, _ := newTestRunner(t, l, f)
	call(t, r, &invoke.Request{FunctionName: "envfn"})
	rt := l.runtime(0)
	for k, want := range map[string]string{
		"_HANDLER":                        "app.handler",
		"AWS_LAMBDA_FUNCTION_NAME":        "envfn",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/envfn",
		"AWS_REGION":                      "eu-west-1",
		"AWS_DEFAULT_REGION":              "eu-west-1",
		"AWS_LAMBDA_RUNTIME_API":          rt.spec.RuntimeAPI,
		"GREETING":                        "hi",
		"TZ":                              ":UTC",
		"LAMBDA_TASK_ROOT":                "/var/task",
	} {
		if got := rt.env(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if s := rt.env("AWS_LAMBDA_LOG_STREAM_NAME"); !strings.Contains(s, "/[$LATEST]") {
		t.Errorf("log stream name %q", s)
	}
	if !strings.HasPrefix(rt.spec.RuntimeAPI, "127.0.0.1:") {
		t.Errorf("runtime api %q not on loopback", rt.spec.RuntimeAPI)
	}
}

func TestWarmReuseMostRecentlyUsed(t *testing.T) {
	release := make(chan struct{})
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		if string(inv.body) == `"block"` {
			<-release
		}
		return fakeAction{respond: []byte(strconv.Itoa(rt.n))}
	}}
	f := fn("warm")
	f.Concurrency = 2
	r, _ := newTestRunner(t, l, f)
	if got := string(call(t, r, &invoke.Request{FunctionName: "warm"}).Payload); got != "0" {
		t.Fatalf("first invoke ran on %s", got)
	}
	if got := string(call(t, r, &invoke.Request{FunctionName: "warm"}).Payload); got != "0" || l.launches.Load() != 1 {
		t.Fatalf("second invoke ran on %s after %d launches, want the warm instance 0", got, l.launches.Load())
	}
	// Two at once: instance 1 is launched. Instance 0 finishes first, so 1
	// is the most recently used and must serve the next call.
	var wg sync.WaitGroup
	out := make([]string, 2)
	wg.Go(func() {
		out[0] = string(call(t, r, &invoke.Request{FunctionName: "warm", Payload: []byte(`"block"`)}).Payload)
	})
	wg.Go(func() {
		out[1] = string(call(t, r, &invoke.Request{FunctionName: "warm", Payload: []byte(`"block"`)}).Payload)
	})
	if !waitFor(func() bool { return l.launches.Load() == 2 }) {
		t.Fatal("second instance not launched")
	}
	release <- struct{}{}
	first := waitOne(t, r)
	release <- struct{}{}
	wg.Wait()
	last := out[0]
	if last == first {
		last = out[1]
	}
	if got := string(call(t, r, &invoke.Request{FunctionName: "warm"}).Payload); got != last {
		t.Errorf("next invoke ran on %s, want most recently used %s (first done %s)", got, last, first)
	}
}

// waitOne waits until one of two busy instances is idle again and returns
// its number.
func waitOne(t *testing.T, r *Runner) string {
	t.Helper()
	p := r.pools["warm"]
	var n string
	if !waitFor(func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.idle) == 1 {
			for i, rt := range p.r.cfg.Launcher.(*fakeLauncher).runtimes {
				if rt.spec.InstanceID == p.idle[0].id {
					n = strconv.Itoa(i)
				}
			}
			return true
		}
		return false
	}) {
		t.Fatal("no instance went idle")
	}
	return n
}

func TestConcurrencyQueueAndThrottle(t *testing.T) {
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		time.Sleep(20 * time.Millisecond) // the function's own work
		return fakeAction{respond: inv.body}
	}}
	f := fn("busy")
	f.Concurrency = 4
	r, _ := newTestRunner(t, l, f)
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Go(func() {
			resp, err := r.Invoke(context.Background(), &invoke.Request{FunctionName: "busy", Payload: []byte(strconv.Itoa(i))})
			if err == nil && string(resp.Payload) != strconv.Itoa(i) {
				err = fmt.Errorf("invoke %d got %s", i, resp.Payload)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := l.launches.Load(); n != 4 {
		t.Errorf("%d instances launched, want 4", n)
	}

	// Past the queue bound: 1 running + 2 waiting, the 4th is throttled.
	block := make(chan struct{})
	l2 := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		<-block
		return fakeAction{respond: inv.body}
	}}
	g := fn("narrow")
	g.Concurrency, g.QueueSize = 1, 2
	r2, _ := newTestRunner(t, l2, g)
	var wg2 sync.WaitGroup
	for range 3 {
		wg2.Go(func() { call(t, r2, &invoke.Request{FunctionName: "narrow"}) })
	}
	p := r2.pools["narrow"]
	waitFor(func() bool { p.mu.Lock(); defer p.mu.Unlock(); return len(p.waiters) == 2 })
	_, err := r2.Invoke(context.Background(), &invoke.Request{FunctionName: "narrow"})
	if invoke.KindOf(err) != invoke.Throttled {
		t.Errorf("4th invoke: %v, want throttled", err)
	}
	close(block)
	wg2.Wait()
}

func TestTimeoutKillsAndReplaces(t *testing.T) {
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		if string(inv.body) == `"hang"` {
			return fakeAction{hang: true}
		}
		return fakeAction{respond: inv.body}
	}}
	f := fn("slow")
	f.Timeout = 200 * time.Millisecond
	r, logs := newTestRunner(t, l, f)
	resp := call(t, r, &invoke.Request{FunctionName: "slow", Payload: []byte(`"hang"`)})
	if et := errorType(t, resp); et != "Sandbox.Timedout" {
		t.Fatalf("errorType %q", et)
	}
	if want := "RequestId: " + resp.RequestID + " Error: Task timed out after 0.20 seconds"; !strings.Contains(string(resp.Payload), want) {
		t.Errorf("payload %s, want %q", resp.Payload, want)
	}
	select {
	case <-l.runtime(0).Done():
	case <-time.After(5 * time.Second):
		t.Fatal("timed-out runtime not killed")
	}
	if resp := call(t, r, &invoke.Request{FunctionName: "slow", Payload: []byte(`1`)}); string(resp.Payload) != "1" {
		t.Errorf("after timeout: %s", resp.Payload)
	}
	if n := l.launches.Load(); n != 2 {
		t.Errorf("%d launches, want a fresh instance after the timeout", n)
	}
	if !waitFor(func() bool { return strings.Contains(logs.String(), "END RequestId: "+resp.RequestID) }) {
		t.Errorf("no END line for the timed-out invocation:\n%s", logs)
	}
}

func TestCrashMidInvoke(t *testing.T) {
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		return fakeAction{exit: "exit status 3"}
	}}
	r, _ := newTestRunner(t, l, fn("crash"))
	resp := call(t, r, &invoke.Request{FunctionName: "crash"})
	if et := errorType(t, resp); et != "Runtime.ExitError" {
		t.Fatalf("errorType %q", et)
	}
	want := "RequestId: " + resp.RequestID + " Error: Runtime exited with error: exit status 3"
	if !strings.Contains(string(resp.Payload), want) {
		t.Errorf("payload %s, want %q", resp.Payload, want)
	}
}

func TestInitFailures(t *testing.T) {
	cases := []struct {
		name      string
		l         *fakeLauncher
		errorType string
		message   string
	}{
		{"init error posted", &fakeLauncher{init: func(*fakeRuntime) fakeAction {
			return fakeAction{initFail: []byte(`{"errorMessage":"cannot import app","errorType":"Runtime.ImportModuleError"}`), exit: "exit status 1"}
		}}, "Runtime.ImportModuleError", "cannot import app"},
		{"exit before next", &fakeLauncher{init: func(*fakeRuntime) fakeAction {
			return fakeAction{exit: "exit status 127"}
		}}, "Runtime.ExitError", "Runtime exited with error: exit status 127"},
		{"cannot start", &fakeLauncher{launchErr: errFakeLaunch}, "Runtime.InvalidEntrypoint", errFakeLaunch.Error()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := newTestRunner(t, tc.l, fn("broken"))
			resp := call(t, r, &invoke.Request{FunctionName: "broken"})
			if et := errorType(t, resp); et != tc.errorType {
				t.Errorf("errorType %q, want %q", et, tc.errorType)
			}
			if !strings.Contains(string(resp.Payload), tc.message) {
				t.Errorf("payload %s, want %q", resp.Payload, tc.message)
			}
			if all, _ := r.pools["broken"].size(); all != 0 {
				waitFor(func() bool { all, _ := r.pools["broken"].size(); return all == 0 })
			}
		})
	}
}

func TestInitTimeout(t *testing.T) {
	l := &fakeLauncher{init: func(rt *fakeRuntime) fakeAction { <-rt.ctx.Done(); return fakeAction{exit: "signal: killed"} }}
	f := fn("stuck")
	f.InitTimeout = 100 * time.Millisecond
	r, _ := newTestRunner(t, l, f)
	resp := call(t, r, &invoke.Request{FunctionName: "stuck"})
	if et := errorType(t, resp); et != "Runtime.InitTimeout" {
		t.Errorf("errorType %q", et)
	}
}

func TestHandlerError(t *testing.T) {
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		return fakeAction{errType: "MyError", errBody: []byte(`{"errorMessage":"boom","errorType":"MyError","stackTrace":["a"]}`)}
	}}
	r, _ := newTestRunner(t, l, fn("fails"))
	resp := call(t, r, &invoke.Request{FunctionName: "fails"})
	if et := errorType(t, resp); et != "MyError" || !strings.Contains(string(resp.Payload), `"stackTrace":["a"]`) {
		t.Errorf("errorType %q payload %s", et, resp.Payload)
	}
	// The instance is reused after a handled error.
	call(t, r, &invoke.Request{FunctionName: "fails"})
	if n := l.launches.Load(); n != 1 {
		t.Errorf("%d launches, want 1", n)
	}
}

func TestRuntimeAPIMisuse(t *testing.T) {
	big := bytes.Repeat([]byte("x"), invoke.MaxResponsePayload+1)
	cases := []struct {
		name      string
		action    func(inv fakeInvocation) fakeAction
		statuses  []int
		errorType string // "" for a successful invocation
	}{
		{"unknown id then real answer", func(inv fakeInvocation) fakeAction {
			return fakeAction{path: "/runtime/invocation/nope/response", respond: []byte(`1`),
				then: &fakeAction{respond: []byte(`2`)}}
		}, []int{400, 202}, ""},
		{"answered twice", func(inv fakeInvocation) fakeAction {
			return fakeAction{respond: []byte(`1`), then: &fakeAction{respond: []byte(`2`)}}
		}, []int{202, 403}, ""},
		{"response too large", func(inv fakeInvocation) fakeAction {
			return fakeAction{respond: big}
		}, []int{413}, "Function.ResponseSizeTooLarge"},
		{"response too large, chunked", func(inv fakeInvocation) fakeAction {
			return fakeAction{respond: big, chunked: true}
		}, []int{413}, "Function.ResponseSizeTooLarge"},
		{"bad response mode", func(inv fakeInvocation) fakeAction {
			return fakeAction{respond: []byte(`1`), header: map[string]string{"Lambda-Runtime-Function-Response-Mode": "bogus"}}
		}, []int{400}, "Runtime.InvalidResponseModeHeader"},
		{"streamed response", func(inv fakeInvocation) fakeAction {
			return fakeAction{respond: []byte(`chunk1chunk2`), chunked: true,
				header: map[string]string{"Lambda-Runtime-Function-Response-Mode": "streaming"}}
		}, []int{202}, ""},
		{"streamed response with error trailers", func(inv fakeInvocation) fakeAction {
			return fakeAction{respond: []byte(`partial`), chunked: true,
				header:  map[string]string{"Lambda-Runtime-Function-Response-Mode": "streaming", "Trailer": "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body"},
				trailer: map[string]string{"Lambda-Runtime-Function-Error-Type": "StreamError", "Lambda-Runtime-Function-Error-Body": "eyJlcnJvck1lc3NhZ2UiOiJtaWQtc3RyZWFtIiwiZXJyb3JUeXBlIjoiU3RyZWFtRXJyb3IifQ=="}}
		}, []int{202}, "StreamError"},
		{"buffered response with error trailers", func(inv fakeInvocation) fakeAction {
			return fakeAction{respond: []byte(`partial`), chunked: true,
				header:  map[string]string{"Trailer": "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body"},
				trailer: map[string]string{"Lambda-Runtime-Function-Error-Type": "ReadError", "Lambda-Runtime-Function-Error-Body": "eyJlcnJvck1lc3NhZ2UiOiJyZWFkIGZhaWxlZCIsImVycm9yVHlwZSI6IlJlYWRFcnJvciJ9"}}
		}, []int{202}, "ReadError"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction { return tc.action(inv) }}
			r, _ := newTestRunner(t, l, fn("misuse"))
			resp := call(t, r, &invoke.Request{FunctionName: "misuse"})
			if tc.errorType == "" {
				if resp.FunctionError != "" {
					t.Errorf("function error %s", resp.Payload)
				}
			} else if et := errorType(t, resp); et != tc.errorType {
				t.Errorf("errorType %q, want %q", et, tc.errorType)
			}
			rt := l.runtime(0)
			if !waitFor(func() bool { return len(rt.posted()) >= len(tc.statuses) }) {
				t.Fatalf("runtime posted %v", rt.posted())
			}
			if got := fmt.Sprint(rt.posted()); got != fmt.Sprint(tc.statuses) {
				t.Errorf("statuses %s, want %v", got, tc.statuses)
			}
			if tc.name == "streamed response" && string(resp.Payload) != "chunk1chunk2" {
				t.Errorf("streamed payload %q", resp.Payload)
			}
		})
	}
}

func TestEventRetriesAndDryRun(t *testing.T) {
	var mu sync.Mutex
	attempts := map[string]int{}
	done := make(chan struct{}, 10)
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		mu.Lock()
		attempts[string(inv.body)]++
		mu.Unlock()
		done <- struct{}{}
		if string(inv.body) == `"fail"` {
			return fakeAction{errType: "E", errBody: []byte(`{"errorMessage":"no","errorType":"E"}`)}
		}
		return fakeAction{respond: inv.body}
	}}
	r, _ := newTestRunner(t, l, fn("ev"))
	resp := call(t, r, &invoke.Request{FunctionName: "ev", Type: invoke.DryRun})
	if resp.RequestID == "" || l.launches.Load() != 0 {
		t.Fatalf("dry run: %+v, %d launches", resp, l.launches.Load())
	}
	call(t, r, &invoke.Request{FunctionName: "ev", Type: invoke.Event, Payload: []byte(`"ok"`)})
	call(t, r, &invoke.Request{FunctionName: "ev", Type: invoke.Event, Payload: []byte(`"fail"`)})
	for range 4 {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("events did not run: %v", attempts)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if attempts[`"ok"`] != 1 || attempts[`"fail"`] != 3 {
		t.Errorf("attempts %v, want ok once and fail three times (two retries)", attempts)
	}
}

func TestLogsTailAndReport(t *testing.T) {
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		rt.print("hello from the handler")
		return fakeAction{respond: inv.body}
	}}
	f := fn("logs")
	f.MemoryMB = 256
	r, logs := newTestRunner(t, l, f)
	first := call(t, r, &invoke.Request{FunctionName: "logs", Tail: true})
	second := call(t, r, &invoke.Request{FunctionName: "logs", Tail: true})
	tail := string(first.LogTail)
	id := first.RequestID
	for _, want := range []string{"START RequestId: " + id + " Version: $LATEST\n", "hello from the handler\n",
		"END RequestId: " + id + "\n", "REPORT RequestId: " + id + "\tDuration: ", "\tMemory Size: 256 MB\tMax Memory Used: 20 MB\tInit Duration: "} {
		if !strings.Contains(tail, want) {
			t.Errorf("tail %q lacks %q", tail, want)
		}
	}
	if strings.Contains(string(second.LogTail), "Init Duration") {
		t.Errorf("warm invocation reports Init Duration: %q", second.LogTail)
	}
	if !waitFor(func() bool { return strings.Contains(logs.String(), "[logs "+id+"] hello from the handler\n") }) {
		t.Errorf("function log not tagged:\n%s", logs)
	}
}

func TestNotFoundShutdownAndReap(t *testing.T) {
	l := &fakeLauncher{}
	f := fn("x")
	f.IdleTimeout = time.Minute
	r, _ := newTestRunner(t, l, f)
	_, err := r.Invoke(context.Background(), &invoke.Request{FunctionName: "nope"})
	if !errors.Is(err, &invoke.Error{Kind: invoke.NotFound}) ||
		invoke.MessageOf(err) != "Function not found: arn:aws:lambda:eu-west-1:111122223333:function:nope" {
		t.Errorf("unknown function: %v", err)
	}
	call(t, r, &invoke.Request{FunctionName: "x"})
	p := r.pools["x"]
	p.reap(time.Now())
	if all, _ := p.size(); all != 1 {
		t.Fatalf("reaped an instance before its idle timeout")
	}
	p.reap(time.Now().Add(2 * time.Minute))
	if all, _ := p.size(); all != 0 {
		t.Fatalf("idle instance not reaped")
	}
	select {
	case <-l.runtime(0).Done():
	case <-time.After(5 * time.Second):
		t.Fatal("reaped runtime not killed")
	}
	if err := r.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Invoke(context.Background(), &invoke.Request{FunctionName: "x"}); invoke.KindOf(err) != invoke.Unavailable {
		t.Errorf("invoke after shutdown: %v", err)
	}
}

func TestShutdownLetsInFlightFinish(t *testing.T) {
	started := make(chan struct{})
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		close(started)
		time.Sleep(100 * time.Millisecond) // the function's own work
		return fakeAction{respond: []byte(`"done"`)}
	}}
	r, _ := newTestRunner(t, l, fn("inflight"))
	res := make(chan *invoke.Response, 1)
	go func() { res <- call(t, r, &invoke.Request{FunctionName: "inflight"}) }()
	<-started
	if err := r.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if resp := <-res; string(resp.Payload) != `"done"` {
		t.Errorf("in-flight invocation: %s", resp.Payload)
	}
	select {
	case <-l.runtime(0).Done():
	default:
		t.Error("runtime still running after shutdown")
	}
}

func TestRuntimeDyingAfterAnswerIsNotGivenTheNextInvocation(t *testing.T) {
	// aws-lambda-go reports a panic with /error and then exits.
	l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		if string(inv.body) == `"panic"` {
			return fakeAction{errType: "Runtime.Panic", errBody: []byte(`{"errorMessage":"boom","errorType":"string"}`), exitAfter: "exit status 2"}
		}
		return fakeAction{respond: inv.body}
	}}
	r, _ := newTestRunner(t, l, fn("panicky"))
	if et := errorType(t, call(t, r, &invoke.Request{FunctionName: "panicky", Payload: []byte(`"panic"`)})); et != "string" {
		t.Fatalf("errorType %q", et)
	}
	resp := call(t, r, &invoke.Request{FunctionName: "panicky", Payload: []byte(`"next"`)})
	if resp.FunctionError != "" || string(resp.Payload) != `"next"` {
		t.Errorf("next invocation: %s %s, want it run on a fresh instance", resp.FunctionError, resp.Payload)
	}
}

func TestEmptyPayloadIsAnEmptyObject(t *testing.T) {
	r, _ := newTestRunner(t, &fakeLauncher{}, fn("echo"))
	if got := string(call(t, r, &invoke.Request{FunctionName: "echo"}).Payload); got != "{}" {
		t.Errorf("the runtime got %q for an empty payload, want {}", got)
	}
}

func TestLogFormats(t *testing.T) {
	cases := []struct {
		format string
		want   []string
		absent []string
	}{
		{"json", []string{`"type":"function"`, `"message":"hello from the handler"`, `"stream":"stdout"`, `"type":"platform"`, `"message":"START RequestId: `}, nil},
		{"raw", []string{"hello from the handler\n"}, []string{"START", "REPORT", "[raw "}},
	}
	for _, tc := range cases {
		t.Run(tc.format, func(t *testing.T) {
			l := &fakeLauncher{behave: func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
				rt.print("hello from the handler")
				return fakeAction{respond: inv.body}
			}}
			logs := &testutil.SyncBuffer{}
			r, err := New(Config{Launcher: l, FunctionLog: logs, LogFormat: tc.format}, fn(tc.format))
			if err != nil {
				t.Fatal(err)
			}
			call(t, r, &invoke.Request{FunctionName: tc.format})
			if err := r.Shutdown(context.Background()); err != nil { // flushes the log
				t.Fatal(err)
			}
			out := logs.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("log lacks %q:\n%s", w, out)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(out, a) {
					t.Errorf("log has %q:\n%s", a, out)
				}
			}
		})
	}
	if _, err := New(Config{Launcher: &fakeLauncher{}, LogFormat: "xml"}); err == nil {
		t.Error("log format xml accepted")
	}
}
