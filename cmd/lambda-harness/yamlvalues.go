package main

import (
	"fmt"
	"strconv"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// words is a command or an entrypoint in the functions file: a list of
// words, or one string split into words like a shell does (splitWords).
// Nil means the key was omitted.
type words []string

// UnmarshalYAML decodes a list of strings, or splits a string.
func (w *words) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		split, err := splitWords(n.Value)
		if err != nil {
			return typeError(n, "%v", err)
		}
		*w = append(words{}, split...)
		return nil
	case yaml.SequenceNode:
		var list []string
		if err := n.Decode(&list); err != nil {
			return err
		}
		*w = append(words{}, list...)
		return nil
	}
	return typeError(n, "want a list of words, or a command line in one string")
}

// seconds is a duration in the functions file: a Go duration ("3s",
// "1m30s") or, as Lambda configures timeouts, seconds (3, 1.5); see
// parseSeconds.
type seconds time.Duration

// UnmarshalYAML decodes a duration.
func (s *seconds) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, "want a duration like 3s or 1m30s, or seconds like 3")
	}
	d, err := parseSeconds(n.Value)
	if err != nil {
		return typeError(n, "%v", err)
	}
	*s = seconds(d)
	return nil
}

// count is a whole number in the functions file. The YAML decoder would
// cut 1.5 to 1 in an int; a count refuses it.
type count int

// UnmarshalYAML decodes a whole number.
func (c *count) UnmarshalYAML(n *yaml.Node) error {
	i, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		return typeError(n, "want a whole number, not %s", nodeWords(n))
	}
	*c = count(i)
	return nil
}

// nodeWords describes n for a message: a scalar by its text.
func nodeWords(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return strconv.Quote(n.Value)
}

// typeError returns a decoding error at n's line, in the form the YAML
// decoder collects (and fileLayout.typeErrors rewrites), so that decoding
// goes on and every mistake of the file is reported at once.
func typeError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, fmt.Sprintf(format, args...))}}
}
