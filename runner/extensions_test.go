package runner

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

func shutdownNow(t *testing.T, r *Runner) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func TestExtensionEvents(t *testing.T) {
	var regBody []byte
	l, exts := extensionLauncher(t, func(rt *fakeRuntime) []*fakeExtension {
		x := registerExtension(t, rt.spec.RuntimeAPI, "recorder", "INVOKE", "SHUTDOWN")
		regBody = x.registered
		return []*fakeExtension{x}
	})
	f := fn("ext")
	f.Handler = "app.handler"
	f.Concurrency = 1
	r, _ := newTestRunner(t, l, f)
	req := &invoke.Request{FunctionName: "ext", TraceID: "Root=1-abc"}
	start := time.Now()
	call(t, r, req)
	call(t, r, &invoke.Request{FunctionName: "ext"})
	var reg map[string]string
	json.Unmarshal(regBody, &reg)
	if want := map[string]string{"functionName": "ext", "functionVersion": "$LATEST", "handler": "app.handler"}; !reflect.DeepEqual(reg, want) {
		t.Errorf("register body = %v, want %v", reg, want)
	}
	stopAt := time.Now()
	shutdownNow(t, r)
	x := exts()[0]
	<-x.done
	if got, want := x.kinds(), []string{"INVOKE", "INVOKE", "SHUTDOWN:spindown"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	ev := x.recorded()
	inv := ev[0].event
	if inv["requestId"] != req.RequestID || inv["invokedFunctionArn"] != "arn:aws:lambda:eu-west-1:111122223333:function:ext" {
		t.Errorf("INVOKE = %v", inv)
	}
	if tr, _ := inv["tracing"].(map[string]any); tr["type"] != "X-Amzn-Trace-Id" || tr["value"] != "Root=1-abc" {
		t.Errorf("tracing = %v", inv["tracing"])
	}
	if d := time.UnixMilli(int64(inv["deadlineMs"].(float64))); d.Before(start.Add(4*time.Second)) || d.After(time.Now().Add(5*time.Second)) {
		t.Errorf("INVOKE deadline %v, want about 5s after %v", d, start)
	}
	if d := time.UnixMilli(int64(ev[2].event["deadlineMs"].(float64))); d.Before(stopAt.Add(1900*time.Millisecond)) || d.After(time.Now().Add(2*time.Second)) {
		t.Errorf("SHUTDOWN deadline %v, want 2s after %v", d, stopAt)
	}
}

// An invocation's result returns when the runtime answered, but the
// instance is reused only once the extension called event/next again.
func TestExtensionInvocationWaits(t *testing.T) {
	const hold = 400 * time.Millisecond
	l, _ := extensionLauncher(t, func(rt *fakeRuntime) []*fakeExtension {
		x := registerExtension(t, rt.spec.RuntimeAPI, "slow", "INVOKE")
		x.hold = func(ev map[string]any) time.Duration {
			if ev["eventType"] == "INVOKE" {
				return hold
			}
			return 0
		}
		return []*fakeExtension{x}
	})
	f := fn("wait")
	f.Concurrency = 1
	r, _ := newTestRunner(t, l, f)
	call(t, r, &invoke.Request{FunctionName: "wait"}) // cold
	time.Sleep(hold + 100*time.Millisecond)
	start := time.Now()
	call(t, r, &invoke.Request{FunctionName: "wait"})
	if d := time.Since(start); d >= hold {
		t.Errorf("first result after %v: it must not wait for the extension", d)
	}
	call(t, r, &invoke.Request{FunctionName: "wait"})
	if d := time.Since(start); d < hold {
		t.Errorf("second invocation done %v after the first began: it must wait for the extension (%v)", d, hold)
	}
	if n := l.launches.Load(); n != 1 {
		t.Errorf("%d launches, want 1", n)
	}
}

func TestExtensionShutdownReasons(t *testing.T) {
	cases := []struct {
		name   string
		behave func(rt *fakeRuntime, inv fakeInvocation) fakeAction
		reap   bool
		want   string
	}{
		{"timeout", func(*fakeRuntime, fakeInvocation) fakeAction { return fakeAction{hang: true} }, false, "timeout"},
		{"crash", func(*fakeRuntime, fakeInvocation) fakeAction { return fakeAction{exit: "exit status 2"} }, false, "failure"},
		{"reap", nil, true, "spindown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l, exts := extensionLauncher(t, func(rt *fakeRuntime) []*fakeExtension {
				return []*fakeExtension{registerExtension(t, rt.spec.RuntimeAPI, "rec", "INVOKE", "SHUTDOWN")}
			})
			l.behave = tc.behave
			f := fn("reasons")
			f.Timeout = time.Second
			r, _ := newTestRunner(t, l, f)
			call(t, r, &invoke.Request{FunctionName: "reasons"})
			if tc.reap {
				waitFor(func() bool { _, idle := r.pools["reasons"].size(); return idle == 1 })
				r.pools["reasons"].reap(time.Now().Add(time.Hour))
			}
			x := exts()[0]
			select {
			case <-x.done:
			case <-time.After(5 * time.Second):
				t.Fatal("no SHUTDOWN")
			}
			if got, want := x.kinds(), []string{"INVOKE", "SHUTDOWN:" + tc.want}; !reflect.DeepEqual(got, want) {
				t.Errorf("events = %v, want %v", got, want)
			}
		})
	}
}

