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
		{"missing cmd", "name=x,timeout=1", "no command"},
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
