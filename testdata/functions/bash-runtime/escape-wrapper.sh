#!/bin/bash
# An exec wrapper that starts a child in a session of its own (so a kill of
# the runtime's process group misses it) holding the runtime's stdout and
# stderr open. It prints "escaped <pid>"; the test that uses it kills the
# child itself.
setsid sleep 60 &
echo "escaped $!"
exec "$@"
