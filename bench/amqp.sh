#!/usr/bin/env bash
# bench/amqp.sh — AMQP-RPC throughput and latency of lambda-harness over
# RabbitMQ, next to a null responder on the same broker (the ceiling), in the
# same run. Called by bench/run.sh; runs on its own too.
#
# Usage: bash bench/amqp.sh        (from anywhere; about a minute)
#
# Needs: go, and a RabbitMQ broker (.ci/rabbitmq.sh starts a local one).
# Installs nothing. Without a broker it says so and exits 0, so that
# bench/run.sh goes on.
#
# Optional environment:
#   BENCH_AMQP_URL         the broker (default amqp://guest:guest@127.0.0.1:5672/)
#   BENCH_AMQP_DURATION    each measured run, a Go duration (default $BENCH_DURATION, else 10s)
#   BENCH_AMQP_WARMUP      the discarded run before each (default $BENCH_WARMUP, else 2s)
#   BENCH_AMQP_REQUESTERS  the requester counts to measure (default "1 8")
#   BENCH_RESULTS          the results file to append to (default bench/results/latest.md,
#                          when it exists)
#
# What is measured, for each requester count:
#   * req/s, p50 and p99 of AMQP-RPC calls through a real harness:
#     `lambda-harness serve --amqp-url` serving the echo function built with
#     aws-lambda-go (concurrency 8, --warm 8, compat queue, function log to
#     /dev/null). The load generator, bench/amqpload, runs N requesters, each
#     on its own connection, each publishing a request (default exchange,
#     routing key the function's name, mandatory, publisher confirms on,
#     reply_to direct reply-to) and waiting for the confirm and the reply
#     before the next. The harness confirms every reply before it acks the
#     request (at-least-once).
#   * the same load against the null responder (bench/amqpload -responder:
#     the same queue declaration, prefetch 8, the request's body sent back
#     with a confirm, acked after it): the broker's and the client's share.
#   * CPU time per request of the broker (beam.smp, when it runs here), the
#     harness, its runtimes and the load generator, from /proc and rusage.
#
# Output: a Markdown section on stdout, appended to the results file; raw
# outputs and the harness log under bench/results/raw-amqp-<date>/.
set -euo pipefail

cd "$(dirname "$0")/.."
URL=${BENCH_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/}
DURATION=${BENCH_AMQP_DURATION:-${BENCH_DURATION:-10s}}
WARMUP=${BENCH_AMQP_WARMUP:-${BENCH_WARMUP:-2s}}
REQUESTERS=${BENCH_AMQP_REQUESTERS:-1 8}
RESULTS=${BENCH_RESULTS:-bench/results/latest.md}
CONCURRENCY=8
# Targets of issue 5, with publisher confirms on.
declare -A TARGET=([1]=1500 [8]=4500)

stamp=$(date -u +%Y%m%d-%H%M%S)
raw=bench/results/raw-amqp-$stamp
mkdir -p "$raw"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "amqp bench: building" >&2
CGO_ENABLED=0 go build -trimpath -o "$tmp/lambda-harness" ./cmd/lambda-harness
CGO_ENABLED=0 go build -trimpath -o "$tmp/echo" ./testdata/functions/echo
CGO_ENABLED=0 go build -trimpath -o "$tmp/amqpload" ./bench/amqpload

redacted=$(sed -E 's#//[^@/]*@#//#; s#\?.*##' <<<"$URL")
if ! "$tmp/amqpload" -ping -url "$URL" 2>"$raw/ping.txt"; then
	echo "amqp bench: SKIPPED: no RabbitMQ broker at $redacted ($(cat "$raw/ping.txt")); run .ci/rabbitmq.sh or set BENCH_AMQP_URL" >&2
	exit 0
fi

# ticks PID... prints the user+system CPU ticks of the processes (0 for
# those gone or unreadable).
ticks() {
	local t=0 p v
	for p in "$@"; do
		v=$(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)
		t=$((t + v))
	done
	echo "$t"
}
hz=$(getconf CLK_TCK)
broker_pid=$(pgrep -o beam.smp || true)

# field NAME LINE prints the value of NAME=value in an amqpload line.
field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\\2/p" <<<"$2"; }

# measure LABEL QUEUE SERVER_PID N: a discarded warm-up run, then the
# measured run with CPU accounting. Sets line (amqpload's output) and cpu
# (µs per request: broker harness runtimes loadgen).
measure() {
	local label=$1 queue=$2 server=$3 n=$4
	"$tmp/amqpload" -url "$URL" -queue "$queue" -requesters "$n" -duration "$WARMUP" -warmup 0s \
		>"$raw/$label-$n-warmup.txt"
	local children b0 s0 c0 b1 s1 c1
	children=$(pgrep -P "$server" | tr '\n' ' ' || true)
	b0=$(ticks $broker_pid) s0=$(ticks "$server") c0=$(ticks $children)
	line=$("$tmp/amqpload" -url "$URL" -queue "$queue" -requesters "$n" -duration "$DURATION" -warmup 0s)
	b1=$(ticks $broker_pid) s1=$(ticks "$server") c1=$(ticks $children)
	echo "$line" >"$raw/$label-$n.txt"
	local req us
	req=$(field requests "$line")
	((req > 0)) || req=1
	us() { echo $(($1 * 1000000 / hz / req)); }
	cpu="$(us $((b1 - b0))) $(us $((s1 - s0))) $(us $((c1 - c0))) $(($(field cpu_ms "$line") * 1000 / req))"
	echo "amqp bench: $label, $n requester(s): $line" >&2
}

