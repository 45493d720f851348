package main

import "strings"

// harnessEnvPrefix starts the names of the harness's own environment
// settings. They configure the harness, not a function, so no runtime ever
// sees them.
const harnessEnvPrefix = "LAMBDA_HARNESS_"

// isHarnessEnv reports whether the environment variable name belongs to the
// harness — its settings or its secrets — and must therefore be kept from
// every function, even one that inherits the whole environment (rie mode,
// pass-env=*). This switch is the one list of them.
//
// LOG_LEVEL is deliberately not here: the harness reads it in rie mode, but
// runtimes and handlers read it too, as they do on AWS.
func isHarnessEnv(name string) bool {
	switch name {
	case
		// Broker credentials of the AMQP front door (the seed's run script
		// passes them to the emulator's container).
		"AMQP_URI", "AMQP_USERNAME", "AMQP_PASSWORD",
		// Concurrency of the emulator, not of the function.
		"MAX_CONCURRENCY", "AWS_LAMBDA_MAX_CONCURRENCY",
		// The harness sets the runtime's own Runtime API address; an
		// inherited one (an image started with it set) would point the
		// runtime elsewhere.
		"AWS_LAMBDA_RUNTIME_API":
		return true
	}
	return strings.HasPrefix(name, harnessEnvPrefix)
}

// hostEnv returns environ (KEY=value entries, as os.Environ gives them)
// without the harness's own variables: the host environment a launcher may
// pass on to runtimes. Malformed entries without '=' are dropped.
func hostEnv(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, ok := strings.Cut(kv, "=")
		if !ok || name == "" || isHarnessEnv(name) {
			continue
		}
		out = append(out, kv)
	}
	return out
}
