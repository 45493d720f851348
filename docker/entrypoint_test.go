// Package docker_test checks the container assets of docker/ that can be
// checked without Docker: lambda-entrypoint.sh, run by every POSIX shell
// found here (sh, dash, busybox sh, bash) with fake runtimes, wrappers and
// emulators that report the command line they were started with.
package docker_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// rie is where the entrypoint looks for the emulator; the tests put a fake
// one elsewhere, in a copy of the script.
const rie = "/usr/local/bin/aws-lambda-rie"

// recorder is a fake program: it prints its pid, the name it was started
// under and its arguments, one a line, so a test sees the exact argv and
// that every step exec'd (the pid is the entrypoint's).
const recorder = `#!/bin/sh
printf '%s\n' "$$" "${0##*/}" "$@"
`

// shells returns the command lines that run a script under each POSIX
// shell found on this machine; at least sh.
func shells(t *testing.T) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	for _, name := range []string{"sh", "dash", "bash"} {
		if p, err := exec.LookPath(name); err == nil {
			found[name] = []string{p}
		}
	}
	if p, err := exec.LookPath("busybox"); err == nil {
		found["busybox"] = []string{p, "sh"}
	}
	if _, ok := found["sh"]; !ok {
		t.Fatal("no sh on PATH")
	}
	for _, name := range []string{"dash", "busybox"} {
		if _, ok := found[name]; !ok {
			t.Logf("no %s on PATH: the entrypoint is not checked under it", name)
		}
	}
	return found
}

// fixture is a directory holding a copy of the entrypoint whose emulator is
// a fake, and fake programs: python3 (on PATH), a runtime, a wrapper.
type fixture struct {
	dir, entrypoint, bin, rie string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{
		dir:        dir,
		entrypoint: filepath.Join(dir, "lambda-entrypoint.sh"),
		bin:        filepath.Join(dir, "bin"),
		rie:        filepath.Join(dir, "aws-lambda-rie"),
	}
	script, err := os.ReadFile("lambda-entrypoint.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(script, []byte("rie="+rie+"\n")) {
		t.Fatalf("lambda-entrypoint.sh does not set rie=%s: the fake emulator would not be used", rie)
	}
	script = bytes.ReplaceAll(script, []byte(rie), []byte(f.rie))
	write(t, f.entrypoint, string(script), 0o755)
	if err := os.Mkdir(f.bin, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(f.bin, "python3"), recorder, 0o755)
	write(t, filepath.Join(dir, "runtime"), recorder, 0o755)
	write(t, filepath.Join(dir, "wrapper"), recorder, 0o755)
	write(t, filepath.Join(dir, "not-executable"), recorder, 0o644)
	write(t, f.rie, recorder, 0o755)
	return f
}

