#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh - build (once) and cache the debug kernel of xtcp's
# debug lane: Debian's linux-source-6.1 configured as `tinyconfig` plus
# scripts/debug.config (KASAN, lockdep, kmemleak, debug objects, gcov,
# fault injection, tracing), every option built in.  The lane boots it in
# qemu and builds xtcp.ko against its build tree.
#
# The kernel takes about 10 minutes to build on 2 cores, so it is kept in
# a cache directory outside the clone, one directory per key:
#
#   $XTCP_CACHE_DIR/debug-kernel-<linux-source version>-<hash>/
#     src/      the extracted kernel source
#     obj/      the O= build tree: .config, Module.symvers, generated
#               headers, scripts (make -C obj M=... builds a module)
#     bzImage   the kernel the VM boots
#     modroot/  `make modules_install` output: lib/modules/KVER/modules.*
#     kver      the kernel release (uname -r in the VM)
#     build.log, build-seconds
#
# XTCP_CACHE_DIR defaults to /var/cache/xtcp.  <hash> covers
# scripts/debug.config, this script, the compiler version and the
# tarball's size and date, so changing any of them builds a new kernel.
# A build happens in a temporary directory beside the cache entry that is
# renamed into place only when complete: an interrupted build is redone,
# never reused.  Concurrent runs for the same key wait for each other
# (flock).  Entries of other keys unused for 14 days are removed.
#
# Usage: scripts/debug-kernel.sh [--key] [--rebuild]
#   (no option)  build if needed; print the cache entry's path on stdout
#   --key        print the entry's path without building
#   --rebuild    discard the entry and build it again
# Progress goes to stderr.  Exits non-zero (listing them) when an option of
# scripts/debug.config is missing from the final .config.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPTS="$ROOT/scripts"
FRAGMENT="$SCRIPTS/debug.config"
TARBALL=${XTCP_KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
CACHE=$(realpath -m "${XTCP_CACHE_DIR:-/var/cache/xtcp}")
JOBS=$(nproc)

usage() {
	echo "usage: scripts/debug-kernel.sh [--key] [--rebuild]" >&2
	exit 2
}

die() {
	echo "debug-kernel.sh: $*" >&2
	exit 1
}

log() {
	echo "debug-kernel.sh: $*" >&2
}

only_key=0
rebuild=0
while [ $# -gt 0 ]; do
	case $1 in
	--key) only_key=1 ;;
	--rebuild) rebuild=1 ;;
	-h | --help) usage ;;
	*) echo "debug-kernel.sh: unknown argument: $1" >&2; usage ;;
	esac
	shift
done

[ -f "$TARBALL" ] || die "$TARBALL not found; run scripts/deps.sh --build"
[ -f "$FRAGMENT" ] || die "$FRAGMENT not found"

# --- cache key -------------------------------------------------------------
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || true)
srcver=${srcver:-unknown}
key=$({
	cat "$FRAGMENT" "$SCRIPTS/debug-kernel.sh"
	gcc --version | head -n 1
	stat -L -c '%s %Y' "$TARBALL"
	echo "$srcver"
} | sha256sum | cut -c1-12)
NAME="debug-kernel-$srcver-$key"
DIR="$CACHE/$NAME"

# entry_ok: the entry has what the lane uses.
entry_ok() {
	[ -s "$DIR/bzImage" ] && [ -s "$DIR/kver" ] &&
		[ -f "$DIR/obj/.config" ] && [ -f "$DIR/obj/Module.symvers" ] &&
		[ -f "$DIR/obj/Makefile" ] && [ -d "$DIR/modroot/lib/modules" ]
}

if [ "$only_key" = 1 ]; then
	printf '%s\n' "$DIR"
	exit 0
fi

mkdir -p "$CACHE"
# One builder per key; others wait here and then find the entry.
exec 8>"$CACHE/.lock-$NAME"
if ! flock -n 8; then
	log "waiting for another build of $NAME"
	flock 8
fi

if [ "$rebuild" = 1 ] && [ -e "$DIR" ]; then
	log "--rebuild: removing $DIR"
	rm -rf "$DIR"
fi
if entry_ok; then
	touch "$DIR/kver"
	printf '%s\n' "$DIR"
	exit 0
fi
if [ -e "$DIR" ]; then
	# Only a complete build is ever renamed to $DIR; be safe anyway.
	log "removing incomplete $DIR"
	rm -rf "$DIR"
fi

