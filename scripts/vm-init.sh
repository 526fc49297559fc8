#!/bin/sh
# vm-init.sh - /init of the xtcp test VM (run by busybox sh as PID 1).
# Mounts the pseudo filesystems, brings up lo, then acts on the kernel
# command-line parameter xtcpmode=probe|test|demo|shell:
#   probe  print XTCP-PROBE-OK and power off (used to check that KVM works)
#   test   modprobe xtcp, run /selftests/run_tests.sh with its output on
#          /dev/ttyS1 (the TAP stream), append "ok/not ok - kernel log clean"
#          (dmesg/kmemleak check, and on a debug kernel: lockdep and
#          kmemleak still active), write the gcov data of modules built
#          with profiling (debug lane) to /dev/ttyS2 as base64 of a tar.gz
#          between XTCP-GCOV-BEGIN/XTCP-GCOV-END lines, append XTCP-VM-DONE,
#          power off
#   demo   modprobe xtcp, run /selftests/demo.sh on the console, power off
#   shell  modprobe xtcp, interactive shell on the console, power off on exit
# Optional: xtcpargs=a,b,c is passed to run_tests.sh as arguments "a b c";
# xtcpenv=NAME=VALUE (repeatable) is exported to the tests.
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
	# Without ACPI (a kernel built without it) power-off only halts; qemu
	# runs with -no-reboot, so a reboot ends it as well.
	[ -d /sys/firmware/acpi ] || reboot -f
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
	xtcpenv=*=*) export "${p#xtcpenv=}" ;;
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

