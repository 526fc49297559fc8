# SPDX-License-Identifier: GPL-2.0
#
# TAP helpers for the xtcp shell selftests.  A test script sources this,
# calls check/check_fail for each assertion and ends with tap_end, which
# prints kselftest's "# Totals:" line and sets the exit status.

ip() { /usr/sbin/ip "$@"; }
tc() { /usr/sbin/tc "$@"; }
for _c in modprobe insmod rmmod lsmod; do
	if [ -x "/sbin/$_c" ]; then
		eval "$_c() { /sbin/$_c \"\$@\"; }"
	fi
done

_tap_n=0
_tap_pass=0
_tap_fail=0

# tap_plan N: announce N checks.
tap_plan()
{
	echo "TAP version 13"
	echo "1..$1"
}

# check DESC CMD...: passes when CMD exits 0.
check()
{
	_desc=$1
	shift
	_tap_n=$((_tap_n + 1))
	if "$@"; then
		_tap_pass=$((_tap_pass + 1))
		echo "ok $_tap_n $_desc"
	else
		_tap_fail=$((_tap_fail + 1))
		echo "not ok $_tap_n $_desc"
	fi
}

# check_fail DESC CMD...: passes when CMD exits non-zero.
check_fail()
{
	_desc=$1
	shift
	if "$@"; then
		check "$_desc" false
	else
		check "$_desc" true
	fi
}

# check_eq DESC WANT GOT
check_eq()
{
	if [ "$2" = "$3" ]; then
		check "$1" true
	else
		echo "# $1: want '$2', got '$3'"
		check "$1" false
	fi
}

# wait_for SECONDS CMD...: poll CMD every 50 ms until it succeeds.
wait_for()
{
	_limit=$(($1 * 20))
	shift
	while [ "$_limit" -gt 0 ]; do
		if "$@"; then
			return 0
		fi
		sleep 0.05
		_limit=$((_limit - 1))
	done
	return 1
}

# unload_xtcp: rmmod xtcp once no connection holds it (up to 120 s:
# connections earlier tests closed may still be finishing), after
# xtcp_diag.ko, which holds it too: a C test killed before its teardown
# leaves that one loaded.
unload_xtcp()
{
	rmmod xtcp_diag 2>/dev/null
	wait_for 120 sh -c '[ "$(cat /sys/module/xtcp/refcnt)" = 0 ]'
	rmmod xtcp
}

tap_end()
{
	echo "# Totals: pass:$_tap_pass fail:$_tap_fail xfail:0 xpass:0 skip:0 error:0"
	[ "$_tap_fail" -eq 0 ]
}
