/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A hand-made peer in namespace b of xtcp_ns.h's two hosts: a raw
 * socket that builds every segment it sends and reads what a answers,
 * for tests that need a peer to misbehave exactly as they say.
 *
 * Two kinds.  The first is a raw socket of xtcp at b's own address, with
 * xtcp off in b, so that b's xtcp does not answer a's segments.  The
 * second, the phantom peer, is at ADDR_P, an address of the link that no
 * host has: a reaches it through a permanent neighbour entry with a MAC
 * nobody has, so b's veth0 takes a's datagrams to it for another host's
 * and drops them before IP (no reset, no ICMP from b's kernel), while a
 * packet socket on b's veth0 reads them; the peer sends through a raw
 * socket that writes its own IP header.  Nothing in it depends on the
 * protocol, so the same test runs over Linux TCP and over xtcp (b's TCP
 * would answer every segment of a's to b's own address with a reset).
 * xtcp_race's peers work the same way within one namespace.
 *
 * Over IPv6 the phantom peer works alike: a and b get addresses of the
 * benchmarking range (ADDR_A6, ADDR_B6, without duplicate address
 * detection), the phantom is at ADDR_P6 behind a permanent neighbour
 * entry of a's, reads a's datagrams with a packet socket of ETH_P_IPV6
 * and sends through a raw IPv6 socket that writes its own IPv6 header
 * (the checksum over the IPv6 pseudo-header computed here).
 */
#ifndef _XTCP_PEER_H
#define _XTCP_PEER_H

#include "xtcp_ns.h"
#include "xtcp_raw.h"

/* The phantom peer's address, and the MAC a sends its datagrams to. */
#define ADDR_P	"198.18.0.9"
#define MAC_P	"02:00:00:00:00:09"

/* The same over IPv6 (2001:2::/48, RFC 5180's benchmarking range). */
#define ADDR_A6	"2001:2::1"
#define ADDR_B6	"2001:2::2"
#define ADDR_P6	"2001:2::9"

/*
 * A hand-made peer in b.  The first kind: @raw a raw socket of xtcp, with
 * xtcp off in b so that b's own xtcp does not answer the segments a sends
 * it (it sends "protocol unreachable" instead, which a's connection
 * takes as a soft error).  The phantom peer: @raw a raw socket for whole
 * datagrams, @pkt the packet socket reading a's, @proto IPPROTO_TCP or
 * IPPROTO_XTCP.
 */
struct raw_peer {
	int raw;
	int pkt;		/* the phantom's packet socket */
	bool phantom;
	int proto;		/* the phantom's protocol */
	uint32_t a, b;		/* addresses, network order */
	int family;		/* AF_INET6 for a6 and b6; else AF_INET */
	struct in6_addr a6, b6;	/* the phantom's IPv6 addresses */
	struct xtcp_seg_hdr h;	/* b's next segment */
	uint16_t mss;		/* the MSS its SYN announces; 0 for 1000 */
	bool ts;		/* its SYN offers timestamps (RFC 7323) */
};

/* The protocol the peer speaks. */
static inline int raw_peer_proto(const struct raw_peer *p)
{
	return p->phantom ? p->proto : IPPROTO_XTCP;
}

/* The socket the peer reads a's segments on. */
static inline int raw_peer_rx_fd(const struct raw_peer *p)
{
	return p->phantom ? p->pkt : p->raw;
}

/*
 * Is @buf (@len bytes read from the phantom's packet socket) a segment
 * of its protocol from a?  Its header then goes to *@h; 0 or -1.
 */
static inline int phantom_peer_parse(const struct raw_peer *p,
				     const uint8_t *buf, size_t len,
				     struct xtcp_seg_hdr *h)
{
	size_t off;

	if (p->family == AF_INET6) {
		if (len < 40 || buf[0] >> 4 != 6 || buf[6] != p->proto ||
		    memcmp(buf + 8, &p->a6, 16))
			return -1;
		if (40 + xtcp_get_be16(buf + 4) < len)
			len = 40 + xtcp_get_be16(buf + 4);
		off = 40;
	} else {
		if (len < 20 || buf[9] != p->proto || memcmp(buf + 12, &p->a, 4))
			return -1;
		if (xtcp_get_be16(buf + 2) < len)
			len = xtcp_get_be16(buf + 2);
		off = (buf[0] & 0x0f) * 4;
	}
	return len < off || xtcp_hdr_decode(h, buf + off, len - off) ? -1 : 0;
}

/* Close the peer's sockets. */
static inline void raw_peer_close(struct raw_peer *p)
{
	if (p->raw >= 0)
		close(p->raw);
	if (p->phantom && p->pkt >= 0)
		close(p->pkt);
	p->raw = -1;
	p->pkt = -1;
}

static inline int raw_peer_send(struct raw_peer *p, uint32_t seq,
				uint8_t flags, const uint8_t *data,
				size_t plen)
{
	uint8_t seg[XTCP_HDR_MAX_LEN + 200];
	struct xtcp_seg_hdr h = p->h;
	size_t len;

	h.seq = seq;
	h.flags = flags;
	if (p->family == AF_INET6) {
		len = xtcp_build_seg6(seg, &h, data, plen, &p->b6, &p->a6,
				      raw_peer_proto(p));
		return xtcp_raw_send_ip6_proto(p->raw, &p->b6, &p->a6,
					       p->proto, seg, len);
	}
	len = xtcp_build_seg(seg, &h, data, plen, p->b, p->a,
			     raw_peer_proto(p));
	if (p->phantom)
		return xtcp_raw_send_ip_proto(p->raw, p->b, p->a, p->proto,
					      seg, len);
	return xtcp_raw_send_to(p->raw, ADDR_A, seg, len);
}

/*
 * The next segment (within 3 s) a sends from PORT_A to the peer's port
 * @dport with at least the @flags bits set, with its options decoded;
 * when @data is not NULL, up to @cap bytes of its payload go there, and
 * its length to *@dlen if @dlen is not NULL.  0 or -ETIMEDOUT.
 */
static inline int raw_peer_recv_from(struct raw_peer *p, uint16_t dport,
				     uint8_t flags, struct xtcp_seg_hdr *h,
				     struct xtcp_opts *o, uint8_t *data,
				     size_t cap, size_t *dlen)
{
	uint8_t opts[40];
	size_t optlen;
	int err;

	if (p->family == AF_INET6)
		err = xtcp_ip6_recv_data(raw_peer_rx_fd(p), p->phantom,
					 raw_peer_proto(p), &p->a6, PORT_A,
					 dport, flags, h, opts, &optlen, data,
					 cap, dlen);
	else
		err = xtcp_ip_recv_data(raw_peer_rx_fd(p), raw_peer_proto(p),
					p->a, PORT_A, dport, flags, h, opts,
					&optlen, data, cap, dlen);
	memset(o, 0, sizeof(*o));
	if (!err)
		xtcp_opts_decode(o, opts, optlen);
	return err;
}

/* The next segment a sends the peer, with its options decoded. */
static inline int raw_peer_recv(struct raw_peer *p, struct xtcp_seg_hdr *h,
				struct xtcp_opts *o)
{
	return raw_peer_recv_from(p, PORT_B, XTCP_FLAG_ACK, h, o, NULL, 0,
				  NULL);
}

/*
 * raw_peer_recv() that also copies up to @cap bytes of the segment's
 * payload to @data, its length to *@dlen.
 */
static inline int raw_peer_recv_data(struct raw_peer *p,
				     struct xtcp_seg_hdr *h,
				     struct xtcp_opts *o, uint8_t *data,
				     size_t cap, size_t *dlen)
{
	return raw_peer_recv_from(p, PORT_B, XTCP_FLAG_ACK, h, o, data, cap,
				  dlen);
}

/*
 * A connection from the hand-made peer in b to a listener in a, which
 * offers SACK and window scale 0, and timestamps if @p->ts (then its
 * segments carry h.opt's, with a's SYN-ACK's echoed); returns the
 * accepted socket or -1.
 */
static inline int raw_peer_connect(struct raw_peer *p, int lfd,
				   uint32_t *a_isn)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	struct xtcp_seg_hdr sa;
	struct xtcp_opts o;

	p->h.opt.present = XTCP_OPTF_MSS | XTCP_OPTF_SACK_PERM |
			   XTCP_OPTF_WSCALE | (p->ts ? XTCP_OPTF_TS : 0);
	p->h.opt.mss = p->mss ? : 1000;
	p->h.opt.tsval = 1;
	p->h.opt.tsecr = 0;
	p->h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p->h.opt);
	if (raw_peer_send(p, p->h.seq, XTCP_FLAG_SYN, NULL, 0) ||
	    raw_peer_recv(p, &sa, &o))
		return -1;
	p->h.opt.present = p->ts ? XTCP_OPTF_TS : 0;
	p->h.opt.tsecr = o.tsval;
	p->h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p->h.opt);
	p->h.ack = sa.seq + 1;
	*a_isn = sa.seq;
	if (raw_peer_send(p, ++p->h.seq, XTCP_FLAG_ACK, NULL, 0) ||
	    poll(&pfd, 1, 5000) != 1)
		return -1;
	return accept(lfd, NULL, NULL);
}

