// Command large is a test function that returns a large response, to
// exceed the Runtime API's 6,291,556-byte limit.
//
// Event: {"bytes": N}. The response body is exactly N bytes (N ≥ 2): a JSON
// string of N-2 'x' characters.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Bytes int `json:"bytes"`
}

func handle(_ context.Context, e event) (json.RawMessage, error) {
	if e.Bytes < 2 {
		return nil, fmt.Errorf("bytes %d: want at least 2", e.Bytes)
	}
	body := bytes.Repeat([]byte{'x'}, e.Bytes)
	body[0], body[len(body)-1] = '"', '"'
	return body, nil
}

func main() { lambda.Start(handle) }
