package main

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// fileLayout is where things are in a functions file: the lines of its
// top-level keys, of its functions and of their keys. The YAML decoder
// knows lines only for its errors; the layout gives them to the checks
// that come after decoding, and names the function and the field of a
// decoding error.
type fileLayout struct {
	top       []keyLine         // top-level keys, in file order
	functions []*functionLayout // in file order, duplicates included
	byName    map[string]*functionLayout
	defaults  *functionLayout
}

// keyLine is a mapping key and its line.
type keyLine struct {
	key  string
	line int
}

// functionLayout is where one function (or the defaults) is.
type functionLayout struct {
	name   string
	line   int       // of its name; 0 if unknown
	fields []keyLine // its own keys, in file order
}

// newFileLayout reads the layout of the document root.
func newFileLayout(root *yaml.Node) *fileLayout {
	lay := &fileLayout{byName: make(map[string]*functionLayout), defaults: &functionLayout{}}
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return lay
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], resolveAlias(doc.Content[i+1])
		lay.top = append(lay.top, keyLine{k.Value, k.Line})
		switch k.Value {
		case "defaults":
			lay.defaults = newFunctionLayout("", k.Line, v)
		case "functions":
			if v.Kind != yaml.MappingNode {
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				f := newFunctionLayout(v.Content[j].Value, v.Content[j].Line, resolveAlias(v.Content[j+1]))
				lay.functions = append(lay.functions, f)
				if _, dup := lay.byName[f.name]; !dup {
					lay.byName[f.name] = f
				}
			}
		}
	}
	return lay
}

func newFunctionLayout(name string, line int, v *yaml.Node) *functionLayout {
	f := &functionLayout{name: name, line: line}
	if v.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(v.Content); i += 2 {
			f.fields = append(f.fields, keyLine{v.Content[i].Value, v.Content[i].Line})
		}
	}
	return f
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// topLine returns the line of a top-level key, 0 if absent.
func (lay *fileLayout) topLine(key string) int {
	for _, k := range lay.top {
		if k.key == key {
			return k.line
		}
	}
	return 0
}

// function returns the layout of the function name, or of the defaults
// for "". An unknown name has an empty layout.
func (lay *fileLayout) function(name string) *functionLayout {
	if name == "" {
		return lay.defaults
	}
	if f, ok := lay.byName[name]; ok {
		return f
	}
	return &functionLayout{name: name}
}

// fieldLine returns the line of the key field, or of the function itself
// if the field is not its own (it comes from the defaults or a merge).
func (f *functionLayout) fieldLine(field string) int {
	for _, k := range f.fields {
		if k.key == field {
			return k.line
		}
	}
	return f.line
}

