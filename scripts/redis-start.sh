#!/usr/bin/env bash
# redis-start.sh starts a throwaway Redis server for klynge's tests.
#
# Usage: eval "$(scripts/redis-start.sh [PORT])"     (default port 56379)
#
# It installs redis-server from Debian's packages when none is found (this
# needs root, as in CI), starts it on 127.0.0.1:PORT without persistence in
# a temporary directory, and waits until it answers PING. Only the export
# line goes to stdout; progress goes to stderr. scripts/redis-stop.sh PORT
# stops it and deletes its directory.
set -euo pipefail

port="${1:-${KLYNGE_TEST_REDIS_PORT:-56379}}"
case "$port" in
'' | *[!0-9]*) echo "redis-start: port must be a number, got '$port'" >&2; exit 2 ;;
esac
state_dir="${TMPDIR:-/tmp}/klynge-redis-$port"

say() { echo "redis-start: $*" >&2; }

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
	if [ "$(id -u)" -ne 0 ]; then
		say "redis-server is not installed and not root: install the Debian package 'redis-server' first"
		exit 1
	fi
	say "installing redis-server from Debian's packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq redis-server >&2
fi

ping() { redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; }

if [ -f "$state_dir/redis.pid" ] && kill -0 "$(cat "$state_dir/redis.pid")" 2>/dev/null; then
	say "already running from $state_dir"
else
	if ping; then
		say "something else already answers on 127.0.0.1:$port; choose another port"
		exit 1
	fi
	rm -rf "$state_dir"
	mkdir -p "$state_dir"
	redis-server --bind 127.0.0.1 --port "$port" --dir "$state_dir" \
		--save '' --appendonly no --protected-mode yes \
		--daemonize yes --pidfile "$state_dir/redis.pid" --logfile "$state_dir/redis.log" >&2
fi

for _ in $(seq 1 50); do
	if ping; then break; fi
	sleep 0.1
done
if ! ping; then
	say "server on 127.0.0.1:$port did not answer; log follows"
	cat "$state_dir/redis.log" >&2 || true
	exit 1
fi
say "ready on 127.0.0.1:$port"
echo "export KLYNGE_TEST_REDIS_ADDR='127.0.0.1:$port'"
