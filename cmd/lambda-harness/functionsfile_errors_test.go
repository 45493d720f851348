package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fnKeys is the list of known keys an unknown key's error gives.
const fnKeys = "known fields: command, image, entrypoint, runtime-api, emulator, handler, runtime, description, " +
	"env, pass-env, workdir, exec-wrapper, extensions-dir, timeout, memory, concurrency, queue, idle-timeout, init-timeout, remote"

func TestParseFunctionsFileErrors(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		want string // the whole error
	}{
		{"unknown key in a function",
			yamlLines("functions:", "  hello:", "    command: x", "    memroy: 256"),
			`functions.yaml:4: function "hello": unknown field "memroy"; ` + fnKeys},
		{"unknown key at the top",
			yamlLines("region: eu-west-1", "fucntions:", "  hello: {command: x}"),
			`functions.yaml:2: unknown field "fucntions"; known fields: region, account, defaults, functions, amqp`},
		{"unknown key in defaults",
			yamlLines("defaults:", "  timeout: 3", "  name: x", "functions: {a: {command: x}}"),
			`functions.yaml:3: defaults: unknown field "name"; ` + fnKeys},
		{"memory out of range",
			yamlLines("functions:", "  echo: {command: x}", "  hello:", "    image: i", "    memory: 64"),
			`functions.yaml:5: function "hello": memory 64: want 128 to 10240`},
		{"memory not a number",
			yamlLines("functions:", "  hello:", "    command: x", "    memory: lots"),
			`functions.yaml:4: function "hello": memory: want a whole number, not "lots"`},
		{"memory not whole",
			yamlLines("functions:", "  hello:", "    command: x", "    memory: 128.5"),
			`functions.yaml:4: function "hello": memory: want a whole number, not "128.5"`},
		{"concurrency a list",
			yamlLines("functions:", "  hello:", "    command: x", "    concurrency: [1]"),
			`functions.yaml:4: function "hello": concurrency: want a whole number, not a list`},
		{"pass-env a string",
			yamlLines("functions:", "  hello:", "    command: x", "    pass-env: HOME"),
			`functions.yaml:4: function "hello": pass-env: want a list of strings, not "HOME"`},
		{"flow style on one line",
			yamlLines("functions: {a: {command: x}, b: {command: y, memory: 64}}"),
			`functions.yaml:1: function "b": memory 64: want 128 to 10240`},
		{"timeout over 15 minutes",
			yamlLines("functions:", "  hello:", "    command: x", "    timeout: 16m"),
			`functions.yaml:4: function "hello": timeout 16m: want at most 15m`},
		{"timeout not a duration",
			yamlLines("functions:", "  hello:", "    command: x", "    timeout: soon"),
			`functions.yaml:4: function "hello": timeout: duration "soon": want a Go duration like 3s or 1m30s, or seconds like 3`},
		{"negative idle timeout",
			yamlLines("functions:", "  hello:", "    command: x", "    idle-timeout: -1s"),
			`functions.yaml:4: function "hello": idle-timeout: duration "-1s" is negative`},
		{"init timeout as a list",
			yamlLines("functions:", "  hello:", "    command: x", "    init-timeout: [1]"),
			`functions.yaml:4: function "hello": init-timeout: want a duration like 3s or 1m30s, or seconds like 3`},
		{"concurrency 0",
			yamlLines("functions:", "  hello: {command: x, concurrency: 0}"),
			`functions.yaml:2: function "hello": concurrency 0: want at least 1`},
		{"queue below -1",
			yamlLines("functions:", "  hello:", "    command: x", "    queue: -2"),
			`functions.yaml:4: function "hello": queue -2: want -1 (no waiting), 0 (the default) or more`},
		{"bad runtime-api",
			yamlLines("functions:", "  hello:", "    image: i", "    runtime-api: socket"),
			`functions.yaml:4: function "hello": runtime-api "socket": want direct or emulator`},
		{"bad emulator",
			yamlLines("functions:", "  hello:", "    image: i", "    emulator: rie"),
			`functions.yaml:4: function "hello": emulator "rie": want harness or image`},
		{"emulator in direct mode",
			yamlLines("functions:", "  hello:", "    image: i", "    runtime-api: direct", "    emulator: image"),
			`functions.yaml:5: function "hello": emulator image: applies with runtime-api: emulator, not direct`},
		{"entrypoint of a process",
			yamlLines("functions:", "  hello:", "    command: x", "    entrypoint: /e"),
			`functions.yaml:4: function "hello": entrypoint: applies to image functions only`},
		{"runtime-api of a process",
			yamlLines("functions:", "  hello:", "    command: x", "    runtime-api: direct"),
			`functions.yaml:4: function "hello": runtime-api: applies to image functions only`},
		{"emulator of a process",
			yamlLines("functions:", "  hello:", "    command: x", "    emulator: harness"),
			`functions.yaml:4: function "hello": emulator: applies to image functions only`},
		{"extensions-dir of an image",
			yamlLines("functions:", "  hello:", "    image: i", "    extensions-dir: /x"),
			`functions.yaml:4: function "hello": extensions-dir: applies to process functions only: an image's extensions are its /opt/extensions`},
		{"nothing to run",
			yamlLines("functions:", "  echo: {command: x}", "  hello:", "    handler: h"),
			`functions.yaml:3: function "hello": nothing to run: give command (a local process) or image (a container image)`},
		{"empty command list",
			yamlLines("functions:", "  hello:", "    command: []"),
			`functions.yaml:3: function "hello": command: empty`},
		{"empty command string",
			yamlLines("functions:", "  hello:", "    command: ''"),
			`functions.yaml:3: function "hello": command: empty`},
		{"unterminated quote in a command",
			yamlLines("functions:", "  hello:", `    command: ./fn "a`),
			`functions.yaml:3: function "hello": command: unterminated double quote in command`},
		{"command as a mapping",
			yamlLines("functions:", "  hello:", "    command: {run: x}"),
			`functions.yaml:3: function "hello": command: want a list of words, or a command line in one string`},
		{"command list of lists",
			yamlLines("functions:", "  hello:", "    command:", "      - [x]"),
			`functions.yaml:4: function "hello": command: want a string, not a list`},
		{"entrypoint empty",
			yamlLines("functions:", "  hello:", "    image: i", "    entrypoint: []"),
			`functions.yaml:4: function "hello": entrypoint: empty`},
		{"invalid name",
			yamlLines("functions:", "  ok: {command: x}", "  my fn: {command: x}"),
			`functions.yaml:3: function "my fn": not a valid function name: want 1 to 64 letters, digits, '-' or '_'`},
		{"function defined twice",
			yamlLines("functions:", "  hello: {command: x}", "  other: {command: y}", "  hello: {command: z}"),
			`functions.yaml:4: function "hello" is defined twice (first at line 2)`},
		{"key given twice",
			yamlLines("functions:", "  hello:", "    command: x", "    memory: 256", "    memory: 512"),
			`functions.yaml:5: function "hello": field "memory" given twice (first at line 4)`},
		{"command in defaults",
			yamlLines("defaults:", "  command: x", "functions: {a: {command: x}}"),
			`functions.yaml:2: defaults: command: give it per function, not in defaults`},
		{"image in defaults",
			yamlLines("defaults:", "  image: i", "functions: {a: {command: x}}"),
			`functions.yaml:2: defaults: image: give it per function, not in defaults`},
		{"entrypoint in defaults",
			yamlLines("defaults:", "  entrypoint: /e", "functions: {a: {command: x}}"),
			`functions.yaml:2: defaults: entrypoint: give it per function, not in defaults`},
		{"memory out of range in defaults",
			yamlLines("defaults:", "  timeout: 3", "  memory: 64", "functions: {a: {command: x}}"),
			`functions.yaml:3: defaults: memory 64: want 128 to 10240`},
		{"bad env name",
			yamlLines("functions:", "  hello:", "    command: x", "    env: {1ABC: v}"),
			`functions.yaml:4: function "hello": env: variable name "1ABC": want letters, digits and '_', not starting with a digit`},
		{"env value a mapping",
			yamlLines("functions:", "  hello:", "    command: x", "    env:", "      A: {b: c}"),
			`functions.yaml:5: function "hello": env: want a string, not a mapping`},
		{"env a list",
			yamlLines("functions:", "  hello:", "    command: x", "    env: [A=b]"),
			`functions.yaml:4: function "hello": env: want a mapping of names to values, not a list`},
		{"empty pass-env",
			yamlLines("functions:", "  hello:", "    command: x", "    pass-env: [HOME, '']"),
			`functions.yaml:4: function "hello": pass-env: empty name: want a variable name or "*"`},
		{"exec-wrapper and its env",
			yamlLines("functions:", "  hello:", "    command: x", "    env: {AWS_LAMBDA_EXEC_WRAPPER: /w}", "    exec-wrapper: /v"),
			`functions.yaml:5: function "hello": exec-wrapper and env AWS_LAMBDA_EXEC_WRAPPER both given: give one`},
		{"relative workdir of an image",
			yamlLines("functions:", "  hello:", "    image: i", "    workdir: task"),
			`functions.yaml:4: function "hello": workdir "task": want an absolute path inside the image`},
		{"relative workdir of an image from defaults",
			yamlLines("defaults: {workdir: task}", "functions:", "  hello:", "    image: i"),
			`functions.yaml:3: function "hello": workdir "task": want an absolute path inside the image`},
		{"functions as a list",
			yamlLines("functions:", "  - name: hello", "    command: x"),
			`functions.yaml:2: functions: want a mapping of function names to their settings, not a list`},
		{"a function as a string",
			yamlLines("functions:", "  hello: ./bin/hello"),
			`functions.yaml:2: function "hello": want a mapping of settings, not a string`},
		{"no functions",
			yamlLines("region: eu-west-1", "functions: {}"),
			`functions.yaml:2: no functions: want functions: with at least one function under it`},
		{"no functions key",
			yamlLines("region: eu-west-1"),
			`functions.yaml: no functions: want functions: with at least one function under it`},
		{"empty file", nil,
			`functions.yaml: the file is empty: want functions: and at least one function`},
		{"only a comment", yamlLines("# nothing yet"),
			`functions.yaml: the file is empty: want functions: and at least one function`},
		{"not a mapping", yamlLines("- hello"),
			`functions.yaml:1: want a mapping with functions: and optionally region:, account:, defaults:, amqp:, not a list`},
		{"syntax error",
			yamlLines("functions:", "  hello:", "\tcommand: x"),
			`functions.yaml:3: found character that cannot start any token`},
		{"two documents",
			yamlLines("functions: {a: {command: x}}", "---", "functions: {b: {command: y}}"),
			`functions.yaml: more than one YAML document (---): want one`},
		{"bad region",
			yamlLines("region: us east", "functions: {a: {command: x}}"),
			`functions.yaml:1: region "us east": want letters, digits and '-', e.g. us-east-1`},
		{"bad account",
			yamlLines("account: 12345", "functions: {a: {command: x}}"),
			`functions.yaml:1: account "12345": want 12 digits (quote it: "123456789012")`},
		{"every decoding mistake at once",
			yamlLines("functions:", "  a:", "    command: x", "    memory: lots", "  b:", "    comand: y"),
			`functions.yaml:4: function "a": memory: want a whole number, not "lots"` + "\n" +
				`functions.yaml:6: function "b": unknown field "comand"; ` + fnKeys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFunctionsFile("functions.yaml", "/srv/fns", tt.file, fileBase)
			if err == nil {
				t.Fatalf("parse:\n%s\nno error, want %s", tt.file, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("parse:\n%s\n got %s\nwant %s", tt.file, err, tt.want)
			}
		})
	}
}

func TestServeFunctionsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "functions.yaml")
	file := yamlLines(
		"region: eu-west-1",
		`account: "000000000002"`,
		"defaults: {memory: 512}",
		"functions:",
		"  echo:",
		"    command: ./bin/echo",
		"  hello:",
		"    image: lambda-harness/bash-example-wrapper",
	)
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("with --function and flags", func(t *testing.T) {
		cfg, err := parseServe([]string{"--timeout", "9", "-f", path, "--function", "name=extra,cmd=./x"}, env())
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Region != "eu-west-1" || cfg.Account != "000000000002" {
			t.Errorf("region and account %s %s, want the file's", cfg.Region, cfg.Account)
		}
		names := functionNames(cfg.Functions)
		if strings.Join(names, " ") != "extra echo hello" {
			t.Fatalf("functions %q, want extra echo hello", names)
		}
		echo := cfg.Functions[1]
		if echo.Command[0] != filepath.Join(dir, "bin/echo") || echo.MemoryMB != 512 || echo.Timeout.Seconds() != 9 {
			t.Errorf("echo %+v: want the command from the file's directory, memory 512 from its defaults, timeout 9s from --timeout", echo)
		}
		if cfg.Functions[0].MemoryMB != 128 {
			t.Errorf("--function's memory %d: the file's defaults are its own, want 128", cfg.Functions[0].MemoryMB)
		}
	})
	t.Run("--region and --account beat the file", func(t *testing.T) {
		cfg, err := parseServe([]string{"--functions-file", path, "--region", "us-west-2", "--account", "000000000003"},
			env("AWS_REGION=ap-south-1"))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Region != "us-west-2" || cfg.Account != "000000000003" {
			t.Errorf("region and account %s %s, want the flags'", cfg.Region, cfg.Account)
		}
	})
	t.Run("the file beats AWS_REGION", func(t *testing.T) {
		cfg, err := parseServe([]string{"-f", path}, env("AWS_REGION=ap-south-1"))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Region != "eu-west-1" {
			t.Errorf("region %s, want the file's", cfg.Region)
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"name in the file and a --function", []string{"--function", "name=hello,cmd=./x", "-f", path},
			`function "hello" is defined twice: by --function and in ` + path + ":7"},
		{"name in the file and the shorthand", []string{"-f", path, "--name", "echo", "--", "./x"},
			`function "echo" is defined twice: by the command after the flags and in ` + path + ":5"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServe(tt.args, env())
			var u *usageError
			if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseServe(%q) = %v, want a usage error containing %q", tt.args, err, tt.want)
			}
		})
	}
	t.Run("a mistake in the file is a usage error naming it", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.yaml")
		if err := os.WriteFile(bad, yamlLines("functions:", "  hello:", "    image: i", "    memory: 64"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := parseServe([]string{"-f", bad}, env())
		var u *usageError
		want := bad + `:4: function "hello": memory 64: want 128 to 10240`
		if !errors.As(err, &u) || !strings.Contains(err.Error(), want) {
			t.Errorf("parseServe: %v, want a usage error containing %q", err, want)
		}
	})
}
