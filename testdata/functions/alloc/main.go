// Command alloc is a test function that uses memory, to measure.
//
// Event: {"mb": N}. It allocates N MiB, writes to every page so that the
// memory is resident, keeps it until the process exits and returns
// {"allocated_mb": N}.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	MB int `json:"mb"`
}

type result struct {
	AllocatedMB int `json:"allocated_mb"`
}

// held keeps the allocations alive between invocations.
var held [][]byte

func handle(_ context.Context, e event) (result, error) {
	b := make([]byte, e.MB<<20)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	held = append(held, b)
	return result{AllocatedMB: e.MB}, nil
}

func main() { lambda.Start(handle) }
