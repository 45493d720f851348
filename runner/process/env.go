package process

import "strings"

// defaultPath is the runtime's PATH when the host has none, the one Lambda
// sets for custom runtimes minus its /opt and /var paths.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// baseHostVars are the host variables every runtime inherits: without them
// ordinary programs (shells, interpreters, curl) misbehave.
var baseHostVars = []string{"PATH", "HOME", "TZ", "LANG"}

// buildEnv returns the runtime's environment: from host only baseHostVars
// and the variables named in passEnv (all of host if passEnv contains "*",
// for rie mode, where an image's ENV lines reach the runtime through the
// host environment), then spec on top, so the Lambda variables and the
// function's own win over the host's. Later duplicates replace earlier
// ones; the order of first appearance is kept.
func buildEnv(host, passEnv, spec []string) []string {
	var e envList
	all := false
	wanted := make(map[string]bool, len(baseHostVars)+len(passEnv))
	for _, k := range baseHostVars {
		wanted[k] = true
	}
	for _, k := range passEnv {
		if k == "*" {
			all = true
		}
		wanted[k] = true
	}
	for _, kv := range host {
		k, _, ok := strings.Cut(kv, "=")
		if ok && (all || wanted[k]) {
			e.set(kv)
		}
	}
	for _, kv := range spec {
		if strings.Contains(kv, "=") {
			e.set(kv)
		}
	}
	if _, ok := e.get("PATH"); !ok {
		e.set("PATH=" + defaultPath)
	}
	return e.kvs
}

// envList is an environment as KEY=value with unique keys.
type envList struct {
	kvs   []string
	index map[string]int
}

func (e *envList) set(kv string) {
	k, _, _ := strings.Cut(kv, "=")
	if e.index == nil {
		e.index = make(map[string]int)
	}
	if i, ok := e.index[k]; ok {
		e.kvs[i] = kv
		return
	}
	e.index[k] = len(e.kvs)
	e.kvs = append(e.kvs, kv)
}

func (e *envList) get(k string) (string, bool) {
	i, ok := e.index[k]
	if !ok {
		return "", false
	}
	_, v, _ := strings.Cut(e.kvs[i], "=")
	return v, true
}

// lookupEnv returns the value of k in env (KEY=value), the last one wins.
func lookupEnv(env []string, k string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if key, v, ok := strings.Cut(env[i], "="); ok && key == k {
			return v, true
		}
	}
	return "", false
}
