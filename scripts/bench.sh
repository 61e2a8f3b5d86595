#!/usr/bin/env bash
# make bench: xjob's end-to-end benchmark, short form (about two minutes):
# the machine's ceilings, S1 (1,000 jobs every second) for 60 s on MariaDB
# and the callback ramp, printed as a Markdown table.
#
#   bash scripts/bench.sh                          # the short run
#   bash scripts/bench.sh -scenario s1,s3 -quartz  # any xjob-bench flags instead
#   bash scripts/bench.sh -scenario all -quartz    # everything (~35-45 min)
#
# It compiles the Quartz peer (bench/quartz) when javac and Debian's jars are
# there (installing them with apt-get as root), so -quartz works; without them
# the peer is skipped with a message. Results: a JSON file under $TMPDIR
# (path printed at the end). Never part of `make test`.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
work=$(mktemp -d "${TMPDIR:-/tmp}/xjob-bench-sh.XXXXXX")
trap 'rm -rf "$work"' EXIT

args=("$@")
[ ${#args[@]} -gt 0 ] || args=(-scenario quick)

quartz=()
if cp=$(bash bench/quartz/build.sh "$work/quartz" 2>"$work/quartz-build.log"); then
	quartz=(-quartz-classpath "$cp")
else
	echo "bench.sh: Quartz peer not built (see below); -quartz will try again and fail" >&2
	cat "$work/quartz-build.log" >&2
fi

go build -o "$work/xjob-bench" ./cmd/xjob-bench
exec_status=0
"$work/xjob-bench" -repo "$repo" "${quartz[@]}" "${args[@]}" || exec_status=$?
exit "$exec_status"
