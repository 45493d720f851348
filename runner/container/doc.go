// Package container is a runner.Launcher that runs each execution
// environment as a Docker container of the function's image, over the
// Docker Engine API. It is the only package that imports the Docker SDK.
//
// Containers follow Lambda's image semantics: the image's ENTRYPOINT and
// CMD run (CMD is the handler), each overridable per function, as is the
// working directory; the environment is the image's ENV with the Lambda
// variables and the function's own on top, and nothing from the harness's
// host; the memory limit is the function's memory size. Every container is
// labelled with the harness (Config.Daemon), the function and the instance,
// is removed when its instance ends, and a harness that starts removes what
// a previous run under the same name left behind.
//
// A runtime reaches the Runtime API in one of two ways, per function:
//
//   - direct (the default): AWS_LAMBDA_RUNTIME_API points at the instance's
//     listener on the host. The listener binds the Docker bridge's gateway
//     address, which containers reach and nothing beyond this host does
//     (see Launcher.RuntimeAPIHosts); on Docker Desktop it binds loopback
//     and containers use host.docker.internal. It is the default because
//     it works with any image whose entrypoint execs the runtime when
//     AWS_LAMBDA_RUNTIME_API is set (the AWS base images and the seed's
//     entrypoint do), costs no emulator hop per invocation, and gives the
//     harness the Runtime API itself: streaming, extensions, its own error
//     contract.
//   - emulator: AWS_LAMBDA_RUNTIME_API is left unset, so the image's
//     entrypoint starts its emulator, /usr/local/bin/aws-lambda-rie; either
//     this harness's own binary bind-mounted there (Emulator "harness") or
//     the one the image carries (Emulator "image", perhaps the real
//     aws-lambda-rie). The emulator's port 8080 is published on loopback
//     only and every invocation is forwarded to it over the Invoke API
//     (runner.Forwarder). The real aws-lambda-rie knows only the function
//     name "function", so that is the name used for Emulator "image".
//
// The container's output is read through an attachment made before it
// starts, demultiplexed and split into lines; its exit is Done only once
// the output has been read to the end and the container removed. Its peak
// memory comes from its cgroup where the engine runs on this host, else
// from the engine's stats (see memory.go for why not a stats call per
// invocation).
//
// The Docker SDK is github.com/moby/moby/client, the one testcontainers-go
// uses. It negotiates the API version with the engine, down to API 1.40
// (Docker 19.03), so Debian's Docker 20.10 (API 1.41) is served.
package container
