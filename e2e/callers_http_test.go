package e2e

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// The region and account of the HTTP callers' harness: not the defaults,
// to check that the flags reach the ARNs.
const (
	httpRegion  = "eu-west-3"
	httpAccount = "111122223333"
)

// hostSecrets are set in the environment of the harness in serve mode;
// no runtime may see them.
var hostSecrets = []string{
	"AMQP_URI=amqp://guest:hunter2@localhost:5672/",
	"AMQP_USERNAME=guest",
	"AMQP_PASSWORD=hunter2",
	"FOO=bar",
}

// startHTTPHarness serves the functions the net/http tests call.
func startHTTPHarness(t *testing.T) *harness {
	t.Helper()
	args := []string{"--region", httpRegion, "--account", httpAccount}
	args = append(args, functionFlags(
		spec(t, "echo", "echo"),
		spec(t, "error", "error"),
		spec(t, "panic", "panic"),
		spec(t, "print", "print"),
		// Its own function, so that its first call is a cold start.
		spec(t, "tail", "print", "concurrency=1"),
		spec(t, "context", "context", "timeout=5s"),
		spec(t, "env", "env", "env=GREETING=hello"),
		spec(t, "large", "large"),
		spec(t, "exit", "exit", "timeout=30s"),
	)...)
	return startHarness(t, harnessConfig{
		Args: append([]string{"serve", "--listen", "127.0.0.1:0", "--log-level", "debug"}, args...),
		Env:  hostSecrets,
	})
}

// arn is the ARN of a function of the HTTP callers' harness.
func arn(name string) string {
	return "arn:aws:lambda:" + httpRegion + ":" + httpAccount + ":function:" + name
}

func TestHTTPCallers(t *testing.T) {
	t.Parallel()
	h := startHTTPHarness(t)
	for _, c := range []struct {
		name string
		test func(*testing.T, *harness)
	}{
		{"RequestResponse", testRequestResponse},
		{"Event", testEvent},
		{"DryRun", testDryRun},
		{"Tail", testTail},
		{"context", testContext},
		{"names", testNames},
		{"service errors", testServiceErrors},
		{"payload limits", testPayloadLimits},
		{"function errors", testFunctionErrors},
		{"exit mid-invoke", testExitMidInvoke},
		{"response too large", testResponseTooLarge},
		{"environment", testServeEnvironment},
		{"control plane", testControlPlane},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.test(t, h)
		})
	}
}

func testRequestResponse(t *testing.T, h *harness) {
	r := h.invoke(t, "echo", `{"key": "value"}`)
	r.wantOK(t, nil)
	if !jsonEqual(r.Body, []byte(`{"key":"value"}`)) {
		t.Errorf("body %s, want the event", r.Body)
	}
	for header, want := range map[string]string{
		"X-Amz-Executed-Version": "$LATEST",
		"Content-Type":           "application/json",
	} {
		if got := r.Header.Get(header); got != want {
			t.Errorf("%s: %q, want %q", header, got, want)
		}
	}
	if r.Header.Get("X-Amzn-Requestid") == "" {
		t.Error("no x-amzn-RequestId")
	}
}

// testEvent: 202 at once, and the function really runs: its output shows
// in the function log under the request id of the 202.
func testEvent(t *testing.T, h *harness) {
	r := h.invoke(t, "print", `{"lines": 1}`, "X-Amz-Invocation-Type", "Event")
	if r.Status != http.StatusAccepted || len(r.Body) != 0 {
		t.Fatalf("got %s\nwant 202 with an empty body", r)
	}
	id := r.Header.Get("X-Amzn-Requestid")
	if id == "" {
		t.Fatal("no x-amzn-RequestId")
	}
	h.Stdout.mustWaitLine(t, "output of the Event invocation "+id, logWait,
		contains("["+"print "+id+"] stdout line 1"))
}

