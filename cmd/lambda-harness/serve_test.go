package main

import (
	"errors"
	"flag"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// env returns a getenv over a fixed set of variables.
func env(kv ...string) func(string) string {
	m := make(map[string]string)
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// fn returns a function with the serve defaults and the given name and
// command, for expectations.
func fn(name string, command ...string) invoke.Function {
	return invoke.Function{Name: name, Command: command, Timeout: 3 * time.Second, MemoryMB: 128,
		Concurrency: 10, IdleTimeout: 10 * time.Minute}
}

func TestParseServe(t *testing.T) {
	base := daemonConfig{
		Listen: "127.0.0.1:8080", RuntimeAPI: "127.0.0.1:0", Region: "us-east-1", Account: "123456789012",
		LogFormat: "text", LogLevel: slog.LevelInfo, GracePeriod: 30 * time.Second,
		Containers: containerConfig{Daemon: "lambda-harness", DefaultMode: "direct"},
	}
	with := func(edit func(*daemonConfig)) daemonConfig {
		c := base
		edit(&c)
		return c
	}
	tests := []struct {
		name   string
		args   []string
		getenv func(string) string
		want   daemonConfig
	}{
		{
			name: "shorthand after --",
			args: []string{"--name", "echo", "--", "./bin/echo", "--verbose", "-x"},
			want: with(func(c *daemonConfig) { c.Functions = []invoke.Function{fn("echo", "./bin/echo", "--verbose", "-x")} }),
		},
		{
			name: "shorthand without -- stops at the command",
			args: []string{"--name", "echo", "./bin/echo", "--name", "other"},
			want: with(func(c *daemonConfig) {
				c.Functions = []invoke.Function{fn("echo", "./bin/echo", "--name", "other")}
			}),
		},
		{
			name: "shorthand name defaults to the generic name",
			args: []string{"--", "./bootstrap"},
			want: with(func(c *daemonConfig) { c.Functions = []invoke.Function{fn("function", "./bootstrap")} }),
		},
		{
			name: "shorthand with every setting",
			args: []string{"--name", "echo", "--timeout", "3s", "--memory", "256", "--concurrency", "4",
				"--queue", "40", "--idle-timeout", "1m", "--init-timeout", "5", "--handler", "h",
				"--runtime", "go", "--workdir", "/w", "--env", "K=V", "--env", "K2=V2", "--pass-env", "HOME",
				"--", "./bin/echo", "arg"},
			want: with(func(c *daemonConfig) {
				c.Functions = []invoke.Function{{Name: "echo", Command: []string{"./bin/echo", "arg"},
					Timeout: 3 * time.Second, MemoryMB: 256, Concurrency: 4, QueueSize: 40,
					IdleTimeout: time.Minute, InitTimeout: 5 * time.Second, Handler: "h", Runtime: "go",
					WorkingDir: "/w", Env: map[string]string{"K": "V", "K2": "V2"}, PassEnv: []string{"HOME"}}}
			}),
		},
		{
			name: "flags are the defaults of --function specs",
			args: []string{"--timeout", "10", "--memory", "512", "--concurrency", "2", "--queue", "-1",
				"--function", "name=a,cmd=./a", "--function", "name=b,timeout=1s,concurrency=8,cmd=./b x"},
			want: with(func(c *daemonConfig) {
				c.Functions = []invoke.Function{
					{Name: "a", Command: []string{"./a"}, Timeout: 10 * time.Second, MemoryMB: 512,
						Concurrency: 2, QueueSize: -1, IdleTimeout: 10 * time.Minute},
					{Name: "b", Command: []string{"./b", "x"}, Timeout: time.Second, MemoryMB: 512,
						Concurrency: 8, QueueSize: -1, IdleTimeout: 10 * time.Minute},
				}
			}),
		},
		{
			name: "--function and shorthand together",
			args: []string{"--function", "name=a,cmd=./a", "--name", "b", "--", "./b"},
			want: with(func(c *daemonConfig) { c.Functions = []invoke.Function{fn("a", "./a"), fn("b", "./b")} }),
		},
		{
			name: "daemon flags, double or single dash, = or space",
			args: []string{"--listen=127.0.0.1:0", "-runtime-api-addr", "0.0.0.0:9001", "--region", "eu-west-1",
				"--account", "000000000000", "--log-format", "json", "--log-level", "DEBUG",
				"--grace-period", "5", "--warm", "2", "--", "./fn"},
			want: daemonConfig{
				Listen: "127.0.0.1:0", RuntimeAPI: "0.0.0.0:9001", Region: "eu-west-1", Account: "000000000000",
				LogFormat: "json", LogLevel: slog.LevelDebug, GracePeriod: 5 * time.Second, Warm: 2,
				Functions:  []invoke.Function{fn("function", "./fn")},
				Containers: containerConfig{Daemon: "lambda-harness", DefaultMode: "direct"},
			},
		},
		{
			name: "container launcher flags",
			args: []string{"--docker-host", "tcp://127.0.0.1:2375", "--harness-binary", "/bin/sh",
				"--daemon-name", "ci-7", "--runtime-api", "emulator", "--function", "name=hello,image=hello-image"},
			getenv: env("DOCKER_HOST=unix:///elsewhere.sock"),
			want: with(func(c *daemonConfig) {
				c.Containers = containerConfig{Host: "tcp://127.0.0.1:2375", HarnessBinary: "/bin/sh", Daemon: "ci-7", DefaultMode: "emulator"}
				c.Functions = []invoke.Function{{Name: "hello", Image: "hello-image", Timeout: 3 * time.Second,
					MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute}}
			}),
		},
		{
			name:   "Docker host from DOCKER_HOST",
			args:   []string{"--", "./fn"},
			getenv: env("DOCKER_HOST=unix:///run/user/1000/docker.sock"),
			want: with(func(c *daemonConfig) {
				c.Containers.Host = "unix:///run/user/1000/docker.sock"
				c.Functions = []invoke.Function{fn("function", "./fn")}
			}),
		},
		{
			name:   "region from AWS_REGION",
			args:   []string{"--", "./fn"},
			getenv: env("AWS_REGION=ap-south-1", "AWS_DEFAULT_REGION=eu-north-1"),
			want: with(func(c *daemonConfig) {
				c.Region = "ap-south-1"
				c.Functions = []invoke.Function{fn("function", "./fn")}
			}),
		},
		{
			name:   "region from AWS_DEFAULT_REGION",
			args:   []string{"--", "./fn"},
			getenv: env("AWS_DEFAULT_REGION=eu-north-1"),
			want: with(func(c *daemonConfig) {
				c.Region = "eu-north-1"
				c.Functions = []invoke.Function{fn("function", "./fn")}
			}),
		},
		{
			name:   "--region beats AWS_REGION",
			args:   []string{"--region", "us-west-2", "--", "./fn"},
			getenv: env("AWS_REGION=ap-south-1"),
			want: with(func(c *daemonConfig) {
				c.Region = "us-west-2"
				c.Functions = []invoke.Function{fn("function", "./fn")}
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := tt.getenv
			if getenv == nil {
				getenv = env()
			}
			got, err := parseServe(tt.args, getenv)
			if err != nil {
				t.Fatalf("parseServe(%q): %v", tt.args, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseServe(%q)\n got %+v\nwant %+v", tt.args, got, tt.want)
			}
		})
	}
}

func TestParseServeErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no function", nil, "no function to serve: give -f FILE, --function SPEC"},
		{"unknown flag", []string{"--colour", "red", "--", "./fn"}, "flag provided but not defined: -colour"},
		{"duplicate name", []string{"--function", "name=a,cmd=./a", "--function", "name=a,cmd=./b"},
			`function "a" is defined twice: by --function and by --function`},
		{"duplicate name with shorthand", []string{"--function", "name=a,cmd=./a", "--name", "a", "--", "./b"},
			`function "a" is defined twice: by --function and by the command after the flags`},
		{"bad --runtime-api", []string{"--runtime-api", "socket", "--", "./fn"}, `--runtime-api "socket": want direct or emulator`},
		{"empty --daemon-name", []string{"--daemon-name", "", "--", "./fn"}, "--daemon-name: want a name"},
		{"missing functions file", []string{"-f", "/nonexistent/functions.yaml"}, "functions file: open /nonexistent/functions.yaml"},
		{"two functions files", []string{"-f", "a.yaml", "--functions-file", "b.yaml"}, "one functions file only, and a.yaml is given already"},
		{"image keys without image", []string{"--function", "name=a,runtime-api=emulator,cmd=./a"}, "runtime-api= applies to image functions only"},
		{"invalid --name", []string{"--name", "my fn", "--", "./fn"}, `--name "my fn" is not a valid function name`},
		{"bad spec", []string{"--function", "name=a,size=1,cmd=./a"}, `--function "name=a,size=1,cmd=./a": unknown key "size"`},
		{"spec without cmd", []string{"--function", "name=a"}, "no command"},
		{"--name without command", []string{"--name", "a"}, "--name configures the function given after --"},
		{"--env without command", []string{"--function", "name=a,cmd=./a", "--env", "K=V"}, "--env configures the function given after --"},
		{"bad --env", []string{"--env", "KV", "--", "./fn"}, `--env "KV": want KEY=VALUE`},
		{"bad --timeout", []string{"--timeout", "soon", "--", "./fn"}, `invalid value "soon" for flag -timeout`},
		{"--timeout over 15m", []string{"--timeout", "901", "--", "./fn"}, "--timeout 15m1s: want at most 15m"},
		{"--memory out of range", []string{"--memory", "64", "--", "./fn"}, "--memory 64: want 128 to 10240"},
		{"--concurrency 0", []string{"--concurrency", "0", "--", "./fn"}, "--concurrency 0: want at least 1"},
		{"--queue -2", []string{"--queue", "-2", "--", "./fn"}, "--queue -2"},
		{"--warm -1", []string{"--warm", "-1", "--", "./fn"}, "--warm -1"},
		{"bad --log-format", []string{"--log-format", "xml", "--", "./fn"}, `want "text" or "json"`},
		{"bad --log-level", []string{"--log-level", "loud", "--", "./fn"}, `log level "loud"`},
		{"bad --listen", []string{"--listen", "8080", "--", "./fn"}, `listen address "8080": want host:port`},
		{"bad --runtime-api-addr", []string{"--runtime-api-addr", "localhost", "--", "./fn"}, `runtime API address "localhost"`},
		{"bad --account", []string{"--account", "42", "--", "./fn"}, `account "42": want 12 digits`},
		{"bad --region", []string{"--region", "us east", "--", "./fn"}, `region "us east"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServe(tt.args, env())
			var u *usageError
			if !errors.As(err, &u) {
				t.Fatalf("parseServe(%q) = %v, want a *usageError", tt.args, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseServe(%q) = %q, want it to contain %q", tt.args, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), "lambda-harness serve --help") {
				t.Errorf("parseServe(%q) = %q, want it to point at serve's help", tt.args, err)
			}
		})
	}
}

func TestParseServeHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		t.Run(arg, func(t *testing.T) {
			if _, err := parseServe([]string{arg}, env()); !errors.Is(err, flag.ErrHelp) {
				t.Errorf("parseServe(%q) = %v, want flag.ErrHelp", arg, err)
			}
		})
	}
}
