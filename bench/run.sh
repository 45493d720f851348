#!/usr/bin/env bash
# bench/run.sh — `make bench`: throughput, latency, cold start and memory of
# lambda-harness serving a warm echo function through the process launcher,
# measured with an external load generator (hey) next to a null HTTP server
# (bench/nullserver, the HTTP ceiling of this machine) in the same run.
#
# Usage: bash bench/run.sh        (from anywhere; takes about a minute, two
#                                  with the container measurements)
#
# Needs: go, curl, and hey on PATH (Debian/Ubuntu: apt-get install hey);
# docker and the image for the container part. Installs nothing.
#
# Optional environment:
#   BENCH_DURATION   length of each measured hey run, a Go duration (default 10s)
#   BENCH_WARMUP     length of the discarded warm-up run before each (default 2s)
#   BENCH_CLIENTS    clients (and function instances) of the parallel case (default 8)
#   BENCH_COLD_RUNS  fresh harnesses started for the cold-start median (default 5)
#   BENCH_PPROF      0 skips the CPU profile of the invoke path (default 1: a short
#                    extra run with one client, profiled through --debug-addr)
#   BENCH_CONTAINERS 0 skips the container measurements (default 1: made when
#                    Docker answers and the image exists, else skipped with a note)
#   BENCH_IMAGE      the image of the container measurements
#                    (default lambda-harness/echo-go: docker/build-images.sh echo-go)
#
# What is measured:
#   * req/s, p50 and p99 with 1 client against a function of concurrency 1,
#     and with BENCH_CLIENTS clients against BENCH_CLIENTS warm instances;
#     the same against the null server; harness/null ratios.
#   * cold start: a fresh harness (no --warm), one invoke; the invoke's wall
#     time includes launching the runtime. Median of BENCH_COLD_RUNS, with the
#     harness's own Init Duration (launch -> first /next) and the exec floor
#     (starting the echo binary with no Runtime API until it gives up).
#   * harness RSS (VmRSS of the harness process only; runtimes listed apart),
#     idle after warm-up and the maximum sampled during load.
#   * containers (BENCH_IMAGE, the echo function in a FROM scratch image), next
#     to the floors Docker itself sets, interleaved run by run:
#       - cold start: a fresh harness serving the image in direct mode, one
#         invoke: container create -> first response, curl's wall time;
#         median of BENCH_COLD_RUNS, with the Init Duration reported;
#       - the docker run floor: `docker run` of the same image with no
#         Runtime API, start to exit of the CLI (create, attach, start, the
#         bootstrap failing at once without AWS_LAMBDA_RUNTIME_API, wait);
#         removal not timed. Also with --rm (removal timed), and the RIE
#         workflow: `docker run -d -p` with the harness mounted as the
#         image's aws-lambda-rie, until the first invoke through it answers;
#       - warm invokes, req/s with 1 and BENCH_CLIENTS clients, direct mode
#         and emulator mode (the forwarding hop), warm containers.
#     Containers carry the label lambda-harness.daemon=lambda-harness-bench-PID
#     and are removed at exit.
# The function log (stdout) goes to /dev/null during load.
#
# Output: a Markdown table on stdout, written with the raw hey outputs and the
# harness logs to bench/results/ (gitignored): results-<date>.md, latest.md,
# raw-<date>/.
#
# GOMAXPROCS is left as it is (unset by default); it is recorded.
set -euo pipefail

DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
CLIENTS=${BENCH_CLIENTS:-8}
COLD_RUNS=${BENCH_COLD_RUNS:-5}
CONTAINERS=${BENCH_CONTAINERS:-1}
IMAGE=${BENCH_IMAGE:-lambda-harness/echo-go}
BODY='{"hello":"world"}'

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS=$ROOT/bench/results
STAMP=$(date +%Y%m%d-%H%M%S)
RAW=$RESULTS/raw-$STAMP

die() { echo "bench: $*" >&2; exit 1; }
note() { echo "bench: $*" >&2; }

