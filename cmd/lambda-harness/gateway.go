package main

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// localFunctions are the functions that run here: the runner.
type localFunctions interface {
	invoke.Invoker
	invoke.Catalog
}

// gateway is the invoke.Invoker and invoke.Catalog of serve --gateway: the
// functions served here run here, and any other function runs wherever a
// worker harness consumes its queue, through remote (an amqp.Client).
//
// The Invoke API resolves a name through the Catalog before it invokes, so
// the gateway's Catalog accepts every valid name: it cannot know which
// functions the workers serve. A name nobody serves comes back from the
// broker unroutable (basic.return), and the Client answers it as AWS's 404
// ResourceNotFoundException. ListFunctions lists what the gateway knows:
// the local functions and those the functions file declares remote.
//
// It is safe for concurrent use: every field is set once, by newGateway.
type gateway struct {
	local    localFunctions
	remote   invoke.Invoker
	declared []invoke.Function // remote functions of the file, sorted by name
	// timeout is the timeout shown for a remote function the file does
	// not declare (the Client waits as long, plus a margin).
	timeout time.Duration
}

var (
	_ invoke.Invoker = (*gateway)(nil)
	_ invoke.Catalog = (*gateway)(nil)
)

// remoteDescription describes, in GetFunction and ListFunctions, a remote
// function that has no description of its own.
const remoteDescription = "runs on the worker harnesses consuming its queue"

// newGateway returns the gateway of local and remote; declared are the
// remote functions the gateway knows of, timeout that of the others. Names
// must not repeat (parseServe checks it).
func newGateway(local localFunctions, remote invoke.Invoker, declared []invoke.Function, timeout time.Duration) *gateway {
	g := &gateway{local: local, remote: remote, timeout: timeout}
	for _, fn := range declared {
		if fn.Description == "" {
			fn.Description = remoteDescription
		}
		g.declared = append(g.declared, fn)
	}
	slices.SortFunc(g.declared, byName)
	return g
}

func byName(a, b invoke.Function) int { return strings.Compare(a.Name, b.Name) }

// Functions returns the local functions and the declared remote ones,
// sorted by name.
func (g *gateway) Functions() []invoke.Function {
	fns := append(slices.Clone(g.local.Functions()), g.declared...)
	slices.SortFunc(fns, byName)
	return fns
}

// Function returns the function name: a local one, a declared remote one,
// or, for any other valid name, a remote function the gateway knows
// nothing of but its name. The generic name "function" is the only
// function known, when there is exactly one (as aws-lambda-rie's name
// resolves elsewhere); else a remote function of that name.
func (g *gateway) Function(name string) (invoke.Function, bool) {
	if fn, ok := g.local.Function(name); ok {
		return fn, true
	}
	if i, ok := slices.BinarySearchFunc(g.declared, name, func(f invoke.Function, name string) int {
		return strings.Compare(f.Name, name)
	}); ok {
		return g.declared[i], true
	}
	if name == invoke.GenericName {
		if fns := g.Functions(); len(fns) == 1 {
			return fns[0], true
		}
	}
	if !invoke.ValidName(name) {
		return invoke.Function{}, false
	}
	return invoke.Function{Name: name, Timeout: g.timeout, Description: remoteDescription}, true
}

// Invoke runs req here if its function is local, else through the broker.
func (g *gateway) Invoke(ctx context.Context, req *invoke.Request) (*invoke.Response, error) {
	if _, ok := g.local.Function(req.FunctionName); ok {
		return g.local.Invoke(ctx, req)
	}
	return g.remote.Invoke(ctx, req)
}
