#!/bin/sh
# kver.sh - print the kernel version (KVER) the xtcp VM boots and the module
# is built against: the newest Debian "*-amd64" kernel that has both
# /boot/vmlinuz-$KVER and its headers (/usr/src/linux-headers-$KVER or
# /lib/modules/$KVER/build).  $XTCP_KVER, if set, is checked and used instead.
# Usage: scripts/kver.sh        Exit 1 (with a message) if there is none.
set -eu

has_kernel() {
	[ -f "/boot/vmlinuz-$1" ] || return 1
	[ -d "/usr/src/linux-headers-$1" ] || [ -d "/lib/modules/$1/build" ]
}

if [ -n "${XTCP_KVER:-}" ]; then
	if has_kernel "$XTCP_KVER"; then
		printf '%s\n' "$XTCP_KVER"
		exit 0
	fi
	echo "kver.sh: XTCP_KVER=$XTCP_KVER has no /boot/vmlinuz-$XTCP_KVER with headers" >&2
	exit 1
fi

best=$(
	for f in /boot/vmlinuz-*-amd64; do
		[ -e "$f" ] || continue
		v=${f#/boot/vmlinuz-}
		if has_kernel "$v"; then
			printf '%s\n' "$v"
		fi
	done | sort -V | tail -n 1
)

if [ -z "$best" ]; then
	echo "kver.sh: no Debian *-amd64 kernel with both /boot/vmlinuz-KVER and headers;" \
		"run scripts/deps.sh --vm" >&2
	exit 1
fi
printf '%s\n' "$best"