command -v hey >/dev/null 2>&1 || die "hey not found on PATH; install it with: apt-get install hey"
command -v curl >/dev/null 2>&1 || die "curl not found on PATH; install it with: apt-get install curl"
command -v go >/dev/null 2>&1 || die "go not found on PATH"
[[ $CLIENTS =~ ^[1-9][0-9]*$ ]] || die "BENCH_CLIENTS must be a positive integer, not '$CLIENTS'"
[[ $COLD_RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_COLD_RUNS must be a positive integer, not '$COLD_RUNS'"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lh-bench.XXXXXX")
PIDS=()
# DAEMON labels every container this run makes (the harnesses' and the
# floors'), so that cleanup removes them all and nothing else.
DAEMON=lambda-harness-bench-$$

# CONTAINER_SKIP says why the container measurements are not made ("" when
# they are).
CONTAINER_SKIP=""
if [[ $CONTAINERS == 0 ]]; then
	CONTAINER_SKIP="BENCH_CONTAINERS=0"
elif ! command -v docker >/dev/null 2>&1; then
	CONTAINER_SKIP="no docker command on PATH"
elif ! docker version --format '{{.Server.Version}}' >/dev/null 2>&1; then
	CONTAINER_SKIP="the Docker engine does not answer (docker version)"
elif ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
	CONTAINER_SKIP="image $IMAGE is missing (build it with docker/build-images.sh echo-go, or set BENCH_IMAGE)"
fi
if [[ -n $CONTAINER_SKIP ]]; then
	note "SKIPPING the container measurements: $CONTAINER_SKIP"
fi

# stop_pid PID: SIGTERM, up to 5 s for a clean exit (the harness stops its
# runtimes then), then SIGKILL.
stop_pid() {
	local pid=$1 i
	if ! kill -TERM "$pid" 2>/dev/null; then
		wait "$pid" 2>/dev/null || true
		forget "$pid"
		return 0
	fi
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	forget "$pid"
}

# forget PID: drop PID from the processes cleanup stops (it has exited; its
# number may be reused).
forget() {
	local p keep=()
	for p in "${PIDS[@]}"; do
		[[ $p == "$1" ]] || keep+=("$p")
	done
	PIDS=("${keep[@]}")
}

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		stop_pid "$pid"
	done
	# The sampler's last sleep, if any, ends by itself within 0.2 s.
	if [[ -z $CONTAINER_SKIP ]]; then
		remove_containers
	fi
	rm -rf "$WORK"
}

# remove_containers removes every container of this run, whatever its state.
remove_containers() {
	local ids
	ids=$(docker ps -aq --filter "label=lambda-harness.daemon=$DAEMON" 2>/dev/null) || return 0
	if [[ -n $ids ]]; then
		# shellcheck disable=SC2086 # one id per word
		docker rm -f $ids >/dev/null 2>&1 || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$RAW"

# The 1-minute load average before and after: other work on the machine
# skews every figure, so the report says how busy it was.
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD_START=$(loadavg)
if awk -v l="${LOAD_START%% *}" -v n="$(nproc)" 'BEGIN {exit !(l > n / 2)}'; then
	note "the machine is busy (load average $LOAD_START on $(nproc) CPUs); figures will be low and noisy"
fi


# ---------------------------------------------------------------- build
note "building harness, echo function and null server"
(
	cd "$ROOT"
	go build -o "$WORK/lambda-harness" ./cmd/lambda-harness
	# Static: the binary mounted into images as their aws-lambda-rie.
	CGO_ENABLED=0 go build -o "$WORK/lambda-harness-static" ./cmd/lambda-harness
	CGO_ENABLED=0 go build -o "$WORK/echo" ./testdata/functions/echo
	go build -o "$WORK/nullserver" ./bench/nullserver
)

# ---------------------------------------------------------------- helpers

# wait_addr LOGFILE PID PATTERN: print the address from the first line of
# LOGFILE matching PATTERN (a sed expression capturing the address), waiting
# up to 15 s while PID lives.
wait_addr() {
	local log=$1 pid=$2 expr=$3 addr i
	for ((i = 0; i < 300; i++)); do
		addr=$(sed -n "$expr" "$log" 2>/dev/null | head -n1)
		if [[ -n $addr ]]; then
			echo "$addr"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "process $pid exited before listening"; }
		sleep 0.05
	done
	cat "$log" >&2
	die "process $pid did not report its address within 15s"
}

HARNESS_ADDR_EXPR='s/.*msg=listening addr=\([^ ]*\).*/\1/p'

# start_harness NAME CONCURRENCY WARM STDOUT: start a harness serving the
# echo function as NAME; sets HPID and HADDR; its stderr goes to $RAW/NAME.log.
start_harness() {
	local name=$1 conc=$2 warm=$3 out=$4
	local args=(serve --listen 127.0.0.1:0 --log-format text --log-level debug
		--grace-period 2s --concurrency "$conc" --name "$name")
	if ((warm > 0)); then
		args+=(--warm "$warm")
	fi
	"$WORK/lambda-harness" "${args[@]}" -- "$WORK/echo" >"$out" 2>"$RAW/$name.log" &
	HPID=$!
	PIDS+=("$HPID")
	HADDR=$(wait_addr "$RAW/$name.log" "$HPID" "$HARNESS_ADDR_EXPR")
}

# wait_warm NAME N: wait (up to 15 s) until the harness logged that it warmed
# N instances of NAME; the warm-up run that follows covers the rest.
wait_warm() {
	local name=$1 i
	for ((i = 0; i < 300; i++)); do
		grep -q 'msg=warmed' "$RAW/$name.log" && return 0
		sleep 0.05
	done
	note "no 'warmed' line from harness $name after 15s; relying on the warm-up run"
}

invoke_url() { echo "http://$1/2015-03-31/functions/$2/invocations"; }

# rss_kb PID: VmRSS of PID in kB (0 if gone).
rss_kb() {
	local k v _
	while read -r k v _; do
		if [[ $k == VmRSS: ]]; then
			echo "$v"
			return 0
		fi
	done <"/proc/$1/status" 2>/dev/null
	echo 0
}

