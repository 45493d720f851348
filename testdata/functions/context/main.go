// Command context is a test function that returns what aws-lambda-go made
// of the invocation's /next headers and of the Lambda environment, to check
// that the Runtime API sends them as AWS does. It ignores its event.
//
// The result's keys: request_id, invoked_function_arn, deadline_ms (epoch
// ms), client_context ({"Client": {...}, "env": {...}, "custom": {...}}),
// identity ({"CognitoIdentityID", "CognitoIdentityPoolID"}), tenant_id,
// trace_id (the "x-amzn-trace-id" context value), env_trace_id
// (_X_AMZN_TRACE_ID), function_name, function_version, memory_limit_mb,
// log_group_name, log_stream_name.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type result struct {
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
	LogStreamName      string                        `json:"log_stream_name"`
}

func handle(ctx context.Context, _ json.RawMessage) (result, error) {
	lc, ok := lambdacontext.FromContext(ctx)
	if !ok {
		return result{}, errors.New("no lambda context")
	}
	r := result{
		RequestID:          lc.AwsRequestID,
		InvokedFunctionArn: lc.InvokedFunctionArn,
		ClientContext:      lc.ClientContext,
		Identity:           lc.Identity,
		TenantID:           lc.TenantID,
		EnvTraceID:         os.Getenv("_X_AMZN_TRACE_ID"),
		FunctionName:       lambdacontext.FunctionName,
		FunctionVersion:    lambdacontext.FunctionVersion,
		MemoryLimitMB:      lambdacontext.MemoryLimitInMB,
		LogGroupName:       lambdacontext.LogGroupName,
		LogStreamName:      lambdacontext.LogStreamName,
	}
	if deadline, ok := ctx.Deadline(); ok {
		r.DeadlineMs = deadline.UnixMilli()
	}
	//nolint:staticcheck // aws-lambda-go stores the trace id under this string key.
	r.TraceID, _ = ctx.Value("x-amzn-trace-id").(string)
	return r, nil
}

func main() { lambda.Start(handle) }
