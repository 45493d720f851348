// Command amqpload is the AMQP-RPC load generator of bench/amqp.sh, and
// the null responder that gives the broker's ceiling.
//
// Load (the default): -requesters N clients, each on a connection of its
// own, publish a request to the default exchange with the queue's name as
// routing key — mandatory, with publisher confirms, reply_to the direct
// reply-to pseudo-queue amq.rabbitmq.reply-to, a correlation id — and wait
// for both the broker's confirm and the reply before the next, for
// -duration after a -warmup whose requests are not counted. It prints one
// line:
//
//	requesters=8 requests=51234 seconds=10.00 rps=5123.4 p50_ms=1.41 p99_ms=4.02 errors=0 cpu_ms=2345
//
// where cpu_ms is the user and system CPU time the load generator itself
// spent, the warm-up included. Before it starts it waits until the queue
// has a consumer.
//
// -ping connects to the broker and exits: 0 if it answers.
//
// Responder (-responder): declares the queue as lambda-harness's compat
// kind does (non-durable, auto-delete) and answers every request at once
// with its own body, the way the harness does minus the function: manual
// ack, prefetch -prefetch, the reply published with a confirm, and the
// delivery acked once the reply is confirmed. It stops on SIGTERM or SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "amqpload:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("amqpload", flag.ContinueOnError)
	url := fs.String("url", "amqp://guest:guest@127.0.0.1:5672/", "broker `URL`")
	queue := fs.String("queue", "", "the function's `QUEUE` (its name); required")
	responder := fs.Bool("responder", false, "answer the queue's requests instead of sending them")
	prefetch := fs.Int("prefetch", 8, "responder: deliveries in flight, `N`")
	requesters := fs.Int("requesters", 1, "load: concurrent requesters, `N`")
	duration := fs.Duration("duration", 10*time.Second, "load: how long to measure")
	warmup := fs.Duration("warmup", 2*time.Second, "load: how long to send before measuring")
	payload := fs.String("payload", `{"hello":"world"}`, "load: the request body")
	confirm := fs.Bool("confirm", true, "publish with publisher confirms (requests, and the responder's replies)")
	ping := fs.Bool("ping", false, "connect to the broker and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ping {
		conn, err := amqp091.Dial(*url)
		if err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		return conn.Close()
	}
	if *queue == "" {
		return fmt.Errorf("-queue is required")
	}
	if *responder {
		return respond(ctx, *url, *queue, *prefetch, *confirm)
	}
	if *requesters < 1 {
		return fmt.Errorf("-requesters %d: want at least 1", *requesters)
	}
	if err := waitConsumer(ctx, *url, *queue, 30*time.Second); err != nil {
		return err
	}
	res, err := load(ctx, loadConfig{
		url: *url, queue: *queue, requesters: *requesters, duration: *duration, warmup: *warmup,
		payload: []byte(*payload), confirm: *confirm,
	})
	if err != nil {
		return err
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	fmt.Printf("%s cpu_ms=%d\n", res, cpu.Milliseconds())
	return nil
}
