//go:build e2e

package e2e

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// The container tests (build tag e2e, which make test sets) run the
// harness with real Docker containers: inside an image as its
// aws-lambda-rie, and on the host driving Docker in both Runtime API
// modes. Their images are built once per test process, on first use, from
// this working tree, under names of their own, and kept between runs
// (rebuilding unchanged files is cached and takes seconds):
//
//	lambda-harness-test/e2e-harness               docker/build-images.sh harness
//	lambda-harness-test/e2e-echo-go               docker/build-images.sh echo-go
//	lambda-harness-test/e2e-bash-example-wrapper  docker/build-images.sh bash-example-wrapper
//	lambda-harness-test/e2e-sleep                 e2e/testdata/images/sleep
//	lambda-harness-test/e2e-echo-rie              e2e/testdata/images/echo-rie
//
// An image that a rebuild replaces is removed. Remove them all with
//
//	docker images --format '{{.Repository}}' 'lambda-harness-test/e2e-*' | xargs -r docker rmi
//
// The base images (lambda-harness/debian-python:bookworm, lambda-harness/busybox)
// are made by docker/build-base-images.sh when missing: about a minute, once
// (CI's .ci/run has made them already).
const (
	imagePrefix  = "lambda-harness-test/e2e-"
	harnessImage = imagePrefix + "harness"
	echoImage    = imagePrefix + "echo-go"
	wrapperImage = imagePrefix + "bash-example-wrapper"
	sleepImage   = imagePrefix + "sleep"
	rieImage     = imagePrefix + "echo-rie"
)

// Labels the harness puts on its containers (runner/container).
const (
	labelDaemon   = "lambda-harness.daemon"
	labelFunction = "lambda-harness.function"
	labelInstance = "lambda-harness.instance"
)

// containerEnv is what the container tests share, made once by
// setupContainers.
var containerEnv struct {
	once sync.Once
	// docker is the tests' own client of the engine.
	docker *client.Client
	// staticBin is the harness built with CGO_ENABLED=0: the one that runs
	// inside containers (the host harness, harnessBin, may be built with
	// the race detector, which needs cgo).
	staticBin string
	// noDocker says why there is no engine to test with: the tests skip,
	// or fail in CI.
	noDocker error
	// err is a failure to prepare what the tests need.
	err error
}

// requireDocker returns the tests' Docker client once the static harness
// and the images exist. Without an engine it skips the test loudly, or
// fails it when CI=true.
func requireDocker(t *testing.T) *client.Client {
	t.Helper()
	e := &containerEnv
	e.once.Do(setupContainers)
	if e.noDocker != nil {
		missing(t, "no Docker engine: %v", e.noDocker)
	}
	if e.err != nil {
		t.Fatalf("container tests: %v", e.err)
	}
	return e.docker
}

// setupContainers connects to the engine, builds the static harness and
// builds the images.
func setupContainers() {
	e := &containerEnv
	// The reaper (ryuk) is an image pulled from a registry, which machines
	// without one cannot do; every test terminates its containers itself.
	os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	// The tests publish ports on 127.0.0.1 and invoke localhost:8080, so
	// the engine must run on this machine. testcontainers-go guesses
	// otherwise when it finds /.dockerenv (tests in a container next to
	// the engine's) and looks for the ports at the default gateway.
	if _, ok := os.LookupEnv("TESTCONTAINERS_HOST_OVERRIDE"); !ok {
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		e.noDocker = fmt.Errorf("no docker command: %w", err)
		return
	}
	cli, err := client.New(client.FromEnv)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
		cancel()
		if err != nil {
			cli.Close()
		}
	}
	if err != nil {
		e.noDocker = err
		fmt.Fprintf(os.Stderr, "\n*** e2e: NO DOCKER ENGINE: %v\n*** the container tests are skipped (they fail with CI=true)\n\n", err)
		return
	}
	e.docker = cli
	removeStaleContainers(cli)
	// Next to harnessBin, in the directory TestMain removes.
	dir := filepath.Join(filepath.Dir(harnessBin), "static")
	e.staticBin = filepath.Join(dir, "lambda-harness")
	sleepBin := filepath.Join(dir, "sleep")
	if err := goBuildStatic(e.staticBin, "./cmd/lambda-harness"); err != nil {
		e.err = err
		return
	}
	if err := goBuildStatic(sleepBin, "./testdata/functions/sleep"); err != nil {
		e.err = err
		return
	}
	e.err = buildImages(cli, e.staticBin, sleepBin)
}

