//go:build e2e

package e2e

import (
	"context"
	"io"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/wait"
)

// TestContainerSeedCommands runs the seed's four commands verbatim
// (seedCommands) against the seed's image, lambda-harness/bash-example-wrapper
// as docker/build-images.sh builds it, served on localhost:8080 three ways:
//
//   - the harness inside the image as its aws-lambda-rie, bind-mounted as
//     the seed's run script does, the container run by testcontainers-go;
//   - the harness on the host driving Docker, in direct mode: the
//     entrypoint sees AWS_LAMBDA_RUNTIME_API and execs the runtime;
//   - the same in emulator mode: the harness's static binary mounted as the
//     image's aws-lambda-rie, the invocations forwarded to it.
//
// Each time the commands must print the function's answer, and the exec
// wrapper must have taken effect: the environments that served them were
// started through it (its line, then Python's -X importtime output, in the
// function log). All three need localhost:8080, as TestSeedCommands does,
// so the test is not parallel.
func TestContainerSeedCommands(t *testing.T) {
	requireDocker(t)
	t.Run("harness inside the image", func(t *testing.T) {
		ctr, logs := startSeedContainer(t)
		var fn struct {
			Concurrency struct{ ReservedConcurrentExecutions int }
		}
		getJSON(t, "http://127.0.0.1:8080/2015-03-31/functions/bash-example-wrapper", &fn)
		if got := fn.Concurrency.ReservedConcurrentExecutions; got != 4 {
			t.Errorf("concurrency %d, want 4 (MAX_CONCURRENCY)", got)
		}
		runSeedCommands(t)
		checkSeedLog(t, logs, 0)
		// docker stop: SIGTERM to the harness, the container's PID 1,
		// which must stop its runtime and exit 0.
		stopTimeout := 20 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := ctr.Stop(ctx, &stopTimeout); err != nil {
			t.Fatalf("stop the container: %v", err)
		}
		if st, err := ctr.State(ctx); err != nil {
			t.Errorf("inspect the stopped container: %v", err)
		} else if st.ExitCode != 0 || st.OOMKilled {
			t.Errorf("the harness in the container exited with %d (OOM killed: %v) on SIGTERM, want 0", st.ExitCode, st.OOMKilled)
		}
	})
	for _, mode := range []string{"direct", "emulator"} {
		t.Run("serve "+mode, func(t *testing.T) {
			docker := requireDocker(t)
			h, daemon := startSeedImageServe(t, mode)
			runSeedCommands(t)
			checkSeedLog(t, h.Stdout, 1)
			checkMode(t, docker, onlyContainer(t, docker, daemon).ID, mode)
			h.Stop(t)
			// The cleanup checks that no container of the harness is left.
		})
	}
}

// runSeedCommands runs each of the seed's commands as a subtest.
func runSeedCommands(t *testing.T) {
	t.Helper()
	for _, c := range seedCommands {
		t.Run(c.name, func(t *testing.T) {
			if c.awsCLI {
				requireCLIv2(t)
			}
			runSeedCommand(t, c.command)
		})
	}
}

// startSeedContainer runs the seed's image with the static harness
// bind-mounted at /usr/local/bin/aws-lambda-rie and its port 8080 published
// on localhost:8080 (loopback only), as the seed's run script does, once
// the port is free. It returns once the harness inside answers HTTP, with
// the container's output. The test's cleanup terminates the container.
func startSeedContainer(t *testing.T) (testcontainers.Container, *logBuffer) {
	t.Helper()
	requireDocker(t)
	logs := newLogBuffer()
	port := network.MustParsePort("8080/tcp")
	req := testcontainers.ContainerRequest{
		Image:        wrapperImage,
		Labels:       map[string]string{testLabel: "true"},
		ExposedPorts: []string{"8080/tcp"},
		Env: map[string]string{
			"AWS_LAMBDA_FUNCTION_NAME": "bash-example-wrapper",
			"MAX_CONCURRENCY":          "4",
		},
		HostConfigModifier: func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{port: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "8080"}}}
			hc.Mounts = []mount.Mount{{Type: mount.TypeBind, Source: containerEnv.staticBin, Target: seedRIE, ReadOnly: true}}
		},
		// Any answer will do: Docker's proxy accepts connections on the
		// host port before anything listens inside.
		WaitingFor: wait.ForHTTP("/").WithPort("8080/tcp").
			WithStatusCodeMatcher(func(int) bool { return true }).
			WithStartupTimeout(startTimeout),
		LogConsumerCfg: &testcontainers.LogConsumerConfig{Consumers: []testcontainers.LogConsumer{logConsumer{logs}}},
	}
	deadline := time.Now().Add(portWait)
	for {
		if busy := busyPort([]string{"127.0.0.1:8080"}); busy != "" {
			if time.Now().After(deadline) {
				t.Fatalf("port %s is taken by another process for more than %s: the seed's commands need localhost:8080", busy, portWait)
			}
			time.Sleep(200 * time.Millisecond)
			continue
		}
		ctr, err := testcontainers.GenericContainer(t.Context(), testcontainers.GenericContainerRequest{
			ContainerRequest: req,
			Started:          true,
			Logger:           tclog.TestLogger(t),
		})
		testcontainers.CleanupContainer(t, ctr)
		if err == nil {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("output of the container:\n%s", limit(logs.String(), 64<<10))
				}
			})
			return ctr, logs
		}
		if !strings.Contains(err.Error(), "already allocated") && !strings.Contains(err.Error(), "address already in use") ||
			time.Now().After(deadline) {
			t.Fatalf("run %s: %v", wrapperImage, err)
		}
		testcontainers.TerminateContainer(ctr)
		time.Sleep(200 * time.Millisecond)
	}
}

