#!/usr/bin/env bash
# Runs every test of xjob against real parts: installs what is missing
# (mariadb-server, chromium) with apt-get, starts a throwaway MariaDB on a
# free port, checks that generated code matches its sources, runs go vet and
# go test -race, and stops the server again.
#
# XJOB_TEST_REQUIRE_MYSQL=1 / XJOB_TEST_REQUIRE_BROWSER=1 (set by .ci/run)
# turn a skipped MariaDB or browser test into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing ${need[*]}" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Generated code must match its sources.
before=$(git status --porcelain -- '*_templ.go' wire_gen.go 2>/dev/null | md5sum || true)
go tool templ generate >/dev/null 2>&1
go tool wire gen . >/dev/null
after=$(git status --porcelain -- '*_templ.go' wire_gen.go 2>/dev/null | md5sum || true)
if [ "$before" != "$after" ]; then
  echo "test.sh: generated code (templ/wire) was stale; regenerated files differ from the committed ones:" >&2
  git status --porcelain -- '*_templ.go' wire_gen.go >&2
  exit 1
fi

eval "$(bash scripts/mariadb.sh start)"
trap 'bash scripts/mariadb.sh stop >/dev/null 2>&1 || true' EXIT
echo "test.sh: MariaDB at $XJOB_TEST_MYSQL_DSN" >&2

go vet ./...
go test -race -timeout 20m -count=1 ./... "$@"
