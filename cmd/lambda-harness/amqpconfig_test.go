package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lambda-harness/lambda-harness/amqp"
	"github.com/lambda-harness/lambda-harness/invoke"
)

// writeFile writes a functions file into a temporary directory.
func writeFile(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "functions.yaml")
	if err := os.WriteFile(path, yamlLines(lines...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseServeAMQP(t *testing.T) {
	file := writeFile(t,
		"amqp:",
		"  url: amqp://file-host:5672/",
		"  username: file-user",
		"  password: file-pass",
		"  queue-kind: durable",
		"functions:",
		"  echo: {command: ./echo}",
	)
	remoteFile := writeFile(t,
		"functions:",
		"  local: {command: ./local}",
		"  resize: {remote: true, timeout: 1m, description: images}",
		"  other: {remote: true}",
	)
	environ := env(
		"LAMBDA_HARNESS_AMQP_URL=amqp://env-host:5672/",
		"LAMBDA_HARNESS_AMQP_USERNAME=env-user",
		"LAMBDA_HARNESS_AMQP_PASSWORD=env-pass",
		"LAMBDA_HARNESS_AMQP_QUEUE_KIND=durable",
	)
	tests := []struct {
		name   string
		args   []string
		getenv func(string) string
		want   amqpConfig
	}{
		{"no broker", []string{"--", "./fn"}, env(), amqpConfig{}},
		{"--amqp-url, compat by default",
			[]string{"--amqp-url", "amqp://guest:guest@127.0.0.1:5672/", "--", "./fn"}, env(),
			amqpConfig{URL: "amqp://guest:guest@127.0.0.1:5672/", QueueKind: amqp.QueueCompat}},
		{"RAPID's query options accepted",
			[]string{"--amqp-url", "amqp://h:5672/?connection_attempts=20&retry_delay=10&heartbeat=0", "--", "./fn"}, env(),
			amqpConfig{URL: "amqp://h:5672/?connection_attempts=20&retry_delay=10&heartbeat=0", QueueKind: amqp.QueueCompat}},
		{"credentials by flags",
			[]string{"--amqp-url", "amqp://h/", "--amqp-username", "u", "--amqp-password", "p", "--amqp-queue-kind", "durable", "--", "./fn"},
			env(), amqpConfig{URL: "amqp://h/", Username: "u", Password: "p", QueueKind: amqp.QueueDurable}},
		{"everything from the environment", []string{"--", "./fn"}, environ,
			amqpConfig{URL: "amqp://env-host:5672/", Username: "env-user", Password: "env-pass", QueueKind: amqp.QueueDurable}},
		{"the file beats the environment", []string{"-f", file}, environ,
			amqpConfig{URL: "amqp://file-host:5672/", Username: "file-user", Password: "file-pass", QueueKind: amqp.QueueDurable}},
		{"flags beat the file",
			[]string{"-f", file, "--amqp-url", "amqp://flag-host/", "--amqp-password", "flag-pass", "--amqp-queue-kind", "compat"}, environ,
			amqpConfig{URL: "amqp://flag-host/", Username: "file-user", Password: "flag-pass", QueueKind: amqp.QueueCompat}},
		{"the file's broker alone", []string{"-f", file}, env(),
			amqpConfig{URL: "amqp://file-host:5672/", Username: "file-user", Password: "file-pass", QueueKind: amqp.QueueDurable}},
		{"gateway with no local function",
			[]string{"--gateway", "--amqp-url", "amqp://h/"}, env(),
			amqpConfig{URL: "amqp://h/", QueueKind: amqp.QueueCompat, Gateway: true, GatewayTimeout: 15 * time.Minute}},
		{"gateway with remote functions declared",
			[]string{"--gateway", "--gateway-timeout", "2m", "--amqp-url", "amqp://h/", "-f", remoteFile}, env(),
			amqpConfig{URL: "amqp://h/", QueueKind: amqp.QueueCompat, Gateway: true, GatewayTimeout: 2 * time.Minute,
				Remote: []invoke.Function{
					{Name: "resize", Timeout: time.Minute, Description: "images"},
					{Name: "other", Timeout: 2 * time.Minute},
				}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseServe(tt.args, tt.getenv)
			if err != nil {
				t.Fatalf("parseServe(%q): %v", tt.args, err)
			}
			if !reflect.DeepEqual(cfg.AMQP, tt.want) {
				t.Errorf("parseServe(%q).AMQP\n got %+v\nwant %+v", tt.args, cfg.AMQP, tt.want)
			}
		})
	}
	t.Run("a gateway serves its local functions too", func(t *testing.T) {
		cfg, err := parseServe([]string{"--gateway", "--amqp-url", "amqp://h/", "-f", remoteFile}, env())
		if err != nil {
			t.Fatal(err)
		}
		if names := functionNames(cfg.Functions); !reflect.DeepEqual(names, []string{"local"}) {
			t.Errorf("local functions %q, want [local]", names)
		}
	})
}

func TestParseServeAMQPErrors(t *testing.T) {
	remoteFile := writeFile(t, "functions:", "  resize: {remote: true}")
	tests := []struct {
		name    string
		args    []string
		getenv  func(string) string
		wantErr string
	}{
		{"--gateway without a broker", []string{"--gateway"}, env(), "--gateway needs a broker: give --amqp-url"},
		{"--amqp-password without a broker", []string{"--amqp-password", "p", "--", "./fn"}, env(), "--amqp-password needs a broker"},
		{"--gateway-timeout without --gateway", []string{"--amqp-url", "amqp://h/", "--gateway-timeout", "1m", "--", "./fn"}, env(),
			"--gateway-timeout applies with --gateway"},
		{"--gateway-timeout over 15m", []string{"--gateway", "--amqp-url", "amqp://h/", "--gateway-timeout", "16m"}, env(),
			"--gateway-timeout 16m: want more than 0 and at most 15m"},
		{"bad queue kind", []string{"--amqp-url", "amqp://h/", "--amqp-queue-kind", "classic", "--", "./fn"}, env(),
			`queue kind "classic": want compat or durable`},
		{"bad queue kind in the environment", []string{"--amqp-url", "amqp://h/", "--", "./fn"},
			env("LAMBDA_HARNESS_AMQP_QUEUE_KIND=lazy"), `LAMBDA_HARNESS_AMQP_QUEUE_KIND: queue kind "lazy"`},
		{"not amqp", []string{"--amqp-url", "http://u:hunter2@h/", "--", "./fn"}, env(), "want scheme amqp or amqps"},
		{"bad connection_attempts", []string{"--amqp-url", "amqp://u:hunter2@h/?connection_attempts=many", "--", "./fn"}, env(),
			`connection_attempts="many"`},
		{"remote function without --gateway", []string{"--amqp-url", "amqp://h/", "-f", remoteFile}, env(),
			`function "resize" in ` + remoteFile + ":2 is remote: true: serve it with --gateway"},
		{"remote function also local", []string{"--gateway", "--amqp-url", "amqp://h/", "-f", remoteFile, "--function", "name=resize,cmd=./r"}, env(),
			`function "resize" is defined twice: by --function and in ` + remoteFile + ":2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseServe(tt.args, tt.getenv)
			var u *usageError
			if !errors.As(err, &u) {
				t.Fatalf("parseServe(%q) = %v, want a *usageError", tt.args, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseServe(%q) = %q, want it to contain %q", tt.args, err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("parseServe(%q) = %q: the error shows the password", tt.args, err)
			}
		})
	}
}

func TestFunctionsFileAMQPErrors(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		want string
	}{
		{"bad queue kind",
			yamlLines("amqp:", "  queue-kind: lazy", "functions: {a: {command: x}}"),
			`functions.yaml:1: amqp: queue kind "lazy": want compat or durable`},
		{"unknown amqp key",
			yamlLines("amqp:", "  uri: amqp://h/", "functions: {a: {command: x}}"),
			`functions.yaml:2: amqp: unknown field "uri"; known fields: url, username, password, queue-kind`},
		{"remote with a command",
			yamlLines("functions:", "  a:", "    remote: true", "    command: x"),
			`functions.yaml:4: function "a": command: a remote function (remote: true) runs elsewhere; it takes only remote, timeout, description`},
		{"remote in defaults",
			yamlLines("defaults: {remote: true}", "functions: {a: {command: x}}"),
			`functions.yaml:1: defaults: remote: give it per function, not in defaults`},
		{"remote not a bool",
			yamlLines("functions:", "  a: {remote: maybe}"),
			`functions.yaml:2: function "a": remote: want true or false, not "maybe"`},
		{"remote timeout over 15m",
			yamlLines("functions:", "  a:", "    remote: true", "    timeout: 20m"),
			`functions.yaml:4: function "a": timeout 20m: want at most 15m`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFunctionsFile("functions.yaml", "/dir", tt.file, fileBase)
			if err == nil || err.Error() != tt.want {
				t.Errorf("parse:\n%s\n got %v\nwant %s", tt.file, err, tt.want)
			}
		})
	}
}

