// Command env is a test function that returns its whole environment as a
// JSON object of strings. It ignores its event.
package main

import (
	"context"
	"encoding/json"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(context.Context, json.RawMessage) (map[string]string, error) {
	env := make(map[string]string)
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env, nil
}

func main() { lambda.Start(handle) }
