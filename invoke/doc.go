// Package invoke is the domain of lambda-harness: what an invocation is
// (Request, Response), what a function is (Function), how names and ARNs are
// parsed, the kinds of error the harness can fail with, and the Invoker
// interface that joins the front doors (HTTP, AMQP) to the back (the runner,
// or a broker that reaches runners elsewhere).
//
// It imports only the standard library; no HTTP router, AMQP or Docker type
// crosses into it.
package invoke
