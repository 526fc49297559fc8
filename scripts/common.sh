# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by check.sh and demo.sh: build xtcp.ko and the selftests for the
# kernel the VM boots, and pack them into an initramfs.

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build"

# xtcp_prepare: sets KVER, KDIR, KSRC; installs what is missing.
xtcp_prepare()
{
	"$ROOT/scripts/deps.sh" --all >&2 || return 1
	KVER=$("$ROOT/scripts/kver.sh") || return 1
	KDIR=/lib/modules/$KVER/build
	[ -d "$KDIR" ] || KDIR=/usr/src/linux-headers-$KVER
	KSRC=$("$ROOT/scripts/ksrc.sh") || return 1
}

# xtcp_build_module [MAKE ARGS...]: build module/xtcp.ko for $KDIR.
xtcp_build_module()
{
	make -C "$KDIR" M="$ROOT" "$@" modules
}

# xtcp_build_tests DIR: build the selftests, xtcpize and xtcp-ss, install
# them in DIR.
xtcp_build_tests()
{
	rm -rf "$1"
	make -C "$ROOT/selftests" KSFT_DIR="$KSRC/tools/testing/selftests" \
		OUTPUT="$BUILD/selftests" INSTALL_PATH="$1" install &&
	make -C "$ROOT/tools/xtcpize" OUTPUT="$BUILD/xtcpize" &&
	cp "$BUILD/xtcpize/xtcpize" "$BUILD/xtcpize/libxtcpize.so" "$1/" &&
	make -C "$ROOT/tools/xtcp-ss" OUTPUT="$BUILD/xtcp-ss" &&
	cp "$BUILD/xtcp-ss/xtcp-ss" "$1/" &&
	cp "$ROOT/scripts/demo-vm.sh" "$1/demo.sh" &&
	cp "$ROOT/scripts/ladder.awk" "$1/ladder.awk"
}

# xtcp_initramfs DIR OUT [MKINITRAMFS ARGS...]: pack xtcp.ko and the
# tests in DIR into OUT.
xtcp_initramfs()
{
	local dir=$1 out=$2

	shift 2
	"$ROOT/scripts/mkinitramfs.sh" --kver "$KVER" \
		--module "$ROOT/module/xtcp.ko" --tests "$dir" --out "$out" "$@"
}
