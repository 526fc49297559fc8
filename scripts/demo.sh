#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build xtcp for the VM's kernel, boot the VM, load xtcp and
# show it at work (scripts/demo-vm.sh runs inside).
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
exec "$ROOT/scripts/vm.sh" --mode "$mode" --initrd "$BUILD/initramfs.cpio.gz"
