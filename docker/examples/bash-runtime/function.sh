# function.sh: the function of the bash-runtime example. The runtime
# (bootstrap) sources this file and calls the handler with the event, JSON,
# as $1: what it prints is the response, what it prints on stderr goes to
# the function's log, and a failure (exit status not 0) is a function
# error.

# handler answers {"echo": EVENT}; an event {"fail": ...} makes it fail.
handler() {
	local event=$1
	echo "function.sh: handling $event" >&2
	if [[ $event == *'"fail"'* ]]; then
		echo "asked to fail" >&2
		return 1
	fi
	printf '{"echo":%s}' "$event"
}
