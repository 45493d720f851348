package process

import (
	"slices"
	"testing"
)

func TestBuildEnv(t *testing.T) {
	host := []string{
		"PATH=/host/bin", "HOME=/home/dev", "TZ=Europe/Paris", "LANG=C.UTF-8",
		"AMQP_PASSWORD=secret", "FOO=bar", "IMAGE_VAR=from-image",
	}
	spec := []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001", "TZ=:UTC", "FOO=function"}
	for _, c := range []struct {
		name    string
		host    []string
		passEnv []string
		spec    []string
		want    []string
	}{{
		name: "only the base variables",
		host: host,
		spec: spec[:1],
		want: []string{"PATH=/host/bin", "HOME=/home/dev", "TZ=Europe/Paris", "LANG=C.UTF-8",
			"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001"},
	}, {
		name: "spec wins over the host",
		host: host,
		spec: spec,
		want: []string{"PATH=/host/bin", "HOME=/home/dev", "TZ=:UTC", "LANG=C.UTF-8",
			"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001", "FOO=function"},
	}, {
		name:    "PassEnv by name",
		host:    host,
		passEnv: []string{"IMAGE_VAR", "NOT_SET"},
		want: []string{"PATH=/host/bin", "HOME=/home/dev", "TZ=Europe/Paris", "LANG=C.UTF-8",
			"IMAGE_VAR=from-image"},
	}, {
		name:    "PassEnv star passes everything",
		host:    host,
		passEnv: []string{"*"},
		spec:    spec,
		want: []string{"PATH=/host/bin", "HOME=/home/dev", "TZ=:UTC", "LANG=C.UTF-8",
			"AMQP_PASSWORD=secret", "FOO=function", "IMAGE_VAR=from-image",
			"AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001"},
	}, {
		name: "default PATH",
		host: []string{"HOME=/root"},
		want: []string{"HOME=/root", "PATH=" + defaultPath},
	}, {
		name: "the function's PATH",
		host: host[:1],
		spec: []string{"PATH=/opt/bin"},
		want: []string{"PATH=/opt/bin"},
	}, {
		name: "later duplicates win",
		spec: []string{"A=1", "B=2", "A=3", "no-equals-sign"},
		want: []string{"A=3", "B=2", "PATH=" + defaultPath},
	}} {
		t.Run(c.name, func(t *testing.T) {
			got := buildEnv(c.host, c.passEnv, c.spec)
			if !slices.Equal(got, c.want) {
				t.Errorf("buildEnv =\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}
