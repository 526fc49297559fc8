#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# One side of the two-host test (scripts/twohost.sh boots both VMs):
# bring up the virtio-net link to the other VM, with 198.18.0.1 and
# 2001:2::1 on the server (XTCP_TWOHOST_ROLE=server), 198.18.0.2 and
# 2001:2::2 on the client, then run xtcp_twohost, which meets the other
# side test by test.  Not in tests.list: it needs the other VM.
. "$(dirname "$0")/lib.sh"

case ${XTCP_TWOHOST_ROLE:-} in
server) n=1 ;;
client) n=2 ;;
*)
	echo "1..0 # SKIP XTCP_TWOHOST_ROLE is not server or client"
	exit 4
	;;
esac

# The interface of the NIC the VM was given: the one that is not lo.
nic()
{
	for d in /sys/class/net/*; do
		[ "${d##*/}" = lo ] || { echo "${d##*/}"; return 0; }
	done
	return 1
}

modprobe virtio_pci && modprobe virtio_net || exit 1
wait_for 10 nic || { echo "# no network interface appeared"; exit 1; }
dev=$(nic)
# DAD would hold the IPv6 address back for a second (nodad): the link
# has only these two hosts.
ip addr add "198.18.0.$n/15" dev "$dev" &&
	ip -6 addr add "2001:2::$n/64" dev "$dev" nodad &&
	ip link set "$dev" up || exit 1
ip addr show dev "$dev" | sed 's/^/# /'
exec "$(dirname "$0")/xtcp_twohost"
