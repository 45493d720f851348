#!/bin/bash
# Runs the bash-example-wrapper image on localhost:8080 with lambda-harness
# in place of aws-lambda-rie: the harness's static binary is bind-mounted at
# /usr/local/bin/aws-lambda-rie, where the image's entrypoint looks for the
# emulator. Build the image first (see Dockerfile, or Dockerfile.offline
# with no registry).
#
# Settings, from the environment:
#   IMAGE               the image (default bash-example-wrapper; the
#                       offline build is lambda-harness/bash-example-wrapper)
#   LAMBDA_HARNESS_BIN  the harness binary (default: bin/lambda-harness of
#                       this repository, made by "make build")
#   AMQP_URI, AMQP_USERNAME, AMQP_PASSWORD
#                       the RabbitMQ broker the function is reachable
#                       through (default: one on the host, guest/guest);
#                       the harness keeps them from the function
#   MAX_CONCURRENCY     most invocations running at once (default 4)
#
# Then invoke it, e.g.
#   curl -XPOST "http://localhost:8080/2015-03-31/functions/bash-example-wrapper/invocations" -d '{"key": "value"}'
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
bin="${LAMBDA_HARNESS_BIN:-$here/../../../bin/lambda-harness}"
if [ ! -x "$bin" ]; then
	echo "$0: $bin: no lambda-harness binary; run 'make build' or set LAMBDA_HARNESS_BIN" >&2
	exit 1
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

tty=()
if [ -t 0 ] && [ -t 1 ]; then
	tty=(-it)
fi

exec docker run --rm "${tty[@]}" \
	-p 8080:8080 \
	--add-host host.docker.internal:host-gateway \
	-v "$bin:/usr/local/bin/aws-lambda-rie:ro" \
	-e AWS_LAMBDA_FUNCTION_NAME=bash-example-wrapper \
	-e AMQP_URI="${AMQP_URI:-amqp://host.docker.internal:5672}" \
	-e AMQP_USERNAME="${AMQP_USERNAME:-guest}" \
	-e AMQP_PASSWORD="${AMQP_PASSWORD:-guest}" \
	-e MAX_CONCURRENCY="${MAX_CONCURRENCY:-4}" \
	"${IMAGE:-bash-example-wrapper}"
