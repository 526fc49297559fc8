#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM for `make demo` (installed there as
# /selftests/demo.sh): xtcp is loaded; open a listening socket and show
# what the kernel says about it.

cd "$(dirname "$0")" || exit 1

section() { printf '\n=== %s\n' "$*"; }

section "xtcp module"
grep '^xtcp ' /proc/modules
dmesg | grep 'xtcp:'
for p in /sys/module/xtcp/parameters/*; do
	echo "parameter $(basename "$p") = $(cat "$p")"
done
for s in /proc/sys/net/xtcp/*; do
	echo "sysctl net.xtcp.$(basename "$s") = $(cat "$s")"
done

section "socket(AF_INET, SOCK_STREAM, 253); bind 127.0.0.1:5000; listen()"
./xtcp_tool hold 253 5000 /tmp/demo.ready &
holder=$!
i=0
while [ ! -e /tmp/demo.ready ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done

section "/proc/net/xtcp (the layout of /proc/net/tcp; st 0A = LISTEN)"
cat /proc/net/xtcp

section "/proc/net/xtcp_stat"
cat /proc/net/xtcp_stat

section "unloading is refused while the socket is open"
/sbin/rmmod xtcp 2>&1 || true

kill $holder
wait $holder 2>/dev/null
section "socket closed: /proc/net/xtcp"
cat /proc/net/xtcp
section "rmmod xtcp"
/sbin/rmmod xtcp && echo "unloaded"
