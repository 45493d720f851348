package main

import (
	"context"
	"fmt"
	"os"
	"sync"

	amqp091 "github.com/rabbitmq/amqp091-go"
)

// respond is the null responder: it answers every request of queue with
// its body, as the harness does minus the function (see the package doc),
// until ctx is done.
func respond(ctx context.Context, url, queue string, prefetch int, confirm bool) error {
	conn, err := amqp091.Dial(url)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	// The compat kind's declaration, as lambda-runtime-api-daemon's.
	if _, err := ch.QueueDeclare(queue, false, true, false, false, nil); err != nil {
		return fmt.Errorf("declare %s: %w", queue, err)
	}
	if err := ch.Qos(prefetch, 0, false); err != nil {
		return err
	}
	if confirm {
		if err := ch.Confirm(false); err != nil {
			return err
		}
	}
	deliveries, err := ch.Consume(queue, "", false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("consume %s: %w", queue, err)
	}
	fmt.Fprintln(os.Stderr, "responding on", queue)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return nil
		case d, ok := <-deliveries:
			if !ok {
				return fmt.Errorf("the broker closed the channel")
			}
			// Each reply waits for its own confirm, so deliveries are
			// answered concurrently, up to the prefetch.
			wg.Go(func() { answer(ctx, ch, d, confirm) })
		}
	}
}

// answer replies to d with its body and acks it once the reply is
// confirmed.
func answer(ctx context.Context, ch *amqp091.Channel, d amqp091.Delivery, confirm bool) {
	reply := amqp091.Publishing{ContentType: d.ContentType, CorrelationId: d.CorrelationId, Body: d.Body}
	if !confirm {
		if ch.PublishWithContext(ctx, "", d.ReplyTo, false, false, reply) == nil {
			d.Ack(false)
		}
		return
	}
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, "", d.ReplyTo, false, false, reply)
	if err != nil {
		return
	}
	select {
	case <-dc.Done():
		if dc.Acked() {
			d.Ack(false)
		} else {
			d.Nack(false, true)
		}
	case <-ctx.Done():
	}
}
