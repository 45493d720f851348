package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
)

// These tests run the harness against a broker that is not there (a closed
// port): what it does then needs no RabbitMQ. The e2e tests run it against
// a real one.

// deadBroker returns an AMQP URL, with a password, of a port nothing
// listens on.
func deadBroker(t *testing.T, query string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "amqp://guest:hunter2@" + addr + "/" + query
}

func TestRunRIEServesHTTPWhileTheBrokerIsDown(t *testing.T) {
	echo := testfunctions.Build(t, "echo")
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	h := startHarnessEnv(t, ctx, env("AWS_LAMBDA_FUNCTION_NAME=echo", "AMQP_URI="+deadBroker(t, "?retry_delay=0.05&heartbeat=0"),
		"AMQP_USERNAME=guest", "AMQP_PASSWORD=hunter3"),
		"rie", "--runtime-interface-emulator-address", "127.0.0.1:0", "--runtime-api-address", "127.0.0.1:0", echo)
	if status, body := h.post(t, "echo", `{"k":"v"}`); status != http.StatusOK || body != `{"k":"v"}` {
		t.Errorf("invoke over HTTP with the broker down: %d %s, want 200 and the event back", status, body)
	}
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(h.stderr.String(), "cannot connect to the broker"); {
		if time.Now().After(deadline) {
			t.Fatalf("no warning about the broker in the log:\n%s", h.stderr.String())
		}
		time.Sleep(10 * time.Millisecond) // polling the log for a line
	}
	stop()
	if err := h.wait(t, 30*time.Second); err != nil {
		t.Errorf("run after a stop: %v, want nil (retrying forever is not a failure)", err)
	}
	log := h.stderr.String()
	if strings.Contains(log, "hunter2") || strings.Contains(log, "hunter3") {
		t.Errorf("the log shows a broker password:\n%s", log)
	}
	if !strings.Contains(log, "amqp=amqp://127.0.0.1:") {
		t.Errorf("the listening line does not name the broker (redacted):\n%s", log)
	}
}

func TestRunStopsWhenConnectionAttemptsAreSpent(t *testing.T) {
	echo := testfunctions.Build(t, "echo")
	_, stderr, err := runCLI(t, "lambda-harness", "serve", "--listen", "127.0.0.1:0",
		"--amqp-url", deadBroker(t, "?connection_attempts=2&retry_delay=0.05"), "--name", "echo", "--", echo)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), "gave up after 2 attempts") {
		t.Errorf("run = %v (exit %d), want exit 1 after 2 connection attempts\nstderr:\n%s", err, exitCode(err), stderr)
	}
	if strings.Contains(err.Error()+stderr, "hunter2") {
		t.Errorf("the error or the log shows the password:\n%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "msg=stopped") {
		t.Errorf("the harness did not stop gracefully:\n%s", stderr)
	}
}

func TestRunGatewayWithoutBroker(t *testing.T) {
	echo := testfunctions.Build(t, "echo")
	file := writeFile(t, "functions:", "  resize: {remote: true, timeout: 7}")
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	h := startHarness(t, ctx, "serve", "--listen", "127.0.0.1:0", "--gateway", "-f", file,
		"--amqp-url", deadBroker(t, "?retry_delay=0.05"), "--function", "name=echo,cmd="+echo)

	// Local functions run here, broker or not.
	if status, body := h.post(t, "echo", `{"k":"v"}`); status != http.StatusOK || body != `{"k":"v"}` {
		t.Errorf("invoke the local function: %d %s, want 200", status, body)
	}
	// ListFunctions: the local function and the declared remote one.
	resp, err := http.Get("http://" + h.addr + "/2015-03-31/functions")
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Functions []struct{ FunctionName string }
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatalf("ListFunctions %s: %v", b, err)
	}
	if len(page.Functions) != 2 || page.Functions[0].FunctionName != "echo" || page.Functions[1].FunctionName != "resize" {
		t.Errorf("ListFunctions = %s, want echo and resize", b)
	}
	// A remote function with no broker: a clear service error, not a hang.
	start := time.Now()
	status, body := h.post(t, "resize", `{}`)
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "ServiceException") && !strings.Contains(body, "broker") {
		t.Errorf("invoke a remote function with the broker down: %d %s, want 503", status, body)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the answer took %s", d)
	}
	stop()
	if err := h.wait(t, 30*time.Second); err != nil {
		t.Errorf("run after a stop: %v", err)
	}
}
