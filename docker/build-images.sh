#!/usr/bin/env bash
# docker/build-images.sh [IMAGE...]: builds the harness image and the
# example images on this machine, with no registry, each from its
# Dockerfile in docker/ (the offline variant where there is one):
#
#   harness               lambda-harness/harness               docker/Dockerfile
#   echo-go               lambda-harness/echo-go               docker/examples/echo-go/Dockerfile.offline
#   bash-runtime          lambda-harness/bash-runtime          docker/examples/bash-runtime/Dockerfile
#   bash-example-wrapper  lambda-harness/bash-example-wrapper  docker/examples/bash-example-wrapper/Dockerfile.offline
#
# With no arguments it builds all four, always (the layers are cached, so
# a rebuild of unchanged files takes a few seconds). It first makes the
# base images they start FROM if missing (build-base-images.sh, whose
# variables LAMBDA_HARNESS_PYTHON_IMAGE and LAMBDA_HARNESS_SHELL_IMAGE
# choose them here too). Other settings, from the environment:
#
#   LAMBDA_HARNESS_BIN     the harness binary to put in the harness image
#                          (default: `make build`'s bin/lambda-harness,
#                          built now); it must be static (CGO_ENABLED=0)
#   LAMBDA_HARNESS_PREFIX  the images' name prefix (default lambda-harness/)
#
# Each build gets a context holding only the files its Dockerfile copies
# (docker/, the awslambdaric stand-in of e2e/testdata, the binaries),
# never the whole repository.
set -euo pipefail
shopt -s inherit_errexit
# A binary named relative to where the script was started from.
harness_bin=${LAMBDA_HARNESS_BIN:+$(realpath -m "$LAMBDA_HARNESS_BIN")}
cd "$(dirname "$0")/.."
root=$PWD

prefix=${LAMBDA_HARNESS_PREFIX:-lambda-harness/}
python_image=${LAMBDA_HARNESS_PYTHON_IMAGE:-lambda-harness/debian-python:bookworm}
shell_image=${LAMBDA_HARNESS_SHELL_IMAGE:-lambda-harness/debian-shell:bookworm}

say() { echo "images: $*"; }
die() {
	echo "images: error: $*" >&2
	exit 1
}

images=("$@")
((${#images[@]})) || images=(harness echo-go bash-runtime bash-example-wrapper)
bases=()
for image in "${images[@]}"; do
	case $image in
	harness | echo-go) ;;
	bash-runtime) bases+=(shell) ;;
	bash-example-wrapper) bases+=(python) ;;
	*) die "unknown image $image (want harness, echo-go, bash-runtime, bash-example-wrapper)" ;;
	esac
done
if ((${#bases[@]})); then
	docker/build-base-images.sh "${bases[@]}"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/lambda-harness-images.XXXXXX")
trap 'rm -rf "$work"' EXIT

# static BIN fails unless BIN is a Go binary built with CGO_ENABLED=0.
static() {
	go version -m "$1" 2>/dev/null | grep -q 'CGO_ENABLED=0' ||
		die "$1: not a static Go binary (build it with CGO_ENABLED=0, as make build does)"
}

# context NAME FILE... makes a build context holding docker/, the stand-in
# and, for each FILE given as SRC=DEST, SRC copied to DEST; it prints its
# directory.
context() {
	local dir="$work/context/$1" spec
	shift
	mkdir -p "$dir/e2e/testdata" "$dir/bin"
	cp -r docker "$dir/docker"
	cp -r e2e/testdata/awslambdaric-standin "$dir/e2e/testdata/"
	for spec in "$@"; do
		cp "${spec%%=*}" "$dir/${spec#*=}"
	done
	echo "$dir"
}

# build IMAGE DOCKERFILE CONTEXT [docker build args...]
build() {
	local image=$1 dockerfile=$2 dir=$3 start=$SECONDS
	shift 3
	if ! docker build -f "$dir/$dockerfile" -t "$image" "$@" "$dir" >"$work/build.log" 2>&1; then
		cat "$work/build.log" >&2
		die "$image: docker build -f $dockerfile failed (its output is above)"
	fi
	say "$image: built from $dockerfile in $((SECONDS - start))s"
}

for image in "${images[@]}"; do
	case $image in
	harness)
		bin=$harness_bin
		if [[ -z $bin ]]; then
			make -s build >/dev/null
			bin=bin/lambda-harness
		fi
		static "$bin"
		dir=$(context harness "$bin=bin/lambda-harness")
		build "${prefix}harness" docker/Dockerfile "$dir"
		;;
	echo-go)
		CGO_ENABLED=0 go build -trimpath -o "$work/echo-go" ./docker/examples/echo-go
		dir=$(context echo-go "$work/echo-go=bin/echo-go")
		build "${prefix}echo-go" docker/examples/echo-go/Dockerfile.offline "$dir"
		;;
	bash-runtime)
		dir=$(context bash-runtime)
		build "${prefix}bash-runtime" docker/examples/bash-runtime/Dockerfile "$dir" \
			--build-arg BASE_IMAGE="$shell_image"
		;;
	bash-example-wrapper)
		dir=$(context bash-example-wrapper)
		build "${prefix}bash-example-wrapper" docker/examples/bash-example-wrapper/Dockerfile.offline "$dir" \
			--build-arg BASE_IMAGE="$python_image"
		;;
	esac
done
