#!/bin/sh
# vm-init.sh - /init of the xtcp test VM (run by busybox sh as PID 1).
# Mounts the pseudo filesystems, brings up lo, then acts on the kernel
# command-line parameter xtcpmode=probe|test|demo|shell:
#   probe  print XTCP-PROBE-OK and power off (used to check that KVM works)
#   test   modprobe xtcp, run /selftests/run_tests.sh with its output on
#          /dev/ttyS1 (the TAP stream), append "ok/not ok - kernel log clean"
#          (dmesg/kmemleak check) and XTCP-VM-DONE, power off
#   demo   modprobe xtcp, run /selftests/demo.sh on the console, power off
#   shell  modprobe xtcp, interactive shell on the console, power off on exit
# Optional: xtcpargs=a,b,c is passed to run_tests.sh as arguments "a b c".
# Never exits: PID 1 exiting would panic the kernel.

export PATH=/usr/sbin:/sbin:/usr/bin:/bin
export HOME=/root TERM=linux
umask 022

# busybox sh runs its own applets before searching PATH; route these names
# to iproute2 and kmod explicitly.
ip() { /usr/sbin/ip "$@"; }
tc() { /usr/sbin/tc "$@"; }
modprobe() { /sbin/modprobe "$@"; }
insmod() { /sbin/insmod "$@"; }
rmmod() { /sbin/rmmod "$@"; }
lsmod() { /sbin/lsmod "$@"; }
modinfo() { /sbin/modinfo "$@"; }

die_poweroff() {
	sync
	sleep 1
	poweroff -f
	# not reached unless poweroff failed
	while :; do sleep 3600; done
}

mkdir -p /proc /sys /dev /tmp /run
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/netns /var/run 2>/dev/null
[ -d /sys/kernel/debug ] && mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -d /sys/kernel/tracing ] && mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
[ -d /sys/fs/bpf ] && mount -t bpf bpf /sys/fs/bpf 2>/dev/null
[ -d /sys/fs/cgroup ] && mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr

hostname xtcp-vm
ip link set lo up

mode=shell
args=""
# Unknown dot-less parameters would also reach init's environment, but
# /proc/cmdline is the reliable source.
read -r cmdline </proc/cmdline
for p in $cmdline; do
	case $p in
	xtcpmode=*) mode=${p#xtcpmode=} ;;
	xtcpargs=*) args=$(printf '%s' "${p#xtcpargs=}" | tr ',' ' ') ;;
	esac
done

kmsg() {
	echo "xtcp-vm: $*" >/dev/kmsg 2>/dev/null
}

# Load xtcp if this initramfs carries it; prints the error on failure.
load_xtcp() {
	if [ -n "$(find "/lib/modules/$(uname -r)" -name 'xtcp.ko*' 2>/dev/null)" ]; then
		modprobe xtcp
	else
		echo "xtcp-vm: no xtcp.ko in this initramfs" >&2
		return 2
	fi
}

# Regex of kernel-log lines that fail the "kernel log clean" check.
BAD_RE='WARNING:|BUG:|Oops|general protection fault|lockdep|possible circular locking|possible recursive locking|inconsistent lock state|KASAN|UBSAN|kmemleak|refcount_t:|Call Trace|list_add corruption|list_del corruption|sleeping function called from invalid context|unreferenced object|stack-protector'