# children_rss_kb PID: summed VmRSS of PID's child processes (the runtimes).
children_rss_kb() {
	local sum=0 c
	for c in $(pgrep -P "$1" || true); do
		sum=$((sum + $(rss_kb "$c")))
	done
	echo "$sum"
}

# cpu_ticks PID: user+system CPU time of PID so far, in clock ticks (0 if gone).
cpu_ticks() {
	local line f
	line=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return 0; }
	# Fields after "pid (comm) " start at field 3; utime and stime are 14 and 15.
	read -r -a f <<<"${line##*) }"
	echo $((f[11] + f[12]))
}

# children_cpu_ticks PID: summed cpu_ticks of PID's child processes.
children_cpu_ticks() {
	local sum=0 c
	for c in $(pgrep -P "$1" || true); do
		sum=$((sum + $(cpu_ticks "$c")))
	done
	echo "$sum"
}

# hey_to FILE CLIENTS DURATION URL: one hey run, output in FILE. hey runs in
# the background so that a signal to this script interrupts the wait at once
# (cleanup then stops hey too).
hey_to() {
	local out=$1 c=$2 d=$3 url=$4 pid
	hey -z "$d" -c "$c" -m POST -T application/json -d "$BODY" "$url" >"$out" &
	pid=$!
	PIDS+=("$pid")
	wait "$pid"
	forget "$pid"
}

# run_hey LABEL CLIENTS URL: a discarded warm-up run, then the measured run;
# output in $RAW/LABEL.txt (warm-up in $RAW/LABEL.warmup.txt).
run_hey() {
	local label=$1 c=$2 url=$3
	hey_to "$RAW/$label.warmup.txt" "$c" "$WARMUP" "$url"
	hey_to "$RAW/$label.txt" "$c" "$DURATION" "$url"
}

# sample_rss PID FILE: run in the background; keeps the maximum VmRSS of PID
# (and of its children, summed) in FILE as "harness runtimes" until killed.
sample_rss() {
	local pid=$1 file=$2 max=0 cmax=0 r c
	while kill -0 "$pid" 2>/dev/null; do
		r=$(rss_kb "$pid")
		c=$(children_rss_kb "$pid")
		((r > max)) && max=$r
		((c > cmax)) && cmax=$c
		echo "$max $cmax" >"$file"
		sleep 0.2
	done
}

# hey_field FILE: helpers that read hey's summary.
hey_rps() { awk '/Requests\/sec:/ {printf "%.0f", $2}' "$1"; }
# hey_pct FILE P: the P% latency in ms.
hey_pct() { awk -v p="$2%" '$1 == p && $2 == "in" {printf "%.2f", $3 * 1000}' "$1"; }
hey_total() { awk '/^[ \t]*\[[0-9]+\][ \t]+[0-9]+ responses/ {n += $2} END {print n + 0}' "$1"; }
hey_ok() { awk '/^[ \t]*\[200\][ \t]+[0-9]+ responses/ {n += $2} END {print n + 0}' "$1"; }
hey_errors() {
	awk '/^Error distribution:/ {e = 1; next} e && /^[ \t]*\[[0-9]+\]/ {gsub(/[][]/, "", $1); n += $1} END {print n + 0}' "$1"
}

