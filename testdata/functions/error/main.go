// Command error is a test function whose every invocation fails.
//
// Event: {"type": "MyError", "message": "boom"}, both optional. With a type,
// the error is reported with that errorType; without one it is a plain Go
// error, which aws-lambda-go reports as errorType "errorString". The message
// defaults to "boom".
package main

import (
	"context"
	"errors"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
)

type event struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

func handle(_ context.Context, e event) (struct{}, error) {
	if e.Message == "" {
		e.Message = "boom"
	}
	if e.Type == "" {
		return struct{}{}, errors.New(e.Message)
	}
	return struct{}{}, messages.InvokeResponse_Error{Type: e.Type, Message: e.Message}
}

func main() { lambda.Start(handle) }
