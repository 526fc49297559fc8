#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM for `make demo` (installed there as
# /selftests/demo.sh): xtcp is loaded.  One real connection -- handshake,
# a little data each way, the close from both sides and TIME_WAIT -- is
# traced through xtcp's tracepoints and drawn as a ladder diagram, and
# captured (xtcp_pcap) for the host to read with tshark.

cd "$(dirname "$0")" || exit 1

section() { printf '\n=== %s\n' "$*"; }

T=/sys/kernel/tracing
[ -d "$T/events" ] || T=/sys/kernel/debug/tracing
PORT=5000

section "xtcp module"
grep '^xtcp ' /proc/modules
for p in /sys/module/xtcp/parameters/*; do
	echo "parameter $(basename "$p") = $(cat "$p")"
done
for s in /proc/sys/net/xtcp/*; do
	echo "sysctl net.xtcp.$(basename "$s") = $(cat "$s")"
done

# A short MSL so that TIME_WAIT ends within the demo: 2*MSL = 1 s.
echo 500 >/proc/sys/net/xtcp/msl_ms

section "a listening socket in /proc/net/xtcp (st 0A = LISTEN)"
./xtcp_tool hold 253 $PORT /tmp/demo.ready &
holder=$!
while [ ! -e /tmp/demo.ready ]; do sleep 0.1; done
cat /proc/net/xtcp
kill $holder
wait $holder 2>/dev/null

section "one connection: client 127.0.0.1 -> server 127.0.0.1:$PORT"
echo 0 >"$T/tracing_on"
echo >"$T/trace"
echo 1 >"$T/events/xtcp/enable"
echo 1 >"$T/tracing_on"
# and captured on lo (xtcp_pcap: the VM has no tcpdump), for the host
rm -f /tmp/demo.pcap /tmp/demo.cap
./xtcp_pcap lo 253 /tmp/demo.pcap /tmp/demo.cap 60 >/tmp/demo.count &
capture=$!
while [ ! -e /tmp/demo.cap ]; do sleep 0.1; done
./xtcp_tool talk 253 $PORT
echo "connection closed; TIME_WAIT on the client side:"
grep ' 06 ' /proc/net/xtcp
sleep 1.5
echo 0 >"$T/tracing_on"
echo 0 >"$T/events/xtcp/enable"
kill $capture
wait $capture
# The data port (ttyS2) takes the capture to the host: build/demo/xtcp.pcap.
if [ -s /tmp/demo.pcap ] && (exec 4>/dev/ttyS2) 2>/dev/null; then
	stty -F /dev/ttyS2 raw -echo 2>/dev/null
	{
		echo "XTCP-PCAP-BEGIN demo"
		base64 /tmp/demo.pcap
		echo "XTCP-PCAP-END"
	} >/dev/ttyS2
	echo "captured $(cat /tmp/demo.count) segments, handed to the host"
fi

section "ladder diagram, from the xtcp:xtcp_segment and xtcp:xtcp_state_change tracepoints"
awk -v sport=$PORT -f ./ladder.awk "$T/trace"

section "/proc/net/xtcp_stat"
cat /proc/net/xtcp_stat
