package e2e

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
	"github.com/lambda-harness/lambda-harness/internal/testutil"
)

// TestAMQPServeRPC: serve --amqp-url consumes every function's queue while
// serving HTTP, and a client written the way lambda-runtime-api-daemon's
// Python clients are (pika, default exchange, reply_to on an exclusive
// queue, correlation_id) works unchanged against real aws-lambda-go
// functions: the payload, a function error (X-Amz-Function-Error), the
// client context and the trace id reach the function, and a message
// without reply_to runs as an Event.
func TestAMQPServeRPC(t *testing.T) {
	t.Parallel()
	broker := brokerURL(t)
	echo, fail, ctxFn := queueName(t, broker, "echo"), queueName(t, broker, "error"), queueName(t, broker, "context")
	h := startServe(t, "--amqp-url", broker, "--function", spec(t, echo, "echo"),
		"--function", spec(t, fail, "error"), "--function", spec(t, ctxFn, "context", "timeout=10s"))
	for _, q := range []string{echo, fail, ctxFn} {
		testutil.WaitConsumers(t, broker, q, 1)
	}
	const traceID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	res := runPika(t, broker, []pikaRequest{
		{Name: "echo", Function: echo, Body: `{"hello": "pika"}`, Reply: true},
		{Name: "error", Function: fail, Body: `{"type": "MyError", "message": "boom"}`, Reply: true},
		{Name: "context", Function: ctxFn, Body: `{}`, Reply: true, Headers: map[string]string{
			"X-Amz-Client-Context": base64.StdEncoding.EncodeToString([]byte(clientContextJSON)),
			"X-Amzn-Trace-Id":      traceID,
		}},
		{Name: "event", Function: echo, Body: `{"hello": "event"}`},
	})

	if r := res.reply(t, "echo"); !jsonEqual([]byte(r.Body), []byte(`{"hello":"pika"}`)) || r.ContentType != "application/json" ||
		r.Headers["X-Amz-Function-Error"] != "" {
		t.Errorf("echo reply %+v, want the event back as application/json", r)
	}
	r := res.reply(t, "error")
	var e functionErrorBody
	if err := json.Unmarshal([]byte(r.Body), &e); err != nil || r.Headers["X-Amz-Function-Error"] != "Unhandled" ||
		e.ErrorType != "MyError" || e.ErrorMessage != "boom" {
		t.Errorf("function error reply %+v, want X-Amz-Function-Error: Unhandled and AWS's error object", r)
	}
	var got contextResult
	decodeJSON(t, []byte(res.reply(t, "context").Body), &got)
	if id := res.IDs["context"]; got.RequestID != id {
		t.Errorf("the function saw request id %q, want the correlation id %q", got.RequestID, id)
	}
	checkClientContext(t, got.ClientContext)
	if got.TraceID != traceID || got.FunctionName != ctxFn ||
		got.InvokedFunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:"+ctxFn {
		t.Errorf("the function saw %+v, want trace id %s and its own name and ARN", got, traceID)
	}
	// The fire-and-forget message ran as an Event, under its correlation id.
	h.Stdout.mustWaitLine(t, "START line of the Event", logWait, contains("START RequestId: "+res.IDs["event"]))

	// HTTP is served all along.
	var back map[string]string
	h.invoke(t, echo, `{"over": "http"}`).wantOK(t, &back)
	if back["over"] != "http" {
		t.Errorf("HTTP invoke returned %v", back)
	}
	if log := h.Stderr.String(); strings.Contains(log, "guest:guest@") {
		t.Errorf("the harness's log shows the broker's credentials")
	}
}

// TestAMQPRIE: in rie mode (the binary as aws-lambda-rie) the broker comes
// exactly as the seed's run script passes it — AMQP_URI with RAPID's query
// options, AMQP_USERNAME and AMQP_PASSWORD apart, the queue named by
// AWS_LAMBDA_FUNCTION_NAME — and HTTP is served too. The runtime sees none
// of the AMQP_* variables.
func TestAMQPRIE(t *testing.T) {
	t.Parallel()
	broker := brokerURL(t)
	name := queueName(t, broker, "rie")
	u, err := url.Parse(broker)
	if err != nil {
		t.Fatal(err)
	}
	password, _ := u.User.Password()
	uri := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path,
		RawQuery: "connection_attempts=20&retry_delay=1&heartbeat=30"}
	h := startHarness(t, harnessConfig{
		Program: rieLink(t),
		Args:    append(rieFlags(freeAddr(t)), testfunctions.Build(t, "env")),
		Env: []string{
			"AWS_LAMBDA_FUNCTION_NAME=" + name,
			"AMQP_URI=" + uri.String(),
			"AMQP_USERNAME=" + u.User.Username(),
			"AMQP_PASSWORD=" + password,
			"MAX_CONCURRENCY=2",
		},
	})
	testutil.WaitConsumers(t, broker, name, 1)
	res := runPika(t, broker, []pikaRequest{{Name: "env", Function: name, Body: `{}`, Reply: true}})
	var viaAMQP, viaHTTP map[string]string
	decodeJSON(t, []byte(res.reply(t, "env").Body), &viaAMQP)
	h.invoke(t, "function", `{}`).wantOK(t, &viaHTTP)
	for how, env := range map[string]map[string]string{"AMQP": viaAMQP, "HTTP": viaHTTP} {
		if env["AWS_LAMBDA_FUNCTION_NAME"] != name {
			t.Errorf("invoked over %s: AWS_LAMBDA_FUNCTION_NAME=%q, want %s", how, env["AWS_LAMBDA_FUNCTION_NAME"], name)
		}
		for k, v := range env {
			if strings.HasPrefix(k, "AMQP_") || k == "MAX_CONCURRENCY" {
				t.Errorf("invoked over %s: the runtime sees the harness's %s=%q", how, k, v)
			}
		}
	}
	log := h.Stderr.String()
	if !strings.Contains(log, "amqp="+uri.Scheme+"://"+uri.Host) || strings.Contains(log, "connection_attempts") ||
		strings.Contains(log, u.User.Username()+":"+password+"@") {
		t.Errorf("the listening line should name the broker without credentials or options:\n%s", log)
	}
}
