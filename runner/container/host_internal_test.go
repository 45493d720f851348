package container

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/moby/client"
)

func TestEngineHost(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("DOCKER_HOST", "")
	t.Setenv("DOCKER_CONTEXT", "")
	writeFile := func(path, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum := sha256.Sum256([]byte("desktop-linux"))
	writeFile(filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json"),
		`{"Name":"desktop-linux","Endpoints":{"docker":{"Host":"unix:///home/u/.docker/desktop/docker.sock"}}}`)

	if got := engineHost(""); got != client.DefaultDockerHost {
		t.Errorf("no configuration: %q", got)
	}
	writeFile(filepath.Join(dir, "config.json"), `{"currentContext":"desktop-linux"}`)
	if got := engineHost(""); got != "unix:///home/u/.docker/desktop/docker.sock" {
		t.Errorf("current context: %q", got)
	}
	t.Setenv("DOCKER_CONTEXT", "default")
	if got := engineHost(""); got != client.DefaultDockerHost {
		t.Errorf("DOCKER_CONTEXT=default: %q", got)
	}
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
	if got := engineHost(""); got != "tcp://127.0.0.1:2375" {
		t.Errorf("DOCKER_HOST: %q", got)
	}
	if got := engineHost("unix:///given.sock"); got != "unix:///given.sock" {
		t.Errorf("given: %q", got)
	}
}
