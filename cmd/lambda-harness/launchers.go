package main

import (
	"context"
	"fmt"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// imageLauncher is what serve needs of the container launcher.
type imageLauncher interface {
	runner.Launcher
	runner.Addresser
}

// launchers is the runner's launcher when functions of both kinds are
// served: it sends each function to the launcher of its kind — one with an
// image to the container launcher, any other to the process launcher. It
// is safe for concurrent use, as both launchers are.
type launchers struct {
	process runner.Launcher
	// image is nil when no function has an image: then Docker is never
	// contacted.
	image imageLauncher
}

var (
	_ runner.Launcher  = launchers{}
	_ runner.Addresser = launchers{}
)

// Launch starts spec's function with the launcher of its kind.
func (l launchers) Launch(ctx context.Context, spec runner.Spec) (runner.Process, error) {
	if spec.Function.Image == "" {
		return l.process.Launch(ctx, spec)
	}
	if l.image == nil {
		// serve starts the container launcher whenever a function has an
		// image, so this is a wiring mistake.
		return nil, fmt.Errorf("function %s: image %s: no container launcher", spec.Function.Name, spec.Function.Image)
	}
	return l.image.Launch(ctx, spec)
}

// RuntimeAPIHosts is the container launcher's answer for an image
// function; a process function takes the runner's configured address.
func (l launchers) RuntimeAPIHosts(fn invoke.Function) (listen, advertise string) {
	if fn.Image == "" || l.image == nil {
		return "", ""
	}
	return l.image.RuntimeAPIHosts(fn)
}

// imageFunctions returns the names of the functions that have an image.
func imageFunctions(fns []invoke.Function) []string {
	var names []string
	for _, fn := range fns {
		if fn.Image != "" {
			names = append(names, fn.Name)
		}
	}
	return names
}
