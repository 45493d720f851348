package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
	"github.com/lambda-harness/lambda-harness/internal/testutil"
)

// noEngine is a Docker host where no engine answers.
const noEngine = "unix:///nonexistent/docker.sock"

// TestServeProcessesNeedNoDocker serves a process function from a
// functions file with DOCKER_HOST pointing nowhere: Docker is contacted only
// for functions with an image, so this works on a machine without it.
func TestServeProcessesNeedNoDocker(t *testing.T) {
	t.Setenv("DOCKER_HOST", noEngine)
	echo := testfunctions.Build(t, "echo")
	dir := t.TempDir()
	if err := os.Symlink(echo, filepath.Join(dir, "echo")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "functions.yaml")
	if err := os.WriteFile(file, yamlLines("functions:", "  echo:", "    command: ./echo", "    concurrency: 2"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	h := startHarnessEnv(t, ctx, env("DOCKER_HOST="+noEngine), "serve", "--listen", "127.0.0.1:0", "-f", file,
		"--function", "name=echo2,cmd="+echo)
	for _, name := range []string{"echo", "echo2"} {
		if status, body := h.post(t, name, `{"n":1}`); status != http.StatusOK || body != `{"n":1}` {
			t.Errorf("invoke %s: %d %s, want 200 and the event back", name, status, body)
		}
	}
	stop()
	if err := h.wait(t, 30*time.Second); err != nil {
		t.Fatalf("run: %v\nstderr:\n%s", err, h.stderr.String())
	}
	if log := h.stderr.String(); strings.Contains(strings.ToLower(log), "docker") {
		t.Errorf("the harness's log mentions Docker though no function has an image:\n%s", log)
	}
}

// TestServeImageWithoutEngineFailsAtStart checks that an image function
// with no Docker engine to run it stops the harness at start, with a
// message that says why, and exit status 1.
func TestServeImageWithoutEngineFailsAtStart(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "functions.yaml")
	if err := os.WriteFile(file, yamlLines("functions:", "  hello:", "    image: lambda-harness/bash-example-wrapper"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		getenv func(string) string
		args   []string
	}{
		{"--docker-host", env(), []string{"--docker-host", noEngine, "--function", "name=hello,image=lambda-harness/bash-example-wrapper"}},
		{"DOCKER_HOST", env("DOCKER_HOST=" + noEngine), []string{"-f", file, "--function", "name=echo,cmd=/bin/true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr testutil.SyncBuffer
			start := time.Now()
			args := append([]string{"lambda-harness", "serve", "--listen", "127.0.0.1:0"}, tt.args...)
			err := run(t.Context(), args, tt.getenv, nil, &stdout, &stderr)
			if code := exitCode(err); code != 1 {
				t.Fatalf("run: %v (exit %d), want exit 1", err, code)
			}
			for _, want := range []string{"functions with an image (hello) need a Docker engine", "/nonexistent/docker.sock"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("run: %q, want it to say %q", err, want)
				}
			}
			if strings.Contains(stderr.String(), "msg=listening") {
				t.Errorf("the harness listened before failing:\n%s", stderr.String())
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("failing took %v, want at once", d)
			}
		})
	}
}
