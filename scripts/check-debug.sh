#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the debug-kernel lane of `make check` (check.sh runs it
# after the Debian-kernel lane).  Every selftest runs again, on a kernel
# that checks what Debian's does not: KASAN, lockdep, kmemleak, debug
# objects, atomic-sleep checks, and with the module's coverage measured.
#
#  1. the debug kernel: built once from linux-source-6.1 with
#     scripts/debug.config, then reused from its cache directory
#     (scripts/debug-kernel.sh; about 10 minutes cold, seconds warm)
#  2. xtcp.ko built against it with W=1 and gcov profiling (XTCP_GCOV=1),
#     from a copy of the sources in build/debug/src so that module/ keeps
#     the Debian kernel's objects; with it the test-only module
#     selftests/kmod/xtcp_widen.ko, which goes beside the selftests
#     (xtcp_race loads it; the Debian lane has none)
#  3. the selftests in the VM harness on that kernel, in two VMs at once
#     (2 GiB each, KASAN reports all, not only the first); each VM fails
#     the run on any WARNING, BUG, lockdep, KASAN, "sleeping function
#     called from invalid context" or kmemleak report, and a panic
#     (panic_on_oops) fails "vm completed"
#  4. the module's line and branch coverage, read from the VMs' gcov data
#     and merged (scripts/coverage.sh), as "# " lines; full report in
#     build/coverage/
#
# Usage: scripts/check-debug.sh [--tap FILE]
#   --tap FILE  append the lane's TAP to FILE and print nothing (check.sh);
#               without it the TAP goes to build/results/4-debug.tap, is
#               printed, and the last line is "N passed, N failed"
# Environment: XTCP_CACHE_DIR (kernel cache, default /var/cache/xtcp),
# XTCP_DEBUG_VM_TIMEOUT (seconds, default 2400), XTCP_DEBUG_TESTS (run
# only these selftests, in one VM), XTCP_DEBUG_ENV ("K=V ...": put these
# in the tests' environment in every VM, for instance
# XTCP_DEBUG_ENV="XTCP_FUZZ_SEED=42 XTCP_FUZZ_SECONDS=60"), XTCP_PLANT
# (lockdep or leak: plant that bug in the module, scripts/plant-bug.sh,
# to see the lane fail; for instance XTCP_PLANT=lockdep
# XTCP_DEBUG_TESTS=xtcp_conn).
set -uo pipefail
. "$(dirname "$0")/common.sh"

TAP=""
while [ $# -gt 0 ]; do
	case $1 in
	--tap) TAP=${2:?}; shift 2 ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d' >&2; exit 2 ;;
	*) echo "check-debug.sh: unknown argument: $1" >&2; exit 2 ;;
	esac
done
standalone=0
if [ -z "$TAP" ]; then
	standalone=1
	mkdir -p "$BUILD/results"
	TAP="$BUILD/results/4-debug.tap"
	rm -f "$TAP"
fi

DBG="$BUILD/debug"
LOGS="$DBG/logs"
rm -rf "$LOGS"
mkdir -p "$LOGS"

# diag LOG: the tail of LOG as TAP diagnostics.
diag() {
	sed 's/^/# /' "$1" | tail -n "${2:-60}" >>"$TAP"
}

finish() {
	if [ "$standalone" = 1 ]; then
		cat "$TAP"
		"$ROOT/scripts/tap-summary.sh" "$TAP"
		exit $?
	fi
	exit 0
}

echo "# lane: debug (linux-source-6.1 with KASAN, lockdep, kmemleak, gcov)" >>"$TAP"

if [ "$standalone" = 1 ] && ! xtcp_prepare 2>"$LOGS/deps.log"; then
	diag "$LOGS/deps.log"
	echo "not ok - debug lane: dependencies installed" >>"$TAP"
	finish
fi
if [ -z "${KSRC:-}" ]; then
	KSRC=$("$ROOT/scripts/ksrc.sh") || KSRC=""
