// Package testutil holds small helpers shared by the tests of several
// packages.
package testutil
