package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
)

var debugLine = regexp.MustCompile(`msg="debug listening" addr=(\S+)`)

func TestDebugAddrServesProfiles(t *testing.T) {
	echo := testfunctions.Build(t, "echo")
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	h := startHarness(t, ctx, "serve", "--listen", "127.0.0.1:0", "--debug-addr", "127.0.0.1:0", "--name", "echo", "--", echo)
	m := debugLine.FindStringSubmatch(h.stderr.String())
	if m == nil {
		t.Fatalf("no debug listening line:\n%s", h.stderr.String())
	}
	resp, err := http.Get("http://" + m[1] + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile:") {
		t.Errorf("pprof: %s %.200s", resp.Status, body)
	}
	// Not on the Invoke API's address.
	if resp, err := http.Get("http://" + h.addr + "/debug/pprof/"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("the Invoke API serves the profiling endpoints")
		}
	}
	stop()
	if err := h.wait(t, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}