/*
 * The hand-made peer in @b (whose xtcp is off, so that the kernel leaves
 * its segments to the raw socket) at @baddr, an address of @b, facing a
 * listener in @a (*@lfd) with backlog @backlog, and announcing an MSS of
 * @mss (0 for 1000) when it connects; the caller is left in @b.  a's
 * runs of segments are cut in front of its veth0 (tx-gso-list off), so
 * the peer reads one segment per packet.  0 or -1.
 */
static inline int raw_peer_open_at(const char *a, const char *b,
				   const char *baddr, uint16_t mss,
				   int backlog, struct raw_peer *p, int *lfd)
{
	struct sockaddr_in src = xtcp_addr(baddr, 0);

	*p = (struct raw_peer){
		.raw = -1,
		.a = inet_addr(ADDR_A),
		.b = inet_addr(baddr),
		.h = { .sport = PORT_B, .dport = PORT_A, .seq = 1000,
		       .doff = XTCP_HDR_LEN, .window = 65535 },
		.mss = mss,
	};
	if (ns_sh(b, "echo 0 > /proc/sys/net/xtcp/enabled") || enter_ns(a) ||
	    ethtool_feature_off("veth0", "tx-gso-list"))
		return -1;
	*lfd = bound_socket(IPPROTO_XTCP, ADDR_A, PORT_A, true);
	if (*lfd < 0 || listen(*lfd, backlog) || enter_ns(b))
		return -1;
	p->raw = socket(AF_INET, SOCK_RAW, IPPROTO_XTCP);
	if (p->raw < 0 ||
	    bind(p->raw, (struct sockaddr *)&src, sizeof(src)))
		return -1;
	return 0;
}