func TestParseRIEAMQP(t *testing.T) {
	tests := []struct {
		name   string
		getenv func(string) string
		want   amqpConfig
	}{
		{"no AMQP_URI, no broker", env("AMQP_USERNAME=guest"), amqpConfig{}},
		{"the seed's run script",
			env("AWS_LAMBDA_FUNCTION_NAME=bash-example-wrapper", "AMQP_URI=amqp://host.docker.internal:5672",
				"AMQP_USERNAME=guest", "AMQP_PASSWORD=guest", "MAX_CONCURRENCY=4"),
			amqpConfig{URL: "amqp://host.docker.internal:5672", Username: "guest", Password: "guest", QueueKind: amqp.QueueCompat}},
		{"RAPID's query options",
			env("AMQP_URI=amqp://h:5672?connection_attempts=20&retry_delay=10&heartbeat=0"),
			amqpConfig{URL: "amqp://h:5672?connection_attempts=20&retry_delay=10&heartbeat=0", QueueKind: amqp.QueueCompat}},
		{"durable queues", env("AMQP_URI=amqp://h", "LAMBDA_HARNESS_AMQP_QUEUE_KIND=durable"),
			amqpConfig{URL: "amqp://h", QueueKind: amqp.QueueDurable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseRIE("rie", []string{"./bootstrap"}, tt.getenv, statIn())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg.AMQP, tt.want) {
				t.Errorf("AMQP\n got %+v\nwant %+v", cfg.AMQP, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name, uri, want string
	}{
		{"bad connection_attempts", "amqp://guest:hunter2@h?connection_attempts=0", "connection_attempts=\"0\""},
		{"bad heartbeat", "amqp://guest:hunter2@h?heartbeat=x", "heartbeat=\"x\""},
		{"not amqp", "https://guest:hunter2@h/", "want scheme amqp or amqps"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseRIE("rie", []string{"./bootstrap"}, env("AMQP_URI="+tt.uri), statIn())
			var u *usageError
			if !errors.As(err, &u) || !strings.Contains(err.Error(), "AMQP_URI") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseRIE = %v, want a usage error about AMQP_URI containing %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "hunter2") {
				t.Errorf("parseRIE = %q: the error shows the password", err)
			}
		})
	}
}

// TestBrokerNeverLogged: the help shows no credential from the
// environment, and the broker settings stay out of every runtime's
// environment.
func TestBrokerSecretsStayHidden(t *testing.T) {
	secrets := env("LAMBDA_HARNESS_AMQP_URL=amqp://u:hunter2@h/", "LAMBDA_HARNESS_AMQP_PASSWORD=hunter2")
	var b strings.Builder
	printServeUsage(&b, secrets)
	if strings.Contains(b.String(), "hunter2") {
		t.Errorf("serve's help shows the password from the environment")
	}
	for _, name := range []string{envAMQPURL, envAMQPUsername, envAMQPPassword, envAMQPQueueKind,
		envRIEAMQPURI, envRIEAMQPUsername, envRIEAMQPPassword} {
		if !isHarnessEnv(name) {
			t.Errorf("%s would reach runtimes: isHarnessEnv is false", name)
		}
	}
}
