#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every failure while loading xtcp unwinds what was set up before it.
#
# /proc/self/fail-nth makes the N-th fault-injectable call of a task fail;
# with failslab armed, that is its N-th slab allocation.  Loading xtcp
# with N = 1, 2, 3, ... fails each allocation of the load in turn, from
# the module loader through every step of xtcp_init().  After each failed
# load nothing of xtcp may remain; the debug kernel's kmemleak and KASAN
# (checked after the run) catch what an unwind forgot or freed twice.
#
# Needs CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB (the debug kernel);
# skips elsewhere.  Starts and ends with xtcp loaded with its defaults.

cd "$(dirname "$0")" || exit 1
. ./lib.sh

FS=/sys/kernel/debug/failslab
MAX_N=4000
QUIET_RUN=40	# consecutive clean loads that end the sweep

[ "$(id -u)" = 0 ] || { echo "# needs root"; exit 4; }
if [ ! -d "$FS" ] || [ ! -e /proc/self/fail-nth ]; then
	echo "# no failslab/fail-nth in this kernel: skipping"
	exit 4
fi

loaded() { grep -q '^xtcp ' /proc/modules; }

# Nothing of xtcp may survive a failed load.
nothing_left()
{
	! loaded && [ ! -e /proc/net/xtcp ] && [ ! -e /proc/net/xtcp_stat ] &&
		[ ! -e /proc/sys/net/xtcp ] &&
		! grep -q '^XTCP ' /proc/net/protocols &&
		! grep -q '^XTCP ' /proc/slabinfo 2>/dev/null
}

# load_failing N: modprobe xtcp with its N-th slab allocation failing.
load_failing()
{
	/bin/sh -c "echo $1 > /proc/self/fail-nth && exec /sbin/modprobe xtcp" \
		>/dev/null 2>&1
}

failslab_set()
{
	echo "$2" >"$FS/$1"
}

tap_plan 7

rmmod xtcp 2>/dev/null
check "xtcp unloaded before the sweep" nothing_left

failslab_set probability 0
failslab_set verbose 0
failslab_set ignore-gfp-wait N
failslab_set task-filter N

n=1
failed=0
dirty=0
quiet=0
while [ $n -le $MAX_N ] && [ $quiet -lt $QUIET_RUN ]; do
	if load_failing $n; then
		quiet=$((quiet + 1))
		rmmod xtcp
	else
		quiet=0
		failed=$((failed + 1))
		if ! nothing_left; then
			dirty=$((dirty + 1))
			echo "# allocation $n: xtcp left behind after a failed load"
			rmmod xtcp 2>/dev/null
		fi
	fi
	n=$((n + 1))
done
failslab_set ignore-gfp-wait Y
echo "# $failed failed loads out of $((n - 1))"

check "the sweep ended (every allocation tried)" [ $quiet -ge $QUIET_RUN ]
check "loads failed" [ $failed -gt 0 ]
check_eq "every failed load left nothing behind" 0 "$dirty"
for step in "connection table" "per-namespace state" "struct proto"; do
	check "a load failed at: $step" \
		sh -c "dmesg | grep -q 'xtcp: loading failed at $step'"
done
modprobe xtcp

tap_end
