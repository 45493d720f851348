// Package amqp is lambda-harness's AMQP-RPC front door and gateway over
// RabbitMQ (reference: lambda-api.md §4), wire-compatible with the clients
// of lambda-runtime-api-daemon (RAPID):
//
//   - Consumer takes invocations from one queue per function (named after the
//     function, on the default exchange) and calls an invoke.Invoker — the
//     runner — for each; the reply goes to the message's reply_to with the
//     same correlation_id (the request id). A message without reply_to is an
//     Event invocation.
//   - Client is an invoke.Invoker that publishes invocations to those queues
//     and waits for the replies (direct reply-to): a gateway serves the
//     Invoke API for functions that run on other machines.
//
// # Wire format
//
// Request: body = the event (JSON); properties content_type
// application/json, correlation_id, reply_to; optional headers
// X-Amz-Client-Context (base64 of a JSON object), X-Amzn-Trace-Id,
// X-Amz-Tenant-Id and X-Amz-Log-Type (Tail), as strings or bytes. Reply:
// same correlation_id; body = the function's result, or AWS's error object
// with header X-Amz-Function-Error: Unhandled when the function failed
// (RAPID sends the body only); X-Amz-Log-Result (base64) when Tail was asked;
// X-Amz-Executed-Version. When the harness could not run the function at all
// (not found, throttled, invalid request...), the reply carries
// x-amzn-ErrorType with AWS's error code, Lambda-Harness-Status with the HTTP
// status the Invoke API would answer, and AWS's service error body
// ({"Type":"User","Message":"…"}): the same table as the HTTP front door.
//
// # Delivery semantics: at-least-once
//
// RAPID acks without publisher confirms and never nacks, on non-durable
// queues: a broker restart or a crashed worker loses requests (at-most-once).
// Here a delivery is acked only after its reply was confirmed by the broker
// (publisher confirms on the reply channel), prefetch is the function's
// concurrency, and a worker that stops requeues what it has not answered
// (basic.nack with requeue). So a request may run twice — after a crash, or
// when a worker stops mid-invocation — never zero times once the broker
// accepted it. A redelivered message (redelivered=true) whose request id this
// worker already processed is answered from a bounded memory of results
// (ConsumerConfig.ReplyCacheSize, LRU) instead of running again; a message
// that cannot be decoded (bad base64, a header of the wrong type, invalid
// JSON) is answered with an error, or dead-lettered when there is no
// reply_to, and acked: it never loops.
//
// Event invocations (no reply_to) run synchronously in the consumer — the
// message stays unacked meanwhile, so the broker, not the worker's memory,
// holds it — and are retried twice with backoff on a function error or a
// transient harness error, as Lambda retries asynchronous invocations. Then
// they are acked, or dead-lettered: published (persistent, confirmed) to
// "<name>.dlq" with the reason in Lambda-Harness-Dead-Letter-Reason, and only
// then acked. With dead-lettering off — the compat kind's default — the loss
// is logged at error level and the message acked.
//
// # Queue kinds
//
// QueueCompat, the default, declares queues exactly as RAPID does
// (non-durable, auto-delete, no arguments), so a harness can replace or join
// RAPID workers on an existing broker: declaring the same queue with other
// arguments fails with PRECONDITION_FAILED. Such a queue, and its messages,
// disappear with its last consumer or a broker restart; a gateway's publish
// to a function nobody serves is then unroutable, a fast 404.
//
// QueueDurable declares quorum queues (x-queue-type: quorum, durable,
// replicated on a cluster) with a dead-letter queue; the Client publishes
// Events persistent. An Event confirmed to the caller (202) then survives a
// broker restart and a worker crash. A request to a function whose workers
// are all down waits in its queue instead of failing fast; a RequestResponse
// request expires (per-message TTL) when its caller stops waiting.
//
// # Connections
//
// The broker URL takes RAPID's query options connection_attempts,
// retry_delay and heartbeat (pika's URLParameters), and credentials may be
// given apart from it (AMQP_USERNAME / AMQP_PASSWORD). URLs are never logged
// with their credentials (RedactURL). amqp091-go does not reconnect by
// itself: each Consumer and Client owns one connection that is redialled with
// backoff after it drops, and every queue and channel is declared and
// consumed again on the new connection.
//
// # Broker consumer timeout
//
// RabbitMQ closes a channel whose delivery stays unacked longer than its
// consumer_timeout (30 minutes by default), and redelivers the message. A
// RequestResponse delivery is held for at most the function's timeout (15
// minutes at most on Lambda); an Event delivery for up to three attempts and
// their backoff, so Events of functions with timeouts above about 9 minutes
// need a larger consumer_timeout (rabbitmq.conf) or fewer EventRetries.
package amqp
