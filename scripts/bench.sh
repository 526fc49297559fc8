#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: xtcp against Linux TCP in one boot of the test VM.  Builds
# xtcp.ko and the tools for the VM's kernel, runs selftests/xtcp_bench.sh
# there (each workload alternately over both protocols, 3 rounds, or
# XTCP_BENCH_ROUNDS; XTCP_BENCH_WORKLOADS=a,b runs only those;
# XTCP_BENCH_TS=0 or 1 turns timestamps off or on for both protocols,
# XTCP_BENCH_CC=reno sets both to reno (default: cubic, Linux's);
# XTCP_BENCH_MEM is the VM's memory in MiB, 1024 by default, which a
# million TIME_WAIT entries, 74 MB, leave room enough), then
# prints the medians, the ratio xtcp/TCP and the
# issue's target for each, with the date and kernel.  The raw
# measurements stay in build/bench/tap.out.  Not part of make check: the
# numbers are compared with each other, never with fixed values, as the
# VM may run under an emulated CPU.

set -euo pipefail
. "$(dirname "$0")/common.sh"

OUT="$BUILD/bench"
mkdir -p "$OUT"
xtcp_prepare
xtcp_build_module >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }
xtcp_build_tests "$BUILD/tests" >"$OUT/tests.log" 2>&1 ||
	{ cat "$OUT/tests.log"; exit 1; }
xtcp_initramfs "$BUILD/tests" "$BUILD/initramfs.cpio.gz" >/dev/null
echo "bench: booting the VM; about 15 minutes under TCG" >&2
"$ROOT/scripts/vm.sh" --mode test --initrd "$BUILD/initramfs.cpio.gz" \
	--out "$OUT" --timeout 4800 --mem "${XTCP_BENCH_MEM:-1024}" \
	--args xtcp_bench.sh \
	--append "xtcpenv=XTCP_TEST_TIMEOUT=4600 xtcpenv=XTCP_BENCH_ROUNDS=${XTCP_BENCH_ROUNDS:-3} ${XTCP_BENCH_TW:+xtcpenv=XTCP_BENCH_TW=$XTCP_BENCH_TW} ${XTCP_BENCH_CHURN_SECS:+xtcpenv=XTCP_BENCH_CHURN_SECS=$XTCP_BENCH_CHURN_SECS} ${XTCP_BENCH_SCALE_N:+xtcpenv=XTCP_BENCH_SCALE_N=$XTCP_BENCH_SCALE_N} ${XTCP_BENCH_SCALE_SECS:+xtcpenv=XTCP_BENCH_SCALE_SECS=$XTCP_BENCH_SCALE_SECS} ${XTCP_BENCH_WORKLOADS:+xtcpenv=XTCP_BENCH_WORKLOADS=$XTCP_BENCH_WORKLOADS} ${XTCP_BENCH_TS:+xtcpenv=XTCP_BENCH_TS=$XTCP_BENCH_TS} ${XTCP_BENCH_CC:+xtcpenv=XTCP_BENCH_CC=$XTCP_BENCH_CC}" \
	>"$OUT/vm.tap" || true

status=0
grep -q '^# BENCH-FAIL' "$OUT/vm.tap" && status=1
grep -q '^not ok' "$OUT/vm.tap" && status=1
sed -n 's/^# BENCH-FAIL /failed run: /p' "$OUT/vm.tap" >&2

