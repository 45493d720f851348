package amqp

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// handle serves one delivery: decode, answer a redelivery from the
// remembered results, else invoke, reply (confirmed) and ack. Nothing here
// panics or leaves a delivery unsettled on an open channel: a malformed
// message is answered with an error (or dead-lettered) and acked, so it is
// never redelivered in a loop.
//
// ctx ends at shutdown; invCtx ends ShutdownGrace later and bounds every
// step that may still complete an answer.
func (q *queue) handle(ctx, invCtx context.Context, ch *amqp091.Channel, d *amqp091.Delivery) {
	log := q.log.With("request_id", d.CorrelationId)
	if ctx.Err() != nil {
		d.Nack(false, true) // shutting down: not started, give it back
		return
	}
	req, err := decodeRequest(q.fn.Name, d)
	if err != nil {
		log.Warn("malformed message", "redelivered", d.Redelivered, "reply_to", d.ReplyTo != "", "error", err)
		if d.ReplyTo != "" {
			q.answer(invCtx, log, ch, d, errorReply(err))
			return
		}
		q.deadLetter(invCtx, log, ch, d, "malformed: "+invoke.MessageOf(err), 0, nil)
		return
	}
	if d.CorrelationId == "" {
		log = q.log.With("request_id", req.RequestID)
	}
	e, owner := q.results.claim(req.RequestID, d.Redelivered)
	if !owner {
		select {
		case <-e.done:
		case <-invCtx.Done():
			d.Nack(false, true)
			return
		}
		if e.ok && (e.reply != nil || d.ReplyTo == "") {
			log.Info("redelivered request already processed: answering it again, not running it again")
			if d.ReplyTo == "" {
				ack(log, d)
			} else {
				q.answer(invCtx, log, ch, d, *e.reply)
			}
			return
		}
		e, _ = q.results.claim(req.RequestID, false)
	}
	if req.Type == invoke.Event {
		q.event(ctx, invCtx, log, ch, d, req, e)
		return
	}
	resp, err := invokeOnce(invCtx, q.c.inv, req)
	if err != nil && requeueable(ctx, invCtx, err) {
		q.results.abandon(e)
		d.Nack(false, true)
		log.Info("invocation stopped by shutdown; requeued", "error", err)
		return
	}
	var rep reply
	if err != nil {
		rep = errorReply(err)
		level := slog.LevelDebug
		if errorFor(invoke.KindOf(err)).status >= 500 {
			level = slog.LevelError
		}
		log.Log(invCtx, level, "invocation failed", "kind", invoke.KindOf(err).String(), "error", err)
	} else {
		rep = responseReply(req, resp)
	}
	q.results.finish(e, &rep)
	q.answer(invCtx, log, ch, d, rep)
}

// invokeOnce calls inv, turning an answer with neither a response nor an
// error into an internal error.
func invokeOnce(ctx context.Context, inv invoke.Invoker, req *invoke.Request) (*invoke.Response, error) {
	resp, err := inv.Invoke(ctx, req)
	if err == nil && resp == nil {
		err = errors.New("invoker returned neither a response nor an error")
	}
	return resp, err
}

// requeueable reports whether an invocation error comes from this worker
// stopping (the grace period ran out, or the runner is shutting down) rather
// than from the function: such a request is requeued for another worker.
func requeueable(ctx, invCtx context.Context, err error) bool {
	return invCtx.Err() != nil || (ctx.Err() != nil && invoke.KindOf(err) == invoke.Unavailable)
}

// event runs an Event invocation: retried up to EventRetries more times with
// backoff on a function error or a transient harness error (as Lambda retries
// asynchronous invocations), then acked on success or dead-lettered.
//
// It calls the Invoker with RequestResponse, not Event: the runner's Event
// queue is in memory, and acking a message whose invocation only sits in
// memory would lose it in a crash. The delivery itself is the queue.
func (q *queue) event(ctx, invCtx context.Context, log *slog.Logger, ch *amqp091.Channel, d *amqp091.Delivery, req *invoke.Request, e *result) {
	cfg := q.c.cfg
	run := *req
	run.Type = invoke.RequestResponse
	for attempt := 1; ; attempt++ {
		resp, err := invokeOnce(invCtx, q.c.inv, &run)
		if err != nil && requeueable(ctx, invCtx, err) {
			q.results.abandon(e)
			d.Nack(false, true)
			log.Info("event stopped by shutdown; requeued", "attempt", attempt, "error", err)
			return
		}
		if err == nil && resp.FunctionError == "" {
			q.results.finish(e, nil)
			ack(log, d)
			return
		}
		reason, failure := eventFailure(resp, err)
		if !retryable(err) || attempt > cfg.EventRetries {
			q.deadLetter(invCtx, log, ch, d, reason, attempt, failure)
			if invCtx.Err() == nil {
				q.results.finish(e, nil)
			} else {
				q.results.abandon(e)
			}
			return
		}
		wait := cfg.EventRetryDelay << (attempt - 1)
		log.Info("event invocation failed; retrying", "attempt", attempt, "retry_in", wait, "reason", reason)
		if !sleep(ctx, wait) {
			q.results.abandon(e)
			d.Nack(false, true)
			return
		}
	}
}

