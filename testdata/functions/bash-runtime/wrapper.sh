#!/bin/bash
# An exec wrapper (AWS_LAMBDA_EXEC_WRAPPER) in the manner of AWS's
# bash-example-wrapper: it receives the runtime's command line as its
# arguments, changes the runtime's environment and then execs it, so the
# runtime keeps the wrapper's pid.
args=("$@")
export WRAPPED=yes
echo "wrapper.sh: starting ${args[*]}"
exec "${args[@]}"
