// Command exit is a test function that exits in the middle of an
// invocation, without answering it: a crashed runtime.
//
// Event: {"code": N}, optional, the exit status (default 3). It prints
// "exiting with status N" to stderr first.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Code *int `json:"code"`
}

func handle(_ context.Context, e event) (struct{}, error) {
	code := 3
	if e.Code != nil {
		code = *e.Code
	}
	fmt.Fprintf(os.Stderr, "exiting with status %d\n", code)
	os.Exit(code)
	return struct{}{}, nil
}

func main() { lambda.Start(handle) }
