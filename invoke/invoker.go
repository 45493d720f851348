package invoke

import "context"

// Invoker runs one invocation of a function.
//
// Invoke blocks until the invocation has a result: for RequestResponse until
// the function answered (or failed, or timed out); for Event until the event
// was accepted for later delivery; for DryRun until the request was
// validated. Cancelling ctx abandons the wait: a RequestResponse invocation
// already handed to a runtime still runs to completion (Lambda does not
// cancel a running handler), but its result is dropped.
//
// A function failure is a result, not an error: it is reported in
// Response.FunctionError with AWS's error object as the payload. A non-nil
// error means the harness could not run the function at all (not found,
// throttled, too large, shutting down); its Kind tells which (see KindOf).
//
// Implementations are safe for concurrent use.
type Invoker interface {
	Invoke(ctx context.Context, req *Request) (*Response, error)
}

// InvokerFunc adapts a function to the Invoker interface.
type InvokerFunc func(ctx context.Context, req *Request) (*Response, error)

// Invoke calls f(ctx, req).
func (f InvokerFunc) Invoke(ctx context.Context, req *Request) (*Response, error) {
	return f(ctx, req)
}

// Catalog lists the functions an Invoker can run, for the read-only control
// plane (ListFunctions, GetFunction) and for resolving the generic name
// "function". Implementations are safe for concurrent use.
type Catalog interface {
	// Functions returns the configured functions, sorted by name.
	Functions() []Function
	// Function returns the function with this name (a bare name, already
	// resolved from an ARN or the generic name), or false.
	Function(name string) (Function, bool)
}
