package e2e

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// newLambdaClient returns aws-sdk-go-v2's Lambda client for the harness
// at url: static credentials (the harness does not check signatures) and
// no retries, so that a throttle surfaces as the error it is.
func newLambdaClient(url string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAE2EEXAMPLE", "e2e-secret", ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   httpClient,
	})
}

func TestSDK(t *testing.T) {
	t.Parallel()
	h := startServe(t, functionFlags(
		spec(t, "echo", "echo"),
		spec(t, "print", "print"),
		spec(t, "context", "context"),
		spec(t, "error", "error"),
		// One instance, no wait queue: a second call while one runs is
		// throttled.
		spec(t, "throttled", "sleep", "concurrency=1", "queue=-1", "timeout=30s"),
	)...)
	client := newLambdaClient(h.URL)
	for _, c := range []struct {
		name string
		test func(*testing.T, *harness, *lambda.Client)
	}{
		{"RequestResponse", testSDKRequestResponse},
		{"Event", testSDKEvent},
		{"DryRun", testSDKDryRun},
		{"Tail", testSDKTail},
		{"ClientContext", testSDKClientContext},
		{"FunctionError", testSDKFunctionError},
		{"typed errors", testSDKErrors},
		{"throttled", testSDKThrottled},
		{"control plane", testSDKControlPlane},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.test(t, h, client)
		})
	}
}

func sdkInvoke(t *testing.T, client *lambda.Client, in *lambda.InvokeInput) *lambda.InvokeOutput {
	t.Helper()
	out, err := client.Invoke(context.Background(), in)
	if err != nil {
		t.Fatalf("Invoke %s: %v", aws.ToString(in.FunctionName), err)
	}
	return out
}