declare -A H_RPS H_P50 H_P99 H_ERR H_CPU N_RPS N_P50 N_P99 N_ERR N_CPU

# The harness.
queue=bench-amqp-$$-$RANDOM
"$tmp/lambda-harness" serve --listen 127.0.0.1:0 --amqp-url "$URL" --concurrency "$CONCURRENCY" \
	--warm "$CONCURRENCY" --name "$queue" -- "$tmp/echo" >/dev/null 2>"$raw/harness.log" &
harness=$!
pids+=("$harness")
for n in $REQUESTERS; do
	measure harness "$queue" "$harness" "$n"
	H_RPS[$n]=$(field rps "$line") H_P50[$n]=$(field p50_ms "$line") H_P99[$n]=$(field p99_ms "$line")
	H_ERR[$n]=$(field errors "$line") H_CPU[$n]=$cpu
done
kill "$harness"
wait "$harness" || true
warnings=$(grep -cE 'level=(WARN|ERROR)' "$raw/harness.log" || true)

# The null responder.
queue=bench-amqp-null-$$-$RANDOM
"$tmp/amqpload" -responder -url "$URL" -queue "$queue" -prefetch "$CONCURRENCY" 2>"$raw/responder.log" &
responder=$!
pids+=("$responder")
for n in $REQUESTERS; do
	measure null "$queue" "$responder" "$n"
	N_RPS[$n]=$(field rps "$line") N_P50[$n]=$(field p50_ms "$line") N_P99[$n]=$(field p99_ms "$line")
	N_ERR[$n]=$(field errors "$line") N_CPU[$n]=$cpu
done
kill "$responder"
wait "$responder" || true

load=$(cut -d' ' -f1-3 /proc/loadavg)
{
	echo
	echo "## AMQP-RPC over RabbitMQ — $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	echo
	echo "- broker: $redacted (RabbitMQ on this machine: $([[ -n $broker_pid ]] && echo yes || echo no)); load average after: $load"
	echo "- load: bench/amqpload, N requesters on their own connections, each publishing (mandatory, publisher"
	echo "  confirms on) and waiting for the confirm and the reply (direct reply-to) before the next; ${DURATION} measured"
	echo "  after a discarded ${WARMUP} run."
	echo "- harness: \`serve --amqp-url\`, compat queue, the aws-lambda-go echo function, concurrency $CONCURRENCY, warm;"
	echo "  every reply confirmed before the request is acked. Null responder: the same protocol, no function."
	echo
	echo "| requesters | harness req/s | p50 ms | p99 ms | null responder req/s | p50 ms | p99 ms | harness / null | target (issue 5) |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for n in $REQUESTERS; do
		ratio=$(awk -v h="${H_RPS[$n]}" -v z="${N_RPS[$n]}" 'BEGIN { if (z > 0) printf "%.2f", h / z; else print "-" }')
		target=${TARGET[$n]:-}
		verdict="-"
		if [[ -n $target ]]; then
			verdict=$(awk -v h="${H_RPS[$n]}" -v t="$target" 'BEGIN { if (h >= t) printf "≥ %d (met)", t; else printf "≥ %d (not met: %.2f×)", t, h / t }')
		fi
		printf '| %s | %.0f | %s | %s | %.0f | %s | %s | %s | %s |\n' "$n" "${H_RPS[$n]}" "${H_P50[$n]}" "${H_P99[$n]}" \
			"${N_RPS[$n]}" "${N_P50[$n]}" "${N_P99[$n]}" "$ratio" "$verdict"
	done
	echo
	errs=""
	for n in $REQUESTERS; do
		errs+="${errs:+, }$n requester(s): harness ${H_ERR[$n]}, null ${N_ERR[$n]}"
	done
	echo "Failed or unanswered requests in the measured runs — $errs. Harness log lines at WARN or ERROR: $warnings."
	echo
	echo "CPU time per request (µs) during the measured runs, all processes sharing this machine's $(nproc) CPUs;"
	echo "the last column is what that CPU time allows at most: $(nproc) CPUs / total per request."
	echo
	echo "| requesters | path | broker | harness / responder | runtimes | load generator | total | CPU bound req/s |"
	echo "|---|---|---|---|---|---|---|---|"
	for n in $REQUESTERS; do
		for path in harness "null responder"; do
			if [[ $path == harness ]]; then
				read -r b s c l <<<"${H_CPU[$n]}"
			else
				read -r b s c l <<<"${N_CPU[$n]}"
			fi
			total=$((b + s + c + l))
			bound=$((total > 0 ? $(nproc) * 1000000 / total : 0))
			[[ $path == harness ]] || c=-
			echo "| $n | $path | $b | $s | $c | $l | $total | $bound |"
		done
	done
} | tee "$raw/amqp.md"

if [[ -f $RESULTS ]]; then
	cat "$raw/amqp.md" >>"$RESULTS"
	echo "amqp bench: appended to $RESULTS" >&2
fi
