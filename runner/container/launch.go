package container

import (
	"context"
	"errors"
	"fmt"

	"github.com/moby/moby/client"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// errClosed is Launch's error once the launcher is closed.
var errClosed = errors.New("container launcher: closed")

// Launch starts a container of the function's image (pulled first if it
// is not present) and returns once it runs; in emulator mode, once its
// emulator accepts connections, and the Process is then a
// runner.Forwarder. ctx bounds only the start: the container lives on
// until Kill or its own exit, and is removed then.
//
// An image that is missing and cannot be pulled, an entrypoint that does
// not exist in the image, an emulator that exits before it listens: each
// is an error that says so, and leaves no container behind.
func (l *Launcher) Launch(ctx context.Context, spec runner.Spec) (runner.Process, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	spec.Function = spec.Function.WithDefaults()
	fn := spec.Function
	if fn.Image == "" {
		return nil, fmt.Errorf("function %s: no image: the container launcher runs images only", fn.Name)
	}
	mode, emulator := l.modeOf(fn)
	if mode == invoke.RuntimeAPIDirect && l.hosts.err != nil {
		return nil, fmt.Errorf("function %s: runtime api mode %s: %w", fn.Name, mode, l.hosts.err)
	}
	img, err := l.image(ctx, fn.Image)
	if err != nil {
		return nil, err
	}
	cs, err := l.containerSpec(spec, emulator, img)
	if err != nil {
		return nil, err
	}
	if !l.track() {
		return nil, errClosed
	}
	e, err := l.start(ctx, spec, cs)
	if err != nil {
		l.wg.Done()
		return nil, err
	}
	if !l.register(e) {
		e.Kill()
		return nil, errClosed
	}
	if emulator == "" {
		return e, nil
	}
	em, err := e.awaitEmulator(ctx, emulatorName(fn, emulator))
	if err != nil {
		e.Kill()
		return nil, err
	}
	return em, nil
}

// modeOf returns the function's Runtime API mode and, in emulator mode,
// which emulator runs inside ("" in direct mode).
func (l *Launcher) modeOf(fn invoke.Function) (mode, emulator string) {
	mode = fn.RuntimeAPI
	if mode == "" {
		mode = l.mode
	}
	if mode != invoke.RuntimeAPIEmulator {
		return invoke.RuntimeAPIDirect, ""
	}
	emulator = fn.Emulator
	if emulator == "" {
		emulator = invoke.EmulatorHarness
	}
	return mode, emulator
}

// start creates the container, attaches to its output and starts it. The
// attachment comes first, as in docker run, so that no output is lost. On
// failure nothing is left behind; on success the environment's goroutine
// owns the count that track added.
func (l *Launcher) start(ctx context.Context, spec runner.Spec, cs *containerSpec) (*environment, error) {
	image := spec.Function.Image
	created, err := l.cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:       cs.name,
		Config:     cs.config,
		HostConfig: cs.host,
	})
	if err != nil {
		return nil, fmt.Errorf("create a container of image %s: %w", image, err)
	}
	id := created.ID
	log := l.log.With("function", spec.Function.Name, "instance_id", spec.InstanceID, "container", cs.name)
	for _, w := range created.Warnings {
		log.Debug("docker warns", "warning", w)
	}
	cleanup := func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(l.ctx), opTimeout)
		defer cancel()
		if err := l.remove(ctx, id); err != nil {
			log.Warn("cannot remove a container that failed to start", "error", err)
		}
	}
	att, err := l.cli.ContainerAttach(ctx, id, client.ContainerAttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("attach to the container of image %s: %w", image, err)
	}
	if _, err := l.cli.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		att.Close()
		cleanup()
		return nil, fmt.Errorf("start a container of image %s: %w", image, err)
	}
	e := newEnvironment(l, spec, id, log)
	log.Debug("container started", "id", id[:12])
	go e.run(att.HijackedResponse)
	return e, nil
}

// register adds a running environment to those Close kills; false if the
// launcher was closed meanwhile.
func (l *Launcher) register(e *environment) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return false
	}
	l.live[e] = struct{}{}
	return true
}

// forget removes an environment that is gone.
func (l *Launcher) forget(e *environment) {
	l.mu.Lock()
	delete(l.live, e)
	l.mu.Unlock()
}
