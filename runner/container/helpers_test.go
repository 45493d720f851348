package container_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	dockertypes "github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
	"github.com/lambda-harness/lambda-harness/runner/runnertest"
)

// launched is an environment a test launched against a fake Runtime API.
type launched struct {
	api  *runnertest.FakeRuntimeAPI
	proc runner.Process
	spec runner.Spec
	out  *runnertest.Output
}

// launch launches fn with l against a new fake Runtime API that hands it
// event, with spec's Env changed by edit (if not nil). The test's cleanup
// kills the environment and waits for it.
func launch(t *testing.T, l runner.Launcher, fake runnertest.FakeConfig, fn invoke.Function, event string, edit func([]string) []string) *launched {
	t.Helper()
	api := runnertest.NewFakeRuntimeAPI(t, fake, runnertest.Invocation{Event: []byte(event)})
	out := &runnertest.Output{}
	spec := api.Spec(fn, out)
	if edit != nil {
		spec.Env = edit(spec.Env)
	}
	proc, err := l.Launch(t.Context(), spec)
	if err != nil {
		t.Fatalf("Launch %s: %v", fn.Name, err)
	}
	t.Cleanup(func() {
		proc.Kill()
		select {
		case <-proc.Done():
		case <-time.After(runnertest.Timeout):
			t.Errorf("%s: not done after Kill", fn.Name)
		}
	})
	return &launched{api: api, proc: proc, spec: spec, out: out}
}

// waitDone waits for the environment to be done and returns its exit
// reason.
func (r *launched) waitDone(t *testing.T) string {
	t.Helper()
	select {
	case <-r.proc.Done():
		return r.proc.ExitReason()
	case <-time.After(runnertest.Timeout):
		t.Fatalf("not done after %s; output: %q", runnertest.Timeout, r.out.Lines())
		return ""
	}
}

// inspect returns the container of the environment launched with spec, or
// false if there is none.
func inspect(t *testing.T, spec runner.Spec) (dockertypes.InspectResponse, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	list, err := docker.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", "lambda-harness.instance="+spec.InstanceID),
	})
	if err != nil {
		t.Fatalf("list containers: %v", err)
	}
	if len(list.Items) == 0 {
		return dockertypes.InspectResponse{}, false
	}
	if len(list.Items) > 1 {
		t.Fatalf("%d containers for instance %s", len(list.Items), spec.InstanceID)
	}
	res, err := docker.ContainerInspect(ctx, list.Items[0].ID, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatalf("inspect container: %v", err)
	}
	return res.Container, true
}

// withoutEnv returns an Env editor that drops the variables named.
func withoutEnv(names ...string) func([]string) []string {
	return func(env []string) []string {
		return slices.DeleteFunc(env, func(kv string) bool {
			k, _, _ := strings.Cut(kv, "=")
			return slices.Contains(names, k)
		})
	}
}
