package main

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/invoke"
)

func TestParseFunctionSpec(t *testing.T) {
	defaults := invoke.Function{Timeout: 3 * time.Second, MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute}
	tests := []struct {
		name string
		spec string
		want invoke.Function
	}{
		{
			name: "minimal takes the defaults",
			spec: "name=echo,cmd=./bin/echo",
			want: invoke.Function{Name: "echo", Command: []string{"./bin/echo"}, Timeout: 3 * time.Second,
				MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute},
		},
		{
			name: "every key",
			spec: `name=echo,timeout=3s,memory=256,concurrency=4,queue=40,idle-timeout=10m,init-timeout=2,` +
				`handler=app.handler,runtime=provided.al2023,description=says back,env=K=V,env=K2=V=2,` +
				`pass-env=HOME,pass-env=PYTHONPATH,workdir=/x,cmd=./bin/echo arg1 "arg 2"`,
			want: invoke.Function{
				Name: "echo", Command: []string{"./bin/echo", "arg1", "arg 2"},
				Timeout: 3 * time.Second, MemoryMB: 256, Concurrency: 4, QueueSize: 40,
				IdleTimeout: 10 * time.Minute, InitTimeout: 2 * time.Second,
				Handler: "app.handler", Runtime: "provided.al2023", Description: "says back",
				Env:     map[string]string{"K": "V", "K2": "V=2"},
				PassEnv: []string{"HOME", "PYTHONPATH"}, WorkingDir: "/x",
			},
		},
		{
			name: "cmd takes the rest, commas included",
			spec: "name=py,cmd=python3 -c 'print(1, 2)' a,b",
			want: invoke.Function{Name: "py", Command: []string{"python3", "-c", "print(1, 2)", "a,b"},
				Timeout: 3 * time.Second, MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute},
		},
		{
			name: "quoted values keep commas, blanks around keys go",
			spec: `name=greet, env="GREETING=hello, world", description='a, b' ,cmd=./greet`,
			want: invoke.Function{Name: "greet", Command: []string{"./greet"}, Description: "a, b",
				Env:     map[string]string{"GREETING": "hello, world"},
				Timeout: 3 * time.Second, MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute},
		},
		{
			name: "keys in any order before cmd, empty items ignored, plain seconds",
			spec: ",timeout=1.5,,name=x,queue=-1,pass-env=*,cmd=/bin/true",
			want: invoke.Function{Name: "x", Command: []string{"/bin/true"}, Timeout: 1500 * time.Millisecond,
				QueueSize: -1, PassEnv: []string{"*"}, MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute},
		},
		{
			name: "image without cmd keeps the image's CMD",
			spec: "name=hello,image=lambda-harness/bash-example-wrapper",
			want: invoke.Function{Name: "hello", Image: "lambda-harness/bash-example-wrapper",
				Timeout: 3 * time.Second, MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute},
		},
		{
			name: "image with every image key; cmd overrides CMD",
			spec: `name=hello,image=registry.example:5000/team/hello:1.2,entrypoint=/lambda-entrypoint.sh --verbose,` +
				`runtime-api=emulator,emulator=image,exec-wrapper=/opt/wrapper_script,workdir=/var/task,` +
				`cmd=lambda_function.lambda_handler`,
			want: invoke.Function{Name: "hello", Image: "registry.example:5000/team/hello:1.2",
				Entrypoint: []string{"/lambda-entrypoint.sh", "--verbose"}, RuntimeAPI: "emulator", Emulator: "image",
				Command: []string{"lambda_function.lambda_handler"}, WorkingDir: "/var/task",
				Env:     map[string]string{"AWS_LAMBDA_EXEC_WRAPPER": "/opt/wrapper_script"},
				Timeout: 3 * time.Second, MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute},
		},
		{
			name: "emulator implies runtime-api=emulator",
			spec: "name=hello,image=hello,emulator=harness",
			want: invoke.Function{Name: "hello", Image: "hello", RuntimeAPI: "emulator", Emulator: "harness",
				Timeout: 3 * time.Second, MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute},
		},
		{
			name: "quoted entrypoint with a comma",
			spec: `name=hello,image=hello,entrypoint='sh -c "exec a, b"',runtime-api=direct`,
			want: invoke.Function{Name: "hello", Image: "hello", Entrypoint: []string{"sh", "-c", "exec a, b"},
				RuntimeAPI: "direct", Timeout: 3 * time.Second, MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute},
		},
		{
			name: "exec wrapper of a process",
			spec: "name=x,exec-wrapper=./wrap,env=A=1,cmd=./fn",
			want: invoke.Function{Name: "x", Command: []string{"./fn"},
				Env:     map[string]string{"A": "1", "AWS_LAMBDA_EXEC_WRAPPER": "./wrap"},
				Timeout: 3 * time.Second, MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute},
		},
		{
			name: "later env value wins",
			spec: "name=x,env=A=1,env=A=2,cmd=x",
			want: invoke.Function{Name: "x", Command: []string{"x"}, Env: map[string]string{"A": "2"},
				Timeout: 3 * time.Second, MemoryMB: 128, Concurrency: 10, IdleTimeout: 10 * time.Minute},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseFunctionSpec(tt.spec, defaults)
			if err != nil {
				t.Fatalf("parseFunctionSpec(%q): %v", tt.spec, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseFunctionSpec(%q)\n got %+v\nwant %+v", tt.spec, got, tt.want)
			}
		})
	}
}