run_test_mode() {
	# TAP stream on the second serial port; raw so lines end in \n, not \r\n.
	# (a failing `exec` redirection would make PID 1 exit: try it in a subshell)
	if (exec 3>/dev/ttyS1) 2>/dev/null; then
		exec 3>/dev/ttyS1
		stty -F /dev/ttyS1 raw -echo 2>/dev/null
	else
		echo "xtcp-vm: cannot open /dev/ttyS1; TAP goes to the console" >&2
		exec 3>&1
	fi

	kmsg "tests starting"
	if [ -e /sys/kernel/debug/kmemleak ]; then
		echo clear >/sys/kernel/debug/kmemleak 2>/dev/null
	fi

	if [ -n "$(find "/lib/modules/$(uname -r)" -name 'xtcp.ko*' 2>/dev/null)" ]; then
		if out=$(load_xtcp 2>&1); then
			echo "ok - modprobe xtcp" >&3
		else
			echo "not ok - modprobe xtcp" >&3
			printf '%s\n' "$out" | sed 's/^/# /' >&3
		fi
	else
		echo "# no xtcp.ko in the initramfs, not loading it" >&3
	fi

	if [ -x /selftests/run_tests.sh ]; then
		# shellcheck disable=SC2086 # $args is a space-separated list
		(cd /selftests && exec ./run_tests.sh $args) >&3 2>&3 </dev/null
		rc=$?
		echo "# run_tests.sh exited with status $rc" >&3
	else
		echo "not ok - /selftests/run_tests.sh is missing" >&3
	fi
	kmsg "tests finished"

	leaks=""
	if [ -e /sys/kernel/debug/kmemleak ]; then
		sleep 2 # let RCU grace periods free what is pending
		echo scan >/sys/kernel/debug/kmemleak 2>/dev/null
		sleep 1
		echo scan >/sys/kernel/debug/kmemleak 2>/dev/null
		leaks=$(cat /sys/kernel/debug/kmemleak 2>/dev/null)
	fi

	# Only the part of the log after "tests starting" is ours; boot-time
	# noise is reported as comments but does not fail the check.
	dmesg >/tmp/dmesg.all 2>/dev/null
	awk '/xtcp-vm: tests starting/ { on = 1 } on' /tmp/dmesg.all >/tmp/dmesg.test
	if [ ! -s /tmp/dmesg.test ]; then
		echo "# start marker not in the kernel log (log wrapped?): checking all of it" >&3
		cp /tmp/dmesg.all /tmp/dmesg.test
	fi
	bad=$(grep -E "$BAD_RE" /tmp/dmesg.test)
	boot_bad=$(awk '/xtcp-vm: tests starting/ { exit } 1' /tmp/dmesg.all | grep -E "$BAD_RE")
	if [ -n "$boot_bad" ]; then
		echo "# kernel log had suspicious lines before the tests started (ignored):" >&3
		printf '%s\n' "$boot_bad" | sed 's/^/#   /' >&3
	fi
	if [ -z "$bad" ] && [ -z "$leaks" ]; then
		echo "ok - kernel log clean" >&3
	else
		echo "not ok - kernel log clean" >&3
		[ -n "$bad" ] && printf '%s\n' "$bad" | sed 's/^/# /' >&3
		[ -n "$leaks" ] && printf '%s\n' "$leaks" | sed 's/^/# kmemleak| /' >&3
		# full context for whoever debugs it
		echo "# ---- dmesg since the tests started (last 300 lines) ----" >&3
		tail -n 300 /tmp/dmesg.test | sed 's/^/# /' >&3
	fi
	echo "XTCP-VM-DONE" >&3
	# The last close of the tty waits for the UART to drain.
	exec 3>&-
}

case $mode in
probe)
	echo "XTCP-PROBE-OK"
	;;
test)
	run_test_mode
	;;
demo)
	load_xtcp
	if [ -x /selftests/demo.sh ]; then
		# shellcheck disable=SC2086 # $args is a space-separated list
		(cd /selftests && exec ./demo.sh $args)
		echo "xtcp-vm: demo.sh exited with status $?"
	else
		echo "xtcp-vm: /selftests/demo.sh not found"
	fi
	;;
shell)
	load_xtcp
	echo
	echo "=== xtcp VM shell (kernel $(uname -r)) ==="
	echo "iproute2: /usr/sbin/ip, /usr/sbin/tc; kmod: /sbin/modprobe etc."
	echo "(this shell has ip/tc/modprobe/... wrappers from /etc/profile;"
	echo " other busybox sh scripts must use full paths or source it)"
	echo "tests: /selftests; 'exit' or Ctrl-D powers the VM off."
	ENV=/etc/profile setsid cttyhack sh
	;;
*)
	echo "xtcp-vm: unknown xtcpmode=$mode" >&2
	;;
esac

die_poweroff
