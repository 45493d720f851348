package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// A function spec configures one function in a single command-line value:
//
//	name=echo,timeout=3s,memory=128,env=K=V,env=K2=V2,cmd=./bin/echo arg1 "arg 2"
//	name=hello,image=lambda-harness/bash-example-wrapper,runtime-api=emulator
//
// Items are key=value and separated by commas. cmd must be the last item:
// it takes the rest of the spec, commas included, and is split into words
// like a shell does (see splitWords). Any other value that needs a comma
// can be quoted whole: env="GREETING=hello, world". env and pass-env may
// be repeated; every other key may be given once.

// specKey describes one key of a function spec, for the parser and the
// usage text.
type specKey struct {
	name   string
	arg    string
	usage  string
	repeat bool
}

// specKeys returns the keys of a function spec in the order the usage text
// lists them.
func specKeys() []specKey {
	return []specKey{
		{name: "name", arg: "NAME", usage: "function name: 1 to 64 letters, digits, '-' or '_' (required)"},
		{name: "timeout", arg: "DURATION", usage: "time one invocation may run, at most 15m (default --timeout)"},
		{name: "memory", arg: "MB", usage: "memory size, 128 to 10240 (default --memory)"},
		{name: "concurrency", arg: "N", usage: "most instances at once (default --concurrency)"},
		{name: "queue", arg: "N", usage: "invocations that may wait before 429, -1 for none (default --queue)"},
		{name: "idle-timeout", arg: "DURATION", usage: "life of an idle instance (default --idle-timeout)"},
		{name: "init-timeout", arg: "DURATION", usage: "launch to the first /next (default --init-timeout)"},
		{name: "handler", arg: "HANDLER", usage: "the handler, given to the runtime as _HANDLER"},
		{name: "runtime", arg: "RUNTIME", usage: "informational runtime name, e.g. python3.12"},
		{name: "description", arg: "TEXT", usage: "informational description"},
		{name: "env", arg: "KEY=VALUE", usage: "environment variable of the function", repeat: true},
		{name: "pass-env", arg: "NAME", usage: `host variable the runtime may inherit, "*" for all`, repeat: true},
		{name: "workdir", arg: "DIR", usage: "working directory (default: the harness's, or the image's)"},
		{name: "extensions-dir", arg: "DIR", usage: "external extensions: every executable in DIR starts before the runtime\n(process functions; images use their /opt/extensions)"},
		{name: "exec-wrapper", arg: "PATH", usage: "sets " + execWrapperEnv + ": the runtime starts through this program"},
		{name: "image", arg: "IMAGE", usage: "container image that runs the function; cmd= is then optional\nand overrides the image's CMD"},
		{name: "entrypoint", arg: "COMMAND", usage: "overrides the image's ENTRYPOINT, split like a shell does"},
		{name: "runtime-api", arg: "MODE", usage: "how the image's runtime reaches the Runtime API: direct or emulator\n(default --runtime-api)"},
		{name: "emulator", arg: "WHICH", usage: "the emulator inside the image in emulator mode: harness (this binary,\nthe default) or image (its own); implies runtime-api=emulator"},
		{name: "cmd", arg: "COMMAND ARGS...", usage: "runtime command, split like a shell does (required without image=; last)"},
	}
}

// parseFunctionSpec parses a function spec (see above) on top of defaults,
// which holds the settings a spec may omit (from the flags --timeout,
// --memory, ...), and validates the result.
func parseFunctionSpec(spec string, defaults invoke.Function) (invoke.Function, error) {
	known := make(map[string]specKey)
	for _, k := range specKeys() {
		known[k.name] = k
	}
	fn := defaults
	fn.Env = nil
	fn.PassEnv = nil
	seen := make(map[string]bool)
	rest := spec
	for rest != "" {
		var key, value string
		var err error
		key, value, rest, err = nextSpecItem(rest)
		if err != nil {
			return invoke.Function{}, err
		}
		if key == "" && value == "" {
			continue // an empty item, e.g. a trailing comma
		}
		k, ok := known[key]
		if !ok {
			return invoke.Function{}, fmt.Errorf("unknown key %q; known keys: %s", key, knownKeys())
		}
		if seen[key] && !k.repeat {
			return invoke.Function{}, fmt.Errorf("key %q given twice", key)
		}
		seen[key] = true
		if key == "env" && strings.HasPrefix(value, execWrapperEnv+"=") {
			seen["env "+execWrapperEnv] = true
		}
		if err := setSpecKey(&fn, key, value); err != nil {
			return invoke.Function{}, fmt.Errorf("%s: %w", key, err)
		}
	}
	if !seen["name"] {
		return invoke.Function{}, fmt.Errorf("no name: add name=NAME")
	}
	if !seen["cmd"] && !seen["image"] {
		return invoke.Function{}, fmt.Errorf("function %s: no command: end the spec with cmd=COMMAND ARGS..., or give image=IMAGE", fn.Name)
	}
	if seen["exec-wrapper"] && seen["env "+execWrapperEnv] {
		return invoke.Function{}, fmt.Errorf("function %s: exec-wrapper= and env=%s=... both given: give one", fn.Name, execWrapperEnv)
	}
	if err := checkImageKeys(&fn, seen); err != nil {
		return invoke.Function{}, fmt.Errorf("function %s: %w", fn.Name, err)
	}
	if err := fn.Validate(); err != nil {
		return invoke.Function{}, err
	}
	return fn, nil
}

