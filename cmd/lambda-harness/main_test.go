package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// runCLI calls run with the command line args (program name included)
// and an empty environment, and returns what it printed.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), args, env(), nil, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestRunCommands(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // "" means stdout must be empty
		wantStderr string // "" means stderr must be empty
		wantErr    string
	}{
		{name: "no command", args: []string{"lambda-harness"}, wantCode: 2,
			wantStderr: "Usage:", wantErr: "no command given"},
		{name: "unknown command", args: []string{"lambda-harness", "deploy"}, wantCode: 2,
			wantStderr: "Usage:", wantErr: `unknown command "deploy"`},
		{name: "unknown top-level flag", args: []string{"lambda-harness", "--verbose"}, wantCode: 2,
			wantStderr: "Usage:", wantErr: `unknown command "--verbose"`},
		{name: "help", args: []string{"lambda-harness", "help"}, wantStdout: "lambda-harness serve [flags]"},
		{name: "--help", args: []string{"lambda-harness", "--help"}, wantStdout: "lambda-harness rie [flags]"},
		{name: "-h", args: []string{"lambda-harness", "-h"}, wantStdout: "Usage:"},
		{name: "help serve", args: []string{"lambda-harness", "help", "serve"}, wantStdout: "Usage: lambda-harness serve"},
		{name: "help rie", args: []string{"lambda-harness", "help", "rie"}, wantStdout: "Usage: lambda-harness rie"},
		{name: "help unknown", args: []string{"lambda-harness", "help", "deploy"}, wantCode: 2,
			wantStderr: "Usage:", wantErr: `unknown command "deploy"`},
		{name: "serve --help", args: []string{"lambda-harness", "serve", "--help"}, wantStdout: "Function spec:"},
		{name: "serve -h", args: []string{"lambda-harness", "serve", "-h"}, wantStdout: "Usage: lambda-harness serve"},
		{name: "rie --help", args: []string{"lambda-harness", "rie", "--help"}, wantStdout: "Usage: lambda-harness rie"},
		{name: "serve usage error", args: []string{"lambda-harness", "serve"}, wantCode: 2,
			wantErr: "no function to serve"},
		{name: "rie usage error", args: []string{"lambda-harness", "rie", "--nope"}, wantCode: 2,
			wantErr: "lambda-harness rie --help"},
		{name: "version", args: []string{"lambda-harness", "version"}, wantStdout: "lambda-harness dev (" + runtime.Version()},
		{name: "--version", args: []string{"lambda-harness", "--version"}, wantStdout: "lambda-harness dev"},
		{name: "invoked as aws-lambda-rie", args: []string{"/usr/local/bin/aws-lambda-rie", "--help"},
			wantStdout: "Usage: aws-lambda-rie [flags] <runtime command>"},
		{name: "aws-lambda-rie takes every argument as its own",
			args:     []string{"aws-lambda-rie", "--runtime-interface-emulator-address", "nope", "serve", "--help"},
			wantCode: 2, wantErr: `listen address "nope"`},
		{name: "aws-lambda-rie usage error names it", args: []string{"./aws-lambda-rie", "--listen", "x"}, wantCode: 2,
			wantErr: "Run 'aws-lambda-rie --help' for usage."},
		{name: "empty argv", args: nil, wantCode: 2, wantStderr: "Usage:", wantErr: "no command given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runCLI(t, tt.args...)
			if got := exitCode(err); got != tt.wantCode {
				t.Errorf("exit code %d (err %v), want %d", got, err, tt.wantCode)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			checkOutput(t, "stdout", stdout, tt.wantStdout)
			checkOutput(t, "stderr", stderr, tt.wantStderr)
		})
	}
}

func checkOutput(t *testing.T, name, got, want string) {
	t.Helper()
	if want == "" && got != "" {
		t.Errorf("%s = %q, want nothing", name, got)
	}
	if !strings.Contains(got, want) {
		t.Errorf("%s = %q, want it to contain %q", name, got, want)
	}
}

