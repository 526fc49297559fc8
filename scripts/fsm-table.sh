#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fsm-table.sh [--check | --update]: the state table of
# Documentation/xtcp.rst, between its "fsm-table" markers, is generated
# from module/xtcp_fsm.h by selftests/unit/xtcp_fsm_table.c.
#
#   --check   (default) fail, showing the difference, when the document's
#             table is not the generated one (make check runs this)
#   --update  write the generated table into the document (make fsm-table)

set -euo pipefail
. "$(dirname "$0")/common.sh"

MODE=${1:---check}
DOC="$ROOT/Documentation/xtcp.rst"
BEGIN='.. fsm-table: begin'
END='.. fsm-table: end'
OUT="$BUILD/fsm-table"
mkdir -p "$OUT"

${CC:-cc} -O1 -Wall -Wextra -Werror -I"$ROOT/include/uapi" \
	-include "$ROOT/selftests/xtcp_kcompat.h" \
	-o "$OUT/xtcp_fsm_table" "$ROOT/selftests/unit/xtcp_fsm_table.c"
"$OUT/xtcp_fsm_table" >"$OUT/table.rst"

if [ "$(grep -cxF "$BEGIN" "$DOC")" != 1 ] ||
   [ "$(grep -cxF "$END" "$DOC")" != 1 ]; then
	echo "$DOC: needs one '$BEGIN' and one '$END' line" >&2
	exit 1
fi

# The document with the lines between the markers replaced by the table.
awk -v begin="$BEGIN" -v end="$END" -v table="$OUT/table.rst" '
	$0 == end { skip = 0 }
	!skip { print }
	$0 == begin {
		print ""
		while ((getline line < table) > 0)
			print line
		print ""
		skip = 1
	}' "$DOC" >"$OUT/xtcp.rst"

case $MODE in
--check)
	if ! diff -u "$DOC" "$OUT/xtcp.rst"; then
		echo "Documentation/xtcp.rst's state table differs from" \
			"module/xtcp_fsm.h: run scripts/fsm-table.sh --update" >&2
		exit 1
	fi
	;;
--update)
	cp "$OUT/xtcp.rst" "$DOC"
	;;
*)
	echo "usage: $0 [--check | --update]" >&2
	exit 2
	;;
esac