# Regex of kernel-log lines that fail the "kernel log clean" check: the
# header lines of the kernel's reports.  A bare stack dump (dump_stack(),
# as printed for a failed allocation, which fault injection causes on
# purpose) is not a report, and its frames (lockdep_*, kmemleak_*) must
# not match: every checker's report has a header matched here.
BAD_RE='WARNING:|BUG:|Oops|general protection fault|kernel BUG|the locking correctness validator|possible circular locking|possible recursive locking|inconsistent lock state|KASAN|UBSAN|kmemleak: |refcount_t:|list_add corruption|list_del corruption|sleeping function called from invalid context|unreferenced object|stack-protector|INFO: task .* blocked for more than|detected stalls|soft lockup|hard LOCKUP|Kernel panic'

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

	# kmemleak: what boot left unreferenced is not the tests' doing.  A
	# scan reports it (objects older than 5 s: boot ended before that)
	# and "clear" then ignores every object reported so far.  Some boot
	# objects (ACPI's kmem_caches) only look unreferenced later, once
	# stale stack copies of their address are overwritten: the jiffies
	# value at the start tells them apart from the tests' allocations.
	jiffies0=""
	if [ -e /sys/kernel/debug/kmemleak ]; then
		sleep 5
		echo scan >/sys/kernel/debug/kmemleak 2>/dev/null
		echo clear >/sys/kernel/debug/kmemleak 2>/dev/null
		jiffies0=$(sed -n 's/^jiffies: *\([0-9]*\)$/\1/p' /proc/timer_list 2>/dev/null |
			head -n 1)
	fi
	# Keep the whole kernel log from here on, whatever a test does to the
	# ring buffer (dmesg -C): /dev/kmsg readers are not affected by it.
	cat /dev/kmsg >/tmp/kmsg.raw 2>/dev/null &
	kmsg_reader=$!
	kmsg "tests starting"

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
	checker_off=""
	if [ -e /sys/kernel/debug/kmemleak ]; then
		# Let RCU grace periods free what is pending; kmemleak does not
		# report objects younger than 5 s.
		sleep 6
		if ! echo scan >/sys/kernel/debug/kmemleak 2>/dev/null; then
			checker_off="kmemleak is disabled (see the log: memory pool empty?)"
		fi
		sleep 1
		echo scan >/sys/kernel/debug/kmemleak 2>/dev/null
		cat /sys/kernel/debug/kmemleak >/tmp/kmemleak.all 2>/dev/null
		# Split the reports: allocated before the tests started (boot,
		# ignored), a known leak of the kernel itself (ignored) or the
		# tests' and the module's (fail).  Known: Linux 6.1's
		# sysfs_slab_add() does not kobject_put() when
		# kobject_init_and_add() fails, leaking the cache's kobject name;
		# only an injected allocation failure inside kmem_cache_create()
		# gets there (xtcp_init_fault.sh).
		awk -v j0="${jiffies0:-0}" '
			function flush() {
				if (blk == "") return
				if (j != "" && j + 0 < j0 + 0) printf "%s", blk >"/tmp/kmemleak.boot"
				else if (blk ~ /kobject_init_and_add/ && blk ~ /sysfs_slab_add/) printf "%s", blk >"/tmp/kmemleak.known"
				else printf "%s", blk >"/tmp/kmemleak.test"
				blk = ""; j = ""
			}
			/^unreferenced object/ { flush() }
			{
				blk = blk $0 "\n"
				if (match($0, /jiffies [0-9]+/)) j = substr($0, RSTART + 8, RLENGTH - 8)
			}
			END { flush() }' /tmp/kmemleak.all
		leaks=$(cat /tmp/kmemleak.test 2>/dev/null)
		if [ -s /tmp/kmemleak.known ]; then
			echo "# kmemleak: $(grep -c '^unreferenced object' /tmp/kmemleak.known) object(s) leaked by sysfs_slab_add()'s error path (a Linux 6.1 bug reached by fault injection), ignored" >&3
		fi
		if [ -s /tmp/kmemleak.boot ]; then
			echo "# kmemleak: $(grep -c '^unreferenced object' /tmp/kmemleak.boot) object(s) allocated before the tests started (jiffies < $jiffies0), ignored:" >&3
			grep -E '^unreferenced object|^ *comm |\] [a-z_0-9.]+\+' /tmp/kmemleak.boot |
				head -n 40 | sed 's/^/#   /' >&3
		fi
	fi
	# lockdep turns itself off after its first report (or when it runs
	# out of entries): a report at boot would blind it for the tests.
	if [ -r /proc/lockdep_stats ] &&
		grep -q 'debug_locks: *0' /proc/lockdep_stats; then
		checker_off="${checker_off:+$checker_off; }lockdep is off (debug_locks=0): it reported something or ran out of entries"
	fi

	# Only the part of the log after "tests starting" is ours; boot-time
	# noise is reported as comments but does not fail the check.  The
	# /dev/kmsg records ("prio,seq,usec,flags;text") become dmesg lines.
	sleep 1
	kill "$kmsg_reader" 2>/dev/null
	awk '/^[0-9]+,[0-9]+,[0-9]+,/ {
		split(substr($0, 1, index($0, ";") - 1), h, ",")
		printf "[%5d.%06d] %s\n", h[3] / 1000000, h[3] % 1000000,
			substr($0, index($0, ";") + 1)
	}' /tmp/kmsg.raw >/tmp/dmesg.all 2>/dev/null
	grep -q 'xtcp-vm: tests starting' /tmp/dmesg.all ||
		dmesg >/tmp/dmesg.all 2>/dev/null
	# A test that provokes reports on purpose (xtcp_init_fault.sh's sweep)
	# judges them itself and brackets them with "xtcp-vm: fault sweep
	# starting" and "xtcp-vm: tests starting ..." lines: that window is
	# left out here (kmemleak and lockdep's state still cover it).
	awk '/xtcp-vm: tests starting/ { on = 1; skip = 0 }
		/xtcp-vm: fault sweep starting/ { skip = 1 }
		skip { n++; next }
		on { print }
		END { print n + 0 >"/tmp/dmesg.window" }' /tmp/dmesg.all >/tmp/dmesg.test
	if [ "$(cat /tmp/dmesg.window)" -gt 0 ]; then
		echo "# $(cat /tmp/dmesg.window) kernel log lines of a fault sweep window left to its test" >&3
	fi
	if [ ! -s /tmp/dmesg.test ]; then
		echo "# start marker not in the kernel log (log wrapped?): checking all of it" >&3
		cp /tmp/dmesg.all /tmp/dmesg.test
	fi
	# kmemleak's "N new suspected memory leaks" is judged from its file
	# above, where boot-time objects are told apart; its "Cannot allocate
	# a scan area" follows a failed allocation.  Failed allocations
	# (fault injection makes them on purpose) are listed, not judged.
	ALLOCFAIL_RE=': (page allocation failure|vmalloc error): |failed with error -12|could not .* -12|kmemleak: Cannot allocate a scan area'
	nallocfail=$(grep -cE "$ALLOCFAIL_RE" /tmp/dmesg.test)
	if [ "$nallocfail" -gt 0 ]; then
		echo "# $nallocfail failed-allocation message(s) in the kernel log (fault injection?), not judged; the first ones:" >&3
		grep -E "$ALLOCFAIL_RE" /tmp/dmesg.test | head -n 5 | sed 's/^/#   /' >&3
	fi
	grep -vE 'kmemleak: ([0-9]+ new suspected memory leaks|Cannot allocate a scan area)' \
		/tmp/dmesg.test >/tmp/dmesg.judged
	bad=$(grep -E "$BAD_RE" /tmp/dmesg.judged)
	boot_bad=$(awk '/xtcp-vm: tests starting/ { exit } 1' /tmp/dmesg.all | grep -E "$BAD_RE")
	if [ -n "$boot_bad" ]; then
		echo "# kernel log had suspicious lines before the tests started (ignored):" >&3
		printf '%s\n' "$boot_bad" | sed 's/^/#   /' >&3
	fi
	if [ -z "$bad" ] && [ -z "$leaks" ] && [ -z "$checker_off" ]; then
		echo "ok - kernel log clean" >&3
	else
		echo "not ok - kernel log clean" >&3
		[ -n "$checker_off" ] && echo "# $checker_off" >&3
		[ -n "$bad" ] && printf '%s\n' "$bad" | sed 's/^/# /' >&3
		[ -n "$leaks" ] && printf '%s\n' "$leaks" | sed 's/^/# kmemleak| /' >&3
		# full context for whoever debugs it
		echo "# ---- dmesg since the tests started (last 300 lines) ----" >&3
		tail -n 300 /tmp/dmesg.test | sed 's/^/# /' >&3
	fi
	dump_gcov
	echo "XTCP-VM-DONE" >&3
	# The last close of the tty waits for the UART to drain.
	exec 3>&-
}

