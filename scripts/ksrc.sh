#!/bin/sh
# ksrc.sh - extract (once, cached) the few kernel-source files xtcp needs from
# Debian's /usr/src/linux-source-6.1.tar.xz into build/ksrc/, keeping the
# tarball's layout (build/ksrc/scripts/checkpatch.pl,
# build/ksrc/tools/testing/selftests/kselftest_harness.h, ...).
# Extraction goes to a temp dir that is renamed into place, so a partial
# extraction is never seen.  Prints the absolute path of build/ksrc.
# Usage: scripts/ksrc.sh            ($XTCP_KSRC_TARBALL overrides the tarball)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/build/ksrc"
TARBALL=${XTCP_KSRC_TARBALL:-/usr/src/linux-source-6.1.tar.xz}

FILES="tools/testing/selftests/kselftest_harness.h
tools/testing/selftests/kselftest.h
tools/testing/selftests/kselftest/runner.sh
tools/testing/selftests/kselftest/prefix.pl
scripts/checkpatch.pl
scripts/spelling.txt
scripts/const_structs.checkpatch
scripts/kernel-doc"

stamp_text() {
	printf '%s\n%s\n' "$TARBALL" "$FILES"
}

cache_ok() {
	[ -f "$DEST/.stamp" ] || return 1
	[ "$(cat "$DEST/.stamp")" = "$(stamp_text)" ] || return 1
	for f in $FILES; do
		[ -f "$DEST/$f" ] || return 1
	done
}

if cache_ok; then
	printf '%s\n' "$DEST"
	exit 0
fi

if [ ! -f "$TARBALL" ]; then
	echo "ksrc.sh: $TARBALL not found; run scripts/deps.sh --build" >&2
	exit 1
fi

mkdir -p "$ROOT/build"
tmp=$(mktemp -d "$ROOT/build/.ksrc.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Members are stored as linux-source-6.1/<path>; take the top directory name
# from the first entry instead of hard-coding it.
top=$(tar -tJf "$TARBALL" | head -n 1 | cut -d/ -f1) || true
if [ -z "$top" ]; then
	echo "ksrc.sh: cannot list $TARBALL" >&2
	exit 1
fi
members=""
for f in $FILES; do
	members="$members $top/$f"
done
# shellcheck disable=SC2086 # the member list is split on purpose
tar -xJf "$TARBALL" -C "$tmp" --strip-components=1 $members
stamp_text >"$tmp/.stamp"

# Replace a stale/incomplete cache; `mv -T` refuses to move into an existing
# non-empty directory, so a concurrent run that finished first wins.
if [ -e "$DEST" ] && ! cache_ok; then
	rm -rf "$DEST"
fi
if ! mv -T "$tmp" "$DEST" 2>/dev/null && ! cache_ok; then
	echo "ksrc.sh: could not install $DEST" >&2
	exit 1
fi
printf '%s\n' "$DEST"
