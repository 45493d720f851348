package runnertest

import (
	"crypto/rand"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// The Runtime API routes and headers the fake serves
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
const (
	pathNext       = "GET /2018-06-01/runtime/invocation/next"
	pathResponse   = "POST /2018-06-01/runtime/invocation/{id}/response"
	pathError      = "POST /2018-06-01/runtime/invocation/{id}/error"
	pathInitError  = "POST /2018-06-01/runtime/init/error"
	headerID       = "Lambda-Runtime-Aws-Request-Id"
	headerDeadline = "Lambda-Runtime-Deadline-Ms"
	headerARN      = "Lambda-Runtime-Invoked-Function-Arn"
	headerMode     = "Lambda-Runtime-Function-Response-Mode"
)

// Invocation is the one invocation a FakeRuntimeAPI hands out.
type Invocation struct {
	// RequestID defaults to a random id.
	RequestID string
	// Event defaults to {}.
	Event []byte
	// Deadline defaults to a minute from the start of the fake.
	Deadline time.Time
	// FunctionARN defaults to an ARN of a function named "test".
	FunctionARN string
	// Header holds further /next headers (Lambda-Runtime-Trace-Id,
	// Lambda-Runtime-Client-Context, ...).
	Header http.Header
}

// Answer is what a runtime posted.
type Answer struct {
	// Kind is "response", "error" or "init/error".
	Kind      string
	RequestID string
	Header    http.Header
	Trailer   http.Header
	Body      []byte
}

// FakeConfig says where a FakeRuntimeAPI listens.
type FakeConfig struct {
	// ListenAddr defaults to 127.0.0.1:0. A container launcher needs an
	// address its containers reach, such as the bridge's gateway.
	ListenAddr string
	// Host, if set, replaces the listener's host in Addr (for example
	// host.docker.internal).
	Host string
}

// FakeRuntimeAPI is a fake of the runner's side of the Runtime API for one
// execution environment: it answers the first GET /next with its
// Invocation, records the runtime's answer, and holds every later /next
// until it is closed, as the runner does with an idle instance. It checks
// little: it is no stand-in for the runner's own Runtime API.
type FakeRuntimeAPI struct {
	srv  *httptest.Server
	addr string
	inv  Invocation

	nextOnce  sync.Once
	closeOnce sync.Once
	next      chan struct{} // closed at the first /next
	answers   chan Answer   // the first answer
	quit      chan struct{} // closed by Close, releases held /next calls

	// mu protects answered.
	mu       sync.Mutex
	answered bool
}

// NewFakeRuntimeAPI starts a fake that hands out inv; the test's cleanup
// closes it.
func NewFakeRuntimeAPI(t testing.TB, cfg FakeConfig, inv Invocation) *FakeRuntimeAPI {
	t.Helper()
	if inv.RequestID == "" {
		inv.RequestID = rand.Text()
	}
	if inv.Event == nil {
		inv.Event = []byte("{}")
	}
	if inv.Deadline.IsZero() {
		inv.Deadline = time.Now().Add(time.Minute)
	}
	if inv.FunctionARN == "" {
		inv.FunctionARN = "arn:aws:lambda:us-east-1:123456789012:function:test"
	}
	listenAddr := cfg.ListenAddr
	if listenAddr == "" {
		listenAddr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		t.Fatalf("fake Runtime API: %v", err)
	}
	f := &FakeRuntimeAPI{
		inv:     inv,
		next:    make(chan struct{}),
		answers: make(chan Answer, 1),
		quit:    make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc(pathNext, f.handleNext)
	mux.HandleFunc(pathResponse, f.handleAnswer("response"))
	mux.HandleFunc(pathError, f.handleAnswer("error"))
	mux.HandleFunc(pathInitError, f.handleAnswer("init/error"))
	f.srv = httptest.NewUnstartedServer(mux)
	f.srv.Listener.Close()
	f.srv.Listener = ln
	f.srv.Start()
	f.addr = ln.Addr().String()
	if cfg.Host != "" {
		_, port, _ := net.SplitHostPort(f.addr)
		f.addr = net.JoinHostPort(cfg.Host, port)
	}
	t.Cleanup(f.Close)
	return f
}

// Addr is the host:port the runtime reaches the fake at
// (AWS_LAMBDA_RUNTIME_API).
func (f *FakeRuntimeAPI) Addr() string { return f.addr }

// Close stops the fake, releasing the runtime's held /next with an error.
func (f *FakeRuntimeAPI) Close() {
	f.closeOnce.Do(func() {
		close(f.quit)
		f.srv.CloseClientConnections()
		f.srv.Close()
	})
}

// Env returns the Lambda environment for fn reaching this fake, a fake of
// the one the runner builds (lambda-api.md §2), with fn.Env last.
func (f *FakeRuntimeAPI) Env(fn invoke.Function) []string {
	fn = fn.WithDefaults()
	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + f.addr,
		"_HANDLER=" + fn.Handler,
		"AWS_LAMBDA_FUNCTION_NAME=" + fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(fn.MemoryMB),
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + fn.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=$LATEST/fake",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"TZ=:UTC",
	}
	if fn.WorkingDir != "" {
		env = append(env, "LAMBDA_TASK_ROOT="+fn.WorkingDir)
	}
	for _, k := range slices.Sorted(maps.Keys(fn.Env)) {
		env = append(env, k+"="+fn.Env[k])
	}
	return env
}

// Spec returns a launch spec for fn against this fake, its output going to
// out (which may be nil).
func (f *FakeRuntimeAPI) Spec(fn invoke.Function, out *Output) runner.Spec {
	spec := runner.Spec{
		Function:   fn,
		InstanceID: "fake-" + rand.Text()[:8],
		RuntimeAPI: f.addr,
		Env:        f.Env(fn),
	}
	if out != nil {
		spec.Output = out.Write
	}
	return spec
}

// WaitNext waits for the runtime's first GET /next, failing the test after
// timeout.
func (f *FakeRuntimeAPI) WaitNext(t testing.TB, timeout time.Duration) {
	t.Helper()
	select {
	case <-f.next:
	case <-time.After(timeout):
		t.Fatalf("fake Runtime API: no /next after %s", timeout)
	}
}

// WaitAnswer waits for the runtime's answer to the invocation, failing the
// test after timeout.
func (f *FakeRuntimeAPI) WaitAnswer(t testing.TB, timeout time.Duration) Answer {
	t.Helper()
	select {
	case a := <-f.answers:
		f.answers <- a // keep it for a later call
		return a
	case <-time.After(timeout):
		t.Fatalf("fake Runtime API: no answer after %s", timeout)
		return Answer{}
	}
}

func (f *FakeRuntimeAPI) handleNext(w http.ResponseWriter, r *http.Request) {
	first := false
	f.nextOnce.Do(func() { first = true })
	if !first {
		// An idle instance: hold the call until the end.
		select {
		case <-f.quit:
		case <-r.Context().Done():
		}
		http.Error(w, `{"errorMessage":"fake closed","errorType":"Fake.Closed"}`, http.StatusGone)
		return
	}
	h := w.Header()
	for k, v := range f.inv.Header {
		h[k] = v
	}
	h.Set(headerID, f.inv.RequestID)
	h.Set(headerDeadline, strconv.FormatInt(f.inv.Deadline.UnixMilli(), 10))
	h.Set(headerARN, f.inv.FunctionARN)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(f.inv.Event)
	close(f.next)
}

func (f *FakeRuntimeAPI) handleAnswer(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body) // the trailer is there only after the body
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		id := r.PathValue("id")
		if kind != "init/error" && id != f.inv.RequestID {
			writeError(w, http.StatusBadRequest, "InvalidRequestID", "unknown request id "+id)
			return
		}
		f.mu.Lock()
		already := f.answered
		f.answered = true
		f.mu.Unlock()
		if already {
			writeError(w, http.StatusForbidden, "InvalidStateTransition", "already answered")
			return
		}
		f.answers <- Answer{Kind: kind, RequestID: id, Header: r.Header.Clone(), Trailer: r.Trailer.Clone(), Body: body}
		if mode := r.Header.Get(headerMode); kind == "response" && mode != "" && mode != "streaming" {
			writeError(w, http.StatusBadRequest, "InvalidFunctionResponseMode", "response mode "+mode)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"status":"OK"}`)
	}
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errorMessage":%q,"errorType":%q}`, msg, typ)
}
