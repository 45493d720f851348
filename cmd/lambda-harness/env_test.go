package main

import (
	"reflect"
	"testing"
)

func TestHostEnvStripsTheHarnessOwnVariables(t *testing.T) {
	environ := []string{
		"PATH=/usr/bin:/bin",
		"HOME=/root",
		"AMQP_URI=amqp://broker:5672",
		"AMQP_USERNAME=guest",
		"AMQP_PASSWORD=secret",
		"MAX_CONCURRENCY=4",
		"AWS_LAMBDA_MAX_CONCURRENCY=4",
		"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001",
		"LAMBDA_HARNESS_GRACE_PERIOD=5s",
		"LAMBDA_HARNESS_ANYTHING=x",
		"LAMBDA_HARNESS_AMQP_URL=amqp://u:secret@broker/",
		"LAMBDA_HARNESS_AMQP_USERNAME=u",
		"LAMBDA_HARNESS_AMQP_PASSWORD=secret",
		"LAMBDA_HARNESS_AMQP_QUEUE_KIND=durable",
		"LOG_LEVEL=debug",
		"AWS_LAMBDA_EXEC_WRAPPER=/opt/wrapper",
		"AWS_REGION=eu-west-1",
		"AMQP_URI_FALLBACK=kept, only exact names are the broker's",
		"MY_LAMBDA_HARNESS_X=kept, only the prefix is the harness's",
		"EMPTY=",
		"malformed",
		"=no-name",
	}
	want := []string{
		"PATH=/usr/bin:/bin",
		"HOME=/root",
		"LOG_LEVEL=debug",
		"AWS_LAMBDA_EXEC_WRAPPER=/opt/wrapper",
		"AWS_REGION=eu-west-1",
		"AMQP_URI_FALLBACK=kept, only exact names are the broker's",
		"MY_LAMBDA_HARNESS_X=kept, only the prefix is the harness's",
		"EMPTY=",
	}
	if got := hostEnv(environ); !reflect.DeepEqual(got, want) {
		t.Errorf("hostEnv:\n got %q\nwant %q", got, want)
	}
}

func TestIsHarnessEnv(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"AMQP_URI", true},
		{"AMQP_USERNAME", true},
		{"AMQP_PASSWORD", true},
		{"MAX_CONCURRENCY", true},
		{"AWS_LAMBDA_MAX_CONCURRENCY", true},
		{"AWS_LAMBDA_RUNTIME_API", true},
		{"LAMBDA_HARNESS_LOG_FORMAT", true},
		{"LAMBDA_HARNESS_", true},
		// LOG_LEVEL configures runtimes as well as the harness.
		{"LOG_LEVEL", false},
		{"AWS_LAMBDA_FUNCTION_NAME", false},
		{"_HANDLER", false},
		{"amqp_password", false},
		{"PATH", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isHarnessEnv(tt.name); got != tt.want {
				t.Errorf("isHarnessEnv(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}
