package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// fileBase is what the flags give the functions of a file in these tests.
var fileBase = invoke.Function{Timeout: 3 * time.Second, MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute}

// yamlLines joins lines into a file, so that a test can count them.
func yamlLines(lines ...string) []byte {
	return []byte(strings.Join(lines, "\n") + "\n")
}

// based returns fileBase named name and edited.
func based(name string, edit func(*invoke.Function)) invoke.Function {
	f := fileBase
	f.Name = name
	edit(&f)
	return f
}

func TestFunctionsExampleLoads(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	got, err := loadFunctionsFile(filepath.Join(root, "functions.example.yaml"), fileBase)
	if err != nil {
		t.Fatalf("functions.example.yaml: %v", err)
	}
	want := functionsFile{
		Region:  "eu-west-1",
		Account: "123456789012",
		Functions: []invoke.Function{
			{
				Name: "echo", Command: []string{filepath.Join(root, "bin/echo")}, Handler: "app.handler",
				Env:     map[string]string{"GREETING": "hi", "AWS_LAMBDA_EXEC_WRAPPER": filepath.Join(root, "bin/wrapper")},
				PassEnv: []string{"HOME"}, WorkingDir: root, ExtensionsDir: filepath.Join(root, "extensions"), Timeout: 3 * time.Second, MemoryMB: 128,
				Concurrency: 4, QueueSize: 40, IdleTimeout: 10 * time.Minute, InitTimeout: 10 * time.Second,
				Runtime: "provided.al2023", Description: "says the event back",
			},
			{
				Name: "hello", Image: "lambda-harness/bash-example-wrapper", Entrypoint: []string{"/lambda-entrypoint.sh"},
				Command: []string{"lambda_function.lambda_handler"}, RuntimeAPI: "emulator", Emulator: "harness",
				Env:        map[string]string{"LOG_LEVEL": "info", "AWS_LAMBDA_EXEC_WRAPPER": "/opt/wrapper_script"},
				WorkingDir: "/var/task", Timeout: 10 * time.Second, MemoryMB: 256, Concurrency: 2,
				IdleTimeout: 10 * time.Minute, Runtime: "python3.12",
				Description: "the seed scenario, an exec wrapper in a custom image",
			},
		},
	}
	got.Lines = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("functions.example.yaml\n got %+v\nwant %+v", got, want)
	}
}

// TestFunctionsExampleExplainsEveryKey keeps the example complete: every
// key a function may have appears in it.
func TestFunctionsExampleExplainsEveryKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "functions.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range append(yamlFields("fileDoc"), yamlFields("fileSpec")...) {
		if !strings.Contains(string(data), "\n"+key+":") && !strings.Contains(string(data), " "+key+":") {
			t.Errorf("functions.example.yaml does not show the key %s", key)
		}
	}
}

