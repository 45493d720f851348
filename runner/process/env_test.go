package process_test

import (
	"encoding/json"
	"testing"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner/process"
	"github.com/lambda-harness/lambda-harness/runner/runnertest"
)

// TestEnvironment checks what a runtime inherits from the host: in serve
// mode only the base variables and those the function names, in rie mode
// ("*") everything, the Lambda and function variables winning either way.
func TestEnvironment(t *testing.T) {
	host := []string{
		"PATH=/usr/bin:/bin", "HOME=/home/dev", "TZ=Europe/Paris", "LANG=C.UTF-8",
		"AMQP_PASSWORD=secret", "FOO=host", "IMAGE_VAR=from-image",
	}
	const absent = "(absent)"
	for _, c := range []struct {
		name    string
		passEnv []string
		want    map[string]string // absent: not set at all
	}{
		{"serve mode", nil, map[string]string{
			"PATH": "/usr/bin:/bin", "HOME": "/home/dev", "LANG": "C.UTF-8", "TZ": ":UTC",
			"AMQP_PASSWORD": absent, "IMAGE_VAR": absent, "FOO": "function",
		}},
		{"PassEnv by name", []string{"IMAGE_VAR"}, map[string]string{
			"HOME": "/home/dev", "IMAGE_VAR": "from-image", "AMQP_PASSWORD": absent,
		}},
		{"rie mode", []string{"*"}, map[string]string{
			"HOME": "/home/dev", "IMAGE_VAR": "from-image", "AMQP_PASSWORD": "secret",
			"FOO": "function", "TZ": ":UTC",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fn := function(t, "env")
			fn.PassEnv = c.passEnv
			fn.Env = map[string]string{"FOO": "function"}
			got := runtimeEnv(t, newLauncher(t, process.Config{HostEnv: host}), fn)
			for k, want := range c.want {
				if v, ok := got[k]; want == absent && ok {
					t.Errorf("runtime has %s=%q, want none", k, v)
				} else if want != absent && v != want {
					t.Errorf("runtime's %s = %q, want %q", k, v, want)
				}
			}
		})
	}
}

// runtimeEnv returns the environment the env test function sees.
func runtimeEnv(t *testing.T, l *process.Launcher, fn invoke.Function) map[string]string {
	t.Helper()
	r := launch(t, l, fn, `{}`)
	a := r.API.WaitAnswer(t, runnertest.Timeout)
	var env map[string]string
	if err := json.Unmarshal(a.Body, &env); err != nil {
		t.Fatalf("answer %s %s: %v", a.Kind, a.Body, err)
	}
	return env
}