# dump_gcov: hand the gcov data (.gcda) of profiled modules to the host on
# /dev/ttyS2.  debugfs reports the files' size as 0, so they are read with
# cat into /tmp first; their path below /sys/kernel/debug/gcov is the
# absolute path of the module's build directory on the host.  With the
# default gcov_persist=1 the data of an unloaded module is kept and added
# to by its next load, so this covers every load of the run.
dump_gcov() {
	g=/sys/kernel/debug/gcov
	[ -d "$g" ] || return 0
	[ -n "$(find "$g" -name '*.gcda' 2>/dev/null | head -n 1)" ] || {
		echo "# no gcov data in $g" >&3
		return 0
	}
	rm -rf /tmp/gcov
	find "$g" -name '*.gcda' | while read -r f; do
		rel=${f#"$g"}
		mkdir -p "/tmp/gcov$(dirname "$rel")"
		cat "$f" >"/tmp/gcov$rel"
	done
	if ! (exec 4>/dev/ttyS2) 2>/dev/null; then
		echo "# cannot open /dev/ttyS2: gcov data not handed over" >&3
		return 0
	fi
	(
		exec 4>/dev/ttyS2
		stty -F /dev/ttyS2 raw -echo 2>/dev/null
		echo XTCP-GCOV-BEGIN >&4
		tar -C /tmp/gcov -cf - . | gzip -c | base64 >&4
		echo XTCP-GCOV-END >&4
	)
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
