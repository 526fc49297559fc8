#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-check.sh KVER: build xtcp with dkms, as the xtcp-dkms package
# does on a user's machine, for kernel KVER (its headers installed in
# /lib/modules/KVER/build), in a temporary dkms tree: nothing is
# installed and /var/lib/dkms is not touched (the module is not signed,
# which would create a signing key there).  Checks that xtcp.ko and
# xtcp_diag.ko are built for KVER.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
KVER=${1:?usage: dkms-check.sh KVER}

command -v dkms >/dev/null || { echo "dkms-check.sh: dkms missing (scripts/deps.sh --eco)" >&2; exit 1; }
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$ROOT/dkms.conf")
T=$(mktemp -d /tmp/xtcp-dkms.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/src/xtcp-$version" "$T/tree"
# What the package installs in /usr/src/xtcp-VERSION (debian/rules).
mapfile -t srcs < <(cd "$ROOT/module" &&
	git ls-files -co --exclude-standard '*.c' '*.h' | grep -v '\.mod\.c$' |
	sed 's|^|module/|')
(cd "$ROOT" && tar -cf - Kbuild dkms.conf include module/Kbuild "${srcs[@]}") |
	tar -C "$T/src/xtcp-$version" -xf -
sign_file=/nonexistent dkms build -m xtcp -v "$version" -k "$KVER" \
	--dkmstree "$T/tree" --sourcetree "$T/src" >"$T/log" 2>&1 ||
	{ tail -n 40 "$T/log"; tail -n 40 "$T/tree/xtcp/$version/build/make.log" 2>/dev/null; exit 1; }
for m in xtcp xtcp_diag; do
	ko=$T/tree/xtcp/$version/$KVER/$(uname -m)/module/$m.ko
	[ -f "$ko" ] || { cat "$T/log"; echo "dkms-check.sh: $ko not built" >&2; exit 1; }
	vermagic=$(modinfo -F vermagic "$ko")
	[ "${vermagic%% *}" = "$KVER" ] ||
		{ echo "dkms-check.sh: $m.ko is for '${vermagic%% *}', not $KVER" >&2; exit 1; }
done
echo "dkms-check.sh: dkms built xtcp/$version for $KVER: xtcp.ko and xtcp_diag.ko, vermagic $vermagic"