// testLabel marks the containers the tests run themselves (not through a
// harness), with the value "true".
const testLabel = "lambda-harness-e2e"

// daemonPrefix starts the daemon name of every harness the tests start.
const daemonPrefix = "lambda-harness-e2e-"

// removeStaleContainers removes what an earlier test process left behind
// when it was killed before its cleanups ran: containers of the tests'
// harnesses and of the tests themselves, made more than an hour ago (a
// test process running now may own younger ones).
func removeStaleContainers(cli *client.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, label := range []string{labelDaemon, testLabel} {
		list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", label)})
		if err != nil {
			return
		}
		for _, c := range list.Items {
			stale := time.Since(time.Unix(c.Created, 0)) > time.Hour
			if stale && (label == testLabel || strings.HasPrefix(c.Labels[labelDaemon], daemonPrefix)) {
				fmt.Fprintf(os.Stderr, "e2e: removing container %.12s %v left by an earlier run\n", c.ID, c.Names)
				removeContainer(cli, c.ID)
			}
		}
	}
}

// goBuildStatic builds the package pkg of the module into out with cgo
// off, so that it runs in any image.
func goBuildStatic(out, pkg string) error {
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// buildImages builds the tests' images (see imagePrefix), removing those a
// rebuild replaces.
func buildImages(cli *client.Client, harness, sleep string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	busybox := envOr("LAMBDA_HARNESS_BUSYBOX_IMAGE", "lambda-harness/busybox")
	if imageID(ctx, cli, busybox) == "" {
		fmt.Fprintf(os.Stderr, "e2e: base image %s missing: docker/build-base-images.sh busybox (about a minute)\n", busybox)
		if err := run(ctx, nil, filepath.Join(moduleRoot, "docker", "build-base-images.sh"), "busybox"); err != nil {
			return err
		}
	}
	tags := []string{harnessImage, echoImage, wrapperImage, sleepImage, rieImage}
	before := make(map[string]string)
	for _, tag := range tags {
		before[tag] = imageID(ctx, cli, tag)
	}
	// build-images.sh makes the Debian base image the wrapper's image
	// needs first, if it is missing.
	err := run(ctx, []string{"LAMBDA_HARNESS_BIN=" + harness, "LAMBDA_HARNESS_PREFIX=" + imagePrefix},
		filepath.Join(moduleRoot, "docker", "build-images.sh"), "harness", "echo-go", "bash-example-wrapper")
	if err == nil {
		err = dockerBuild(ctx, sleepImage, "sleep", map[string]string{
			"bootstrap":            sleep,
			"lambda-entrypoint.sh": filepath.Join(moduleRoot, "docker", "lambda-entrypoint.sh"),
		}, "BASE_IMAGE="+busybox)
	}
	if err == nil {
		err = dockerBuild(ctx, rieImage, "echo-rie", nil,
			"BASE_IMAGE="+busybox, "HARNESS_IMAGE="+harnessImage, "ECHO_IMAGE="+echoImage)
	}
	for _, tag := range tags {
		if old := before[tag]; old != "" && old != imageID(ctx, cli, tag) {
			// Replaced: remove it, unless a container still uses it.
			cli.ImageRemove(ctx, old, client.ImageRemoveOptions{PruneChildren: true})
		}
	}
	return err
}

// dockerBuild builds tag from e2e/testdata/images/NAME/Dockerfile in a
// context holding files (name in the context → path on the host).
func dockerBuild(ctx context.Context, tag, name string, files map[string]string, buildArgs ...string) error {
	dir, err := os.MkdirTemp("", "lambda-harness-e2e-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for to, from := range files {
		b, err := os.ReadFile(from)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o755); err != nil {
			return err
		}
	}
	args := []string{"build", "-q", "-t", tag, "-f", filepath.Join(moduleRoot, "e2e", "testdata", "images", name, "Dockerfile")}
	for _, a := range buildArgs {
		args = append(args, "--build-arg", a)
	}
	return run(ctx, nil, "docker", append(args, dir)...)
}

