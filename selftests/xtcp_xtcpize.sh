#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# xtcpize (tools/xtcpize): unmodified Debian programs run over xtcp.
# iperf3 server and client, socat at both ends and curl against busybox
# httpd (behind an xtcpized socat: busybox is static, LD_PRELOAD cannot
# reach it) move data over loopback; the xtcp and Linux TCP counters show
# which protocol carried each connection, exactly.  socat over IPv6 goes
# over xtcp as well.  Then the fallback: an unloaded module that cannot
# be loaded gives TCP and exactly one warning per process; the systemd
# drop-in of "xtcpize enable" is written and removed.
#
# iperf3 runs with -4, as it did before xtcp had IPv6.
#
# Starts and ends with xtcp loaded with its defaults.

cd "$(dirname "$0")" || exit 1
. ./lib.sh

XTCPIZE=./xtcpize
W=/tmp/xtcpize.t
LIM=120
MODPROBE_PATH=$(cat /proc/sys/kernel/modprobe)

[ "$(id -u)" = 0 ] || { echo "# needs root"; exit 4; }

cleanup()
{
	echo "$MODPROBE_PATH" >/proc/sys/kernel/modprobe
	modprobe xtcp 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
rm -rf "$W"
mkdir -p "$W/www"

xstat() { awk -v n="$1" '$1 == n { print $2 }' /proc/net/xtcp_stat; }
# tstat NAME: a Tcp counter of /proc/net/snmp (header line, value line).
tstat()
{
	awk -v n="$1" '$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == "Tcp:" { print $c[n] }' /proc/net/snmp
}
# listening FILE HEXPORT: a listener on that port in FILE (/proc/net/tcp's layout).
listening() { awk -v p=":$2" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' "$1" 2>/dev/null; }
loaded() { grep -q '^xtcp ' /proc/modules; }
not_loaded() { ! loaded; }
digest() { sha256sum "$1" | cut -d' ' -f1; }
# run_to OUT ERR CMD...: CMD with its stdout in OUT and stderr in ERR, within
# $LIM seconds (check's own TAP line must not go to OUT).
run_to()
{
	_out=$1
	_err=$2
	shift 2
	timeout $LIM "$@" >"$_out" 2>"$_err"
}
# snap: remember the open counters of both protocols.
snap()
{
	x_pas0=$(xstat PassiveOpens)
	x_act0=$(xstat ActiveOpens)
	t_pas0=$(tstat PassiveOpens)
	t_act0=$(tstat ActiveOpens)
}
# opens_eq DESC XTCP TCP: exactly XTCP passive and active opens on xtcp
# and TCP on Linux TCP since snap.
opens_eq()
{
	check_eq "$1: xtcp passive opens" "$2" $(($(xstat PassiveOpens) - x_pas0))
	check_eq "$1: xtcp active opens" "$2" $(($(xstat ActiveOpens) - x_act0))
	check_eq "$1: TCP passive opens" "$3" $(($(tstat PassiveOpens) - t_pas0))
	check_eq "$1: TCP active opens" "$3" $(($(tstat ActiveOpens) - t_act0))
}
# end_bytes SUM FILE: the bytes of end.SUM in iperf3's JSON output.
end_bytes()
{
	awk -v k="\"$1\":" '$1 == k { s = 1 } s && /"bytes":/ { gsub(/[^0-9]/, "", $2); print $2; exit }' "$2"
}
# sent_4mib DESC FILE: a client asked for -n 4194304 sent 4 MiB.
# iperf3 compares -n with what it sent between writes of its 128 KiB
# blocks, on nonblocking sockets whose writes a full send buffer cuts
# short, so the client may end up to a whole block past -n (over Linux
# TCP too; seen: 4 MiB + 128 KiB exactly).  What the server counts
# is no check: it stops counting when the client's end of test reaches
# it over the control connection, data still in flight or not.
sent_4mib()
{
	sent=$(end_bytes sum_sent "$2")
	echo "# $1 sent $sent bytes, the server counted $(end_bytes sum_received "$2")"
	check "$1 sent 4 MiB" test "${sent:-0}" -ge 4194304 -a "${sent:-0}" -le 4325376
}

tap_plan 62

for p in iperf3 socat curl; do
	check "$p is in the VM" test -x /usr/bin/$p
done
check_eq "xtcpize --help" "Usage: xtcpize run PROGRAM [ARGS...]" \
	"$($XTCPIZE --help | head -n 1)"
check_fail "xtcpize without a command fails" run_to /dev/null /dev/null $XTCPIZE
loaded || modprobe xtcp
check_eq "protocol parameter" 253 "$(cat /sys/module/xtcp/parameters/protocol)"

head -c 2097152 /dev/urandom >"$W/in"
head -c 1048576 /dev/urandom >"$W/www/blob"

# --- iperf3 over xtcp: 4 MiB, TCP_NODELAY (-N) and TCP_CONGESTION (-C) ---
snap
timeout $LIM $XTCPIZE run iperf3 -4 -s -B 127.0.0.1 -p 5201 -1 -J \
	>"$W/ips.json" 2>"$W/ips.err" &
srv=$!
check "iperf3 server listens on xtcp" wait_for 30 listening /proc/net/xtcp 1451
check "iperf3 client exits 0" run_to "$W/ipc.json" "$W/ipc.err" \
	$XTCPIZE run iperf3 -4 -c 127.0.0.1 -p 5201 -n 4194304 -N -C reno -J
wait $srv
check_eq "iperf3 server exit status" 0 $?
sent_4mib "iperf3 client" "$W/ipc.json"
check_eq "iperf3 congestion control" '"reno"' \
	"$(awk '/"sender_tcp_congestion":/ { sub(/,$/, "", $2); print $2 }' "$W/ipc.json")"
check_eq "iperf3 printed nothing on stderr" "" "$(cat "$W/ips.err" "$W/ipc.err")"
# the control connection and one data stream
opens_eq "iperf3" 2 0

# --- socat at both ends: a 2 MiB file, protocol IPPROTO_TCP explicitly ---
snap
timeout $LIM $XTCPIZE run socat -u TCP4-LISTEN:5300,bind=127.0.0.1,reuseaddr \
	CREATE:"$W/out" 2>"$W/ss.err" &
srv=$!
check "socat listens on xtcp" wait_for 30 listening /proc/net/xtcp 14B4
check "socat client exits 0" run_to /dev/null "$W/sc.err" \
	$XTCPIZE run socat -u OPEN:"$W/in" TCP4:127.0.0.1:5300
wait $srv
check_eq "socat server exit status" 0 $?
check_eq "socat: the file arrived whole" "$(digest "$W/in")" "$(digest "$W/out")"
check_eq "socat printed nothing on stderr" "" "$(cat "$W/ss.err" "$W/sc.err")"
opens_eq "socat" 1 0

# --- curl against busybox httpd -i behind an xtcpized socat ---------------
snap
timeout $LIM $XTCPIZE run socat TCP4-LISTEN:8080,bind=127.0.0.1,reuseaddr \
	EXEC:"/bin/busybox httpd -i -h $W/www" 2>"$W/hs.err" &
srv=$!
check "httpd listens on xtcp" wait_for 30 listening /proc/net/xtcp 1F90
check "curl exits 0" run_to /dev/null "$W/curl.err" \
	$XTCPIZE run curl -sS --max-time 30 -o "$W/got" http://127.0.0.1:8080/blob
wait $srv
check_eq "httpd's socat exit status" 0 $?
check_eq "curl: the body arrived whole" "$(digest "$W/www/blob")" "$(digest "$W/got")"
opens_eq "curl" 1 0

# --- IPv6 goes over xtcp too, without a warning ---------------------------
snap
rm -f "$W/out"
timeout $LIM $XTCPIZE run socat -u TCP6-LISTEN:5400,bind="[::1]",reuseaddr \
	CREATE:"$W/out" 2>"$W/ss6.err" &
srv=$!
check "IPv6 socat listens on xtcp" wait_for 30 listening /proc/net/xtcp6 1518
check "IPv6 socat client exits 0" run_to /dev/null "$W/sc6.err" \
	$XTCPIZE run socat -u OPEN:"$W/in" TCP6:"[::1]":5400
wait $srv
check_eq "IPv6 socat server exit status" 0 $?
check_eq "IPv6: the file arrived whole" "$(digest "$W/in")" "$(digest "$W/out")"
check_eq "IPv6: no warning from the server" "" "$(cat "$W/ss6.err")"
check_eq "IPv6: no warning from the client" "" "$(cat "$W/sc6.err")"
opens_eq "IPv6" 1 0

# --- no module, no autoload: TCP and one warning per process ------------
WARN4="xtcpize: cannot open an IPv4 xtcp socket (protocol 253): Protocol not supported; using TCP"
unload_xtcp
check "xtcp unloaded" not_loaded
echo /bin/false >/proc/sys/kernel/modprobe
t_pas0=$(tstat PassiveOpens)
timeout $LIM $XTCPIZE run iperf3 -4 -s -B 127.0.0.1 -p 5202 -1 -J \
	>"$W/ips.json" 2>"$W/ips.err" &
srv=$!
check "fallback: iperf3 server listens on TCP" wait_for 30 listening /proc/net/tcp 1452
check "fallback: iperf3 client exits 0" run_to "$W/ipc.json" "$W/ipc.err" \
	$XTCPIZE run iperf3 -4 -c 127.0.0.1 -p 5202 -n 4194304 -J
wait $srv
check_eq "fallback: iperf3 server exit status" 0 $?
sent_4mib "fallback: iperf3 client" "$W/ipc.json"
# two sockets each (control and data), one warning each
check_eq "fallback: server's one warning" "$WARN4" "$(cat "$W/ips.err")"
check_eq "fallback: client's one warning" "$WARN4" "$(cat "$W/ipc.err")"
check_eq "fallback: TCP passive opens" 2 $(($(tstat PassiveOpens) - t_pas0))
check "fallback: xtcp still not loaded" not_loaded

# --- autoload: socket(AF_INET, SOCK_STREAM, 253) loads the module -------
echo "$MODPROBE_PATH" >/proc/sys/kernel/modprobe
rm -f "$W/out"
timeout $LIM $XTCPIZE run socat -u TCP4-LISTEN:5301,bind=127.0.0.1,reuseaddr \
	CREATE:"$W/out" 2>"$W/ss.err" &
srv=$!
check "autoload: socat listens on xtcp" wait_for 30 listening /proc/net/xtcp 14B5
check "autoload: socat client exits 0" run_to /dev/null "$W/sc.err" \
	$XTCPIZE run socat -u OPEN:"$W/in" TCP4:127.0.0.1:5301
wait $srv
check_eq "autoload: socat server exit status" 0 $?
check_eq "autoload: the file arrived whole" "$(digest "$W/in")" "$(digest "$W/out")"
check_eq "autoload: no warning" "" "$(cat "$W/ss.err" "$W/sc.err")"

# --- xtcpize enable/disable: a systemd drop-in, not an edit of the unit ---
SD=$W/systemd
lib=$(cd "$(dirname "$0")" && pwd)/libxtcpize.so
check "enable" env XTCPIZE_SYSTEMD_DIR=$SD $XTCPIZE enable iperf3
check_eq "drop-in contents" "# Written by \"xtcpize enable iperf3.service\"; \"xtcpize disable iperf3.service\" removes it.
[Service]
Environment=LD_PRELOAD=$lib" "$(cat "$SD/iperf3.service.d/xtcpize.conf")"
check "disable" env XTCPIZE_SYSTEMD_DIR=$SD $XTCPIZE disable iperf3.service
check "drop-in directory removed" test ! -e "$SD/iperf3.service.d"
check_fail "disable of a unit not enabled fails" env XTCPIZE_SYSTEMD_DIR=$SD \
	$XTCPIZE disable iperf3

tap_end
