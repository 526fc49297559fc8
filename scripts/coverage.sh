#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# coverage.sh - line and branch coverage of xtcp.ko by the selftests, as
# measured by the debug lane (scripts/check-debug.sh): the module is built
# there with gcov profiling (XTCP_GCOV=1) against a CONFIG_GCOV_KERNEL
# kernel, and each of its VMs hands its .gcda files back on its third
# serial port (build/debug/vm[0-9]*/data.out, base64 of a tar.gz between
# XTCP-GCOV-BEGIN and XTCP-GCOV-END).  gcov-tool adds up the VMs' counts,
# and gcovr (Debian's, running the gcov of the gcc that built the module)
# turns them into:
#
#   build/coverage/summary.txt   per-file line and branch coverage, total
#   build/coverage/index.html    HTML report, every source line annotated
#   build/coverage/summary.json  the same numbers, machine-readable
#   build/coverage/gcov/         gcov's annotated sources (*.gcov)
#
# Usage: scripts/coverage.sh [--tap]
#   (no option)  `make coverage`: run the debug lane first when its data is
#                missing or older than a source of module/, then write the
#                report and print the summary
#   --tap        (check-debug.sh) use the data as it is; print
#                "ok - module coverage measured" or "not ok", the summary
#                as "# " lines
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD="$ROOT/build"
SRC="$BUILD/debug/src"
DATA="$BUILD/debug/vm0/data.out"	# the first VM's; all are read
COV="$BUILD/coverage"

tap=0
case ${1:-} in
--tap) tap=1 ;;
"") ;;
*) echo "usage: scripts/coverage.sh [--tap]" >&2; exit 2 ;;
esac

# fail MSG: report a failure the way the caller wants it.
fail() {
	if [ "$tap" = 1 ]; then
		echo "# $*"
		echo "not ok - module coverage measured"
		exit 0
	fi
	echo "coverage.sh: $*" >&2
	exit 1
}

if [ "$tap" = 0 ]; then
	stale=0
	[ -s "$DATA" ] || stale=1
	if [ "$stale" = 0 ] && [ -n "$(find "$ROOT/module" "$ROOT/include" \
		-name '*.[ch]' -newer "$DATA" 2>/dev/null | head -n 1)" ]; then
		stale=1
	fi
	if [ "$stale" = 1 ]; then
		echo "coverage.sh: no current coverage data; running the debug lane (make check-debug)" >&2
		"$ROOT/scripts/check-debug.sh" >&2
	fi
fi

command -v gcovr >/dev/null || fail "gcovr is missing (scripts/deps.sh --debug)"
[ -s "$DATA" ] || fail "no $DATA: the debug VM did not run"
command -v "gcov-tool-$(gcc -dumpversion)" >/dev/null ||
	fail "gcov-tool-$(gcc -dumpversion) is missing (package gcc)"

rm -rf "$COV"
mkdir -p "$COV/gcov"
find "$SRC" -name '*.gcda' -delete
n=0
for data in "$BUILD"/debug/vm[0-9]*/data.out; do
	grep -q '^XTCP-GCOV-END' "$data" ||
		fail "no complete gcov data in $data (was xtcp.ko built with XTCP_GCOV=1? VM crashed?)"
	n=$((n + 1))
	mkdir -p "$COV/gcda$n"
	tr -d '\r' <"$data" |
		awk '/^XTCP-GCOV-END/ { on = 0 } on { print } /^XTCP-GCOV-BEGIN/ { on = 1 }' |
		base64 -d | tar -xzf - -C "$COV/gcda$n" ||
		fail "cannot unpack the gcov data of $data"
	# The data's path below /sys/kernel/debug/gcov is the build
	# directory's absolute path.
	[ -d "$COV/gcda$n$SRC" ] ||
		fail "gcov data is not for $SRC: $(cd "$COV/gcda$n" && find . -name '*.gcda' | head -n 3)"
	if [ "$n" = 1 ]; then
		cp -r "$COV/gcda$n$SRC/." "$COV/merged"
	else
		"gcov-tool-$(gcc -dumpversion)" merge -o "$COV/merged.new" \
			"$COV/merged" "$COV/gcda$n$SRC" >"$COV/merge.log" 2>&1 ||
			fail "gcov-tool merge failed: $(tail -n 3 "$COV/merge.log")"
		rm -rf "$COV/merged"
		mv "$COV/merged.new" "$COV/merged"
	fi
