package main

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// fileLoader turns the decoded file into functions, with messages that
// say where a mistake is.
type fileLoader struct {
	file string // as the user named it
	dir  string // absolute
	lay  *fileLayout
}

// errorf returns an error at line of the file (no line if 0).
func (l *fileLoader) errorf(line int, format string, args ...any) error {
	if line <= 0 {
		return fmt.Errorf("%s: "+format, append([]any{l.file}, args...)...)
	}
	return fmt.Errorf("%s:%d: "+format, append([]any{l.file, line}, args...)...)
}

// fieldError returns an error about a field of the function fn ("" for the
// defaults) at the field's line, or the function's if the field has none.
func (l *fileLoader) fieldError(fn, field, format string, args ...any) error {
	return l.errorf(l.lay.function(fn).fieldLine(field), "%s: "+format, append([]any{sectionName(fn)}, args...)...)
}

func sectionName(fn string) string {
	if fn == "" {
		return "defaults"
	}
	return fmt.Sprintf("function %q", fn)
}

// checkDefaults rejects what only a function may say: what it runs.
func (l *fileLoader) checkDefaults(d fileSpec) error {
	for _, k := range []struct {
		field string
		set   bool
	}{{"command", d.Command != nil}, {"image", d.Image != ""}, {"entrypoint", d.Entrypoint != nil}, {"remote", d.Remote}} {
		if k.set {
			return l.fieldError("", k.field, "%s: give it per function, not in defaults", k.field)
		}
	}
	return l.checkSpec("", d)
}

// checkSpec checks the values of one function's (or the defaults') own
// keys, each on its own.
func (l *fileLoader) checkSpec(fn string, s fileSpec) error {
	durations := []struct {
		field string
		d     *seconds
		max   time.Duration
	}{
		{"timeout", s.Timeout, invoke.MaxTimeout},
		{"idle-timeout", s.IdleTimeout, 0},
		{"init-timeout", s.InitTimeout, 0},
	}
	for _, d := range durations {
		if d.d != nil && d.max > 0 && time.Duration(*d.d) > d.max {
			return l.fieldError(fn, d.field, "%s %s: want at most %s", d.field, formatDuration(time.Duration(*d.d)), formatDuration(d.max))
		}
	}
	if s.Memory != nil && (*s.Memory < invoke.MinMemoryMB || *s.Memory > invoke.MaxMemoryMB) {
		return l.fieldError(fn, "memory", "memory %d: want %d to %d", *s.Memory, invoke.MinMemoryMB, invoke.MaxMemoryMB)
	}
	if s.Concurrency != nil && *s.Concurrency < 1 {
		return l.fieldError(fn, "concurrency", "concurrency %d: want at least 1", *s.Concurrency)
	}
	if s.Queue != nil && *s.Queue < -1 {
		return l.fieldError(fn, "queue", "queue %d: want -1 (no waiting), 0 (the default) or more", *s.Queue)
	}
	if s.RuntimeAPI != "" && s.RuntimeAPI != invoke.RuntimeAPIDirect && s.RuntimeAPI != invoke.RuntimeAPIEmulator {
		return l.fieldError(fn, "runtime-api", "runtime-api %q: want %s or %s", s.RuntimeAPI, invoke.RuntimeAPIDirect, invoke.RuntimeAPIEmulator)
	}
	if s.Emulator != "" && s.Emulator != invoke.EmulatorHarness && s.Emulator != invoke.EmulatorImage {
		return l.fieldError(fn, "emulator", "emulator %q: want %s or %s", s.Emulator, invoke.EmulatorHarness, invoke.EmulatorImage)
	}
	if s.Emulator != "" && s.RuntimeAPI == invoke.RuntimeAPIDirect {
		return l.fieldError(fn, "emulator", "emulator %s: applies with runtime-api: %s, not %s", s.Emulator, invoke.RuntimeAPIEmulator, s.RuntimeAPI)
	}
	if s.Command != nil && len(s.Command) == 0 {
		return l.fieldError(fn, "command", "command: empty")
	}
	if s.Entrypoint != nil && len(s.Entrypoint) == 0 {
		return l.fieldError(fn, "entrypoint", "entrypoint: empty")
	}
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		if !invoke.ValidEnvName(k) {
			return l.fieldError(fn, "env", "env: variable name %q: want letters, digits and '_', not starting with a digit", k)
		}
	}
	if _, ok := s.Env[execWrapperEnv]; ok && s.ExecWrapper != "" {
		return l.fieldError(fn, "exec-wrapper", "exec-wrapper and env %s both given: give one", execWrapperEnv)
	}
	for _, p := range s.PassEnv {
		if p == "" {
			return l.fieldError(fn, "pass-env", "pass-env: empty name: want a variable name or \"*\"")
		}
	}
	return nil
}

