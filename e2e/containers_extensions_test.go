//go:build e2e

package e2e

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// extImage is the echo function's image with the extension-go test
// program as its external extension ext-recorder
// (e2e/testdata/images/echo-extension), built by the test that uses it.
const extImage = imagePrefix + "echo-extension"

// TestContainerImageExtensions: in an image run with the emulator inside
// (runtime-api=emulator), the harness inside starts the executables of the
// image's /opt/extensions with the runtime; such an extension registers,
// and gets one INVOKE event per invocation with the request id the host
// harness gave it.
func TestContainerImageExtensions(t *testing.T) {
	t.Parallel()
	docker := requireDocker(t)
	buildExtImage(t, docker)
	h, daemon := startImageServe(t, "--function", "name=echo-ext,image="+extImage+",runtime-api=emulator,concurrency=1,timeout=30s")

	var ids []string
	for i := range 2 {
		payload := `{"n": ` + strconv.Itoa(i) + `}`
		r := h.invoke(t, "echo-ext", payload)
		r.wantOK(t, nil)
		if !jsonEqual(r.Body, []byte(payload)) {
			t.Errorf("invocation %d: body %s, want %s", i, r.Body, payload)
		}
		id := r.Header.Get("X-Amzn-Requestid")
		if id == "" {
			t.Fatalf("invocation %d: no X-Amzn-Requestid: %s", i, r)
		}
		ids = append(ids, id)
	}
	// What the extension prints reaches the function's log on the host.
	h.Stdout.mustWaitLine(t, "the extension's registration", logWait, contains("extension-go: registered as ext-recorder"))

	// The result may come back before the extension has recorded its
	// event: wait for both lines.
	c := onlyContainer(t, docker, daemon)
	var lines []string
	deadline := time.Now().Add(logWait)
	for {
		b, err := copyFileFromContainer(docker, c.ID, "/var/task/ext-recorder")
		if err == nil {
			lines = strings.Split(strings.TrimSpace(string(b)), "\n")
			if len(lines) >= len(ids) {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the extension recorded %q (%v) in the container, want %d INVOKE lines", lines, err, len(ids))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(lines) != len(ids) {
		t.Fatalf("the extension recorded %q, want %d INVOKE lines", lines, len(ids))
	}
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) != 4 || f[0] != "INVOKE" || f[1] != ids[i] {
			t.Errorf("extension event %d: %q, want INVOKE %s", i, line, ids[i])
		}
	}
}

// buildExtImage builds extImage from the echo image and the extension-go
// test program built static, removing the image a rebuild replaces.
func buildExtImage(t *testing.T, docker *client.Client) {
	t.Helper()
	ext := filepath.Join(t.TempDir(), "ext-recorder")
	if err := goBuildStatic(ext, "./testdata/functions/extension-go"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	old := imageID(ctx, docker, extImage)
	if err := dockerBuild(ctx, extImage, "echo-extension", map[string]string{"ext-recorder": ext}, "ECHO_IMAGE="+echoImage); err != nil {
		t.Fatal(err)
	}
	if old != "" && old != imageID(ctx, docker, extImage) {
		docker.ImageRemove(ctx, old, client.ImageRemoveOptions{PruneChildren: true})
	}
}

// copyFileFromContainer returns the content of the file path in the
// container id, as docker cp would copy it out.
func copyFileFromContainer(docker *client.Client, id, path string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := docker.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: path})
	if err != nil {
		return nil, err
	}
	defer res.Content.Close()
	tr := tar.NewReader(res.Content)
	for {
		hdr, err := tr.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("not in the archive")
			}
			return nil, err
		}
		if hdr.Typeflag == tar.TypeReg && filepath.Base(hdr.Name) == filepath.Base(path) {
			return io.ReadAll(tr)
		}
	}
}
