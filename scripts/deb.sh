#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: build the xtcp-dkms Debian package (debian/, dh-dkms) from a
# copy of the tree's sources in build/deb, and check what it holds: the
# module's sources and dkms.conf in /usr/src/xtcp-VERSION and the dkms
# calls of its maintainer scripts.  Prints the .deb's path last.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$ROOT/build/deb}

die()
{
	echo "deb.sh: $*" >&2
	exit 1
}

for t in dpkg-buildpackage dh dh_dkms; do
	command -v $t >/dev/null || die "$t missing (scripts/deps.sh --eco)"
done
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$ROOT/dkms.conf")
full=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)
[ "${full%-*}" = "$version" ] ||
	die "debian/changelog's version $full is not dkms.conf's $version"

rm -rf "$OUT"
SRC=$OUT/xtcp-$version
mkdir -p "$SRC"
# The tracked and new files, not the build's products.
(cd "$ROOT" && git ls-files -co --exclude-standard -z | grep -zv '^build/' |
	tar --null -cf - -T -) | tar -C "$SRC" -xf -
(cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1 ||
	{ tail -n 40 "$OUT/build.log"; die "dpkg-buildpackage failed"; }

deb=$OUT/xtcp-dkms_${full}_all.deb
[ -f "$deb" ] || die "$deb not built"
dpkg-deb -c "$deb" | awk '{ print $6 }' >"$OUT/contents"
for f in Kbuild dkms.conf module/Kbuild module/xtcp_main.c module/xtcp.h \
	include/uapi/linux/xtcp.h; do
	grep -qx "./usr/src/xtcp-$version/$f" "$OUT/contents" ||
		die "$deb lacks /usr/src/xtcp-$version/$f"
done
if grep -E '\.(o|ko|mod\.c)$' "$OUT/contents"; then
	die "$deb holds build products"
fi
n=$(grep -c "^./usr/src/xtcp-$version/module/.*\.[ch]$" "$OUT/contents")
want=$(cd "$ROOT/module" && git ls-files -co --exclude-standard '*.c' '*.h' | grep -vc '\.mod\.c$')
[ "$n" = "$want" ] || die "$deb has $n module sources, the tree $want"
dpkg-deb -I "$deb" postinst | grep -q 'dkms' || die "$deb's postinst does not call dkms"
dpkg-deb -I "$deb" prerm | grep -q 'dkms' || die "$deb's prerm does not call dkms"
dpkg-deb -f "$deb" Depends | grep -q dkms || die "$deb does not depend on dkms"
echo "deb.sh: $deb: $n module sources, dkms.conf, dkms in postinst and prerm"
echo "$deb"
