#!/bin/bash
# SPDX-License-Identifier: ISC
#
# tests/netns/run.sh BUILD_DIR [t_name...]
#
# Runs every tests/netns/t_*.sh (or the ones named) against the iphttpsd and iphttpsctl in
# BUILD_DIR, each under a time limit, adds up their results and ends with the one line
# "N passed, M failed" (", K skipped" when some were). Exits non-zero if anything failed.
# Not root: every scenario skips (exit 77) and so does this runner.
#
# One scenario alone: tests/netns/t_http.sh "$PWD/build" (prints its own "N passed, M failed").
# Environment: IPH_KEEP=1 keeps each scenario's work dir (configs, gateway log gw.err, peer
# outputs); IPH_KEEP_FAILED=1 keeps it only when a check failed; IPH_TEST_LIMIT=seconds per
# scenario (default 90).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-}
if [ -z "$BUILD" ]; then
	echo "usage: $0 BUILD_DIR [t_name...]" >&2
	exit 2
fi
shift
BUILD=$(cd "$BUILD" && pwd) || exit 2
for p in iphttpsd iphttpsctl; do
	if [ ! -x "$BUILD/$p" ]; then
		echo "$0: $BUILD/$p not found (build it first)" >&2
		exit 2
	fi
done

if [ "$(id -u)" -ne 0 ]; then
	echo "# netns: skipped: needs root"
	echo "0 passed, 0 failed, 1 skipped"
	exit 77
fi

LIMIT=${IPH_TEST_LIMIT:-90} # seconds per scenario
export IPH_RUN_ID=$$
RESULTS=$(mktemp "/tmp/iph-run-$$.XXXXXX")
export IPH_RESULTS=$RESULTS
trap 'rm -f "$RESULTS"' EXIT

if [ $# -gt 0 ]; then
	tests=()
	for t in "$@"; do tests+=("$HERE/${t%.sh}.sh"); done
else
	tests=("$HERE"/t_*.sh)
fi

# Namespaces and processes a scenario left behind when it had to be killed: all ours are named
# iph-<this runner's pid>-<scenario pid>-<role>.
sweep() {
	local ns pid
	for ns in $(ip netns list 2>/dev/null | awk -v p="iph-$$-" 'index($1, p) == 1 { print $1 }'); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
		echo "# swept namespace $ns"
	done
}

pass=0
fail=0
skipped=0
start=$(date +%s)
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	echo "# ---- $name"
	t0=$(date +%s)
	before=$(wc -l <"$RESULTS")
	timeout -k 5 "$LIMIT" bash "$t" "$BUILD"
	rc=$?
	sweep
	after=$(wc -l <"$RESULTS")
	if [ "$rc" -eq 77 ]; then
		skipped=$((skipped + 1))
		echo "# $name: skipped"
	elif [ "$after" -gt "$before" ]; then
		read -r _ p f s < <(tail -n 1 "$RESULTS")
		pass=$((pass + p))
		fail=$((fail + f))
		skipped=$((skipped + s))
		# A script that exits non-zero must not look green because its counters were.
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			echo "# $name: exited $rc with no failed check"
			fail=$((fail + 1))
		fi
	else
		why="exit $rc"
		[ "$rc" -eq 124 ] && why="killed after ${LIMIT} s"
		echo "# $name: ended without a summary ($why)"
		fail=$((fail + 1))
	fi
	echo "# $name: $(($(date +%s) - t0))s"
done
echo "# netns suite: $(($(date +%s) - start))s"

line="$pass passed, $fail failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$fail" -eq 0 ]
