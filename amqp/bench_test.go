package amqp

import (
	"context"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testutil"
	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/invoke/invoketest"
)

// BenchmarkRoundTrip measures AMQP-RPC through the broker: Client → queue →
// Consumer → an echo fake invoker → confirmed reply → Client, with
// publisher confirms on both sides, for 1 and 8 concurrent requesters.
//
//	go test ./amqp -run '^$' -bench RoundTrip -benchtime 3s
func BenchmarkRoundTrip(b *testing.B) {
	url := testURL(b)
	for _, requesters := range []int{1, 8} {
		for _, kind := range []QueueKind{QueueCompat, QueueDurable} {
			b.Run("requesters="+strconv.Itoa(requesters)+"/"+string(kind), func(b *testing.B) {
				fn := uniqueName(b, url, "bench")
				runConsumer(b, ConsumerConfig{URL: url, QueueKind: kind, Functions: []invoke.Function{{Name: fn, Concurrency: 16}}},
					&invoketest.Invoker{})
				testutil.WaitConsumers(b, url, fn, 1)
				client := newTestClient(b, ClientConfig{URL: url})
				payload := []byte(`{"hello":"world"}`)
				// Warm up: connections and channels open.
				if _, err := client.Invoke(context.Background(), &invoke.Request{FunctionName: fn, Payload: payload}); err != nil {
					b.Fatal(err)
				}
				lat := make([][]time.Duration, requesters)
				var wg sync.WaitGroup
				b.ResetTimer()
				start := time.Now()
				for r := range requesters {
					n := b.N / requesters
					if r < b.N%requesters {
						n++
					}
					wg.Go(func() {
						for range n {
							t := time.Now()
							if _, err := client.Invoke(context.Background(), &invoke.Request{FunctionName: fn, Payload: payload}); err != nil {
								b.Error(err)
								return
							}
							lat[r] = append(lat[r], time.Since(t))
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				var all []time.Duration
				for _, l := range lat {
					all = append(all, l...)
				}
				sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
				b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
				if len(all) > 0 {
					b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50-µs")
					b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99-µs")
				}
			})
		}
	}
}
