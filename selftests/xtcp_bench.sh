#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make bench, inside the VM: every workload of xtcp_bench, over xtcp and
# over Linux TCP one after the other (which goes first alternates from
# round to round), for ROUNDS rounds (default 3); scale_tw, xtcp's
# figures with up to a million TIME_WAIT entries, runs once.  Prints one line per
# measurement, "BENCH WORKLOAD PROTO ROUND VALUE", for scripts/bench.sh to
# reduce to medians and ratios; a failed run prints "BENCH-FAIL ..." and
# makes the exit status 1.

cd "$(dirname "$0")" || exit 1
rounds=${XTCP_BENCH_ROUNDS:-3}
all="stream_lo stream_veth rr crr churn loss1 loss5 dup5 reorder25 jitter"
all="$all tbf20 lossy mem_sock mem_tw proc_tw scale_tw"
# XTCP_BENCH_WORKLOADS: a comma-separated subset of them.
workloads=$(echo "${XTCP_BENCH_WORKLOADS:-$all}" | tr , " ")
rc=0

echo "BENCH-KERNEL $(uname -r)"
r=1
while [ "$r" -le "$rounds" ]; do
	if [ $((r % 2)) = 1 ]; then order="xtcp tcp"; else order="tcp xtcp"; fi
	for w in $workloads; do
		for p in $order; do
			# xtcp at scale: once, xtcp alone (minutes).
			case $w in scale_*)
				[ "$r" = 1 ] && [ "$p" = xtcp ] || continue
			esac
			if v=$(./xtcp_bench "$w" "$p"); then
				# The first line is $w's value; a workload
				# may add rows of its own, "NAME VALUE".
				echo "$v" | {
					read -r x
					echo "BENCH $w $p $r $x"
					while read -r k x; do
						echo "BENCH $k $p $r $x"
					done
				}
			else
				echo "BENCH-FAIL $w $p $r"
				rc=1
			fi
		done
	done
	r=$((r + 1))
done
exit "$rc"
