#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of xtcp, from a clean clone.
#
#  1. static checks: module build warning-free with W=1, sparse clean,
#     checkpatch --strict clean, kernel-doc clean, the state table of
#     Documentation/xtcp.rst the one module/xtcp_fsm.h generates; make
#     install and uninstall, a dkms build against the headers, the
#     xtcp-dkms .deb
#  2. userspace unit tests of the pure logic (ASan + UBSan)
#  3. the Debian lane: the selftests in a VM booting the Debian kernel the
#     module is built for, with a final check that the kernel log is clean,
#     and tshark reading the capture one of them made; it starts once the
#     module and the tests are built and runs beside 1 and 2
#  3b. the two-host lane (scripts/twohost.sh): two VMs of the Debian
#     kernel joined by a virtual link, a connection's handshake, bulk
#     data, half-close and TIME_WAIT between them, each VM's kernel log
#     checked
#  4. the debug lane (scripts/check-debug.sh, also `make check-debug`):
#     the same selftests on a kernel built from linux-source-6.1 with
#     KASAN, lockdep, kmemleak and gcov (cached outside the clone after
#     the first, slow, build), and the module's coverage; XTCP_DEBUG_LANE=0
#     leaves it out (a quicker run while developing)
#
# Each step writes TAP to build/results/*.tap; the last line printed is
# "N passed, N failed" for both lanes and the exit status is non-zero on
# any failure.

set -uo pipefail
. "$(dirname "$0")/common.sh"

RES="$BUILD/results"
rm -rf "$RES"
mkdir -p "$RES"

# tap_check FILE DESC LOG CMD...: one TAP line in FILE for CMD's success;
# CMD's output goes to LOG and, on failure, into FILE as diagnostics.
tap_check()
{
	local file=$1 desc=$2 log=$3
	shift 3
	if "$@" >"$log" 2>&1; then
		echo "ok - $desc" >>"$file"
	else
		sed 's/^/# /' "$log" | tail -n 80 >>"$file"
		echo "not ok - $desc" >>"$file"
	fi
}

# no_diagnostics LOG PATTERN CMD...: CMD succeeds and LOG has no PATTERN.
no_diagnostics()
{
	local log=$1 pattern=$2
	shift 2
	"$@" >"$log" 2>&1 || { cat "$log"; return 1; }
	if grep -E "$pattern" "$log"; then
		return 1
	fi
	return 0
}

summary()
{
	"$ROOT/scripts/tap-summary.sh" "$RES"/*.tap
}

STATIC="$RES/1-static.tap"
if ! xtcp_prepare 2>"$RES/deps.log"; then
	cat "$RES/deps.log"
	echo "not ok - dependencies installed" >"$STATIC"
	summary
	exit 1
fi
echo "# kernel $KVER, headers $KDIR" >>"$STATIC"

# On a fresh machine the debug kernel's cold build (about 12 minutes) is
# the slow part of make check: start it now, in the background and at a
# lower priority, so that it overlaps the static checks, the unit tests
# and the Debian lane.  check-debug.sh asks for it again and waits: runs
# of one cache key are serialised (debug-kernel.sh), and a kernel found
# in the cache makes this a no-op.
DK_BG=""
if [ "${XTCP_DEBUG_LANE:-1}" != 0 ]; then
	nice -n 10 "$ROOT/scripts/debug-kernel.sh" >/dev/null \
		2>"$RES/debug-kernel-early.log" &
	DK_BG=$!
fi

MOD_SOURCES=$(for f in "$ROOT"/module/*.[ch] "$ROOT"/include/uapi/linux/xtcp.h; do
	case $f in *.mod.c | *_trace.h) ;; *) echo "$f" ;; esac
done)
TRACE_HEADERS=$(ls "$ROOT"/module/*_trace.h)
TEST_SOURCES=$(ls "$ROOT"/selftests/*.[ch] "$ROOT"/selftests/unit/*.c \
	"$ROOT"/selftests/unit/fuzz/*.c "$ROOT"/tools/*/*.[ch])

make -C "$KDIR" M="$ROOT" clean >/dev/null 2>&1
tap_check "$STATIC" "module builds warning-free with W=1" "$RES/build.log" \
	no_diagnostics "$RES/build.W1.log" 'warning:|error:' \
	xtcp_build_module W=1
