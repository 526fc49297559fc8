#!/bin/bash
# vm.sh - boot the Debian kernel (or another one, --kernel) with an xtcp
# initramfs (scripts/mkinitramfs.sh) in qemu: 1 GiB (--mem), 2 vCPUs, no
# NIC (but see --netdev).  KVM is used only if a cached probe (build/kvm-probe) showed that it
# boots; otherwise TCG (-cpu max).
#
# Usage: scripts/vm.sh --mode test|demo|shell|probe --initrd FILE [--kver KVER]
#            [--kernel BZIMAGE] [--mem MIB] [--timeout SECS] [--out DIR]
#            [--accel auto|kvm|tcg] [--append "KERNEL ARGS"]
#            [--args "RUN_TESTS ARGS"] [--netdev OPTS [--mac MAC]]
#   test   ttyS0 -> OUT/console.log, ttyS1 (TAP) -> OUT/tap.out, ttyS2
#          (data the VM hands back, such as gcov files) -> OUT/data.out;
#          prints tap.out, then "ok - vm completed" or, if XTCP-VM-DONE is
#          missing (crash/panic/hang/timeout), the console tail and
#          "not ok - vm completed" and exits 1.  OUT defaults to build/vm,
#          timeout to 900 s; OUT is locked (flock OUT/.lock) while the VM runs.
#   demo   console on stdio, runs /selftests/demo.sh (timeout default 600 s);
#          ttyS2 (data: the demo's capture) -> OUT/data.out, OUT defaults
#          to build/demo
#   shell  interactive console on stdio (Ctrl-A x quits qemu; no timeout)
#   probe  re-run the KVM probe, refresh build/kvm-probe, print the result
# --netdev OPTS gives the VM a virtio-net NIC on qemu's "-netdev OPTS"
# (its id is added), with MAC address --mac (default 52:54:00:12:34:56;
# two VMs on one link need different ones); scripts/twohost.sh joins two
# VMs so.
# KVER defaults to the one the initrd was built for (etc/xtcp-kver in it);
# the kernel booted is /boot/vmlinuz-KVER unless --kernel names one (the
# debug lane's bzImage), which must then be that KVER's.
# Environment: XTCP_ACCEL=kvm|tcg|auto overrides --accel.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build"
PROBE_CACHE="$BUILD/kvm-probe"

usage() {
	cat >&2 <<'EOF'
usage: scripts/vm.sh --mode test|demo|shell|probe --initrd FILE [--kver KVER]
           [--kernel BZIMAGE] [--mem MIB] [--timeout SECS] [--out DIR]
           [--accel auto|kvm|tcg] [--append "KERNEL ARGS"]
           [--args "RUN_TESTS ARGS"] [--netdev OPTS [--mac MAC]]
EOF
	exit 2
}

MODE=""
INITRD=""
KVER=""
KERNEL=""
MEM=1024
TIMEOUT=""
OUT=""
ACCEL=${XTCP_ACCEL:-auto}
APPEND=""
TARGS=""
NETDEV=""
MAC=52:54:00:12:34:56
while [ $# -gt 0 ]; do
	case $1 in
	--mode) MODE=${2:?}; shift 2 ;;
	--initrd) INITRD=${2:?}; shift 2 ;;
	--kver) KVER=${2:?}; shift 2 ;;
	--kernel) KERNEL=${2:?}; shift 2 ;;
	--mem) MEM=${2:?}; shift 2 ;;
	--timeout) TIMEOUT=${2:?}; shift 2 ;;
	--out) OUT=${2:?}; shift 2 ;;
	--accel) ACCEL=${XTCP_ACCEL:-${2:?}}; shift 2 ;;
	--append) APPEND=${2?}; shift 2 ;;
	--args) TARGS=${2?}; shift 2 ;;
	--netdev) NETDEV=${2:?}; shift 2 ;;
	--mac) MAC=${2:?}; shift 2 ;;
	-h | --help) usage ;;
	*) echo "vm.sh: unknown argument: $1" >&2; usage ;;
	esac
done
case $MODE in test | demo | shell | probe) ;; *) usage ;; esac
case $ACCEL in auto | kvm | tcg) ;; *) echo "vm.sh: bad accel '$ACCEL'" >&2; usage ;; esac
[ -n "$INITRD" ] || usage
[ -f "$INITRD" ] || { echo "vm.sh: initrd $INITRD not found" >&2; exit 1; }
# The initramfs records the kernel its modules belong to (etc/xtcp-kver).
INITRD_KVER=$(gzip -dc "$INITRD" 2>/dev/null | cpio -i --quiet --to-stdout etc/xtcp-kver 2>/dev/null || true)
if [ -z "$KVER" ]; then
	KVER=${INITRD_KVER:-$("$ROOT/scripts/kver.sh")}
elif [ -n "$INITRD_KVER" ] && [ "$INITRD_KVER" != "$KVER" ]; then
	echo "vm.sh: $INITRD was built for $INITRD_KVER, not $KVER" >&2
	exit 1
fi
KERNEL=${KERNEL:-/boot/vmlinuz-$KVER}
[ -r "$KERNEL" ] || { echo "vm.sh: $KERNEL not readable" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "vm.sh: qemu-system-x86_64 missing (scripts/deps.sh --vm)" >&2; exit 1; }
mkdir -p "$BUILD"

BASE_APPEND="console=ttyS0 panic=-1 oops=panic printk.devkmsg=on log_buf_len=4M"
QEMU_BASE=(qemu-system-x86_64 -m "$MEM" -smp 2 -no-reboot -nodefaults
	-no-user-config -display none -nic none
	-kernel "$KERNEL" -initrd "$INITRD")