func TestParseFunctionsFile(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		want functionsFile
	}{
		{
			name: "a process, relative paths from the file's directory",
			file: yamlLines(
				"functions:",
				"  echo:",
				"    command: [./bin/echo, --verbose]",
				"    workdir: ../shared",
				"    exec-wrapper: wrap.sh",
				"    extensions-dir: exts",
			),
			want: functionsFile{Functions: []invoke.Function{based("echo", func(f *invoke.Function) {
				f.Command = []string{"/srv/fns/bin/echo", "--verbose"}
				f.WorkingDir = "/srv/shared"
				f.ExtensionsDir = "/srv/fns/exts"
				f.Env = map[string]string{"AWS_LAMBDA_EXEC_WRAPPER": "/srv/fns/wrap.sh"}
			})}},
		},
		{
			name: "a command string is split like a shell does; names on PATH and absolute paths stay",
			file: yamlLines(
				"functions:",
				`  a: {command: './bin/echo --greeting "hi there"'}`,
				"  b: {command: python3 -m awslambdaric app.handler}",
				"  c: {command: [/opt/fn, x], workdir: /tmp}",
			),
			want: functionsFile{Functions: []invoke.Function{
				based("a", func(f *invoke.Function) { f.Command = []string{"/srv/fns/bin/echo", "--greeting", "hi there"} }),
				based("b", func(f *invoke.Function) { f.Command = []string{"python3", "-m", "awslambdaric", "app.handler"} }),
				based("c", func(f *invoke.Function) { f.Command, f.WorkingDir = []string{"/opt/fn", "x"}, "/tmp" }),
			}},
		},
		{
			name: "functions keep the file's order",
			file: yamlLines("functions:", "  zeta: {command: z}", "  alpha: {command: a}", "  mid: {command: m}"),
			want: functionsFile{Functions: []invoke.Function{
				based("zeta", func(f *invoke.Function) { f.Command = []string{"z"} }),
				based("alpha", func(f *invoke.Function) { f.Command = []string{"a"} }),
				based("mid", func(f *invoke.Function) { f.Command = []string{"m"} }),
			}},
		},
		{
			name: "defaults fill what a function omits; env merges, pass-env adds",
			file: yamlLines(
				"region: eu-west-1",
				`account: "000000000001"`,
				"defaults:",
				"  timeout: 30",
				"  memory: 256",
				"  concurrency: 2",
				"  queue: -1",
				"  idle-timeout: 1m",
				"  init-timeout: 1.5",
				"  handler: app.handler",
				"  runtime: python3.12",
				"  description: shared",
				"  env: {STAGE: dev, LOG_LEVEL: info}",
				"  pass-env: [HOME]",
				"  workdir: fns",
				"  exec-wrapper: /opt/wrap",
				"functions:",
				"  own:",
				"    command: [x]",
				"    timeout: 1m30s",
				"    memory: 512",
				"    concurrency: 8",
				"    queue: 0",
				"    idle-timeout: 10",
				"    init-timeout: 2s",
				"    handler: own.handler",
				"    runtime: go",
				"    description: mine",
				"    env: {LOG_LEVEL: debug, PORT: 8080, DEBUG: true}",
				"    pass-env: [PYTHONPATH, HOME]",
				"    workdir: /w",
				"    exec-wrapper: ./mine",
				"  inherits:",
				"    command: [y]",
			),
			want: functionsFile{Region: "eu-west-1", Account: "000000000001", Functions: []invoke.Function{
				{Name: "own", Command: []string{"x"}, Timeout: 90 * time.Second, MemoryMB: 512, Concurrency: 8,
					QueueSize: 0, IdleTimeout: 10 * time.Second, InitTimeout: 2 * time.Second, Handler: "own.handler",
					Runtime: "go", Description: "mine", PassEnv: []string{"HOME", "PYTHONPATH"}, WorkingDir: "/w",
					Env: map[string]string{"STAGE": "dev", "LOG_LEVEL": "debug", "PORT": "8080", "DEBUG": "true",
						"AWS_LAMBDA_EXEC_WRAPPER": "/srv/fns/mine"}},
				{Name: "inherits", Command: []string{"y"}, Timeout: 30 * time.Second, MemoryMB: 256, Concurrency: 2,
					QueueSize: -1, IdleTimeout: time.Minute, InitTimeout: 1500 * time.Millisecond, Handler: "app.handler",
					Runtime: "python3.12", Description: "shared", PassEnv: []string{"HOME"}, WorkingDir: "/srv/fns/fns",
					Env: map[string]string{"STAGE": "dev", "LOG_LEVEL": "info", "AWS_LAMBDA_EXEC_WRAPPER": "/opt/wrap"}},
			}},
		},
		{
			name: "a function's own AWS_LAMBDA_EXEC_WRAPPER beats the defaults' exec-wrapper",
			file: yamlLines(
				"defaults: {exec-wrapper: /opt/wrap}",
				"functions:",
				"  a: {command: x, env: {AWS_LAMBDA_EXEC_WRAPPER: /opt/other}}",
			),
			want: functionsFile{Functions: []invoke.Function{based("a", func(f *invoke.Function) {
				f.Command = []string{"x"}
				f.Env = map[string]string{"AWS_LAMBDA_EXEC_WRAPPER": "/opt/other"}
			})}},
		},
		{
			name: "images: paths are the image's; the defaults' runtime API settings reach images only",
			file: yamlLines(
				"defaults:",
				"  runtime-api: emulator",
				"  emulator: image",
				"functions:",
				"  hello:",
				"    image: lambda-harness/bash-example-wrapper",
				"    entrypoint: /lambda-entrypoint.sh --verbose",
				"    command: lambda_function.lambda_handler",
				"    exec-wrapper: opt/wrapper_script",
				"    workdir: /var/task",
				"  implied:",
				"    image: rie-image:1",
				"    emulator: harness",
				"  direct:",
				"    image: go-image",
				"    runtime-api: direct",
				"  local:",
				"    command: ./bootstrap",
			),
			want: functionsFile{Functions: []invoke.Function{
				based("hello", func(f *invoke.Function) {
					f.Image, f.Entrypoint = "lambda-harness/bash-example-wrapper", []string{"/lambda-entrypoint.sh", "--verbose"}
					f.Command, f.WorkingDir = []string{"lambda_function.lambda_handler"}, "/var/task"
					f.RuntimeAPI, f.Emulator = "emulator", "image"
					f.Env = map[string]string{"AWS_LAMBDA_EXEC_WRAPPER": "opt/wrapper_script"}
				}),
				based("implied", func(f *invoke.Function) { f.Image, f.RuntimeAPI, f.Emulator = "rie-image:1", "emulator", "harness" }),
				based("direct", func(f *invoke.Function) { f.Image, f.RuntimeAPI, f.Emulator = "go-image", "direct", "image" }),
				based("local", func(f *invoke.Function) { f.Command = []string{"/srv/fns/bootstrap"} }),
			}},
		},
		{
			name: "an emulator named in defaults implies emulator mode; a function's own runtime-api wins",
			file: yamlLines(
				"defaults: {emulator: image}",
				"functions:",
				"  a: {image: i}",
				"  b: {image: i, runtime-api: direct}",
			),
			want: functionsFile{Functions: []invoke.Function{
				based("a", func(f *invoke.Function) { f.Image, f.RuntimeAPI, f.Emulator = "i", "emulator", "image" }),
				based("b", func(f *invoke.Function) { f.Image, f.RuntimeAPI, f.Emulator = "i", "direct", "image" }),
			}},
		},
		{
			name: "a function's own emulator beats the defaults' runtime-api",
			file: yamlLines(
				"defaults: {runtime-api: direct}",
				"functions:",
				"  a: {image: i, emulator: harness}",
			),
			want: functionsFile{Functions: []invoke.Function{
				based("a", func(f *invoke.Function) { f.Image, f.RuntimeAPI, f.Emulator = "i", "emulator", "harness" }),
			}},
		},
		{
			name: "names with '-' and '_'; null values are omitted keys",
			file: yamlLines("functions:", "  my-fn_2:", "    command: x", "    timeout:", "    env:"),
			want: functionsFile{Functions: []invoke.Function{based("my-fn_2", func(f *invoke.Function) { f.Command = []string{"x"} })}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFunctionsFile("functions.yaml", "/srv/fns", tt.file, fileBase)
			if err != nil {
				t.Fatalf("parse:\n%s\n%v", tt.file, err)
			}
			got.Lines = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parse:\n%s\n got %+v\nwant %+v", tt.file, got, tt.want)
			}
		})
	}
}

func TestParseFunctionsFileMergeKey(t *testing.T) {
	file := yamlLines(
		"defaults: &common",
		"  memory: 1024",
		"functions:",
		"  a:",
		"    <<: *common",
		"    command: x",
		"  b:",
		"    <<: *common",
		"    memory: 64",
		"    command: y",
	)
	_, err := parseFunctionsFile("functions.yaml", "/srv/fns", file, fileBase)
	if want := `functions.yaml:9: function "b": memory 64: want 128 to 10240`; err == nil || err.Error() != want {
		t.Errorf("merge key then an own key: %v, want %s", err, want)
	}
	got, err := parseFunctionsFile("functions.yaml", "/srv/fns", file[:strings.Index(string(file), "  b:")], fileBase)
	if err != nil {
		t.Fatal(err)
	}
	if fn := got.Functions[0]; fn.MemoryMB != 1024 || fn.Command[0] != "x" {
		t.Errorf("function through a merge key: %+v, want memory 1024 and command x", fn)
	}
	if got.Lines["a"] != 4 {
		t.Errorf("line of a: %d, want 4", got.Lines["a"])
	}
}
