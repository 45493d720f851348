package runner

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// subscriber is a Telemetry API destination: it records the batches it
// receives.
type subscriber struct {
	srv *httptest.Server
	mu  sync.Mutex // protects batches
	// batches holds each POST's events with the time it arrived.
	batches []received
}

type received struct {
	at     time.Time
	events []telEvent
}

type telEvent struct {
	Time   string          `json:"time"`
	Type   string          `json:"type"`
	Record json.RawMessage `json:"record"`
}

func newSubscriber(t *testing.T) *subscriber {
	t.Helper()
	s := &subscriber{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var evs []telEvent
		if err := json.NewDecoder(r.Body).Decode(&evs); err != nil {
			t.Errorf("telemetry batch: %v", err)
		}
		s.mu.Lock()
		s.batches = append(s.batches, received{time.Now(), evs})
		s.mu.Unlock()
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// uri is the subscriber's address as an extension gives it on Lambda.
func (s *subscriber) uri() string {
	u, _ := url.Parse(s.srv.URL)
	return "http://sandbox.localdomain:" + u.Port() + "/telemetry"
}

func (s *subscriber) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.batches...)
}

// events lists the events received as "type" or "type:record" for
// function lines.
func (s *subscriber) events() []telEvent {
	var out []telEvent
	for _, b := range s.received() {
		out = append(out, b.events...)
	}
	return out
}

func (s *subscriber) count(typ string) int {
	n := 0
	for _, e := range s.events() {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// subscribeBody is a subscription request to dest.
func subscribeBody(dest string, types []string, maxItems, timeoutMs int) []byte {
	b, _ := json.Marshal(map[string]any{
		"schemaVersion": "2022-12-13",
		"types":         types,
		"buffering":     map[string]int{"maxItems": maxItems, "timeoutMs": timeoutMs},
		"destination":   map[string]string{"protocol": "HTTP", "URI": dest},
	})
	return b
}

// telemetryLauncher is a fake launcher whose runtimes register an
// extension that subscribes to sub during init; the runtime prints
// "line <request id>" in each invocation.
func telemetryLauncher(t *testing.T, body []byte) *fakeLauncher {
	l, _ := extensionLauncher(t, func(rt *fakeRuntime) []*fakeExtension {
		x := registerExtension(t, rt.spec.RuntimeAPI, "telemetry", "INVOKE")
		status, _, resp := extCall("PUT", "http://"+rt.spec.RuntimeAPI+"/2022-07-01/telemetry",
			map[string]string{"Lambda-Extension-Identifier": x.id}, body)
		if status != http.StatusOK || string(resp) != "OK" {
			t.Errorf("subscribe: %d %s", status, resp)
		}
		return []*fakeExtension{x}
	})
	l.behave = func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
		rt.print("line " + inv.id)
		return fakeAction{respond: []byte(`"ok"`)}
	}
	return l
}

func TestTelemetryEvents(t *testing.T) {
	sub := newSubscriber(t)
	l := telemetryLauncher(t, subscribeBody(sub.uri(), []string{"platform", "function"}, 0, 25))
	f := fn("tel")
	f.Concurrency = 1
	f.MemoryMB = 256
	r, _ := newTestRunner(t, l, f)
	var ids []string
	for range 2 {
		req := &invoke.Request{FunctionName: "tel"}
		call(t, r, req)
		ids = append(ids, req.RequestID)
	}
	if !waitFor(func() bool { return sub.count("platform.report") == 2 }) {
		t.Fatalf("platform.report events: %d, want 2", sub.count("platform.report"))
	}
	var got []string
	for _, e := range sub.events() {
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", e.Time); err != nil {
			t.Errorf("%s: time %q", e.Type, e.Time)
		}
		var rec struct {
			RequestID string `json:"requestId"`
			Status    string `json:"status"`
		}
		json.Unmarshal(e.Record, &rec)
		switch {
		case e.Type == "function":
			got = append(got, "function "+string(e.Record))
		case rec.Status != "":
			got = append(got, e.Type+" "+rec.RequestID+" "+rec.Status)
		default:
			got = append(got, e.Type+" "+rec.RequestID)
		}
	}
	want := []string{"platform.initStart ", "platform.initRuntimeDone  success", "platform.initReport "}
	for _, id := range ids {
		want = append(want, "platform.start "+id, fmt.Sprintf("function %q", "line "+id),
			"platform.runtimeDone "+id+" success", "platform.report "+id+" success")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, e := range reports(sub) {
		m := e.Metrics
		if m.MemorySizeMB != 256 || m.MaxMemoryUsedMB != 20 || m.BilledDurationMs < 1 || m.DurationMs <= 0 ||
			(i == 0) != (m.InitDurationMs != nil) {
			t.Errorf("report %d metrics %+v", i, m)
		}
	}
}

func reports(sub *subscriber) []reportRecord {
	var out []reportRecord
	for _, e := range sub.events() {
		if e.Type == "platform.report" {
			var rec reportRecord
			json.Unmarshal(e.Record, &rec)
			out = append(out, rec)
		}
	}
	return out
}

func TestTelemetryBuffering(t *testing.T) {
	cases := []struct {
		name      string
		maxItems  int
		timeoutMs int
		// sizes of the function-line batches before the instance stops
		want []int
		// the earliest a batch may arrive after the invocation
		after time.Duration
	}{
		{"by maxItems", 2, 30000, []int{2, 2}, 0},
		{"by timeout", 1000, 300, []int{5}, 250 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sub := newSubscriber(t)
			l := telemetryLauncher(t, subscribeBody(sub.uri(), []string{"function"}, tc.maxItems, tc.timeoutMs))
			l.behave = func(rt *fakeRuntime, inv fakeInvocation) fakeAction {
				for i := range 5 {
					rt.print(fmt.Sprint("line ", i))
				}
				return fakeAction{respond: []byte(`"ok"`)}
			}
			r, _ := newTestRunner(t, l, fn("buf"))
			start := time.Now()
			call(t, r, &invoke.Request{FunctionName: "buf"})
			if !waitFor(func() bool { return len(sub.received()) == len(tc.want) }) {
				t.Fatalf("%d batches, want %d", len(sub.received()), len(tc.want))
			}
			for i, b := range sub.received() {
				if len(b.events) != tc.want[i] || b.at.Sub(start) < tc.after {
					t.Errorf("batch %d: %d events after %v, want %d after %v", i, len(b.events), b.at.Sub(start), tc.want[i], tc.after)
				}
			}
			shutdownNow(t, r)
			// The rest comes with the last delivery as the instance stops.
			if n := len(sub.events()); n != 5 {
				t.Errorf("%d function lines after the shutdown, want 5", n)
			}
		})
	}
}

