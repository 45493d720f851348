//go:build e2e

package e2e

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// TestContainerImageEmulator: an image that carries an RIE-compatible
// emulator of its own (emulator=image) is reached through the name
// "function", whatever name the caller used. The emulator in
// lambda-harness-test/e2e-echo-rie is the harness, told a name no caller
// uses (see its Dockerfile), so it answers only to "function", as the real
// aws-lambda-rie does.
func TestContainerImageEmulator(t *testing.T) {
	t.Parallel()
	docker := requireDocker(t)
	h, daemon := startImageServe(t, "--function", "name=echo-rie,image="+rieImage+",emulator=image")
	for _, name := range []string{"echo-rie", "function", "echo-rie:$LATEST"} {
		payload := `{"key": "value", "name": "` + name + `"}`
		r := h.invoke(t, name, payload)
		r.wantOK(t, nil)
		if !jsonEqual(r.Body, []byte(payload)) {
			t.Errorf("invoked as %s: body %s, want %s", name, r.Body, payload)
		}
	}
	h.Stdout.mustWaitLine(t, "the emulator inside listening", logWait, contains("functions=[rie-inside]"))

	// The premise: the emulator inside does not know the caller's name.
	c := onlyContainer(t, docker, daemon)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, err := docker.ContainerInspect(ctx, c.ID, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Container.Mounts) != 0 {
		t.Errorf("emulator=image: the container has mounts %v, want none (the image's own emulator)", in.Container.Mounts)
	}
	var port string
	if ns := in.Container.NetworkSettings; ns != nil {
		for _, b := range ns.Ports[network.MustParsePort("8080/tcp")] {
			if !b.HostIP.IsLoopback() {
				t.Errorf("the emulator's port is published on %v, want loopback only", b.HostIP)
			}
			port = b.HostPort
		}
	}
	if port == "" {
		t.Fatalf("the emulator's port 8080 is not published")
	}
	inside := &harness{URL: "http://" + net.JoinHostPort("127.0.0.1", port)}
	inside.invoke(t, "echo-rie", `{}`).wantServiceError(t, http.StatusNotFound, "ResourceNotFoundException")
}
