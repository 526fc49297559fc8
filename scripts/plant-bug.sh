#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# plant-bug.sh - plant a known bug in a copy of xtcp's sources, to show
# that the debug lane catches it (XTCP_PLANT=KIND make check-debug must
# fail; scripts/check-debug.sh calls this on its copy in build/debug/src).
#
#   lockdep  a spinlock taken in softirq by xtcp_v4_rcv() and, with
#            softirqs enabled, by xtcp_listen(): lockdep reports an
#            inconsistent lock state once a test listens and receives
#            (xtcp_conn)
#   leak     a 64-byte kmalloc() in xtcp_listen() never freed: kmemleak
#            reports it (any test that listens, e.g. xtcp_basic)
#
# Usage: scripts/plant-bug.sh lockdep|leak SRCDIR
set -euo pipefail

kind=${1:?usage: plant-bug.sh lockdep|leak SRCDIR}
src=${2:?usage: plant-bug.sh lockdep|leak SRCDIR}

# plant FILE OLD NEW: replace the first OLD (a perl regex) by NEW (text)
# or fail.
plant() {
	OLD=$2 NEW=$3 perl -0pi -e \
		's/$ENV{OLD}/$ENV{NEW}/ or die "plant-bug.sh: no match in $ARGV\n"' \
		"$src/module/$1"
}

case $kind in
lockdep)
	plant xtcp_input.c '\n#include "xtcp_trace.h"\n' \
		$'\n#include "xtcp_trace.h"\n\nDEFINE_SPINLOCK(xtcp_planted_lock);\n'
	plant xtcp_input.c '\nint xtcp_v4_rcv\(struct sk_buff \*skb\)\n\{\n' \
		$'\nint xtcp_v4_rcv(struct sk_buff *skb)\n{\n\tspin_lock(&xtcp_planted_lock);\n\tspin_unlock(&xtcp_planted_lock);\n'
	plant xtcp_sock.c '\n#include "xtcp_trace.h"\n' \
		$'\n#include "xtcp_trace.h"\n\nextern spinlock_t xtcp_planted_lock;\n'
	plant xtcp_sock.c '\nstatic int xtcp_listen\(struct socket \*sock, int backlog\)\n\{\n' \
		$'\nstatic int xtcp_listen(struct socket *sock, int backlog)\n{\n\tspin_lock(&xtcp_planted_lock);\n\tspin_unlock(&xtcp_planted_lock);\n'
	;;
leak)
	plant xtcp_sock.c '\nstatic int xtcp_listen\(struct socket \*sock, int backlog\)\n\{\n' \
		$'\nstatic int xtcp_listen(struct socket *sock, int backlog)\n{\n\tvoid *planted_leak = kmalloc(64, GFP_KERNEL);\n\n\tif (planted_leak)\n\t\tmemset(planted_leak, 0x5a, 64);\n'
	;;
*)
	echo "plant-bug.sh: unknown bug '$kind' (lockdep or leak)" >&2
	exit 2
	;;
esac