func TestTelemetryAPIErrors(t *testing.T) {
	sub := newSubscriber(t)
	good := subscribeBody(sub.uri(), []string{"platform"}, 0, 0)
	cases := []struct {
		name    string
		id      bool // send the registered extension's id
		body    []byte
		status  int
		errType string
	}{
		{"missing id", false, good, 403, "Extension.MissingExtensionIdentifier"},
		{"bad json", true, []byte(`{"schemaVersion":`), 400, "ValidationError"},
		{"bad protocol", true, []byte(strings.Replace(string(good), `"HTTP"`, `"TCP"`, 1)), 400, "ValidationError"},
		{"bad uri", true, []byte(strings.Replace(string(good), "http://", "ftp://", 1)), 400, "ValidationError"},
		{"bad schema", true, []byte(strings.Replace(string(good), "2022-12-13", "2020-08-15", 1)), 400, "ValidationError"},
		{"bad type", true, subscribeBody(sub.uri(), []string{"logs"}, 0, 0), 400, "ValidationError"},
		{"short timeout", true, subscribeBody(sub.uri(), []string{"platform"}, 0, 10), 400, "ValidationError"},
		{"ok", true, good, 200, "OK"},
	}
	l := &fakeLauncher{init: func(rt *fakeRuntime) fakeAction {
		x := registerExtension(t, rt.spec.RuntimeAPI, "x", "INVOKE")
		url := "http://" + rt.spec.RuntimeAPI + "/2022-07-01/telemetry"
		status, _, body := extCall("PUT", url, map[string]string{"Lambda-Extension-Identifier": "nope"}, good)
		if status != 403 || !strings.Contains(string(body), "Extension.UnknownExtensionIdentifier") {
			t.Errorf("unknown id: %d %s", status, body)
		}
		for _, tc := range cases {
			hdr := map[string]string{}
			if tc.id {
				hdr["Lambda-Extension-Identifier"] = x.id
			}
			status, _, body := extCall("PUT", url, hdr, tc.body)
			if status != tc.status || !strings.Contains(string(body), tc.errType) {
				t.Errorf("%s: %d %s, want %d %s", tc.name, status, body, tc.status, tc.errType)
			}
		}
		go x.run()
		return fakeAction{}
	}}
	r, _ := newTestRunner(t, l, fn("errs"))
	call(t, r, &invoke.Request{FunctionName: "errs"})
	if !waitFor(func() bool { return sub.count("platform.report") == 1 }) {
		t.Errorf("platform.report events: %d, want 1", sub.count("platform.report"))
	}
}
