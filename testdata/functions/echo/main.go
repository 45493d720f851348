// Command echo is a test function that returns its event unchanged.
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
