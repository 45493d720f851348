package testfunctions

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// The binaries are shared by every test of a test process, so they live in
// one directory made on first use rather than in a test's t.TempDir.
// This is test-only state: it exists once per test binary.
var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// Build returns the path of the binary of the Go test function name
// (testdata/functions/<name>), building every Go test function on first use
// in one go build, which compiles them in parallel and shares their
// dependencies. The binaries stay until Cleanup.
func Build(tb testing.TB, name string) string {
	tb.Helper()
	buildOnce.Do(func() { binDir, buildErr = buildAll() })
	if buildErr != nil {
		tb.Fatalf("build test functions: %v", buildErr)
	}
	bin := filepath.Join(binDir, name)
	if _, err := os.Stat(bin); err != nil {
		tb.Fatalf("test function %q: no such Go function under testdata/functions", name)
	}
	return bin
}

// Path returns the absolute path of rel under testdata/functions, for the
// functions that need no build (e.g. "bash-runtime/bootstrap"). It fails
// the test if the file does not exist.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	root, err := moduleRoot()
	if err != nil {
		tb.Fatalf("test function %s: %v", rel, err)
	}
	p := filepath.Join(root, "testdata", "functions", filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("test function %s: %v", rel, err)
	}
	return p
}

// Cleanup removes the built binaries. Call it from TestMain after m.Run;
// a test process that does not leaves them in the system's temporary
// directory.
func Cleanup() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}

func buildAll() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	mains, err := filepath.Glob(filepath.Join(root, "testdata", "functions", "*", "main.go"))
	if err != nil || len(mains) == 0 {
		return "", fmt.Errorf("no Go test functions under %s", root)
	}
	dir, err := os.MkdirTemp("", "lambda-harness-functions-")
	if err != nil {
		return "", err
	}
	args := []string{"build", "-trimpath", "-o", dir + string(filepath.Separator)}
	for _, m := range mains {
		args = append(args, "./testdata/functions/"+filepath.Base(filepath.Dir(m)))
	}
	cmd := exec.Command(goTool(), args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return dir, nil
}

// moduleRoot finds the module's root from this source file's location,
// which does not depend on the test's working directory, and falls back to
// asking the go tool (when built with -trimpath).
func moduleRoot() (string, error) {
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		root := filepath.Join(filepath.Dir(file), "..", "..")
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			return filepath.Clean(root), nil
		}
	}
	out, err := exec.Command(goTool(), "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module root: go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("find the module root: not inside a module")
	}
	return filepath.Dir(gomod), nil
}

// goTool returns the go command of the toolchain running the tests.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}