func testSDKRequestResponse(t *testing.T, _ *harness, client *lambda.Client) {
	// The SDK percent-encodes the ARN's colons.
	for _, name := range []string{"echo", "arn:aws:lambda:us-east-1:123456789012:function:echo", "echo:$LATEST"} {
		out := sdkInvoke(t, client, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"key":"value"}`)})
		if out.StatusCode != 200 || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" {
			t.Errorf("%s: status %d, function error %v, version %q", name, out.StatusCode,
				aws.ToString(out.FunctionError), aws.ToString(out.ExecutedVersion))
		}
		if !jsonEqual(out.Payload, []byte(`{"key":"value"}`)) {
			t.Errorf("%s: payload %s, want the event", name, out.Payload)
		}
	}
}

// testSDKEvent: 202, and the function runs: its output appears in the
// function log under the request id the SDK got.
func testSDKEvent(t *testing.T, h *harness, client *lambda.Client) {
	out := sdkInvoke(t, client, &lambda.InvokeInput{
		FunctionName:   aws.String("print"),
		InvocationType: types.InvocationTypeEvent,
		Payload:        []byte(`{"lines": 1}`),
	})
	if out.StatusCode != 202 || len(out.Payload) != 0 {
		t.Fatalf("status %d, payload %q, want 202 and none", out.StatusCode, out.Payload)
	}
	id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	if !ok || id == "" {
		t.Fatal("no request id")
	}
	h.Stdout.mustWaitLine(t, "output of the Event invocation "+id, logWait,
		contains("[print "+id+"] stdout line 1"))
}

func testSDKDryRun(t *testing.T, _ *harness, client *lambda.Client) {
	out := sdkInvoke(t, client, &lambda.InvokeInput{
		FunctionName:   aws.String("echo"),
		InvocationType: types.InvocationTypeDryRun,
	})
	if out.StatusCode != 204 {
		t.Errorf("status %d, want 204", out.StatusCode)
	}
}

func testSDKTail(t *testing.T, _ *harness, client *lambda.Client) {
	out := sdkInvoke(t, client, &lambda.InvokeInput{
		FunctionName: aws.String("echo"),
		LogType:      types.LogTypeTail,
		Payload:      []byte(`{}`),
	})
	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	log, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatalf("LogResult %q: %v", aws.ToString(out.LogResult), err)
	}
	for _, want := range []string{"START RequestId: " + id, "END RequestId: " + id, "REPORT RequestId: " + id} {
		if !strings.Contains(string(log), want) {
			t.Errorf("LogResult without %q:\n%s", want, log)
		}
	}
}

func testSDKClientContext(t *testing.T, _ *harness, client *lambda.Client) {
	out := sdkInvoke(t, client, &lambda.InvokeInput{
		FunctionName:  aws.String("context"),
		Payload:       []byte(`{}`),
		ClientContext: aws.String(base64.StdEncoding.EncodeToString([]byte(clientContextJSON))),
	})
	if out.FunctionError != nil {
		t.Fatalf("function error %s: %s", aws.ToString(out.FunctionError), out.Payload)
	}
	var got contextResult
	decodeJSON(t, out.Payload, &got)
	checkClientContext(t, got.ClientContext)
	if id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); got.RequestID != id {
		t.Errorf("request id %q in the function, %q in the SDK's metadata", got.RequestID, id)
	}
}

func testSDKFunctionError(t *testing.T, _ *harness, client *lambda.Client) {
	out := sdkInvoke(t, client, &lambda.InvokeInput{
		FunctionName: aws.String("error"),
		Payload:      []byte(`{"type": "MyError", "message": "kaboom"}`),
	})
	if aws.ToString(out.FunctionError) != "Unhandled" || out.StatusCode != 200 {
		t.Errorf("status %d, FunctionError %q, want 200 and Unhandled", out.StatusCode, aws.ToString(out.FunctionError))
	}
	var e functionErrorBody
	decodeJSON(t, out.Payload, &e)
	if e.ErrorType != "MyError" || e.ErrorMessage != "kaboom" {
		t.Errorf("payload %s, want errorType MyError and errorMessage kaboom", out.Payload)
	}
}

// testSDKErrors: service errors surface as the SDK's typed errors (or, for
// AWS's unmodelled 413 code, as an APIError with that code).
func testSDKErrors(t *testing.T, _ *harness, client *lambda.Client) {
	for _, c := range []struct {
		name, function string
		payload        []byte
		check          func(error) bool
	}{
		{"ResourceNotFoundException", "nope", []byte(`{}`), func(err error) bool {
			var e *types.ResourceNotFoundException
			return errors.As(err, &e)
		}},
		{"InvalidRequestContentException", "echo", []byte(`{"key": `), func(err error) bool {
			var e *types.InvalidRequestContentException
			return errors.As(err, &e)
		}},
		{"RequestEntityTooLargeException", "echo", []byte(`"` + strings.Repeat("x", 6_291_456) + `"`), func(err error) bool {
			var e smithy.APIError
			return errors.As(err, &e) && e.ErrorCode() == "RequestEntityTooLargeException"
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := client.Invoke(context.Background(), &lambda.InvokeInput{
				FunctionName: aws.String(c.function),
				Payload:      c.payload,
			})
			if err == nil || !c.check(err) {
				t.Errorf("Invoke %s: error %v (%T), want %s", c.function, err, errors.Unwrap(err), c.name)
			}
		})
	}
}

// testSDKThrottled: with the one instance busy and no wait queue, a call
// gets *types.TooManyRequestsException with a Retry-After.
func testSDKThrottled(t *testing.T, h *harness, client *lambda.Client) {
	busy := make(chan error, 1)
	go func() {
		_, err := client.Invoke(context.Background(), &lambda.InvokeInput{
			FunctionName: aws.String("throttled"),
			Payload:      []byte(`{"ms": 2000}`),
		})
		busy <- err
	}()
	h.Stdout.mustWaitLine(t, "the first call running", logWait, contains("sleeping 2000 ms"))

	_, err := client.Invoke(context.Background(), &lambda.InvokeInput{
		FunctionName: aws.String("throttled"),
		Payload:      []byte(`{"ms": 1}`),
	})
	var tooMany *types.TooManyRequestsException
	if !errors.As(err, &tooMany) {
		t.Errorf("second call while the first runs: %v, want *types.TooManyRequestsException", err)
	} else if aws.ToString(tooMany.RetryAfterSeconds) == "" {
		t.Errorf("TooManyRequestsException without Retry-After: %+v", tooMany)
	}
	if err := <-busy; err != nil {
		t.Errorf("first call: %v", err)
	}
}

func testSDKControlPlane(t *testing.T, h *harness, client *lambda.Client) {
	ctx := context.Background()
	list, err := client.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil {
		t.Fatalf("ListFunctions: %v", err)
	}
	found := make(map[string]bool)
	for _, f := range list.Functions {
		found[aws.ToString(f.FunctionName)] = true
	}
	for _, name := range []string{"echo", "print", "context", "error", "throttled"} {
		if !found[name] {
			t.Errorf("ListFunctions: no %s in %v", name, found)
		}
	}
	fn, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("echo")})
	if err != nil {
		t.Fatalf("GetFunction: %v", err)
	}
	if c := fn.Configuration; c == nil || aws.ToString(c.FunctionName) != "echo" || c.State != types.StateActive ||
		!strings.HasSuffix(aws.ToString(c.FunctionArn), ":function:echo") {
		t.Errorf("GetFunction echo: %+v", fn.Configuration)
	}
	_, err = client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nope")})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("GetFunction nope: %v, want *types.ResourceNotFoundException", err)
	}
}
