package invoketest

import (
	"slices"
	"strings"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// Catalog is a fake invoke.Catalog over a fixed list of functions. It is
// safe for concurrent use.
type Catalog struct {
	fns []invoke.Function // sorted by name, never modified
}

var _ invoke.Catalog = (*Catalog)(nil)

// NewCatalog returns a Catalog of fns.
func NewCatalog(fns ...invoke.Function) *Catalog {
	c := &Catalog{fns: slices.Clone(fns)}
	slices.SortFunc(c.fns, func(a, b invoke.Function) int { return strings.Compare(a.Name, b.Name) })
	return c
}

// Functions returns the functions sorted by name.
func (c *Catalog) Functions() []invoke.Function {
	return slices.Clone(c.fns)
}

// Function returns the function with this name, or false.
func (c *Catalog) Function(name string) (invoke.Function, bool) {
	i, ok := slices.BinarySearchFunc(c.fns, name, func(f invoke.Function, name string) int {
		return strings.Compare(f.Name, name)
	})
	if !ok {
		return invoke.Function{}, false
	}
	return c.fns[i], true
}

// Names returns a Catalog of functions with these names and a runtime
// command, the least a valid Function needs.
func Names(names ...string) *Catalog {
	fns := make([]invoke.Function, len(names))
	for i, n := range names {
		fns[i] = invoke.Function{Name: n, Command: []string{"./bootstrap"}}
	}
	return NewCatalog(fns...)
}
