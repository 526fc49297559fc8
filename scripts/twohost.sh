#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# twohost.sh - the two-host lane: two VMs of the Debian kernel, each with
# its own xtcp.ko, joined by a virtual Ethernet link (a virtio-net NIC in
# each, on qemu's dgram netdev over a pair of Unix datagram sockets: no
# host network, no root needed, and either VM may boot first), run
# selftests/xtcp_twohost.sh, one as the server and one as the client.
# Prints both VMs' TAP (their unnumbered lines prefixed "server: " and
# "client: ": "kernel log clean", "vm completed"), then one line per VM
# saying whether every one of its 16 tests passed.
# Exit status 1 on any failure.
#
# Usage: scripts/twohost.sh --initrd FILE [--out DIR] [--timeout SECS]
#   --initrd  an initramfs with the selftests and the virtio_pci and
#             virtio_net modules (mkinitramfs.sh --kmod virtio_pci
#             --kmod virtio_net)
#   --out     logs: DIR/server and DIR/client hold each VM's console.log
#             and tap.out (default build/twohost)
#   --timeout each VM's limit, in seconds (default 600)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
INITRD=""
OUT="$ROOT/build/twohost"
TIMEOUT=600
# Tests of xtcp_twohost: 4 tests times tcp4, xtcp4, tcp6, xtcp6.
NTESTS=16
while [ $# -gt 0 ]; do
	case $1 in
	--initrd) INITRD=${2:?}; shift 2 ;;
	--out) OUT=${2:?}; shift 2 ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	*) echo "usage: scripts/twohost.sh --initrd FILE [--out DIR] [--timeout SECS]" >&2; exit 2 ;;
	esac
done
[ -f "$INITRD" ] || { echo "twohost.sh: initrd '$INITRD' not found" >&2; exit 2; }
mkdir -p "$OUT/server" "$OUT/client"

# The link's two ends: short paths (sun_path holds 108 bytes), fresh
# (qemu binds them), gone afterwards.
SOCKS=$(mktemp -d "${TMPDIR:-/tmp}/xtcp-twohost.XXXXXX") || exit 1
trap 'rm -rf "$SOCKS"' EXIT

# vm ROLE MYSOCK PEERSOCK MAC: one VM; its vm.sh output in OUT/ROLE.txt.
vm()
{
	# run_tests.sh ends the test before vm.sh's timeout ends the VM, so
	# that a hung side still gets its kernel log checked.
	"$ROOT/scripts/vm.sh" --mode test --initrd "$INITRD" \
		--out "$OUT/$1" --timeout "$TIMEOUT" --args xtcp_twohost.sh \
		--append "xtcpenv=XTCP_TWOHOST_ROLE=$1 xtcpenv=XTCP_TEST_TIMEOUT=$((TIMEOUT - 90))" \
		--netdev "dgram,local.type=unix,local.path=$SOCKS/$2,remote.type=unix,remote.path=$SOCKS/$3" \
		--mac "$4" >"$OUT/$1.txt" 2>"$OUT/$1.err"
}

vm server s.sock c.sock 52:54:00:78:74:01 &
spid=$!
vm client c.sock s.sock 52:54:00:78:74:02 &
cpid=$!
wait "$spid"
src=$?
wait "$cpid"
crc=$?

rc=0
for role in server client; do
	echo "# two hosts: the $role VM"
	sed -E "s/^(not )?ok - /&$role: /" "$OUT/$role.txt"
	pass=$(sed -n 's/^# # Totals: pass:\([0-9]*\) .*/\1/p' "$OUT/$role.txt" | tail -n 1)
	if [ "${pass:-0}" -eq "$NTESTS" ]; then
		echo "ok - $role: $pass of $NTESTS two-host tests passed"
	else
		echo "not ok - $role: ${pass:-no} of $NTESTS two-host tests passed"
		rc=1
	fi
done
[ "$src" -eq 0 ] && [ "$crc" -eq 0 ] || rc=1
exit "$rc"