// TestHelpExplainsEveryFlag keeps the usage texts complete: every flag of
// every command, with its default, and the examples users try first.
func TestHelpExplainsEveryFlag(t *testing.T) {
	tests := []struct {
		name     string
		help     func(*bytes.Buffer)
		flags    *flag.FlagSet
		mentions []string
	}{
		{
			name:  "serve",
			help:  func(b *bytes.Buffer) { printServeUsage(b, env()) },
			flags: func() *flag.FlagSet { fs, _ := newServeFlagSet(env()); return fs }(),
			mentions: []string{"name=NAME", "cmd=COMMAND", "env=KEY=VALUE", "must come last",
				"/2015-03-31/functions/function/invocations", "/2015-03-31/functions/echo/invocations",
				"aws lambda invoke --endpoint-url", "--cli-binary-format raw-in-base64-out",
				"-f, --functions-file FILE", "Functions file:", "functions.example.yaml", "serve -f functions.yaml",
				"image=IMAGE", "entrypoint=COMMAND", "runtime-api=MODE", "emulator=WHICH", "exec-wrapper=PATH",
				"cmd= is then optional", "--docker-host HOST", "(default $DOCKER_HOST", "--harness-binary FILE",
				"--daemon-name NAME", "--runtime-api MODE", "Docker is needed only when a\nfunction has an image",
				"remote: true", "amqp:", "queue-kind: durable", "--amqp-url URL", "--gateway", "connection_attempts",
				"ResourceNotFoundException"},
		},
		{
			name:  "rie",
			help:  func(b *bytes.Buffer) { printRIEUsage(b, "lambda-harness rie", env()) },
			flags: func() *flag.FlagSet { fs, _ := newRIEFlagSet("rie", env()); return fs }(),
			mentions: []string{"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_TIMEOUT", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
				"AWS_LAMBDA_FUNCTION_VERSION", "_HANDLER", "MAX_CONCURRENCY", "AWS_LAMBDA_MAX_CONCURRENCY", "LOG_LEVEL",
				"LAMBDA_HARNESS_LOG_FORMAT", "raw writes", "LAMBDA_HARNESS_GRACE_PERIOD", "python3 -m awslambdaric",
				"/2015-03-31/functions/function/invocations", "--function-name test_function",
				"AMQP_URI", "AMQP_USERNAME, AMQP_PASSWORD", "connection_attempts", "LAMBDA_HARNESS_AMQP_QUEUE_KIND", "exits 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			tt.help(&b)
			help := b.String()
			short := shortFlags(tt.flags)
			tt.flags.VisitAll(func(f *flag.Flag) {
				head := "\n  --" + f.Name
				if s, ok := short[f.Value]; ok {
					head = "\n  -" + s + ", --" + f.Name
					if s == f.Name {
						return // printed with its long form
					}
				}
				if !strings.Contains(help, head+" ") && !strings.Contains(help, head+"\n") {
					t.Errorf("help does not explain --%s", f.Name)
				}
				if !isZeroDefault(f.DefValue) && !strings.Contains(help, "(default "+f.DefValue) &&
					!strings.Contains(help, "(default $") {
					t.Errorf("help does not give the default of --%s (%s)", f.Name, f.DefValue)
				}
			})
			for _, m := range tt.mentions {
				if !strings.Contains(help, m) {
					t.Errorf("help does not mention %q", m)
				}
			}
		})
	}
	t.Run("serve spec keys", func(t *testing.T) {
		var b bytes.Buffer
		printServeUsage(&b, env())
		for _, k := range specKeys() {
			if !strings.Contains(b.String(), "    "+k.name+"="+k.arg) {
				t.Errorf("serve help does not explain the spec key %s", k.name)
			}
		}
	})
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{usageErrorf("lambda-harness serve", "bad"), 2},
		{fmt.Errorf("wrapped: %w", usageErrorf("", "bad")), 2},
		{errors.New("listen tcp: address already in use"), 1},
		{errForced, 1},
		{context.Canceled, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.err), func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
