#!/usr/bin/env bash
# Throwaway MariaDB for xjob's tests.
#
#   eval "$(scripts/mariadb.sh start)"   # prints: export XJOB_TEST_MYSQL_DSN='root@tcp(127.0.0.1:PORT)/'
#   scripts/mariadb.sh stop              # kills the server and removes its data directory
#   scripts/mariadb.sh status            # prints the state file
#
# start installs mariadb-server with apt-get when mariadbd is missing (fresh
# Debian, as root), creates a data directory under $TMPDIR, and starts
# mariadbd as root on a free loopback port with grant tables skipped (any user,
# no password), tuned for speed rather than durability. Only the export line
# goes to stdout; progress goes to stderr. A second start while the server
# recorded in the state file is alive prints the same export again.
#
# The state file (XJOB_MARIADB_STATE, default: one per checkout under $TMPDIR)
# holds PORT, PID and DIR.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=${TMPDIR:-/tmp}
state=${XJOB_MARIADB_STATE:-$tmp/xjob-mariadb-$(id -u)-$(printf '%s' "$repo" | md5sum | cut -c1-10).state}

log() { printf 'mariadb.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

find_bin() {
	local name
	for name in "$@"; do
		if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
		if [ -x "/usr/sbin/$name" ]; then echo "/usr/sbin/$name"; return 0; fi
		if [ -x "/usr/bin/$name" ]; then echo "/usr/bin/$name"; return 0; fi
	done
	return 1
}

install_server() {
	log "installing mariadb-server with apt-get"
	local sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get update -qq >&2
	# policy-rc.d keeps the package's own service from starting: we run our own.
	local policy=/usr/sbin/policy-rc.d created_policy=
	if [ "$(id -u)" = 0 ] && [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends mariadb-server >&2 || {
		[ -n "$created_policy" ] && rm -f "$policy"
		die "apt-get install mariadb-server failed"
	}
	[ -n "$created_policy" ] && rm -f "$policy"
	return 0
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
	local p i
	for i in $(seq 1 50); do
		p=$((20000 + RANDOM % 40000))
		port_in_use "$p" || { echo "$p"; return 0; }
	done
	die "no free loopback port found"
}

read_state() {
	PORT= PID= DIR=
	[ -f "$state" ] || return 1
	# shellcheck disable=SC1090
	. "$state"
	[ -n "$PORT" ] && [ -n "$PID" ] && [ -n "$DIR" ]
}

print_export() { echo "export XJOB_TEST_MYSQL_DSN='root@tcp(127.0.0.1:$1)/'"; }

start() {
	if read_state && kill -0 "$PID" 2>/dev/null; then
		log "already running (pid $PID, port $PORT, dir $DIR)"
		print_export "$PORT"
		return 0
	fi
	rm -f "$state"

	local mariadbd install_db admin
	mariadbd=$(find_bin mariadbd mysqld) || { install_server; mariadbd=$(find_bin mariadbd mysqld) || die "mariadbd not found after install"; }
	install_db=$(find_bin mariadb-install-db mysql_install_db) || die "mariadb-install-db not found"
	admin=$(find_bin mariadb-admin mysqladmin) || die "mariadb-admin not found"

	local dir
	dir=$(mktemp -d "$tmp/xjob-mariadb.XXXXXX")
	log "initialising $dir"
	"$install_db" --no-defaults --user=root --datadir="$dir/data" --skip-test-db \
		--auth-root-authentication-method=normal >"$dir/install.log" 2>&1 ||
		{ cat "$dir/install.log" >&2; rm -rf "$dir"; die "mariadb-install-db failed"; }

	local attempt port pid
	for attempt in 1 2 3; do
		port=$(free_port)
		"$mariadbd" --no-defaults --user=root \
			--datadir="$dir/data" --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" \
			--log-error="$dir/error.log" --port="$port" --bind-address=127.0.0.1 \
			--skip-grant-tables --skip-name-resolve --skip-log-bin \
			--character-set-server=utf8mb4 --max-connections=1000 \
			--innodb-buffer-pool-size=256M --innodb-log-file-size=128M \
			--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --sync-binlog=0 \
			>"$dir/stdout.log" 2>&1 </dev/null &
		pid=$!
		local i
		for i in $(seq 1 300); do
			if "$admin" --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1; then
				{
					echo "PORT=$port"
					echo "PID=$pid"
					echo "DIR=$dir"
				} >"$state"
				log "started (pid $pid, port $port, dir $dir, state $state)"
				print_export "$port"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		log "attempt $attempt failed; error log:"
		tail -n 20 "$dir/error.log" >&2 || true
	done
	rm -rf "$dir"
	die "could not start mariadbd"
}

stop() {
	if ! read_state; then
		log "not running (no state file $state)"
		return 0
	fi
	if kill -0 "$PID" 2>/dev/null; then
		kill "$PID" 2>/dev/null || true
		local i
		for i in $(seq 1 100); do
			kill -0 "$PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$PID" 2>/dev/null || true
	fi
	case "$DIR" in
	"$tmp"/xjob-mariadb.*) rm -rf "$DIR" ;;
	*) log "not removing unexpected directory $DIR" ;;
	esac
	rm -f "$state"
	log "stopped (pid $PID)"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) if read_state; then cat "$state"; else log "not running"; exit 1; fi ;;
*) die "usage: $0 start|stop|status" ;;
esac