# Medians of each (workload, protocol), then one row per workload.
sed -n 's/^# BENCH //p' "$OUT/vm.tap" | awk -v date="$(date -u +%Y-%m-%d)" \
	-v kernel="$(sed -n 's/^# BENCH-KERNEL //p' "$OUT/vm.tap")" \
	-v accel="$(cat "$BUILD/kvm-probe" 2>/dev/null || echo tcg)" '
	function median(k,    n, i, j, t, v) {
		n = split(vals[k], v, " ")
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{
		vals[$1 " " $2] = vals[$1 " " $2] " " $4
		rounds[$1 " " $2]++
	}
	END {
		split("stream_lo stream_veth rr crr churn churn_first5 " \
		      "churn_last5 churn_step churn_tw loss1 loss5 dup5 " \
		      "reorder25 jitter tbf20 lossy mem_sock mem_tw proc_tw", ws, " ")
		split("loss1 loss5 dup5 reorder25 jitter tbf20", ec, " ")
		for (i = 1; i in ec; i++) {
			unit[ec[i]] = "s (2 MiB)"
			goal[ec[i]] = "<= 1.1"
		}
		unit["stream_lo"] = "MB/s"; unit["stream_veth"] = "MB/s"
		unit["rr"] = "trans/s"; unit["crr"] = "conn/s"
		unit["lossy"] = "s (8 MiB)"; unit["mem_sock"] = "bytes"
		unit["mem_tw"] = "bytes"; unit["proc_tw"] = "ns/line"
		unit["churn"] = "conn/s"; unit["churn_first5"] = "conn/s"
		unit["churn_last5"] = "conn/s"; unit["churn_step"] = "ratio"
		unit["churn_tw"] = "entries"
		goal["churn"] = ">= 1.0"; goal["churn_first5"] = "-"
		goal["churn_last5"] = ">= 1.0"; goal["churn_step"] = "xtcp >= 0.8"
		goal["churn_tw"] = "-"
		goal["stream_lo"] = ">= 0.8"; goal["stream_veth"] = ">= 0.8"
		goal["rr"] = ">= 0.9"; goal["crr"] = ">= 1.0"
		goal["lossy"] = "<= 1.1"; goal["mem_sock"] = "-"
		goal["mem_tw"] = "xtcp <= 72"; goal["proc_tw"] = "<= 1.5"
		for (k in rounds)
			if (rounds[k] > nr)
				nr = rounds[k]
		printf "xtcp vs Linux TCP, %s, kernel %s (%s), medians of %d rounds\n\n",
			date, kernel, accel, nr
		fmt = "%-12s %-10s %10s %10s %7s  %-10s %s\n"
		printf fmt, "workload", "unit", "xtcp", "tcp", "ratio", "target", "met"
		for (i = 1; i in ws; i++) {
			w = ws[i]
			if (!((w " xtcp") in vals) || !((w " tcp") in vals)) {
				printf fmt, w, unit[w], "-", "-", "-", goal[w], "no data"
				continue
			}
			x = median(w " xtcp"); t = median(w " tcp")
			ratio = t > 0 ? x / t : 0
			if (w == "mem_tw")
				met = x <= 72
			else if (w == "churn_step")
				met = x >= 0.8
			else if (goal[w] == "-")
				met = -1
			else if (substr(goal[w], 1, 2) == "<=")
				met = ratio <= substr(goal[w], 4) + 0
			else
				met = ratio >= substr(goal[w], 4) + 0
			row = sprintf(fmt, w, unit[w], x, t, sprintf("%.3f", ratio),
				goal[w], met < 0 ? "" : met ? "yes" : "NO")
			sub(/ +\n$/, "\n", row)
			printf "%s", row
		}
		if (!(("scale_entries xtcp") in vals))
			exit
		n = split("scale_entries entries|scale_fill_s s to make them|" \
			  "scale_mem_mb MB of slab they took|" \
			  "scale_bytes_entry bytes an entry|" \
			  "scale_mem_mb_1m MB for 1M, hash included (goal <= 80)|" \
			  "scale_proc_ms ms to read /proc/net/xtcp|" \
			  "scale_proc_ns_line ns a line|" \
			  "scale_proc_ms_1m ms for 1M lines|" \
			  "scale_crr conn/s of crr meanwhile|" \
			  "scale_tick_max most entries a wheel tick handled|" \
			  "scale_tick_us longest wheel tick, us|" \
			  "scale_expire_s s from the first expiry to the last|" \
			  "scale_expire_lag_ms ms the last one expired late", sc, "|")
		printf "\nxtcp with many TIME_WAIT entries in one namespace " \
		       "(figures for 1M extrapolated linearly from the " \
		       "entries made)\n\n"
		for (i = 1; i <= n; i++) {
			split(sc[i], f, " ")
			d = substr(sc[i], length(f[1]) + 2)
			if ((f[1] " xtcp") in vals)
				printf "%-20s %12s  %s\n", f[1], median(f[1] " xtcp"), d
		}
	}' | tee "$OUT/table.txt"
exit "$status"
