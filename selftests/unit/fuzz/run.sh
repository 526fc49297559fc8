#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh OUTPUT TARGET...: build the libFuzzer targets into OUTPUT and run
# each for a bounded time from its seed corpus, printing one TAP line per
# target; exit 1 when any fails, or when clang cannot build fuzzers (the
# lane must not pass without fuzzing: scripts/deps.sh installs clang).
#
#   FUZZ_SECONDS     time per target (default 30)
#   XTCP_FUZZ_SEED   libFuzzer -seed (default: drawn now, and printed)
#
# libFuzzer writes what it finds to OUTPUT/corpus-TARGET, never to the
# seed corpus in the repository; a crash input to OUTPUT/crash-*.
set -u

out=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_SECONDS:-30}
seed=${XTCP_FUZZ_SEED:-$(($(date +%s) % 100000 + $$ % 1000 + 1))}
clang=${CLANG:-clang}
rc=0

mkdir -p "$out"
probe="$out/probe"
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return 0; }\n' >"$probe.c"
if ! "$clang" -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" \
	>"$probe.log" 2>&1; then
	sed 's/^/# /' "$probe.log" | tail -n 20
	echo "not ok - libfuzzer: $clang cannot build fuzzers" \
		"(scripts/deps.sh installs clang and libclang-rt-dev)"
	exit 1
fi
if ! make -C "$here" -s OUTPUT="$out" CLANG="$clang" all >"$out/build.log" 2>&1; then
	sed 's/^/# /' "$out/build.log" | tail -n 40
	echo "not ok - libfuzzer: targets build"
	exit 1
fi

for t in "$@"; do
	bin="$out/$t"
	log="$out/$t.log"
	work="$out/corpus-$t"
	rm -rf "$work" "$out/crash-$t-"* "$out/leak-$t-"* "$out/timeout-$t-"* \
		"$out/oom-$t-"*
	mkdir -p "$work"
	echo "# libfuzzer $t: seed $seed, $secs s, corpus selftests/unit/fuzz/corpus/$t"
	# A hang must end the lane too, not only a crash.
	timeout -k 10 $((secs + 120)) "$bin" -seed="$seed" \
		-max_total_time="$secs" -max_len=512 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$out/" \
		"$work" "$here/corpus/$t" >"$log" 2>&1
	st=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
	if [ "$st" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok - libfuzzer $t $secs s, $runs runs"
		continue
	fi
	rc=1
	crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	# The report, and the stack frames in xtcp's sources.
	grep -E 'check failed|ERROR:|SUMMARY:|runtime error|#[0-9]+ 0x[0-9a-f]+ in [a-z_0-9]+ /' \
		"$log" | head -n 30 | sed 's/^/# /'
	if [ -n "$crash" ] && [ -f "$crash" ]; then
		echo "# input ($(wc -c <"$crash") bytes, hex):" \
			"$(od -An -tx1 -v "$crash" | tr -d ' \n')"
		echo "# replay: $bin $crash"
		echo "# keep it: cp $crash $here/corpus/$t/"
	else
		tail -n 20 "$log" | sed 's/^/# /'
	fi
	echo "# rerun: XTCP_FUZZ_SEED=$seed FUZZ_SECONDS=$secs make -C selftests/unit/fuzz OUTPUT=$out run"
	echo "not ok - libfuzzer $t $secs s, exit $st${crash:+, input $crash}"
done
exit $rc