// function builds the function name of the file from its own keys s, the
// file's defaults d and base.
func (l *fileLoader) function(name string, s, d fileSpec, base invoke.Function) (invoke.Function, error) {
	pos := l.lay.function(name)
	if !invoke.ValidName(name) {
		return invoke.Function{}, l.errorf(pos.line, "function %q: not a valid function name: want 1 to 64 letters, digits, '-' or '_'", name)
	}
	if err := l.checkSpec(name, s); err != nil {
		return invoke.Function{}, err
	}
	isImage := s.Image != ""
	switch {
	case s.Command == nil && !isImage:
		return invoke.Function{}, l.errorf(pos.line, "function %q: nothing to run: give command (a local process) or image (a container image)", name)
	case !isImage && s.Entrypoint != nil:
		return invoke.Function{}, l.fieldError(name, "entrypoint", "entrypoint: applies to image functions only")
	case !isImage && s.RuntimeAPI != "":
		return invoke.Function{}, l.fieldError(name, "runtime-api", "runtime-api: applies to image functions only")
	case !isImage && s.Emulator != "":
		return invoke.Function{}, l.fieldError(name, "emulator", "emulator: applies to image functions only")
	case isImage && s.ExtensionsDir != "":
		return invoke.Function{}, l.fieldError(name, "extensions-dir", "extensions-dir: applies to process functions only: an image's extensions are its /opt/extensions")
	}

	fn := base
	fn.Name = name
	fn.Command = s.Command
	fn.Image = s.Image
	fn.Entrypoint = s.Entrypoint
	fn.Handler = orString(s.Handler, d.Handler)
	fn.Runtime = orString(s.Runtime, d.Runtime)
	fn.Description = orString(s.Description, d.Description)
	fn.WorkingDir = orString(s.Workdir, d.Workdir)
	fn.Env = mergeEnv(d.Env, s.Env)
	fn.PassEnv = mergeList(d.PassEnv, s.PassEnv)
	if v := firstSet(s.Timeout, d.Timeout); v != nil {
		fn.Timeout = time.Duration(*v)
	}
	if v := firstSet(s.IdleTimeout, d.IdleTimeout); v != nil {
		fn.IdleTimeout = time.Duration(*v)
	}
	if v := firstSet(s.InitTimeout, d.InitTimeout); v != nil {
		fn.InitTimeout = time.Duration(*v)
	}
	if v := firstSet(s.Memory, d.Memory); v != nil {
		fn.MemoryMB = int(*v)
	}
	if v := firstSet(s.Concurrency, d.Concurrency); v != nil {
		fn.Concurrency = int(*v)
	}
	if v := firstSet(s.Queue, d.Queue); v != nil {
		fn.QueueSize = int(*v)
	}
	wrapper := orString(s.ExecWrapper, d.ExecWrapper)
	if _, own := s.Env[execWrapperEnv]; own {
		wrapper = "" // the function's own env beats the defaults' exec-wrapper
	}

	if isImage {
		// Paths are inside the image, so they stay as written. The Runtime
		// API settings (the defaults' too) apply to images only; naming an
		// emulator asks for emulator mode unless a runtime-api as close to
		// the function or closer says otherwise.
		fn.Emulator = orString(s.Emulator, d.Emulator)
		switch {
		case s.RuntimeAPI != "":
			fn.RuntimeAPI = s.RuntimeAPI
		case s.Emulator != "":
			fn.RuntimeAPI = invoke.RuntimeAPIEmulator
		case d.RuntimeAPI != "":
			fn.RuntimeAPI = d.RuntimeAPI
		case d.Emulator != "":
			fn.RuntimeAPI = invoke.RuntimeAPIEmulator
		}
		if fn.WorkingDir != "" && !strings.HasPrefix(fn.WorkingDir, "/") {
			return invoke.Function{}, l.fieldError(name, "workdir", "workdir %q: want an absolute path inside the image", fn.WorkingDir)
		}
	} else {
		fn.Command = slices.Clone(fn.Command)
		if strings.Contains(fn.Command[0], "/") {
			fn.Command[0] = l.resolve(fn.Command[0])
		}
		if fn.WorkingDir != "" {
			fn.WorkingDir = l.resolve(fn.WorkingDir)
		}
		if wrapper != "" {
			wrapper = l.resolve(wrapper)
		}
		if dir := orString(s.ExtensionsDir, d.ExtensionsDir); dir != "" {
			fn.ExtensionsDir = l.resolve(dir)
		}
	}
	if wrapper != "" {
		if fn.Env == nil {
			fn.Env = make(map[string]string)
		}
		fn.Env[execWrapperEnv] = wrapper
	}
	if err := fn.Validate(); err != nil {
		// checkSpec and the checks above should have caught it.
		return invoke.Function{}, l.errorf(pos.line, "function %q: %v", name, err)
	}
	return fn, nil
}

