package container_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
	lhcontainer "github.com/lambda-harness/lambda-harness/runner/container"
	"github.com/lambda-harness/lambda-harness/runner/runnertest"
)

// hostSecret is set in the test process's environment; no container may
// see it.
const hostSecret = "LAMBDA_HARNESS_TEST_HOST_SECRET"

// TestImageConfig: the image's ENTRYPOINT, CMD, WORKDIR and ENV apply, each
// overridable by the function, as on Lambda: overriding the entrypoint
// keeps the image's CMD. CMD is the handler. Labels, name and memory limit
// are set, and nothing of the host's environment gets in.
func TestImageConfig(t *testing.T) {
	l := newLauncher(t, lhcontainer.Config{})
	fake := fakeConfig(t)
	for _, c := range []struct {
		name                  string
		entrypoint, command   []string
		workdir               string
		wantPath              string
		wantArgs              []string
		wantWorkdir, wantHand string
	}{
		{"image's", nil, nil, "", "/var/task/bootstrap", []string{"image.handler"}, "/var/task", "image.handler"},
		{"command", nil, []string{"custom.handler"}, "", "/var/task/bootstrap", []string{"custom.handler"}, "/var/task", "custom.handler"},
		{"entrypoint", []string{"/var/task/echo"}, nil, "", "/var/task/echo", []string{"image.handler"}, "/var/task", "image.handler"},
		{"working dir", nil, nil, "/var", "/var/task/bootstrap", []string{"image.handler"}, "/var", "image.handler"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fn := invoke.Function{
				Name:       "config-test",
				Image:      testImage(t, "multi"),
				Entrypoint: c.entrypoint,
				Command:    c.command,
				WorkingDir: c.workdir,
				MemoryMB:   256,
				Env:        map[string]string{"OVERRIDDEN": "function"},
			}
			r := launch(t, l, fake, fn, `{"from":"test"}`, withoutEnv("_HANDLER", "LAMBDA_TASK_ROOT"))
			answer := r.api.WaitAnswer(t, runnertest.Timeout)

			ctr, ok := inspect(t, r.spec)
			if !ok {
				t.Fatal("no container for the running environment")
			}
			if ctr.Path != c.wantPath || !slices.Equal(ctr.Args, c.wantArgs) {
				t.Errorf("runs %s %q, want %s %q", ctr.Path, ctr.Args, c.wantPath, c.wantArgs)
			}
			if ctr.Config.WorkingDir != c.wantWorkdir {
				t.Errorf("working dir %q, want %q", ctr.Config.WorkingDir, c.wantWorkdir)
			}
			checkContainer(t, ctr, fn, r.spec)

			if c.wantPath == "/var/task/echo" {
				if string(answer.Body) != `{"from":"test"}` {
					t.Errorf("echo answered %s", answer.Body)
				}
				return
			}
			var env map[string]string
			if err := json.Unmarshal(answer.Body, &env); err != nil {
				t.Fatalf("env answered %s %s: %v", answer.Kind, answer.Body, err)
			}
			for k, want := range map[string]string{
				"IMAGE_VAR":              "from-image",
				"OVERRIDDEN":             "function",
				"_HANDLER":               c.wantHand,
				"AWS_LAMBDA_RUNTIME_API": r.api.Addr(),
			} {
				if env[k] != want {
					t.Errorf("%s=%q, want %q", k, env[k], want)
				}
			}
			if v, ok := env[hostSecret]; ok {
				t.Errorf("the host's %s=%q got into the container", hostSecret, v)
			}
		})
	}
}

// checkContainer checks the labels, name, memory limit and extra hosts of
// a function's container.
func checkContainer(t *testing.T, ctr container.InspectResponse, fn invoke.Function, spec runner.Spec) {
	t.Helper()
	for k, want := range map[string]string{
		"lambda-harness.function": fn.Name,
		"lambda-harness.instance": spec.InstanceID,
	} {
		if got := ctr.Config.Labels[k]; got != want {
			t.Errorf("label %s=%q, want %q", k, got, want)
		}
	}
	if !strings.HasPrefix(ctr.Config.Labels["lambda-harness.daemon"], testDaemonPrefix) {
		t.Errorf("label lambda-harness.daemon=%q", ctr.Config.Labels["lambda-harness.daemon"])
	}
	if prefix := "/lambda-harness-" + fn.Name + "-"; !strings.HasPrefix(ctr.Name, prefix) {
		t.Errorf("name %q, want %s<short id>", ctr.Name, prefix)
	}
	mem := int64(fn.MemoryMB) << 20
	if ctr.HostConfig.Memory != mem || ctr.HostConfig.MemorySwap != mem {
		t.Errorf("memory %d, memory+swap %d; want both %d", ctr.HostConfig.Memory, ctr.HostConfig.MemorySwap, mem)
	}
	if !slices.Contains(ctr.HostConfig.ExtraHosts, "host.docker.internal:host-gateway") {
		t.Errorf("extra hosts %q lack host.docker.internal", ctr.HostConfig.ExtraHosts)
	}
}

