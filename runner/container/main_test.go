package container_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
	"github.com/lambda-harness/lambda-harness/runner/container"
)

// testDaemonPrefix starts the Daemon name of every launcher the tests
// make, so that TestMain can remove whatever a failed test left behind
// (and only that).
const testDaemonPrefix = "lambda-harness-test-"

// docker is the tests' own client of the engine, nil when there is none;
// dockerErr says why.
var (
	docker    *client.Client
	dockerErr error
)

func TestMain(m *testing.M) {
	os.Setenv(hostSecret, "must-not-leak")
	docker, dockerErr = connectDocker()
	if dockerErr != nil {
		fmt.Fprintf(os.Stderr, "\n*** runner/container: NO DOCKER ENGINE: %v\n*** the tests that need one are skipped (they fail with CI=true)\n\n", dockerErr)
	}
	code := m.Run()
	if docker != nil {
		removeTestContainers()
		removeTestImages()
		docker.Close()
	}
	testfunctions.Cleanup()
	removeHarnessBinary()
	os.Exit(code)
}

func connectDocker() (*client.Client, error) {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		cli.Close()
		return nil, err
	}
	return cli, nil
}

// requireDocker skips the test, loudly, when there is no Docker engine, and
// fails it in CI, where there must be one.
func requireDocker(t *testing.T) {
	t.Helper()
	if dockerErr == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no Docker engine (required in CI): %v", dockerErr)
	}
	t.Skipf("SKIPPED: no Docker engine: %v", dockerErr)
}

// newLauncher returns a launcher under a Daemon name of its own (New
// removes the containers of its name, and the tests run in parallel),
// closed at the end of the test.
func newLauncher(t *testing.T, cfg container.Config) *container.Launcher {
	t.Helper()
	requireDocker(t)
	if cfg.Daemon == "" {
		cfg.Daemon = testDaemonPrefix + strings.ToLower(rand.Text()[:10])
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	l, err := container.New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return l
}

// removeTestContainers removes every container of a test launcher that is
// still there: a test that failed half-way may leave one.
func removeTestContainers() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	list, err := docker.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", "lambda-harness.daemon"),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "list test containers: %v\n", err)
		return
	}
	for _, c := range list.Items {
		if strings.HasPrefix(c.Labels["lambda-harness.daemon"], testDaemonPrefix) {
			fmt.Fprintf(os.Stderr, "removing test container %v left behind\n", c.Names)
			docker.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		}
	}
}
