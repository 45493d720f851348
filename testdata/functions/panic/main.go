// Command panic is a test function that panics in every invocation.
// aws-lambda-go reports the panic to /error (with a stack trace) and then
// exits the process with status 1.
//
// Event: {"message": "boom"}, optional.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Message string `json:"message"`
}

func handle(_ context.Context, e event) (struct{}, error) {
	if e.Message == "" {
		e.Message = "boom"
	}
	panic(e.Message)
}

func main() { lambda.Start(handle) }