// remoteKeys are the keys a remote function may have: what a gateway needs
// to know of a function that runs elsewhere.
var remoteKeys = []string{"remote", "timeout", "description"}

// remoteFunction builds the function name of the file declared remote:
// true, from its own keys only (the defaults are for the functions served
// here). Its timeout is 0 when not given: the gateway's --gateway-timeout.
func (l *fileLoader) remoteFunction(name string, s fileSpec) (invoke.Function, error) {
	pos := l.lay.function(name)
	if !invoke.ValidName(name) {
		return invoke.Function{}, l.errorf(pos.line, "function %q: not a valid function name: want 1 to 64 letters, digits, '-' or '_'", name)
	}
	for _, k := range pos.fields {
		if !slices.Contains(remoteKeys, k.key) {
			return invoke.Function{}, l.errorf(k.line, "function %q: %s: a remote function (remote: true) runs elsewhere; "+
				"it takes only %s", name, k.key, strings.Join(remoteKeys, ", "))
		}
	}
	if err := l.checkSpec(name, s); err != nil {
		return invoke.Function{}, err
	}
	fn := invoke.Function{Name: name, Description: s.Description}
	if s.Timeout != nil {
		fn.Timeout = time.Duration(*s.Timeout)
	}
	return fn, nil
}

// resolve makes a relative path relative to the file's directory.
func (l *fileLoader) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(l.dir, p)
}

// orString returns a if it is not empty, else b.
func orString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// firstSet returns the first of a and b that is not nil.
func firstSet[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// mergeEnv returns the defaults' variables with the function's on top.
func mergeEnv(defaults, own map[string]string) map[string]string {
	if len(defaults) == 0 && len(own) == 0 {
		return nil
	}
	env := make(map[string]string, len(defaults)+len(own))
	maps.Copy(env, defaults)
	maps.Copy(env, own)
	return env
}

// mergeList returns the defaults' names followed by the function's, once
// each.
func mergeList(defaults, own []string) []string {
	var out []string
	for _, s := range append(slices.Clone(defaults), own...) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
