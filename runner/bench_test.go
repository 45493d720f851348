package runner_test

import (
	"context"
	"os"
	"testing"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
	"github.com/lambda-harness/lambda-harness/runner/process"
)

// BenchmarkInvoke measures the in-process invoke path: a request handed
// to a warm instance, the exchange with a real aws-lambda-go runtime over
// its Runtime API, and the response back, with allocations per invoke.
func BenchmarkInvoke(b *testing.B) {
	for _, clients := range []int{1, 8} {
		b.Run(map[int]string{1: "clients=1", 8: "clients=8"}[clients], func(b *testing.B) {
			echo := testfunctions.Build(b, "echo")
			l, err := process.New(process.Config{HostEnv: os.Environ()})
			if err != nil {
				b.Fatal(err)
			}
			r, err := runner.New(runner.Config{Launcher: l},
				invoke.Function{Name: "echo", Command: []string{echo}, Concurrency: clients})
			if err != nil {
				b.Fatal(err)
			}
			defer r.Shutdown(context.Background())
			if err := r.Warm(context.Background(), "echo", clients); err != nil {
				b.Fatal(err)
			}
			payload := []byte(`{"hello":"world"}`)
			b.ReportAllocs()
			b.SetParallelism((clients + 1) / 2)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := r.Invoke(context.Background(), &invoke.Request{FunctionName: "echo", Payload: payload})
					if err != nil || resp.FunctionError != "" {
						b.Errorf("invoke: %v %s", err, resp.Payload)
						return
					}
				}
			})
		})
	}
}
