package process

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// execWrapperVar names the exec wrapper, a program started in place of the
// runtime with the runtime's command line as its arguments
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-modify.html#runtime-wrapper).
const execWrapperVar = "AWS_LAMBDA_EXEC_WRAPPER"

// commandLine returns the program to start and its argv for a function's
// runtime command in env, run from dir: the exec wrapper in front of the
// command if env names one. The checks happen here, before anything
// starts, so that a bad configuration is an init failure with a clear
// message rather than a bare exec error; the wrapper's messages are the
// ones of the entrypoint in AWS's bash-example-wrapper, which exits 127 and
// 126 with them.
//
// Behind a wrapper the command is passed as written and not checked: the
// wrapper starts it, perhaps with a PATH or files of its own. A command
// that already starts with the wrapper is not wrapped again: an entrypoint
// applied it, as the seed's does for aws-lambda-rie (which never applies
// the wrapper itself) with `exec aws-lambda-rie "$wrapper" python3 ...`;
// wrapping it twice would hand the wrapper its own path as the runtime.
//
// Nor is a command that is a script handling AWS_LAMBDA_EXEC_WRAPPER itself,
// as AWS's runtime bootstrap scripts and the seed's lambda-entrypoint.sh do:
// there the script checks and applies the wrapper.
func commandLine(command []string, dir string, env []string) (path string, argv []string, err error) {
	if wrapper, ok := lookupEnv(env, execWrapperVar); ok && wrapper != "" && !appliesWrapper(command[0], dir, env) {
		path, err := checkExecutable(wrapper, dir)
		if err != nil {
			return "", nil, err
		}
		if sameFile(path, command[0], dir, env) {
			return path, append([]string(nil), command...), nil
		}
		return path, append([]string{wrapper}, command...), nil
	}
	name := command[0]
	if !strings.Contains(name, "/") {
		path, err = lookPath(name, dir, env)
	} else {
		path, err = checkExecutable(name, dir)
	}
	if err != nil {
		return "", nil, err
	}
	return path, append([]string(nil), command...), nil
}

// lookPath finds name in the runtime's PATH (not the harness's: the
// runtime may have another one), the way a shell would.
func lookPath(name, dir string, env []string) (string, error) {
	pathVar, _ := lookupEnv(env, "PATH")
	for _, d := range filepath.SplitList(pathVar) {
		if d == "" {
			d = "."
		}
		path, err := checkExecutable(filepath.Join(d, name), dir)
		if err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%s: not found in PATH", name)
}

// checkExecutable returns the path of the executable file name, relative
// names taken from dir (the runtime's working directory) as the runtime
// would, or an error that says what is wrong with it in the words of the
// seed's entrypoint.
func checkExecutable(name, dir string) (string, error) {
	path := name
	if !filepath.IsAbs(path) && dir != "" {
		path = filepath.Join(dir, path)
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("%s: does not exist", name)
	case err != nil:
		return "", fmt.Errorf("%s: %w", name, err)
	case !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0:
		return "", fmt.Errorf("%s: is not an executable", name)
	}
	return path, nil
}

// sameFile reports whether the program name, resolved as commandLine
// resolves a command, is the file at path.
func sameFile(path, name, dir string, env []string) bool {
	var resolved string
	var err error
	if strings.Contains(name, "/") {
		resolved, err = checkExecutable(name, dir)
	} else {
		resolved, err = lookPath(name, dir, env)
	}
	if err != nil {
		return false
	}
	a, errA := os.Stat(path)
	b, errB := os.Stat(resolved)
	return errA == nil && errB == nil && os.SameFile(a, b)
}

// scriptHead is how much of a script appliesWrapper reads.
const scriptHead = 64 << 10

// appliesWrapper reports whether the program name is a script (#!) that
// mentions AWS_LAMBDA_EXEC_WRAPPER, and so applies the wrapper itself.
func appliesWrapper(name, dir string, env []string) bool {
	var path string
	var err error
	if strings.Contains(name, "/") {
		path, err = checkExecutable(name, dir)
	} else {
		path, err = lookPath(name, dir, env)
	}
	if err != nil {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, scriptHead)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	return bytes.HasPrefix(head, []byte("#!")) && bytes.Contains(head, []byte(execWrapperVar))
}