// eventFailure describes why an Event attempt failed, and the error object
// to keep with its dead letter.
func eventFailure(resp *invoke.Response, err error) (reason string, failure []byte) {
	if err != nil {
		return invoke.KindOf(err).String() + ": " + invoke.MessageOf(err), nil
	}
	return "function error: " + resp.ErrorType, resp.Payload
}

// retryable reports whether an Event attempt may succeed if tried again: a
// function error, or a harness error that passes (throttled, unavailable,
// runtime not ready, internal). A request the harness refuses (not found,
// too large, invalid) fails the same way every time.
func retryable(err error) bool {
	switch invoke.KindOf(err) {
	case invoke.Throttled, invoke.Unavailable, invoke.NotReady, invoke.Internal:
		return true
	}
	return err == nil
}

// answer publishes rep to the delivery's reply_to and acks the delivery once
// the broker confirmed the reply. If the reply cannot be confirmed the
// delivery is requeued (its redelivery is answered from the remembered
// result) or, when the channel is gone, left to the broker to requeue.
func (q *queue) answer(ctx context.Context, log *slog.Logger, ch *amqp091.Channel, d *amqp091.Delivery, rep reply) {
	id := d.CorrelationId
	if publishConfirmed(ctx, ch, "", d.ReplyTo, rep.publishing(id)) {
		ack(log, d)
		return
	}
	log.Warn("reply not confirmed by the broker; the request will be redelivered")
	if !ch.IsClosed() && ctx.Err() == nil {
		d.Nack(false, true)
	}
}

// deadLetter settles a delivery that cannot be answered. With dead-lettering
// on, the message goes to the function's dead-letter queue, persistent and
// confirmed, with why and after how many attempts in its headers, and only
// then is it acked. With it off (the compat kind's default) the loss is
// logged loudly and the delivery acked, so it never loops.
func (q *queue) deadLetter(ctx context.Context, log *slog.Logger, ch *amqp091.Channel, d *amqp091.Delivery, reason string, attempts int, failure []byte) {
	if !*q.c.cfg.DeadLetter {
		log.Error("message dropped: it cannot be processed and dead-lettering is off",
			"reason", reason, "attempts", attempts, "payload_bytes", len(d.Body))
		ack(log, d)
		return
	}
	headers := amqp091.Table{}
	maps.Copy(headers, d.Headers)
	headers[headerDeadLetterReason] = reason
	headers[headerAttempts] = int32(attempts)
	if len(failure) > 0 && len(failure) <= 4096 {
		headers[headerFunctionError] = string(failure)
	}
	msg := amqp091.Publishing{
		Headers:       headers,
		ContentType:   d.ContentType,
		CorrelationId: d.CorrelationId,
		MessageId:     d.MessageId,
		DeliveryMode:  amqp091.Persistent,
		Timestamp:     time.Now(),
		Body:          d.Body,
	}
	if headers.Validate() != nil {
		// A header the broker sent but amqp091 cannot send back: keep ours.
		msg.Headers = amqp091.Table{headerDeadLetterReason: reason, headerAttempts: int32(attempts)}
	}
	if !publishConfirmed(ctx, ch, "", q.dlq, msg) {
		log.Warn("dead letter not confirmed by the broker; the message will be redelivered", "reason", reason)
		if !ch.IsClosed() && ctx.Err() == nil {
			d.Nack(false, true)
		}
		return
	}
	log.Warn("message dead-lettered", "dead_letter_queue", q.dlq, "reason", reason, "attempts", attempts)
	ack(log, d)
}

// publishConfirmed publishes msg and waits for the broker's confirm. It
// reports false on a nack, a closed channel or ctx's end.
func publishConfirmed(ctx context.Context, ch *amqp091.Channel, exchange, key string, msg amqp091.Publishing) bool {
	dc, err := ch.PublishWithDeferredConfirm(exchange, key, false, false, msg)
	if err != nil || dc == nil {
		return false
	}
	ok, err := dc.WaitContext(ctx)
	return err == nil && ok
}

func ack(log *slog.Logger, d *amqp091.Delivery) {
	if err := d.Ack(false); err != nil {
		// The channel is gone: the broker redelivers, and the redelivery
		// is answered from the remembered result.
		log.Debug("ack failed", "error", err)
	}
}