func TestParseFunctionSpecErrors(t *testing.T) {
	tests := []struct {
		name, spec, wantErr string
	}{
		{"unknown key", "name=x,colour=red,cmd=x", `unknown key "colour"`},
		{"duplicate key", "name=x,timeout=1,timeout=2,cmd=x", `key "timeout" given twice`},
		{"duplicate name", "name=x,name=y,cmd=x", `key "name" given twice`},
		{"invalid name", "name=my.fn,cmd=x", `"my.fn" is not a valid function name`},
		{"name too long", "name=" + strings.Repeat("a", 65) + ",cmd=x", "not a valid function name"},
		{"no name", "timeout=1,cmd=x", "no name"},
		{"missing cmd", "name=x,timeout=1", "no command: end the spec with cmd=COMMAND ARGS..., or give image=IMAGE"},
		{"empty image", "name=x,image=,cmd=x", "image: want an image name"},
		{"entrypoint without image", "name=x,entrypoint=/e,cmd=x", "entrypoint= applies to image functions only: add image=IMAGE"},
		{"runtime-api without image", "name=x,runtime-api=direct,cmd=x", "runtime-api= applies to image functions only"},
		{"emulator without image", "name=x,emulator=image,cmd=x", "emulator= applies to image functions only"},
		{"bad runtime-api", "name=x,image=i,runtime-api=socket", `runtime-api: "socket": want direct or emulator`},
		{"bad emulator", "name=x,image=i,emulator=rie", `emulator: "rie": want harness or image`},
		{"emulator in direct mode", "name=x,image=i,runtime-api=direct,emulator=image", "emulator=image applies with runtime-api=emulator, not direct"},
		{"empty entrypoint", "name=x,image=i,entrypoint= ", "empty entrypoint"},
		{"relative workdir in an image", "name=x,image=i,workdir=task", "workdir=task: want an absolute path inside the image"},
		{"empty exec-wrapper", "name=x,exec-wrapper=,cmd=x", "exec-wrapper: want a path"},
		{"exec-wrapper and its env", "name=x,exec-wrapper=/w,env=AWS_LAMBDA_EXEC_WRAPPER=/v,cmd=x", "exec-wrapper= and env=AWS_LAMBDA_EXEC_WRAPPER=... both given"},
		{"empty cmd", "name=x,cmd=  ", "empty command"},
		{"unterminated quote in cmd", `name=x,cmd=./fn "a`, "unterminated double quote"},
		{"item without =", "name=x,verbose,cmd=x", `item "verbose": want key=value`},
		{"bad timeout", "name=x,timeout=soon,cmd=x", "timeout: duration \"soon\""},
		{"negative timeout", "name=x,timeout=-1s,cmd=x", "negative"},
		{"timeout over 15m", "name=x,timeout=16m,cmd=x", "want at most 15m"},
		{"memory out of range", "name=x,memory=64,cmd=x", "memory 64 MB"},
		{"memory not a number", "name=x,memory=lots,cmd=x", `"lots" is not a whole number`},
		{"queue below -1", "name=x,queue=-2,cmd=x", "want at least -1"},
		{"negative concurrency", "name=x,concurrency=-1,cmd=x", "want at least 0"},
		{"env without =", "name=x,env=K,cmd=x", `"K": want KEY=VALUE`},
		{"bad env name", "name=x,env=1K=V,cmd=x", "environment variable name"},
		{"empty pass-env", "name=x,pass-env=,cmd=x", "want a variable name"},
		{"unterminated quoted value", `name=x,env="A=1,cmd=x`, "unterminated quote"},
		{"text after a closing quote", `name=x,env="A=1"B,cmd=x`, "comma after the closing quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFunctionSpec(tt.spec, invoke.Function{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseFunctionSpec(%q) = %v, want an error containing %q", tt.spec, err, tt.wantErr)
			}
		})
	}
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"./bin/echo", []string{"./bin/echo"}},
		{`./bin/echo arg1 "arg 2"`, []string{"./bin/echo", "arg1", "arg 2"}},
		{"  python3\t-m  awslambdaric app.handler ", []string{"python3", "-m", "awslambdaric", "app.handler"}},
		{`sh -c 'echo "$HOME"; exit 3'`, []string{"sh", "-c", `echo "$HOME"; exit 3`}},
		{`a\ b c\"d`, []string{"a b", `c"d`}},
		{`"say \"hi\" \$5 \n"`, []string{`say "hi" $5 \n`}},
		{`'' ""`, []string{"", ""}},
		{`pre"mid dle"'post'`, []string{"premid dlepost"}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := splitWords(tt.in)
			if err != nil {
				t.Fatalf("splitWords(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitWords(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	for _, bad := range []string{`"open`, `'open`, `trailing\`} {
		t.Run("error "+bad, func(t *testing.T) {
			if got, err := splitWords(bad); err == nil {
				t.Errorf("splitWords(%q) = %q, want an error", bad, got)
			}
		})
	}
}

func TestParseSeconds(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "3", want: 3 * time.Second},
		{in: "0.25", want: 250 * time.Millisecond},
		{in: "3s", want: 3 * time.Second},
		{in: "1m30s", want: 90 * time.Second},
		{in: " 10m ", want: 10 * time.Minute},
		{in: "0", want: 0},
		{in: "-1", wantErr: true},
		{in: "-1s", wantErr: true},
		{in: "3 s", wantErr: true},
		{in: "NaN", wantErr: true},
		{in: "1e30", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseSeconds(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseSeconds(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
