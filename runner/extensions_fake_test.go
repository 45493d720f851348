package runner

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"
)

// fakeExtension is an extension speaking the Extensions API over real HTTP,
// as a Go or shell extension would; it records the events it gets.
type fakeExtension struct {
	name string
	api  string // http://host:port/2020-01-01/extension
	id   string
	// registered is the body of the register answer.
	registered []byte
	// hold delays the call to event/next that follows an event.
	hold func(ev map[string]any) time.Duration
	// noNextAfterShutdown: after SHUTDOWN, never call event/next again.
	noNextAfterShutdown bool

	mu     sync.Mutex // protects events
	events []extRecord
	done   chan struct{} // closed when the loop ends
}

type extRecord struct {
	at    time.Time
	event map[string]any
}

// registerExtension registers a fake extension with an instance's
// Runtime API (spec.RuntimeAPI) and returns it, or fails the test.
func registerExtension(t *testing.T, runtimeAPI, name string, events ...string) *fakeExtension {
	t.Helper()
	x := &fakeExtension{name: name, api: "http://" + runtimeAPI + "/2020-01-01/extension", done: make(chan struct{})}
	body, _ := json.Marshal(map[string]any{"events": events})
	status, hdr, resp := extCall("POST", x.api+"/register", map[string]string{"Lambda-Extension-Name": name}, body)
	if status != http.StatusOK {
		t.Errorf("register %s: %d %s", name, status, resp)
		close(x.done)
		return x
	}
	x.id = hdr.Get("Lambda-Extension-Identifier")
	x.registered = resp
	return x
}

// run polls event/next until SHUTDOWN (or an error); call it in a goroutine.
func (x *fakeExtension) run() {
	defer close(x.done)
	for {
		status, _, body := extCall("GET", x.api+"/event/next", map[string]string{"Lambda-Extension-Identifier": x.id}, nil)
		if status != http.StatusOK {
			return
		}
		var ev map[string]any
		json.Unmarshal(body, &ev)
		x.mu.Lock()
		x.events = append(x.events, extRecord{time.Now(), ev})
		x.mu.Unlock()
		if x.hold != nil {
			time.Sleep(x.hold(ev))
		}
		if ev["eventType"] == "SHUTDOWN" {
			if !x.noNextAfterShutdown {
				extCall("GET", x.api+"/event/next", map[string]string{"Lambda-Extension-Identifier": x.id}, nil)
			}
			return
		}
	}
}

func (x *fakeExtension) recorded() []extRecord {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]extRecord(nil), x.events...)
}

// kinds lists the event types received, with the reason for SHUTDOWN.
func (x *fakeExtension) kinds() []string {
	var out []string
	for _, r := range x.recorded() {
		k, _ := r.event["eventType"].(string)
		if reason, ok := r.event["shutdownReason"].(string); ok {
			k += ":" + reason
		}
		out = append(out, k)
	}
	return out
}

// extCall makes one Extensions API call; a long poll cut by the listener's
// close is status 0.
func extCall(method, url string, hdr map[string]string, body []byte) (int, http.Header, []byte) {
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// extensionLauncher is a fake launcher whose runtimes register the
// extensions made by mk during init, before their first /next.
func extensionLauncher(t *testing.T, mk func(rt *fakeRuntime) []*fakeExtension) (*fakeLauncher, func() []*fakeExtension) {
	var mu sync.Mutex
	var all []*fakeExtension
	l := &fakeLauncher{init: func(rt *fakeRuntime) fakeAction {
		xs := mk(rt)
		mu.Lock()
		all = append(all, xs...)
		mu.Unlock()
		for _, x := range xs {
			if x.id != "" {
				go x.run()
			}
		}
		return fakeAction{}
	}}
	return l, func() []*fakeExtension {
		mu.Lock()
		defer mu.Unlock()
		return append([]*fakeExtension(nil), all...)
	}
}
