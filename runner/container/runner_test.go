package container_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/lambda-harness/lambda-harness/internal/testutil"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
	"github.com/lambda-harness/lambda-harness/runner/container"
)

// TestWithRunner runs functions in containers through the real runner, in
// both Runtime API modes: invocations, the function log, a timeout that
// kills the container and a cold start after it, and no container left
// after the runner's shutdown and the launcher's Close.
func TestWithRunner(t *testing.T) {
	l := newLauncher(t, container.Config{HarnessBinary: harnessBinary(t)})
	fns := []invoke.Function{
		{Name: "direct-echo", Image: testImage(t, "echo")},
		{Name: "direct-sleep", Image: testImage(t, "sleep"), Timeout: time.Second},
		{Name: "emulated-echo", Image: testImage(t, "rie-mounted"), RuntimeAPI: invoke.RuntimeAPIEmulator},
	}
	logs := &testutil.SyncBuffer{}
	r, err := runner.New(runner.Config{Launcher: l, FunctionLog: logs}, fns...)
	if err != nil {
		t.Fatal(err)
	}
	invokeFn := func(name, payload string) *invoke.Response {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		resp, err := r.Invoke(ctx, &invoke.Request{RequestID: invoke.NewRequestID(), FunctionName: name, Payload: []byte(payload), Tail: true})
		if err != nil {
			t.Fatalf("invoke %s: %v", name, err)
		}
		return resp
	}

	for _, name := range []string{"direct-echo", "emulated-echo"} {
		for i := range 2 {
			resp := invokeFn(name, `{"n":1}`)
			tail := string(resp.LogTail)
			if resp.FunctionError != "" || string(resp.Payload) != `{"n":1}` {
				t.Errorf("%s, invocation %d: %s %s", name, i, resp.FunctionError, resp.Payload)
			}
			if !strings.Contains(tail, "REPORT RequestId: "+resp.RequestID) || !strings.Contains(tail, "Max Memory Used") ||
				strings.Contains(tail, "Max Memory Used: 0 MB") {
				t.Errorf("%s, invocation %d: tail %q", name, i, tail)
			}
			if cold := strings.Contains(tail, "Init Duration"); cold != (i == 0) {
				t.Errorf("%s, invocation %d: cold start %v, want %v", name, i, cold, i == 0)
			}
		}
	}

	resp := invokeFn("direct-sleep", `{"ms":600000}`)
	if resp.ErrorType != invoke.ErrorTypeTimeout {
		t.Errorf("sleeping past the timeout: %s %s", resp.ErrorType, resp.Payload)
	}
	resp = invokeFn("direct-sleep", `{"ms":1}`)
	if resp.FunctionError != "" || !strings.Contains(string(resp.LogTail), "Init Duration") {
		t.Errorf("after a timeout: %s %s, tail %q; want a cold start", resp.FunctionError, resp.Payload, resp.LogTail)
	}

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := r.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	list, err := docker.ContainerList(t.Context(), client.ContainerListOptions{
		All: true, Filters: make(client.Filters).Add("label", "lambda-harness.function=direct-echo"),
	})
	if err != nil || len(list.Items) > 0 {
		t.Errorf("containers left after shutdown: %v %v", list.Items, err)
	}
	t.Logf("function log:\n%s", logs.String())
}
