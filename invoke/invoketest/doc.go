// Package invoketest provides hand-written fakes of the invoke package's
// interfaces for tests: an Invoker that records every request and answers as
// configured, and a Catalog over a fixed list of functions.
//
// They are fakes, not the real runner: nothing runs, no runtime is started.
package invoketest
