package main

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// fakeLauncher records the functions it was asked to launch and answers
// RuntimeAPIHosts with fixed hosts.
type fakeLauncher struct {
	listen, advertise string

	mu       sync.Mutex // protects launched
	launched []string
}

// fakeProcess is the runner.Process a fakeLauncher returns; nothing runs.
type fakeProcess struct{ runner.Process }

func (f *fakeLauncher) Launch(ctx context.Context, spec runner.Spec) (runner.Process, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.launched = append(f.launched, spec.Function.Name)
	return fakeProcess{}, nil
}

func (f *fakeLauncher) RuntimeAPIHosts(fn invoke.Function) (listen, advertise string) {
	return f.listen, f.advertise
}

func (f *fakeLauncher) names() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.launched, " ")
}

func TestLaunchersDispatchByKind(t *testing.T) {
	procs := &fakeLauncher{listen: "never", advertise: "asked"}
	images := &fakeLauncher{listen: "172.17.0.1", advertise: "host.docker.internal"}
	l := launchers{process: procs, image: images}
	process := invoke.Function{Name: "echo", Command: []string{"./echo"}}
	image := invoke.Function{Name: "hello", Image: "lambda-harness/bash-example-wrapper"}

	var wg sync.WaitGroup
	for _, fn := range []invoke.Function{process, image, process, image} {
		wg.Go(func() {
			if _, err := l.Launch(t.Context(), runner.Spec{Function: fn}); err != nil {
				t.Errorf("launch %s: %v", fn.Name, err)
			}
		})
	}
	wg.Wait()
	if got := procs.names(); got != "echo echo" {
		t.Errorf("process launcher launched %q, want echo twice", got)
	}
	if got := images.names(); got != "hello hello" {
		t.Errorf("container launcher launched %q, want hello twice", got)
	}

	if listen, advertise := l.RuntimeAPIHosts(image); listen != "172.17.0.1" || advertise != "host.docker.internal" {
		t.Errorf("RuntimeAPIHosts(image) = %q, %q; want the container launcher's", listen, advertise)
	}
	if listen, advertise := l.RuntimeAPIHosts(process); listen != "" || advertise != "" {
		t.Errorf("RuntimeAPIHosts(process) = %q, %q; want the runner's default (empty)", listen, advertise)
	}
}

func TestLaunchersWithoutContainers(t *testing.T) {
	procs := &fakeLauncher{}
	l := launchers{process: procs}
	if _, err := l.Launch(t.Context(), runner.Spec{Function: invoke.Function{Name: "echo", Command: []string{"x"}}}); err != nil {
		t.Fatalf("launch a process: %v", err)
	}
	_, err := l.Launch(t.Context(), runner.Spec{Function: invoke.Function{Name: "hello", Image: "i"}})
	if err == nil || !strings.Contains(err.Error(), "function hello: image i: no container launcher") {
		t.Errorf("launch an image without a container launcher: %v, want an error naming it", err)
	}
	if listen, advertise := l.RuntimeAPIHosts(invoke.Function{Name: "hello", Image: "i"}); listen != "" || advertise != "" {
		t.Errorf("RuntimeAPIHosts = %q, %q; want empty", listen, advertise)
	}
	if got := procs.names(); got != "echo" {
		t.Errorf("process launcher launched %q, want echo", got)
	}
}

func TestImageFunctions(t *testing.T) {
	fns := []invoke.Function{{Name: "a", Command: []string{"x"}}, {Name: "b", Image: "i"}, {Name: "c", Image: "j", Command: []string{"h"}}}
	if got := strings.Join(imageFunctions(fns), " "); got != "b c" {
		t.Errorf("imageFunctions = %q, want b c", got)
	}
	if got := imageFunctions(fns[:1]); got != nil {
		t.Errorf("imageFunctions of processes = %q, want none", got)
	}
}
