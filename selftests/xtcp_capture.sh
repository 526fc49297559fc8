#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A capture of one xtcp connection (xtcp_pcap on lo, xtcp_tool talk):
# the capture holds exactly the segments xtcp received, and it is handed
# to the host on the VM's data port (/dev/ttyS2, base64 between
# "XTCP-PCAP-BEGIN xtcp_capture" and "XTCP-PCAP-END"), where make check
# reads it with tshark and scripts/xtcp.lua (scripts/pcap-check.sh):
# SYN, SYN-ACK, ACK.

cd "$(dirname "$0")" || exit 1
. ./lib.sh

W=/tmp/xtcp_capture.t
PORT=5010
CAP=

[ "$(id -u)" = 0 ] || { echo "# needs root"; exit 4; }

cleanup()
{
	[ -n "$CAP" ] && kill "$CAP" 2>/dev/null && wait "$CAP" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
rm -rf "$W"
mkdir -p "$W"

xstat() { awk -v n="$1" '$1 == n { print $2 }' /proc/net/xtcp_stat; }
# settled: no socket of the connection is left but the TIME_WAIT one.
settled()
{
	awk -v p=":$(printf '%04X' $PORT)" '
		(substr($2, length($2) - 4) == p || substr($3, length($3) - 4) == p) &&
		$4 != "06" { f = 1 } END { exit f }' /proc/net/xtcp
}

tap_plan 5

modprobe xtcp 2>/dev/null
in0=$(xstat InSegs)
./xtcp_pcap lo 253 "$W/xtcp.pcap" "$W/ready" 120 >"$W/count" 2>"$W/err" &
CAP=$!
check "capture started" wait_for 30 test -e "$W/ready"
check "one connection" timeout 30 ./xtcp_tool talk 253 $PORT
check "connection closed" wait_for 10 settled
in1=$(xstat InSegs)
kill -TERM "$CAP"
wait "$CAP"
check_eq "capture exit status" 0 "$?"
CAP=
[ -s "$W/err" ] && sed 's/^/# /' "$W/err"
check_eq "captured segments = segments xtcp received" $((in1 - in0)) \
	"$(cat "$W/count")"

if (exec 4>/dev/ttyS2) 2>/dev/null; then
	stty -F /dev/ttyS2 raw -echo 2>/dev/null
	{
		echo "XTCP-PCAP-BEGIN xtcp_capture"
		base64 "$W/xtcp.pcap"
		echo "XTCP-PCAP-END"
	} >/dev/ttyS2
	echo "# capture handed to the host on /dev/ttyS2"
else
	echo "# no /dev/ttyS2: capture not handed to the host"
fi

tap_end
