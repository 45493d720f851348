# lambda-harness — build, try, test.
#
#   make build   bin/lambda-harness, static, with the version from git
#   make run     build, then serve the echo test function on localhost:8080
#   make test    THE test command: every package's tests, with the race detector,
#                including the container end-to-end tests (-tags e2e; need Docker)
#   make lint    gofmt and go vet
#   make bench   throughput, latency, cold start and memory (bench/run.sh)
#   make clean   remove bin/

SHELL := /bin/bash

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# Static, so that the same binary also runs bind-mounted into any image as
# /usr/local/bin/aws-lambda-rie.
export CGO_ENABLED := 0

.PHONY: build echo run test lint bench clean

build:
	go build -trimpath -ldflags '$(LDFLAGS)' -o bin/lambda-harness ./cmd/lambda-harness

echo:
	go build -trimpath -o bin/echo ./testdata/functions/echo

run: build echo
	@echo
	@echo 'Serving the echo function on http://localhost:8080 (Ctrl-C stops it). Try, in another terminal:'
	@echo
	@echo '  curl -XPOST "http://localhost:8080/2015-03-31/functions/function/invocations" -d '"'"'{"key": "value"}'"'"
	@echo '  curl -XPOST "http://localhost:8080/2015-03-31/functions/echo/invocations" -d '"'"'{"key": "value"}'"'"
	@echo '  aws lambda invoke --endpoint-url http://localhost:8080 --function-name function --cli-binary-format raw-in-base64-out --payload '"'"'{ "key": "value" }'"'"' /dev/stderr 1>/dev/null'
	@echo '  aws lambda invoke --endpoint-url http://localhost:8080 --function-name echo --cli-binary-format raw-in-base64-out --payload '"'"'{ "key": "value" }'"'"' /dev/stderr 1>/dev/null'
	@echo
	@echo '(--cli-binary-format needs AWS CLI v2, e.g. /usr/bin/aws from Debian'"'"'s awscli; both CLIs need'
	@echo ' AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set, to any values.)'
	@echo
	exec bin/lambda-harness serve --name echo -- bin/echo

# The race detector needs cgo. The e2e tag adds the end-to-end tests over
# real containers (e2e/container*_test.go), which build their images first.
#
# The tests that restart the local RabbitMQ broker run on their own, after
# the rest: other packages' tests use the same broker at the same time.
test:
	LAMBDA_HARNESS_TEST_AMQP_NO_RESTART=1 CGO_ENABLED=1 go test -race -count=1 -tags e2e ./...
	CGO_ENABLED=1 go test -race -count=1 -run 'Restart' ./amqp/

lint:
	@unformatted="$$(gofmt -l .)"; \
	if [ -n "$$unformatted" ]; then \
		echo "gofmt: these files need formatting (run gofmt -w on them):"; \
		echo "$$unformatted"; \
		exit 1; \
	fi
	go vet -tags e2e ./...

bench:
	bash bench/run.sh

clean:
	rm -rf bin
