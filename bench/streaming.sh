#!/usr/bin/env bash
# bench/streaming.sh — time to first byte of InvokeWithResponseStream next
# to the time of the whole response, for a function that streams five chunks
# 100 ms apart (testdata/functions/stream): unbuffered streaming shows a
# first byte after one chunk's worth of time, a buffered one only at the end.
# Called by bench/run.sh; runs on its own too (about 10 s).
#
# Optional environment:
#   BENCH_STREAM_RUNS  invocations measured (default 10; the median is reported)
#   BENCH_RESULTS      the results file to append to (default bench/results/latest.md,
#                      when it exists)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${BENCH_STREAM_RUNS:-10}
results=${BENCH_RESULTS:-bench/results/latest.md}
tmp=$(mktemp -d)
pid=
cleanup() {
	if [[ -n $pid ]]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

command -v curl >/dev/null || { echo "streaming bench: SKIPPED: curl is not installed" >&2; exit 0; }
echo "streaming bench: building" >&2
CGO_ENABLED=0 go build -trimpath -o "$tmp/lambda-harness" ./cmd/lambda-harness
CGO_ENABLED=0 go build -trimpath -o "$tmp/stream" ./testdata/functions/stream

"$tmp/lambda-harness" serve --listen 127.0.0.1:0 --warm 1 \
	--function "name=stream,timeout=10s,cmd=$tmp/stream" >/dev/null 2>"$tmp/err.log" &
pid=$!
addr=
for _ in $(seq 200); do
	addr=$(sed -nE 's/.*msg=listening addr=([^ ]+).*/\1/p' "$tmp/err.log" | head -n1)
	[[ -n $addr ]] && break
	sleep 0.05
done
[[ -n $addr ]] || { echo "streaming bench: the harness did not start:" >&2; cat "$tmp/err.log" >&2; exit 1; }

url="http://$addr/2021-11-15/functions/stream/response-streaming-invocations"
: >"$tmp/times"
for _ in $(seq "$runs"); do
	curl -sS -o /dev/null -X POST -d '{"chunks":5,"interval_ms":100}' \
		-w '%{time_starttransfer} %{time_total}\n' "$url" >>"$tmp/times"
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ttfb=$(awk '{printf "%.1f\n", $1*1000}' "$tmp/times" | median)
total=$(awk '{printf "%.1f\n", $2*1000}' "$tmp/times" | median)

table=$(cat <<TABLE

## Response streaming (median of $runs)

A function streaming 5 chunks 100 ms apart (the first at once) through the process launcher,
called with InvokeWithResponseStream by curl; buffered, the first byte would come with the last:

| time to first byte | whole response |
|---|---|
| $ttfb ms | $total ms |
TABLE
)
echo "$table"
if [[ -f $results ]]; then
	echo "$table" >>"$results"
fi
