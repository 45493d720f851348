package runnertest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/runner"
)

// testEcho: a runtime gets its event through the Runtime API and answers
// it, then waits for the next one, still running.
func testEcho(t *testing.T, s *suite) {
	event := `{"hello":"world","n":[1,2,3]}`
	r := s.launch(t, s.newLauncher(t), "echo", event, nil)
	a := r.API.WaitAnswer(t, Timeout)
	if a.Kind != "response" || string(a.Body) != event {
		t.Errorf("answer = %s %s, want response %s", a.Kind, a.Body, event)
	}
	r.API.WaitNext(t, Timeout)
	r.AssertRunning(t)
}

// testEnvironment: the runtime sees every variable of the spec's Env (the
// Lambda ones and the function's own) with its value.
func testEnvironment(t *testing.T, s *suite) {
	fn := s.opts.Function(t, "env")
	fn.Name = "runnertest-env"
	fn.Env = map[string]string{
		"RUNNERTEST_VAR":   "a value with spaces = and signs",
		"RUNNERTEST_EMPTY": "",
	}
	r := launch(t, context.Background(), s.newLauncher(t), s.opts.Fake, fn, Invocation{})
	a := r.API.WaitAnswer(t, Timeout)
	var got map[string]string
	if err := json.Unmarshal(a.Body, &got); err != nil {
		t.Fatalf("answer %s %s: %v", a.Kind, a.Body, err)
	}
	want := r.API.Env(fn)
	if !slices.Contains(want, "AWS_LAMBDA_RUNTIME_API="+r.API.Addr()) {
		t.Fatalf("the fake's Env lacks its address: %q", want)
	}
	for _, kv := range want {
		k, v, _ := strings.Cut(kv, "=")
		if gotV, ok := got[k]; !ok || gotV != v {
			t.Errorf("runtime's %s = %q (set: %v), want %q", k, gotV, ok, v)
		}
	}
}

// testOutput: stdout and stderr arrive line by line on the right stream,
// in order, and a line too long to pass whole arrives in full, perhaps in
// pieces.
func testOutput(t *testing.T, s *suite) {
	const lines, long = 3, 300_000
	r := s.launch(t, s.newLauncher(t), "print", fmt.Sprintf(`{"lines":%d,"long":%d}`, lines, long), nil)
	r.API.WaitAnswer(t, Timeout)
	r.Output.WaitFor(t, Timeout, "all the lines", func(ls []Line) bool {
		got := summarize(ls)
		return got[runner.Stdout].long >= long && len(got[runner.Stderr].numbered) >= lines
	})
	got := summarize(r.Output.Lines())
	for stream, want := range map[runner.Stream]streamSummary{
		runner.Stdout: {numbered: numbered("stdout", lines), long: long},
		runner.Stderr: {numbered: numbered("stderr", lines)},
	} {
		if fmt.Sprint(got[stream]) != fmt.Sprint(want) {
			t.Errorf("stream %d: got %v, want %v", stream, got[stream], want)
		}
	}
}

// streamSummary is what testOutput checks of one stream: the print
// function's numbered lines, in order, and the bytes of its long line.
type streamSummary struct {
	numbered []string
	long     int
}

func summarize(lines []Line) map[runner.Stream]streamSummary {
	m := make(map[runner.Stream]streamSummary)
	for _, l := range lines {
		sum := m[l.Stream]
		switch {
		case strings.HasPrefix(l.Text, "stdout line ") || strings.HasPrefix(l.Text, "stderr line "):
			sum.numbered = append(sum.numbered, l.Text)
		case l.Text != "" && strings.Trim(l.Text, "x") == "":
			sum.long += len(l.Text)
		}
		m[l.Stream] = sum
	}
	return m
}

func numbered(stream string, n int) []string {
	var lines []string
	for i := 1; i <= n; i++ {
		lines = append(lines, fmt.Sprintf("%s line %d", stream, i))
	}
	return lines
}

// testExitStatus: a runtime that exits by itself is Done with its exit
// status, and its output is complete by then.
func testExitStatus(t *testing.T, s *suite) {
	r := s.launch(t, s.newLauncher(t), "exit", `{"code":7}`, nil)
	if got := r.WaitDone(t); got != "exit status 7" {
		t.Errorf("ExitReason() = %q, want %q", got, "exit status 7")
	}
	found := false
	for _, text := range r.Output.Text(runner.Stderr) {
		found = found || text == "exiting with status 7"
	}
	if !found {
		t.Errorf("at Done, the output lacks the runtime's last line; output:\n%s", format(r.Output.Lines()))
	}
}