func testDryRun(t *testing.T, h *harness) {
	r := h.invoke(t, "echo", `{}`, "X-Amz-Invocation-Type", "DryRun")
	if r.Status != http.StatusNoContent || len(r.Body) != 0 {
		t.Fatalf("got %s\nwant 204 with an empty body", r)
	}
	r = h.invoke(t, "nope", `{}`, "X-Amz-Invocation-Type", "DryRun")
	r.wantServiceError(t, http.StatusNotFound, "ResourceNotFoundException")
}

// reportRE parses a REPORT line.
var reportRE = regexp.MustCompile(`^REPORT RequestId: (\S+)\tDuration: [0-9.]+ ms\tBilled Duration: \d+ ms\t` +
	`Memory Size: (\d+) MB\tMax Memory Used: (\d+) MB(\tInit Duration: [0-9.]+ ms)?$`)

// testTail: the log of the invocation, base64 in X-Amz-Log-Result, as AWS
// gives it: START, the output, END, REPORT with one request id, measured
// memory, and Init Duration on the cold start only.
func testTail(t *testing.T, h *harness) {
	for i, cold := range []bool{true, false} {
		r := h.invoke(t, "tail", `{"lines": 2}`, "X-Amz-Log-Type", "Tail")
		r.wantOK(t, nil)
		id := r.Header.Get("X-Amzn-Requestid")
		raw, err := base64.StdEncoding.DecodeString(r.Header.Get("X-Amz-Log-Result"))
		if err != nil || len(raw) == 0 {
			t.Fatalf("call %d: X-Amz-Log-Result %q: %v", i, r.Header.Get("X-Amz-Log-Result"), err)
		}
		lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
		t.Logf("call %d log:\n%s", i, raw)
		if want := "START RequestId: " + id + " Version: $LATEST"; lines[0] != want {
			t.Errorf("call %d: first line %q, want %q", i, lines[0], want)
		}
		for _, want := range []string{"stdout line 1", "stderr line 1", "stdout line 2", "stderr line 2"} {
			if !strings.Contains(string(raw), want+"\n") {
				t.Errorf("call %d: no %q in the log", i, want)
			}
		}
		n := len(lines)
		if n < 3 || lines[n-2] != "END RequestId: "+id {
			t.Fatalf("call %d: no END line with the request id %s before the last line", i, id)
		}
		m := reportRE.FindStringSubmatch(lines[n-1])
		if m == nil {
			t.Fatalf("call %d: last line %q is not a REPORT line", i, lines[n-1])
		}
		if m[1] != id || m[2] != "128" {
			t.Errorf("call %d: REPORT of %s with %s MB, want %s with 128 MB", i, m[1], m[2], id)
		}
		if used, _ := strconv.Atoi(m[3]); used <= 0 {
			t.Errorf("call %d: Max Memory Used %d MB, want it measured", i, used)
		}
		if got := m[4] != ""; got != cold {
			t.Errorf("call %d: Init Duration shown %v, want %v", i, got, cold)
		}
	}
	r := h.invoke(t, "tail", `{}`)
	if got := r.Header.Get("X-Amz-Log-Result"); got != "" {
		t.Errorf("X-Amz-Log-Result without Tail: %q", got)
	}
}

// contextResult is what the context function returns.
type contextResult struct {
	RequestID          string                        `json:"request_id"`
	InvokedFunctionArn string                        `json:"invoked_function_arn"`
	DeadlineMs         int64                         `json:"deadline_ms"`
	ClientContext      lambdacontext.ClientContext   `json:"client_context"`
	Identity           lambdacontext.CognitoIdentity `json:"identity"`
	TenantID           string                        `json:"tenant_id"`
	TraceID            string                        `json:"trace_id"`
	EnvTraceID         string                        `json:"env_trace_id"`
	FunctionName       string                        `json:"function_name"`
	FunctionVersion    string                        `json:"function_version"`
	MemoryLimitMB      int                           `json:"memory_limit_mb"`
	LogGroupName       string                        `json:"log_group_name"`
}

