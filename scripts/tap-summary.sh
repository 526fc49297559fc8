#!/bin/sh
# tap-summary.sh - count results in TAP / kselftest outputs (the VM's tap.out,
# host unit-test logs) and print one closing line "N passed, N failed,
# N skipped"; exit 1 if anything failed or nothing passed.
# Usage: scripts/tap-summary.sh FILE...      ("-" reads stdin)
#
# Counting (per file; "depth" = number of leading "# " prefixes):
#  - "# Totals: pass:P fail:F xfail:XF xpass:XP skip:S error:E" at any depth
#    (kselftest.h / kselftest_harness.h): P+XF passed, F+XP+E failed, S skipped.
#  - top-level "ok N selftests: ..." / "not ok N selftests: ..." (kselftest
#    runner): counted 1 passed/failed only if the program's nested output had
#    no Totals line; a "not ok" whose Totals showed no failure still adds 1
#    failed (crash/timeout after the Totals line).
#  - other top-level numbered "ok N desc" lines (a plain TAP producer) count
#    1 each unless a depth-1 Totals line follows them (then that program was
#    a kselftest_harness binary run directly and its Totals line counts).
#  - unnumbered top-level "ok - desc" / "not ok - desc" (harness checks such
#    as "kernel log clean", "vm completed") count 1 each.
#    A "TAP version" or "1..N" line ends the previous producer's run.
#  - "# SKIP" directive: skipped; "# TODO" on not ok: skipped; top-level
#    "Bail out!": 1 failed; a missing/unreadable FILE: 1 failed.
# Failing lines are listed as "# FAILED: ..." before the closing line.
set -u

if [ $# -eq 0 ]; then
	echo "usage: $0 FILE..." >&2
	exit 2
fi

for f in "$@"; do
	if [ "$f" = - ]; then
		printf '@@FILE -\n'
		cat
	elif [ -r "$f" ] && [ -f "$f" ]; then
		printf '@@FILE %s\n' "$f"
		cat "$f"
		# a file without a final newline must not glue onto the next marker
		[ -z "$(tail -c 1 "$f")" ] || echo
	else
		printf '@@MISSING %s\n' "$f"
	fi
done | awk '
function reset_file() {
	totals_pending = 0   # Totals seen since the last top-level selftests line
	totals_fail = 0      # failures reported by those Totals lines
	loose_p = 0; loose_f = 0; loose_s = 0   # top-level numbered, not yet covered
}
function flush_loose() {
	pass += loose_p; fail += loose_f; skip += loose_s
	loose_p = 0; loose_f = 0; loose_s = 0
}
function note_fail(what) {
	nfailed_names++
	failed_names[nfailed_names] = what
}
# parse "key:value" from a Totals line
function tval(line, key,    re, s) {
	re = key ":[0-9]+"
	if (match(line, re)) {
		s = substr(line, RSTART + length(key) + 1, RLENGTH - length(key) - 1)
		return s + 0
	}
	return 0
}
BEGIN { pass = 0; fail = 0; skip = 0; nfailed_names = 0; file = "-"; reset_file() }
/^@@FILE / { flush_loose(); reset_file(); file = substr($0, 8); next }
/^@@MISSING / {
	flush_loose(); reset_file()
	fail++; note_fail("missing TAP file " substr($0, 11))
	next
}
{
	line = $0
	sub(/\r+$/, "", line)
	sub(/[ \t]+$/, "", line)
	depth = 0
	while (substr(line, 1, 2) == "# ") { line = substr(line, 3); depth++ }
	if (line == "#") next

	if (depth >= 1 && line ~ /^Totals: pass:[0-9]+ fail:[0-9]+/) {
		p = tval(line, "pass"); fl = tval(line, "fail"); xf = tval(line, "xfail")
		xp = tval(line, "xpass"); s = tval(line, "skip"); e = tval(line, "error")
		pass += p + xf; fail += fl + xp + e; skip += s
		totals_pending = 1; totals_fail += fl + xp + e
		if (fl + xp + e > 0)
			note_fail(file ": " $0)
		# a directly-run harness binary: its own numbered lines are covered
		if (depth == 1) { loose_p = 0; loose_f = 0; loose_s = 0 }
		next
	}

	if (depth > 0) {
		if (line ~ /^not ok( |$)/ && line !~ /#[ \t]*(SKIP|skip|Skip|TODO|todo)/)
			note_fail(file ": " $0)
		next
	}

	if (line ~ /^Bail out!/) { fail++; note_fail(file ": " line); next }
	# a new TAP stream starts: results of the previous one are final
	if (line ~ /^TAP version / || line ~ /^1\.\.[0-9]+/) {
		flush_loose()
		if (line ~ /^1\.\.0 *#[ \t]*(SKIP|skip|Skip)/) skip++   # whole program skipped
		next
	}

	if (line !~ /^(not )?ok( |$)/) next

	notok = (line ~ /^not ok/)
	rest = line; sub(/^(not )?ok[ ]*/, "", rest)
	numbered = (rest ~ /^[0-9]+( |$)/)
	desc = rest; sub(/^[0-9]+[ ]*/, "", desc); sub(/^-[ ]*/, "", desc)
	is_skip = (desc ~ /#[ \t]*(SKIP|skip|Skip)/)
	is_todo = (desc ~ /#[ \t]*(TODO|todo|Todo)/)
	if (is_skip || (notok && is_todo)) res = "s"
	else if (notok) res = "f"
	else res = "p"

	if (numbered && desc ~ /^selftests:/) {
		if (totals_pending) {
			# nested Totals already counted; only catch a failure they missed
			if (res == "f" && totals_fail == 0) { fail++; note_fail(file ": " line) }
		} else if (res == "p") pass++
		else if (res == "f") { fail++; note_fail(file ": " line) }
		else skip++
		totals_pending = 0; totals_fail = 0
	} else if (numbered) {
		if (res == "p") loose_p++
		else if (res == "f") { loose_f++; note_fail(file ": " line) }
		else loose_s++
	} else {
		if (res == "p") pass++
		else if (res == "f") { fail++; note_fail(file ": " line) }
		else skip++
	}
}
END {
	flush_loose()
	for (i = 1; i <= nfailed_names; i++)
		print "# FAILED: " failed_names[i]
	line = pass " passed, " fail " failed"
	if (skip > 0) line = line ", " skip " skipped"
	print line
	exit (fail > 0 || pass == 0) ? 1 : 0
}'
