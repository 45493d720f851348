// Package testfunctions builds the test functions under
// testdata/functions for the module's tests: real Lambda runtimes
// (aws-lambda-go, raw Runtime API clients, a bash+curl custom runtime) that
// the launchers, the runner and the end-to-end tests run for real.
//
// Each function's main.go documents the event fields it takes. The Go
// functions are built once per test process, statically (CGO_ENABLED=0) so
// that the same binaries also run in FROM scratch images.
package testfunctions