// clientContextJSON is a client context as the mobile SDKs send it.
const clientContextJSON = `{"client":{"installation_id":"install-1","app_title":"e2e","app_version_name":"1.0",` +
	`"app_version_code":"1","app_package_name":"dev.e2e"},"custom":{"k":"v"},"env":{"platform":"linux"}}`

// checkClientContext checks what a runtime made of clientContextJSON.
func checkClientContext(t *testing.T, cc lambdacontext.ClientContext) {
	t.Helper()
	if cc.Client.InstallationID != "install-1" || cc.Client.AppTitle != "e2e" ||
		cc.Custom["k"] != "v" || cc.Env["platform"] != "linux" {
		t.Errorf("client context %+v, want the one sent: %s", cc, clientContextJSON)
	}
}

// testContext: what the runtime sees of the invocation.
func testContext(t *testing.T, h *harness) {
	const traceID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	before := time.Now()
	r := h.invoke(t, "context", `{}`,
		"X-Amz-Client-Context", base64.StdEncoding.EncodeToString([]byte(clientContextJSON)),
		"X-Amzn-Trace-Id", traceID,
		"X-Amz-Tenant-Id", "tenant-42")
	var got contextResult
	r.wantOK(t, &got)
	if id := r.Header.Get("X-Amzn-Requestid"); got.RequestID != id {
		t.Errorf("request id %q in the function, %q in x-amzn-RequestId", got.RequestID, id)
	}
	if got.InvokedFunctionArn != arn("context") {
		t.Errorf("invoked function ARN %q, want %q", got.InvokedFunctionArn, arn("context"))
	}
	checkClientContext(t, got.ClientContext)
	if got.TraceID != traceID || got.EnvTraceID != traceID {
		t.Errorf("trace id %q, _X_AMZN_TRACE_ID %q, want %q", got.TraceID, got.EnvTraceID, traceID)
	}
	if got.TenantID != "tenant-42" {
		t.Errorf("tenant id %q, want tenant-42", got.TenantID)
	}
	deadline := time.UnixMilli(got.DeadlineMs)
	if deadline.Before(before) || deadline.After(time.Now().Add(5*time.Second)) {
		t.Errorf("deadline %v, want within the 5 s timeout from %v", deadline, before)
	}
	if got.FunctionName != "context" || got.FunctionVersion != "$LATEST" || got.MemoryLimitMB != 128 ||
		got.LogGroupName != "/aws/lambda/context" {
		t.Errorf("function %q version %q memory %d log group %q, want context $LATEST 128 /aws/lambda/context",
			got.FunctionName, got.FunctionVersion, got.MemoryLimitMB, got.LogGroupName)
	}

	// An ARN with another region and account resolves by the name; the
	// runtime sees the configured ones.
	r = h.invoke(t, "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Acontext", `{}`)
	got = contextResult{}
	r.wantOK(t, &got)
	if got.InvokedFunctionArn != arn("context") {
		t.Errorf("invoked by a foreign ARN: function ARN %q, want %q", got.InvokedFunctionArn, arn("context"))
	}

	r = h.invoke(t, "context", `{}`, "X-Amz-Client-Context", "not base64!")
	r.wantServiceError(t, http.StatusBadRequest, "InvalidParameterValueException")
}

// testNames: every accepted form of the function name, percent-encoded
// as the SDKs send it or not.
func testNames(t *testing.T, h *harness) {
	for _, path := range []string{
		invokePath("echo"),
		invokePath("echo:%24LATEST"),
		invokePath("echo:$LATEST"),
		invokePath(httpAccount + ":function:echo"),
		invokePath(httpAccount + "%3Afunction%3Aecho"),
		invokePath(arn("echo")),
		invokePath(strings.ReplaceAll(arn("echo"), ":", "%3A")),
		invokePath(strings.ReplaceAll(arn("echo")+":$LATEST", ":", "%3A")),
		invokePath("echo") + "?Qualifier=%24LATEST",
	} {
		t.Run(path, func(t *testing.T) {
			r := h.do(t, http.MethodPost, path, strings.NewReader(`{"n":1}`))
			r.wantOK(t, nil)
			if !jsonEqual(r.Body, []byte(`{"n":1}`)) {
				t.Errorf("body %s, want the event", r.Body)
			}
		})
	}
}

