package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
)

// TestExternalExtensions: a Go and a shell+curl extension in the
// function's extensions directory start with the runtime, get an INVOKE
// event per invocation with its deadline, hold the instance until they
// are done with it (the result returns before), and get SHUTDOWN with
// reason spindown and a 2 s deadline when the harness stops.
func TestExternalExtensions(t *testing.T) {
	t.Parallel()
	const hold = 1500 // ms each extension spends on an INVOKE: wide margins for a loaded machine
	extDir, records := t.TempDir(), t.TempDir()
	for name, target := range map[string]string{
		"go-recorder": testfunctions.Build(t, "extension-go"),
		"sh-recorder": testfunctions.Path(t, "extension-sh/recorder"),
	} {
		if err := os.Symlink(target, filepath.Join(extDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	h := startServe(t, functionFlags(spec(t, "ext", "echo", "concurrency=1", "timeout=5s",
		"extensions-dir="+extDir, "env=EXT_RECORD_DIR="+records, "env=EXT_HOLD_MS="+strconv.Itoa(hold)))...)

	var ids []string
	var sent []time.Time
	for i := range 3 {
		if i == 1 {
			// The first invocation's extensions finish; then the
			// instance is free.
			time.Sleep(hold*time.Millisecond + 300*time.Millisecond)
		}
		sent = append(sent, time.Now())
		r := h.invoke(t, "ext", `{"n":1}`)
		r.wantOK(t, nil)
		ids = append(ids, r.Header.Get("X-Amzn-Requestid"))
		if d := time.Since(sent[i]); i == 1 && d >= hold*time.Millisecond {
			t.Errorf("invoke %d took %v: the result must not wait for the extensions", i, d)
		}
	}
	if d := time.Since(sent[1]); d < hold*time.Millisecond {
		t.Errorf("invokes 2 and 3 took %v: the third must wait for the extensions to finish the second", d)
	}
	stopped := time.Now()
	h.Stop(t)

	for _, name := range []string{"go-recorder", "sh-recorder"} {
		b, err := os.ReadFile(filepath.Join(records, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 4 {
			t.Fatalf("%s recorded %q, want 3 INVOKE and 1 SHUTDOWN", name, lines)
		}
		for i, line := range lines {
			f := strings.Fields(line)
			if len(f) != 4 {
				t.Fatalf("%s: line %q", name, line)
			}
			deadline, _ := strconv.ParseInt(f[2], 10, 64)
			got, _ := strconv.ParseInt(f[3], 10, 64)
			left := time.Duration(deadline-got) * time.Millisecond
			if i < 3 {
				if f[0] != "INVOKE" || f[1] != ids[i] || left < 4*time.Second || left > 5*time.Second {
					t.Errorf("%s event %d: %q, want INVOKE %s with about 5s left", name, i, line, ids[i])
				}
				continue
			}
			if f[0] != "SHUTDOWN" || f[1] != "spindown" || left < 1500*time.Millisecond || left > 2*time.Second ||
				time.UnixMilli(got).Before(stopped.Add(-time.Second)) {
				t.Errorf("%s: %q, want SHUTDOWN spindown with about 2s left at the harness's stop", name, line)
			}
		}
	}
}

// TestExternalExtensionsSeeACrash: when the runtime crashes, the external
// extensions outlive it long enough to get SHUTDOWN with reason failure,
// as on Lambda, and the next invocation gets a fresh environment.
func TestExternalExtensionsSeeACrash(t *testing.T) {
	t.Parallel()
	extDir, records := t.TempDir(), t.TempDir()
	if err := os.Symlink(testfunctions.Build(t, "extension-go"), filepath.Join(extDir, "go-recorder")); err != nil {
		t.Fatal(err)
	}
	h := startServe(t, functionFlags(spec(t, "crash", "exit", "concurrency=1", "timeout=5s",
		"extensions-dir="+extDir, "env=EXT_RECORD_DIR="+records))...)
	r := h.invoke(t, "crash", `{"code":3}`)
	r.wantFunctionError(t, "Runtime.ExitError")
	record := filepath.Join(records, "go-recorder")
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(record)
		if strings.Contains(string(b), "SHUTDOWN failure") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the extension recorded %q, want a SHUTDOWN with reason failure", b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	h.Stop(t)
}
