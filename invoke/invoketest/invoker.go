package invoketest

import (
	"context"
	"slices"
	"sync"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Invoker is a fake invoke.Invoker. It records every request it is given
// and answers from its configuration, in this order of precedence: Func if
// set, else Err if set, else a copy of Response if set, else an echo of the
// request's payload.
//
// Set the configuration fields before the first Invoke; after that, Invoker
// is safe for concurrent use.
type Invoker struct {
	// Func, if set, computes every answer.
	Func func(ctx context.Context, req *invoke.Request) (*invoke.Response, error)
	// Err, if set, is returned by every Invoke.
	Err error
	// Response, if set, is copied into every answer, with RequestID set to
	// the request's when Response.RequestID is empty.
	Response *invoke.Response

	// mu protects requests.
	mu       sync.Mutex
	requests []invoke.Request
}

var _ invoke.Invoker = (*Invoker)(nil)

// Invoke records a copy of req and answers as configured.
func (f *Invoker) Invoke(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	rec := *req
	rec.Payload = slices.Clone(req.Payload)
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	f.mu.Unlock()

	switch {
	case f.Func != nil:
		return f.Func(ctx, req)
	case f.Err != nil:
		return nil, f.Err
	case f.Response != nil:
		resp := *f.Response
		if resp.RequestID == "" {
			resp.RequestID = req.RequestID
		}
		return &resp, nil
	default:
		return Echo(req), nil
	}
}

// Requests returns copies of the requests received so far, oldest first.
func (f *Invoker) Requests() []invoke.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// Last returns a copy of the most recent request, or false if there was
// none.
func (f *Invoker) Last() (invoke.Request, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		return invoke.Request{}, false
	}
	return f.requests[len(f.requests)-1], true
}

// Echo returns the Response of a function that returns its event unchanged:
// the request's payload (nothing for Event and DryRun), its request id, and
// version $LATEST.
func Echo(req *invoke.Request) *invoke.Response {
	resp := &invoke.Response{RequestID: req.RequestID, ExecutedVersion: invoke.LatestVersion}
	if req.InvocationType() == invoke.RequestResponse {
		resp.Payload = req.Payload
	}
	return resp
}
