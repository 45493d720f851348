// Command reader is a test function built with aws-lambda-go whose handler
// returns an io.Reader: aws-lambda-go posts such a response as it is read,
// chunked, and reports a read error in the error trailers — Lambda's
// response streaming as the Go runtime does it.
//
// Event: {"chunks": ["a", "b", ...], "gate": "/path", "fail": bool}. It
// sends the first chunk at once, then, if gate is set, waits until that
// file exists (at most 30 s) before sending the rest, so a test can prove
// the first chunk arrived before the function ended. With fail, the reader
// fails after the last chunk.
package main

import (
	"context"
	"errors"
	"io"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Chunks []string `json:"chunks"`
	Gate   string   `json:"gate"`
	Fail   bool     `json:"fail"`
}

func handler(_ context.Context, e event) (io.Reader, error) {
	pr, pw := io.Pipe()
	go func() {
		for i, c := range e.Chunks {
			if i == 1 && e.Gate != "" {
				waitFor(e.Gate)
			}
			if _, err := pw.Write([]byte(c)); err != nil {
				return
			}
		}
		if e.Fail {
			pw.CloseWithError(errors.New("the reader failed mid-stream"))
			return
		}
		pw.Close()
	}()
	return pr, nil
}

func waitFor(path string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func main() { lambda.Start(handler) }
