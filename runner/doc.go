// Package runner runs functions here: per-function pools of instances
// (execution environments), each with its own Runtime API listener, started
// by a Launcher (runner/process for local processes). Runner is the
// invoke.Invoker that front doors call to run a function on this machine.
//
// An instance moves starting → ready (its runtime waits in /next) → busy →
// ready … → dead. A pool reuses its most recently used idle instance, starts
// a new one while below the function's concurrency, else queues the
// invocation (bounded) and then throttles. Idle instances are reaped; a
// timed-out or crashed instance is killed and never reused.
package runner