// nextSpecItem splits the first key=value item off s. The value of cmd is
// the rest of s; a value that begins with a quote ends at the matching
// quote, which must be followed by a comma or the end. An empty item gives
// an empty key and value.
func nextSpecItem(s string) (key, value, rest string, err error) {
	key, after, ok := strings.Cut(s, "=")
	if !ok || strings.Contains(key, ",") {
		item, rest, _ := strings.Cut(s, ",")
		if strings.TrimSpace(item) == "" {
			return "", "", rest, nil
		}
		return "", "", "", fmt.Errorf("item %q: want key=value", item)
	}
	key = strings.TrimSpace(key)
	switch {
	case key == "cmd":
		return key, after, "", nil
	case after != "" && (after[0] == '"' || after[0] == '\''):
		end := strings.IndexByte(after[1:], after[0])
		if end < 0 {
			return "", "", "", fmt.Errorf("%s: unterminated quote", key)
		}
		value, rest = after[1:1+end], strings.TrimLeft(after[2+end:], " \t")
		if rest != "" && rest[0] != ',' {
			return "", "", "", fmt.Errorf("%s: want a comma after the closing quote", key)
		}
		return key, value, strings.TrimPrefix(rest, ","), nil
	default:
		value, rest, _ = strings.Cut(after, ",")
		return key, value, rest, nil
	}
}

// setSpecKey sets one key of a function spec on fn.
func setSpecKey(fn *invoke.Function, key, value string) error {
	var err error
	switch key {
	case "name":
		if !invoke.ValidName(value) {
			return fmt.Errorf("%q is not a valid function name: want 1 to 64 letters, digits, '-' or '_'", value)
		}
		fn.Name = value
	case "timeout":
		fn.Timeout, err = parseSeconds(value)
	case "idle-timeout":
		fn.IdleTimeout, err = parseSeconds(value)
	case "init-timeout":
		fn.InitTimeout, err = parseSeconds(value)
	case "memory":
		fn.MemoryMB, err = parseCount(value, 0)
	case "concurrency":
		fn.Concurrency, err = parseCount(value, 0)
	case "queue":
		fn.QueueSize, err = parseCount(value, -1)
	case "handler":
		fn.Handler = value
	case "runtime":
		fn.Runtime = value
	case "description":
		fn.Description = value
	case "workdir":
		fn.WorkingDir = value
	case "extensions-dir":
		fn.ExtensionsDir = value
	case "exec-wrapper":
		if value == "" {
			return fmt.Errorf("want a path")
		}
		if fn.Env == nil {
			fn.Env = make(map[string]string)
		}
		fn.Env[execWrapperEnv] = value
	case "image":
		if value == "" {
			return fmt.Errorf("want an image name")
		}
		fn.Image = value
	case "entrypoint":
		fn.Entrypoint, err = splitWords(value)
		if err == nil && len(fn.Entrypoint) == 0 {
			err = fmt.Errorf("empty entrypoint")
		}
	case "runtime-api":
		if value != invoke.RuntimeAPIDirect && value != invoke.RuntimeAPIEmulator {
			return fmt.Errorf("%q: want %s or %s", value, invoke.RuntimeAPIDirect, invoke.RuntimeAPIEmulator)
		}
		fn.RuntimeAPI = value
	case "emulator":
		if value != invoke.EmulatorHarness && value != invoke.EmulatorImage {
			return fmt.Errorf("%q: want %s or %s", value, invoke.EmulatorHarness, invoke.EmulatorImage)
		}
		fn.Emulator = value
	case "env":
		err = addEnv(fn, value)
	case "pass-env":
		if value == "" {
			return fmt.Errorf("want a variable name or *")
		}
		fn.PassEnv = append(fn.PassEnv, value)
	case "cmd":
		fn.Command, err = splitWords(value)
		if err == nil && len(fn.Command) == 0 {
			err = fmt.Errorf("empty command")
		}
	}
	return err
}

// checkImageKeys checks the keys of a spec that only images take, and
// makes emulator= imply runtime-api=emulator. seen holds the keys given.
func checkImageKeys(fn *invoke.Function, seen map[string]bool) error {
	if fn.Image == "" {
		for _, k := range []string{"entrypoint", "runtime-api", "emulator"} {
			if seen[k] {
				return fmt.Errorf("%s= applies to image functions only: add image=IMAGE", k)
			}
		}
		return nil
	}
	switch {
	case fn.Emulator != "" && fn.RuntimeAPI == invoke.RuntimeAPIDirect:
		return fmt.Errorf("emulator=%s applies with runtime-api=%s, not %s", fn.Emulator, invoke.RuntimeAPIEmulator, fn.RuntimeAPI)
	case fn.Emulator != "":
		fn.RuntimeAPI = invoke.RuntimeAPIEmulator // naming an emulator asks for one
	}
	if fn.WorkingDir != "" && !strings.HasPrefix(fn.WorkingDir, "/") {
		return fmt.Errorf("workdir=%s: want an absolute path inside the image", fn.WorkingDir)
	}
	return nil
}

// addEnv adds one KEY=VALUE to fn's environment; a later value for the
// same key wins, as in a shell.
func addEnv(fn *invoke.Function, kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: want KEY=VALUE", kv)
	}
	if fn.Env == nil {
		fn.Env = make(map[string]string)
	}
	fn.Env[k] = v
	return nil
}

// parseCount parses a whole number no smaller than lowest.
func parseCount(s string, lowest int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	if n < lowest {
		return 0, fmt.Errorf("%d: want at least %d", n, lowest)
	}
	return n, nil
}

func knownKeys() string {
	var names []string
	for _, k := range specKeys() {
		names = append(names, k.name)
	}
	return strings.Join(names, ", ")
}
