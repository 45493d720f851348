// Command print is a test function that writes log lines.
//
// Event: {"lines": N, "long": M}. It writes "stdout line i" to stdout and
// "stderr line i" to stderr for i in 1..N, then, if M > 0, one stdout line
// of M 'x' characters, and returns {"printed": N}.
package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Lines int `json:"lines"`
	Long  int `json:"long"`
}

type result struct {
	Printed int `json:"printed"`
}

func handle(_ context.Context, e event) (result, error) {
	for i := 1; i <= e.Lines; i++ {
		fmt.Fprintf(os.Stdout, "stdout line %d\n", i)
		fmt.Fprintf(os.Stderr, "stderr line %d\n", i)
	}
	if e.Long > 0 {
		w := bufio.NewWriter(os.Stdout)
		w.Write(bytes.Repeat([]byte{'x'}, e.Long))
		w.WriteByte('\n')
		if err := w.Flush(); err != nil {
			return result{}, err
		}
	}
	return result{Printed: e.Lines}, nil
}

func main() { lambda.Start(handle) }
