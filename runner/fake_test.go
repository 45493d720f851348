package runner

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fakeLauncher starts fake runtimes: goroutines that speak the Runtime API
// over real HTTP as a Runtime Interface Client would, with behaviour chosen
// per test. It stands in for a runtime process in these unit tests of the
// pool and the Runtime API; real runtimes (aws-lambda-go, bash) run in the
// process launcher's and the end-to-end tests.
type fakeLauncher struct {
	// behave answers one invocation; nil echoes the event.
	behave func(rt *fakeRuntime, inv fakeInvocation) fakeAction
	// init runs before the first /next; it may report an init error or exit.
	init func(rt *fakeRuntime) fakeAction
	// launchErr makes Launch fail.
	launchErr error

	launches atomic.Int32
	mu       sync.Mutex // protects runtimes
	runtimes []*fakeRuntime
}

// fakeInvocation is what the fake runtime got from /next.
type fakeInvocation struct {
	id     string
	header http.Header
	body   []byte
}

// fakeAction is what the fake runtime does with an invocation.
type fakeAction struct {
	respond   []byte // POST /response with this body
	errType   string // POST /error with this type and body errBody
	errBody   []byte //
	exit      string // exit with this reason instead of answering
	exitAfter string // exit with this reason after answering
	// stream, when set, is the body of a streamed /response: the chunks
	// are sent one by one, each after its gate (if any) is closed.
	stream   []fakeChunk
	hang     bool              // never answer (until killed)
	header   map[string]string // extra headers on the POST
	trailer  map[string]string // trailers (streamed response)
	chunked  bool              // send the body chunked
	path     string            // post to this path instead (misuse tests)
	then     *fakeAction       // a second post after the first (misuse tests)
	initFail []byte            // (init only) POST /init/error with this body
}

type fakeRuntime struct {
	n      int
	spec   Spec
	api    string
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	reason atomic.Value // string

	mu       sync.Mutex // protects statuses
	statuses []int      // HTTP statuses of the runtime's posts
}

func (f *fakeLauncher) Launch(_ context.Context, spec Spec) (Process, error) {
	if f.launchErr != nil {
		return nil, f.launchErr
	}
	ctx, cancel := context.WithCancel(context.Background())
	rt := &fakeRuntime{spec: spec, api: "http://" + spec.RuntimeAPI + "/2018-06-01", ctx: ctx, cancel: cancel, done: make(chan struct{})}
	f.mu.Lock()
	rt.n = len(f.runtimes)
	f.runtimes = append(f.runtimes, rt)
	f.mu.Unlock()
	f.launches.Add(1)
	go func() {
		defer close(rt.done)
		rt.reason.Store(rt.loop(f))
	}()
	return rt, nil
}

func (f *fakeLauncher) runtime(i int) *fakeRuntime {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runtimes[i]
}

func (rt *fakeRuntime) loop(f *fakeLauncher) string {
	if f.init != nil {
		a := f.init(rt)
		if a.initFail != nil {
			rt.post("/runtime/init/error", a.initFail, map[string]string{"Lambda-Runtime-Function-Error-Type": "Runtime.Init"}, nil, false)
		}
		if a.exit != "" {
			return a.exit
		}
	}
	for {
		req, _ := http.NewRequestWithContext(rt.ctx, "GET", rt.api+"/runtime/invocation/next", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "signal: killed"
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		inv := fakeInvocation{id: resp.Header.Get("Lambda-Runtime-Aws-Request-Id"), header: resp.Header, body: body}
		a := fakeAction{respond: body}
		if f.behave != nil {
			a = f.behave(rt, inv)
		}
		if a.exit != "" {
			return a.exit
		}
		if a.hang {
			<-rt.ctx.Done()
			return "signal: killed"
		}
		if a.stream != nil {
			rt.postStream("/runtime/invocation/"+inv.id+"/response", a.stream, a.trailer)
			continue
		}
		for p := &a; p != nil; p = p.then {
			path := p.path
			b := p.respond
			hdr := p.header
			if path == "" && p.errType != "" {
				path = "/runtime/invocation/" + inv.id + "/error"
				b = p.errBody
				hdr = map[string]string{"Lambda-Runtime-Function-Error-Type": p.errType}
			} else if path == "" {
				path = "/runtime/invocation/" + inv.id + "/response"
			}
			rt.post(path, b, hdr, p.trailer, p.chunked)
		}
		if a.exitAfter != "" {
			return a.exitAfter
		}
	}
}

func (rt *fakeRuntime) post(path string, body []byte, header, trailer map[string]string, chunked bool) {
	var r io.Reader = bytes.NewReader(body)
	if chunked {
		r = io.MultiReader(bytes.NewReader(body)) // hides the length: sent chunked
	}
	rt.send(path, r, header, trailer)
}

// send posts body to the Runtime API and records the answer's status (0
// when there was none).
func (rt *fakeRuntime) send(path string, body io.Reader, header, trailer map[string]string) {
	req, _ := http.NewRequestWithContext(rt.ctx, "POST", rt.api+path, body)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if len(trailer) > 0 {
		req.Trailer = http.Header{}
		for k, v := range trailer {
			req.Trailer.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	status := 0
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		status = resp.StatusCode
	}
	rt.mu.Lock()
	rt.statuses = append(rt.statuses, status)
	rt.mu.Unlock()
}

func (rt *fakeRuntime) posted() []int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]int(nil), rt.statuses...)
}

// print writes a line of output as the runtime's stdout.
func (rt *fakeRuntime) print(s string) { rt.spec.Output(Stdout, []byte(s)) }

func (rt *fakeRuntime) env(key string) string {
	for _, kv := range rt.spec.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

func (rt *fakeRuntime) Done() <-chan struct{} { return rt.done }

func (rt *fakeRuntime) ExitReason() string {
	select {
	case <-rt.done:
		s, _ := rt.reason.Load().(string)
		return s
	default:
		return ""
	}
}

func (rt *fakeRuntime) Kill()                  { rt.cancel() }
func (rt *fakeRuntime) MaxMemoryBytes() uint64 { return 20 << 20 }

var errFakeLaunch = errors.New("fork/exec /var/task/bootstrap: no such file or directory")

// waitFor polls cond until it holds or a deadline passes; for state that
// has no event to wait on (a process gone, a counter reached).
func waitFor(cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// fakeChunk is one piece of a streamed response.
type fakeChunk struct {
	data []byte
	gate chan struct{} // closed when the chunk may be sent; nil: at once
}

// postStream posts a response in streaming mode, chunk by chunk.
func (rt *fakeRuntime) postStream(path string, chunks []fakeChunk, trailer map[string]string) {
	pr, pw := io.Pipe()
	go func() {
		for _, c := range chunks {
			if c.gate != nil {
				select {
				case <-c.gate:
				case <-rt.ctx.Done():
					pw.CloseWithError(rt.ctx.Err())
					return
				}
			}
			if _, err := pw.Write(c.data); err != nil {
				return
			}
		}
		pw.Close()
	}()
	rt.send(path, pr, map[string]string{"Lambda-Runtime-Function-Response-Mode": "streaming"}, trailer)
}
