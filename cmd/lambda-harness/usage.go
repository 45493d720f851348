package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// printUsage prints the top-level usage.
func printUsage(w io.Writer) {
	fmt.Fprint(w, `lambda-harness runs AWS Lambda functions locally and speaks Lambda's own
protocols: the Invoke API to callers (curl, aws lambda invoke, the SDKs) and
the Runtime API to the functions' runtimes (any Runtime Interface Client).

Usage:
  lambda-harness serve [flags] [-- command args...]  serve functions run as local processes or
                                                     container images
  lambda-harness rie [flags] <runtime command...>    a drop-in for aws-lambda-rie
  lambda-harness version                             print the version
  lambda-harness help [command]                      print this help, or a command's

Invoked under the name aws-lambda-rie (a copy or a link), the binary behaves
as "lambda-harness rie" and takes all its arguments as rie's.

Flags:
  --version   print the version and exit
  -h, --help  print this help and exit

Examples:
  lambda-harness serve --name echo -- ./bin/echo
  lambda-harness serve -f functions.yaml
  lambda-harness serve --function 'name=hello,handler=app.handler,cmd=python3 -m awslambdaric app.handler'
  lambda-harness serve --function 'name=hello,image=lambda-harness/bash-example-wrapper'
  aws-lambda-rie python3 -m awslambdaric app.handler

`)
	fmt.Fprint(w, invokeExamples("localhost:8080", "echo"))
	fmt.Fprint(w, "\nRun 'lambda-harness <command> --help' for the flags of a command.\n")
}

// invokeExamples returns the four invocations a user tries first (the
// seed's: curl and the AWS CLI, with the generic name "function" and with
// the real name), for a harness at addr serving the function name.
func invokeExamples(addr, name string) string {
	return fmt.Sprintf(`Invoke it (the generic name "function" resolves when one function is served):
  curl -XPOST "http://%[1]s/2015-03-31/functions/function/invocations" -d '{"key": "value"}'
  curl -XPOST "http://%[1]s/2015-03-31/functions/%[2]s/invocations" -d '{"key": "value"}'
  aws lambda invoke --endpoint-url http://%[1]s --function-name function \
      --cli-binary-format raw-in-base64-out --payload '{ "key": "value" }' /dev/stderr 1>/dev/null
  aws lambda invoke --endpoint-url http://%[1]s --function-name %[2]s \
      --cli-binary-format raw-in-base64-out --payload '{ "key": "value" }' /dev/stderr 1>/dev/null
(--cli-binary-format needs AWS CLI v2; both CLIs need a region and any credentials.)
`, addr, name)
}

// printFlags prints the flags of fs as GNU-style --name options, each with
// its argument name (the back-quoted word of its usage), its usage and its
// default, in the order of fs.VisitAll (alphabetical). A one-letter flag
// that shares its value with a long one is printed with it: "-f, --file".
func printFlags(w io.Writer, fs *flag.FlagSet) {
	short := shortFlags(fs)
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) == 1 && short[f.Value] == f.Name {
			return
		}
		arg, usage := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if s, ok := short[f.Value]; ok && s != f.Name {
			head = "  -" + s + ", --" + f.Name
		}
		if arg != "" {
			head += " " + arg
		}
		fmt.Fprintln(w, head)
		usage = strings.ReplaceAll(usage, "\n", "\n        ")
		if !isZeroDefault(f.DefValue) && !strings.Contains(usage, "(default") {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "        %s\n", usage)
	})
}

// shortFlags maps the value of each long flag that has a one-letter alias
// to the alias.
func shortFlags(fs *flag.FlagSet) map[flag.Value]string {
	short := make(map[flag.Value]string)
	fs.VisitAll(func(f *flag.Flag) {
		if len(f.Name) != 1 {
			return
		}
		fs.VisitAll(func(g *flag.Flag) {
			if len(g.Name) > 1 && g.Value == f.Value {
				short[f.Value] = f.Name
			}
		})
	})
	return short
}

// isZeroDefault reports whether a flag's default is its type's zero value,
// which the usage does not repeat.
func isZeroDefault(v string) bool {
	switch v {
	case "", "0", "false", "0s":
		return true
	}
	return false
}
