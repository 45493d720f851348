package container

import (
	"context"
	"fmt"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/client"
)

// pull is one pull of an image under way; everyone who needs the image
// waits for the same one.
type pull struct {
	done chan struct{}
	err  error // set before done is closed
}

// image returns the configuration of the image ref, pulling the image
// first if it is not present.
func (l *Launcher) image(ctx context.Context, ref string) (*dockerspec.DockerOCIImageConfig, error) {
	img, err := l.cli.ImageInspect(ctx, ref)
	if isNotFound(err) {
		if err := l.pull(ctx, ref); err != nil {
			return nil, fmt.Errorf("image %s is not present locally and could not be pulled: %w", ref, err)
		}
		img, err = l.cli.ImageInspect(ctx, ref)
	}
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", ref, err)
	}
	if img.Config == nil {
		return &dockerspec.DockerOCIImageConfig{}, nil
	}
	return img.Config, nil
}

// pull pulls ref, or waits for the pull of it under way. The pull itself
// belongs to the launcher, not to the caller: it goes on if ctx ends, for
// the others waiting and the next launch, and ends with Close.
func (l *Launcher) pull(ctx context.Context, ref string) error {
	l.mu.Lock()
	p, ok := l.pulls[ref]
	if !ok {
		if l.closed {
			l.mu.Unlock()
			return errClosed
		}
		p = &pull{done: make(chan struct{})}
		l.pulls[ref] = p
		l.wg.Add(1)
		go l.runPull(ref, p)
	}
	l.mu.Unlock()
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *Launcher) runPull(ref string, p *pull) {
	defer l.wg.Done()
	l.log.Info("pulling image", "image", ref)
	resp, err := l.cli.ImagePull(l.ctx, ref, client.ImagePullOptions{})
	if err == nil {
		err = resp.Wait(l.ctx)
	}
	if err != nil {
		l.log.Warn("cannot pull image", "image", ref, "error", err)
	} else {
		l.log.Info("pulled image", "image", ref)
	}
	l.mu.Lock()
	delete(l.pulls, ref)
	l.mu.Unlock()
	p.err = err
	close(p.done)
}
