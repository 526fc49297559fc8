#!/bin/bash
# mkinitramfs.sh - build the gzip'ed newc initramfs the xtcp VM boots:
# busybox-static (applets in /bin), bash, iproute2 ip/tc/ss in /usr/sbin,
# iperf3, socat and curl when installed (the xtcpize test), kmod
# (/sbin/modprobe & co), the Debian kernel's veth/sch_netem/sch_tbf/tcp_diag
# modules (+deps), xtcp.ko and xtcp_diag.ko in /lib/modules/KVER/extra,
# the installed selftests in /selftests
# (with the shared libraries of every ELF file), and scripts/vm-init.sh as
# /init.  Staging happens in a temp dir under build/.
#
# Usage: scripts/mkinitramfs.sh [--kver KVER] [--modroot DIR]
#            [--module PATH/xtcp.ko] [--tests DIR] [--kmod NAME]...
#            --out FILE.cpio.gz
#   --kver    kernel version (default: scripts/kver.sh)
#   --modroot where the kernel's modules are installed: DIR/lib/modules/KVER
#             (default /; the debug lane's kernel has its own, in its cache
#             entry).  A --kmod that the kernel has built in needs no file:
#             modules.builtin, copied into the initramfs, tells modprobe.
#   --module  out-of-tree module to include (omit: no xtcp.ko)
#   --tests   directory copied to /selftests (should hold run_tests.sh)
#   --kmod    extra module of the Debian kernel to include (repeatable)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRIPTS="$ROOT/scripts"

usage() {
	cat >&2 <<'EOF'
usage: scripts/mkinitramfs.sh [--kver KVER] [--modroot DIR]
           [--module PATH/xtcp.ko] [--tests DIR] [--kmod NAME]...
           --out FILE.cpio.gz
EOF
	exit 2
}

die() {
	echo "mkinitramfs.sh: $*" >&2
	exit 1
}

KVER=""
MODROOT=""
MODULE=""
TESTS=""
OUT=""
KMODS=(veth sch_netem sch_tbf tcp_diag)
while [ $# -gt 0 ]; do
	case $1 in
	--kver) KVER=${2:?}; shift 2 ;;
	--modroot) MODROOT=${2:?}; shift 2 ;;
	--module) MODULE=${2:?}; shift 2 ;;
	--tests) TESTS=${2:?}; shift 2 ;;
	--out) OUT=${2:?}; shift 2 ;;
	--kmod) KMODS+=("${2:?}"); shift 2 ;;
	-h | --help) usage ;;
	*) echo "mkinitramfs.sh: unknown argument: $1" >&2; usage ;;
	esac
done
[ -n "$OUT" ] || usage
[ -n "$KVER" ] || KVER=$("$SCRIPTS/kver.sh")
if [ -n "$MODROOT" ]; then
	MODROOT=$(cd "$MODROOT" && pwd)
	[ "$MODROOT" != / ] || MODROOT=""
fi
# MODDIR: the modules' path in the VM; HMODDIR: where they are on the host.
MODDIR="/lib/modules/$KVER"
HMODDIR="$MODROOT$MODDIR"
[ -f "$HMODDIR/modules.builtin" ] ||
	die "$HMODDIR/modules.builtin not found (linux-image-$KVER installed?)"
if [ -n "$MODULE" ]; then
	[ -f "$MODULE" ] || die "module $MODULE not found"
	MODULE=$(cd "$(dirname "$MODULE")" && pwd)/$(basename "$MODULE")
	vermagic=$(modinfo -F vermagic "$MODULE")
	[ "${vermagic%% *}" = "$KVER" ] ||
		die "$MODULE was built for '${vermagic%% *}', not for $KVER"
fi
if [ -n "$TESTS" ]; then
	[ -d "$TESTS" ] || die "tests directory $TESTS not found"
	TESTS=$(cd "$TESTS" && pwd)
	[ -x "$TESTS/run_tests.sh" ] || echo "mkinitramfs.sh: warning: $TESTS/run_tests.sh is missing or not executable" >&2
