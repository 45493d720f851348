package e2e

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
)

// TestTelemetrySubscriber: a Go extension subscribed to the Telemetry API
// at sandbox.localdomain receives platform.report for each invoke, the
// function's log lines and its own output as extension records.
// https://docs.aws.amazon.com/lambda/latest/dg/telemetry-api.html
func TestTelemetrySubscriber(t *testing.T) {
	t.Parallel()
	extDir, records := t.TempDir(), t.TempDir()
	if err := os.Symlink(testfunctions.Build(t, "extension-go"), filepath.Join(extDir, "telemetry")); err != nil {
		t.Fatal(err)
	}
	h := startServe(t, functionFlags(spec(t, "tel", "print", "concurrency=1", "timeout=5s",
		"extensions-dir="+extDir, "env=EXT_RECORD_DIR="+records, "env=EXT_TELEMETRY_PORT="+freePort(t)))...)

	var ids []string
	for range 3 {
		r := h.invoke(t, "tel", `{"lines":2}`)
		r.wantOK(t, nil)
		ids = append(ids, r.Header.Get("X-Amzn-Requestid"))
	}
	file := filepath.Join(records, "telemetry.telemetry")
	var reports map[string]bool
	var lines map[string]int
	deadline := time.Now().Add(10 * time.Second)
	for {
		reports, lines = readTelemetry(t, file)
		if len(reports) == len(ids) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.Stop(t)
	for _, id := range ids {
		if !reports[id] {
			t.Errorf("no platform.report for %s (got %v)", id, reports)
		}
	}
	for _, l := range []string{"stdout line 1", "stderr line 1", "stdout line 2", "stderr line 2"} {
		if lines[l] < len(ids) {
			t.Errorf("function line %q received %d times, want %d (got %v)", l, lines[l], len(ids), lines)
		}
	}
	// The extension's own output, printed during init, is an extension
	// record, not a function line.
	if reg := "extension-go: registered as telemetry"; lines["extension: "+reg] == 0 || lines[reg] != 0 {
		t.Errorf("extension line %q: %d extension records, %d function lines (got %v)",
			reg, lines["extension: "+reg], lines[reg], lines)
	}
}

// readTelemetry reads the batches the extension recorded: the request ids
// of the platform.report events and the function lines with their counts.
func readTelemetry(t *testing.T, file string) (map[string]bool, map[string]int) {
	t.Helper()
	reports, lines := map[string]bool{}, map[string]int{}
	f, err := os.Open(file)
	if err != nil {
		return reports, lines
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var batch []struct {
			Type   string          `json:"type"`
			Record json.RawMessage `json:"record"`
		}
		if err := json.Unmarshal(sc.Bytes(), &batch); err != nil {
			continue // a line being written
		}
		for _, ev := range batch {
			switch ev.Type {
			case "platform.report":
				var rec struct {
					RequestID string `json:"requestId"`
					Metrics   struct {
						BilledDurationMs int `json:"billedDurationMs"`
					} `json:"metrics"`
				}
				json.Unmarshal(ev.Record, &rec)
				reports[rec.RequestID] = rec.Metrics.BilledDurationMs >= 1
			case "function", "extension":
				var line string
				json.Unmarshal(ev.Record, &line)
				if ev.Type == "extension" {
					line = "extension: " + line
				}
				lines[line]++
			}
		}
	}
	return reports, lines
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}
