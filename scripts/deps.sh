#!/bin/sh
# deps.sh - idempotently install the Debian 12 packages xtcp needs.
#   --build  compiler, kbuild deps, sparse, kernel source/headers, clang
#            and its runtime libraries (the libFuzzer targets of the unit lane)
#   --vm     qemu, the Debian kernel image+headers, busybox, iproute2, kmod, cpio
#   --debug  the debug lane: kernel build tools, gcovr (coverage report)
#   --lint   shellcheck (optional script linting), python3-docutils
#            (Documentation/ must parse)
#   --eco    programs run over xtcpize in the VM (iperf3, socat, curl), tshark
#            (reads the captures), dkms, dh-dkms and debhelper (packaging)
#   --all    all of the above (default)
# Only runs `apt-get update` when something is missing, and checks that the
# installed linux-image-amd64 and linux-headers-amd64 versions match.
set -eu

usage() {
	echo "usage: $0 [--build|--vm|--debug|--lint|--eco|--all]..." >&2
	exit 2
}

BUILD_PKGS="gcc make kmod bc flex bison libelf-dev libssl-dev sparse linux-source-6.1 xz-utils linux-image-amd64 linux-headers-amd64 clang libclang-rt-dev"
VM_PKGS="qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static iproute2 kmod cpio gzip xz-utils"
DEBUG_PKGS="gcc make bc flex bison libelf-dev libssl-dev linux-source-6.1 xz-utils kmod cpio python3 gcovr"
LINT_PKGS="shellcheck python3-docutils"
ECO_PKGS="iperf3 socat curl tshark dkms dh-dkms debhelper dpkg-dev fakeroot"

want=""
[ $# -eq 0 ] && set -- --all
for arg in "$@"; do
	case $arg in
	--build) want="$want $BUILD_PKGS" ;;
	--vm) want="$want $VM_PKGS" ;;
	--debug) want="$want $DEBUG_PKGS" ;;
	--lint) want="$want $LINT_PKGS" ;;
	--eco) want="$want $ECO_PKGS" ;;
	--all) want="$want $BUILD_PKGS $VM_PKGS $DEBUG_PKGS $LINT_PKGS $ECO_PKGS" ;;
	-h | --help) usage ;;
	*) echo "deps.sh: unknown argument: $arg" >&2; usage ;;
	esac
done

is_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

missing=""
seen=" "
for p in $want; do
	case $seen in *" $p "*) continue ;; esac
	seen="$seen$p "
	is_installed "$p" || missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps.sh: missing packages:$missing (run as root to install)" >&2
		exit 1
	fi
	# Kernel image and headers must come from the same apt state so their
	# ABI versions match: if either metapackage is missing, (re)install both.
	case $missing in
	*linux-image-amd64* | *linux-headers-amd64*)
		missing="$missing linux-image-amd64 linux-headers-amd64" ;;
	esac
	echo "deps.sh: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086 # word splitting of the package list is intended
	apt-get install -y -q --no-install-recommends $missing
else
	echo "deps.sh: all packages present"
fi

# The VM boots linux-image-amd64's kernel and the module is built against
# linux-headers-amd64: both metapackages must be at the same version.
if is_installed linux-image-amd64 || is_installed linux-headers-amd64; then
	iv=$(dpkg-query -W -f='${Version}' linux-image-amd64 2>/dev/null || true)
	hv=$(dpkg-query -W -f='${Version}' linux-headers-amd64 2>/dev/null || true)
	if [ "$iv" != "$hv" ]; then
		echo "deps.sh: ERROR: linux-image-amd64 ($iv) and linux-headers-amd64 ($hv)" \
			"versions differ; run: apt-get install linux-image-amd64 linux-headers-amd64" >&2
		exit 1
	fi
	if is_installed linux-image-amd64 && is_installed linux-headers-amd64; then
		if ! kver=$("$(dirname "$0")/kver.sh"); then
			echo "deps.sh: ERROR: no kernel with matching image and headers" >&2
			exit 1
		fi
		echo "deps.sh: VM kernel $kver (linux-image-amd64 $iv)"
	fi
fi
