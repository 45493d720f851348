#!/bin/bash
# An exec wrapper that leaves a child behind before it execs the runtime, as
# a wrapper that starts an internal extension does. It prints
# "spawned <pid>" so a test can check that the child does not outlive the
# runtime.
sleep 600 &
echo "spawned $!"
exec "$@"
