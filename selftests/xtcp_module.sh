#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Module life cycle: unload refused while a socket is open, nothing left
# behind after unload, autoload on socket(), the "protocol" parameter,
# and network namespace teardown with open sockets.
#
# Starts and ends with xtcp loaded with its defaults.

cd "$(dirname "$0")" || exit 1
. ./lib.sh

TOOL=./xtcp_tool
READY=/tmp/xtcp_module.ready
HOLDER=

[ "$(id -u)" = 0 ] || { echo "# needs root"; exit 4; }

cleanup()
{
	[ -n "$HOLDER" ] && kill "$HOLDER" 2>/dev/null && wait "$HOLDER" 2>/dev/null
	HOLDER=
	ip netns del xtcp_t1 2>/dev/null
	rm -f "$READY"
}
trap cleanup EXIT

loaded() { grep -q '^xtcp ' /proc/modules; }
not_loaded() { ! loaded; }
proto_param() { cat /sys/module/xtcp/parameters/protocol 2>/dev/null; }
gone() { [ ! -e "$1" ]; }
no_xtcp_in() { ! grep -q "$1" "$2"; }

# start_holder [netns]: a process with a listening xtcp socket open.
start_holder()
{
	rm -f "$READY"
	# Not through the ip() function: $! must be the holder itself.
	if [ -n "$1" ]; then
		/usr/sbin/ip netns exec "$1" $TOOL hold 253 5000 "$READY" &
	else
		$TOOL hold 253 5000 "$READY" &
	fi
	HOLDER=$!
	wait_for 10 test -e "$READY"
}

stop_holder()
{
	kill "$HOLDER" && wait "$HOLDER" 2>/dev/null
	HOLDER=
	return 0
}

tap_plan 36

# Connections that earlier tests closed may still be finishing (FIN
# retransmissions, FIN_WAIT2): give them time to release the module;
# xtcp_diag.ko, which holds it, goes first.
modprobe xtcp 2>/dev/null
rmmod xtcp_diag 2>/dev/null
wait_for 120 sh -c '[ "$(cat /sys/module/xtcp/refcnt)" = 0 ]'

check "xtcp is loaded" loaded
check_eq "default protocol is 253" 253 "$(proto_param)"
check "IPv6 proto in /proc/net/protocols" grep -q '^XTCPv6 ' /proc/net/protocols
check "/proc/net/xtcp6 exists" test -e /proc/net/xtcp6

# Unload is refused while a socket exists, then succeeds.
check "holder has a listening socket" start_holder
check "listener visible in /proc/net/xtcp" grep -q ':1388 00000000:0000 0A' /proc/net/xtcp
check_fail "rmmod refused with an open socket" rmmod xtcp
check "module still loaded" loaded
stop_holder
check "rmmod succeeds once the socket is closed" rmmod xtcp
check "/proc/net/xtcp removed" gone /proc/net/xtcp
check "/proc/net/xtcp6 removed" gone /proc/net/xtcp6
check "/proc/net/xtcp_stat removed" gone /proc/net/xtcp_stat
check "/proc/sys/net/xtcp removed" gone /proc/sys/net/xtcp
check "proto gone from /proc/net/protocols" no_xtcp_in '^XTCP ' /proc/net/protocols
check "socket slab destroyed" no_xtcp_in '^XTCP ' /proc/slabinfo
check "IPv6 proto gone from /proc/net/protocols" no_xtcp_in '^XTCPv6 ' /proc/net/protocols
check "IPv6 socket slab destroyed" no_xtcp_in '^XTCPv6 ' /proc/slabinfo

# socket(AF_INET, SOCK_STREAM, 253) loads the module through its alias.
check_eq "socket() autoloads xtcp" ok "$($TOOL socket 253)"
check "module loaded by the alias" loaded
check "rmmod after autoload" rmmod xtcp

# The protocol parameter moves xtcp to another number.
check "load with protocol=254" modprobe xtcp protocol=254
check_eq "parameter reads 254" 254 "$(proto_param)"
check_eq "socket with 254 works" ok "$($TOOL socket 254)"
check_eq "socket with 253 fails" EPROTONOSUPPORT "$($TOOL socket 253)"
rmmod xtcp
check_fail "protocol=6 (TCP) refused" modprobe xtcp protocol=6
check "refusal explained in the kernel log" \
	sh -c 'dmesg | grep -q "IP protocol 6 is already served"'
check_fail "protocol=0 refused" modprobe xtcp protocol=0
check_fail "protocol=256 refused" modprobe xtcp protocol=256
check "nothing loaded after refusals" not_loaded

# Namespace teardown while a socket in it is open.
modprobe xtcp
ip netns add xtcp_t1
ip -n xtcp_t1 link set lo up
check "holder listening inside a namespace" start_holder xtcp_t1
ip netns del xtcp_t1
stop_holder
check "rmmod after namespace teardown" wait_for 10 rmmod xtcp
check "default load again" modprobe xtcp

# TIME_WAIT entries pin nothing: unload and namespace exit drain them.
tw_entries() { grep -c ' 06 ' /proc/net/xtcp; }
check "50 connections leave 50 TIME_WAIT entries" \
	sh -c "$TOOL cycle 253 5001 50 && [ \$(grep -c ' 06 ' /proc/net/xtcp) = 50 ]"
check "rmmod with entries on the wheel" rmmod xtcp
modprobe xtcp
ip netns add xtcp_t2
ip -n xtcp_t2 link set lo up
check "TIME_WAIT entries in a namespace" \
	/usr/sbin/ip netns exec xtcp_t2 $TOOL cycle 253 5001 20
ip netns del xtcp_t2
check "rmmod after that namespace is gone" wait_for 10 rmmod xtcp
modprobe xtcp

tap_end
