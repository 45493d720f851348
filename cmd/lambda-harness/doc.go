// Command lambda-harness runs AWS Lambda functions locally and speaks
// Lambda's own protocols: the Invoke API to callers (curl, the AWS CLI, the
// SDKs) and the Runtime API to the functions' runtimes.
//
// It has two modes that share one engine:
//
//	lambda-harness serve [flags] [-- command args...]
//	    a host daemon serving any number of functions — given in a
//	    functions file (-f), as --function specs or as a command after
//	    the flags — each run as local processes or as Docker containers of
//	    its image, scaled up to its concurrency; Docker is contacted only
//	    when a function has an image;
//	lambda-harness rie [flags] <runtime command...>
//	    a drop-in for aws-lambda-rie inside a container image; the same mode
//	    is selected when the binary is invoked under the name aws-lambda-rie.
//
// With a RabbitMQ broker (serve --amqp-url; AMQP_URI in rie mode) every
// function also consumes the queue named after it (AMQP-RPC, see package
// amqp), and serve --gateway serves the Invoke API for functions that run
// on other harnesses, through the broker (gateway.go).
//
// Run "lambda-harness help" or "lambda-harness <command> --help" for the
// flags, the function spec syntax and examples.
//
// This package is the only one that reads flags and the environment, knows
// every concrete type, or exits: main wires a signal context to run, and
// run can be called directly by end-to-end tests.
package main