// testServeEnvironment: in serve mode a runtime gets the Lambda variables,
// its own, and only PATH, HOME, TZ and LANG of the host.
func testServeEnvironment(t *testing.T, h *harness) {
	var env map[string]string
	h.invoke(t, "env", `{}`).wantOK(t, &env)
	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "env",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/env",
		"AWS_REGION":                      httpRegion,
		"AWS_DEFAULT_REGION":              httpRegion,
		"GREETING":                        "hello",
		"LANG":                            "C.UTF-8",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s=%q, want %q", k, env[k], v)
		}
	}
	for _, k := range []string{"AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_LOG_STREAM_NAME", "LAMBDA_TASK_ROOT", "TZ", "PATH", "HOME"} {
		if env[k] == "" {
			t.Errorf("%s is not set", k)
		}
	}
	hostOnly := map[string]bool{"PATH": true, "HOME": true, "TZ": true, "LANG": true, "GREETING": true}
	for k := range env {
		lambda := strings.HasPrefix(k, "AWS_") || strings.HasPrefix(k, "LAMBDA_") || strings.HasPrefix(k, "_")
		if !lambda && !hostOnly[k] {
			t.Errorf("the runtime inherited %s=%q from the host", k, env[k])
		}
	}
	for _, kv := range append(hostSecrets, h.marker) {
		k, _, _ := strings.Cut(kv, "=")
		if v, ok := env[k]; ok {
			t.Errorf("the runtime sees the harness's %s=%q", k, v)
		}
	}
}

// testControlPlane: ListFunctions and GetFunction, read-only.
func testControlPlane(t *testing.T, h *harness) {
	r := h.do(t, http.MethodGet, "/2015-03-31/functions", nil)
	var list struct {
		Functions []struct{ FunctionName, FunctionArn string }
	}
	r.wantOK(t, &list)
	names := make(map[string]string)
	for _, f := range list.Functions {
		names[f.FunctionName] = f.FunctionArn
	}
	for _, name := range []string{"echo", "error", "panic", "print", "tail", "context", "env", "large", "exit"} {
		if names[name] != arn(name) {
			t.Errorf("ListFunctions: %s has ARN %q, want %q", name, names[name], arn(name))
		}
	}

	r = h.do(t, http.MethodGet, "/2015-03-31/functions/env", nil)
	var fn struct {
		Configuration struct {
			FunctionName, FunctionArn, State string
			MemorySize                       int
			Environment                      struct{ Variables map[string]string }
		}
	}
	r.wantOK(t, &fn)
	c := fn.Configuration
	if c.FunctionName != "env" || c.FunctionArn != arn("env") || c.State != "Active" || c.MemorySize != 128 ||
		c.Environment.Variables["GREETING"] != "hello" {
		t.Errorf("GetFunction env: %s", r.Body)
	}
	r = h.do(t, http.MethodGet, "/2015-03-31/functions/nope", nil)
	r.wantServiceError(t, http.StatusNotFound, "ResourceNotFoundException")
}

// TestGenericName: with one function served, "function" (aws-lambda-rie's
// hard-coded name) is that function, as is its real name.
func TestGenericName(t *testing.T) {
	t.Parallel()
	h := startServe(t, "--function", spec(t, "only-one", "context"))
	for _, name := range []string{"function", "only-one"} {
		var got contextResult
		h.invoke(t, name, `{}`).wantOK(t, &got)
		if got.FunctionName != "only-one" {
			t.Errorf("invoked as %s: function %q, want only-one", name, got.FunctionName)
		}
	}
}
