package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
	"github.com/lambda-harness/lambda-harness/server"
)

// newClient serves the Invoke API over inv and a catalog of one function,
// my-fn, on a local listener and returns a real Lambda client for it, with
// retries off so that errors surface at once.
func newClient(t *testing.T, inv invoke.Invoker) *lambda.Client {
	t.Helper()
	s, err := server.New(server.Config{Invoker: inv, Catalog: invoketest.Names("my-fn")})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ts.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		Retryer: aws.NopRetryer{},
	})
}

func TestSDKInvoke(t *testing.T) {
	ctx := context.Background()
	fake := &invoketest.Invoker{Func: func(_ context.Context, req *invoke.Request) (*invoke.Response, error) {
		resp := invoketest.Echo(req)
		if req.Tail {
			resp.LogTail = []byte("START RequestId: " + req.RequestID + " Version: $LATEST\n")
		}
		if string(req.Payload) == `"fail"` {
			resp = invoke.FunctionFailure(req.RequestID, "Exception", "it failed")
		}
		return resp, nil
	}}
	client := newClient(t, fake)
	arn := "arn:aws:lambda:us-east-1:123456789012:function:my-fn"

	tests := []struct {
		name  string
		in    lambda.InvokeInput
		check func(t *testing.T, out *lambda.InvokeOutput, req invoke.Request)
	}{
		{"request response", lambda.InvokeInput{FunctionName: aws.String("my-fn"), Payload: []byte(`{"a":1}`)},
			func(t *testing.T, out *lambda.InvokeOutput, req invoke.Request) {
				if out.StatusCode != 200 || string(out.Payload) != `{"a":1}` || aws.ToString(out.ExecutedVersion) != "$LATEST" {
					t.Errorf("out = %d %s %s", out.StatusCode, out.Payload, aws.ToString(out.ExecutedVersion))
				}
			}},
		{"event", lambda.InvokeInput{FunctionName: aws.String("my-fn"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{}`)},
			func(t *testing.T, out *lambda.InvokeOutput, req invoke.Request) {
				if out.StatusCode != 202 || len(out.Payload) != 0 || req.Type != invoke.Event {
					t.Errorf("out = %d %q, request type %s", out.StatusCode, out.Payload, req.Type)
				}
			}},
		{"dry run", lambda.InvokeInput{FunctionName: aws.String("my-fn"), InvocationType: types.InvocationTypeDryRun},
			func(t *testing.T, out *lambda.InvokeOutput, req invoke.Request) {
				if out.StatusCode != 204 || req.Type != invoke.DryRun {
					t.Errorf("out = %d, request type %s", out.StatusCode, req.Type)
				}
			}},
		{"ARN and qualifier", lambda.InvokeInput{FunctionName: aws.String(arn + ":prod"), Qualifier: aws.String("prod")},
			func(t *testing.T, out *lambda.InvokeOutput, req invoke.Request) {
				if req.FunctionName != "my-fn" || req.Qualifier != "prod" {
					t.Errorf("request names %q %q", req.FunctionName, req.Qualifier)
				}
			}},
		{"generic name", lambda.InvokeInput{FunctionName: aws.String("function")},
			func(t *testing.T, out *lambda.InvokeOutput, req invoke.Request) {
				if out.StatusCode != 200 || req.FunctionName != "my-fn" {
					t.Errorf("out = %d, request for %q", out.StatusCode, req.FunctionName)
				}
			}},
		{"tail", lambda.InvokeInput{FunctionName: aws.String("my-fn"), LogType: types.LogTypeTail},
			func(t *testing.T, out *lambda.InvokeOutput, req invoke.Request) {
				log, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
				if err != nil || !strings.Contains(string(log), "START RequestId: "+req.RequestID) {
					t.Errorf("LogResult = %q (%v)", log, err)
				}
			}},
		{"client context", lambda.InvokeInput{FunctionName: aws.String("my-fn"),
			ClientContext: aws.String(base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`)))},
			func(t *testing.T, out *lambda.InvokeOutput, req invoke.Request) {
				if req.ClientContext != `{"custom":{"k":"v"}}` {
					t.Errorf("ClientContext = %q", req.ClientContext)
				}
			}},
		{"function error", lambda.InvokeInput{FunctionName: aws.String("my-fn"), Payload: []byte(`"fail"`)},
			func(t *testing.T, out *lambda.InvokeOutput, req invoke.Request) {
				if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" ||
					!bytes.Contains(out.Payload, []byte(`"errorMessage":"it failed"`)) {
					t.Errorf("out = %d %q %s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := client.Invoke(ctx, &tt.in)
			if err != nil {
				t.Fatal(err)
			}
			req, ok := fake.Last()
			if !ok {
				t.Fatal("invoker not called")
			}
			if id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata); id != req.RequestID {
				t.Errorf("SDK request id = %q; want %q, the function's", id, req.RequestID)
			}
			tt.check(t, out, req)
		})
	}
}