// testKill: Kill stops a busy runtime, even one that ignores SIGTERM.
func testKill(t *testing.T, s *suite) {
	for _, c := range []struct{ name, event string }{
		{"Busy", `{"ms":600000}`},
		{"IgnoringSIGTERM", `{"ms":600000,"ignore_sigterm":true}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := s.launch(t, s.newLauncher(t), "sleep", c.event, nil)
			r.Output.WaitForLine(t, Timeout, runner.Stdout, "sleeping line", func(text string) bool {
				return strings.HasPrefix(text, "sleeping ")
			})
			r.AssertRunning(t)
			r.Process.Kill()
			if got := r.WaitDone(t); got != "signal: killed" {
				t.Errorf("ExitReason() = %q, want %q", got, "signal: killed")
			}
		})
	}
}

// testKillTwice: Kill may be called more than once, before the runtime is
// ready and after it exited, and does not change how it exited.
func testKillTwice(t *testing.T, s *suite) {
	l := s.newLauncher(t)

	r := s.launch(t, l, "sleep", `{"ms":600000}`, nil)
	r.Process.Kill()
	r.Process.Kill()
	if got := r.WaitDone(t); got != "signal: killed" {
		t.Errorf("killed at once: ExitReason() = %q, want %q", got, "signal: killed")
	}
	r.Process.Kill()

	r = s.launch(t, l, "exit", `{"code":0}`, nil)
	if got := r.WaitDone(t); got != "exit status 0" {
		t.Errorf("ExitReason() = %q, want %q", got, "exit status 0")
	}
	r.Process.Kill()
	r.Process.Kill()
	if got := r.Process.ExitReason(); got != "exit status 0" {
		t.Errorf("after Kill of an exited runtime: ExitReason() = %q, want %q", got, "exit status 0")
	}
}

// testMaxMemory: a running environment's memory is measured, and the peak
// never goes down.
func testMaxMemory(t *testing.T, s *suite) {
	r := s.launch(t, s.newLauncher(t), "sleep", `{"ms":600000}`, nil)
	r.Output.WaitForLine(t, Timeout, runner.Stdout, "sleeping line", func(text string) bool {
		return strings.HasPrefix(text, "sleeping ")
	})
	first := r.Process.MaxMemoryBytes()
	if first == 0 {
		t.Fatal("MaxMemoryBytes() = 0 for a running runtime")
	}
	if second := r.Process.MaxMemoryBytes(); second < first {
		t.Errorf("MaxMemoryBytes() went down from %d to %d", first, second)
	}
}

// testContextBoundsStart: the context of Launch bounds the start only;
// cancelling it afterwards leaves the runtime running.
func testContextBoundsStart(t *testing.T, s *suite) {
	ctx, cancel := context.WithCancel(context.Background())
	fn := s.opts.Function(t, "echo")
	fn.Name = "runnertest-echo"
	r := launch(t, ctx, s.newLauncher(t), s.opts.Fake, fn, Invocation{Event: []byte(`{"after":"cancel"}`)})
	cancel()
	a := r.API.WaitAnswer(t, Timeout)
	if string(a.Body) != `{"after":"cancel"}` {
		t.Errorf("answer = %s %s", a.Kind, a.Body)
	}
	r.API.WaitNext(t, Timeout)
	r.AssertRunning(t)
}

// testConcurrent: one launcher starts several environments at once, each
// talking to its own Runtime API.
func testConcurrent(t *testing.T, s *suite) {
	const n = 4
	l := s.newLauncher(t)
	fn := s.opts.Function(t, "echo")
	fn.Name = "runnertest-echo"
	apis := make([]*FakeRuntimeAPI, n)
	procs := make([]runner.Process, n)
	errs := make([]error, n)
	for i := range apis {
		apis[i] = NewFakeRuntimeAPI(t, s.opts.Fake, Invocation{Event: fmt.Appendf(nil, `{"i":%d}`, i)})
	}
	var wg sync.WaitGroup
	for i := range apis {
		wg.Go(func() { procs[i], errs[i] = l.Launch(context.Background(), apis[i].Spec(fn, nil)) })
	}
	wg.Wait()
	for i, p := range procs {
		if errs[i] != nil {
			t.Errorf("Launch %d: %v", i, errs[i])
			continue
		}
		t.Cleanup(func() {
			p.Kill()
			select {
			case <-p.Done():
			case <-time.After(Timeout):
				t.Errorf("environment %d: not done after Kill", i)
			}
		})
	}
	for i, api := range apis {
		if errs[i] != nil {
			continue
		}
		if a := api.WaitAnswer(t, Timeout); string(a.Body) != fmt.Sprintf(`{"i":%d}`, i) {
			t.Errorf("environment %d answered %s", i, a.Body)
		}
	}
}

// testMissing: a runtime that does not exist is a Launch error.
func testMissing(t *testing.T, s *suite) {
	fn := s.opts.Missing(t)
	fn.Name = "runnertest-missing"
	api := NewFakeRuntimeAPI(t, s.opts.Fake, Invocation{})
	p, err := s.newLauncher(t).Launch(context.Background(), api.Spec(fn, nil))
	if err == nil {
		p.Kill()
		t.Fatalf("Launch of %v: no error", fn.Command)
	}
	t.Logf("Launch of %v: %v", fn.Command, err)
}