/* a's address facing the phantom peer of @family. */
static inline const char *peer_addr_a(int family)
{
	return family == AF_INET6 ? ADDR_A6 : ADDR_A;
}

/* The phantom peer's address of @family. */
static inline const char *peer_addr_p(int family)
{
	return family == AF_INET6 ? ADDR_P6 : ADDR_P;
}

/* The MAC address of veth0 in @ns, as text in @mac (18 bytes); 0 or -1. */
static inline int peer_veth_mac(const char *ns, char *mac)
{
	struct ifreq ifr = { 0 };
	unsigned char *m;
	int fd, err;

	if (enter_ns(ns))
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	strcpy(ifr.ifr_name, "veth0");
	err = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (err)
		return -1;
	m = (unsigned char *)ifr.ifr_hwaddr.sa_data;
	snprintf(mac, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	return 0;
}

/*
 * IPv6 addresses for a (ADDR_A6) and b (ADDR_B6) on their veth0, usable
 * at once (nodad), whether or not hosts_up_af() gave them already (as
 * xtcp_link.h's xtcp6 variants do), a's permanent neighbour entry for
 * ADDR_P6, and b's
 * for ADDR_A6: no neighbour discovery delays the peer's first segment,
 * whose first solicitation would otherwise go unanswered now and then
 * and hold it for a retransmission's second (the peer sends each
 * segment once).
 */
static inline int phantom_peer_ipv6(const char *a, const char *b)
{
	char mac[18];

	if (peer_veth_mac(a, mac))
		return -1;
	return sh(IP " -n %s addr replace " ADDR_A6 "/64 dev veth0 nodad && "
		  IP " -n %s neigh replace " ADDR_P6 " lladdr " MAC_P
		  " dev veth0 nud permanent && "
		  IP " -n %s addr replace " ADDR_B6 "/64 dev veth0 nodad && "
		  IP " -n %s neigh replace " ADDR_A6
		  " lladdr %s dev veth0 nud permanent",
		  a, a, b, b, mac) ? -1 : 0;
}

/*
 * The phantom peer of @proto, at ADDR_P in @b, as the top of this file
 * says, or over IPv6 (@family AF_INET6) at ADDR_P6; the caller is left
 * in @b.  a's veth0 sends single segments (no segmentation offload), so
 * the peer reads one segment per packet, for Linux TCP as for xtcp.
 * 0 or -1.
 */
static inline int phantom_peer_init_family(const char *a, const char *b,
					   int family, int proto,
					   struct raw_peer *p)
{
	if (family == AF_INET6) {
		*p = (struct raw_peer){
			.raw = -1,
			.pkt = -1,
			.phantom = true,
			.proto = proto,
			.family = AF_INET6,
			.h = { .sport = PORT_B, .dport = PORT_A, .seq = 1000,
			       .doff = XTCP_HDR_LEN, .window = 65535 },
		};
		if (inet_pton(AF_INET6, ADDR_A6, &p->a6) != 1 ||
		    inet_pton(AF_INET6, ADDR_P6, &p->b6) != 1 ||
		    phantom_peer_ipv6(a, b) || segments_only(a) ||
		    enter_ns(b))
			return -1;
		p->raw = xtcp_raw6_hdrincl_socket();
		p->pkt = xtcp_packet_socket_proto("veth0", ETH_P_IPV6);
		return p->raw < 0 || p->pkt < 0 ? -1 : 0;
	}
	*p = (struct raw_peer){
		.raw = -1,
		.pkt = -1,
		.phantom = true,
		.proto = proto,
		.a = inet_addr(ADDR_A),
		.b = inet_addr(ADDR_P),
		.h = { .sport = PORT_B, .dport = PORT_A, .seq = 1000,
		       .doff = XTCP_HDR_LEN, .window = 65535 },
	};
	if (ns_sh(a, IP " neigh replace " ADDR_P " lladdr " MAC_P
		  " dev veth0 nud permanent") ||
	    segments_only(a) || enter_ns(b))
		return -1;
	p->raw = xtcp_raw_hdrincl_socket();
	p->pkt = xtcp_packet_socket("veth0");
	return p->raw < 0 || p->pkt < 0 ? -1 : 0;
}

/* phantom_peer_init_family() over IPv4. */
static inline int phantom_peer_init(const char *a, const char *b, int proto,
				    struct raw_peer *p)
{
	return phantom_peer_init_family(a, b, AF_INET, proto, p);
}

/*
 * phantom_peer_open() over @family: the listener on ADDR_A6 for IPv6.
 */
static inline int phantom_peer_open_family(const char *a, const char *b,
					   int family, int proto,
					   uint16_t mss, int backlog,
					   struct raw_peer *p, int *lfd)
{
	if (phantom_peer_init_family(a, b, family, proto, p) || enter_ns(a))
		return -1;
	p->mss = mss;
	*lfd = bound_socket(proto, peer_addr_a(family), PORT_A, true);
	if (*lfd < 0 || listen(*lfd, backlog))
		return -1;
	return enter_ns(b);
}

/*
 * The phantom peer of @proto facing a listener of @proto in @a (*@lfd)
 * with backlog @backlog, and announcing an MSS of @mss (0 for 1000)
 * when it connects; the caller is left in @b.  0 or -1.
 */
static inline int phantom_peer_open(const char *a, const char *b, int proto,
				    uint16_t mss, int backlog,
				    struct raw_peer *p, int *lfd)
{
	return phantom_peer_open_family(a, b, AF_INET, proto, mss, backlog,
					p, lfd);
}

/*
 * The hand-made peer of xtcp over @family facing a listener of xtcp in
 * @a (*@lfd) with backlog @backlog, announcing an MSS of @mss (0 for
 * 1000); the caller is left in @b.  Over IPv4 the first kind, at b's
 * own address ADDR_B (raw_peer_open_at()); over IPv6 the phantom peer
 * at ADDR_P6, facing ADDR_A6.  Either sends and reads the segments of
 * the same scripts: the helpers below take the family from @p.  0 or -1.
 */
static inline int raw_peer_open_family(const char *a, const char *b,
				       int family, uint16_t mss, int backlog,
				       struct raw_peer *p, int *lfd)
{
	if (family == AF_INET6)
		return phantom_peer_open_family(a, b, AF_INET6, IPPROTO_XTCP,
						mss, backlog, p, lfd);
	return raw_peer_open_at(a, b, ADDR_B, mss, backlog, p, lfd);
}

/*
 * Once the peer is open: it connects to the listener *@lfd, offering
 * timestamps if @ts; the accepted socket, or -1.  *@s0 gets the
 * sequence number of a's first byte of data.
 */
static inline int raw_peer_setup_open(struct raw_peer *p, bool ts, int *lfd,
				      uint32_t *s0)
{
	int fd;

	p->ts = ts;
	fd = raw_peer_connect(p, *lfd, s0);
	(*s0)++;
	return fd;
}

/*
 * raw_peer_open_at() with backlog 1, then connected, offering
 * timestamps if @ts: the accepted socket, or -1; *@s0 gets the sequence
 * number of a's first byte of data.
 */
static inline int raw_peer_setup_from(const char *a, const char *b,
				      const char *baddr, uint16_t mss,
				      bool ts, struct raw_peer *p, int *lfd,
				      uint32_t *s0)
{
	if (raw_peer_open_at(a, b, baddr, mss, 1, p, lfd))
		return -1;
	return raw_peer_setup_open(p, ts, lfd, s0);
}

/*
 * raw_peer_open_family() with backlog 1, then connected as
 * raw_peer_setup_from() is: the accepted socket, or -1.
 */
static inline int raw_peer_setup_family(const char *a, const char *b,
					int family, bool ts,
					struct raw_peer *p, int *lfd,
					uint32_t *s0)
{
	if (raw_peer_open_family(a, b, family, 0, 1, p, lfd))
		return -1;
	return raw_peer_setup_open(p, ts, lfd, s0);
}

/* raw_peer_setup_from() b's address on the link, ADDR_B. */
static inline int raw_peer_setup(const char *a, const char *b,
				 struct raw_peer *p, int *lfd, uint32_t *s0)
{
	return raw_peer_setup_from(a, b, ADDR_B, 0, false, p, lfd, s0);
}

/* raw_peer_setup() with timestamps (RFC 7323) offered. */
static inline int raw_peer_setup_ts(const char *a, const char *b,
				    struct raw_peer *p, int *lfd, uint32_t *s0)
{
	return raw_peer_setup_from(a, b, ADDR_B, 0, true, p, lfd, s0);
}

/* Wait for a data segment from a starting at @seq; 0 or -ETIMEDOUT. */
static inline int raw_peer_wait_seq(struct raw_peer *p, uint32_t seq)
{
	long long deadline = xtcp_now_ms() + 3000;
	struct xtcp_seg_hdr h;
	struct xtcp_opts o;

	while (xtcp_now_ms() < deadline)
		if (!raw_peer_recv(p, &h, &o) && h.seq == seq)
			return 0;
	return -ETIMEDOUT;
}

/* A connection from the hand-made peer in b to a listener in a. */
struct peer_conn {
	char a[32], b[32];	/* the namespaces */
	struct raw_peer p;
	int lfd, fd;		/* a's listener and connected socket */
	uint32_t s0;		/* a's next sequence number */
	uint32_t r0;		/* the peer's next sequence number */
};

/*
 * Counter @name (xtcp's name, xtcp_proto_counter()) of @proto in
 * namespace @ns, from @here.
 */
static inline long ns_proto_counter(const char *ns, const char *here,
				    int proto, const char *name)
{
	long v;

	if (enter_ns(ns))
		return -1;
	v = xtcp_proto_counter(proto, name);
	return enter_ns(here) ? -1 : v;
}

/* Counter @name of /proc/net/xtcp_stat in namespace @ns, from @here. */
static inline long ns_counter(const char *ns, const char *here,
			      const char *name)
{
	return ns_proto_counter(ns, here, IPPROTO_XTCP, name);
}

/* Counter @name of a's protocol in a, read from b where the peer lives. */
static inline long peer_a_counter(struct peer_conn *c, const char *name)
{
	return ns_proto_counter(c->a, c->b, raw_peer_proto(&c->p), name);
}

/*
 * Wait (up to 5 s) until a has taken in @n more segments than @before:
 * processed then, or in a held socket's backlog.
 */
static inline int peer_wait_in_segs(struct peer_conn *c, long before, long n)
{
	long long deadline = xtcp_now_ms() + 5000;

	while (xtcp_now_ms() < deadline) {
		if (peer_a_counter(c, "InSegs") >= before + n)
			return 0;
		usleep(2000);
	}
	return -ETIMEDOUT;
}

/*
 * Once c->fd is accepted: the peer sends a 100 bytes, which a
 * acknowledges; 0 or -1.
 */
static inline int peer_conn_greet(struct peer_conn *c)
{
	uint8_t data[100] = { 1, 2, 3 };
	struct xtcp_seg_hdr ack;
	struct xtcp_opts o;

	if (c->fd < 0)
		return -1;
	c->r0 = c->p.h.seq;
	c->p.h.ack = c->s0;
	if (raw_peer_send(&c->p, c->r0, XTCP_FLAG_ACK, data, sizeof(data)) ||
	    raw_peer_recv(&c->p, &ack, &o) ||
	    ack.ack != c->r0 + sizeof(data))
		return -1;
	c->r0 += sizeof(data);
	return 0;
}

/*
 * The peer connects from @baddr, an address of b, announcing the MSS in
 * c->p.mss (0 for 1000), and sends a 100 bytes, which a acknowledges;
 * 0 or -1.
 */
static inline int peer_conn_open(struct peer_conn *c, const char *baddr)
{
	c->fd = raw_peer_setup_from(c->a, c->b, baddr, c->p.mss, false,
				    &c->p, &c->lfd, &c->s0);
	return peer_conn_greet(c);
}

/*
 * peer_conn_open() from the phantom peer of @proto over @family, which
 * a's socket of @proto accepts; 0 or -1.
 */
static inline int peer_conn_open_phantom_family(struct peer_conn *c,
						int family, int proto)
{
	if (phantom_peer_open_family(c->a, c->b, family, proto, c->p.mss, 1,
				     &c->p, &c->lfd))
		return -1;
	c->fd = raw_peer_connect(&c->p, c->lfd, &c->s0);
	c->s0++;
	return peer_conn_greet(c);
}

/* peer_conn_open_phantom_family() over IPv4. */
static inline int peer_conn_open_phantom(struct peer_conn *c, int proto)
{
	return peer_conn_open_phantom_family(c, AF_INET, proto);
}

/* Send @len bytes at the peer's r0 + @off; a's answer in *@ack, *@o. */
static inline int peer_data_at(struct peer_conn *c, uint32_t off,
			       size_t len, struct xtcp_seg_hdr *ack,
			       struct xtcp_opts *o)
{
	uint8_t data[200] = { 0 };

	if (len > sizeof(data) ||
	    raw_peer_send(&c->p, c->r0 + off, XTCP_FLAG_ACK, data, len))
		return -1;
	return raw_peer_recv(&c->p, ack, o);
}

/*
 * Close what peer_conn_open() opened; a's socket with a RST, as the
 * peer would never acknowledge a FIN.
 */
static inline void peer_conn_close(struct peer_conn *c)
{
	if (c->fd >= 0)
		xtcp_reset_close(c->fd);
	if (c->lfd >= 0)
		close(c->lfd);
	raw_peer_close(&c->p);
}

/*
 * a sends @n segments of 1000 bytes back to back (TCP_NODELAY) to the
 * hand-made peer, from @s0: 0 once the peer saw them all, or -1.
 */
static inline int raw_peer_flight(struct raw_peer *p, int fd, uint32_t s0,
				  unsigned int n)
{
	static const uint8_t data[8000];
	unsigned int i;

	if (n * 1000 > sizeof(data) ||
	    xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1) ||
	    write(fd, data, n * 1000) != n * 1000)
		return -1;
	for (i = 0; i < n; i++)
		if (raw_peer_wait_seq(p, s0 + i * 1000))
			return -1;
	return 0;
}

