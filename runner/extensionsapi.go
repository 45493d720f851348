package runner

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Extensions API paths and headers, served on every instance's Runtime API
// listener.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-extensions-api.html
const (
	pathExtRegister  = "/2020-01-01/extension/register"
	pathExtNext      = "/2020-01-01/extension/event/next"
	pathExtInitError = "/2020-01-01/extension/init/error"
	pathExtExitError = "/2020-01-01/extension/exit/error"

	hdrExtName      = "Lambda-Extension-Name"
	hdrExtID        = "Lambda-Extension-Identifier"
	hdrExtEventID   = "Lambda-Extension-Event-Identifier"
	hdrExtErrorType = "Lambda-Extension-Function-Error-Type"
)

// extensionRoutes adds the Extensions API to an instance's router.
func (in *instance) extensionRoutes(r chi.Router) {
	// An extension registers during init, naming the events it wants.
	r.Post(pathExtRegister, in.handleExtRegister)
	// An extension waits here for its next event (long poll); calling it
	// again also says the previous event is processed.
	r.Get(pathExtNext, in.handleExtNext)
	// An extension reports that its init failed: the environment's init
	// fails.
	r.Post(pathExtInitError, in.handleExtInitError)
	// An extension reports an error before it exits.
	r.Post(pathExtExitError, in.handleExtExitError)
	// A registered extension subscribes to the Telemetry API.
	r.Put(pathTelemetry, in.handleTelemetrySubscribe)
}

func (in *instance) handleExtRegister(w http.ResponseWriter, r *http.Request) {
	name := r.Header.Get(hdrExtName)
	if name == "" {
		writeRuntimeError(w, http.StatusForbidden, "Extension.InvalidExtensionName",
			"Missing "+hdrExtName+" header")
		return
	}
	var body struct {
		Events []string `json:"events"`
	}
	if b, err := readBody(r, 1<<20); err != nil || (len(b) > 0 && json.Unmarshal(b, &body) != nil) {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequest", "Invalid register body")
		return
	}
	for _, ev := range body.Events {
		if ev != eventInvoke && ev != eventShutdown {
			writeRuntimeError(w, http.StatusBadRequest, "Extension.InvalidEventType", "Invalid event type: "+ev)
			return
		}
	}
	x := in.exts.register(name, body.Events)
	if x == nil {
		writeRuntimeError(w, http.StatusForbidden, "Extension.RegistrationClosed",
			"Registration is closed: the function's init is over")
		return
	}
	in.log.Debug("extension registered", "extension", name, "external", x.external, "events", body.Events)
	fn := in.pool.fn
	w.Header().Set(hdrExtID, x.id)
	writeJSON(w, http.StatusOK, map[string]string{
		"functionName":    fn.Name,
		"functionVersion": invoke.LatestVersion,
		"handler":         fn.Handler,
	})
}

// extension returns the extension the request names, or writes the 403
// and returns nil.
func (in *instance) extension(w http.ResponseWriter, r *http.Request) *extension {
	id := r.Header.Get(hdrExtID)
	if id == "" {
		writeRuntimeError(w, http.StatusForbidden, "Extension.MissingExtensionIdentifier",
			"Missing "+hdrExtID+" header")
		return nil
	}
	x := in.exts.get(id)
	if x == nil {
		writeRuntimeError(w, http.StatusForbidden, "Extension.UnknownExtensionIdentifier",
			"Unknown extension "+id)
		return nil
	}
	return x
}

func (in *instance) handleExtNext(w http.ResponseWriter, r *http.Request) {
	x := in.extension(w, r)
	if x == nil {
		return
	}
	if in.exts.next(x) {
		in.initDone()
	}
	for {
		if ev, ok := in.exts.pop(x); ok {
			w.Header().Set(hdrExtEventID, invoke.NewRequestID())
			writeJSON(w, http.StatusOK, ev.body)
			return
		}
		select {
		case <-x.wake:
		case <-r.Context().Done():
			return
		}
	}
}

func (in *instance) handleExtInitError(w http.ResponseWriter, r *http.Request) {
	x := in.extension(w, r)
	if x == nil {
		return
	}
	body, _ := readBody(r, invoke.MaxResponsePayload)
	et := r.Header.Get(hdrExtErrorType)
	if et == "" {
		et = "Extension.Unknown"
	}
	in.log.Warn("extension init failed", "extension", x.name, "error_type", et)
	if !in.failInit(errorResponse("", et, body)) {
		writeRuntimeError(w, http.StatusForbidden, "InvalidStateTransition",
			"Init error reported after initialisation")
		return
	}
	writeAccepted(w)
}

func (in *instance) handleExtExitError(w http.ResponseWriter, r *http.Request) {
	x := in.extension(w, r)
	if x == nil {
		return
	}
	body, _ := readBody(r, 64<<10)
	in.log.Warn("extension exits with an error", "extension", x.name,
		"error_type", r.Header.Get(hdrExtErrorType), "body", string(body))
	writeAccepted(w)
}

// sendInvoke hands an INVOKE event to the INVOKE-subscribed extensions as
// the runtime gets inv. The invocation is complete when they have all
// called event/next again (inv.exts).
func (in *instance) sendInvoke(inv *invocation) {
	inv.exts = in.exts.broadcast(eventInvoke, invokeEvent{
		EventType:          eventInvoke,
		DeadlineMs:         inv.deadline.UnixMilli(),
		RequestID:          inv.req.RequestID,
		InvokedFunctionArn: inv.arn,
		Tracing:            tracing{Type: "X-Amzn-Trace-Id", Value: inv.req.TraceID},
	})
}

// awaitExtensions waits until the extensions that got inv's INVOKE event
// are done with it, or inv's deadline. It reports whether they finished.
func (in *instance) awaitExtensions(inv *invocation) bool {
	if inv.exts == nil {
		return true
	}
	t := time.NewTimer(time.Until(inv.deadline))
	defer t.Stop()
	select {
	case <-inv.exts.done:
		return true
	case <-in.dead:
		return false
	case <-t.C:
		return false
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
