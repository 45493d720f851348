#!/usr/bin/env bash
# docker/build-base-images.sh [--force] [python] [shell] [busybox]
#
# Makes the base images that the example images and the end-to-end tests
# start FROM, on a machine whose Docker engine cannot pull: each is built
# here from Debian's packages (DESIGN.md, "Testing without a registry").
#
#   $LAMBDA_HARNESS_PYTHON_IMAGE   default lambda-harness/debian-python:bookworm
#       Debian bookworm: python3, bash, curl, ca-certificates
#   $LAMBDA_HARNESS_SHELL_IMAGE    default lambda-harness/debian-shell:bookworm
#       Debian bookworm: bash, curl, ca-certificates
#   $LAMBDA_HARNESS_BUSYBOX_IMAGE  default lambda-harness/busybox
#       FROM scratch: Debian's busybox-static, its applets linked in /bin etc.
#
# The Debian images are root file systems made by
#   mmdebstrap --variant=apt --include=PACKAGES bookworm OUT.tar MIRROR
# and then `docker import`ed. MIRROR is the Debian mirror this machine's apt
# uses (its bookworm entries in /etc/apt/sources.list and
# /etc/apt/sources.list.d/), or $LAMBDA_HARNESS_DEBIAN_MIRROR (anything
# mmdebstrap takes: a URL, a sources file, a "deb ..." line). mmdebstrap and
# busybox-static are fetched with apt-get (mmdebstrap is installed if
# missing; busybox-static is only downloaded and unpacked).
#
# An image that already exists is left alone, so running the script again
# costs a second; --force builds them again. A name outside
# lambda-harness/ is not built but pulled: on a machine with a registry,
# point the variables at official images (python:3.12-slim-bookworm,
# buildpack-deps:bookworm-curl, busybox) and the examples build FROM them.
# With no arguments all three are made; else only the ones named.
#
# Needs bash, docker, apt-get, flock and root (or sudo) for mmdebstrap and
# apt-get. Takes about a minute from nothing.
set -euo pipefail

python_image=${LAMBDA_HARNESS_PYTHON_IMAGE:-lambda-harness/debian-python:bookworm}
shell_image=${LAMBDA_HARNESS_SHELL_IMAGE:-lambda-harness/debian-shell:bookworm}
busybox_image=${LAMBDA_HARNESS_BUSYBOX_IMAGE:-lambda-harness/busybox}
suite=bookworm
force=

say() { echo "base-images: $*"; }
die() {
	echo "base-images: error: $*" >&2
	exit 1
}

which=()
for arg in "$@"; do
	case $arg in
	--force | -f) force=1 ;;
	python | shell | busybox) which+=("$arg") ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*) die "unknown argument $arg (want --force, python, shell, busybox)" ;;
	esac
