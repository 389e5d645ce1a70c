#!/usr/bin/env bash
# redis-stop.sh stops the test server that redis-start.sh started on PORT
# (default 56379) and deletes its directory. Stopping a server that is not
# running is not an error.
set -euo pipefail

port="${1:-${KLYNGE_TEST_REDIS_PORT:-56379}}"
case "$port" in
'' | *[!0-9]*) echo "redis-stop: port must be a number, got '$port'" >&2; exit 2 ;;
esac
state_dir="${TMPDIR:-/tmp}/klynge-redis-$port"

if [ ! -d "$state_dir" ]; then
	echo "redis-stop: nothing to stop ($state_dir does not exist)" >&2
	exit 0
fi
if [ -f "$state_dir/redis.pid" ]; then
	pid="$(cat "$state_dir/redis.pid")"
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		for _ in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
fi
rm -rf "$state_dir"
echo "redis-stop: stopped and removed $state_dir" >&2
