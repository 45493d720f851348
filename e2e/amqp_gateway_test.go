package e2e

import (
	"encoding/base64"
	"github.com/lambda-harness/lambda-harness/internal/testutil"
	"net/http"
	"strings"
	"testing"
)

// TestAMQPGateway: a gateway harness A (serve --gateway, no local
// function) serves the Invoke API for the functions a worker harness B
// serves on the broker: HTTP → A → broker → B → reply → HTTP, with the full
// Invoke contract — 200, X-Amz-Function-Error, Tail, x-amzn-RequestId the
// function sees — 404 ResourceNotFoundException for a function no worker
// serves, and Event → 202, then run on B.
func TestAMQPGateway(t *testing.T) {
	t.Parallel()
	broker := brokerURL(t)
	echo, fail, ctxFn := queueName(t, broker, "gw-echo"), queueName(t, broker, "gw-error"), queueName(t, broker, "gw-context")
	worker := startServe(t, "--amqp-url", broker, "--function", spec(t, echo, "echo"),
		"--function", spec(t, fail, "error"), "--function", spec(t, ctxFn, "context", "timeout=10s"))
	for _, q := range []string{echo, fail, ctxFn} {
		testutil.WaitConsumers(t, broker, q, 1)
	}
	gw := startServe(t, "--gateway", "--amqp-url", broker)

	t.Run("RequestResponse", func(t *testing.T) {
		r := gw.invoke(t, echo, `{"via": "gateway"}`)
		r.wantOK(t, nil)
		if !jsonEqual(r.Body, []byte(`{"via":"gateway"}`)) {
			t.Errorf("body %s, want the event back", r.Body)
		}
		id := r.Header.Get("X-Amzn-Requestid")
		if id == "" || r.Header.Get("X-Amz-Executed-Version") != "$LATEST" {
			t.Errorf("headers %v, want x-amzn-RequestId and X-Amz-Executed-Version: $LATEST", r.Header)
		}
		// The worker ran it, under the gateway's request id.
		worker.Stdout.mustWaitLine(t, "the worker's START line", logWait, contains("START RequestId: "+id))
	})
	t.Run("function error", func(t *testing.T) {
		e := gw.invoke(t, fail, `{"type": "MyError", "message": "through the broker"}`).wantFunctionError(t, "MyError")
		if e.ErrorMessage != "through the broker" {
			t.Errorf("errorMessage %q", e.ErrorMessage)
		}
	})
	t.Run("Tail", func(t *testing.T) {
		r := gw.invoke(t, echo, `{}`, "X-Amz-Log-Type", "Tail")
		r.wantOK(t, nil)
		tail, err := base64.StdEncoding.DecodeString(r.Header.Get("X-Amz-Log-Result"))
		id := r.Header.Get("X-Amzn-Requestid")
		if err != nil || !strings.Contains(string(tail), "START RequestId: "+id) || !strings.Contains(string(tail), "REPORT RequestId: "+id) {
			t.Errorf("X-Amz-Log-Result %q (%v), want the worker's log tail of %s", tail, err, id)
		}
	})
	t.Run("request id, client context and trace id reach the function", func(t *testing.T) {
		const traceID = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
		r := gw.invoke(t, ctxFn, `{}`,
			"X-Amz-Client-Context", base64.StdEncoding.EncodeToString([]byte(clientContextJSON)),
			"X-Amzn-Trace-Id", traceID)
		var got contextResult
		r.wantOK(t, &got)
		if id := r.Header.Get("X-Amzn-Requestid"); got.RequestID != id {
			t.Errorf("the function saw request id %q, x-amzn-RequestId is %q", got.RequestID, id)
		}
		checkClientContext(t, got.ClientContext)
		if got.TraceID != traceID {
			t.Errorf("trace id %q, want %q", got.TraceID, traceID)
		}
	})
	t.Run("no worker serves it", func(t *testing.T) {
		nobody := queueName(t, broker, "gw-nobody")
		msg := gw.invoke(t, nobody, `{}`).wantServiceError(t, http.StatusNotFound, "ResourceNotFoundException")
		if !strings.Contains(msg, "function:"+nobody) {
			t.Errorf("message %q, want the function's ARN", msg)
		}
	})
	t.Run("Event", func(t *testing.T) {
		r := gw.invoke(t, echo, `{"async": true}`, "X-Amz-Invocation-Type", "Event")
		id := r.Header.Get("X-Amzn-Requestid")
		if r.Status != http.StatusAccepted || id == "" {
			t.Fatalf("got %s\nwant 202 with x-amzn-RequestId", r)
		}
		worker.Stdout.mustWaitLine(t, "the worker's START line of the Event", logWait, contains("START RequestId: "+id))
	})
	t.Run("ListFunctions lists what the gateway knows: nothing local", func(t *testing.T) {
		var page struct {
			Functions []struct{ FunctionName string }
		}
		gw.do(t, http.MethodGet, "/2015-03-31/functions", nil).wantOK(t, &page)
		if len(page.Functions) != 0 {
			t.Errorf("ListFunctions %+v, want none", page.Functions)
		}
	})
}
