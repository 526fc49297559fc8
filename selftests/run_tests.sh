#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run xtcp selftests and print one TAP 13 stream, as kselftest's runner
# does: a plan line, each program's output prefixed with "# ", then
# "ok N selftests: xtcp: NAME" or "not ok ..." (exit 4 is a skip, a run
# past the "timeout" of ./settings is killed and fails).
#
# Usage: run_tests.sh [TEST...]   (default: the tests in tests.list)

cd "$(dirname "$0")" || exit 1
dir=$(pwd)
timeout=45
if [ -r settings ]; then
	timeout=$(sed -n 's/^timeout=//p' settings)
fi
# XTCP_TEST_TIMEOUT overrides it (make bench runs longer than any test).
timeout=${XTCP_TEST_TIMEOUT:-$timeout}
tests="$*"
if [ -z "$tests" ]; then
	tests=$(cat tests.list)
fi

echo "TAP version 13"
echo "1..$(echo $tests | wc -w)"
num=0
for t in $tests; do
	num=$((num + 1))
	echo "# selftests: xtcp: $t"
	prog="$dir/$t"
	if [ ! -x "$prog" ]; then
		prog="${OUTPUT:-$dir}/$t"
	fi
	# Output goes through a file, not a pipe: a background process a
	# test leaks would keep a pipe open and hang the run.
	log=$(mktemp)
	t0=$(cut -d. -f1 /proc/uptime)
	timeout "$timeout" "$prog" >"$log" 2>&1 </dev/null
	rc=$?
	sed -e 's/^/# /' "$log"
	echo "# $t took $(($(cut -d. -f1 /proc/uptime) - t0)) s"
	rm -f "$log"
	case "$rc" in
	0)	echo "ok $num selftests: xtcp: $t" ;;
	4)	echo "ok $num selftests: xtcp: $t # SKIP" ;;
	124|143) echo "not ok $num selftests: xtcp: $t # TIMEOUT $timeout seconds" ;;
	*)	echo "not ok $num selftests: xtcp: $t # exit=$rc" ;;
	esac
done