# cpu_us_per_req TICKS FILE: CPU microseconds per response of the run in FILE.
cpu_us_per_req() {
	awk -v t="$1" -v hz="$CLK_TCK" -v n="$(hey_total "$2")" 'BEGIN {if (n > 0) printf "%.0f", t / hz * 1e6 / n; else print "n/a"}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# ---------------------------------------------------------------- null server
note "null server"
"$WORK/nullserver" 2>"$RAW/nullserver.log" &
NPID=$!
PIDS+=("$NPID")
NADDR=$(wait_addr "$RAW/nullserver.log" "$NPID" 's/^listening \(.*\)/\1/p')
NURL="http://$NADDR/"

run_hey null-1 1 "$NURL"
run_hey "null-$CLIENTS" "$CLIENTS" "$NURL"
stop_pid "$NPID"

# ---------------------------------------------------------------- warm harness
# bench_harness NAME CLIENTS: a harness with CLIENTS warm instances of echo,
# measured with CLIENTS clients. Sets RSS_IDLE, RSS_IDLE_RT, RSS_LOAD,
# RSS_LOAD_RT, and CPU_H, CPU_RT: CPU ticks the harness and its runtimes
# spent during the measured run.
bench_harness() {
	local name=$1 c=$2 url
	note "harness, $c client(s), $c warm instance(s)"
	start_harness "$name" "$c" "$c" /dev/null
	wait_warm "$name" "$c"
	url=$(invoke_url "$HADDR" "$name")
	curl -fsS -X POST -H 'Content-Type: application/json' -d "$BODY" "$url" >/dev/null ||
		die "harness $name: first invoke failed (log: $RAW/$name.log)"

	hey_to "$RAW/harness-$c.warmup.txt" "$c" "$WARMUP" "$url"
	sleep 0.5
	RSS_IDLE=$(rss_kb "$HPID")
	RSS_IDLE_RT=$(children_rss_kb "$HPID")

	sample_rss "$HPID" "$WORK/rss-$c" &
	local spid=$!
	PIDS+=("$spid")
	local h0 r0
	h0=$(cpu_ticks "$HPID")
	r0=$(children_cpu_ticks "$HPID")
	hey_to "$RAW/harness-$c.txt" "$c" "$DURATION" "$url"
	CPU_H=$(($(cpu_ticks "$HPID") - h0))
	CPU_RT=$(($(children_cpu_ticks "$HPID") - r0))
	stop_pid "$spid"
	read -r RSS_LOAD RSS_LOAD_RT <"$WORK/rss-$c"

	stop_pid "$HPID"
}

bench_harness echo1 1
H1_RSS_IDLE=$RSS_IDLE H1_RSS_IDLE_RT=$RSS_IDLE_RT H1_RSS_LOAD=$RSS_LOAD H1_RSS_LOAD_RT=$RSS_LOAD_RT
H1_CPU_H=$CPU_H H1_CPU_RT=$CPU_RT
bench_harness "echo$CLIENTS" "$CLIENTS"
HN_RSS_IDLE=$RSS_IDLE HN_RSS_IDLE_RT=$RSS_IDLE_RT HN_RSS_LOAD=$RSS_LOAD HN_RSS_LOAD_RT=$RSS_LOAD_RT
HN_CPU_H=$CPU_H HN_CPU_RT=$CPU_RT

# ---------------------------------------------------------------- profile
# A CPU profile of the harness on the invoke path: a separate run (profiling
# costs a little), one client, through --debug-addr.
PROFILE_TOP="(skipped: BENCH_PPROF=0)"
if [[ ${BENCH_PPROF:-1} != 0 ]]; then
	note "CPU profile, 1 client"
	"$WORK/lambda-harness" serve --listen 127.0.0.1:0 --debug-addr 127.0.0.1:0 --log-level info \
		--grace-period 2s --warm 1 --concurrency 1 --name prof -- "$WORK/echo" >/dev/null 2>"$RAW/prof.log" &
	HPID=$!
	PIDS+=("$HPID")
	HADDR=$(wait_addr "$RAW/prof.log" "$HPID" "$HARNESS_ADDR_EXPR")
	DADDR=$(wait_addr "$RAW/prof.log" "$HPID" 's/.*msg="debug listening" addr=\([^ ]*\).*/\1/p')
	hey_to "$RAW/prof.hey.txt" 1 8s "$(invoke_url "$HADDR" prof)" &
	heypid=$!
	sleep 1
	if curl -fsS -o "$RAW/cpu.prof" "http://$DADDR/debug/pprof/profile?seconds=5"; then
		PROFILE_TOP=$(cd "$ROOT" && go tool pprof -top -nodecount=25 "$WORK/lambda-harness" "$RAW/cpu.prof" 2>/dev/null | sed -n '4,32p')
	else
		PROFILE_TOP="(the profile could not be fetched; see $RAW/prof.log)"
	fi
	wait "$heypid" || true
	stop_pid "$HPID"
fi

# ---------------------------------------------------------------- cold start
note "cold start, $COLD_RUNS fresh harnesses"
: >"$WORK/cold-wall"
: >"$WORK/cold-init"
for ((i = 1; i <= COLD_RUNS; i++)); do
	start_harness "cold$i" 1 0 "$RAW/cold$i.stdout"
	t=$(curl -fsS -o /dev/null -w '%{time_total}' -X POST -H 'Content-Type: application/json' \
		-d "$BODY" "$(invoke_url "$HADDR" "cold$i")") || die "cold start $i: invoke failed (log: $RAW/cold$i.log)"
	awk -v t="$t" 'BEGIN {printf "%.2f\n", t * 1000}' >>"$WORK/cold-wall"
	stop_pid "$HPID"
	sed -n 's/.*REPORT .*Init Duration: \([0-9.]*\) ms.*/\1/p' "$RAW/cold$i.stdout" | head -n1 >>"$WORK/cold-init"
done
COLD_WALL=$(median <"$WORK/cold-wall")
COLD_INIT=$(median <"$WORK/cold-init")

# The exec floor: the echo binary started with no Runtime API configured
# exits at once (aws-lambda-go finds no AWS_LAMBDA_RUNTIME_API); that is the
# cost of fork+exec plus the Go runtime's start. /bin/true is the bare
# fork+exec. Both are averages over 20 runs from this shell.
exec_floor_ms() {
	local n=20 s e i
	unset AWS_LAMBDA_RUNTIME_API _LAMBDA_SERVER_PORT
	s=$(date +%s%N)
	for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 || true; done
	e=$(date +%s%N)
	awk -v d=$((e - s)) -v n=$n 'BEGIN {printf "%.2f", d / n / 1e6}'
}
FLOOR_ECHO=$(exec_floor_ms "$WORK/echo")
FLOOR_TRUE=$(exec_floor_ms /bin/true)

# ---------------------------------------------------------------- containers
# start_image_harness NAME MODE CONCURRENCY WARM STDOUT: start a harness
# serving IMAGE as NAME in Runtime API MODE (direct or emulator); sets HPID
# and HADDR; its stderr goes to $RAW/NAME.log. In emulator mode the harness
# is the image's entrypoint (echo-go's own is the bootstrap, which needs a
# Runtime API); with no CMD it runs /var/task/bootstrap.
start_image_harness() {
	local name=$1 mode=$2 conc=$3 warm=$4 out=$5
	local fn="name=$name,image=$IMAGE,runtime-api=$mode,concurrency=$conc"
	if [[ $mode == emulator ]]; then
		fn+=",entrypoint=/usr/local/bin/aws-lambda-rie"
	fi
	local args=(serve --listen 127.0.0.1:0 --log-format text --log-level debug --grace-period 2s
		--daemon-name "$DAEMON" --harness-binary "$WORK/lambda-harness-static" --function "$fn")
	if ((warm > 0)); then
		args+=(--warm "$warm")
	fi
	"$WORK/lambda-harness" "${args[@]}" >"$out" 2>"$RAW/$name.log" &
	HPID=$!
	PIDS+=("$HPID")
	HADDR=$(wait_addr "$RAW/$name.log" "$HPID" "$HARNESS_ADDR_EXPR")
}

now_ns() { date +%s%N; }
ms_since() { awk -v s="$1" -v e="$(now_ns)" 'BEGIN {printf "%.2f\n", (e - s) / 1e6}'; }

# free_port: a loopback port nothing listens on, from 20000 up.
free_port() {
	local p
	for ((p = 20000 + RANDOM % 20000; ; p++)); do
		if ! (: <"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
}

# floor_run I: `docker run` of IMAGE with no Runtime API, start to exit:
# the bootstrap (aws-lambda-go) exits at once. The container is removed
# afterwards, untimed.
floor_run() {
	local name=$DAEMON-floor$1 s
	s=$(now_ns)
	docker run --name "$name" --label "lambda-harness.daemon=$DAEMON" "$IMAGE" >/dev/null 2>&1 || true
	ms_since "$s" >>"$WORK/floor-run"
	docker rm -f "$name" >/dev/null 2>&1 || true
}

# floor_first I: `docker run` of IMAGE, start to the container's first
# output: the bootstrap's complaint that there is no Runtime API, printed as
# soon as it runs. The rest of the output is drained, the container removed
# afterwards, untimed.
floor_first() {
	local name=$DAEMON-first$1 s
	s=$(now_ns)
	{ docker run --name "$name" --label "lambda-harness.daemon=$DAEMON" "$IMAGE" 2>&1 || true; } |
		{ head -c1 >/dev/null && ms_since "$s" >>"$WORK/floor-first"; cat >/dev/null; }
	docker rm -f "$name" >/dev/null 2>&1 || true
}

# floor_run_rm I: the same with --rm: removal timed too.
floor_run_rm() {
	local s
	s=$(now_ns)
	docker run --rm --name "$DAEMON-floorrm$1" --label "lambda-harness.daemon=$DAEMON" "$IMAGE" >/dev/null 2>&1 || true
	ms_since "$s" >>"$WORK/floor-rm"
}

# floor_api I: the Engine API's own floor, without the docker CLI: create,
# start and wait for the exit of a container of IMAGE, by three curl calls
# on the engine's socket (ENGINE_SOCK; skipped when the engine is not on a
# local socket). The container is removed afterwards, untimed.
floor_api() {
	local s id
	[[ -n $ENGINE_SOCK ]] || return 0
	s=$(now_ns)
	id=$(curl -fsS --unix-socket "$ENGINE_SOCK" -X POST -H 'Content-Type: application/json' \
		-d "{\"Image\":\"$IMAGE\",\"Labels\":{\"lambda-harness.daemon\":\"$DAEMON\"}}" \
		http://engine/containers/create | sed -n 's/.*"Id":"\([0-9a-f]*\)".*/\1/p')
	[[ -n $id ]] || die "the Engine API did not create a container of $IMAGE"
	curl -fsS --unix-socket "$ENGINE_SOCK" -X POST "http://engine/containers/$id/start" >/dev/null
	curl -fsS --unix-socket "$ENGINE_SOCK" -X POST "http://engine/containers/$id/wait" >/dev/null
	ms_since "$s" >>"$WORK/floor-api"
	docker rm -f "$id" >/dev/null 2>&1 || true
}

# floor_rie I: the RIE workflow: `docker run -d -p` of IMAGE with the harness
# mounted as its emulator (as its entrypoint), then invokes every 5 ms until
# one answers 200: start to first response, CLI and polling included.
floor_rie() {
	local name=$DAEMON-rie$1 port s i
	port=$(free_port)
	s=$(now_ns)
	docker run -d --name "$name" --label "lambda-harness.daemon=$DAEMON" -p "127.0.0.1:$port:8080" \
		-v "$WORK/lambda-harness-static:/usr/local/bin/aws-lambda-rie:ro" \
		--entrypoint /usr/local/bin/aws-lambda-rie "$IMAGE" >/dev/null || die "docker run of $IMAGE with the harness as its emulator failed"
	for ((i = 0; i < 2000; i++)); do
		if curl -fsS -o /dev/null -X POST -d "$BODY" "$(invoke_url "127.0.0.1:$port" function)" 2>/dev/null; then
			ms_since "$s" >>"$WORK/floor-rie"
			break
		fi
		sleep 0.005
	done
	((i < 2000)) || note "the RIE workflow run $1 never answered"
	docker rm -f "$name" >/dev/null 2>&1 || true
}

# bench_container MODE CLIENTS: warm invokes of IMAGE in MODE with CLIENTS
# clients against CLIENTS warm containers; hey output in
# $RAW/container-MODE-CLIENTS.txt.
bench_container() {
	local mode=$1 c=$2 name=c$1$2 url
	note "containers, $mode mode, $c client(s), $c warm container(s)"
	start_image_harness "$name" "$mode" "$c" "$c" /dev/null
	wait_warm "$name" "$c"
	url=$(invoke_url "$HADDR" "$name")
	curl -fsS -X POST -H 'Content-Type: application/json' -d "$BODY" "$url" >/dev/null ||
		die "harness $name: first invoke failed (log: $RAW/$name.log)"
	run_hey "container-$mode-$c" "$c" "$url"
	stop_pid "$HPID"
}

if [[ -z $CONTAINER_SKIP ]]; then
	remove_containers
	note "container cold start and the docker run floors, $COLD_RUNS runs each, interleaved"
	: >"$WORK/ccold-wall"
	: >"$WORK/ccold-init"
	: >"$WORK/floor-run"
	: >"$WORK/floor-rm"
	: >"$WORK/floor-rie"
	: >"$WORK/floor-api"
	: >"$WORK/floor-first"
	ENGINE_SOCK=""
	engine_host=${DOCKER_HOST:-unix:///var/run/docker.sock}
	if [[ $engine_host == unix://* ]]; then
		ENGINE_SOCK=${engine_host#unix://}
	fi
	for ((i = 1; i <= COLD_RUNS; i++)); do
		start_image_harness "ccold$i" direct 1 0 "$RAW/ccold$i.stdout"
		t=$(curl -fsS -o /dev/null -w '%{time_total}' -X POST -H 'Content-Type: application/json' \
			-d "$BODY" "$(invoke_url "$HADDR" "ccold$i")") || die "container cold start $i: invoke failed (log: $RAW/ccold$i.log)"
		awk -v t="$t" 'BEGIN {printf "%.2f\n", t * 1000}' >>"$WORK/ccold-wall"
		stop_pid "$HPID"
		sed -n 's/.*REPORT .*Init Duration: \([0-9.]*\) ms.*/\1/p' "$RAW/ccold$i.stdout" | head -n1 >>"$WORK/ccold-init"
		floor_run "$i"
		floor_first "$i"
		floor_run_rm "$i"
		floor_rie "$i"
		floor_api "$i"
	done
	CCOLD_WALL=$(median <"$WORK/ccold-wall")
	CCOLD_INIT=$(median <"$WORK/ccold-init")
	FLOOR_RUN=$(median <"$WORK/floor-run")
	FLOOR_RM=$(median <"$WORK/floor-rm")
	FLOOR_RIE=$(median <"$WORK/floor-rie")
	FLOOR_API=$(median <"$WORK/floor-api")
	FLOOR_FIRST=$(median <"$WORK/floor-first")

	bench_container direct 1
	bench_container direct "$CLIENTS"
	bench_container emulator 1
	bench_container emulator "$CLIENTS"
	remove_containers
fi

# ---------------------------------------------------------------- report
N1=null-1 NN=null-$CLIENTS
row() { # LABEL HARNESSFILE NULLFILE TARGET
	local h=$RAW/$2.txt n=$RAW/$3.txt
	local hr nr
	hr=$(hey_rps "$h")
	nr=$(hey_rps "$n")
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" \
		"$hr" "$(hey_pct "$h" 50)" "$(hey_pct "$h" 99)" \
		"$nr" "$(hey_pct "$n" 50)" "$(hey_pct "$n" 99)" \
		"$(ratio "$hr" "$nr")" "$4"
}
errors_row() { # LABEL FILE
	local f=$RAW/$2.txt total ok
	total=$(hey_total "$f")
	ok=$(hey_ok "$f")
	printf '| %s | %s | %s | %s | %s |\n' "$1" "$total" "$ok" "$((total - ok))" "$(hey_errors "$f")"
}
target_for() { # CLIENTS RPS TARGET
	awk -v r="$2" -v t="$3" 'BEGIN {printf "≥ %d (%s: %.2f×)", t, (r >= t ? "met" : "not met"), r / t}'
}

H1=$(hey_rps "$RAW/harness-1.txt")
HN=$(hey_rps "$RAW/harness-$CLIENTS.txt")
if ((CLIENTS == 8)); then
	TARGET_N=$(target_for 8 "$HN" 8500)
else
	TARGET_N="(target is for 8 clients)"
fi
HARNESS_WARNINGS=$(cat "$RAW"/echo1.log "$RAW/echo$CLIENTS.log" | grep -cE 'level=(WARN|ERROR)' || true)
MODEL=$(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -n1)
COMMIT=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
DIRTY=""
if [[ -n $(cd "$ROOT" && git status --porcelain 2>/dev/null) ]]; then
	DIRTY=" (with uncommitted changes in the tree)"
fi
CLK_TCK=$(getconf CLK_TCK)
HEYVER=$(dpkg-query -W -f='${Version}' hey 2>/dev/null || echo unknown)

# containers_report: the container section of the report.
containers_report() {
	if [[ -n $CONTAINER_SKIP ]]; then
		printf '## Containers\n\nSkipped: %s.\n' "$CONTAINER_SKIP"
		return 0
	fi
	local r verdict
	r=$(ratio "$CCOLD_WALL" "$FLOOR_RUN")
	verdict=$(awk -v r="$r" 'BEGIN {print (r != "n/a" && r <= 1.2) ? "met" : "not met"}')
	cat <<EOT
## Containers ($IMAGE, $(docker version --format 'Docker {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null))

Cold start, median of $COLD_RUNS; each run a fresh harness, then the floors, interleaved.
The harness: a fresh harness serving the image in direct mode, one invoke, its wall time at the
caller (curl): container create → first response. Init Duration (container launch → the
runtime's first /next), as the harness reports it: $CCOLD_INIT ms.

| | what is timed | ms | harness / it |
|---|---|---|---|
| **harness cold start** | create → first response | **$CCOLD_WALL** | |
| **docker run floor** | \`docker run $IMAGE\` with no Runtime API, start to exit of the CLI: create, attach, start, the bootstrap exiting at once, wait (removal not timed) | $FLOOR_RUN | **$r×** (target ≤ 1.2×: $verdict) |
| docker run, first output | the same, start to the container's first output (the bootstrap's complaint, printed as it starts) | $FLOOR_FIRST | $(ratio "$CCOLD_WALL" "$FLOOR_FIRST")× |
| docker run --rm | start to exit, removal timed too | $FLOOR_RM | $(ratio "$CCOLD_WALL" "$FLOOR_RM")× |
| Engine API | create, start, wait for the exit: three curl calls on the engine's socket, no docker CLI | ${FLOOR_API:-n/a} | $(ratio "$CCOLD_WALL" "${FLOOR_API:-0}")× |
| RIE workflow | \`docker run -d -p\` with the harness mounted as the image's aws-lambda-rie, to the first 200 (invokes polled every 5 ms) | $FLOOR_RIE | $(ratio "$CCOLD_WALL" "$FLOOR_RIE")× |

Each run (ms): harness $(paste -sd' ' "$WORK/ccold-wall"); docker run $(paste -sd' ' "$WORK/floor-run");
first output $(paste -sd' ' "$WORK/floor-first"); --rm $(paste -sd' ' "$WORK/floor-rm");
Engine API $(paste -sd' ' "$WORK/floor-api"); RIE workflow $(paste -sd' ' "$WORK/floor-rie").

The target is the issue's, against \`docker run\` start to exit. That floor pays for things the
harness's cold start does not: starting the docker CLI (a Go program making several API calls)
and, after the process has exited, the engine's teardown of the container (the Engine API row
pays that too). "First output" stops when the container's process runs, before any teardown:
the closest to a lower bound, though it still includes the CLI. The harness's cold start does
more than it (attach, inspect, the runtime's init, the invoke's round trips).

Warm invokes, $WARMUP warm-up then $DURATION; as many warm containers as clients:

| mode | clients | req/s | p50 ms | p99 ms | process launcher req/s (above) | container / process |
|---|---|---|---|---|---|---|
$(container_row direct 1 harness-1)
$(container_row direct "$CLIENTS" "harness-$CLIENTS")
$(container_row emulator 1 harness-1)
$(container_row emulator "$CLIENTS" "harness-$CLIENTS")

Direct: the runtime in the container calls the harness's Runtime API on the bridge address.
Emulator: every invoke is forwarded to the harness inside the container (Docker's port
proxy, then its own Runtime API): one more HTTP hop and one more process.

| run | responses | 200 | non-200 | transport errors |
|---|---|---|---|---|
$(errors_row "direct, 1 client" container-direct-1)
$(errors_row "direct, $CLIENTS clients" "container-direct-$CLIENTS")
$(errors_row "emulator, 1 client" container-emulator-1)
$(errors_row "emulator, $CLIENTS clients" "container-emulator-$CLIENTS")
EOT
}

# container_row MODE CLIENTS PROCESSFILE
container_row() {
	local f=$RAW/container-$1-$2.txt r p
	r=$(hey_rps "$f")
	p=$(hey_rps "$RAW/$3.txt")
	printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$r" "$(hey_pct "$f" 50)" "$(hey_pct "$f" 99)" "$p" "$(ratio "$r" "$p")"
}

report() {
	cat <<EOF
# lambda-harness benchmark — $(date -u '+%Y-%m-%d %H:%M:%S UTC')

- machine: $(nproc) CPUs, ${MODEL:-unknown CPU}, $(uname -sr)
- $(go version | sed 's/^go version //'), GOMAXPROCS=${GOMAXPROCS:-unset}; hey $HEYVER
- commit $COMMIT$DIRTY
- load: \`hey -z $DURATION -m POST -T application/json -d '$BODY'\` after a discarded $WARMUP warm-up run;
  echo function (aws-lambda-go) through the process launcher, warm instances, function log to /dev/null;
  the null server (bench/nullserver) is the HTTP ceiling, measured in the same run.
- the load generator shares the machine with what it measures; load average (1, 5, 15 min)
  $LOAD_START before the run, $(loadavg) after.

## Throughput and latency (warm)

| clients | harness req/s | p50 ms | p99 ms | null server req/s | p50 ms | p99 ms | harness / null | target (issue 3) |
|---|---|---|---|---|---|---|---|---|
$(row "1 (concurrency 1)" harness-1 "$N1" "$(target_for 1 "$H1" 3500)")
$(row "$CLIENTS ($CLIENTS instances)" "harness-$CLIENTS" "$NN" "$TARGET_N")

Responses in the measured runs (hey's status-code and error distributions):

| run | responses | 200 | non-200 | transport errors |
|---|---|---|---|---|
$(errors_row "harness, 1 client" harness-1)
$(errors_row "harness, $CLIENTS clients" "harness-$CLIENTS")
$(errors_row "null, 1 client" "$N1")
$(errors_row "null, $CLIENTS clients" "$NN")

Harness log lines at WARN or ERROR during the warm runs: $HARNESS_WARNINGS.

Reference figures **quoted from DESIGN.md, not measured in this run** (same kind of 2-core machine,
runs vary ±25%):

| path | lambda-runtime-api-daemon | aws-lambda-rie | null server there |
|---|---|---|---|
| 1 client | 2,000–2,800 req/s | ~1,350 (1,300–1,400) req/s | 8,000–18,000 req/s |
| 8 clients | 5,000–6,600 req/s (8 runtimes) | crashes | 21,000–38,000 req/s |

Targets: ≥ 1.3× lambda-runtime-api-daemon with 1 client and ≥ 1.5× with 8, i.e. **≥ 3,500** and
**≥ 8,500 req/s** here.

CPU time per invoke during the measured runs (from /proc/<pid>/stat; the rest of the machine's
time goes to hey and the kernel; ${CLK_TCK} Hz ticks):

| clients | harness µs/invoke | runtimes µs/invoke |
|---|---|---|
| 1 | $(cpu_us_per_req "$H1_CPU_H" "$RAW/harness-1.txt") | $(cpu_us_per_req "$H1_CPU_RT" "$RAW/harness-1.txt") |
| $CLIENTS | $(cpu_us_per_req "$HN_CPU_H" "$RAW/harness-$CLIENTS.txt") | $(cpu_us_per_req "$HN_CPU_RT" "$RAW/harness-$CLIENTS.txt") |

## Cold start (median of $COLD_RUNS fresh harnesses)

| measure | ms |
|---|---|
| first invoke, wall time at the caller (includes launching the runtime) | $COLD_WALL |
| Init Duration reported by the harness (launch → first /next) | $COLD_INIT |
| exec floor: echo binary with no Runtime API, start to exit (mean of 20) | $FLOOR_ECHO |
| exec floor: /bin/true (mean of 20) | $FLOOR_TRUE |

Wall times of each cold invoke (ms): $(paste -sd' ' "$WORK/cold-wall").

$(containers_report)

## Memory (VmRSS)

| harness | idle, after warm-up | max under load | runtimes idle (sum) | runtimes under load (max of sum) |
|---|---|---|---|---|
| 1 instance | $(mb "$H1_RSS_IDLE") MB | $(mb "$H1_RSS_LOAD") MB | $(mb "$H1_RSS_IDLE_RT") MB | $(mb "$H1_RSS_LOAD_RT") MB |
| $CLIENTS instances | $(mb "$HN_RSS_IDLE") MB | $(mb "$HN_RSS_LOAD") MB | $(mb "$HN_RSS_IDLE_RT") MB | $(mb "$HN_RSS_LOAD_RT") MB |

## CPU profile

The harness under one client (\`--debug-addr\`, 5 s, \`go tool pprof -top\`; raw profile in
\`bench/results/raw-$STAMP/cpu.prof\`):

\`\`\`
$PROFILE_TOP
\`\`\`

Raw hey outputs and harness logs: \`bench/results/raw-$STAMP/\`.
EOF
}

report | tee "$RESULTS/results-$STAMP.md"
cp "$RESULTS/results-$STAMP.md" "$RESULTS/latest.md"
note "written to bench/results/results-$STAMP.md and bench/results/latest.md"

# AMQP-RPC over RabbitMQ, appended to the same results (skipped, with a
# message, when no broker is reachable).
BENCH_RESULTS="$RESULTS/latest.md" bash "$(dirname "$0")/amqp.sh"
BENCH_RESULTS="$RESULTS/latest.md" bash "$(dirname "$0")/streaming.sh"
cp "$RESULTS/latest.md" "$RESULTS/results-$STAMP.md"
