#!/usr/bin/env bash
# postgres-start.sh starts a throwaway PostgreSQL server for klynge's tests.
#
# Usage: eval "$(scripts/postgres-start.sh [PORT])"     (default port 55432)
#
# It installs PostgreSQL from Debian's packages when no server binaries are
# found (this needs root, as in CI), initialises a new cluster in a temporary
# directory owned by the postgres user, starts it on 127.0.0.1:PORT with
# trust authentication, creates the database klynge_test and waits until it
# answers. Only the export line goes to stdout; progress goes to stderr.
# scripts/postgres-stop.sh PORT stops the server and deletes its directory.
#
# The cluster is for tests only: trust authentication, loopback only, and
# everything in it is deleted on stop.
set -euo pipefail

port="${1:-${KLYNGE_TEST_POSTGRES_PORT:-55432}}"
case "$port" in
'' | *[!0-9]*) echo "postgres-start: port must be a number, got '$port'" >&2; exit 2 ;;
esac
database=klynge_test
# The directory is named after the port, so that postgres-stop.sh finds it.
state_dir="${TMPDIR:-/tmp}/klynge-postgres-$port"

say() { echo "postgres-start: $*" >&2; }

find_bin_dir() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
		if [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ] && [ -x "$d/initdb" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

bin_dir="$(find_bin_dir || true)"
if [ -z "$bin_dir" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		say "no PostgreSQL server under /usr/lib/postgresql/*/bin and not root: install the Debian package 'postgresql' first"
		exit 1
	fi
	say "installing PostgreSQL from Debian's packages"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y -qq postgresql >&2
	bin_dir="$(find_bin_dir || true)"
	if [ -z "$bin_dir" ]; then
		say "apt-get installed postgresql but no pg_ctl/postgres/initdb was found under /usr/lib/postgresql/*/bin"
		exit 1
	fi
fi

# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# postgres user (the Debian package creates it).
if [ "$(id -u)" -eq 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
	fi
	run_as_owner() { runuser -u postgres -- "$@"; }
	owner=postgres
else
	run_as_owner() { "$@"; }
	owner="$(id -un)"
fi

dsn="postgres://postgres@127.0.0.1:$port/$database?sslmode=disable"
pg_ready() { "$bin_dir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres; }

if [ -f "$state_dir/data/postmaster.pid" ] && run_as_owner "$bin_dir/pg_ctl" -D "$state_dir/data" status >/dev/null 2>&1; then
	say "already running from $state_dir"
else
	if pg_ready; then
		say "something else already answers on 127.0.0.1:$port; choose another port"
		exit 1
	fi
	rm -rf "$state_dir"
	mkdir -p "$state_dir"
	chown "$owner" "$state_dir"
	chmod 700 "$state_dir"
	say "initialising a cluster in $state_dir with $bin_dir"
	run_as_owner "$bin_dir/initdb" --pgdata="$state_dir/data" --username=postgres \
		--auth=trust --encoding=UTF8 --locale=C --no-sync >"$state_dir/initdb.log" 2>&1 || {
		cat "$state_dir/initdb.log" >&2
		exit 1
	}
	# fsync stays on: the audit log's durability and its benchmark figures
	# depend on real commits.
	if ! run_as_owner "$bin_dir/pg_ctl" -D "$state_dir/data" -l "$state_dir/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $state_dir -c max_connections=200" start >&2; then
		cat "$state_dir/server.log" >&2 || true
		exit 1
	fi
fi

for _ in $(seq 1 60); do
	if pg_ready; then break; fi
	sleep 0.5
done
if ! pg_ready; then
	say "server on 127.0.0.1:$port did not become ready; log follows"
	cat "$state_dir/server.log" >&2 || true
	exit 1
fi

if ! "$bin_dir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq \
	-c "SELECT 1 FROM pg_database WHERE datname = '$database'" | grep -q 1; then
	"$bin_dir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$database"
fi
say "ready on 127.0.0.1:$port, database $database"
echo "export KLYNGE_TEST_POSTGRES_DSN='$dsn'"