done
((${#which[@]})) || which=(python shell busybox)

sudo=()
[[ $(id -u) == 0 ]] || sudo=(sudo)

command -v docker >/dev/null || die "no docker on PATH"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 || die "the Docker engine does not answer (docker version)"

# One build at a time on this machine: two runs at once would build twice.
lock="${TMPDIR:-/tmp}/lambda-harness-base-images.lock"
exec 9>"$lock"
flock 9

# pid holds the background mmdebstrap of each Debian image being made; an
# early exit stops them.
declare -A pid=()
work=$(mktemp -d "${TMPDIR:-/tmp}/lambda-harness-base-images.XXXXXX")
cleanup() {
	local p
	for p in "${pid[@]}"; do
		{ kill "$p" && wait "$p"; } 2>/dev/null || true
	done
	"${sudo[@]}" rm -rf "$work"
}
trap cleanup EXIT

# exists reports whether the engine has the image.
exists() { docker image inspect "$1" >/dev/null 2>&1; }

# wanted reports whether image must be made now; an image outside
# lambda-harness/ is pulled instead, and then not wanted.
wanted() {
	local image=$1
	if [[ -z $force ]] && exists "$image"; then
		say "$image: present ($(docker image inspect --format '{{.Id}}' "$image" | cut -c8-19)); --force builds it again"
		return 1
	fi
	if [[ $image != lambda-harness/* ]]; then
		say "$image: pulling (not a lambda-harness/ image, so not built here)"
		docker pull -q "$image" >/dev/null || die "$image: cannot pull it; unset the variable naming it to build lambda-harness's own"
		return 1
	fi
	return 0
}

# debian_mirror prints the mirror to give mmdebstrap: the bookworm entries
# of apt's sources on this machine, as one-line entries, in a file.
debian_mirror() {
	if [[ -n ${LAMBDA_HARNESS_DEBIAN_MIRROR:-} ]]; then
		echo "$LAMBDA_HARNESS_DEBIAN_MIRROR"
		return
	fi
	local list="$work/sources.list"
	{
		# one-line style: deb [options] URI SUITE COMPONENT...
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk -v suite="$suite" '
				$1 == "deb" {
					i = 2
					if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
					if ($(i+1) ~ "^" suite "(-|$)") {
						line = "deb " $i
						for (j = i + 1; j <= NF; j++) line = line " " $j
						print line
					}
				}'
		# deb822 style: stanzas of Types, URIs, Suites, Components.
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
			awk -v suite="$suite" '
				function flush(   u, s, nu, ns, us, ss) {
					if (types ~ /(^| )deb( |$)/ && enabled != "no") {
						nu = split(uris, us, " "); ns = split(suites, ss, " ")
						for (u = 1; u <= nu; u++)
							for (s = 1; s <= ns; s++)
								if (ss[s] ~ "^" suite "(-|$)") {
									opts = (signedby ~ /^\// ? "[signed-by=" signedby "] " : "")
									print "deb " opts us[u] " " ss[s] " " components
								}
					}
					types = uris = suites = components = signedby = enabled = ""
				}
				/^[ \t]*$/ { flush(); next }
				/^#/ { next }
				/^[A-Za-z-]+:/ {
					key = tolower($1); sub(/:$/, "", key)
					value = $0; sub(/^[^:]*:[ \t]*/, "", value)
					if (key == "types") types = value
					else if (key == "uris") uris = value
					else if (key == "suites") suites = value
					else if (key == "components") components = value
					else if (key == "signed-by") signedby = value
					else if (key == "enabled") enabled = tolower(value)
				}
				END { flush() }'
	} >"$list"
	if [[ -s $list ]]; then
		echo "$list"
	else
		echo "http://deb.debian.org/debian"
	fi
}

# apt_options prints the host's apt settings that decide whether a mirror
# can be reached and trusted (proxies; a snapshot mirror's old dates), as
# mmdebstrap --aptopt arguments.
apt_options() {
	apt-config dump 2>/dev/null |
		grep -E '^Acquire::(https?::Proxy|Check-Valid-Until|Check-Date) ' |
		sed 's/^/--aptopt=/' || true
}

need_mmdebstrap() {
	command -v mmdebstrap >/dev/null && return
	say "installing mmdebstrap (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends mmdebstrap >"$work/apt.log" 2>&1 ||
		{ "${sudo[@]}" apt-get update -qq >>"$work/apt.log" 2>&1 &&
			"${sudo[@]}" apt-get install -y -qq --no-install-recommends mmdebstrap >>"$work/apt.log" 2>&1; } ||
		{ cat "$work/apt.log" >&2; die "cannot install mmdebstrap"; }
}

# The two Debian images are made at once: each mmdebstrap waits on the
# network as much as on the disk, so together they take little more than
# one alone.
declare -A packages=([python]=python3,bash,curl,ca-certificates [shell]=bash,curl,ca-certificates)
declare -A default_cmd=([python]=python3 [shell]=bash)
declare -A started=()

# debian_start NAME IMAGE starts mmdebstrap making the root file system of
# IMAGE, with the packages of NAME, in the background.
debian_start() {
	local name=$1 image=$2
	say "$image: mmdebstrap --variant=apt --include=${packages[$name]} $suite"
	started[$name]=$SECONDS
	# Documentation, manuals and translations are left out: an image to run
	# functions in, not to read in.
	"${sudo[@]}" mmdebstrap --variant=apt --include="${packages[$name]}" "${aptopts[@]}" \
		--dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/info/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--dpkgopt='path-include=/usr/share/locale/locale.alias' \
		--dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' \
		"$suite" "$work/$name.tar" "$mirror" >"$work/$name.log" 2>&1 &
	pid[$name]=$!
}

# debian_finish NAME IMAGE waits for NAME's mmdebstrap and imports its
# root file system as IMAGE.
debian_finish() {
	local name=$1 image=$2
	local status=0
	wait "${pid[$name]}" || status=$?
	unset "pid[$name]"
	if ((status != 0)); then
		cat "$work/$name.log" >&2
		die "$image: mmdebstrap failed (its output is above)"
	fi
	docker import \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'ENV LANG=C.UTF-8' \
		--change "CMD [\"${default_cmd[$name]}\"]" \
		--message "lambda-harness: Debian $suite with ${packages[$name]} (docker/build-base-images.sh)" \
		"$work/$name.tar" "$image" >/dev/null || die "$image: docker import failed"
	"${sudo[@]}" rm -f "$work/$name.tar"
	say "$image: built in $((SECONDS - started[$name]))s, $(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%d MB", $1 / 1e6}')"
}

# busybox_image IMAGE: Debian's static busybox in an empty image, with a
# link for each applet where busybox would install it, and /tmp.
busybox_image() {
	local image=$1 start=$SECONDS
	local deb="$work/deb" root="$work/busybox"
	mkdir -p "$deb" "$root"
	say "$image: FROM scratch + busybox-static (apt-get download)"
	# apt-get download runs as the calling user; as root it warns that it
	# cannot drop privileges to the _apt user, hence the option.
	if ! (cd "$deb" && apt-get download -qq -o APT::Sandbox::User=root busybox-static >"$work/apt.log" 2>&1); then
		"${sudo[@]}" apt-get update -qq >>"$work/apt.log" 2>&1 || true
		(cd "$deb" && apt-get download -qq -o APT::Sandbox::User=root busybox-static >>"$work/apt.log" 2>&1) ||
			{ cat "$work/apt.log" >&2; die "$image: cannot download busybox-static"; }
	fi
	dpkg-deb -x "$deb"/busybox-static_*.deb "$deb/x"
	mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/tmp" "$root/etc"
	chmod 1777 "$root/tmp"
	cp "$deb/x/bin/busybox" "$root/bin/busybox"
	local applet
	while read -r applet; do
		[[ $applet == bin/busybox ]] || ln -sf /bin/busybox "$root/$applet"
	done < <("$root/bin/busybox" --list-full)
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
	tar -C "$root" --numeric-owner --owner=0 --group=0 -cf - . |
		docker import \
			--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
			--change 'CMD ["sh"]' \
			--message "lambda-harness: Debian's busybox-static (docker/build-base-images.sh)" \
			- "$image" >/dev/null || die "$image: docker import failed"
	say "$image: built in $((SECONDS - start))s, $("$root/bin/busybox" | head -n1 | cut -d' ' -f1-2)"
}

start=$SECONDS
declare -A names=([python]=$python_image [shell]=$shell_image [busybox]=$busybox_image)
debian=()
busybox=
for w in "${which[@]}"; do
	wanted "${names[$w]}" || continue
	case $w in
	python | shell) debian+=("$w") ;;
	busybox) busybox=1 ;;
	esac
done
if ((${#debian[@]})); then
	need_mmdebstrap
	mirror=$(debian_mirror)
	mapfile -t aptopts < <(apt_options)
	say "Debian mirror: $([[ -f $mirror ]] && sed 's/^deb //; s/\[[^]]*\] //' "$mirror" | paste -sd, - | sed 's/,/, /g' || echo "$mirror")"
	for w in "${debian[@]}"; do
		debian_start "$w" "${names[$w]}"
	done
fi
[[ -z $busybox ]] || busybox_image "$busybox_image"
for w in "${debian[@]}"; do
	debian_finish "$w" "${names[$w]}"
done
say "done in $((SECONDS - start))s"
