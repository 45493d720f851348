#!/usr/bin/env bash
# .ci/rabbitmq.sh — make sure a RabbitMQ broker listens on 127.0.0.1:5672 for
# the amqp package's tests (guest/guest, the default vhost). Installs Debian's
# rabbitmq-server (plus python3-pika and amqp-tools, the clients the tests
# drive; the tests run Debian's /usr/bin/python3) when missing and starts the
# broker in the background when it is not running: there is no systemd here.
# Idempotent: safe to run again.
#
# Tests reach the broker at LAMBDA_HARNESS_TEST_AMQP_URL (default
# amqp://guest:guest@127.0.0.1:5672/); point that at another broker to skip
# all of this.
set -euo pipefail

sudo=()
[[ $(id -u) == 0 ]] || sudo=(sudo)

missing=()
[[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || missing+=(rabbitmq-server)
/usr/bin/python3 -c 'import pika' 2>/dev/null || missing+=(python3-pika)
command -v amqp-publish >/dev/null || missing+=(amqp-tools)
if ((${#missing[@]})); then
	echo "rabbitmq: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# guest may log in from any host, so that a broker in a container or on
# another address works the same (harmless on localhost).
conf=/etc/rabbitmq/rabbitmq.conf
if ! grep -qs '^loopback_users.guest' "$conf"; then
	echo 'loopback_users.guest = false' | "${sudo[@]}" tee -a "$conf" >/dev/null
fi

if "${sudo[@]}" rabbitmqctl -q status >/dev/null 2>&1; then
	"${sudo[@]}" rabbitmqctl -q await_startup --timeout 60 >/dev/null
	echo "rabbitmq: already running"
	exit 0
fi

echo "rabbitmq: starting"
# The Debian wrapper runs the server as the rabbitmq user.
"${sudo[@]}" rabbitmq-server -detached
# await_startup needs the Erlang node to exist first: retry until it does.
for _ in $(seq 1 60); do
	if "${sudo[@]}" rabbitmqctl -q await_startup --timeout 60 >/dev/null 2>&1; then
		echo "rabbitmq: running"
		exit 0
	fi
	sleep 1
done
echo "rabbitmq: did not start; see /var/log/rabbitmq/" >&2
exit 1