/*
 * A duplicate ACK from the hand-made peer, acknowledging up to @s0, with
 * the @n SACK blocks @blk (offsets from @s0); 0 or -1.
 */
static inline int raw_peer_sack(struct raw_peer *p, uint32_t s0,
				const uint32_t blk[][2], unsigned int n)
{
	unsigned int i;

	p->h.ack = s0;
	p->h.opt.present = XTCP_OPTF_SACK;
	p->h.opt.num_sacks = n;
	for (i = 0; i < n; i++) {
		p->h.opt.sack[i].start = s0 + blk[i][0];
		p->h.opt.sack[i].end = s0 + blk[i][1];
	}
	p->h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p->h.opt);
	return raw_peer_send(p, p->h.seq, XTCP_FLAG_ACK, NULL, 0);
}

/*
 * The hand-made peer acknowledges a's first segment (a's data starting
 * at @s0), then sends three duplicate ACKs whose SACK block, from
 * @s0 + @sacked, grows by a segment each; 0 or -1.
 */
static inline int raw_peer_three_dupacks(struct raw_peer *p, uint32_t s0,
					 uint32_t sacked)
{
	int i;

	p->h.ack = s0 + 1000;
	if (raw_peer_send(p, p->h.seq, XTCP_FLAG_ACK, NULL, 0))
		return -1;
	for (i = 0; i < 3; i++) {
		const uint32_t blk[1][2] = {
			{ sacked - 1000, sacked + i * 1000 } };

		if (raw_peer_sack(p, s0 + 1000, blk, 1))
			return -1;
	}
	return 0;
}

