package main

import (
	"fmt"
	"io"
	"runtime"
)

// version is the harness's version, set at build time by the Makefile with
// -ldflags "-X main.version=$(git describe --always --dirty)".
var version = "dev"

// printVersion prints the version and the Go toolchain it was built with,
// which is what a bug report needs.
func printVersion(w io.Writer) {
	fmt.Fprintf(w, "lambda-harness %s (%s %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
