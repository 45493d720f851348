#!/bin/sh
# lambda-entrypoint.sh HANDLER: the ENTRYPOINT of a Lambda container image
# whose runtime interface client is started by a command, such as
# awslambdaric. It is the entrypoint of AWS's bash-example-wrapper sample,
# corrected and made general; the image's CMD is the handler.
#
# It execs the runtime command
#     $LAMBDA_RUNTIME_COMMAND HANDLER
# LAMBDA_RUNTIME_COMMAND defaults to "python3 -m awslambdaric". It is split
# on blanks, with no quoting and no globbing: to do more, name a script.
#
#  - behind the exec wrapper AWS_LAMBDA_EXEC_WRAPPER when that is set, as
#    Lambda's managed runtimes do: the wrapper gets the runtime's command
#    line as its arguments and execs it
#    (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-modify.html#runtime-wrapper);
#  - directly when AWS_LAMBDA_RUNTIME_API is set: in Lambda, or when
#    lambda-harness runs the container and gives the runtime a Runtime API;
#  - else under the emulator at /usr/local/bin/aws-lambda-rie, which serves
#    the Invoke API on port 8080 and gives the runtime its Runtime API:
#    AWS's aws-lambda-rie, or lambda-harness copied or bind-mounted there.
#
# Every step execs, so the runtime (or the emulator) keeps the container's
# pid and receives its signals.
#
# Exit codes, as the sample's: 142 when not given exactly one argument; 127
# when the wrapper does not exist (or the emulator is needed and missing);
# 126 when the wrapper is not executable.
#
# POSIX sh: runs under dash, busybox sh and bash. (The sample's
# `exec -- "$wrapper" ...` is not POSIX: dash answers "exec: --: not found".)

rie=/usr/local/bin/aws-lambda-rie

if [ $# -ne 1 ]; then
	echo "entrypoint requires the handler name to be the first argument" 1>&2
	exit 142
fi
handler=$1

# The runtime's command line, split on blanks on purpose (set -f: no
# globbing), then the handler as one argument.
set -f
# shellcheck disable=SC2086
set -- ${LAMBDA_RUNTIME_COMMAND:-python3 -m awslambdaric} "$handler"
set +f

wrapper=${AWS_LAMBDA_EXEC_WRAPPER:-}
if [ -n "$wrapper" ]; then
	if [ ! -f "$wrapper" ]; then
		echo "$wrapper: does not exist" 1>&2
		exit 127
	fi
	if [ ! -x "$wrapper" ]; then
		echo "$wrapper: is not an executable" 1>&2
		exit 126
	fi
	set -- "$wrapper" "$@"
fi

if [ -z "${AWS_LAMBDA_RUNTIME_API:-}" ]; then
	if [ ! -x "$rie" ]; then
		echo "$rie: does not exist, and AWS_LAMBDA_RUNTIME_API is not set:" \
			"put an emulator there (docker run -v /path/to/lambda-harness:$rie:ro ...)" \
			"or give the runtime a Runtime API" 1>&2
		exit 127
	fi
	set -- "$rie" "$@"
fi

exec "$@"