VMTAP="$RES/3-vm-debian.tap"
echo "# lane: debian (Debian's kernel $KVER)" >"$VMTAP"
TESTS_BUILT=""
if [ ! -f "$ROOT/module/xtcp.ko" ]; then
	echo "not ok - VM selftests (no module/xtcp.ko)" >>"$VMTAP"
elif ! xtcp_build_tests "$BUILD/tests" >"$RES/tests-build.log" 2>&1; then
	sed 's/^/# /' "$RES/tests-build.log" >>"$VMTAP"
	echo "not ok - selftests build" >>"$VMTAP"
elif ! xtcp_initramfs "$BUILD/tests" "$BUILD/initramfs.cpio.gz" \
		>"$RES/initramfs.log" 2>&1; then
	sed 's/^/# /' "$RES/initramfs.log" >>"$VMTAP"
	echo "not ok - initramfs build" >>"$VMTAP"
else
	TESTS_BUILT=1
fi
TWOTAP="$RES/3-vm-twohost.tap"
echo "# lane: twohost (two VMs of Debian's kernel $KVER on one link)" >"$TWOTAP"
if [ -z "$TESTS_BUILT" ]; then
	echo "not ok - two-host tests (no module or selftests: see 3-vm-debian.tap)" >>"$TWOTAP"
elif ! xtcp_initramfs "$BUILD/tests" "$BUILD/initramfs-twohost.cpio.gz" \
		--kmod virtio_pci --kmod virtio_net \
		>"$RES/initramfs-twohost.log" 2>&1; then
	sed 's/^/# /' "$RES/initramfs-twohost.log" >>"$TWOTAP"
	echo "not ok - two-host initramfs build" >>"$TWOTAP"
	TESTS_BUILT=debian
fi

# vm_lanes: the Debian lane, then the two-host lane (when its initramfs
# was built).  They run in the background, from here on, while the
# static checks and the unit tests use the host's cores at a lower
# priority: much of the Debian lane's time is its tests waiting on
# timers, so the two overlap almost entirely.
vm_lanes()
{
	[ -n "$TESTS_BUILT" ] || return 0
	# The lane takes 15 minutes under TCG; a hung test times out itself.
	"$ROOT/scripts/vm.sh" --mode test --initrd "$BUILD/initramfs.cpio.gz" \
		--out "$BUILD/vm" --timeout 1800 >>"$VMTAP"
	# xtcp_capture.sh handed its capture over on the data port.
	tap_check "$VMTAP" "tshark reads xtcp_capture.sh's capture as TCP: SYN, SYN-ACK, ACK" \
		"$RES/pcap-check.log" "$ROOT/scripts/pcap-check.sh" \
		--extract "$BUILD/vm/data.out" xtcp_capture "$BUILD/vm/xtcp_capture.pcap"
	[ "$TESTS_BUILT" = 1 ] || return 0
	# Two VMs at once, about 25 s under TCG; a side whose peer does not
	# come gives up on each test after 2 minutes, the VM after 10.
	"$ROOT/scripts/twohost.sh" --initrd "$BUILD/initramfs-twohost.cpio.gz" \
		--out "$BUILD/twohost" --timeout 600 >>"$TWOTAP"
}
vm_lanes &
VM_BG=$!