// functionNames returns the names of fns in file order.
func (lay *fileLayout) functionNames(fns map[string]fileSpec) []string {
	var names []string
	for _, f := range lay.functions {
		if _, ok := fns[f.name]; ok && !slices.Contains(names, f.name) {
			names = append(names, f.name)
		}
	}
	var rest []string // from a YAML merge key, which has no line of its own
	for name := range fns {
		if !slices.Contains(names, name) {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	return append(names, rest...)
}

// Messages of the YAML decoder that typeErrors rewrites.
var (
	lineMessage  = regexp.MustCompile(`^line (\d+): (.*)$`)
	unknownField = regexp.MustCompile(`^field (\S+) not found in type main\.(\w+)$`)
	wrongType    = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
	duplicateKey = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
)

// typeErrors rewrites the decoder's errors ("line 12: field memroy not
// found in type main.fileSpec") as file:line messages that name the
// function and the field ("functions.yaml:12: function "hello": unknown
// field "memroy"; known fields: ..."), one line each.
func (lay *fileLayout) typeErrors(file string, te *yaml.TypeError) error {
	msgs := make([]string, 0, len(te.Errors))
	for _, e := range te.Errors {
		m := lineMessage.FindStringSubmatch(e)
		if m == nil {
			msgs = append(msgs, file+": "+e)
			continue
		}
		line, _ := strconv.Atoi(m[1])
		msgs = append(msgs, fmt.Sprintf("%s:%d: %s", file, line, lay.explain(line, m[2])))
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// explain says what the decoder's message msg at line means, and where.
func (lay *fileLayout) explain(line int, msg string) string {
	section, field := lay.locate(line)
	prefix := func(s string) string {
		if field != "" {
			s = field + ": " + s
		}
		if section != "" {
			s = section + ": " + s
		}
		return s
	}
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		s := fmt.Sprintf("unknown field %q; known fields: %s", m[1], strings.Join(yamlFields(m[2]), ", "))
		if m[2] == "fileAMQP" {
			s = "amqp: " + s
		}
		if section != "" {
			s = section + ": " + s
		}
		return s
	}
	if m := duplicateKey.FindStringSubmatch(msg); m != nil {
		if f := lay.functionAt(line); f != nil && f.line == line && f.name == m[1] && section != "defaults" {
			return fmt.Sprintf("function %q is defined twice (first at line %s)", m[1], m[2])
		}
		s := fmt.Sprintf("field %q given twice (first at line %s)", m[1], m[2])
		if section != "" {
			s = section + ": " + s
		}
		return s
	}
	if m := wrongType.FindStringSubmatch(msg); m != nil {
		return prefix(fmt.Sprintf("want %s, not %s", typeWords(m[3]), valueWords(m[1], m[2])))
	}
	return prefix(msg)
}

// locate returns the section of line — `function "name"`, "defaults" or
// "" — and the field it is in ("memory", or a top-level key).
func (lay *fileLayout) locate(line int) (section, field string) {
	top := lastBefore(lay.top, line)
	switch top {
	case "functions":
		f := lay.functionAt(line)
		if f == nil {
			return "", top
		}
		return fmt.Sprintf("function %q", f.name), lastBefore(f.fields, line)
	case "defaults":
		return "defaults", lastBefore(lay.defaults.fields, line)
	}
	return "", top
}

// functionAt returns the function whose settings line is in, or nil.
func (lay *fileLayout) functionAt(line int) *functionLayout {
	if top := lastBefore(lay.top, line); top != "functions" {
		return nil
	}
	var at *functionLayout
	for _, f := range lay.functions {
		if f.line <= line {
			at = f
		}
	}
	return at
}

// lastBefore returns the last key of keys at or before line, "" if none.
func lastBefore(keys []keyLine, line int) string {
	key := ""
	for _, k := range keys {
		if k.line <= line {
			key = k.key
		}
	}
	return key
}

// yamlFields returns the keys of the file's type typ (fileSpec, fileDoc).
func yamlFields(typ string) []string {
	var t reflect.Type
	switch typ {
	case "fileSpec":
		t = reflect.TypeFor[fileSpec]()
	case "fileDoc":
		t = reflect.TypeFor[fileDoc]()
	case "fileAMQP":
		t = reflect.TypeFor[fileAMQP]()
	default:
		return nil
	}
	names := make([]string, 0, t.NumField())
	for f := range t.Fields() {
		names = append(names, strings.Split(f.Tag.Get("yaml"), ",")[0])
	}
	return names
}

// typeWords says what a Go type of the file holds.
func typeWords(typ string) string {
	switch typ {
	case "int":
		return "a whole number"
	case "bool":
		return "true or false"
	case "string":
		return "a string"
	case "[]string":
		return "a list of strings"
	case "map[string]string":
		return "a mapping of names to values"
	case "map[string]main.fileSpec":
		return "a mapping of function names to their settings"
	case "main.fileSpec":
		return "a mapping of settings"
	case "main.fileDoc":
		return "a mapping with functions: and optionally region:, account:, defaults:, amqp:"
	case "main.fileAMQP":
		return "a mapping with url:, username:, password:, queue-kind:"
	}
	return typ
}

// valueWords describes a YAML value by its tag and, for a scalar, its
// text, which the decoder cuts after 7 characters ("./bin/h...").
func valueWords(tag, value string) string {
	switch {
	case tag == "seq":
		return "a list"
	case tag == "map":
		return "a mapping"
	case tag == "str" && strings.HasSuffix(value, "..."):
		return "a string"
	case tag == "str":
		return strconv.Quote(value)
	case value != "" && !strings.HasSuffix(value, "..."):
		return value
	}
	return "a value of type " + tag
}