fi

# --- 1. the kernel -----------------------------------------------------------
start=$(date +%s)
if ! DK=$("$ROOT/scripts/debug-kernel.sh" 2>"$LOGS/kernel.log"); then
	diag "$LOGS/kernel.log" 80
	echo "not ok - debug kernel built (scripts/debug-kernel.sh)" >>"$TAP"
	finish
fi
DKVER=$(cat "$DK/kver")
if [ "$(stat -c %Y "$DK/build-seconds")" -ge "$start" ]; then
	how="built in $(cat "$DK/build-seconds") s"
else
	how="reused from the cache in $(($(date +%s) - start)) s"
	how="$how (its cold build took $(cat "$DK/build-seconds") s)"
fi
echo "# debug kernel $DKVER $how: $DK" >>"$TAP"
echo "ok - debug kernel built" >>"$TAP"

# --- 2. the module -----------------------------------------------------------
SRC="$DBG/src"
rm -rf "$SRC"
mkdir -p "$SRC"
# Sources only: module/ also holds the Debian lane's build products.
tar -C "$ROOT" -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.order' \
	--exclude='Module.symvers' --exclude='*.gcno' --exclude='*.gcda' \
	--exclude='*.o.d' --exclude='.tmp_versions' Kbuild module include \
	selftests/kmod | tar -C "$SRC" -xf -
if [ -n "${XTCP_PLANT:-}" ]; then
	echo "# planted bug: $XTCP_PLANT (scripts/plant-bug.sh): this lane must fail" >>"$TAP"
	"$ROOT/scripts/plant-bug.sh" "$XTCP_PLANT" "$SRC" 2>>"$TAP" || finish
fi
if make -C "$DK/obj" M="$SRC" W=1 XTCP_GCOV=1 modules \
	>"$LOGS/module.log" 2>&1 &&
	! grep -E 'warning:|error:' "$LOGS/module.log" >/dev/null; then
	echo "ok - module builds warning-free with W=1 and gcov for $DKVER" >>"$TAP"
else
	grep -E 'warning:|error:' "$LOGS/module.log" | sed 's/^/# /' >>"$TAP"
	diag "$LOGS/module.log" 40
	echo "not ok - module builds warning-free with W=1 and gcov for $DKVER" >>"$TAP"
fi
# The test-only module of xtcp_race's accept_in_widened_window, never
# part of xtcp.ko: it goes beside the tests, where that test loads it.
if make -C "$DK/obj" M="$SRC/selftests/kmod" W=1 modules \
	>"$LOGS/kmod.log" 2>&1 &&
	! grep -E 'warning:|error:' "$LOGS/kmod.log" >/dev/null; then
	echo "ok - test module xtcp_widen builds warning-free with W=1" >>"$TAP"
else
	diag "$LOGS/kmod.log" 40
	echo "not ok - test module xtcp_widen builds warning-free with W=1" >>"$TAP"
fi
if [ ! -f "$SRC/module/xtcp.ko" ]; then
	echo "not ok - debug VM selftests (no xtcp.ko)" >>"$TAP"
	finish
fi

# --- 3. the selftests in the VM ---------------------------------------------
if ! xtcp_build_tests "$DBG/tests" >"$LOGS/tests-build.log" 2>&1; then
	diag "$LOGS/tests-build.log"
	echo "not ok - debug lane: selftests build" >>"$TAP"
	finish
fi
if [ -f "$SRC/selftests/kmod/xtcp_widen.ko" ]; then
	cp "$SRC/selftests/kmod/xtcp_widen.ko" "$DBG/tests/"
fi
if ! "$ROOT/scripts/mkinitramfs.sh" --kver "$DKVER" --modroot "$DK/modroot" \
	--module "$SRC/module/xtcp.ko" --tests "$DBG/tests" \
	--out "$DBG/initramfs.cpio.gz" >"$LOGS/initramfs.log" 2>&1; then
	diag "$LOGS/initramfs.log"
	echo "not ok - debug lane: initramfs build" >>"$TAP"
	finish
