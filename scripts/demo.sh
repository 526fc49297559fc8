#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build xtcp for the VM's kernel, boot the VM, load xtcp and
# show it at work (scripts/demo-vm.sh runs inside); its connection is
# captured and left in build/demo/xtcp.pcap, which scripts/pcap-check.sh
# reads with tshark as TCP.
# make vm (demo.sh --shell): the same VM, with an interactive shell.

set -euo pipefail
. "$(dirname "$0")/common.sh"

mode=demo
[ "${1:-}" = --shell ] && mode=shell

xtcp_prepare
echo "demo: building xtcp.ko for $KVER" >&2
xtcp_build_module >"$BUILD/demo-build.log" 2>&1 ||
	{ cat "$BUILD/demo-build.log"; exit 1; }
xtcp_build_tests "$BUILD/tests" >"$BUILD/demo-tests.log" 2>&1 ||
	{ cat "$BUILD/demo-tests.log"; exit 1; }
xtcp_initramfs "$BUILD/tests" "$BUILD/initramfs.cpio.gz" >&2
echo "demo: booting the VM (about 10 s under TCG)" >&2
if [ "$mode" = shell ]; then
	exec "$ROOT/scripts/vm.sh" --mode shell --initrd "$BUILD/initramfs.cpio.gz"
fi
rc=0
"$ROOT/scripts/vm.sh" --mode demo --initrd "$BUILD/initramfs.cpio.gz" \
	--out "$BUILD/demo" || rc=$?
[ "$rc" -eq 0 ] || exit "$rc"

# The VM captured its connection: read it as tshark does.
echo
echo "=== the capture of that connection: $BUILD/demo/xtcp.pcap"
rm -f "$BUILD/demo/xtcp.pcap"
"$ROOT/scripts/pcap-check.sh" --extract "$BUILD/demo/data.out" demo \
	"$BUILD/demo/xtcp.pcap"
echo "(open it with: wireshark -X lua_script:scripts/xtcp.lua $BUILD/demo/xtcp.pcap;"
echo " Documentation/captures.rst tells more)"
