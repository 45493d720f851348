package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seedCommands are the four invocations of the seed scenario
// (bash-example-wrapper's README, "Usage"), copied verbatim: they are the
// first thing a user tries, and they must work as written, on
// localhost:8080.
var seedCommands = []struct {
	name    string
	command string
	awsCLI  bool
}{
	{"curl function", `curl -XPOST "http://localhost:8080/2015-03-31/functions/function/invocations" -d '{"key": "value"}'`, false},
	{"curl bash-example-wrapper", `curl -XPOST "http://localhost:8080/2015-03-31/functions/bash-example-wrapper/invocations" -d '{"key": "value"}'`, false},
	{"aws function", `aws lambda invoke --endpoint-url http://localhost:8080 --function-name function --cli-binary-format raw-in-base64-out --payload '{ "key": "value" }' /dev/stderr 1>/dev/null`, true},
	{"aws bash-example-wrapper", `aws lambda invoke --endpoint-url http://localhost:8080 --function-name bash-example-wrapper --cli-binary-format raw-in-base64-out --payload '{ "key": "value" }' /dev/stderr 1>/dev/null`, true},
}

// seedRIE is where the seed's entrypoint expects the emulator.
const seedRIE = "/usr/local/bin/aws-lambda-rie"

// wrapperRan is what the seed's wrapper_script prints before it execs the
// runtime with its extra options.
const wrapperRan = "wrapper_script: starting python3 -X importtime -m awslambdaric lambda_function.lambda_handler"

// seedDir returns the directory of the seed scenario's assets.
func seedDir() string { return filepath.Join(moduleRoot, "docker", "examples", "bash-example-wrapper") }

// awslambdaricStandin returns the directory to put on PYTHONPATH for
// "python3 -m awslambdaric" (see testdata/awslambdaric-standin).
func awslambdaricStandin() string {
	return filepath.Join(moduleRoot, "e2e", "testdata", "awslambdaric-standin")
}

// seedTask returns a task root holding the seed's function: a copy, so
// that nothing is written next to the original.
func seedTask(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, filepath.Join(seedDir(), "lambda_function.py"), filepath.Join(dir, "lambda_function.py"), 0o644)
	return dir
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
}

// TestSeedCommands runs the seed's four commands verbatim against the
// harness in rie mode, started through the seed's own entrypoint, and in
// serve mode. Both listen on localhost:8080, so the modes run one after
// the other and the test is not parallel.
func TestSeedCommands(t *testing.T) {
	for _, mode := range []struct {
		name        string
		start       func(*testing.T) *harness
		concurrency int
	}{
		{"rie", startSeedRIE, 4}, // MAX_CONCURRENCY, from the seed's run script
		{"serve", startSeedServe, 10},
		{"serve with the entrypoint as the command", startSeedServeEntrypoint, 10},
	} {
		t.Run(mode.name, func(t *testing.T) {
			h := mode.start(t)
			var fn struct {
				Configuration struct{ FunctionName string }
				Concurrency   struct{ ReservedConcurrentExecutions int }
			}
			h.do(t, http.MethodGet, "/2015-03-31/functions/bash-example-wrapper", nil).wantOK(t, &fn)
			if got := fn.Concurrency.ReservedConcurrentExecutions; got != mode.concurrency {
				t.Errorf("concurrency %d, want %d", got, mode.concurrency)
			}
			for _, c := range seedCommands {
				t.Run(c.name, func(t *testing.T) {
					if c.awsCLI {
						requireCLIv2(t)
					}
					runSeedCommand(t, c.command)
				})
			}
			// The wrapper ran, and so did Python's -X importtime it added.
			h.Stdout.mustWaitLine(t, "the wrapper's line", logWait, contains(wrapperRan))
			h.Stdout.mustWaitLine(t, "-X importtime output", logWait, contains("import time:"))
			h.Stop(t)
		})
	}
}