# Leftovers of interrupted builds of this key (we hold its lock).
rm -rf "$CACHE/.tmp-$NAME".*
# Entries of other keys that no run used for 14 days (a run touches kver).
for old in "$CACHE"/debug-kernel-*/; do
	if [ ! -d "$old" ] || [ "$old" = "$DIR/" ]; then
		continue
	fi
	if [ -z "$(find "$old/kver" -mtime -14 2>/dev/null)" ]; then
		log "removing $old, unused for 14 days"
		rm -rf "$old"
	fi
done

TMP=$(mktemp -d "$CACHE/.tmp-$NAME.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
BLOG="$TMP/build.log"
start=$(date +%s)
log "building $NAME in $TMP (about 10 minutes on 2 cores; log: $BLOG)"

# --- source ----------------------------------------------------------------
mkdir "$TMP/src" "$TMP/obj"
tar -xJf "$TARBALL" -C "$TMP/src" --strip-components=1
KMAKE=(make -C "$TMP/src" O="$TMP/obj" ARCH=x86_64)

# --- configuration ---------------------------------------------------------
{
	"${KMAKE[@]}" tinyconfig
	"$TMP/src/scripts/kconfig/merge_config.sh" -m -O "$TMP/obj" \
		"$TMP/obj/.config" "$FRAGMENT"
	"${KMAKE[@]}" olddefconfig
} >>"$BLOG" 2>&1 || { tail -n 40 "$BLOG" >&2; die "configuration failed"; }

# Every line of the fragment must be in the final .config: Kconfig drops an
# option whose dependencies are not met without a word.
missing=$(grep -E '^(CONFIG_[A-Za-z0-9_]+=|# CONFIG_[A-Za-z0-9_]+ is not set)' \
	"$FRAGMENT" | while IFS= read -r line; do
	case $line in
	"# "*)
		sym=${line#\# }
		sym=${sym%% *}
		if grep -q "^$sym=" "$TMP/obj/.config"; then
			echo "  $line   (got: $(grep "^$sym=" "$TMP/obj/.config"))"
		fi
		;;
	*)
		sym=${line%%=*}
		if ! grep -qxF "$line" "$TMP/obj/.config"; then
			got=$(grep -E "^$sym=|^# $sym is not set" "$TMP/obj/.config" ||
				echo "absent")
			echo "  $line   (got: $got)"
		fi
		;;
	esac
done)
if [ -n "$missing" ]; then
	echo "debug-kernel.sh: options of $FRAGMENT missing from the final .config:" >&2
	printf '%s\n' "$missing" >&2
	cp "$TMP/obj/.config" "$CACHE/$NAME.failed.config"
	die "fix their dependencies in $FRAGMENT (final config: $CACHE/$NAME.failed.config)"
fi

# --- build -------------------------------------------------------------------
if ! "${KMAKE[@]}" -j"$JOBS" all >>"$BLOG" 2>&1; then
	grep -E 'error|Error' "$BLOG" | head -n 20 >&2 || true
	tail -n 40 "$BLOG" >&2
	cp "$BLOG" "$CACHE/$NAME.failed.log"
	die "kernel build failed (log: $CACHE/$NAME.failed.log)"
fi
mkdir "$TMP/modroot"
"${KMAKE[@]}" INSTALL_MOD_PATH="$TMP/modroot" modules_install >>"$BLOG" 2>&1 ||
	{ tail -n 40 "$BLOG" >&2; die "modules_install failed"; }
cp "$TMP/obj/arch/x86/boot/bzImage" "$TMP/bzImage"
"${KMAKE[@]}" -s kernelrelease >"$TMP/kver" 2>>"$BLOG"
# The build tree is used from $DIR, not from $TMP: make its pointers to the
# source relative (external module builds then find the source wherever
# the entry lives; everything else kbuild derives from the Makefile path).
printf '# Generated by debug-kernel.sh (was: mkmakefile)\ninclude ../src/Makefile\n' \
	>"$TMP/obj/Makefile"
ln -sfn ../src "$TMP/obj/source"
rm -f "$TMP/modroot/lib/modules/$(cat "$TMP/kver")/build" \
	"$TMP/modroot/lib/modules/$(cat "$TMP/kver")/source"
echo $(($(date +%s) - start)) >"$TMP/build-seconds"

mv -T "$TMP" "$DIR"
trap - EXIT
rm -f "$CACHE/$NAME.failed.log" "$CACHE/$NAME.failed.config"
log "built $(cat "$DIR/kver") in $(cat "$DIR/build-seconds") s: $DIR"
printf '%s\n' "$DIR"