# Not in QEMU_BASE: the KVM probe must not take the NIC's socket.
QEMU_NET=()
if [ -n "$NETDEV" ]; then
	QEMU_NET=(-netdev "$NETDEV,id=n0"
		-device "virtio-net-pci,netdev=n0,mac=$MAC")
fi

# kvm_probe: boot the initrd in probe mode under KVM (20 s limit); 0 if OK.
kvm_probe() {
	local log="$BUILD/kvm-probe.log"
	if [ ! -w /dev/kvm ]; then
		echo "no usable /dev/kvm" >"$log"
		return 1
	fi
	rm -f "$log"
	timeout -k 5 20 "${QEMU_BASE[@]}" -accel kvm -cpu host \
		-serial "file:$log" -append "$BASE_APPEND quiet xtcpmode=probe" \
		</dev/null >/dev/null 2>&1 || true
	grep -q XTCP-PROBE-OK "$log" 2>/dev/null
}

# choose_accel: set QEMU_ACCEL from $ACCEL and the cached probe.
choose_accel() {
	local use=$ACCEL
	if [ "$use" = auto ]; then
		if [ ! -f "$PROBE_CACHE" ]; then
			echo "vm.sh: probing KVM (cached in $PROBE_CACHE)..." >&2
			if kvm_probe; then echo kvm >"$PROBE_CACHE"; else echo tcg >"$PROBE_CACHE"; fi
		fi
		use=$(cat "$PROBE_CACHE")
	fi
	if [ "$use" = kvm ]; then
		QEMU_ACCEL=(-accel kvm -cpu host)
	else
		QEMU_ACCEL=(-accel tcg -cpu max)
	fi
	ACCEL_USED=$use
}

if [ "$MODE" = probe ]; then
	start=$(date +%s)
	if kvm_probe; then
		echo kvm >"$PROBE_CACHE"
		echo "vm.sh: KVM works ($(($(date +%s) - start)) s); cached in $PROBE_CACHE"
	else
		echo tcg >"$PROBE_CACHE"
		echo "vm.sh: KVM does not work here, using TCG; cached in $PROBE_CACHE"
	fi
	exit 0
fi

choose_accel
CMDLINE="$BASE_APPEND xtcpmode=$MODE"
if [ -n "$TARGS" ]; then
	CMDLINE="$CMDLINE xtcpargs=$(printf '%s' "$TARGS" | tr -s ' ' ',')"
fi
case $MODE in
demo | shell) CMDLINE="$CMDLINE quiet" ;;
esac
[ -z "$APPEND" ] || CMDLINE="$CMDLINE $APPEND"

start=$(date +%s)
case $MODE in
test)
	OUT=${OUT:-$BUILD/vm}
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
	# Two VMs writing the same OUT would read each other's tap.out: lock it
	# (fd 9 is inherited by qemu, so the lock lives as long as the VM).
	exec 9>"$OUT/.lock"
	if ! flock -n 9; then
		echo "# $OUT is in use by another vm.sh run; use --out DIR"
		echo "not ok - vm completed"
		exit 1
	fi
	rm -f "$OUT/console.log" "$OUT/tap.out" "$OUT/data.out" "$OUT/qemu.log"
	echo "vm.sh: booting $KVER ($ACCEL_USED), logs in $OUT" >&2
	rc=0
	timeout -k 10 "${TIMEOUT:-900}" "${QEMU_BASE[@]}" "${QEMU_NET[@]}" "${QEMU_ACCEL[@]}" \
		-serial "file:$OUT/console.log" -serial "file:$OUT/tap.out" \
		-serial "file:$OUT/data.out" \
		-append "$CMDLINE" </dev/null >"$OUT/qemu.log" 2>&1 || rc=$?
	echo "vm.sh: VM finished in $(($(date +%s) - start)) s (qemu status $rc)" >&2
	touch "$OUT/tap.out" "$OUT/console.log"
	tr -d '\r' <"$OUT/tap.out"
	if tr -d '\r' <"$OUT/tap.out" | grep -q '^XTCP-VM-DONE$'; then
		echo "ok - vm completed"
		exit 0
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "# VM timed out after ${TIMEOUT:-900} s"
	fi
	echo "# last 60 lines of $OUT/console.log:"
	tail -n 60 "$OUT/console.log" | tr -d '\r' | sed 's/^/# console| /'
	if [ -s "$OUT/qemu.log" ]; then
		sed 's/^/# qemu: /' "$OUT/qemu.log"
	fi
	echo "not ok - vm completed"
	exit 1
	;;
demo)
	# ttyS2 is the data port, as in test mode: the demo's capture.
	OUT=${OUT:-$BUILD/demo}
	mkdir -p "$OUT"
	rm -f "$OUT/data.out"
	rc=0
	timeout --foreground -k 10 "${TIMEOUT:-600}" "${QEMU_BASE[@]}" "${QEMU_NET[@]}" "${QEMU_ACCEL[@]}" \
		-serial mon:stdio -serial null -serial "file:$OUT/data.out" \
		-append "$CMDLINE" || rc=$?
	echo "vm.sh: VM finished in $(($(date +%s) - start)) s (qemu status $rc)" >&2
	exit "$rc"
	;;
shell)
	echo "vm.sh: Ctrl-A x quits qemu, Ctrl-A h for help" >&2
	if [ -n "$TIMEOUT" ]; then
		exec timeout --foreground -k 10 "$TIMEOUT" "${QEMU_BASE[@]}" "${QEMU_NET[@]}" "${QEMU_ACCEL[@]}" \
			-serial mon:stdio -append "$CMDLINE"
	fi
	exec "${QEMU_BASE[@]}" "${QEMU_NET[@]}" "${QEMU_ACCEL[@]}" -serial mon:stdio -append "$CMDLINE"
	;;
esac