// run runs a command with extra environment variables and returns its
// output in the error if it fails.
func run(ctx context.Context, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

// imageID returns the id of the image ref, "" if there is none.
func imageID(ctx context.Context, cli *client.Client, ref string) string {
	img, err := cli.ImageInspect(ctx, ref)
	if err != nil {
		return ""
	}
	return img.ID
}

// envOr returns the environment variable name, or def when it is unset
// or empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// newDaemonName returns a --daemon-name of a test's own: a harness removes
// at start the containers of its name, and the tests run in parallel.
func newDaemonName() string {
	return daemonPrefix + strings.ToLower(rand.Text()[:10])
}

// startImageServe starts a host harness serving image functions (args are
// serve's flags) under a daemon name of its own, with the static harness
// to mount as the emulator inside images. It returns the harness and its
// daemon name. Once the harness has been stopped — SIGTERM, at the latest
// by the test's cleanup — no container with its label may be left: the
// cleanup checks, and removes any.
func startImageServe(t *testing.T, args ...string) (*harness, string) {
	t.Helper()
	docker := requireDocker(t)
	daemon := newDaemonName()
	// Registered before the harness's own cleanup, so run after it.
	t.Cleanup(func() { checkNoContainers(t, docker, daemon) })
	h := startServe(t, append(containerServeFlags(daemon), args...)...)
	return h, daemon
}

// containerServeFlags are serve's flags for a harness driving Docker.
func containerServeFlags(daemon string) []string {
	return []string{"--daemon-name", daemon, "--harness-binary", containerEnv.staticBin}
}

// checkNoContainers fails the test if any container labelled with daemon
// exists, in any state, and removes it.
func checkNoContainers(t *testing.T, docker *client.Client, daemon string) {
	t.Helper()
	for _, c := range containersOf(t, docker, daemon, true) {
		t.Errorf("container %s (%s, function %s) of harness %s is left after the harness stopped",
			c.ID[:12], c.State, c.Labels[labelFunction], daemon)
		removeContainer(docker, c.ID)
	}
}

// containerInfo is what the tests look at in a container of the harness.
type containerInfo struct {
	ID, State string
	Labels    map[string]string
}

// containersOf lists the containers labelled with daemon: all of them, or
// only the running ones.
func containersOf(t *testing.T, docker *client.Client, daemon string, all bool) []containerInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	list, err := docker.ContainerList(ctx, client.ContainerListOptions{
		All:     all,
		Filters: make(client.Filters).Add("label", labelDaemon+"="+daemon),
	})
	if err != nil {
		t.Fatalf("list the containers of %s: %v", daemon, err)
	}
	out := make([]containerInfo, 0, len(list.Items))
	for _, c := range list.Items {
		out = append(out, containerInfo{ID: c.ID, State: string(c.State), Labels: c.Labels})
	}
	return out
}

// onlyContainer returns the one running container of daemon, failing the
// test if there is not exactly one.
func onlyContainer(t *testing.T, docker *client.Client, daemon string) containerInfo {
	t.Helper()
	cs := containersOf(t, docker, daemon, false)
	if len(cs) != 1 {
		t.Fatalf("%d running containers of harness %s, want 1: %v", len(cs), daemon, cs)
	}
	return cs[0]
}

// waitContainerGone waits until the container id no longer exists.
func waitContainerGone(t *testing.T, docker *client.Client, id string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		in, err := docker.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
		cancel()
		if cerrdefs.IsNotFound(err) {
			return
		}
		if time.Now().After(deadline) {
			state := "?"
			if err == nil && in.Container.State != nil {
				state = string(in.Container.State.Status)
			}
			t.Fatalf("container %.12s still exists (%s, %v) %s later", id, state, err, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// removeContainer removes a container whatever its state.
func removeContainer(docker *client.Client, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	docker.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
}
