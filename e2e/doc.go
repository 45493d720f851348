// Package e2e holds the black-box end-to-end tests of lambda-harness: they
// build the real binary, start it as a subprocess in serve and rie mode,
// run real Lambda runtimes under it (the aws-lambda-go functions of
// testdata/functions, a bash+curl custom runtime, the seed scenario's
// Python function) and invoke them with real callers: net/http, the
// aws-sdk-go-v2 Lambda client, the AWS CLI v1 and v2, and the seed's curl
// and AWS CLI commands verbatim.
//
// The tests need python3, bash and curl; the AWS CLI tests need
// /usr/bin/aws (v2), required when CI=true. The seed tests need the ports
// 8080 and 9001 of this machine.
package e2e
