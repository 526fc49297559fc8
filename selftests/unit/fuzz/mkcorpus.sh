#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkcorpus.sh: write the seed corpus of the libFuzzer targets into
# corpus/<target>/, one small file per case below (hex, spaces ignored).
# The files are kept in the repository; inputs that once crashed a
# target are kept there too, as crash-* files, and are not written here.
set -eu

cd "$(dirname "$0")"

# seed TARGET NAME HEX...
seed()
{
	dir=corpus/$1 name=$2
	shift 2
	mkdir -p "$dir"
	hex=$(echo "$*" | tr -d ' ')
	: >"$dir/$name"
	while [ -n "$hex" ]; do
		rest=${hex#??}
		# shellcheck disable=SC2059 # the format is the byte
		printf "\\$(printf %03o "0x${hex%"$rest"}")" >>"$dir/$name"
		hex=$rest
	done
}

# xtcp_fuzz_wire: a segment.  Fixed header: ports 0x1234 -> 80, seq 1,
# ack 2, then data offset, flags, window 0xffff, checksum, urgent 0.
hdr() # DOFF FLAGS
{
	echo "1234 0050 00000001 00000002 ${1}0 $2 ffff 0000 0000"
}
W=xtcp_fuzz_wire
seed $W ack "$(hdr 5 10)"
seed $W ack_payload "$(hdr 5 18)" 68656c6c6f
seed $W syn_linux "$(hdr a 02)" 020405b4 0402080a 00000001 00000000 01030307
seed $W syn_no_ts "$(hdr 8 02)" 020405b4 01010402 01030307
seed $W ack_ts_sack3 "$(hdr f 10)" 0101080a 00000005 00000006 0101051a \
	00000100 00000200 00000300 00000400 00000500 00000600
seed $W ack_sack4 "$(hdr e 10)" 01010522 00000100 00000200 \
	00000300 00000400 00000500 00000600 fffffff0 00000010
seed $W truncated 1234 0050 00000001 00000002 50 10
seed $W doff_past_len "$(hdr f 10)" 01010101
seed $W doff_below_5 "$(hdr 3 10)"
seed $W wscale_16 "$(hdr 6 02)" 01030310
seed $W optlen_0 "$(hdr 6 02)" 02000000
seed $W optlen_past_end "$(hdr 6 02)" 02080000
seed $W eol_then_mss "$(hdr 7 02)" 00000000 020405b4
seed $W mss_bad_len_then_good "$(hdr 7 02)" 02030502 0405b401
seed $W sack_bad_len "$(hdr 9 10)" 0101050b 00000001 00000002 03010101
seed $W unknown_kind "$(hdr 7 10)" 1e060102 03040101
seed $W kind_at_end "$(hdr 6 02)" 01010102

# xtcp_fuzz_sack: base sequence number, shift, then operations:
# 00 init, 01 add A B, 02 advance A, 03 forget_above A, 04 dsack A B,
# 05/0d/15 fill (0x10: with timestamps) ACK, 06 query S E,
# 07 validate S E UNA NXT WIN FLAGS (1: D-SACK, 2: then the block as two
# raw 32-bit edges, NXT and WIN as distances from UNA); positions are
# 16-bit.
S=xtcp_fuzz_sack
seed $S merge 00000000 00 01 0064 00c8 01 012c 0190 01 00c8 012c 05 0000
seed $S evict 00000000 00 01 0010 0020 01 0030 0040 01 0050 0060 \
	01 0070 0080 01 0090 00a0 15 0000 01 0018 0038 05 0000
seed $S wrap ffffff00 00 01 0000 0100 01 0200 0300 02 0080 03 0280 \
	05 0000 06 0080 00f0
seed $S dsack 12345678 00 01 0100 0200 04 0010 0020 04 0020 0030 \
	15 0050 05 0050 04 0040 0050 04 0100 0110 0d 0100
seed $S validate 00000000 00 07 0100 0200 0050 0300 1000 00 \
	07 0010 0040 0050 0300 0100 01 07 0100 0400 0050 0300 1000 00
seed $S shift14 80000000 0e 01 0001 0002 01 0003 ffff 02 0001 \
	06 0004 0005 05 0000
seed $S empty_inverted 00000000 00 01 0200 0100 01 0100 0100 \
	04 0200 0100 05 0000
seed $S query 00000000 00 01 0100 0200 01 0300 0400 06 0080 0380 \
	06 0100 0200 06 0150 0180 03 0350 02 0150 06 0150 0350
seed $S validate_raw 00001000 00 07 0000 0000 0100 0200 0080 02 00001150 00001200 \
	07 0000 0000 0100 0200 0080 03 000010a0 000010f0 \
	07 0000 0000 0100 0200 0080 02 80001150 00001200
seed $S dsack_full 00000000 00 01 0010 0020 01 0030 0040 01 0050 0060 \
	01 0070 0080 04 0001 0002 15 0000 04 0001 0002 05 0000
seed $S dsack_inside 00000000 00 01 0100 0200 04 0120 0130 05 0000
