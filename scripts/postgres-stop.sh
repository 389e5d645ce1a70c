#!/usr/bin/env bash
# postgres-stop.sh stops the test server that postgres-start.sh started on
# PORT (default 55432) and deletes its directory. Stopping a server that is
# not running is not an error.
set -euo pipefail

port="${1:-${KLYNGE_TEST_POSTGRES_PORT:-55432}}"
case "$port" in
'' | *[!0-9]*) echo "postgres-stop: port must be a number, got '$port'" >&2; exit 2 ;;
esac
state_dir="${TMPDIR:-/tmp}/klynge-postgres-$port"

if [ ! -d "$state_dir" ]; then
	echo "postgres-stop: nothing to stop ($state_dir does not exist)" >&2
	exit 0
fi

bin_dir=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
	if [ -x "$d/pg_ctl" ]; then bin_dir="$d"; break; fi
done

if [ -n "$bin_dir" ] && [ -f "$state_dir/data/postmaster.pid" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$bin_dir/pg_ctl" -D "$state_dir/data" -m fast -w stop >&2 || true
	else
		"$bin_dir/pg_ctl" -D "$state_dir/data" -m fast -w stop >&2 || true
	fi
fi
rm -rf "$state_dir"
echo "postgres-stop: stopped and removed $state_dir" >&2
