package process

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestCommandLineWrapper checks where the exec wrapper goes, and that a
// command that already starts with it (the seed's entrypoint runs
// aws-lambda-rie "$wrapper" python3 -m awslambdaric "$1") is not wrapped
// twice.
func TestCommandLineWrapper(t *testing.T) {
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "wrapper.sh")
	other := filepath.Join(dir, "other.sh")
	for _, p := range []string{wrapper, other} {
		if err := os.WriteFile(p, []byte("#!/bin/sh\nexec \"$@\"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"PATH=" + dir, execWrapperVar + "=" + wrapper}
	for _, c := range []struct {
		name     string
		command  []string
		wantArgv []string
	}{
		{"wrapped", []string{"python3", "-m", "awslambdaric", "h"},
			[]string{wrapper, "python3", "-m", "awslambdaric", "h"}},
		{"another script is wrapped", []string{other, "h"},
			[]string{wrapper, other, "h"}},
		{"already wrapped", []string{wrapper, "python3", "-m", "awslambdaric", "h"},
			[]string{wrapper, "python3", "-m", "awslambdaric", "h"}},
		{"already wrapped, relative", []string{"./wrapper.sh", "python3"},
			[]string{"./wrapper.sh", "python3"}},
		{"already wrapped, found in PATH", []string{"wrapper.sh", "python3"},
			[]string{"wrapper.sh", "python3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, argv, err := commandLine(c.command, dir, env)
			if err != nil {
				t.Fatalf("commandLine: %v", err)
			}
			if path != wrapper || !slices.Equal(argv, c.wantArgv) {
				t.Errorf("commandLine = %s %q, want %s %q", path, argv, wrapper, c.wantArgv)
			}
		})
	}
}

// TestCommandLineEntrypointAppliesWrapper checks that a script which
// handles AWS_LAMBDA_EXEC_WRAPPER itself, as the seed's lambda-entrypoint.sh
// does, is started as it is: wrapping it too would hand it the wrapper's
// arguments.
func TestCommandLineEntrypointAppliesWrapper(t *testing.T) {
	dir := t.TempDir()
	entry := filepath.Join(dir, "lambda-entrypoint.sh")
	script := "#!/bin/sh\nif [ -z \"$AWS_LAMBDA_EXEC_WRAPPER\" ]; then exec python3 -m awslambdaric \"$1\"; fi\n"
	if err := os.WriteFile(entry, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	// The wrapper need not exist: the entrypoint checks it, with its own
	// messages and exit codes.
	env := []string{"PATH=" + dir, execWrapperVar + "=/opt/missing-wrapper"}
	path, argv, err := commandLine([]string{entry, "app.handler"}, dir, env)
	if err != nil || path != entry || !slices.Equal(argv, []string{entry, "app.handler"}) {
		t.Errorf("commandLine = %s %q %v, want the entrypoint unwrapped", path, argv, err)
	}
}
