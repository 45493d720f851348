// Package process is a runner.Launcher that runs each execution environment
// as a local process tree, with no container engine: the runtime command
// of a function (or its AWS_LAMBDA_EXEC_WRAPPER in front of it) in a
// process group of its own, so that killing the environment kills
// everything it started.
//
// The runtime's environment is built from scratch rather than inherited:
// the Lambda variables the runner passes in the Spec, a few host variables
// every program needs (PATH, HOME, TZ, LANG) and the host variables the
// function asks for by name. So the harness's own settings never leak into
// a function, as on Lambda, where a function sees only its own
// configuration.
package process
