package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/lambda-harness/lambda-harness/invoke"
)

// The functions file (serve -f) configures many functions in YAML; the
// annotated example at the root of the repository, functions.example.yaml,
// is its reference. Its shape:
//
//	region: eu-west-1          # optional, as --region
//	account: "123456789012"    # optional, as --account
//	defaults:                  # optional: settings of every function that omits them
//	  timeout: 30s
//	functions:                 # required: function name → settings
//	  echo:
//	    command: ["./bin/echo"]
//	  hello:
//	    image: lambda-harness/bash-example-wrapper
//	  elsewhere:               # served by other harnesses, through the broker
//	    remote: true           # (serve --gateway only)
//	    timeout: 1m
//	amqp:                      # optional: the broker, as --amqp-url and co.
//	  url: amqp://broker:5672/
//	  queue-kind: durable
//
// Functions are a mapping keyed by name rather than a list with name
// fields: a name is then unique by construction (YAML itself rejects a
// key given twice), and the name stands where the eye looks for it.
//
// The document is decoded with KnownFields, so a misspelt key is an error
// rather than a setting silently ignored. Errors say where they are —
// "functions.yaml:12: function "hello": memory 64: want 128 to 10240" —
// from a second parse of the file into yaml.Node (see fileLayout).

// fileDoc is the functions file as YAML decodes it.
type fileDoc struct {
	Region    string              `yaml:"region"`
	Account   string              `yaml:"account"`
	Defaults  fileSpec            `yaml:"defaults"`
	Functions map[string]fileSpec `yaml:"functions"`
	AMQP      fileAMQP            `yaml:"amqp"`
}

// fileAMQP is the file's broker: the settings of --amqp-url,
// --amqp-username, --amqp-password and --amqp-queue-kind, which win over
// it. A password kept here rather than on the command line stays out of
// the process list.
type fileAMQP struct {
	URL       string `yaml:"url"`
	Username  string `yaml:"username"`
	Password  string `yaml:"password"`
	QueueKind string `yaml:"queue-kind"`
}

// fileSpec is one function of the file, or the file's defaults. Every key
// is optional; pointers tell an omitted number from a zero.
type fileSpec struct {
	Command     words             `yaml:"command"`
	Image       string            `yaml:"image"`
	Entrypoint  words             `yaml:"entrypoint"`
	RuntimeAPI  string            `yaml:"runtime-api"`
	Emulator    string            `yaml:"emulator"`
	Handler     string            `yaml:"handler"`
	Runtime     string            `yaml:"runtime"`
	Description string            `yaml:"description"`
	Env         map[string]string `yaml:"env"`
	PassEnv     []string          `yaml:"pass-env"`
	Workdir     string            `yaml:"workdir"`
	ExecWrapper string            `yaml:"exec-wrapper"`
	// ExtensionsDir holds a process function's external extensions; an
	// image's are its /opt/extensions.
	ExtensionsDir string   `yaml:"extensions-dir"`
	Timeout       *seconds `yaml:"timeout"`
	Memory        *count   `yaml:"memory"`
	Concurrency   *count   `yaml:"concurrency"`
	Queue         *count   `yaml:"queue"`
	IdleTimeout   *seconds `yaml:"idle-timeout"`
	InitTimeout   *seconds `yaml:"init-timeout"`
	// Remote declares a function that runs elsewhere, reached through the
	// broker by a gateway (serve --gateway): it takes only timeout and
	// description besides.
	Remote bool `yaml:"remote"`
}

// execWrapperEnv is the variable the exec-wrapper key sets: Lambda's
// runtimes, the process launcher and docker/lambda-entrypoint.sh start the
// runtime through the program it names.
const execWrapperEnv = "AWS_LAMBDA_EXEC_WRAPPER"

// functionsFile is a loaded functions file.
type functionsFile struct {
	// Region and Account are "" when the file does not set them.
	Region  string
	Account string
	// Functions are in the order of the file, validated, each on top of
	// the defaults given to loadFunctionsFile.
	Functions []invoke.Function
	// Remote are the functions declared remote: true, in the order of the
	// file: a name, and a timeout (0 if not given) and description.
	Remote []invoke.Function
	// AMQP is the file's broker, as written; its queue kind is checked.
	AMQP fileAMQP
	// Lines are the lines of the functions' names, for messages.
	Lines map[string]int
}

// loadFunctionsFile reads and validates the functions file at path. base
// holds the settings of functions that neither they nor the file's
// defaults give (the flags --timeout, --memory, ...). Relative paths of
// process functions (a command with a '/', workdir, exec-wrapper) are
// taken from the file's directory.
func loadFunctionsFile(path string, base invoke.Function) (functionsFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return functionsFile{}, fmt.Errorf("functions file: %w", err)
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return functionsFile{}, fmt.Errorf("functions file %s: %w", path, err)
	}
	return parseFunctionsFile(path, dir, data, base)
}

// parseFunctionsFile is loadFunctionsFile over the file's content; name
// names the file in messages and dir is its absolute directory.
func parseFunctionsFile(name, dir string, data []byte, base invoke.Function) (functionsFile, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return functionsFile{}, syntaxError(name, err)
	}
	lay := newFileLayout(&root)
	if len(root.Content) == 0 {
		return functionsFile{}, fmt.Errorf("%s: the file is empty: want functions: and at least one function", name)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var doc fileDoc
	if err := dec.Decode(&doc); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return functionsFile{}, lay.typeErrors(name, te)
		}
		return functionsFile{}, syntaxError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return functionsFile{}, fmt.Errorf("%s: more than one YAML document (---): want one", name)
	}

	l := &fileLoader{file: name, dir: dir, lay: lay}
	out := functionsFile{Region: doc.Region, Account: doc.Account, AMQP: doc.AMQP, Lines: make(map[string]int)}
	if doc.Region != "" && !validRegion(doc.Region) {
		return functionsFile{}, l.errorf(lay.topLine("region"), "region %q: want letters, digits and '-', e.g. us-east-1", doc.Region)
	}
	if doc.Account != "" && !invoke.ValidAccount(doc.Account) {
		return functionsFile{}, l.errorf(lay.topLine("account"), "account %q: want 12 digits (quote it: \"123456789012\")", doc.Account)
	}
	if _, err := parseQueueKind(doc.AMQP.QueueKind); err != nil {
		return functionsFile{}, l.errorf(lay.topLine("amqp"), "amqp: %v", err)
	}
	if err := l.checkDefaults(doc.Defaults); err != nil {
		return functionsFile{}, err
	}
	if len(doc.Functions) == 0 {
		return functionsFile{}, l.errorf(lay.topLine("functions"), "no functions: want functions: with at least one function under it")
	}
	for _, fnName := range lay.functionNames(doc.Functions) {
		out.Lines[fnName] = lay.function(fnName).line
		if spec := doc.Functions[fnName]; spec.Remote {
			fn, err := l.remoteFunction(fnName, spec)
			if err != nil {
				return functionsFile{}, err
			}
			out.Remote = append(out.Remote, fn)
			continue
		}
		fn, err := l.function(fnName, doc.Functions[fnName], doc.Defaults, base)
		if err != nil {
			return functionsFile{}, err
		}
		out.Functions = append(out.Functions, fn)
	}
	return out, nil
}

// syntaxError reports a YAML syntax error ("yaml: line 3: found ...") as
// file:line.
func syntaxError(name string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := lineMessage.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", name, m[1], m[2])
	}
	return fmt.Errorf("%s: %s", name, msg)
}
