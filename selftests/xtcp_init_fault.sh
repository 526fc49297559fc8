#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every failure while loading xtcp unwinds what was set up before it.
#
# /proc/thread-self/fail-nth makes the N-th fault-injectable call of a
# task fail; with failslab armed, that is its N-th slab allocation.  A
# load of xtcp makes T such calls (about 1000 on the debug kernel); the
# sweep (xtcp_tool fail_sweep) loads it with N going down from T+4: the
# loader's bookkeeping after the init, every step of xtcp_init(), down
# to the first failure of the module loader itself (below xtcp's init).
# After each failed load nothing of xtcp may remain; the debug kernel's
# kmemleak and KASAN (checked after the run) catch what an unwind forgot
# or freed twice.
#
# Failing every call took 460 to 730 loads, 5 to 9 minutes on the debug
# lane: half of the calls are kmemleak's (tolerated), and most of
# xtcp_init()'s are the sysfs files of its slab caches, whose failures all
# come back to xtcp at the same call.  So the sweep fails one call in
# XTCP_SWEEP_STRIDE (7; 1: every call, as before), and every call around
# each change of where the init failed: its step ("loading failed at")
# and the call of xtcp's that got the failure (from failslab's stack dump
# of it), and around the loader's failure.  Each failing call of xtcp's
# and each change is failed call by call, a run at one call one call in
# 7.  Below xtcp_init(), after 5 strides that all succeed, the sweep goes
# call by call (28 calls) to the loader's first failure, a single call.
# The loads are bounded, XTCP_SWEEP_LOADS (240, about 2.5 minutes at
# most): a window that would not leave room for the way down to the
# loader is left out (and counted), and at the budget the sweep stops and
# fails.  The outcome of every call tried is printed as a map (S loaded,
# X init failed, L loader failed), with each place the init failed at.
#
# Needs CONFIG_FAULT_INJECTION and CONFIG_FAILSLAB (the debug kernel);
# skips elsewhere.  Starts and ends with xtcp loaded with its defaults.

cd "$(dirname "$0")" || exit 1
. ./lib.sh

FS=/sys/kernel/debug/failslab

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

failslab_set()
{
	echo "$2" >"$FS/$1"
}

tap_plan 10

unload_xtcp 2>/dev/null
check "xtcp unloaded before the sweep" nothing_left

KO=$(find "/lib/modules/$(uname -r)" -name xtcp.ko | head -n 1)
failslab_set probability 0
failslab_set ignore-gfp-wait N
failslab_set task-filter N
# A stack dump of each injected failure, which tells the sweep which call
# of xtcp's got it; in the log only, not on the (slow) serial console.
failslab_set verbose_ratelimit_interval_ms 0
failslab_set verbose 2
printk=$(cut -f 1 /proc/sys/kernel/printk)
dmesg -n 1

# One process loads the module again and again through finit_module(),
# so that only the load itself counts allocations.
echo "xtcp-vm: fault sweep starting" >/dev/kmsg
out=$(./xtcp_tool fail_sweep "$KO" "${XTCP_SWEEP_STRIDE:-7}" \
	"${XTCP_SWEEP_LOADS:-240}")
rc=$?
dmesg -n "$printk"
failslab_set verbose 0
failslab_set ignore-gfp-wait Y
echo "$out" | sed 's/^/# /'
result=$(echo "$out" | tail -n 1)
failed=$(echo "$result" | sed -n 's/.*failed=\([0-9]*\).*/\1/p')
dirty=$(echo "$result" | sed -n 's/.*dirty=\([0-9]*\).*/\1/p')
loads=$(echo "$result" | sed -n 's/.*loads=\([0-9]*\).*/\1/p')
bound=$(echo "$result" | sed -n 's/.*bound=\([0-9]*\).*/\1/p')

reached=$(echo "$result" | sed -n 's/.*reached_loader=\([01]\).*/\1/p')
check "the sweep ran" [ "$rc" -eq 0 ]
check_eq "the sweep went down to the module loader's allocations" 1 "$reached"
check "loads failed" [ "${failed:-0}" -gt 0 ]
within_bound() { [ "${loads:-0}" -gt 0 ] && [ "$loads" -le "${bound:-0}" ]; }
check "the sweep stayed within its bound of loads (${loads:-?} of ${bound:-?})" \
	within_bound
check_eq "every failed load left nothing behind" 0 "$dirty"
# The connection table's hashes are page-sized allocations, which
# failslab does not reach; the creation of its port cache is (the sweep
# lists it), but is not checked here.
for step in "TIME_WAIT cache" "per-namespace state" "struct proto"; do
	check "a load failed at: $step" \
		sh -c "dmesg | grep -q 'xtcp: loading failed at $step'"
done

# The kernel reports, with stack dumps, the failures injected outside
# xtcp and inside it (warn_alloc() from the module loader, from
# kmem_cache_create(), a WARN of the tracing core setting up the module's
# events).  Judge this window here on the headers of real reports --
# KASAN, lockdep, BUG, corrupted lists or refcounts, a WARN in xtcp --
# then clear it, so that the final kernel log check covers the other
# tests only.  kmemleak and lockdep's own state still cover the window.
BUGS_RE='KASAN|possible (circular|recursive) locking|inconsistent lock state|BUG:|Oops|general protection fault|refcount_t:|list_(add|del) corruption|sleeping function called from invalid context|WARNING: .*(xtcp_|\[xtcp\])'
bugs=$(dmesg | sed -n '/xtcp-vm: fault sweep starting/,$p' | grep -E "$BUGS_RE")
[ -z "$bugs" ] || echo "$bugs" | sed 's/^/# /'
check "no kernel bug report during the sweep" [ -z "$bugs" ]
dmesg -c >/dev/null
echo "xtcp-vm: tests starting (log cleared after the fault sweep)" >/dev/kmsg
modprobe xtcp

tap_end