// Extensions get at most 2 s after SHUTDOWN; one that finishes sooner
// lets the instance go at once.
func TestExtensionShutdownBound(t *testing.T) {
	for _, stuck := range []bool{false, true} {
		l, _ := extensionLauncher(t, func(rt *fakeRuntime) []*fakeExtension {
			x := registerExtension(t, rt.spec.RuntimeAPI, "rec", "SHUTDOWN")
			x.noNextAfterShutdown = stuck
			return []*fakeExtension{x}
		})
		r, _ := newTestRunner(t, l, fn("bound"))
		call(t, r, &invoke.Request{FunctionName: "bound"})
		start := time.Now()
		shutdownNow(t, r)
		d := time.Since(start)
		switch {
		case stuck && (d < shutdownGrace-100*time.Millisecond || d > shutdownGrace+time.Second):
			t.Errorf("stuck extension: shutdown took %v, want about %v", d, shutdownGrace)
		case !stuck && d > time.Second:
			t.Errorf("shutdown took %v though the extension was done", d)
		}
	}
}

// Init ends when the runtime and every registered extension called next;
// then registration is closed.
func TestExtensionInit(t *testing.T) {
	const hold = 300 * time.Millisecond
	var api string
	l := &fakeLauncher{init: func(rt *fakeRuntime) fakeAction {
		api = rt.spec.RuntimeAPI
		x := registerExtension(t, api, "late", "INVOKE")
		go func() { time.Sleep(hold); x.run() }()
		return fakeAction{}
	}}
	r, _ := newTestRunner(t, l, fn("init"))
	start := time.Now()
	call(t, r, &invoke.Request{FunctionName: "init"})
	if d := time.Since(start); d < hold {
		t.Errorf("cold invoke took %v: init must wait for the extension's event/next", d)
	}
	status, _, body := extCall("POST", "http://"+api+"/2020-01-01/extension/register",
		map[string]string{"Lambda-Extension-Name": "after"}, []byte(`{"events":["INVOKE"]}`))
	if status != http.StatusForbidden || !strings.Contains(string(body), "Extension.RegistrationClosed") {
		t.Errorf("register after init: %d %s", status, body)
	}
}

func TestExtensionInitTimeout(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ghost"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, dir, want string
		register        bool
	}{
		{"unregistered", dir, "extension ghost did not register within 300ms", false},
		{"no next", "", "extension idle did not call event/next within 300ms", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := &fakeLauncher{init: func(rt *fakeRuntime) fakeAction {
				if tc.register {
					registerExtension(t, rt.spec.RuntimeAPI, "idle", "INVOKE")
				}
				return fakeAction{}
			}}
			f := fn("inittimeout")
			f.ExtensionsDir = tc.dir
			f.InitTimeout = 300 * time.Millisecond
			r, _ := newTestRunner(t, l, f)
			resp := call(t, r, &invoke.Request{FunctionName: "inittimeout"})
			if et := errorType(t, resp); et != invoke.ErrorTypeInitTimeout || !strings.Contains(string(resp.Payload), tc.want) {
				t.Errorf("init error %s %s, want %q", et, resp.Payload, tc.want)
			}
		})
	}
}

func TestExtensionAPIErrors(t *testing.T) {
	var api, id string
	l := &fakeLauncher{init: func(rt *fakeRuntime) fakeAction {
		api = "http://" + rt.spec.RuntimeAPI + "/2020-01-01/extension"
		x := registerExtension(t, rt.spec.RuntimeAPI, "bad", "INVOKE")
		id = x.id
		extCall("POST", api+"/init/error", map[string]string{"Lambda-Extension-Identifier": id,
			"Lambda-Extension-Function-Error-Type": "Extension.ConfigInvalid"}, []byte(`{"errorMessage":"no config","errorType":"Extension.ConfigInvalid"}`))
		return fakeAction{}
	}}
	r, _ := newTestRunner(t, l, fn("errs"))
	resp := call(t, r, &invoke.Request{FunctionName: "errs"})
	if et := errorType(t, resp); et != "Extension.ConfigInvalid" {
		t.Errorf("init error type %s (%s)", et, resp.Payload)
	}
	cases := []struct {
		name, method, path string
		hdr                map[string]string
		status             int
		errType            string
	}{
		{"register without name", "POST", "/register", nil, 403, "Extension.InvalidExtensionName"},
		{"next without id", "GET", "/event/next", nil, 403, "Extension.MissingExtensionIdentifier"},
		{"next unknown id", "GET", "/event/next", map[string]string{"Lambda-Extension-Identifier": "nope"}, 403, "Extension.UnknownExtensionIdentifier"},
		{"exit error", "POST", "/exit/error", map[string]string{"Lambda-Extension-Identifier": id, "Lambda-Extension-Function-Error-Type": "Extension.Crash"}, 202, ""},
		{"init error unknown id", "POST", "/init/error", map[string]string{"Lambda-Extension-Identifier": "nope"}, 403, "Extension.UnknownExtensionIdentifier"},
	}
	// The failed instance is gone; a fresh one answers the misuse.
	l.init = func(rt *fakeRuntime) fakeAction {
		api = "http://" + rt.spec.RuntimeAPI + "/2020-01-01/extension"
		id = registerExtension(t, rt.spec.RuntimeAPI, "ok", "INVOKE").id
		for i := range cases {
			if cases[i].name == "exit error" {
				cases[i].hdr["Lambda-Extension-Identifier"] = id
			}
		}
		for _, tc := range cases {
			status, _, body := extCall(tc.method, api+tc.path, tc.hdr, []byte(`{}`))
			if status != tc.status || !strings.Contains(string(body), tc.errType) {
				t.Errorf("%s: %d %s, want %d %s", tc.name, status, body, tc.status, tc.errType)
			}
		}
		x := &fakeExtension{api: api, id: id, done: make(chan struct{})}
		go x.run()
		return fakeAction{}
	}
	if resp := call(t, r, &invoke.Request{FunctionName: "errs"}); resp.FunctionError != "" {
		t.Errorf("second instance failed: %s", resp.Payload)
	}
}