// TestRemoved: a container is removed when its environment ends: killed,
// exited by itself, or killed from outside, which is "signal: killed".
func TestRemoved(t *testing.T) {
	l := newLauncher(t, lhcontainer.Config{})
	fake := fakeConfig(t)
	for _, c := range []struct {
		name, function, event, wantReason string
		kill                              func(t *testing.T, r *launched)
	}{
		{"killed", "sleep", `{"ms":600000}`, "signal: killed", func(t *testing.T, r *launched) { r.proc.Kill() }},
		{"exited", "exit", `{"code":2}`, "exit status 2", func(*testing.T, *launched) {}},
		{"killed from outside", "sleep", `{"ms":600000}`, "signal: killed", func(t *testing.T, r *launched) {
			ctr, _ := inspect(t, r.spec)
			if _, err := docker.ContainerKill(t.Context(), ctr.ID, client.ContainerKillOptions{Signal: "KILL"}); err != nil {
				t.Fatalf("docker kill: %v", err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fn := function(t, c.function)
			r := launch(t, l, fake, fn, c.event, nil)
			r.api.WaitNext(t, runnertest.Timeout)
			if _, ok := inspect(t, r.spec); !ok {
				t.Fatal("no container for the running environment")
			}
			c.kill(t, r)
			if got := r.waitDone(t); got != c.wantReason {
				t.Errorf("ExitReason() = %q, want %q", got, c.wantReason)
			}
			if ctr, ok := inspect(t, r.spec); ok {
				t.Errorf("container %s (%s) still there when done", ctr.Name, ctr.State.Status)
			}
		})
	}
}

// TestLeftoversRemoved: New removes the containers a previous run of the
// same Daemon left, and no other.
func TestLeftoversRemoved(t *testing.T) {
	requireDocker(t)
	daemon := testDaemonPrefix + "leftovers"
	create := func(daemon string) string {
		res, err := docker.ContainerCreate(t.Context(), client.ContainerCreateOptions{
			Config: &container.Config{Image: testImage(t, "echo"), Labels: map[string]string{"lambda-harness.daemon": daemon}},
		})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		return res.ID
	}
	mine, other := create(daemon), create(daemon+"-other")
	t.Cleanup(func() { docker.ContainerRemove(t.Context(), other, client.ContainerRemoveOptions{Force: true}) })

	newLauncher(t, lhcontainer.Config{Daemon: daemon})
	if _, err := docker.ContainerInspect(t.Context(), mine, client.ContainerInspectOptions{}); err == nil {
		t.Error("the previous run's container is still there")
	}
	if _, err := docker.ContainerInspect(t.Context(), other, client.ContainerInspectOptions{}); err != nil {
		t.Errorf("another daemon's container: %v", err)
	}
}

// TestMissingImage: an image that is not there and cannot be pulled is a
// Launch error that says so.
func TestMissingImage(t *testing.T) {
	l := newLauncher(t, lhcontainer.Config{})
	fn := invoke.Function{Name: "missing", Image: testImagePrefix + "missing:latest"}
	api := runnertest.NewFakeRuntimeAPI(t, fakeConfig(t), runnertest.Invocation{})
	p, err := l.Launch(t.Context(), api.Spec(fn, nil))
	if err == nil {
		p.Kill()
		t.Fatal("Launch of a missing image: no error")
	}
	want := fmt.Sprintf("image %s is not present locally and could not be pulled: ", fn.Image)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to contain %q", err, want)
	}
}

// TestUnreachableEngine: New fails, clearly, when the engine is not there.
func TestUnreachableEngine(t *testing.T) {
	l, err := lhcontainer.New(t.Context(), lhcontainer.Config{Host: "unix:///nonexistent.sock"})
	if err == nil {
		l.Close()
		t.Fatal("New with no engine: no error")
	}
	if want := "docker engine at unix:///nonexistent.sock is not reachable: "; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q, want it to contain %q", err, want)
	}
}