fi
case $OUT in /*) ;; *) OUT="$PWD/$OUT" ;; esac
mkdir -p "$(dirname "$OUT")"

mkdir -p "$ROOT/build"
STAGE=$(mktemp -d "$ROOT/build/.initramfs.XXXXXX")
tmp_out="$OUT.tmp.$$"
trap 'rm -rf "$STAGE" "$tmp_out"' EXIT

# copy_file SRC [DEST]: copy SRC (following symlinks) to $STAGE/DEST.
copy_file() {
	local src=$1 dest=${2:-$1}
	mkdir -p "$STAGE$(dirname "$dest")"
	cp -L "$src" "$STAGE$dest"
}

is_elf() {
	[ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]
}

# copy_libs FILE: copy the shared libraries and ELF interpreter FILE needs,
# at the paths ldd reports (the interpreter path is the one in PT_INTERP).
copy_libs() {
	local lib
	is_elf "$1" || return 0
	# "not a dynamic executable" (static) makes ldd fail: nothing to copy
	{ ldd "$1" 2>/dev/null || true; } | awk '
		$2 == "=>" && $3 ~ /^\// { print $3; next }
		$1 ~ /^\// { print $1 }' | while read -r lib; do
		[ -e "$STAGE$lib" ] || copy_file "$lib"
	done
}

# copy_bin SRC DEST: copy an executable and its libraries.
copy_bin() {
	copy_file "$1" "$2"
	chmod 755 "$STAGE$2"
	copy_libs "$1"
}

first_existing() {
	local f
	for f in "$@"; do
		if [ -x "$f" ]; then
			printf '%s\n' "$f"
			return 0
		fi
	done
	return 1
}

chmod 755 "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,lib,etc,root,proc,sys,dev,tmp,run,selftests}
chmod 1777 "$STAGE/tmp"
mkdir -p "$STAGE/var"
ln -s /run "$STAGE/var/run"
mknod -m 600 "$STAGE/dev/console" c 5 1 2>/dev/null || true
mknod -m 666 "$STAGE/dev/null" c 1 3 2>/dev/null || true

# --- busybox ------------------------------------------------------------
BUSYBOX=$(first_existing /bin/busybox /usr/bin/busybox) || die "busybox not found (install busybox-static)"
copy_bin "$BUSYBOX" /bin/busybox
# Applets that must not shadow the real tools copied below.
SKIP_APPLETS=" busybox ip ipneigh tc modprobe insmod rmmod lsmod depmod modinfo bash linuxrc init "
for applet in $("$BUSYBOX" --list); do
	case $SKIP_APPLETS in *" $applet "*) continue ;; esac
	[ -e "$STAGE/bin/$applet" ] || ln -s busybox "$STAGE/bin/$applet"
done

# #!/usr/bin/env interpreters
ln -s /bin/busybox "$STAGE/usr/bin/env"

# --- bash (scripts with #!/bin/bash get normal PATH lookup) -------------
if BASH_BIN=$(first_existing /bin/bash /usr/bin/bash); then
	copy_bin "$BASH_BIN" /bin/bash
fi

# --- iproute2 -----------------------------------------------------------
IP_BIN=$(first_existing /usr/bin/ip /sbin/ip /usr/sbin/ip /bin/ip) || die "iproute2 ip not found"
TC_BIN=$(first_existing /sbin/tc /usr/sbin/tc /usr/bin/tc) || die "iproute2 tc not found"
copy_bin "$IP_BIN" /usr/sbin/ip
copy_bin "$TC_BIN" /usr/sbin/tc
SS_BIN=$(first_existing /usr/bin/ss /bin/ss /usr/sbin/ss /sbin/ss) || die "iproute2 ss not found"
copy_bin "$SS_BIN" /usr/sbin/ss
# netem delay distributions (tc ... netem distribution normal)
for d in /usr/lib/x86_64-linux-gnu/tc /usr/lib/tc /usr/lib64/tc; do
	for f in "$d"/*.dist; do
		[ -f "$f" ] && copy_file "$f"
	done
done

# --- programs the xtcpize test runs over xtcp (deps.sh --eco) ----------
# Optional: without them that test skips its parts.
for prog in iperf3 socat curl; do
	if p=$(first_existing "/usr/bin/$prog" "/bin/$prog"); then
		copy_bin "$p" "/usr/bin/$prog"
	fi
done

# --- kmod ---------------------------------------------------------------
KMOD_BIN=$(first_existing /usr/bin/kmod /bin/kmod /sbin/kmod) || die "kmod not found"
copy_bin "$KMOD_BIN" /usr/bin/kmod
for t in modprobe insmod rmmod lsmod modinfo depmod; do
	ln -s /usr/bin/kmod "$STAGE/sbin/$t"
done

# --- kernel modules -----------------------------------------------------
SMODDIR="$STAGE$MODDIR"
mkdir -p "$SMODDIR"
declare -A DONE_MODS=()

# add_module_file PATH DESTREL: install one .ko (decompressed) and its deps.
add_module_file() {
	local path=$1 rel=$2 deps dep
	case $rel in
	*.ko.xz) rel=${rel%.xz}; mkdir -p "$SMODDIR/$(dirname "$rel")"; xz -dc "$path" >"$SMODDIR/$rel" ;;
	*.ko.zst) rel=${rel%.zst}; mkdir -p "$SMODDIR/$(dirname "$rel")"; zstd -qdc "$path" >"$SMODDIR/$rel" ;;
	*.ko.gz) rel=${rel%.gz}; mkdir -p "$SMODDIR/$(dirname "$rel")"; gzip -dc "$path" >"$SMODDIR/$rel" ;;
	*) mkdir -p "$SMODDIR/$(dirname "$rel")"; cp "$path" "$SMODDIR/$rel" ;;
	esac
	deps=$(modinfo -F depends "$path" | tr ',' ' ')
	for dep in $deps; do
		add_module_by_name "$dep"
	done
}

# add_module_by_name NAME: install a module of the Debian kernel and deps.
add_module_by_name() {
	local name=$1 path
	name=${name//-/_}
	[ -z "${DONE_MODS[$name]:-}" ] || return 0
	DONE_MODS[$name]=1
	path=$(modinfo -b "${MODROOT:-/}" -k "$KVER" -n "$name" 2>/dev/null) ||
		die "kernel module $name not found for $KVER"
	case $path in
	"(builtin)" | "") return 0 ;;
	esac
	add_module_file "$path" "${path#"$HMODDIR"/}"
}

for m in "${KMODS[@]}"; do
	add_module_by_name "$m"
done
if [ -n "$MODULE" ]; then
	mname=$(basename "$MODULE")
	mname=${mname%%.ko*}
	DONE_MODS[${mname//-/_}]=1
	add_module_file "$MODULE" "extra/$(basename "$MODULE")"
	# xtcp_diag.ko, built beside it, goes with it: inet_diag loads it
	# through its alias, which depmod below records.
	diag=$(dirname "$MODULE")/xtcp_diag.ko
	if [ -f "$diag" ]; then
		DONE_MODS[xtcp_diag]=1
		add_module_file "$diag" "extra/xtcp_diag.ko"
	fi
fi
for f in "$HMODDIR"/modules.builtin* "$HMODDIR/modules.order"; do
	[ -e "$f" ] && cp "$f" "$SMODDIR/"
done
depmod -b "$STAGE" "$KVER"

# --- selftests ----------------------------------------------------------
if [ -n "$TESTS" ]; then
	cp -a "$TESTS/." "$STAGE/selftests/"
	while IFS= read -r -d '' f; do
		copy_libs "$f"
	done < <(find "$STAGE/selftests" -type f -print0)
fi

# --- /init and /etc -----------------------------------------------------
cp "$SCRIPTS/vm-init.sh" "$STAGE/init"
chmod 755 "$STAGE/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$STAGE/etc/passwd"
printf 'root:x:0:\ntty:x:5:\n' >"$STAGE/etc/group"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$STAGE/etc/hosts"
printf 'passwd: files\ngroup: files\nhosts: files\n' >"$STAGE/etc/nsswitch.conf"
cat >"$STAGE/etc/profile" <<'EOF'
# xtcp VM: busybox sh prefers its applets over PATH; use the real tools.
export PATH=/usr/sbin:/sbin:/usr/bin:/bin
ip() { /usr/sbin/ip "$@"; }
tc() { /usr/sbin/tc "$@"; }
modprobe() { /sbin/modprobe "$@"; }
insmod() { /sbin/insmod "$@"; }
rmmod() { /sbin/rmmod "$@"; }
lsmod() { /sbin/lsmod "$@"; }
modinfo() { /sbin/modinfo "$@"; }
EOF
printf '%s\n' "$KVER" >"$STAGE/etc/xtcp-kver"

# --- archive ------------------------------------------------------------
(cd "$STAGE" && find . -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --quiet) | gzip -6 -n >"$tmp_out"
mv -f "$tmp_out" "$OUT"
echo "mkinitramfs.sh: wrote $OUT ($(du -h "$OUT" | cut -f1), kernel $KVER${MODULE:+, with $(basename "$MODULE")})" >&2
