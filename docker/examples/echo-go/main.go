// Command echo-go is the function of the echo-go example image: it returns
// its event unchanged. It is an ordinary aws-lambda-go program; built with
// CGO_ENABLED=0 it is a static binary that runs FROM scratch, where Lambda
// (or lambda-harness) starts it with AWS_LAMBDA_RUNTIME_API set. See
// Dockerfile.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, event json.RawMessage) (json.RawMessage, error) {
	return event, nil
}

func main() { lambda.Start(handle) }
