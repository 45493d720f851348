package testfunctions_test

import (
	"encoding/json"
	"testing"

	"github.com/lambda-harness/lambda-harness/runner"
	"github.com/lambda-harness/lambda-harness/runner/runnertest"
)

// check is what TestFunctions expects of one run.
type check = func(t *testing.T, r *runnertest.Running, a runnertest.Answer)

func wantResponse(body string) check {
	return func(t *testing.T, _ *runnertest.Running, a runnertest.Answer) {
		t.Helper()
		if a.Kind != "response" || string(a.Body) != body {
			t.Errorf("answer %s %q, want response %q", a.Kind, a.Body, body)
		}
	}
}

func wantError(errorType, message string) check {
	return func(t *testing.T, _ *runnertest.Running, a runnertest.Answer) {
		t.Helper()
		var e struct {
			ErrorType    string `json:"errorType"`
			ErrorMessage string `json:"errorMessage"`
		}
		if err := json.Unmarshal(a.Body, &e); a.Kind != "error" || err != nil ||
			e.ErrorType != errorType || e.ErrorMessage != message {
			t.Errorf("answer %s %s, want error %s %q", a.Kind, a.Body, errorType, message)
		}
	}
}

func wantExit(reason string) check {
	return func(t *testing.T, r *runnertest.Running, _ runnertest.Answer) {
		t.Helper()
		if got := r.WaitDone(t); got != reason {
			t.Errorf("ExitReason() = %q, want %q", got, reason)
		}
	}
}

func wantLine(stream runner.Stream, line string) check {
	return func(t *testing.T, r *runnertest.Running, _ runnertest.Answer) {
		t.Helper()
		r.Output.WaitForLine(t, runnertest.Timeout, stream, line, func(s string) bool { return s == line })
	}
}

// checkContext checks the context function's view of the /next headers
// TestFunctions sends and of the fake's Lambda environment.
func checkContext(t *testing.T, r *runnertest.Running, a runnertest.Answer) {
	t.Helper()
	var got struct {
		RequestID          string `json:"request_id"`
		InvokedFunctionArn string `json:"invoked_function_arn"`
		DeadlineMs         int64  `json:"deadline_ms"`
		ClientContext      struct {
			Client struct {
				AppTitle string `json:"app_title"`
			}
			Custom map[string]string `json:"custom"`
			Env    map[string]string `json:"env"`
		} `json:"client_context"`
		Identity struct {
			CognitoIdentityID     string
			CognitoIdentityPoolID string
		} `json:"identity"`
		TenantID      string `json:"tenant_id"`
		TraceID       string `json:"trace_id"`
		EnvTraceID    string `json:"env_trace_id"`
		FunctionName  string `json:"function_name"`
		Version       string `json:"function_version"`
		MemoryLimitMB int    `json:"memory_limit_mb"`
		LogGroupName  string `json:"log_group_name"`
	}
	if err := json.Unmarshal(a.Body, &got); err != nil {
		t.Fatalf("answer %s %s: %v", a.Kind, a.Body, err)
	}
	const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
	for _, c := range []struct {
		field     string
		got, want any
	}{
		{"request_id", got.RequestID != "", true},
		{"invoked_function_arn", got.InvokedFunctionArn, "arn:aws:lambda:us-east-1:123456789012:function:test"},
		{"deadline_ms", got.DeadlineMs > 0, true},
		{"client_context.Client.app_title", got.ClientContext.Client.AppTitle, "app"},
		{"client_context.custom.k", got.ClientContext.Custom["k"], "v"},
		{"client_context.env.e", got.ClientContext.Env["e"], "f"},
		{"identity", got.Identity.CognitoIdentityID + "/" + got.Identity.CognitoIdentityPoolID, "id/pool"},
		{"tenant_id", got.TenantID, "tenant-1"},
		{"trace_id", got.TraceID, trace},
		{"env_trace_id", got.EnvTraceID, trace},
		{"function_name", got.FunctionName, "context"},
		{"function_version", got.Version, "$LATEST"},
		{"memory_limit_mb", got.MemoryLimitMB, 128},
		{"log_group_name", got.LogGroupName, "/aws/lambda/context"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
		}
	}
}
