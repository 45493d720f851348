package container

import (
	"crypto/rand"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
)

// Where an emulator lives in a Lambda image: AWS base images and the
// entrypoints written for them run it when AWS_LAMBDA_RUNTIME_API is unset.
const (
	emulatorPath = "/usr/local/bin/aws-lambda-rie"
	emulatorPort = "8080/tcp"
)

// containerSpec is what ContainerCreate is given.
type containerSpec struct {
	name   string
	config *container.Config
	host   *container.HostConfig
}

// containerSpec builds the container for spec; emulator is "" in direct
// mode.
func (l *Launcher) containerSpec(spec runner.Spec, emulator string, img *dockerspec.DockerOCIImageConfig) (*containerSpec, error) {
	fn := spec.Function
	cmd := fn.Command
	if len(cmd) == 0 {
		// Given explicitly because Docker drops the image's CMD when
		// ENTRYPOINT is overridden; on Lambda the two are overridden
		// independently, and CMD is the handler.
		cmd = img.Cmd
	}
	cfg := &container.Config{
		Image:        fn.Image,
		Entrypoint:   fn.Entrypoint, // nil keeps the image's
		Cmd:          cmd,
		WorkingDir:   fn.WorkingDir, // "" keeps the image's
		Env:          containerEnv(spec.Env, fn, emulator, cmd),
		AttachStdout: true,
		AttachStderr: true,
		Labels: map[string]string{
			labelDaemon:   l.daemon,
			labelFunction: fn.Name,
			labelInstance: spec.InstanceID,
		},
	}
	mem := int64(fn.MemoryMB) << 20
	hc := &container.HostConfig{
		// Memory and swap equal: no swap, so the limit is the function's
		// memory size, as on Lambda.
		Resources: container.Resources{Memory: mem, MemorySwap: mem},
		// The name Docker Desktop gives the host, given on Linux engines
		// too, so that functions can use one name everywhere.
		ExtraHosts: []string{"host.docker.internal:host-gateway"},
		// The output is read through the attachment; a log file would only
		// cost disk writes, and goes with the container anyway.
		LogConfig: container.LogConfig{Type: "none"},
	}
	if emulator != "" {
		port := network.MustParsePort(emulatorPort)
		cfg.ExposedPorts = network.PortSet{port: {}}
		// Loopback only, on a port the engine picks: nothing beyond this
		// host may invoke the function behind the harness's back.
		hc.PortBindings = network.PortMap{port: {{HostIP: netip.AddrFrom4([4]byte{127, 0, 0, 1})}}}
	}
	if emulator == invoke.EmulatorHarness {
		bin, err := l.harnessBinary()
		if err != nil {
			return nil, err
		}
		hc.Mounts = []mount.Mount{{Type: mount.TypeBind, Source: bin, Target: emulatorPath, ReadOnly: true}}
	}
	return &containerSpec{name: containerName(fn.Name, spec.InstanceID), config: cfg, host: hc}, nil
}

// containerEnv is the container's environment on top of the image's ENV,
// which Docker applies: the runner's Lambda environment, less
// AWS_LAMBDA_RUNTIME_API under an emulator (whose absence is what makes an
// entrypoint start the emulator), plus what the emulator reads. Nothing
// comes from the harness's own environment. _HANDLER defaults to the last
// word of CMD, the handler of a Lambda image.
func containerEnv(env []string, fn invoke.Function, emulator string, cmd []string) []string {
	out := make([]string, 0, len(env)+8)
	idx := make(map[string]int, len(env)+8)
	set := func(kv string) {
		k, _, _ := strings.Cut(kv, "=")
		if i, ok := idx[k]; ok {
			out[i] = kv // one value per name: Docker keeps duplicates
			return
		}
		idx[k] = len(out)
		out = append(out, kv)
	}
	for _, kv := range env {
		if emulator != "" && strings.HasPrefix(kv, "AWS_LAMBDA_RUNTIME_API=") {
			continue
		}
		set(kv)
	}
	if _, ok := idx["_HANDLER"]; !ok && len(cmd) > 0 {
		set("_HANDLER=" + cmd[len(cmd)-1])
	}
	if emulator != "" {
		// Both this harness and aws-lambda-rie read these.
		set("AWS_LAMBDA_FUNCTION_NAME=" + fn.Name)
		set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(fn.MemoryMB))
		// Whole seconds, rounded up: the harness outside enforces the
		// exact timeout, the emulator inside must not beat it.
		set("AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(int(math.Ceil(fn.Timeout.Seconds()))))
	}
	if emulator == invoke.EmulatorHarness {
		// One environment is one runtime, as the harness outside counts
		// them; and the harness outside prints START/END/REPORT, so the
		// one inside prints the function's output only.
		set("MAX_CONCURRENCY=1")
		set("LAMBDA_HARNESS_LOG_FORMAT=raw")
	}
	return out
}

// containerName is lambda-harness-<function>-<short id>, the short id
// taken from the instance id so that a container and its log lines are
// easy to match.
func containerName(function, instanceID string) string {
	var id []byte
	for i := 0; i < len(instanceID) && len(id) < 12; i++ {
		if c := instanceID[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			id = append(id, c)
		}
	}
	if len(id) < 8 {
		id = []byte(strings.ToLower(rand.Text()[:12]))
	}
	return "lambda-harness-" + function + "-" + string(id)
}

// emulatorName is the function name the emulator inside knows: the real
// one for this harness, "function" for an image's own, which may be the
// real aws-lambda-rie.
func emulatorName(fn invoke.Function, emulator string) string {
	if emulator == invoke.EmulatorHarness {
		return fn.Name
	}
	return "function"
}

// harnessBinary returns the absolute path of the binary to mount as the
// image's emulator.
func (l *Launcher) harnessBinary() (string, error) {
	bin := l.harness
	if bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("harness binary to mount as %s: %w", emulatorPath, err)
		}
		bin = exe
	}
	bin, err := filepath.Abs(bin)
	if err == nil {
		bin, err = filepath.EvalSymlinks(bin)
	}
	if err == nil {
		var fi os.FileInfo
		if fi, err = os.Stat(bin); err == nil && !fi.Mode().IsRegular() {
			err = fmt.Errorf("not a regular file")
		}
	}
	if err != nil {
		return "", fmt.Errorf("harness binary to mount as %s: %w", emulatorPath, err)
	}
	return bin, nil
}