(
	renice -n 10 -p "$BASHPID" >/dev/null 2>&1
	tap_check "$STATIC" "sparse (C=2) reports nothing" "$RES/sparse.log" \
		no_diagnostics "$RES/sparse.C2.log" 'warning:|error:' \
		xtcp_build_module W=1 C=2
	# shellcheck disable=SC2086
	tap_check "$STATIC" "checkpatch --strict is clean on the module" \
		"$RES/checkpatch.log" \
		no_diagnostics "$RES/checkpatch.raw.log" ': (ERROR|WARNING|CHECK):' \
		perl "$KSRC/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types -f $MOD_SOURCES
	# TRACE_EVENT() blocks are laid out as in include/trace/events/, which
	# checkpatch flags for open-ended lines and alignment only.
	# shellcheck disable=SC2086
	tap_check "$STATIC" "checkpatch --strict is clean on the tracepoints" \
		"$RES/checkpatch-trace.log" \
		no_diagnostics "$RES/checkpatch-trace.raw.log" \
		': (ERROR|WARNING|CHECK):' \
		perl "$KSRC/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types --ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT \
		-f $TRACE_HEADERS
	# Userspace tests use <stdint.h> types, as the kernel's own selftests do.
	# shellcheck disable=SC2086
	tap_check "$STATIC" "checkpatch --strict is clean on the tests" \
		"$RES/checkpatch-tests.log" \
		no_diagnostics "$RES/checkpatch-tests.raw.log" \
		': (ERROR|WARNING|CHECK):' \
		perl "$KSRC/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types --ignore PREFER_KERNEL_TYPES -f $TEST_SOURCES
	# shellcheck disable=SC2086
	tap_check "$STATIC" "kernel-doc reports nothing" "$RES/kernel-doc.log" \
		no_diagnostics "$RES/kernel-doc.raw.log" 'warning|error' \
		perl "$KSRC/scripts/kernel-doc" -none $MOD_SOURCES
	tap_check "$STATIC" "Documentation's state table is module/xtcp_fsm.h's" \
		"$RES/fsm-table.log" "$ROOT/scripts/fsm-table.sh" --check
	# Debian's python3 and python3-docutils, not whatever python3 PATH finds.
	tap_check "$STATIC" "docutils parses Documentation/ without a report" \
		"$RES/rst-check.log" /usr/bin/python3 "$ROOT/scripts/rst-check.py" \
		"$ROOT"/Documentation/*.rst

	# install_check: make install into a staging directory puts exactly the
	# module, xtcpize, its library and man page there; make uninstall
	# removes them all.
	install_check()
	{
		local d="$BUILD/install-check" want got
		rm -rf "$d"
		# W=1 as the build above: kbuild finds the module up to date.
		make -C "$ROOT" KDIR="$KDIR" W=1 DESTDIR="$d" PREFIX=/usr install || return 1
		want=$(printf '%s\n' "./lib/modules/$KVER/extra/xtcp.ko" \
			"./lib/modules/$KVER/extra/xtcp_diag.ko" ./usr/bin/xtcpize \
			./usr/bin/xtcp-ss \
			./usr/lib/xtcpize/libxtcpize.so ./usr/share/man/man8/xtcpize.8 | sort)
		got=$(cd "$d" && find . -type f | sort)
		if [ "$got" != "$want" ]; then
			printf 'installed:\n%s\nwanted:\n%s\n' "$got" "$want"
			return 1
		fi
		grep -qx 'PKGLIBDIR="/usr/lib/xtcpize"' "$d/usr/bin/xtcpize" || return 1
		"$d/usr/bin/xtcpize" --help | grep -q '^Usage: xtcpize run' || return 1
		make -C "$ROOT" KDIR="$KDIR" DESTDIR="$d" PREFIX=/usr uninstall || return 1
		got=$(find "$d" -type f)
		[ -z "$got" ] || { printf 'left after uninstall:\n%s\n' "$got"; return 1; }
	}
	tap_check "$STATIC" "make install (DESTDIR) and make uninstall" \
		"$RES/install.log" install_check
	tap_check "$STATIC" "dkms builds xtcp.ko for $KVER (dkms.conf)" \
		"$RES/dkms.log" "$ROOT/scripts/dkms-check.sh" "$KVER"
	tap_check "$STATIC" "dpkg-buildpackage builds xtcp-dkms (debian/, dh-dkms)" \
		"$RES/deb.log" "$ROOT/scripts/deb.sh" "$BUILD/deb"

	make -C "$ROOT/selftests/unit" KSFT_DIR="$KSRC/tools/testing/selftests" \
		OUTPUT="$BUILD/unit" run >"$RES/2-unit.tap" 2>&1 ||
		echo "not ok - unit tests build and pass" >>"$RES/2-unit.tap"
)
wait "$VM_BG"

if [ "${XTCP_DEBUG_LANE:-1}" != 0 ]; then
	# Its own errors are reported by check-debug.sh's request.
	wait "$DK_BG" 2>/dev/null
	"$ROOT/scripts/check-debug.sh" --tap "$RES/4-debug.tap"
fi

cat "$RES"/*.tap
summary
