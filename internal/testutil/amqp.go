package testutil

import (
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"
)

// WaitConsumers waits, at most 30 s, until queue on the broker at url has
// n consumers, so that a message published next is not dropped for want of
// a consumer (or a queue).
func WaitConsumers(t testing.TB, url, queue string, n int) {
	t.Helper()
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	deadline := time.Now().Add(30 * time.Second)
	got := -1
	for time.Now().Before(deadline) {
		ch, err := conn.Channel()
		if err != nil {
			t.Fatal(err)
		}
		q, err := ch.QueueDeclarePassive(queue, false, false, false, false, nil)
		if err == nil {
			ch.Close()
			if got = q.Consumers; got == n {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("queue %s has %d consumers after 30s; want %d", queue, got, n)
}