/*
 * The hand-made peer acknowledges all up to @ack, without SACK blocks;
 * what a's @fd still has queued once it cleared that (up to 5 s), or -1.
 */
static inline int raw_peer_ack_all(struct raw_peer *p, int fd, uint32_t ack)
{
	int i;

	p->h.opt.present = 0;
	p->h.doff = XTCP_HDR_LEN;
	p->h.ack = ack;
	if (raw_peer_send(p, p->h.seq, XTCP_FLAG_ACK, NULL, 0))
		return -1;
	for (i = 0; i < 500 && xtcp_ioctl_int(fd, SIOCOUTQ); i++)
		usleep(10000);
	return xtcp_ioctl_int(fd, SIOCOUTQ);
}

/*
 * The hand-made peer acknowledges up to @ack with one D-SACK block,
 * [@start, @end), data it received twice (RFC 2883); 0 or -1.
 */
static inline int raw_peer_dsack(struct raw_peer *p, uint32_t ack,
				 uint32_t start, uint32_t end)
{
	p->h.ack = ack;
	p->h.opt.present = XTCP_OPTF_SACK;
	p->h.opt.num_sacks = 1;
	p->h.opt.sack[0].start = start;
	p->h.opt.sack[0].end = end;
	p->h.doff = XTCP_HDR_LEN + xtcp_opts_len(&p->h.opt);
	return raw_peer_send(p, p->h.seq, XTCP_FLAG_ACK, NULL, 0);
}

/* The next segment from a that starts at @seq, with its options. */
static inline int raw_peer_seg_at(struct raw_peer *p, uint32_t seq,
				  struct xtcp_opts *o)
{
	struct xtcp_seg_hdr h;

	do {
		if (raw_peer_recv(p, &h, o))
			return -1;
	} while (h.seq != seq);
	return 0;
}

#endif /* _XTCP_PEER_H */
