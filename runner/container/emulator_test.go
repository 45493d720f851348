package container_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
	"github.com/lambda-harness/lambda-harness/runner/container"
	"github.com/lambda-harness/lambda-harness/runner/runnertest"
)

// TestEmulator: with the emulator inside the container, the harness's own
// binary mounted as the image's aws-lambda-rie or one the image carries,
// invocations are forwarded to it, under the function's name or under
// "function", and function errors come back as such.
func TestEmulator(t *testing.T) {
	l := newLauncher(t, container.Config{HarnessBinary: harnessBinary(t)})
	fake := fakeConfig(t)
	for _, c := range []struct{ emulator, image string }{
		{invoke.EmulatorHarness, "rie-mounted"},
		{invoke.EmulatorImage, "rie-baked"},
	} {
		t.Run(c.emulator, func(t *testing.T) {
			t.Parallel()
			fn := invoke.Function{
				Name:       "emulated-" + c.emulator,
				Image:      testImage(t, c.image),
				RuntimeAPI: invoke.RuntimeAPIEmulator,
				Emulator:   c.emulator,
			}
			if listen, _ := l.RuntimeAPIHosts(fn); listen != "" {
				t.Errorf("RuntimeAPIHosts in emulator mode: listen %q, want the runner's default", listen)
			}
			r := launch(t, l, fake, fn, "", nil)
			fw := forwarder(t, r)
			for i, payload := range []string{`{"hello":"emulator"}`, `{"again":true}`} {
				resp := forward(t, fw, payload)
				if resp.FunctionError != "" || string(resp.Payload) != payload {
					t.Errorf("forward %d: %s %s, want the echo %s", i, resp.FunctionError, resp.Payload, payload)
				}
			}
			ctr, _ := inspect(t, r.spec)
			if slices.ContainsFunc(ctr.Config.Env, func(kv string) bool { return strings.HasPrefix(kv, "AWS_LAMBDA_RUNTIME_API=") }) {
				t.Errorf("AWS_LAMBDA_RUNTIME_API set under an emulator: %q", ctr.Config.Env)
			}
			for _, b := range ctr.HostConfig.PortBindings {
				for _, pb := range b {
					if !pb.HostIP.IsLoopback() {
						t.Errorf("port published on %s, want loopback only", pb.HostIP)
					}
				}
			}

			errFn := fn
			errFn.Command = []string{"/var/task/error"}
			resp := forward(t, forwarder(t, launch(t, l, fake, errFn, "", nil)), `{"type":"MyError","message":"inside"}`)
			if resp.FunctionError != invoke.FunctionErrorUnhandled || resp.ErrorType != "MyError" ||
				!strings.Contains(string(resp.Payload), "inside") {
				t.Errorf("function error: %q %q %s", resp.FunctionError, resp.ErrorType, resp.Payload)
			}

			ctxFn := fn
			ctxFn.Command = []string{"/var/task/context"}
			checkContext(t, forwarder(t, launch(t, l, fake, ctxFn, "", nil)), fn, c.emulator == invoke.EmulatorHarness)

			if c.emulator == invoke.EmulatorHarness {
				// The harness inside prints the function's output only:
				// START, END and REPORT are the host's to print.
				r.proc.Kill()
				r.waitDone(t)
				for _, line := range r.out.Lines() {
					if strings.HasPrefix(line.Text, "START RequestId") || strings.HasPrefix(line.Text, "REPORT RequestId") {
						t.Errorf("the harness inside printed %q", line.Text)
					}
				}
			}
		})
	}
}

// TestEmulatorExits: a container whose emulator exits before it listens is
// a Launch error that says so, and leaves nothing behind.
func TestEmulatorExits(t *testing.T) {
	l := newLauncher(t, container.Config{})
	// The echo image has no emulator: its runtime, with no
	// AWS_LAMBDA_RUNTIME_API, exits at once.
	fn := invoke.Function{Name: "no-emulator", Image: testImage(t, "echo"),
		RuntimeAPI: invoke.RuntimeAPIEmulator, Emulator: invoke.EmulatorImage}
	api := runnertest.NewFakeRuntimeAPI(t, fakeConfig(t), runnertest.Invocation{})
	spec := api.Spec(fn, nil)
	p, err := l.Launch(t.Context(), spec)
	if err == nil {
		p.Kill()
		t.Fatal("Launch: no error")
	}
	if !strings.Contains(err.Error(), "exited (exit status 1) before its emulator") {
		t.Errorf("error %q, want it to say the container exited", err)
	}
	if ctr, ok := inspect(t, spec); ok {
		t.Errorf("container %s left behind", ctr.Name)
	}
}

// checkContext forwards an invocation with every header to the context
// function and checks what reached it. The request id given is the
// function's only when the emulator is this harness.
func checkContext(t *testing.T, fw runner.Forwarder, fn invoke.Function, sameID bool) {
	t.Helper()
	req := &invoke.Request{
		RequestID:     invoke.NewRequestID(),
		Payload:       []byte(`{}`),
		ClientContext: `{"custom":{"k":"v"}}`,
		TraceID:       "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
		TenantID:      "tenant-1",
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	resp, err := fw.Forward(ctx, req)
	if err != nil {
		t.Fatalf("Forward: %v", err)
	}
	var got struct {
		RequestID     string `json:"request_id"`
		ClientContext struct {
			Custom map[string]string `json:"custom"`
		} `json:"client_context"`
		TenantID     string `json:"tenant_id"`
		TraceID      string `json:"trace_id"`
		FunctionName string `json:"function_name"`
		MemoryMB     int    `json:"memory_limit_mb"`
	}
	if err := json.Unmarshal(resp.Payload, &got); err != nil {
		t.Fatalf("context answered %s %s: %v", resp.FunctionError, resp.Payload, err)
	}
	if sameID && got.RequestID != req.RequestID {
		t.Errorf("request id %q, want %q", got.RequestID, req.RequestID)
	}
	if got.ClientContext.Custom["k"] != "v" || got.TenantID != req.TenantID || got.TraceID != req.TraceID {
		t.Errorf("client context %v, tenant %q, trace %q: not what was sent", got.ClientContext.Custom, got.TenantID, got.TraceID)
	}
	if got.FunctionName != fn.Name || got.MemoryMB != invoke.DefaultMemoryMB {
		t.Errorf("function %q with %d MB, want %q with %d MB", got.FunctionName, got.MemoryMB, fn.Name, invoke.DefaultMemoryMB)
	}
}

func forwarder(t *testing.T, r *launched) runner.Forwarder {
	t.Helper()
	fw, ok := r.proc.(runner.Forwarder)
	if !ok {
		t.Fatalf("the process of an emulator-mode container is a %T, not a runner.Forwarder", r.proc)
	}
	return fw
}

func forward(t *testing.T, fw runner.Forwarder, payload string) *invoke.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	resp, err := fw.Forward(ctx, &invoke.Request{RequestID: invoke.NewRequestID(), Payload: []byte(payload)})
	if err != nil {
		t.Fatalf("Forward %s: %v", payload, err)
	}
	return resp
}
