// Command sleep is a test function that takes its time, ignoring its
// deadline, the way a stuck handler does.
//
// Event: {"ms": N, "ignore_sigterm": bool}. It prints "sleeping N ms" to
// stdout, sleeps N milliseconds and returns {"slept": N}. With
// ignore_sigterm it first ignores SIGTERM, so that only SIGKILL stops it.
package main

import (
	"context"
	"fmt"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

type event struct {
	Ms            int  `json:"ms"`
	IgnoreSigterm bool `json:"ignore_sigterm"`
}

type result struct {
	Slept int `json:"slept"`
}

func handle(_ context.Context, e event) (result, error) {
	if e.IgnoreSigterm {
		signal.Ignore(syscall.SIGTERM)
	}
	fmt.Printf("sleeping %d ms\n", e.Ms)
	time.Sleep(time.Duration(e.Ms) * time.Millisecond)
	return result{Slept: e.Ms}, nil
}

func main() { lambda.Start(handle) }