// logConsumer collects a container's output, as testcontainers-go
// delivers it, into a logBuffer.
type logConsumer struct{ buf *logBuffer }

func (c logConsumer) Accept(l testcontainers.Log) { c.buf.Write(l.Content) }

// startSeedImageServe serves the seed's image with a host harness on
// localhost:8080 in the Runtime API mode given, with concurrency 1: one
// execution environment serves every command.
func startSeedImageServe(t *testing.T, mode string) (*harness, string) {
	t.Helper()
	docker := requireDocker(t)
	daemon := newDaemonName()
	t.Cleanup(func() { checkNoContainers(t, docker, daemon) })
	fn := strings.Join([]string{"name=bash-example-wrapper", "image=" + wrapperImage, "runtime-api=" + mode, "concurrency=1"}, ",")
	args := []string{"serve", "--listen", "127.0.0.1:8080", "--log-level", "debug", "--function", fn}
	h := startOnSeedPorts(t, []string{"127.0.0.1:8080"}, harnessConfig{Args: append(args, containerServeFlags(daemon)...)})
	return h, daemon
}

// importTimeHeader is the first line Python's -X importtime prints.
const importTimeHeader = "import time: self [us] | cumulative | imported package"

// checkSeedLog checks the function log of the seed's commands: one START
// and one REPORT line per command, and every execution environment that
// started (a REPORT with Init Duration) started through the wrapper: as
// many of its lines and of Python's -X importtime output as cold starts.
// environments, if not 0, is how many there must be.
func checkSeedLog(t *testing.T, log *logBuffer, environments int) {
	t.Helper()
	n := len(seedCommands)
	log.mustWaitCount(t, "REPORT lines", logWait, n, contains("REPORT RequestId: "))
	if got := log.count(contains("START RequestId: ")); got != n {
		t.Errorf("%d START lines, want %d", got, n)
	}
	cold := log.count(contains("Init Duration: "))
	if cold < 1 || environments != 0 && cold != environments {
		t.Errorf("%d cold starts (Init Duration), want %d", cold, max(environments, 1))
	}
	if got := log.count(contains(wrapperRan)); got < cold {
		t.Errorf("the wrapper's line %d times for %d cold starts: %q", got, cold, wrapperRan)
	}
	if got := log.count(contains(importTimeHeader)); got < cold {
		t.Errorf("Python's -X importtime output %d times for %d cold starts", got, cold)
	}
	if got := log.count(contains("import time:")); got < 10*cold {
		t.Errorf("%d lines of -X importtime output, want many per cold start", got)
	}
}

// checkMode checks, from the container's configuration, how its runtime
// gets the Runtime API: in direct mode AWS_LAMBDA_RUNTIME_API is set and
// nothing is mounted; in emulator mode it is unset and the harness is
// mounted as the image's aws-lambda-rie.
func checkMode(t *testing.T, docker *client.Client, id, mode string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := docker.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatalf("inspect container %.12s: %v", id, err)
	}
	api := ""
	if in.Container.Config != nil {
		for _, kv := range in.Container.Config.Env {
			if v, ok := strings.CutPrefix(kv, "AWS_LAMBDA_RUNTIME_API="); ok {
				api = v
			}
		}
	}
	mounted := false
	for _, m := range in.Container.Mounts {
		mounted = mounted || m.Destination == seedRIE
	}
	switch {
	case mode == "direct" && (api == "" || mounted):
		t.Errorf("direct mode: AWS_LAMBDA_RUNTIME_API=%q, %s mounted: %v; want it set, nothing mounted", api, seedRIE, mounted)
	case mode == "emulator" && (api != "" || !mounted):
		t.Errorf("emulator mode: AWS_LAMBDA_RUNTIME_API=%q, %s mounted: %v; want it unset, the harness mounted", api, seedRIE, mounted)
	}
}

// getJSON GETs url and decodes its 200 answer into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := httpClient.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	response{Status: resp.StatusCode, Header: resp.Header, Body: body}.wantOK(t, v)
}