func TestSDKInvokeAsync(t *testing.T) {
	fake := &invoketest.Invoker{}
	client := newClient(t, fake)
	out, err := client.InvokeAsync(context.Background(), &lambda.InvokeAsyncInput{
		FunctionName: aws.String("my-fn"), InvokeArgs: strings.NewReader(`{"x":1}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := fake.Last()
	if out.Status != 202 || req.Type != invoke.Event || string(req.Payload) != `{"x":1}` {
		t.Errorf("Status %d, request %+v", out.Status, req)
	}
}

func TestSDKControlPlane(t *testing.T) {
	ctx := context.Background()
	client := newClient(t, &invoketest.Invoker{})
	list, err := client.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Functions) != 1 || aws.ToString(list.Functions[0].FunctionName) != "my-fn" || list.NextMarker != nil {
		t.Errorf("ListFunctions = %+v", list)
	}
	got, err := client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:my-fn")})
	if err != nil {
		t.Fatal(err)
	}
	c := got.Configuration
	if aws.ToString(c.FunctionArn) != "arn:aws:lambda:us-east-1:123456789012:function:my-fn" ||
		c.State != types.StateActive || c.PackageType != types.PackageTypeZip || aws.ToInt32(c.Timeout) != 3 {
		t.Errorf("GetFunction configuration = %+v", c)
	}
	conf, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("my-fn")})
	if err != nil || aws.ToInt32(conf.MemorySize) != 128 {
		t.Errorf("GetFunctionConfiguration = %+v, %v", conf, err)
	}
	_, err = client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("GetFunction(nope) error = %v; want ResourceNotFoundException", err)
	}
}

func TestSDKErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		invokerErr error
		in         lambda.InvokeInput
		wantStatus int
		check      func(t *testing.T, err error)
	}{
		{name: "not found", in: lambda.InvokeInput{FunctionName: aws.String("nope")}, wantStatus: 404,
			check: func(t *testing.T, err error) {
				var e *types.ResourceNotFoundException
				if !errors.As(err, &e) || aws.ToString(e.Message) != "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope" || aws.ToString(e.Type) != "User" {
					t.Errorf("error = %#v", err)
				}
			}},
		{name: "throttled", invokerErr: invoke.Errorf(invoke.Throttled, "Rate Exceeded."), wantStatus: 429,
			check: func(t *testing.T, err error) {
				var e *types.TooManyRequestsException
				if !errors.As(err, &e) || e.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded ||
					aws.ToString(e.RetryAfterSeconds) != "1" || aws.ToString(e.Message) != "Rate Exceeded." {
					t.Errorf("error = %#v", err)
				}
			}},
		{name: "invalid JSON", in: lambda.InvokeInput{Payload: []byte("not json")}, wantStatus: 400,
			check: func(t *testing.T, err error) {
				var e *types.InvalidRequestContentException
				if !errors.As(err, &e) || !strings.HasPrefix(aws.ToString(e.Message), "Could not parse request body into json") {
					t.Errorf("error = %#v", err)
				}
			}},
		{name: "qualifier mismatch", in: lambda.InvokeInput{FunctionName: aws.String("my-fn:a"), Qualifier: aws.String("b")}, wantStatus: 400,
			check: func(t *testing.T, err error) {
				var e *types.InvalidParameterValueException
				if !errors.As(err, &e) {
					t.Errorf("error = %#v", err)
				}
			}},
		// AWS sends the code RequestEntityTooLargeException, which the SDK
		// does not map to types.RequestTooLargeException: callers see a
		// generic API error with that code.
		{name: "too large", in: lambda.InvokeInput{Payload: []byte(`"` + strings.Repeat("a", invoke.MaxSyncPayload) + `"`)}, wantStatus: 413,
			check: func(t *testing.T, err error) {
				var e smithy.APIError
				if !errors.As(err, &e) || e.ErrorCode() != "RequestEntityTooLargeException" ||
					e.ErrorMessage() != "Request must be smaller than 6291456 bytes for the InvokeFunction operation" {
					t.Errorf("error = %#v", err)
				}
			}},
		{name: "service", invokerErr: errors.New("internal detail"), wantStatus: 500,
			check: func(t *testing.T, err error) {
				var e *types.ServiceException
				if !errors.As(err, &e) || strings.Contains(err.Error(), "internal detail") {
					t.Errorf("error = %#v", err)
				}
			}},
		{name: "not ready", invokerErr: invoke.Errorf(invoke.NotReady, "no runtime"), wantStatus: 502,
			check: func(t *testing.T, err error) {
				var e *types.ResourceNotReadyException
				if !errors.As(err, &e) {
					t.Errorf("error = %#v", err)
				}
			}},
		{name: "unsupported media", invokerErr: invoke.Errorf(invoke.UnsupportedMedia, "no"), wantStatus: 415,
			check: func(t *testing.T, err error) {
				var e *types.UnsupportedMediaTypeException
				if !errors.As(err, &e) {
					t.Errorf("error = %#v", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := newClient(t, &invoketest.Invoker{Err: tt.invokerErr})
			in := tt.in
			if in.FunctionName == nil {
				in.FunctionName = aws.String("my-fn")
			}
			_, err := client.Invoke(ctx, &in)
			if err == nil {
				t.Fatal("Invoke succeeded; want an error")
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != tt.wantStatus || re.ServiceRequestID() == "" {
				t.Errorf("error = %v; want HTTP %d with a request id", err, tt.wantStatus)
			}
			tt.check(t, err)
		})
	}
}
