// Package runnertest helps test the runner's launchers and runtimes
// without the runner: a launcher conformance suite (TestLauncher) that any
// runner.Launcher must pass, a fake of the runner's side of the Runtime API
// (FakeRuntimeAPI) to run a real runtime against, and a collector of a
// runtime's output lines (Output).
package runnertest
