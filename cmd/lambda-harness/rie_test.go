package main

import (
	"errors"
	"flag"
	"io/fs"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// statIn returns a stat function over a fake file system holding files
// (paths without the leading slash), for the bootstrap lookup.
func statIn(files ...string) func(string) (fs.FileInfo, error) {
	fsys := fstest.MapFS{}
	for _, f := range files {
		fsys[f] = &fstest.MapFile{Mode: 0o755}
	}
	return func(name string) (fs.FileInfo, error) {
		return fs.Stat(fsys, strings.TrimPrefix(name, "/"))
	}
}

// rieFn returns rie mode's default function with command, for expectations.
func rieFn(command ...string) invoke.Function {
	f := invoke.Function{Name: "test_function", Command: command, PassEnv: []string{"*"},
		Timeout: 300 * time.Second, MemoryMB: 3008, Concurrency: 1}
	if len(command) > 1 {
		f.Handler = command[len(command)-1]
	}
	return f
}

func TestParseRIE(t *testing.T) {
	base := daemonConfig{
		Listen: "0.0.0.0:8080", RuntimeAPI: "127.0.0.1:9001", Region: "us-east-1", Account: "123456789012",
		LogFormat: "text", LogLevel: slog.LevelInfo, GracePeriod: 5 * time.Second,
	}
	with := func(f invoke.Function, edit func(*daemonConfig)) daemonConfig {
		c := base
		c.Functions = []invoke.Function{f}
		if edit != nil {
			edit(&c)
		}
		return c
	}
	withFn := func(f invoke.Function, edit func(*invoke.Function)) invoke.Function {
		edit(&f)
		return f
	}
	tests := []struct {
		name   string
		args   []string
		getenv func(string) string
		stat   func(string) (fs.FileInfo, error)
		want   daemonConfig
	}{
		{
			name: "python runtime keeps its -m; the last argument is the handler",
			args: []string{"python3", "-m", "awslambdaric", "app.handler"},
			want: with(rieFn("python3", "-m", "awslambdaric", "app.handler"), nil),
		},
		{
			name: "the seed's wrapper command",
			args: []string{"/opt/wrapper", "python3", "-m", "awslambdaric", "lambda_function.handler"},
			want: with(rieFn("/opt/wrapper", "python3", "-m", "awslambdaric", "lambda_function.handler"), nil),
		},
		{
			name: "flags before the command, in both spellings",
			args: []string{"--runtime-interface-emulator-address=127.0.0.1:9000", "-runtime-api-address", "127.0.0.1:0",
				"--log-level", "debug", "--enable-init-caching", "./bootstrap", "--log-level", "x"},
			want: with(rieFn("./bootstrap", "--log-level", "x"), func(c *daemonConfig) {
				c.Listen, c.RuntimeAPI, c.LogLevel = "127.0.0.1:9000", "127.0.0.1:0", slog.LevelDebug
			}),
		},
		{
			name: "a lone bootstrap has no handler",
			args: []string{"./bootstrap"},
			want: with(rieFn("./bootstrap"), nil),
		},
		{
			name:   "_HANDLER beats the last argument",
			args:   []string{"python3", "-m", "awslambdaric", "app.handler"},
			getenv: env("_HANDLER=other.handler"),
			want: with(withFn(rieFn("python3", "-m", "awslambdaric", "app.handler"), func(f *invoke.Function) {
				f.Handler = "other.handler"
			}), nil),
		},
		{
			name: "function settings from the environment",
			args: []string{"./bootstrap"},
			getenv: env("AWS_LAMBDA_FUNCTION_NAME=bash-example-wrapper", "AWS_LAMBDA_FUNCTION_TIMEOUT=30",
				"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512", "MAX_CONCURRENCY=4", "AWS_REGION=eu-west-1", "LOG_LEVEL=warn",
				"LAMBDA_HARNESS_LOG_FORMAT=json", "LAMBDA_HARNESS_GRACE_PERIOD=20s"),
			want: with(withFn(rieFn("./bootstrap"), func(f *invoke.Function) {
				f.Name, f.Timeout, f.MemoryMB, f.Concurrency = "bash-example-wrapper", 30*time.Second, 512, 4
			}), func(c *daemonConfig) {
				c.Region, c.LogLevel, c.LogFormat, c.GracePeriod = "eu-west-1", slog.LevelWarn, "json", 20*time.Second
			}),
		},
		{
			name:   "raw function log for a harness driven by one on the host",
			args:   []string{"./bootstrap"},
			getenv: env("LAMBDA_HARNESS_LOG_FORMAT=raw"),
			want:   with(rieFn("./bootstrap"), func(c *daemonConfig) { c.LogFormat = "raw"; c.LogLevel = slog.LevelWarn }),
		},
		{
			name:   "MAX_CONCURRENCY beats AWS_LAMBDA_MAX_CONCURRENCY",
			args:   []string{"./bootstrap"},
			getenv: env("MAX_CONCURRENCY=3", "AWS_LAMBDA_MAX_CONCURRENCY=7"),
			want:   with(withFn(rieFn("./bootstrap"), func(f *invoke.Function) { f.Concurrency = 3 }), nil),
		},
		{
			name:   "AWS_LAMBDA_MAX_CONCURRENCY alone",
			args:   []string{"./bootstrap"},
			getenv: env("AWS_LAMBDA_MAX_CONCURRENCY=7"),
			want:   with(withFn(rieFn("./bootstrap"), func(f *invoke.Function) { f.Concurrency = 7 }), nil),
		},
		{
			name:   "memory below the minimum is raised",
			args:   []string{"./bootstrap"},
			getenv: env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=64"),
			want:   with(withFn(rieFn("./bootstrap"), func(f *invoke.Function) { f.MemoryMB = 128 }), nil),
		},
		{
			name:   "memory above the maximum is lowered",
			args:   []string{"./bootstrap"},
			getenv: env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=20000"),
			want:   with(withFn(rieFn("./bootstrap"), func(f *invoke.Function) { f.MemoryMB = 10240 }), nil),
		},
		{
			name:   "--log-level beats LOG_LEVEL",
			args:   []string{"--log-level", "error", "./bootstrap"},
			getenv: env("LOG_LEVEL=debug"),
			want:   with(rieFn("./bootstrap"), func(c *daemonConfig) { c.LogLevel = slog.LevelError }),
		},
		{
			name:   "a LOG_LEVEL the harness does not know is the runtime's business",
			args:   []string{"./bootstrap"},
			getenv: env("LOG_LEVEL=verbose"),
			want:   with(rieFn("./bootstrap"), nil),
		},
		{
			name:   "Python's LOG_LEVEL names",
			args:   []string{"./bootstrap"},
			getenv: env("LOG_LEVEL=WARNING"),
			want:   with(rieFn("./bootstrap"), func(c *daemonConfig) { c.LogLevel = slog.LevelWarn }),
		},
		{
			name: "no command runs the task root's bootstrap there",
			stat: statIn("var/task/bootstrap", "opt/bootstrap"),
			want: with(withFn(rieFn("/var/task/bootstrap"), func(f *invoke.Function) { f.WorkingDir = "/var/task" }), nil),
		},
		{
			name: "no command falls back to /opt/bootstrap",
			stat: statIn("opt/bootstrap", "var/runtime/bootstrap"),
			want: with(rieFn("/opt/bootstrap"), nil),
		},
		{
			name: "no command falls back to /var/runtime/bootstrap",
			stat: statIn("var/runtime/bootstrap", "var/task/app.py"),
			want: with(withFn(rieFn("/var/runtime/bootstrap"), func(f *invoke.Function) { f.WorkingDir = "/var/task" }), nil),
		},
		{
			name: "an image's /opt/extensions runs as the function's extensions",
			args: []string{"./bootstrap"},
			stat: statIn("opt/extensions/otel"),
			want: with(withFn(rieFn("./bootstrap"), func(f *invoke.Function) { f.ExtensionsDir = "/opt/extensions" }), nil),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv, stat := tt.getenv, tt.stat
			if getenv == nil {
				getenv = env()
			}
			if stat == nil {
				stat = statIn()
			}
			got, err := parseRIE(rieName, tt.args, getenv, stat)
			if err != nil {
				t.Fatalf("parseRIE(%q): %v", tt.args, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseRIE(%q)\n got %+v\nwant %+v", tt.args, got, tt.want)
			}
		})
	}
}

func TestParseRIEErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		getenv  func(string) string
		wantErr string
	}{
		{"no command and no bootstrap", nil, env(), "no runtime command given, and no bootstrap at /var/task/bootstrap"},
		{"flags but no command", []string{"--log-level", "debug"}, env(), "no runtime command"},
		{"unknown flag", []string{"--init-only", "./bootstrap"}, env(), "flag provided but not defined: -init-only"},
		{"bad --log-level", []string{"--log-level", "loud", "./bootstrap"}, env(), `--log-level: log level "loud"`},
		{"bad address", []string{"--runtime-interface-emulator-address", "8080", "./bootstrap"}, env(), `listen address "8080"`},
		{"bad runtime API address", []string{"--runtime-api-address", "9001", "./bootstrap"}, env(), `runtime API address "9001"`},
		{"bad name", []string{"./bootstrap"}, env("AWS_LAMBDA_FUNCTION_NAME=my.fn"), "AWS_LAMBDA_FUNCTION_NAME=my.fn"},
		{"bad timeout", []string{"./bootstrap"}, env("AWS_LAMBDA_FUNCTION_TIMEOUT=long"), "AWS_LAMBDA_FUNCTION_TIMEOUT=long"},
		{"zero timeout", []string{"./bootstrap"}, env("AWS_LAMBDA_FUNCTION_TIMEOUT=0"), "want seconds from 1 to 900"},
		{"timeout over 15 minutes", []string{"./bootstrap"}, env("AWS_LAMBDA_FUNCTION_TIMEOUT=901"), "want seconds from 1 to 900"},
		{"bad memory", []string{"./bootstrap"}, env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1GB"), "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1GB"},
		{"bad MAX_CONCURRENCY", []string{"./bootstrap"}, env("MAX_CONCURRENCY=many"), "MAX_CONCURRENCY=many"},
		{"zero AWS_LAMBDA_MAX_CONCURRENCY", []string{"./bootstrap"}, env("AWS_LAMBDA_MAX_CONCURRENCY=0"), "want a whole number, at least 1"},
		{"bad log format", []string{"./bootstrap"}, env("LAMBDA_HARNESS_LOG_FORMAT=xml"), "LAMBDA_HARNESS_LOG_FORMAT=xml: want text, json or raw"},
		{"bad grace period", []string{"./bootstrap"}, env("LAMBDA_HARNESS_GRACE_PERIOD=later"), "LAMBDA_HARNESS_GRACE_PERIOD"},
		{"bad region", []string{"./bootstrap"}, env("AWS_REGION=us east"), `region "us east"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRIE(rieName, tt.args, tt.getenv, statIn())
			var u *usageError
			if !errors.As(err, &u) {
				t.Fatalf("parseRIE(%q) = %v, want a *usageError", tt.args, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseRIE(%q) = %q, want it to contain %q", tt.args, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), "aws-lambda-rie --help") {
				t.Errorf("parseRIE(%q) = %q, want it to point at the help of the name it was run as", tt.args, err)
			}
		})
	}
}

func TestParseRIEHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		t.Run(arg, func(t *testing.T) {
			if _, err := parseRIE(rieName, []string{arg}, env(), statIn()); !errors.Is(err, flag.ErrHelp) {
				t.Errorf("parseRIE(%q) = %v, want flag.ErrHelp", arg, err)
			}
		})
	}
}
