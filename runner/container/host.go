package container

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/moby/moby/client"
)

// engineHost returns the Docker host to connect to: host if set, else as
// the docker CLI finds it: DOCKER_HOST, else the endpoint of the docker
// context named by DOCKER_CONTEXT or by the CLI's configuration (Docker
// Desktop on Linux and Colima make theirs current), else the default
// socket.
func engineHost(host string) string {
	if host != "" {
		return host
	}
	if h := os.Getenv(client.EnvOverrideHost); h != "" {
		return h
	}
	if h := contextHost(); h != "" {
		return h
	}
	return client.DefaultDockerHost
}

// contextHost returns the Docker endpoint of the current docker context, or
// "" for the default context or when there is none. The layout is the
// docker CLI's: $DOCKER_CONFIG (default ~/.docker)/config.json names the
// context, and contexts/meta/<sha256 of the name>/meta.json holds it.
func contextHost() string {
	dir := os.Getenv("DOCKER_CONFIG")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".docker")
	}
	name := os.Getenv("DOCKER_CONTEXT")
	if name == "" {
		var cfg struct{ CurrentContext string }
		if b, err := os.ReadFile(filepath.Join(dir, "config.json")); err == nil {
			json.Unmarshal(b, &cfg) // unreadable: the default context
		}
		name = cfg.CurrentContext
	}
	if name == "" || name == "default" {
		return ""
	}
	sum := sha256.Sum256([]byte(name))
	b, err := os.ReadFile(filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]), "meta.json"))
	if err != nil {
		return ""
	}
	var meta struct {
		Endpoints map[string]struct{ Host string }
	}
	if json.Unmarshal(b, &meta) != nil {
		return ""
	}
	return meta.Endpoints["docker"].Host
}
