package container_test

import (
	"net"
	"testing"

	"github.com/lambda-harness/lambda-harness/invoke"
	"github.com/lambda-harness/lambda-harness/runner"
	"github.com/lambda-harness/lambda-harness/runner/container"
	"github.com/lambda-harness/lambda-harness/runner/runnertest"
)

// TestLauncher runs the launcher conformance suite in direct mode, the
// fake Runtime API listening where the launcher says its containers reach
// this host.
func TestLauncher(t *testing.T) {
	runnertest.TestLauncher(t, func(t *testing.T) runner.Launcher {
		return newLauncher(t, container.Config{})
	}, runnertest.Options{
		Function: function,
		Missing: func(t *testing.T) invoke.Function {
			fn := function(t, "echo")
			fn.Entrypoint = []string{"/nonexistent/runnertest/bootstrap"}
			return fn
		},
		Fake: fakeConfig(t),
	})
}

// function returns the configuration that runs the test function name from
// its test image.
func function(t *testing.T, name string) invoke.Function {
	t.Helper()
	return invoke.Function{Name: name, Image: testImage(t, name)}
}

// fakeConfig places a fake Runtime API where direct-mode containers reach
// it.
func fakeConfig(t *testing.T) runnertest.FakeConfig {
	t.Helper()
	listen, advertise := newLauncher(t, container.Config{}).RuntimeAPIHosts(invoke.Function{Name: "f", Image: "i"})
	if listen == "" {
		t.Fatal("RuntimeAPIHosts of an image function in direct mode: no listen host")
	}
	return runnertest.FakeConfig{ListenAddr: net.JoinHostPort(listen, "0"), Host: advertise}
}

// TestRuntimeAPIHosts: image functions in direct mode get an address
// containers reach and that is not every interface; process functions get
// the runner's default.
func TestRuntimeAPIHosts(t *testing.T) {
	l := newLauncher(t, container.Config{})
	if listen, advertise := l.RuntimeAPIHosts(invoke.Function{Name: "p", Command: []string{"./bootstrap"}}); listen != "" || advertise != "" {
		t.Errorf("process function: %q, %q; want the runner's default", listen, advertise)
	}
	listen, advertise := l.RuntimeAPIHosts(invoke.Function{Name: "i", Image: "i"})
	ip := net.ParseIP(listen)
	if ip == nil || ip.IsUnspecified() || advertise == "" {
		t.Errorf("image function: listen %q, advertise %q", listen, advertise)
	}
	t.Logf("listen %s, advertise %s", listen, advertise)
}

// TestClose: Close kills and removes the containers still running, and
// Launch fails afterwards.
func TestClose(t *testing.T) {
	requireDocker(t)
	l, err := container.New(t.Context(), container.Config{Daemon: testDaemonPrefix + "close"})
	if err != nil {
		t.Fatal(err)
	}
	fn := function(t, "sleep")
	r := launch(t, l, fakeConfig(t), fn, `{"ms":600000}`, nil)
	r.api.WaitNext(t, runnertest.Timeout)
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case <-r.proc.Done():
	default:
		t.Error("Close returned before the environment was done")
	}
	if ctr, ok := inspect(t, r.spec); ok {
		t.Errorf("container %s still there after Close", ctr.Name)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	api := runnertest.NewFakeRuntimeAPI(t, fakeConfig(t), runnertest.Invocation{})
	if p, err := l.Launch(t.Context(), api.Spec(fn, nil)); err == nil {
		p.Kill()
		t.Error("Launch after Close: no error")
	}
}
