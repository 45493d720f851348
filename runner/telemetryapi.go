package runner

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Telemetry API path, served on every instance's Runtime API listener.
// https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api.html
const pathTelemetry = "/2022-07-01/telemetry"

// subscribeRequest is the body of PUT /2022-07-01/telemetry.
// https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api-reference.html
type subscribeRequest struct {
	SchemaVersion string   `json:"schemaVersion"`
	Types         []string `json:"types"`
	Buffering     struct {
		MaxItems  int `json:"maxItems"`
		MaxBytes  int `json:"maxBytes"`
		TimeoutMs int `json:"timeoutMs"`
	} `json:"buffering"`
	Destination struct {
		Protocol string `json:"protocol"`
		URI      string `json:"URI"`
	} `json:"destination"`
}

// handleTelemetrySubscribe subscribes an extension to the Telemetry API.
// Only events after the subscription are sent, except the init phase's,
// which a subscription made during init gets too.
func (in *instance) handleTelemetrySubscribe(w http.ResponseWriter, r *http.Request) {
	x := in.extension(w, r)
	if x == nil {
		return
	}
	body, err := readBody(r, 64<<10)
	var req subscribeRequest
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	var s *subscription
	if err == nil {
		s, err = newSubscription(x.name, &req)
	}
	if err != nil {
		writeRuntimeError(w, http.StatusBadRequest, "ValidationError", err.Error())
		return
	}
	if !in.tel.subscribe(s) {
		writeRuntimeError(w, http.StatusForbidden, "InvalidStateTransition",
			"The execution environment is shutting down")
		return
	}
	in.log.Debug("telemetry subscription", "extension", x.name, "types", req.Types, "uri", s.uri)
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("OK"))
}

// newSubscription validates a subscription request and applies Lambda's
// buffering defaults.
func newSubscription(extension string, req *subscribeRequest) (*subscription, error) {
	switch req.SchemaVersion {
	case "2022-12-13", "2022-07-01":
	default:
		return nil, fmt.Errorf("unsupported schemaVersion %q: want 2022-12-13 or 2022-07-01", req.SchemaVersion)
	}
	s := &subscription{extension: extension, types: map[string]bool{}}
	for _, t := range req.Types {
		if t != "platform" && t != "function" && t != "extension" {
			return nil, fmt.Errorf("invalid type %q: want platform, function or extension", t)
		}
		s.types[t] = true
	}
	if len(s.types) == 0 {
		return nil, fmt.Errorf("types: at least one of platform, function, extension is required")
	}
	if p := req.Destination.Protocol; p != "HTTP" {
		return nil, fmt.Errorf("unsupported destination protocol %q: want HTTP", p)
	}
	u, err := url.Parse(req.Destination.URI)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("invalid destination URI %q: want http://sandbox.localdomain:PORT/path", req.Destination.URI)
	}
	s.uri = u.String()
	b := req.Buffering
	if b.MaxItems < 0 || b.MaxBytes < 0 || b.TimeoutMs < 0 || (b.TimeoutMs > 0 && b.TimeoutMs < 25) {
		return nil, fmt.Errorf("invalid buffering %+v: timeoutMs is at least 25, the others positive", b)
	}
	s.maxItems, s.maxBytes, s.timeout = defaultMaxItems, defaultMaxBytes, defaultTimeout
	if b.MaxItems > 0 {
		s.maxItems = b.MaxItems
	}
	if b.MaxBytes > 0 {
		s.maxBytes = b.MaxBytes
	}
	if b.TimeoutMs > 0 {
		s.timeout = max(time.Duration(b.TimeoutMs)*time.Millisecond, minTimeout)
	}
	return s, nil
}

// Platform event records.
// https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html
type (
	initRecord struct {
		InitializationType string       `json:"initializationType"`
		Phase              string       `json:"phase"`
		RuntimeVersion     string       `json:"runtimeVersion,omitempty"`
		Status             string       `json:"status,omitempty"`
		Metrics            *initMetrics `json:"metrics,omitempty"`
	}
	initMetrics struct {
		DurationMs float64 `json:"durationMs"`
	}
	startRecord struct {
		RequestID string `json:"requestId"`
		Version   string `json:"version"`
	}
	runtimeDoneRecord struct {
		RequestID string      `json:"requestId"`
		Status    string      `json:"status"`
		Metrics   initMetrics `json:"metrics"`
	}
	reportRecord struct {
		RequestID string        `json:"requestId"`
		Status    string        `json:"status"`
		Metrics   reportMetrics `json:"metrics"`
	}
	reportMetrics struct {
		DurationMs       float64  `json:"durationMs"`
		BilledDurationMs int64    `json:"billedDurationMs"`
		MemorySizeMB     int      `json:"memorySizeMB"`
		MaxMemoryUsedMB  uint64   `json:"maxMemoryUsedMB"`
		InitDurationMs   *float64 `json:"initDurationMs,omitempty"`
	}
)

// Invocation statuses of platform.runtimeDone and platform.report.
const (
	statusSuccess = "success"
	statusError   = "error"
	statusTimeout = "timeout"
	statusFailure = "failure"
)

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// emitInitDone sends platform.initRuntimeDone and platform.initReport, and
// ends the keeping of init events.
func (in *instance) emitInitDone(status string, d time.Duration) {
	if in.tel.active() {
		in.tel.emit("platform.initRuntimeDone", initRecord{InitializationType: "on-demand", Phase: "init", Status: status})
		in.tel.emit("platform.initReport", initRecord{InitializationType: "on-demand", Phase: "init",
			Metrics: &initMetrics{DurationMs: ms(d)}})
	}
	in.tel.endInit()
}

// emitReport sends platform.runtimeDone and platform.report for rep.
func (in *instance) emitReport(rep report, status string) {
	if !in.tel.active() {
		return
	}
	in.tel.emit("platform.runtimeDone", runtimeDoneRecord{RequestID: rep.requestID, Status: status,
		Metrics: initMetrics{DurationMs: ms(rep.duration)}})
	m := reportMetrics{
		DurationMs:       ms(rep.duration),
		BilledDurationMs: max(int64((rep.duration+time.Millisecond-1)/time.Millisecond), 1),
		MemorySizeMB:     rep.memoryMB,
		MaxMemoryUsedMB:  (rep.maxMemory + (1<<20 - 1)) >> 20,
	}
	if rep.cold {
		d := ms(rep.initDur)
		m.InitDurationMs = &d
	}
	in.tel.emit("platform.report", reportRecord{RequestID: rep.requestID, Status: status, Metrics: m})
}

// runStatus is an invocation's status in platform.runtimeDone: resp is its
// result (nil for success), died whether the runtime died with it.
func runStatus(resp *invoke.Response, died bool) string {
	switch {
	case resp == nil || resp.FunctionError == "":
		return statusSuccess
	case resp.ErrorType == invoke.ErrorTypeTimeout:
		return statusTimeout
	case died:
		return statusFailure
	default:
		return statusError
	}
}