// runSeedCommand runs a seed command with bash as a user would, with the
// AWS CLI v2 first on PATH and dummy credentials, and checks that it
// succeeds and prints the function's result (the CLI's go to stderr).
func runSeedCommand(t *testing.T, command string) {
	t.Helper()
	bin := t.TempDir()
	if err := os.Symlink(awsCLIv2, filepath.Join(bin, "aws")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", command)
	cmd.Dir = t.TempDir()
	cmd.Env = append(cliEnv(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	// A child the shell left behind must not hold the output open.
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\nstdout: %s\nstderr: %s", command, err, stdout.String(), stderr.String())
	}
	out := stdout.String() + stderr.String()
	for _, want := range []string{`"statusCode": 200`, `Hello from Lambda!`} {
		if !strings.Contains(out, want) {
			t.Errorf("%s printed no %s\nstdout: %s\nstderr: %s", command, want, stdout.String(), stderr.String())
		}
	}
}

// startSeedRIE starts the harness as the seed's image does without
// AWS_LAMBDA_RUNTIME_API: its lambda-entrypoint.sh execs aws-lambda-rie
// with the wrapper and "python3 -m awslambdaric HANDLER", and the harness,
// invoked under that name, is the emulator. MAX_CONCURRENCY and the AMQP
// settings are passed as the seed's run script passes them.
func startSeedRIE(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	rie := filepath.Join(dir, "aws-lambda-rie")
	if err := os.Symlink(harnessBin, rie); err != nil {
		t.Fatal(err)
	}
	// A copy of the seed's entrypoint whose only change is where the
	// emulator is: here instead of /usr/local/bin, which a test cannot
	// write to.
	entry, err := os.ReadFile(filepath.Join(seedDir(), "lambda-entrypoint.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(entry, []byte(seedRIE)); n != 2 {
		t.Fatalf("lambda-entrypoint.sh names %s %d times, want 2", seedRIE, n)
	}
	entrypoint := filepath.Join(dir, "lambda-entrypoint.sh")
	if err := os.WriteFile(entrypoint, bytes.ReplaceAll(entry, []byte(seedRIE), []byte(rie)), 0o755); err != nil {
		t.Fatal(err)
	}
	return startOnSeedPorts(t, []string{"127.0.0.1:8080", "127.0.0.1:9001"}, harnessConfig{
		Program: entrypoint,
		Args:    []string{"lambda_function.lambda_handler"},
		Dir:     seedTask(t),
		Env: []string{
			"AWS_LAMBDA_FUNCTION_NAME=bash-example-wrapper",
			"AWS_LAMBDA_EXEC_WRAPPER=" + filepath.Join(seedDir(), "wrapper_script"),
			"PYTHONPATH=" + awslambdaricStandin(),
			"PYTHONDONTWRITEBYTECODE=1",
			"MAX_CONCURRENCY=4",
			"AMQP_URI=amqp://localhost:5672",
			"AMQP_USERNAME=guest",
			"AMQP_PASSWORD=guest",
		},
	})
}

// startSeedServe serves the seed's function in serve mode on
// localhost:8080 with the wrapper in the function's environment: the
// process launcher applies it, as the entrypoint's else-branch would.
func startSeedServe(t *testing.T) *harness {
	t.Helper()
	fn := strings.Join([]string{
		"name=bash-example-wrapper",
		"workdir=" + seedTask(t),
		"env=AWS_LAMBDA_EXEC_WRAPPER=" + filepath.Join(seedDir(), "wrapper_script"),
		"env=PYTHONPATH=" + awslambdaricStandin(),
		"env=PYTHONDONTWRITEBYTECODE=1",
		"handler=lambda_function.lambda_handler",
		"cmd=python3 -m awslambdaric lambda_function.lambda_handler",
	}, ",")
	return startOnSeedPorts(t, []string{"127.0.0.1:8080"}, harnessConfig{
		Args: []string{"serve", "--listen", "127.0.0.1:8080", "--log-level", "debug", "--function", fn},
	})
}

// startSeedServeEntrypoint serves the seed's function in serve mode with
// docker/lambda-entrypoint.sh (the seed's entrypoint, corrected to run
// under dash) as the command: the harness sets AWS_LAMBDA_RUNTIME_API, so
// the entrypoint takes its direct branch and applies the wrapper itself,
// and the launcher, seeing a script that handles AWS_LAMBDA_EXEC_WRAPPER,
// does not apply it a second time.
func startSeedServeEntrypoint(t *testing.T) *harness {
	t.Helper()
	fn := strings.Join([]string{
		"name=bash-example-wrapper",
		"workdir=" + seedTask(t),
		"env=AWS_LAMBDA_EXEC_WRAPPER=" + filepath.Join(seedDir(), "wrapper_script"),
		"env=PYTHONPATH=" + awslambdaricStandin(),
		"env=PYTHONDONTWRITEBYTECODE=1",
		"cmd=" + filepath.Join(seedDir(), "lambda-entrypoint.sh") + " lambda_function.lambda_handler",
	}, ",")
	return startOnSeedPorts(t, []string{"127.0.0.1:8080"}, harnessConfig{
		Args: []string{"serve", "--listen", "127.0.0.1:8080", "--log-level", "debug", "--function", fn},
	})
}

// portWait is how long the seed tests wait for ports 8080 and 9001 to be
// free: another test process of this module may hold them for a moment.
const portWait = 60 * time.Second

// startOnSeedPorts starts a harness that needs the fixed ports, waiting
// for them while another process holds them, and fails clearly if they
// stay taken.
func startOnSeedPorts(t *testing.T, ports []string, cfg harnessConfig) *harness {
	t.Helper()
	deadline := time.Now().Add(portWait)
	for {
		busy := busyPort(ports)
		if busy == "" {
			h, err := launchHarness(t, cfg)
			if err == nil {
				return h
			}
			if !strings.Contains(err.Error(), "address already in use") || time.Now().After(deadline) {
				t.Fatal(err)
			}
		} else if time.Now().After(deadline) {
			t.Fatalf("port %s is taken by another process (see ss -ltnp) for more than %s: "+
				"the seed's commands need localhost:8080 (and rie mode 127.0.0.1:9001)", busy, portWait)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// busyPort returns the first of addrs that cannot be listened on, or "".
func busyPort(addrs []string) string {
	for _, addr := range addrs {
		_, port, _ := net.SplitHostPort(addr)
		for _, a := range []string{addr, "0.0.0.0:" + port} {
			ln, err := net.Listen("tcp", a)
			if err != nil {
				return fmt.Sprintf("%s (%v)", a, err)
			}
			ln.Close()
		}
	}
	return ""
}