fi
# Two VMs side by side, one per host core: the namespace tests, which
# take about as long as all the others together under KASAN, and the rest
# (xtcp_bulk among them, its transfers divided by XTCP_BULK_DIV and its
# impaired paths cut to the one with all impairments, XTCP_BULK_PATHS).
# xtcp_stall runs in the second, on the 1 % loss path (XTCP_STALL_PATHS)
# with 4 xtcp echoes of 2 MiB, all at once (XTCP_STALL_RUNS; the Debian
# lane runs 20 on both paths and keeps the statistics): here the test is
# for what KASAN and lockdep see on a lossy path, which xtcp_bulk's
# impaired path drives too.
# The syscall fuzzer runs in the second for 60 s (XTCP_FUZZ_SECONDS;
# the Debian lane's default is 30 s), before the VM's kmemleak scan; the
# hand-made peer's tests (xtcp_lifetime, xtcp_hostile) go with the
# namespace tests (xtcp_open to xtcp_route, the fixtures of
# selftests/xtcp_link.h), so that both VMs take about as long (about
# 1450 and 1350 s of tests, 6 Dec 2026, with xtcp_init_fault.sh's sweep
# bounded).  The
# segment fuzzer (xtcp_segfuzz) runs in the second with the Debian lane's
# count, 24000 segments (at least 20000 in both lanes), 110 to 165 s there.
link="xtcp_open xtcp_timers xtcp_sndbuf xtcp_recovery xtcp_offload xtcp_route"
read -r -a all <"$DBG/tests/tests.list"
rest=()
for t in "${all[@]}"; do
	case " $link xtcp_lifetime xtcp_hostile " in
	*" $t "*) ;;
	*) rest+=("$t") ;;
	esac
done
shards=("$link xtcp_lifetime xtcp_hostile"
	"${rest[*]}")
shard_env=(""
	"xtcpenv=XTCP_STALL_PATHS=loss1 xtcpenv=XTCP_STALL_RUNS=4 xtcpenv=XTCP_FUZZ_SECONDS=60")
if [ -n "${XTCP_DEBUG_TESTS:-}" ]; then
	shards=("$XTCP_DEBUG_TESTS")
	shard_env=("")
fi
extra_env=""
for kv in ${XTCP_DEBUG_ENV:-}; do
	extra_env="$extra_env xtcpenv=$kv"
done
rm -rf "$DBG"/vm[0-9]*
start=$(date +%s)
for i in "${!shards[@]}"; do
	"$ROOT/scripts/vm.sh" --mode test --kernel "$DK/bzImage" --mem 2048 \
		--initrd "$DBG/initramfs.cpio.gz" --out "$DBG/vm$i" \
		--timeout "${XTCP_DEBUG_VM_TIMEOUT:-2400}" \
		--append "kasan_multi_shot xtcpenv=XTCP_SKIP_TCP=1 xtcpenv=XTCP_DEBUG_LANE=1 xtcpenv=XTCP_BULK_DIV=8 xtcpenv=XTCP_BULK_PATHS=all xtcpenv=XTCP_TEST_TIMEOUT=1500 ${shard_env[$i]}$extra_env" \
		--args "${shards[$i]}" >"$LOGS/vm$i.tap" 2>"$LOGS/vm$i.log" &
done
wait
{
	for i in "${!shards[@]}"; do
		echo "# debug VM $((i + 1)) of ${#shards[@]}: ${shards[$i]}"
		cat "$LOGS/vm$i.tap"
	done
	echo "# debug VMs ran for $(($(date +%s) - start)) s" \
		"(consoles: $DBG/vm*/console.log)"
} >>"$TAP"

# --- 4. coverage ---------------------------------------------------------------
"$ROOT/scripts/coverage.sh" --tap >>"$TAP" 2>&1
finish