done
# Next to their .gcno files, where gcov looks for them.
cp -r "$COV/merged/." "$SRC/"
ngcda=$(find "$SRC" -name '*.gcda' | wc -l)
[ "$ngcda" -gt 0 ] || fail "no .gcda files for $SRC"

# Sources of module/ only (not the kernel headers they include).
GCOVR=(gcovr --root "$SRC" --filter "$SRC/module/" --object-directory "$SRC"
	--gcov-executable "gcov-$(gcc -dumpversion)")
if ! { "${GCOVR[@]}" --json-summary-pretty --json-summary "$COV/summary.json" \
	--html-details "$COV/index.html" --txt "$COV/lines.txt" &&
	"${GCOVR[@]}" --branches --txt "$COV/branches.txt"; } \
	>"$COV/gcovr.log" 2>&1; then
	sed 's/^/  /' "$COV/gcovr.log" | tail -n 20 >&2
	fail "gcovr failed (log: $COV/gcovr.log)"
fi
# gcov reads the sources named in the .gcno files, the kernel headers of
# the debug kernel's cache entry included: gcovr drops a file whose
# sources are gone (entry rebuilt or moved since the module was built).
if grep -q 'Cannot open source file' "$COV/gcovr.log"; then
	grep -m 3 'Cannot open source file' "$COV/gcovr.log" | sed 's/^/  /' >&2
	fail "sources of the build are gone (debug kernel cache entry moved or" \
		"rebuilt?): run make check-debug again"
fi
(cd "$COV/gcov" && for f in "$SRC"/module/*.gcda; do
	gcov-"$(gcc -dumpversion)" -b -o "$SRC/module" "${f%.gcda}.c"
done) >"$COV/gcov.log" 2>&1

python3 - "$COV/summary.json" >"$COV/summary.txt" <<'EOF' ||
import json
import sys

with open(sys.argv[1]) as f:
    s = json.load(f)


def pct(cov, tot):
    return "%5.1f%%" % (100.0 * cov / tot) if tot else "    -"


print("xtcp.ko coverage by the selftests (debug kernel, gcov)")
print("%-26s %16s %17s" % ("file", "lines     ", "branches    "))
for f in sorted(s["files"], key=lambda f: f["filename"]):
    print("%-26s %9s %6s %10s %6s" % (
        f["filename"],
        "%d/%d" % (f["line_covered"], f["line_total"]),
        pct(f["line_covered"], f["line_total"]),
        "%d/%d" % (f["branch_covered"], f["branch_total"]),
        pct(f["branch_covered"], f["branch_total"])))
print("%-26s %9s %6s %10s %6s" % (
    "TOTAL",
    "%d/%d" % (s["line_covered"], s["line_total"]),
    pct(s["line_covered"], s["line_total"]),
    "%d/%d" % (s["branch_covered"], s["branch_total"]),
    pct(s["branch_covered"], s["branch_total"])))
EOF
	fail "cannot read $COV/summary.json"

if [ "$tap" = 1 ]; then
	sed 's/^/# /' "$COV/summary.txt"
	echo "# full report: make coverage, build/coverage/index.html"
	echo "ok - module coverage measured"
else
	cat "$COV/summary.txt"
	echo
	echo "report: $COV/index.html (per line), $COV/lines.txt," \
		"$COV/branches.txt, $COV/gcov/*.gcov"
fi