func write(t *testing.T, name, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func TestEntrypoint(t *testing.T) {
	f := newFixture(t)
	api := "AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001"
	wrapper := "AWS_LAMBDA_EXEC_WRAPPER=" + filepath.Join(f.dir, "wrapper")
	tests := []struct {
		name string
		args []string
		env  []string
		// removeRIE takes the fake emulator away.
		removeRIE bool
		code      int
		// argv is what the program exec'd last printed, its name first;
		// stderr, a line the entrypoint printed.
		argv   []string
		stderr string
	}{
		{name: "no handler", code: 142,
			stderr: "entrypoint requires the handler name to be the first argument"},
		{name: "two arguments", args: []string{"app.handler", "extra"}, code: 142,
			stderr: "entrypoint requires the handler name to be the first argument"},
		{name: "runtime API: the runtime, directly", args: []string{"app.handler"}, env: []string{api},
			argv: []string{"python3", "-m", "awslambdaric", "app.handler"}},
		{name: "no runtime API: under the emulator", args: []string{"app.handler"},
			argv: []string{"aws-lambda-rie", "python3", "-m", "awslambdaric", "app.handler"}},
		{name: "runtime API, wrapper", args: []string{"app.handler"}, env: []string{api, wrapper},
			argv: []string{"wrapper", "python3", "-m", "awslambdaric", "app.handler"}},
		{name: "no runtime API, wrapper", args: []string{"app.handler"}, env: []string{wrapper},
			argv: []string{"aws-lambda-rie", filepath.Join(f.dir, "wrapper"), "python3", "-m", "awslambdaric", "app.handler"}},
		{name: "empty wrapper is no wrapper", args: []string{"app.handler"}, env: []string{api, "AWS_LAMBDA_EXEC_WRAPPER="},
			argv: []string{"python3", "-m", "awslambdaric", "app.handler"}},
		{name: "missing wrapper", args: []string{"app.handler"}, env: []string{api, "AWS_LAMBDA_EXEC_WRAPPER=/nonexistent/wrapper"},
			code: 127, stderr: "/nonexistent/wrapper: does not exist"},
		{name: "wrapper not executable", args: []string{"app.handler"},
			env:  []string{"AWS_LAMBDA_EXEC_WRAPPER=" + filepath.Join(f.dir, "not-executable")},
			code: 126, stderr: filepath.Join(f.dir, "not-executable") + ": is not an executable"},
		{name: "runtime command", args: []string{"app.handler"},
			env:  []string{api, "LAMBDA_RUNTIME_COMMAND=" + filepath.Join(f.dir, "runtime") + "  --flag\tvalue"},
			argv: []string{"runtime", "--flag", "value", "app.handler"}},
		{name: "runtime command behind the wrapper and the emulator", args: []string{"app.handler"},
			env:  []string{wrapper, "LAMBDA_RUNTIME_COMMAND=" + filepath.Join(f.dir, "runtime")},
			argv: []string{"aws-lambda-rie", filepath.Join(f.dir, "wrapper"), filepath.Join(f.dir, "runtime"), "app.handler"}},
		{name: "handler passed as one word, unexpanded", args: []string{"* $HOME a b"}, env: []string{api},
			argv: []string{"python3", "-m", "awslambdaric", "* $HOME a b"}},
		{name: "no runtime API, no emulator", args: []string{"app.handler"}, removeRIE: true,
			code: 127, stderr: "aws-lambda-rie: does not exist, and AWS_LAMBDA_RUNTIME_API is not set"},
	}
	for shell, argv0 := range shells(t) {
		t.Run(shell, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					f := f
					if tt.removeRIE {
						// A fixture of its own: the other cases need the emulator.
						f = newFixture(t)
						if err := os.Remove(f.rie); err != nil {
							t.Fatal(err)
						}
					}
					run(t, f, argv0, tt.args, tt.env, tt.code, tt.argv, tt.stderr)
				})
			}
		})
	}
}

// run runs the fixture's entrypoint under the shell argv0 with args and
// env (and PATH leading to the fake python3), and checks its exit code,
// what the last program exec'd printed, and its stderr.
func run(t *testing.T, f *fixture, argv0, args, env []string, code int, argv []string, stderr string) {
	t.Helper()
	cmd := exec.Command(argv0[0], append(append(argv0[1:], f.entrypoint), args...)...)
	cmd.Dir = f.dir
	cmd.Env = append([]string{"PATH=" + f.bin + string(os.PathListSeparator) + os.Getenv("PATH")}, env...)
	var stdout, errout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &errout
	err := cmd.Run()
	got := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		got = ee.ExitCode()
	}
	if got != code {
		t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", got, code, stdout.String(), errout.String())
	}
	if stderr != "" && !strings.Contains(errout.String(), stderr) {
		t.Errorf("stderr %q, want it to contain %q", errout.String(), stderr)
	}
	if argv == nil {
		if stdout.Len() != 0 {
			t.Errorf("a program ran: %q", stdout.String())
		}
		return
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) < 1 || lines[0] != strconv.Itoa(cmd.Process.Pid) {
		t.Errorf("the program ran as pid %s, not the entrypoint's %d: a step did not exec", lines[0], cmd.Process.Pid)
	}
	if got, want := strings.Join(lines[1:], "\n"), strings.Join(argv, "\n"); got != want {
		t.Errorf("argv\n%s\nwant\n%s", got, want)
	}
}
