#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pcap-check.sh: check that tshark reads a capture of xtcp (IP protocol
# 253) as TCP, once with the Lua plugin scripts/xtcp.lua and once with
# "-d ip.proto==253,tcp": its first three segments must be SYN, SYN-ACK
# and ACK of one connection; without either, tshark must see no TCP in
# it (every packet is of protocol 253).  Prints the decoded segments.
#
# Usage: scripts/pcap-check.sh [--extract DATA NAME] FILE.pcap
#   --extract  first write FILE.pcap from DATA, a VM's data port output
#              (build/vm/data.out), base64 between "XTCP-PCAP-BEGIN NAME"
#              and "XTCP-PCAP-END"
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)

die()
{
	echo "pcap-check.sh: $*" >&2
	exit 1
}

DATA=""
NAME=""
if [ "${1:-}" = --extract ]; then
	DATA=${2:?}
	NAME=${3:?}
	shift 3
fi
[ $# -eq 1 ] || die "usage: pcap-check.sh [--extract DATA NAME] FILE.pcap"
PCAP=$1
command -v tshark >/dev/null || die "tshark missing (scripts/deps.sh --eco)"

if [ -n "$DATA" ]; then
	[ -f "$DATA" ] || die "$DATA not found"
	mkdir -p "$(dirname "$PCAP")"
	tr -d '\r' <"$DATA" | awk -v n="XTCP-PCAP-BEGIN $NAME" '
		$0 == "XTCP-PCAP-END" { on = 0 } on { print } $0 == n { on = 1 }' |
		base64 -d >"$PCAP" || die "no valid capture $NAME in $DATA"
fi
[ -s "$PCAP" ] || die "$PCAP is missing or empty"

# decode ARGS...: "flags srcport dstport" of each TCP segment in $PCAP.
decode()
{
	local out
	# tshark warns on stderr when run as root; keep it for errors only.
	out=$(tshark -n -r "$PCAP" "$@" -Y tcp -T fields -e tcp.flags \
		-e tcp.srcport -e tcp.dstport 2>"$PCAP.err") ||
		{ cat "$PCAP.err" >&2; return 1; }
	rm -f "$PCAP.err"
	printf '%s\n' "$out"
}

# first3 LINES: the first three segments, "SYN SYN-ACK ACK" if they open
# one connection (ports mirrored, the same client port in SYN and ACK).
first3()
{
	awk -F'\t' '
		function name(f) {
			return f == "0x0002" ? "SYN" : f == "0x0012" ? "SYN-ACK" : f == "0x0010" ? "ACK" : f
		}
		NR == 1 { s = $2; d = $3; out = name($1) }
		NR == 2 { out = out " " name($1); if ($2 != d || $3 != s) bad = 1 }
		NR == 3 { out = out " " name($1); if ($2 != s || $3 != d) bad = 1; exit }
		END { print out (bad ? " (not one connection)" : "") }' <<<"$1"
}

# Without help tshark must not see TCP at all: the capture is xtcp's.
all=$(tshark -n -r "$PCAP" -T fields -e ip.proto 2>"$PCAP.err") ||
	{ cat "$PCAP.err" >&2; exit 1; }
rm -f "$PCAP.err"
n_all=$(grep -c . <<<"$all" || true)
n_xtcp=$(grep -cx 253 <<<"$all" || true)
rc=0
if [ "$n_all" -gt 0 ] && [ "$n_xtcp" = "$n_all" ] && [ -z "$(decode)" ]; then
	echo "pcap-check.sh: $PCAP: $n_all packets, all of IP protocol 253, none read as TCP by default"
else
	echo "pcap-check.sh: $PCAP: $n_all packets, $n_xtcp of IP protocol 253 (want all, and none read as TCP by default)"
	rc=1
fi
for mode in lua decode-as; do
	if [ $mode = lua ]; then
		segs=$(decode -X "lua_script:$ROOT/scripts/xtcp.lua") || exit 1
	else
		segs=$(decode -d ip.proto==253,tcp) || exit 1
	fi
	got=$(first3 "$segs")
	n=$(grep -c . <<<"$segs" || true)
	if [ "$got" = "SYN SYN-ACK ACK" ]; then
		echo "pcap-check.sh: $PCAP ($mode): $n TCP segments, the first $got"
	else
		echo "pcap-check.sh: $PCAP ($mode): $n TCP segments, the first: '$got'," \
			"not SYN SYN-ACK ACK"
		rc=1
	fi
done
[ $rc -ne 0 ] || tshark -n -r "$PCAP" -X "lua_script:$ROOT/scripts/xtcp.lua" 2>/dev/null
exit $rc
