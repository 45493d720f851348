package container_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
)

// testImagePrefix names the images the tests build; TestMain removes them.
const testImagePrefix = "lambda-harness-test/"

// The test images are built from the static test functions, FROM scratch,
// with no registry: once per test binary, on first use.
var images = struct {
	mu    sync.Mutex
	built map[string]*builtImage
}{built: make(map[string]*builtImage)}

type builtImage struct {
	once sync.Once
	err  error
}

// testImage returns the tag of the test image name, building it on first
// use:
//
//   - a test function's name: its binary as /var/task/bootstrap, the
//     ENTRYPOINT;
//   - "multi": the env function as the ENTRYPOINT /var/task/bootstrap, echo
//     as /var/task/echo, CMD, ENV and WORKDIR set;
//   - "rie-mounted": ENTRYPOINT /usr/local/bin/aws-lambda-rie, which the
//     image lacks (the launcher mounts the harness there), CMD the echo
//     function, error and context as /var/task/error and
//     /var/task/context;
//   - "rie-baked": the same with the harness binary in the image, a
//     stand-in for an image that carries its own aws-lambda-rie.
func testImage(t *testing.T, name string) string {
	t.Helper()
	requireDocker(t)
	tag := testImagePrefix + name + ":latest"
	files := map[string]string{} // path in the build context → host file
	dockerfile := "FROM scratch\nCOPY bootstrap /var/task/bootstrap\nENTRYPOINT [\"/var/task/bootstrap\"]\n"
	switch name {
	case "multi":
		files["bootstrap"] = testfunctions.Build(t, "env")
		files["echo"] = testfunctions.Build(t, "echo")
		dockerfile = "FROM scratch\nCOPY bootstrap echo /var/task/\n" +
			"ENV IMAGE_VAR=from-image OVERRIDDEN=image\nWORKDIR /var/task\n" +
			"ENTRYPOINT [\"/var/task/bootstrap\"]\nCMD [\"image.handler\"]\n"
	case "rie-mounted", "rie-baked":
		files["bootstrap"] = testfunctions.Build(t, "echo")
		files["error"] = testfunctions.Build(t, "error")
		files["context"] = testfunctions.Build(t, "context")
		dockerfile = "FROM scratch\nCOPY bootstrap error context /var/task/\n"
		if name == "rie-baked" {
			files["aws-lambda-rie"] = harnessBinary(t)
			dockerfile += "COPY aws-lambda-rie /usr/local/bin/aws-lambda-rie\n"
		}
		dockerfile += "ENTRYPOINT [\"/usr/local/bin/aws-lambda-rie\"]\nCMD [\"/var/task/bootstrap\"]\n"
	default:
		files["bootstrap"] = testfunctions.Build(t, name)
	}

	images.mu.Lock()
	b, ok := images.built[tag]
	if !ok {
		b = &builtImage{}
		images.built[tag] = b
	}
	images.mu.Unlock()
	b.once.Do(func() { b.err = buildImage(tag, dockerfile, files) })
	if b.err != nil {
		t.Fatalf("build test image %s: %v", tag, b.err)
	}
	return tag
}

// buildImage builds and tags an image from a Dockerfile and files, sent as
// a tar build context.
func buildImage(tag, dockerfile string, files map[string]string) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, mode int64, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: mode, Size: int64(len(data)), ModTime: time.Now()}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	if err := add("Dockerfile", 0o644, []byte(dockerfile)); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := os.ReadFile(files[name])
		if err != nil {
			return err
		}
		if err := add(name, 0o755, data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	res, err := docker.ImageBuild(ctx, &buf, client.ImageBuildOptions{Tags: []string{tag}, Remove: true, ForceRemove: true})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var out strings.Builder
	dec := json.NewDecoder(res.Body)
	for {
		var msg struct {
			Stream string
			Error  string `json:"error"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		out.WriteString(msg.Stream)
		if msg.Error != "" {
			return fmt.Errorf("%s\n%s", msg.Error, out.String())
		}
	}
}

// removeTestImages removes the images the tests built.
func removeTestImages() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	images.mu.Lock()
	defer images.mu.Unlock()
	for tag := range images.built {
		if _, err := docker.ImageRemove(ctx, tag, client.ImageRemoveOptions{Force: true, PruneChildren: true}); err != nil {
			fmt.Fprintf(os.Stderr, "remove test image %s: %v\n", tag, err)
		}
	}
}

// The harness binary, built once per test binary for the emulator tests.
var harness struct {
	once sync.Once
	dir  string
	err  error
}

// harnessBinary returns a static Linux build of cmd/lambda-harness.
func harnessBinary(t *testing.T) string {
	t.Helper()
	harness.once.Do(func() {
		harness.dir, harness.err = os.MkdirTemp("", "lambda-harness-bin-")
		if harness.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(harness.dir, "lambda-harness"), "./cmd/lambda-harness")
		cmd.Dir = filepath.Join("..", "..")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
		if out, err := cmd.CombinedOutput(); err != nil {
			harness.err = fmt.Errorf("go build ./cmd/lambda-harness: %v\n%s", err, out)
		}
	})
	if harness.err != nil {
		t.Fatalf("harness binary: %v", harness.err)
	}
	return filepath.Join(harness.dir, "lambda-harness")
}

func removeHarnessBinary() {
	if harness.dir != "" {
		os.RemoveAll(harness.dir)
	}
}
