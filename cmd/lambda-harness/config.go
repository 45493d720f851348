package main

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/server"
)

// daemonConfig is what both modes, serve and rie, resolve their flags and
// environment to: one engine, two ways to configure it.
type daemonConfig struct {
	// Listen is the Invoke API's address; port 0 picks a free port, which
	// the "listening" log line reports.
	Listen string
	// RuntimeAPI is where the instances' Runtime API listeners bind
	// (runner.Config.ListenAddr).
	RuntimeAPI string
	// Region and Account make the functions' ARNs.
	Region  string
	Account string
	// LogFormat ("text" or "json") is the format of the harness's log and
	// of the function log; LogLevel filters the harness's log.
	LogFormat string
	LogLevel  slog.Level
	// GracePeriod bounds a graceful stop: in-flight invocations and queued
	// events get this long before the instances are killed.
	GracePeriod time.Duration
	// Warm is how many instances of each function to start at startup.
	Warm int
	// Functions are the functions to serve, validated.
	Functions []invoke.Function
	// Containers configures the container launcher, which serve starts
	// only when a function has an image.
	Containers containerConfig
	// AMQP is the broker: the functions' queues and the gateway. Its zero
	// value is none.
	AMQP amqpConfig
	// DebugAddr, if set, is where Go's profiling endpoints are served.
	DebugAddr string
}

// containerConfig is what the container launcher is told (see
// newContainerLauncher).
type containerConfig struct {
	// Host is the Docker engine's address; "" for the engine's usual one.
	Host string
	// HarnessBinary is the static Linux binary mounted into images as
	// their emulator; "" for this executable.
	HarnessBinary string
	// Daemon names this harness in its containers' labels.
	Daemon string
	// DefaultMode is the Runtime API mode of image functions that do not
	// choose one: invoke.RuntimeAPIDirect or invoke.RuntimeAPIEmulator.
	DefaultMode string
}

// Defaults shared by the modes.
const (
	defaultRegion      = server.DefaultRegion
	defaultAccount     = server.DefaultAccount
	defaultRuntimeAPI  = "127.0.0.1:0"
	defaultGracePeriod = 30 * time.Second
	defaultDaemonName  = "lambda-harness"
)

// checkCommon checks the settings both modes share, so that a mistake is
// a usage error at once rather than a failure after the engine started.
func checkCommon(cfg daemonConfig) error {
	for _, a := range []struct{ flag, addr string }{
		{"listen address", cfg.Listen},
		{"runtime API address", cfg.RuntimeAPI},
	} {
		if _, _, err := net.SplitHostPort(a.addr); err != nil {
			return fmt.Errorf("%s %q: want host:port, e.g. 127.0.0.1:8080", a.flag, a.addr)
		}
	}
	if !validRegion(cfg.Region) {
		return fmt.Errorf("region %q: want letters, digits and '-', e.g. us-east-1", cfg.Region)
	}
	if !invoke.ValidAccount(cfg.Account) {
		return fmt.Errorf("account %q: want 12 digits", cfg.Account)
	}
	return nil
}

func validRegion(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// envOr returns the value of the first of names that is set and not empty,
// else def.
func envOr(getenv func(string) string, def string, names ...string) string {
	for _, n := range names {
		if v := getenv(n); v != "" {
			return v
		}
	}
	return def
}
