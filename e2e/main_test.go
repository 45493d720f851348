package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/lambda-harness/lambda-harness/internal/testfunctions"
)

// harnessBin is the lambda-harness binary under test, built once by
// TestMain from ./cmd/lambda-harness; moduleRoot is the repository's root.
// Both are set before any test runs and never change.
var harnessBin, moduleRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lambda-harness-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	code := 1
	if err := buildHarness(dir); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
	} else {
		code = m.Run()
	}
	testfunctions.Cleanup()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildHarness builds the harness into dir. When the tests run with the
// race detector the harness is built with it too, so that a data race in
// the daemon makes it exit non-zero, which every test's stop checks.
func buildHarness(dir string) error {
	root, err := filepath.Abs("..")
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("module root: %w", err)
	}
	moduleRoot = root
	harnessBin = filepath.Join(dir, "lambda-harness")
	args := []string{"build", "-o", harnessBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	args = append(args, "./cmd/lambda-harness")
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if raceEnabled {
		// The race detector needs cgo, which the Makefile turns off for
		// static builds.
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %v: %v\n%s", args, err, out)
	}
	return nil
}
