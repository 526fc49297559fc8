// SPDX-License-Identifier: GPL-2.0
/*
 * sock_diag (NETLINK_SOCK_DIAG, inet_diag) over xtcp's xtcp_diag.ko and
 * Linux TCP's tcp_diag.ko, with the same expectations: what a dump lists
 * (listener, both ends of a connection, TIME_WAIT), with which queues,
 * owner and inode; TCP_INFO and the congestion control as attributes;
 * state, port and bytecode filters; the lookup of one socket and its
 * cookie check; SOCK_DESTROY and its privilege check.  And that
 * inet_diag loads xtcp_diag.ko by its alias on the first request.
 *
 * The fixture runs over IPv4 (variants tcp, xtcp) and over IPv6 on ::1
 * (tcp6, xtcp6) with the same test bodies: each dump, lookup and
 * destroy asks in the fixture's family (diag_family), and a dump of the
 * other family must not list the fixture's sockets.  A dual-stack
 * listener's sockets are AF_INET6 ones with v4-mapped addresses.
 */
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "xtcp_test.h"
#include "xtcp_ns.h"
#include "../tools/xtcp-ss/xtcp_diag_dump.h"
#include "kselftest_harness.h"

#define PORT		7310
#define DIAG_MAX	16

/* The family the fixture's sockets are of, and its requests ask for. */
static int diag_family = AF_INET;

/* What one inet_diag message said. */
struct diag_entry {
	struct inet_diag_msg msg;
	bool has_mark;
	__u32 mark;
	bool has_info;
	struct tcp_info info;
	char cong[16];
};

/* All states, as ss asks for them. */
#define DIAG_ALL_STATES	0xfff

struct diag_req {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 r;
	struct nlattr bc_hdr;
	unsigned char bc[64];
};

static void diag_parse_attrs(struct diag_entry *e, const struct nlmsghdr *h)
{
	struct nlattr *a = (void *)((char *)NLMSG_DATA(h) +
				    NLMSG_ALIGN(sizeof(e->msg)));
	int left = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(e->msg)));

	while (left >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= left) {
		size_t len = a->nla_len - NLA_HDRLEN;
		void *data = (char *)a + NLA_HDRLEN;

		if (a->nla_type == INET_DIAG_INFO) {
			e->has_info = true;
			memcpy(&e->info, data, len < sizeof(e->info) ?
			       len : sizeof(e->info));
		} else if (a->nla_type == INET_DIAG_MARK && len == 4) {
			e->has_mark = true;
			memcpy(&e->mark, data, 4);
		} else if (a->nla_type == INET_DIAG_CONG) {
			snprintf(e->cong, sizeof(e->cong), "%.*s", (int)len,
				 (char *)data);
		}
		left -= NLA_ALIGN(a->nla_len);
		a = (void *)((char *)a + NLA_ALIGN(a->nla_len));
	}
}

/* Replies are read here; the race test talks from several threads. */
static __thread char buf[65536];

/* Where diag_talk() puts what it reads: room for @max in @e, @n read. */
struct diag_out {
	struct diag_entry *e;
	int max;
	int n;
};

static void diag_take(const struct nlmsghdr *h, void *arg)
{
	struct diag_out *o = arg;

	if (o->n < o->max) {
		memset(&o->e[o->n], 0, sizeof(o->e[o->n]));
		memcpy(&o->e[o->n].msg, NLMSG_DATA(h), sizeof(o->e[o->n].msg));
		diag_parse_attrs(&o->e[o->n], h);
	}
	o->n++;
}

/*
 * Send @q and read the replies into @out: the number of entries, or
 * -errno from an NLMSG_ERROR (SOCK_DESTROY's answer: 0 on success).
 */
static int diag_talk(struct diag_req *q, struct diag_entry *out, int max)
{
	struct diag_out o = { .e = out, .max = max };
	int fd, ret;

	fd = xtcp_diag_open();
	if (fd < 0)
		return fd;
	ret = xtcp_diag_send(fd, q, q->nlh.nlmsg_len);
	if (!ret)
		ret = xtcp_diag_read(fd, buf, sizeof(buf),
				     !(q->nlh.nlmsg_flags & NLM_F_DUMP),
				     diag_take, &o);
	close(fd);
	return ret < 0 ? ret : o.n;
}

static void diag_req_init(struct diag_req *q, int proto, __u16 type,
			  __u16 flags)
{
	memset(q, 0, sizeof(*q));
	q->nlh.nlmsg_len = NLMSG_LENGTH(sizeof(q->r));
	q->nlh.nlmsg_type = type;
	q->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	q->r.sdiag_family = diag_family;
	q->r.sdiag_protocol = proto;
	q->r.idiag_states = DIAG_ALL_STATES;
	q->r.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	q->r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
}

static void diag_req_bytecode(struct diag_req *q, const void *bc, size_t len)
{
	q->bc_hdr.nla_type = INET_DIAG_REQ_BYTECODE;
	q->bc_hdr.nla_len = NLA_HDRLEN + len;
	memcpy(q->bc, bc, len);
	q->nlh.nlmsg_len = NLMSG_ALIGN(q->nlh.nlmsg_len) +
			   NLA_ALIGN(q->bc_hdr.nla_len);
}

static int diag_dump(int proto, __u32 states, __u8 ext,
		     struct diag_entry *out, int max)
{
	struct diag_req q;

	diag_req_init(&q, proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.idiag_states = states;
	q.r.idiag_ext = ext;
	return diag_talk(&q, out, max);
}

/* The loopback address of diag_family as inet_diag_sockid holds it. */
static void diag_loopback_id(__be32 addr[4])
{
	memset(addr, 0, 16);
	if (diag_family == AF_INET6)
		memcpy(addr, &in6addr_loopback, 16);
	else
		addr[0] = htonl(INADDR_LOOPBACK);
}

/* The loopback address of diag_family and @port; its length. */
static socklen_t diag_loopback_sa(struct sockaddr_storage *ss,
				  unsigned short port)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (diag_family == AF_INET6) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		a6->sin6_addr = in6addr_loopback;
		return sizeof(*a6);
	}
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*a);
}

/* "127.0.0.1:PORT" or "[::1]:PORT", as ss prints a loopback end. */
static void diag_loopback_str(char *buf, size_t len, unsigned short port)
{
	snprintf(buf, len, diag_family == AF_INET6 ? "[::1]:%u" :
		 "127.0.0.1:%u", port);
}

/* The request naming the socket whose local end is @lport, remote @rport. */
static void diag_req_tuple(struct diag_req *q, unsigned short lport,
			   unsigned short rport)
{
	q->r.id.idiag_sport = htons(lport);
	q->r.id.idiag_dport = htons(rport);
	diag_loopback_id(q->r.id.idiag_src);
	if (rport)
		diag_loopback_id(q->r.id.idiag_dst);
}

/* Is @addr, an inet_diag_sockid address, the loopback of diag_family? */
static bool diag_is_loopback(const __be32 addr[4])
{
	__be32 lo[4];

	diag_loopback_id(lo);
	return !memcmp(lo, addr, sizeof(lo));
}

/* /proc/net/tcp or /proc/net/xtcp, of diag_family. */
static const char *diag_proc_path(int proto)
{
	if (diag_family == AF_INET6)
		return proto == IPPROTO_TCP ? "/proc/net/tcp6" :
		       "/proc/net/xtcp6";
	return proto == IPPROTO_TCP ? "/proc/net/tcp" : "/proc/net/xtcp";
}

/* The entry with local port @lport and remote port @rport, or NULL. */
static struct diag_entry *diag_find(struct diag_entry *e, int n,
				    unsigned short lport, unsigned short rport)
{
	int i;

	for (i = 0; i < n && i < DIAG_MAX; i++)
		if (ntohs(e[i].msg.id.idiag_sport) == lport &&
		    ntohs(e[i].msg.id.idiag_dport) == rport)
			return &e[i];
	return NULL;
}

static int unload_diag_module(void)
{
	return syscall(__NR_delete_module, "xtcp_diag", O_NONBLOCK) ?
	       -errno : 0;
}

/* First, with xtcp_diag.ko not loaded: inet_diag finds it by its alias. */
TEST(xtcp_diag_autoloads)
{
	struct diag_entry e[DIAG_MAX];
	int err;

	ASSERT_EQ(0, xtcp_new_netns());
	err = unload_diag_module();
	ASSERT_TRUE(!err || err == -ENOENT);
	ASSERT_NE(0, access("/sys/module/xtcp_diag", F_OK));
	EXPECT_EQ(0, diag_dump(IPPROTO_XTCP, DIAG_ALL_STATES, 0, e, DIAG_MAX));
	EXPECT_EQ(0, access("/sys/module/xtcp_diag", F_OK));
	EXPECT_EQ(0, unload_diag_module());
}

FIXTURE(diag) {
	int lfd;
	int c;
	int s;
	unsigned short cport;
};

FIXTURE_VARIANT(diag) {
	int proto;
	int family;
};

FIXTURE_VARIANT_ADD(diag, tcp) {
	.proto = IPPROTO_TCP,
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(diag, xtcp) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(diag, tcp6) {
	.proto = IPPROTO_TCP,
	.family = AF_INET6,
};

FIXTURE_VARIANT_ADD(diag, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
};

/*
 * A listener on the loopback address of the variant's family and one
 * connection to it, in a namespace of their own.
 */
FIXTURE_SETUP(diag)
{
	struct sockaddr_storage a;
	socklen_t len;

	XTCP_SKIP_TCP_VARIANT(variant->proto);
	diag_family = variant->family;
	self->c = -1;
	self->s = -1;
	ASSERT_EQ(0, xtcp_new_netns());
	self->lfd = socket(diag_family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, self->lfd);
	len = diag_loopback_sa(&a, PORT);
	ASSERT_EQ(0, bind(self->lfd, (struct sockaddr *)&a, len));
	ASSERT_EQ(0, listen(self->lfd, 8));
	self->c = socket(diag_family, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, connect(self->c, (struct sockaddr *)&a, len));
	self->s = accept(self->lfd, NULL, NULL);
	ASSERT_LE(0, self->s);
	self->cport = xtcp_local_port(self->c);
}

FIXTURE_TEARDOWN(diag)
{
	close(self->c);
	close(self->s);
	close(self->lfd);
	/* Leave xtcp.ko unloadable for the tests that unload it. */
	if (variant->proto == IPPROTO_XTCP)
		unload_diag_module();
}

/*
 * The fixture's client (*@c, port @cport) closes first and keeps the
 * TIME_WAIT, its server end (*@s) closes after reading the FIN (both
 * set to -1): wait for the entry, then dump the TIME_WAIT entries into
 * @e (room for DIAG_MAX).  The number listed, or -1 when the entry did
 * not appear.
 */
static int diag_time_wait(int *c, int *s, unsigned short cport, int proto,
			  struct diag_entry *e)
{
	char b;

	close(*c);
	*c = -1;
	if (recv(*s, &b, 1, 0) != 0)
		return -1;
	close(*s);
	*s = -1;
	if (xtcp_wait_state(diag_proc_path(proto), cport, PORT, 0x06) != 0x06)
		return -1;
	return diag_dump(proto, 1 << 6 /* TIME_WAIT */, 0, e, DIAG_MAX);
}

/* diag_time_wait() of the fixture's connection. */
#define DIAG_TIME_WAIT(e) \
	diag_time_wait(&self->c, &self->s, self->cport, variant->proto, e)

TEST_F(diag, lists_listener_and_both_ends)
{
	struct diag_entry e[DIAG_MAX], *l, *s, *c;
	char data[100];
	int n;

	memset(data, 'x', sizeof(data));
	ASSERT_EQ(100, send(self->c, data, sizeof(data), 0));
	ASSERT_EQ(0, xtcp_wait_outq_empty(self->c, 5000));
	n = diag_dump(variant->proto, DIAG_ALL_STATES, 0, e, DIAG_MAX);
	ASSERT_EQ(3, n);
	l = diag_find(e, n, PORT, 0);
	s = diag_find(e, n, PORT, self->cport);
	c = diag_find(e, n, self->cport, PORT);
	ASSERT_NE(NULL, l);
	ASSERT_NE(NULL, s);
	ASSERT_NE(NULL, c);
	EXPECT_EQ(10, l->msg.idiag_state);	/* TCP_LISTEN */
	EXPECT_EQ(xtcp_sock_ino(self->lfd), l->msg.idiag_inode);
	EXPECT_EQ(diag_family, l->msg.idiag_family);
	EXPECT_TRUE(diag_is_loopback(l->msg.id.idiag_src));
	EXPECT_EQ(0, l->msg.id.idiag_dst[0] | l->msg.id.idiag_dst[1] |
		     l->msg.id.idiag_dst[2] | l->msg.id.idiag_dst[3]);
	EXPECT_EQ(1, s->msg.idiag_state);	/* TCP_ESTABLISHED */
	EXPECT_EQ(xtcp_sock_ino(self->s), s->msg.idiag_inode);
	EXPECT_EQ(100, s->msg.idiag_rqueue);
	EXPECT_EQ(0, s->msg.idiag_wqueue);
	EXPECT_EQ(1, c->msg.idiag_state);
	EXPECT_EQ(xtcp_sock_ino(self->c), c->msg.idiag_inode);
	EXPECT_EQ(0, c->msg.idiag_rqueue);
	EXPECT_EQ(0, c->msg.idiag_wqueue);
	EXPECT_EQ(getuid(), c->msg.idiag_uid);
	EXPECT_EQ(diag_family, c->msg.idiag_family);
	EXPECT_TRUE(diag_is_loopback(c->msg.id.idiag_src));
	EXPECT_TRUE(diag_is_loopback(c->msg.id.idiag_dst));
	EXPECT_EQ(0, c->msg.idiag_timer);
	EXPECT_EQ(diag_family, s->msg.idiag_family);
	EXPECT_TRUE(diag_is_loopback(s->msg.id.idiag_src));
	EXPECT_TRUE(diag_is_loopback(s->msg.id.idiag_dst));
}

/* A dump of the other family lists none of them, as tcp_diag's. */
TEST_F(diag, other_family_not_listed)
{
	struct diag_entry e[DIAG_MAX];

	diag_family = variant->family == AF_INET ? AF_INET6 : AF_INET;
	EXPECT_EQ(0, diag_dump(variant->proto, DIAG_ALL_STATES, 0, e,
			       DIAG_MAX));
}

TEST_F(diag, info_and_congestion_control)
{
	struct diag_entry e[DIAG_MAX], *c;
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	char cc[16] = "";
	int n;

	n = diag_dump(variant->proto, 1 << 1 /* ESTABLISHED */,
		      (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_CONG - 1)),
		      e, DIAG_MAX);
	ASSERT_EQ(2, n);
	c = diag_find(e, n, self->cport, PORT);
	ASSERT_NE(NULL, c);
	ASSERT_TRUE(c->has_info);
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_INFO, &ti, &len));
	EXPECT_EQ(1, c->info.tcpi_state);
	EXPECT_EQ(ti.tcpi_snd_mss, c->info.tcpi_snd_mss);
	EXPECT_EQ(ti.tcpi_advmss, c->info.tcpi_advmss);
	EXPECT_EQ(ti.tcpi_snd_cwnd, c->info.tcpi_snd_cwnd);
	len = sizeof(cc);
	ASSERT_EQ(0, getsockopt(self->c, IPPROTO_TCP, TCP_CONGESTION, cc,
				&len));
	EXPECT_STREQ(cc, c->cong);
}

/*
 * A dump of the TIME_WAIT entries with the bytecode "src ADDR:@port":
 * ADDR the loopback address of diag_family, or with @other the next
 * address (127.0.0.2, ::2).  The number of entries, or -errno.
 */
static int diag_dump_src_cond(int proto, unsigned short port, bool other)
{
	struct {
		struct inet_diag_bc_op op;
		struct inet_diag_hostcond cond;
		__be32 addr[4];
	} bc = {};
	size_t len = sizeof(bc.op) + sizeof(bc.cond) +
		     (diag_family == AF_INET6 ? 16 : 4);
	struct diag_entry e[DIAG_MAX];
	struct diag_req q;

	/* Jump to the end when it holds, one word past it when not. */
	bc.op.code = INET_DIAG_BC_S_COND;
	bc.op.yes = len;
	bc.op.no = len + 4;
	bc.cond.family = diag_family;
	bc.cond.prefix_len = diag_family == AF_INET6 ? 128 : 32;
	bc.cond.port = port;
	diag_loopback_id(bc.addr);
	if (other)
		bc.addr[diag_family == AF_INET6 ? 3 : 0] ^= htonl(3);
	diag_req_init(&q, proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.idiag_states = 1 << 6;	/* TIME_WAIT */
	diag_req_bytecode(&q, &bc, len);
	return diag_talk(&q, e, DIAG_MAX);
}

TEST_F(diag, time_wait_listed)
{
	struct diag_entry e[DIAG_MAX], *tw;
	struct diag_req q;
	__u32 cookie[2];
	int n;

	n = DIAG_TIME_WAIT(e);
	ASSERT_EQ(1, n);
	tw = diag_find(e, n, self->cport, PORT);
	ASSERT_NE(NULL, tw);
	EXPECT_EQ(6, tw->msg.idiag_state);
	EXPECT_EQ(3, tw->msg.idiag_timer);
	EXPECT_LT(0, tw->msg.idiag_expires);
	EXPECT_GE(60000, tw->msg.idiag_expires);
	EXPECT_EQ(0, tw->msg.idiag_inode);
	EXPECT_EQ(0, tw->msg.idiag_uid);
	EXPECT_EQ(diag_family, tw->msg.idiag_family);
	EXPECT_TRUE(diag_is_loopback(tw->msg.id.idiag_src));
	EXPECT_TRUE(diag_is_loopback(tw->msg.id.idiag_dst));

	/*
	 * Bytecode reads the entry's addresses too: "src [::1]:cport"
	 * (127.0.0.1 over IPv4) keeps it, another address drops it.
	 */
	EXPECT_EQ(1, diag_dump_src_cond(variant->proto, self->cport, false));
	EXPECT_EQ(0, diag_dump_src_cond(variant->proto, self->cport, true));

	/*
	 * It has a cookie, as Linux's timewait sockets have, which names it
	 * in a lookup, as a socket's names the socket; another one does not.
	 */
	memcpy(cookie, tw->msg.id.idiag_cookie, sizeof(cookie));
	EXPECT_FALSE(cookie[0] == INET_DIAG_NOCOOKIE &&
		     cookie[1] == INET_DIAG_NOCOOKIE);
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, 0);
	diag_req_tuple(&q, self->cport, PORT);
	memcpy(q.r.id.idiag_cookie, cookie, sizeof(cookie));
	ASSERT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	EXPECT_EQ(6, e[0].msg.idiag_state);
	EXPECT_EQ(3, e[0].msg.idiag_timer);
	EXPECT_EQ(diag_family, e[0].msg.idiag_family);
	EXPECT_EQ(self->cport, ntohs(e[0].msg.id.idiag_sport));
	EXPECT_EQ(0, memcmp(cookie, e[0].msg.id.idiag_cookie, sizeof(cookie)));
	q.r.id.idiag_cookie[1] ^= 1;
	EXPECT_EQ(-ENOENT, diag_talk(&q, e, DIAG_MAX));
}

TEST_F(diag, state_and_port_filters)
{
	struct diag_entry e[DIAG_MAX];
	struct diag_req q;

	ASSERT_EQ(1, diag_dump(variant->proto, 1 << 10, 0, e, DIAG_MAX));
	EXPECT_EQ(PORT, ntohs(e[0].msg.id.idiag_sport));
	EXPECT_EQ(10, e[0].msg.idiag_state);

	/* The id's ports filter a dump as well (ss's "sport = :PORT"). */
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.id.idiag_sport = htons(self->cport);
	ASSERT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	EXPECT_EQ(self->cport, ntohs(e[0].msg.id.idiag_sport));
	EXPECT_EQ(PORT, ntohs(e[0].msg.id.idiag_dport));
}

TEST_F(diag, bytecode_filter)
{
	/* "dport == cport": jump to the end when true, past it when not. */
	struct inet_diag_bc_op bc[2] = {
		{ .code = INET_DIAG_BC_D_EQ, .yes = 8, .no = 12 },
		{ .no = self->cport },
	};
	struct diag_entry e[DIAG_MAX];
	struct diag_req q;

	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	diag_req_bytecode(&q, bc, sizeof(bc));
	ASSERT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	EXPECT_EQ(PORT, ntohs(e[0].msg.id.idiag_sport));
	EXPECT_EQ(self->cport, ntohs(e[0].msg.id.idiag_dport));
	EXPECT_EQ(xtcp_sock_ino(self->s), e[0].msg.idiag_inode);
}

TEST_F(diag, dump_one_and_cookie)
{
	struct diag_entry e[DIAG_MAX];
	struct diag_req q;

	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, 0);
	diag_req_tuple(&q, self->cport, PORT);
	ASSERT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	EXPECT_EQ(xtcp_sock_ino(self->c), e[0].msg.idiag_inode);

	/* The cookie it gave names it; any other does not. */
	q.r.id.idiag_cookie[0] = e[0].msg.id.idiag_cookie[0];
	q.r.id.idiag_cookie[1] = e[0].msg.id.idiag_cookie[1];
	EXPECT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	q.r.id.idiag_cookie[0] ^= 1;
	EXPECT_EQ(-ENOENT, diag_talk(&q, e, DIAG_MAX));

	/* The listener, by its local end alone. */
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, 0);
	diag_req_tuple(&q, PORT, 0);
	ASSERT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	EXPECT_EQ(10, e[0].msg.idiag_state);
	EXPECT_EQ(xtcp_sock_ino(self->lfd), e[0].msg.idiag_inode);

	/* A connection that does not exist. */
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, 0);
	diag_req_tuple(&q, self->cport + 1, PORT);
	EXPECT_EQ(-ENOENT, diag_talk(&q, e, DIAG_MAX));
}

/* The first five fields of a line of ss -t, as ss and xtcp-ss print it. */
struct ss_row {
	char st[32], rq[16], sq[16], loc[64], peer[64];
};

/*
 * The lines @cmd prints into @rows: their number, or -1 if @cmd fails,
 * prints more than @max lines or a line of fewer than five fields.
 */
static int ss_read(const char *cmd, struct ss_row *rows, int max)
{
	char line[512];
	int n = 0, bad = 0;
	FILE *f;

	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		struct ss_row *r = &rows[n];

		if (n == max || sscanf(line, "%31s %15s %15s %63s %63s", r->st,
				       r->rq, r->sq, r->loc, r->peer) != 5)
			bad = 1;
		else
			n++;
	}
	return pclose(f) || bad ? -1 : n;
}

/* What makes ss read xtcp's /proc files instead of asking tcp_diag. */
#define SS_XTCP_PROC "PROC_NET_TCP=/proc/net/xtcp PROC_NET_TCP6=/proc/net/xtcp6 "

/*
 * ss -Htan for @proto, of diag_family (-4 or -6); for xtcp, of
 * /proc/net/xtcp and /proc/net/xtcp6, as the README tells.
 */
static const char *ss_cmd(int proto)
{
	if (diag_family == AF_INET6)
		return proto == IPPROTO_XTCP ?
		       SS_XTCP_PROC "/usr/sbin/ss -Htan -6" :
		       "/usr/sbin/ss -Htan -6";
	return proto == IPPROTO_XTCP ? SS_XTCP_PROC "/usr/sbin/ss -Htan -4" :
				       "/usr/sbin/ss -Htan -4";
}

/* Lines of ss -Htan in state @state with local address @local. */
static int ss_count(int proto, const char *state, const char *local)
{
	struct ss_row rows[DIAG_MAX];
	int n, i, found = 0;

	n = ss_read(ss_cmd(proto), rows, DIAG_MAX);
	for (i = 0; i < n; i++)
		if (!strcmp(rows[i].st, state) && !strcmp(rows[i].loc, local))
			found++;
	return n < 0 ? -1 : found;
}

TEST_F(diag, ss_lists_them)
{
	char local[32], server[32];

	diag_loopback_str(server, sizeof(server), PORT);
	diag_loopback_str(local, sizeof(local), self->cport);
	EXPECT_EQ(1, ss_count(variant->proto, "LISTEN", server));
	EXPECT_EQ(1, ss_count(variant->proto, "ESTAB", server));
	EXPECT_EQ(1, ss_count(variant->proto, "ESTAB", local));
}

/* The xtcp-ss built beside this test. */
static int xtcp_ss_path(char *path, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", path, len - sizeof("xtcp-ss"));
	char *slash;

	if (n < 0)
		return -errno;
	path[n] = '\0';
	slash = strrchr(path, '/');
	if (!slash)
		return -ENOENT;
	strcpy(slash + 1, "xtcp-ss");
	return 0;
}

/*
 * An end "[::]:PORT" as "*:PORT": ss prints :: so unless the socket is
 * IPV6_V6ONLY (INET_DIAG_SKV6ONLY), which /proc/net/tcp6's lines do not
 * tell, so ss reading /proc prints "*" for every socket.
 */
static void ss_unv6only(char *end)
{
	if (strncmp(end, "[::]:", 5))
		return;
	end[0] = '*';
	memmove(end + 1, end + 4, strlen(end + 4) + 1);
}

/*
 * "STATE LOCAL PEER" of every line @cmd prints, sorted, into @out; the
 * number of lines or -1.  With @as_proc, as ss reading /proc would print
 * them: no IPV6_V6ONLY (see ss_unv6only()).
 */
static int ss_lines(const char *cmd, char *out, size_t len, bool as_proc)
{
	struct ss_row rows[DIAG_MAX];
	char sorted[DIAG_MAX][192];
	int n, i, j;

	n = ss_read(cmd, rows, DIAG_MAX);
	for (i = 0; i < n; i++) {
		if (as_proc) {
			ss_unv6only(rows[i].loc);
			ss_unv6only(rows[i].peer);
		}
		snprintf(sorted[i], sizeof(sorted[0]), "%.31s %.63s %.63s\n",
			 rows[i].st, rows[i].loc, rows[i].peer);
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--) {
			char t[192];

			strcpy(t, sorted[j]);
			strcpy(sorted[j], sorted[j - 1]);
			strcpy(sorted[j - 1], t);
		}
	out[0] = '\0';
	for (i = 0; i < n; i++)
		strncat(out, sorted[i], len - strlen(out) - 1);
	return n;
}

/*
 * xtcp-ss's lines against ss's: for xtcp, ss reads /proc (ss_cmd()),
 * whose lines do not say IPV6_V6ONLY.
 */
#define SS_READS_PROC(proto)	((proto) == IPPROTO_XTCP)

TEST_F(diag, xtcp_ss_lists_as_ss)
{
	const char *fam = diag_family == AF_INET6 ? "-6" : "-4";
	char path[256], cmd[512], want[2048], got[2048];
	bool as_proc = SS_READS_PROC(variant->proto);
	struct ss_row rows[DIAG_MAX];
	char listener[32];

	ASSERT_EQ(0, xtcp_ss_path(path, sizeof(path)));
	snprintf(cmd, sizeof(cmd), "%s -Han %s -P %d", path, fam,
		 variant->proto);
	ASSERT_EQ(3, ss_lines(cmd, got, sizeof(got), as_proc));
	ASSERT_EQ(3, ss_lines(ss_cmd(variant->proto), want, sizeof(want),
			      false));
	EXPECT_STREQ(want, got);

	/* -l: the listener alone, its backlog as ss shows it. */
	snprintf(cmd, sizeof(cmd), "%s -Hl %s -P %d", path, fam,
		 variant->proto);
	ASSERT_EQ(1, ss_read(cmd, rows, DIAG_MAX));
	EXPECT_STREQ("LISTEN", rows[0].st);
	EXPECT_STREQ("0", rows[0].rq);
	EXPECT_STREQ("8", rows[0].sq);
	diag_loopback_str(listener, sizeof(listener), PORT);
	EXPECT_STREQ(listener, rows[0].loc);
	/* Bound to ::1, it is IPV6_V6ONLY (__inet6_bind()): ss says [::]. */
	EXPECT_STREQ(diag_family == AF_INET6 ? "[::]:*" : "0.0.0.0:*",
		     rows[0].peer);

	/* Without -4 or -6, both families: the same three lines. */
	snprintf(cmd, sizeof(cmd), "%s -Han -P %d", path, variant->proto);
	ASSERT_EQ(3, ss_lines(cmd, got, sizeof(got), as_proc));
	EXPECT_STREQ(want, got);
	/* And the other family alone: none. */
	snprintf(cmd, sizeof(cmd), "%s -Han %s -P %d", path,
		 diag_family == AF_INET6 ? "-4" : "-6", variant->proto);
	EXPECT_EQ(0, ss_lines(cmd, got, sizeof(got), false));
}

/*
 * A dual-stack listener and an IPv4 client: the listener and the
 * connection it accepted are AF_INET6 sockets, listed by an AF_INET6
 * dump only, the accepted one with its IPv4 addresses v4-mapped; the
 * client is an AF_INET socket.  An AF_INET6 request naming the v4-mapped
 * pair finds the accepted one, and xtcp-ss prints them as ss does.
 */
TEST_F(diag, dual_stack_v4_mapped)
{
	const __be32 mapped[4] = { 0, 0, htonl(0xffff),
				   htonl(INADDR_LOOPBACK) };
	const __be32 any[4] = {};
	struct sockaddr_in6 any6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(PORT + 1),
	};
	struct sockaddr_in a = xtcp_addr("127.0.0.1", PORT + 1);
	char path[256], cmd[512], want[2048], got[2048], line[128];
	struct diag_entry e[DIAG_MAX], *l, *s;
	unsigned short cport;
	struct diag_req q;
	int lfd, c, sfd, n;

	if (variant->family != AF_INET6)
		SKIP(return, "an IPv6 test: run by the tcp6 and xtcp6 variants");
	lfd = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, xtcp_set_int(lfd, IPPROTO_IPV6, IPV6_V6ONLY, 0));
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&any6, sizeof(any6)));
	ASSERT_EQ(0, listen(lfd, 8));
	c = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, sizeof(a)));
	sfd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, sfd);
	cport = xtcp_local_port(c);

	/* AF_INET6, local port PORT + 1: the listener and the accepted one. */
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.id.idiag_sport = htons(PORT + 1);
	n = diag_talk(&q, e, DIAG_MAX);
	ASSERT_EQ(2, n);
	l = diag_find(e, n, PORT + 1, 0);
	s = diag_find(e, n, PORT + 1, cport);
	ASSERT_NE(NULL, l);
	ASSERT_NE(NULL, s);
	EXPECT_EQ(AF_INET6, l->msg.idiag_family);
	EXPECT_EQ(10, l->msg.idiag_state);
	EXPECT_EQ(xtcp_sock_ino(lfd), l->msg.idiag_inode);
	EXPECT_EQ(0, memcmp(any, l->msg.id.idiag_src, sizeof(any)));
	EXPECT_EQ(0, memcmp(any, l->msg.id.idiag_dst, sizeof(any)));
	EXPECT_EQ(AF_INET6, s->msg.idiag_family);
	EXPECT_EQ(1, s->msg.idiag_state);
	EXPECT_EQ(xtcp_sock_ino(sfd), s->msg.idiag_inode);
	EXPECT_EQ(0, memcmp(mapped, s->msg.id.idiag_src, sizeof(mapped)));
	EXPECT_EQ(0, memcmp(mapped, s->msg.id.idiag_dst, sizeof(mapped)));

	/* AF_INET: the client alone, none of the AF_INET6 sockets. */
	diag_family = AF_INET;
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.id.idiag_dport = htons(PORT + 1);
	ASSERT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	EXPECT_EQ(AF_INET, e[0].msg.idiag_family);
	EXPECT_EQ(cport, ntohs(e[0].msg.id.idiag_sport));
	EXPECT_EQ(xtcp_sock_ino(c), e[0].msg.idiag_inode);
	EXPECT_EQ(htonl(INADDR_LOOPBACK), e[0].msg.id.idiag_src[0]);
	EXPECT_EQ(htonl(INADDR_LOOPBACK), e[0].msg.id.idiag_dst[0]);
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.id.idiag_sport = htons(PORT + 1);
	EXPECT_EQ(0, diag_talk(&q, e, DIAG_MAX));

	/* The accepted one, by its v4-mapped pair in an AF_INET6 request. */
	diag_family = AF_INET6;
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, 0);
	q.r.id.idiag_sport = htons(PORT + 1);
	q.r.id.idiag_dport = htons(cport);
	memcpy(q.r.id.idiag_src, mapped, sizeof(mapped));
	memcpy(q.r.id.idiag_dst, mapped, sizeof(mapped));
	ASSERT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	EXPECT_EQ(AF_INET6, e[0].msg.idiag_family);
	EXPECT_EQ(xtcp_sock_ino(sfd), e[0].msg.idiag_inode);

	/* xtcp-ss -6 and -4 print what ss prints: the fixture's three too. */
	ASSERT_EQ(0, xtcp_ss_path(path, sizeof(path)));
	snprintf(cmd, sizeof(cmd), "%s -Han -6 -P %d", path, variant->proto);
	ASSERT_EQ(5, ss_lines(cmd, got, sizeof(got), false));
	/* Not IPV6_V6ONLY: "*" for ::, the IPv4 peer v4-mapped. */
	snprintf(line, sizeof(line), "LISTEN *:%u *:*\n", PORT + 1);
	EXPECT_NE(NULL, strstr(got, line));
	snprintf(line, sizeof(line),
		 "ESTAB [::ffff:127.0.0.1]:%u [::ffff:127.0.0.1]:%u\n",
		 PORT + 1, cport);
	EXPECT_NE(NULL, strstr(got, line));
	ASSERT_EQ(5, ss_lines(cmd, got, sizeof(got),
			      SS_READS_PROC(variant->proto)));
	ASSERT_EQ(5, ss_lines(ss_cmd(variant->proto), want, sizeof(want),
			      false));
	EXPECT_STREQ(want, got);
	diag_family = AF_INET;
	snprintf(cmd, sizeof(cmd), "%s -Han -4 -P %d", path, variant->proto);
	ASSERT_EQ(1, ss_lines(cmd, got, sizeof(got), false));
	ASSERT_EQ(1, ss_lines(ss_cmd(variant->proto), want, sizeof(want),
			      false));
	EXPECT_STREQ(want, got);
	close(sfd);
	close(c);
	close(lfd);
}

/* TIME_WAIT lines of @path from local port @lport to @rport; *@out the last. */
static int diag_tw_lines(const char *path, unsigned int lport,
			 unsigned int rport, struct xtcp_proc_sock *out)
{
	struct xtcp_proc_sock t;
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (xtcp_proc_next(f, &t)) {
		if (t.state != 0x06 || t.lport != lport || t.rport != rport)
			continue;
		if (out)
			*out = t;
		n++;
	}
	fclose(f);
	return n;
}

/*
 * The TIME_WAIT entry of a dual-stack AF_INET6 socket's IPv4 connection
 * is AF_INET6, as Linux's (tw_family is the socket's): the accepted side
 * of a :: listener without IPV6_V6ONLY closes first and keeps it.  An
 * AF_INET6 dump and /proc/net/xtcp6 (tcp6) list it with v4-mapped
 * addresses, an AF_INET dump and /proc/net/xtcp (tcp) do not.  Its
 * cookie names it in a lookup by its v4-mapped pair, and by its IPv4
 * pair in an AF_INET request too (inet_lookup() does not ask for a
 * family), which answers AF_INET6.  IPv4 segments of its 4-tuple still
 * meet it: a SYN from the old client port reopens the 4-tuple, leaving
 * no TIME_WAIT line.  Run by the IPv6 variants alone: the IPv4 ones have
 * no AF_INET6 socket to show it.
 */
TEST_F(diag, dual_stack_time_wait)
{
	const char *proc6 = variant->proto == IPPROTO_TCP ? "/proc/net/tcp6" :
			    "/proc/net/xtcp6";
	const char *proc4 = variant->proto == IPPROTO_TCP ? "/proc/net/tcp" :
			    "/proc/net/xtcp";
	const char *mapped_str = "0000000000000000FFFF00000100007F";
	const __be32 mapped[4] = { 0, 0, htonl(0xffff),
				   htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 any6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(PORT + 2),
	};
	struct sockaddr_in a = xtcp_addr("127.0.0.1", PORT + 2);
	struct diag_entry e[DIAG_MAX];
	struct xtcp_proc_sock t;
	int lfd, c, sfd, n;
	unsigned short cport;
	struct diag_req q;
	__u32 cookie[2];
	char b;

	if (variant->family != AF_INET6)
		SKIP(return, "an IPv6 test: run by the tcp6 and xtcp6 variants");
	lfd = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, xtcp_set_int(lfd, IPPROTO_IPV6, IPV6_V6ONLY, 0));
	ASSERT_EQ(0, bind(lfd, (struct sockaddr *)&any6, sizeof(any6)));
	ASSERT_EQ(0, listen(lfd, 8));
	c = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, sizeof(a)));
	sfd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, sfd);
	cport = xtcp_local_port(c);
	close(sfd);
	ASSERT_EQ(0, recv(c, &b, 1, 0));
	close(c);
	ASSERT_EQ(0x06, xtcp_wait_state(proc6, PORT + 2, cport, 0x06));

	/* /proc: in the IPv6 file, v4-mapped; not in the IPv4 one. */
	ASSERT_EQ(1, diag_tw_lines(proc6, PORT + 2, cport, &t));
	EXPECT_STREQ(mapped_str, t.la);
	EXPECT_STREQ(mapped_str, t.ra);
	EXPECT_EQ(3, t.timer);
	EXPECT_EQ(0, diag_tw_lines(proc4, PORT + 2, cport, NULL));

	/* An AF_INET6 dump lists it, v4-mapped, with a cookie. */
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.idiag_states = 1 << 6;
	q.r.id.idiag_sport = htons(PORT + 2);
	n = diag_talk(&q, e, DIAG_MAX);
	ASSERT_EQ(1, n);
	EXPECT_EQ(AF_INET6, e[0].msg.idiag_family);
	EXPECT_EQ(6, e[0].msg.idiag_state);
	EXPECT_EQ(3, e[0].msg.idiag_timer);
	EXPECT_EQ(cport, ntohs(e[0].msg.id.idiag_dport));
	EXPECT_EQ(0, memcmp(mapped, e[0].msg.id.idiag_src, sizeof(mapped)));
	EXPECT_EQ(0, memcmp(mapped, e[0].msg.id.idiag_dst, sizeof(mapped)));
	memcpy(cookie, e[0].msg.id.idiag_cookie, sizeof(cookie));
	EXPECT_FALSE(cookie[0] == INET_DIAG_NOCOOKIE &&
		     cookie[1] == INET_DIAG_NOCOOKIE);

	/* An AF_INET dump does not. */
	diag_family = AF_INET;
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.idiag_states = 1 << 6;
	q.r.id.idiag_sport = htons(PORT + 2);
	EXPECT_EQ(0, diag_talk(&q, e, DIAG_MAX));

	/* Looked up by its IPv4 pair, with its cookie: AF_INET6 still. */
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, 0);
	q.r.id.idiag_sport = htons(PORT + 2);
	q.r.id.idiag_dport = htons(cport);
	q.r.id.idiag_src[0] = htonl(INADDR_LOOPBACK);
	q.r.id.idiag_dst[0] = htonl(INADDR_LOOPBACK);
	memcpy(q.r.id.idiag_cookie, cookie, sizeof(cookie));
	ASSERT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	EXPECT_EQ(AF_INET6, e[0].msg.idiag_family);
	EXPECT_EQ(6, e[0].msg.idiag_state);
	EXPECT_EQ(0, memcmp(mapped, e[0].msg.id.idiag_src, sizeof(mapped)));

	/* By its v4-mapped pair: its cookie names it, another not. */
	diag_family = AF_INET6;
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, 0);
	q.r.id.idiag_sport = htons(PORT + 2);
	q.r.id.idiag_dport = htons(cport);
	memcpy(q.r.id.idiag_src, mapped, sizeof(mapped));
	memcpy(q.r.id.idiag_dst, mapped, sizeof(mapped));
	memcpy(q.r.id.idiag_cookie, cookie, sizeof(cookie));
	ASSERT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	EXPECT_EQ(AF_INET6, e[0].msg.idiag_family);
	EXPECT_EQ(6, e[0].msg.idiag_state);
	EXPECT_EQ(0, memcmp(cookie, e[0].msg.id.idiag_cookie, sizeof(cookie)));
	q.r.id.idiag_cookie[0] ^= 1;
	EXPECT_EQ(-ENOENT, diag_talk(&q, e, DIAG_MAX));

	/* A SYN of its 4-tuple meets it and reopens it. */
	ASSERT_EQ(-1, xtcp_wait_state(proc4, cport, PORT + 2, -1));
	c = socket(AF_INET, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, xtcp_set_reuseaddr(c));
	ASSERT_EQ(0, xtcp_bind(c, "127.0.0.1", cport));
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&a, sizeof(a)));
	sfd = accept(lfd, NULL, NULL);
	ASSERT_LE(0, sfd);
	EXPECT_EQ(0, diag_tw_lines(proc6, PORT + 2, cport, NULL));
	EXPECT_EQ(0x01, xtcp_proc_state(proc6, PORT + 2, cport));
	close(sfd);
	close(c);
	close(lfd);
}

/*
 * Send @q from a process without privilege (no CAP_NET_ADMIN), its
 * replies read into @out (room for @max, may be 0): as diag_talk().
 */
static int diag_unprivileged(struct diag_req *q, struct diag_entry *out,
			     int max)
{
	size_t len = (max ? max : 1) * sizeof(*out);
	struct diag_entry *shared;
	int status, ret;
	pid_t pid;

	shared = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out;
	}
	if (!pid) {
		if (setresuid(65534, 65534, 65534))
			_exit(255);
		ret = diag_talk(q, shared, max);
		/* n entries as n (< 128), -errno as 128 + errno. */
		_exit(ret < 0 ? 128 - ret : ret);
	}
	ret = -ECHILD;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		goto out;
	ret = WEXITSTATUS(status);
	if (ret >= 128)
		ret = 128 - ret;
	else if (max)
		memcpy(out, shared, (ret < max ? ret : max) * sizeof(*out));
out:
	munmap(shared, len);
	return ret;
}

/* SOCK_DESTROY request @q, from a process without privilege. */
static int destroy_unprivileged(struct diag_req *q)
{
	return diag_unprivileged(q, NULL, 0);
}

/*
 * A dump of the TIME_WAIT entries with the bytecode "fwmark == @mark"
 * (INET_DIAG_BC_MARK_COND, all bits), from a requester with
 * CAP_NET_ADMIN, which the condition needs.  The number of entries.
 */
static int diag_dump_mark_cond(int proto, __u32 mark)
{
	struct {
		struct inet_diag_bc_op op;
		struct inet_diag_markcond cond;
	} bc = {
		.op = { .code = INET_DIAG_BC_MARK_COND, .yes = sizeof(bc),
			.no = sizeof(bc) + 4 },
		.cond = { .mark = mark, .mask = 0xffffffff },
	};
	struct diag_entry e[DIAG_MAX];
	struct diag_req q;

	diag_req_init(&q, proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.idiag_states = 1 << 6;	/* TIME_WAIT */
	diag_req_bytecode(&q, &bc, sizeof(bc));
	return diag_talk(&q, e, DIAG_MAX);
}

/*
 * A TIME_WAIT entry keeps its socket's SO_MARK, as Linux's tw_mark
 * (tcp_time_wait()): a dump and a lookup by 4-tuple give it as
 * INET_DIAG_MARK to CAP_NET_ADMIN (inet_twsk_diag_fill()), a dump to
 * anyone else does not; "fwmark" bytecode matches it.
 */
TEST_F(diag, time_wait_mark)
{
	struct diag_entry e[DIAG_MAX], *tw;
	struct diag_req q;
	int n;

	ASSERT_EQ(0, xtcp_set_int(self->c, SOL_SOCKET, SO_MARK, 0x2d));
	n = DIAG_TIME_WAIT(e);
	ASSERT_EQ(1, n);
	tw = diag_find(e, n, self->cport, PORT);
	ASSERT_NE(NULL, tw);
	EXPECT_TRUE(tw->has_mark);
	EXPECT_EQ(0x2d, tw->mark);

	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, 0);
	diag_req_tuple(&q, self->cport, PORT);
	ASSERT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	EXPECT_EQ(6, e[0].msg.idiag_state);
	EXPECT_TRUE(e[0].has_mark);
	EXPECT_EQ(0x2d, e[0].mark);

	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.idiag_states = 1 << 6;
	ASSERT_EQ(1, diag_unprivileged(&q, e, DIAG_MAX));
	EXPECT_EQ(self->cport, ntohs(e[0].msg.id.idiag_sport));
	EXPECT_FALSE(e[0].has_mark);

	EXPECT_EQ(1, diag_dump_mark_cond(variant->proto, 0x2d));
	EXPECT_EQ(0, diag_dump_mark_cond(variant->proto, 0x2e));
}

/*
 * A pending request of an IPv6 listener: two namespaces joined by a
 * veth, whose listener side drops all it sends (netem, static neighbour
 * entries both ways), so the SYN-ACK is lost and the request stays in
 * SYN_RECV.  An AF_INET6 dump lists it with its IPv6 addresses, no
 * inode, the SYN-ACK timer and a cookie of its own, as Linux's request
 * sockets have, and to CAP_NET_ADMIN alone its listener's SO_MARK
 * (ir_mark); port and bytecode filters select it; an AF_INET dump
 * does not list it.  A lookup by its 4-tuple finds it, with that cookie
 * or none, not with another; SOCK_DESTROY drops it as tcp_abort() drops
 * a request socket: -EPERM unprivileged, -ENOENT with another cookie,
 * then 0, and it is gone.  Run by the IPv6 variants alone: the lookup
 * of an IPv4 request differs only by the v4-mapped addresses, which the
 * TIME_WAIT tests cover.
 */
TEST_F(diag, request_listed)
{
	struct inet_diag_bc_op bc[2] = {
		{ .code = INET_DIAG_BC_D_EQ, .yes = 8, .no = 12 },
		{ 0 },
	};
	struct sockaddr_in6 la = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(PORT + 2),
	};
	struct in6_addr a_addr, b_addr;
	struct diag_entry e[DIAG_MAX];
	char a[32], b[32];
	unsigned short cport;
	struct diag_req q;
	long long until;
	__u32 cookie[2];
	int l, c, n;

	if (variant->family != AF_INET6)
		SKIP(return, "an IPv6 test: run by the tcp6 and xtcp6 variants");
	snprintf(a, sizeof(a), "xd6a%d", getpid());
	snprintf(b, sizeof(b), "xd6b%d", getpid());
	ASSERT_EQ(0, sh(IP " netns add %s && " IP " netns add %s && " IP
			" -n %s link add veth0 type veth peer name veth0 netns %s && "
			IP " -n %s addr add fd00::1/64 dev veth0 nodad && "
			IP " -n %s addr add fd00::2/64 dev veth0 nodad && "
			IP " -n %s link set veth0 up && " IP " -n %s link set veth0 up",
			a, b, a, b, a, b, a, b));
	ASSERT_EQ(0, ns_addr6_wait(a));
	ASSERT_EQ(0, ns_addr6_wait(b));
	ASSERT_EQ(0, static_neigh(a, b, "fd00::2"));
	ASSERT_EQ(0, static_neigh(b, a, "fd00::1"));
	ASSERT_EQ(0, ns_sh(b, TC " qdisc add dev veth0 root netem loss 100%"));
	inet_pton(AF_INET6, "fd00::1", &a_addr);
	inet_pton(AF_INET6, "fd00::2", &b_addr);

	ASSERT_EQ(0, enter_ns(b));
	l = socket(AF_INET6, SOCK_STREAM, variant->proto);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, xtcp_set_int(l, SOL_SOCKET, SO_MARK, 0x2c));
	la.sin6_addr = b_addr;
	ASSERT_EQ(0, bind(l, (struct sockaddr *)&la, sizeof(la)));
	ASSERT_EQ(0, listen(l, 8));
	ASSERT_EQ(0, enter_ns(a));
	c = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, variant->proto);
	ASSERT_LE(0, c);
	ASSERT_EQ(-1, connect(c, (struct sockaddr *)&la, sizeof(la)));
	ASSERT_EQ(EINPROGRESS, errno);
	cport = xtcp_local_port(c);
	ASSERT_EQ(0, enter_ns(b));

	/* The SYN crosses at once; the request is listed from then on. */
	until = xtcp_now_ms() + 5000;
	do {
		n = diag_dump(variant->proto, 1 << 3 /* SYN_RECV */, 0, e,
			      DIAG_MAX);
	} while (n == 0 && xtcp_now_ms() < until && !usleep(10000));
	ASSERT_EQ(1, n);
	EXPECT_EQ(AF_INET6, e[0].msg.idiag_family);
	EXPECT_EQ(3, e[0].msg.idiag_state);
	EXPECT_EQ(PORT + 2, ntohs(e[0].msg.id.idiag_sport));
	EXPECT_EQ(cport, ntohs(e[0].msg.id.idiag_dport));
	EXPECT_EQ(0, memcmp(&b_addr, e[0].msg.id.idiag_src, 16));
	EXPECT_EQ(0, memcmp(&a_addr, e[0].msg.id.idiag_dst, 16));
	EXPECT_EQ(0, e[0].msg.idiag_inode);
	EXPECT_EQ(1, e[0].msg.idiag_timer);
	EXPECT_LT(0, e[0].msg.idiag_expires);
	memcpy(cookie, e[0].msg.id.idiag_cookie, sizeof(cookie));
	EXPECT_FALSE(cookie[0] == INET_DIAG_NOCOOKIE &&
		     cookie[1] == INET_DIAG_NOCOOKIE);
	EXPECT_TRUE(cookie[0] || cookie[1]);
	/* Its listener's mark, to CAP_NET_ADMIN only (Linux's ir_mark). */
	EXPECT_TRUE(e[0].has_mark);
	EXPECT_EQ(0x2c, e[0].mark);
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.idiag_states = 1 << 3;
	ASSERT_EQ(1, diag_unprivileged(&q, e, DIAG_MAX));
	EXPECT_EQ(cport, ntohs(e[0].msg.id.idiag_dport));
	EXPECT_FALSE(e[0].has_mark);

	/* The id's remote port, and bytecode on it, select it. */
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP);
	q.r.id.idiag_dport = htons(cport);
	EXPECT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	q.r.id.idiag_dport = htons(cport + 1);
	EXPECT_EQ(0, diag_talk(&q, e, DIAG_MAX));
	for (n = 0; n < 2; n++) {
		diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY,
			      NLM_F_DUMP);
		q.r.idiag_states = 1 << 3;
		bc[1].no = cport + n;
		diag_req_bytecode(&q, bc, sizeof(bc));
		EXPECT_EQ(!n, diag_talk(&q, e, DIAG_MAX));
	}

	diag_family = AF_INET;
	EXPECT_EQ(0, diag_dump(variant->proto, DIAG_ALL_STATES, 0, e,
			       DIAG_MAX));
	diag_family = AF_INET6;

	/*
	 * The client's SYNs are lost from now on too, so that no SYN sent
	 * again makes a new request once this one is dropped.
	 */
	ASSERT_EQ(0, ns_sh(a, TC " qdisc add dev veth0 root netem loss 100%"));

	/* Looked up by its 4-tuple: with no cookie, its own, not another. */
	diag_req_init(&q, variant->proto, SOCK_DIAG_BY_FAMILY, 0);
	q.r.id.idiag_sport = htons(PORT + 2);
	q.r.id.idiag_dport = htons(cport);
	memcpy(q.r.id.idiag_src, &b_addr, 16);
	memcpy(q.r.id.idiag_dst, &a_addr, 16);
	ASSERT_EQ(1, diag_talk(&q, e, DIAG_MAX));
	EXPECT_EQ(AF_INET6, e[0].msg.idiag_family);
	EXPECT_EQ(3, e[0].msg.idiag_state);
	EXPECT_EQ(1, e[0].msg.idiag_timer);
	EXPECT_EQ(0, e[0].msg.idiag_inode);
	EXPECT_EQ(cport, ntohs(e[0].msg.id.idiag_dport));
	EXPECT_EQ(0, memcmp(cookie, e[0].msg.id.idiag_cookie, sizeof(cookie)));
	EXPECT_TRUE(e[0].has_mark);
	EXPECT_EQ(0x2c, e[0].mark);
	memcpy(q.r.id.idiag_cookie, cookie, sizeof(cookie));
	ASSERT_EQ(1, diag_unprivileged(&q, e, DIAG_MAX));
	EXPECT_FALSE(e[0].has_mark);
	q.r.id.idiag_cookie[0] ^= 1;
	EXPECT_EQ(-ENOENT, diag_talk(&q, e, DIAG_MAX));

	/* SOCK_DESTROY: privilege, then the cookie, then it is gone. */
	q.nlh.nlmsg_type = SOCK_DESTROY;
	q.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	EXPECT_EQ(-ENOENT, diag_talk(&q, NULL, 0));
	q.r.id.idiag_cookie[0] ^= 1;
	EXPECT_EQ(-EPERM, destroy_unprivileged(&q));
	EXPECT_EQ(1, diag_dump(variant->proto, 1 << 3, 0, e, DIAG_MAX));
	EXPECT_EQ(0, diag_talk(&q, NULL, 0));
	EXPECT_EQ(0, diag_dump(variant->proto, DIAG_ALL_STATES & ~(1 << 10),
			       0, e, DIAG_MAX));
	EXPECT_EQ(-ENOENT, diag_talk(&q, NULL, 0));
	close(l);
	close(c);
	sh(IP " netns del %s; " IP " netns del %s", a, b);
}

TEST_F(diag, destroy_aborts)
{
	struct pollfd pfd = { .fd = self->c, .events = POLLIN };
	struct diag_entry e[DIAG_MAX];
	struct diag_req q;
	char b;
	int err;

	diag_req_init(&q, variant->proto, SOCK_DESTROY, NLM_F_ACK);
	diag_req_tuple(&q, PORT, self->cport);
	err = destroy_unprivileged(&q);
	if (err == -EOPNOTSUPP)
		SKIP(return, "kernel without CONFIG_INET_DIAG_DESTROY");
	EXPECT_EQ(-EPERM, err);
	ASSERT_EQ(0, diag_talk(&q, NULL, 0));

	EXPECT_EQ(-1, recv(self->s, &b, 1, 0));
	EXPECT_EQ(ECONNABORTED, errno);
	/* The peer was told with a RST. */
	ASSERT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_EQ(-1, recv(self->c, &b, 1, 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(1, diag_dump(variant->proto, DIAG_ALL_STATES, 0, e,
			       DIAG_MAX));
	EXPECT_EQ(10, e[0].msg.idiag_state);

	/* The listener, destroyed, stops listening. */
	diag_req_init(&q, variant->proto, SOCK_DESTROY, NLM_F_ACK);
	diag_req_tuple(&q, PORT, 0);
	ASSERT_EQ(0, diag_talk(&q, NULL, 0));
	EXPECT_EQ(0, diag_dump(variant->proto, DIAG_ALL_STATES, 0, e,
			       DIAG_MAX));
}

/*
 * The race: dumps with every attribute and SOCK_DESTROY of what they
 * list, while other threads open connections, move data and close them
 * (a third with a RST).  A dump holds a socket after its chain lock is
 * dropped and takes the socket lock for TCP_INFO, which close(),
 * softirq and the timers take too; the debug lane runs it under
 * lockdep and KASAN.  A fixed budget: XTCP_DIAG_RACE_MS (3000).
 */
struct diag_race {
	int proto;
	int lfd;
	long long deadline;
	atomic_int dumps;
	atomic_int destroyed;
	atomic_int conns;
	atomic_int bad;
	atomic_int bad_errno;
};

/* Room for a dump of the whole namespace when a connect() fails. */
#define RACE_DUMP_MAX	70000

/* Something no thread expected: count it, and keep its errno to show. */
static void race_bad(struct diag_race *r, int err)
{
	atomic_fetch_add(&r->bad, 1);
	atomic_store(&r->bad_errno, err);
}

/*
 * Accept and close whatever the listener holds.  A connection whose
 * connect() failed, or whose child another thread's accept() took
 * first, leaves a child nobody accepts; left there, they would fill the
 * accept queue, and a full queue drops SYNs (for Linux TCP as for
 * xtcp): both threads would then wait in connect() for good.
 */
static void race_drain(int lfd)
{
	int s;

	while ((s = accept(lfd, NULL, NULL)) >= 0)
		close(s);
}

/*
 * A connect() that failed otherwise than SOCK_DESTROY makes it fail:
 * log its port, what the namespace holds for that port and for the
 * listener, and the counters that are not zero.
 */
static void race_report(struct diag_race *r, int fd)
{
	struct sockaddr_in l = {};
	socklen_t len = sizeof(l);
	struct diag_entry *e;
	int err = errno;
	char line[128];
	int i, n;
	FILE *f;

	race_bad(r, err);
	getsockname(fd, (struct sockaddr *)&l, &len);
	fprintf(stderr, "# connect() from port %u: %s\n", ntohs(l.sin_port),
		strerror(err));
	e = calloc(RACE_DUMP_MAX, sizeof(*e));
	n = e ? diag_dump(r->proto, DIAG_ALL_STATES, 0, e, RACE_DUMP_MAX) : 0;
	for (i = 0; i < n && i < RACE_DUMP_MAX; i++)
		if (e[i].msg.idiag_state == TCP_LISTEN ||
		    e[i].msg.id.idiag_sport == l.sin_port ||
		    e[i].msg.id.idiag_dport == l.sin_port)
			fprintf(stderr, "#  state %u, %u -> %u, timer %u in %u ms, rq %u wq %u\n",
				e[i].msg.idiag_state,
				ntohs(e[i].msg.id.idiag_sport),
				ntohs(e[i].msg.id.idiag_dport),
				e[i].msg.idiag_timer, e[i].msg.idiag_expires,
				e[i].msg.idiag_rqueue, e[i].msg.idiag_wqueue);
	free(e);
	f = fopen("/proc/net/xtcp_stat", "r");
	while (r->proto == IPPROTO_XTCP && f && fgets(line, sizeof(line), f))
		if (!strstr(line, " 0\n"))
			fprintf(stderr, "#  %s", line);
	if (f)
		fclose(f);
}

static void *race_churn(void *arg)
{
	struct sockaddr_in a = xtcp_addr("127.0.0.1", PORT);
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	struct timeval syn_wait = { .tv_sec = 5 };
	struct diag_race *r = arg;
	struct pollfd p = { .fd = r->lfd, .events = POLLIN };
	char buf[1000] = "";
	int i, c, s;

	for (i = 0; xtcp_now_ms() < r->deadline; i++) {
		c = socket(AF_INET, SOCK_STREAM, r->proto);
		if (c < 0) {
			race_bad(r, errno);
			continue;
		}
		/*
		 * No SYN is lost on loopback: a connect() still waiting
		 * after 5 s fails (EINPROGRESS) and the test says why.
		 */
		setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &syn_wait,
			   sizeof(syn_wait));
		/* Destroyed between the handshake and connect()'s return. */
		if (connect(c, (struct sockaddr *)&a, sizeof(a))) {
			if (errno != ECONNABORTED)
				race_report(r, c);
			close(c);
			race_drain(r->lfd);
			continue;
		}
		/* Another thread may take it: the listener does not block. */
		s = poll(&p, 1, 1000) == 1 ? accept(r->lfd, NULL, NULL) : -1;
		/* A destroyed connection fails its calls: that is expected. */
		send(c, buf, sizeof(buf), MSG_NOSIGNAL);
		if (s >= 0)
			recv(s, buf, sizeof(buf), MSG_DONTWAIT);
		if (i % 3 == 0)
			setsockopt(c, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		close(c);
		if (s >= 0)
			close(s);
		race_drain(r->lfd);
		atomic_fetch_add(&r->conns, 1);
	}
	return NULL;
}

static void *race_diag(void *arg)
{
	const __u8 ext = (1 << (INET_DIAG_MEMINFO - 1)) |
			 (1 << (INET_DIAG_INFO - 1)) |
			 (1 << (INET_DIAG_CONG - 1)) |
			 (1 << (INET_DIAG_SKMEMINFO - 1));
	struct diag_entry e[DIAG_MAX];
	struct diag_race *r = arg;
	struct diag_req q;
	int i, n, err;

	while (xtcp_now_ms() < r->deadline) {
		n = diag_dump(r->proto, DIAG_ALL_STATES, ext, e, DIAG_MAX);
		if (n < 0) {
			race_bad(r, -n);
			continue;
		}
		atomic_fetch_add(&r->dumps, 1);
		for (i = 0; i < n && i < DIAG_MAX; i++) {
			if (e[i].msg.idiag_state != 1 ||
			    ntohs(e[i].msg.id.idiag_sport) == PORT)
				continue;
			diag_req_init(&q, r->proto, SOCK_DESTROY, NLM_F_ACK);
			diag_req_tuple(&q, ntohs(e[i].msg.id.idiag_sport),
				       ntohs(e[i].msg.id.idiag_dport));
			err = diag_talk(&q, NULL, 0);
			if (!err)
				atomic_fetch_add(&r->destroyed, 1);
			else if (err != -ENOENT && err != -EOPNOTSUPP)
				race_bad(r, -err);
		}
	}
	return NULL;
}

/*
 * Connections of the namespace other than the listener and TIME_WAIT;
 * with @show, each is logged: its state, ports, timer and queues.
 */
static int race_left(struct __test_metadata *_metadata, int proto, bool show)
{
	struct diag_entry e[DIAG_MAX];
	int i, n;

	n = diag_dump(proto, DIAG_ALL_STATES & ~(1 << 6 | 1 << 10), 0, e,
		      DIAG_MAX);
	for (i = 0; show && i < n && i < DIAG_MAX; i++)
		TH_LOG("left: state %u, %u -> %u, timer %u in %u ms, rq %u wq %u",
		       e[i].msg.idiag_state, ntohs(e[i].msg.id.idiag_sport),
		       ntohs(e[i].msg.id.idiag_dport), e[i].msg.idiag_timer,
		       e[i].msg.idiag_expires, e[i].msg.idiag_rqueue,
		       e[i].msg.idiag_wqueue);
	return n;
}

TEST_F(diag, races_with_churn)
{
	const char *ms = getenv("XTCP_DIAG_RACE_MS");
	struct diag_race r = { .proto = variant->proto, .lfd = self->lfd };
	pthread_t churn[2], dumper[2];
	long long until;
	int i;

	/* The lookups of both families are covered by destroy_aborts. */
	if (variant->family == AF_INET6)
		SKIP(return, "run over IPv4 only, to keep the program short");
	close(self->c);
	close(self->s);
	self->c = -1;
	self->s = -1;
	/*
	 * A side can be left an orphan in FIN_WAIT2, its peer gone without
	 * a FIN (reset, its RST answered by the new connection that took
	 * the 4-tuple): such an orphan lasts the FIN timeout, 2 s here for
	 * both protocols, within the wait below.
	 */
	ASSERT_EQ(0, xtcp_write_str(variant->proto == IPPROTO_XTCP ?
				    "/proc/sys/net/xtcp/fin_timeout_ms" :
				    "/proc/sys/net/ipv4/tcp_fin_timeout",
				    variant->proto == IPPROTO_XTCP ? "2000" : "2"));
	ASSERT_EQ(0, fcntl(self->lfd, F_SETFL, O_NONBLOCK));
	r.deadline = xtcp_now_ms() + (ms ? atoi(ms) : 3000);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_create(&churn[i], NULL, race_churn, &r));
		ASSERT_EQ(0, pthread_create(&dumper[i], NULL, race_diag, &r));
	}
	for (i = 0; i < 2; i++) {
		pthread_join(churn[i], NULL);
		pthread_join(dumper[i], NULL);
	}
	TH_LOG("%d connections, %d dumps, %d destroyed",
	       atomic_load(&r.conns), atomic_load(&r.dumps),
	       atomic_load(&r.destroyed));
	EXPECT_EQ(0, atomic_load(&r.bad))
		TH_LOG("last unexpected error: %s",
		       strerror(atomic_load(&r.bad_errno)));
	EXPECT_LT(0, atomic_load(&r.conns));
	EXPECT_LT(0, atomic_load(&r.dumps));
	/*
	 * Every connection ends: closed, reset or in TIME_WAIT, once the
	 * listener resets those nobody accepted (their client in FIN_WAIT2).
	 */
	close(self->lfd);
	self->lfd = -1;
	until = xtcp_now_ms() + 10000;
	while (race_left(_metadata, variant->proto, false) &&
	       xtcp_now_ms() < until)
		usleep(20000);
	EXPECT_EQ(0, race_left(_metadata, variant->proto, true));
}

/*
 * SOCK_DESTROY ends a TIME_WAIT entry, as Linux's tcp_abort() ends a
 * timewait socket (ss -K): it is gone from dumps and /proc, its 4-tuple
 * free; a second request finds nothing.  Unprivileged, EPERM, the entry
 * left; with a cookie not its own, ENOENT, privileged or not: as
 * Linux, the lookup (which checks the cookie) comes before the
 * privilege check.
 */
TEST_F(diag, destroy_time_wait)
{
	struct diag_entry e[DIAG_MAX];
	struct diag_req q;
	__u32 cookie[2];
	int n;

	n = DIAG_TIME_WAIT(e);
	ASSERT_EQ(1, n);
	memcpy(cookie, e[0].msg.id.idiag_cookie, sizeof(cookie));

	diag_req_init(&q, variant->proto, SOCK_DESTROY, NLM_F_ACK);
	diag_req_tuple(&q, self->cport, PORT);
	EXPECT_EQ(-EPERM, destroy_unprivileged(&q));
	memcpy(q.r.id.idiag_cookie, cookie, sizeof(cookie));
	q.r.id.idiag_cookie[1] ^= 1;
	EXPECT_EQ(-ENOENT, destroy_unprivileged(&q));
	EXPECT_EQ(-ENOENT, diag_talk(&q, NULL, 0));
	EXPECT_EQ(1, diag_dump(variant->proto, 1 << 6, 0, e, DIAG_MAX));

	q.r.id.idiag_cookie[1] ^= 1;
	EXPECT_EQ(0, diag_talk(&q, NULL, 0));
	EXPECT_EQ(0, diag_dump(variant->proto, 1 << 6, 0, e, DIAG_MAX));
	EXPECT_EQ(-1, xtcp_proc_state(diag_proc_path(variant->proto),
				      self->cport, PORT));
	EXPECT_EQ(-ENOENT, diag_talk(&q, NULL, 0));
}

/*
 * close() of an aborted connection against SOCK_DESTROY of the same one.
 * Each round, destroyer threads ask to destroy the client end as soon as
 * its port is known; its owner, blocked in recv(), wakes with
 * ECONNABORTED and closes it.  A destroyer that looked the socket up
 * before the first one took it out of the table takes its lock while
 * close() ends it: close() must own the socket until it is done with it
 * (it once let go first, and the debug kernel saw the socket destroyed
 * under another task's lock_sock()).  The debug lane runs it under
 * lockdep and KASAN.  A fixed budget: XTCP_DIAG_RACE_MS (3000).
 */
struct diag_cvd {
	int proto;
	atomic_int port;
	atomic_bool stop;
	atomic_int destroyed;
	atomic_int dumps;
	atomic_int bad;
	atomic_int bad_errno;
};

static void *cvd_destroyer(void *arg)
{
	struct diag_cvd *r = arg;
	struct diag_req q;
	int port, err;

	while (!atomic_load(&r->stop)) {
		port = atomic_load(&r->port);
		if (!port) {
			sched_yield();
			continue;
		}
		diag_req_init(&q, r->proto, SOCK_DESTROY, NLM_F_ACK);
		diag_req_tuple(&q, port, PORT);
		err = diag_talk(&q, NULL, 0);
		if (!err) {
			atomic_fetch_add(&r->destroyed, 1);
		} else if (err != -ENOENT) {
			atomic_fetch_add(&r->bad, 1);
			atomic_store(&r->bad_errno, -err);
		}
	}
	return NULL;
}

/* One round; returns the errno recv() woke with, or -1 on a setup error. */
static int cvd_round(struct diag_cvd *r, int lfd)
{
	struct timeval wait = { .tv_sec = 5 };
	struct sockaddr_storage a;
	socklen_t len = diag_loopback_sa(&a, PORT);
	int c, s, err;
	char byte;

	c = socket(diag_family, SOCK_STREAM, r->proto);
	if (c < 0)
		return -1;
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof(wait));
	if (connect(c, (struct sockaddr *)&a, len)) {
		/* A stale destroyer met a new socket on a reused port. */
		err = errno == ECONNABORTED ? ECONNABORTED : -1;
		close(c);
		return err;
	}
	s = accept(lfd, NULL, NULL);
	atomic_store(&r->port, xtcp_local_port(c));
	err = recv(c, &byte, 1, 0) < 0 ? errno : 0;
	close(c);
	atomic_store(&r->port, 0);
	if (s >= 0)
		close(s);
	return err;
}

TEST_F(diag, close_vs_destroy)
{
	const char *ms = getenv("XTCP_DIAG_RACE_MS");
	struct diag_cvd r = { .proto = variant->proto };
	int rounds = 0, aborted = 0, err, i;
	pthread_t destroyer[3];
	long long deadline;

	if (variant->family == AF_INET6)
		SKIP(return, "run over IPv4 only, to keep the program short");
	close(self->c);
	close(self->s);
	self->c = -1;
	self->s = -1;
	deadline = xtcp_now_ms() + (ms ? atoi(ms) : 3000);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&destroyer[i], NULL, cvd_destroyer,
					    &r));
	while (xtcp_now_ms() < deadline) {
		err = cvd_round(&r, self->lfd);
		rounds++;
		if (err == ECONNABORTED)
			aborted++;
		else
			TH_LOG("round %d: recv() woke with %s", rounds,
			       err > 0 ? strerror(err) : "no error");
	}
	atomic_store(&r.stop, true);
	for (i = 0; i < 3; i++)
		pthread_join(destroyer[i], NULL);
	TH_LOG("%d rounds, %d destroyed", rounds, atomic_load(&r.destroyed));
	EXPECT_EQ(0, atomic_load(&r.bad))
		TH_LOG("last unexpected error: %s",
		       strerror(atomic_load(&r.bad_errno)));
	EXPECT_LT(0, rounds);
	/* Every round's client was destroyed, its owner told so. */
	EXPECT_EQ(rounds, aborted);
	EXPECT_LE(rounds, atomic_load(&r.destroyed));
	/* Nothing is left behind but the listener: no orphan, no leak. */
	close(self->lfd);
	self->lfd = -1;
	EXPECT_EQ(0, race_left(_metadata, variant->proto, true));
}

/*
 * A listener closed with unaccepted connections while dumps fill
 * TCP_INFO: a dump owns each socket it fills (lock_sock()), the
 * listener's children included, and the listener's close() resets its
 * children.  It must wait for such an owner, not end the child under
 * it.  Each client sees its connection reset.  A fixed budget:
 * XTCP_DIAG_RACE_MS (3000).
 */
#define LVD_CLIENTS	8

static void *lvd_dumper(void *arg)
{
	const __u8 ext = (1 << (INET_DIAG_INFO - 1)) |
			 (1 << (INET_DIAG_CONG - 1));
	struct diag_entry e[DIAG_MAX];
	struct diag_cvd *r = arg;
	int n;

	while (!atomic_load(&r->stop)) {
		n = diag_dump(r->proto, DIAG_ALL_STATES, ext, e, DIAG_MAX);
		if (n < 0) {
			atomic_fetch_add(&r->bad, 1);
			atomic_store(&r->bad_errno, -n);
		} else {
			atomic_fetch_add(&r->dumps, 1);
		}
	}
	return NULL;
}

/* One round; returns how many clients saw their connection reset. */
static int lvd_round(int proto)
{
	struct timeval wait = { .tv_sec = 5 };
	struct sockaddr_storage a;
	socklen_t len = diag_loopback_sa(&a, PORT);
	int c[LVD_CLIENTS], l, i, reset = 0;
	char byte;

	l = socket(diag_family, SOCK_STREAM, proto);
	if (l < 0 || xtcp_set_reuseaddr(l) ||
	    bind(l, (struct sockaddr *)&a, len) || listen(l, 2 * LVD_CLIENTS)) {
		close(l);
		return -1;
	}
	for (i = 0; i < LVD_CLIENTS; i++) {
		c[i] = socket(diag_family, SOCK_STREAM, proto);
		setsockopt(c[i], SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
		setsockopt(c[i], SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof(wait));
		connect(c[i], (struct sockaddr *)&a, len);
	}
	close(l);
	for (i = 0; i < LVD_CLIENTS; i++) {
		if (recv(c[i], &byte, 1, 0) < 0 && errno == ECONNRESET)
			reset++;
		close(c[i]);
	}
	return reset;
}

TEST_F(diag, listener_close_vs_dump)
{
	const char *ms = getenv("XTCP_DIAG_RACE_MS");
	struct diag_cvd r = { .proto = variant->proto };
	int rounds = 0, reset = 0, i;
	long long deadline;
	pthread_t dumper[2];

	if (variant->family == AF_INET6)
		SKIP(return, "run over IPv4 only, to keep the program short");
	close(self->c);
	close(self->s);
	close(self->lfd);
	self->c = -1;
	self->s = -1;
	self->lfd = -1;
	deadline = xtcp_now_ms() + (ms ? atoi(ms) : 3000);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&dumper[i], NULL, lvd_dumper, &r));
	while (xtcp_now_ms() < deadline) {
		reset += lvd_round(variant->proto);
		rounds++;
	}
	atomic_store(&r.stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(dumper[i], NULL);
	TH_LOG("%d rounds, %d dumps", rounds, atomic_load(&r.dumps));
	EXPECT_EQ(0, atomic_load(&r.bad))
		TH_LOG("last unexpected error: %s",
		       strerror(atomic_load(&r.bad_errno)));
	EXPECT_LT(0, atomic_load(&r.dumps));
	/* Every client of every round was reset by the listener's close. */
	EXPECT_EQ(rounds * LVD_CLIENTS, reset);
	EXPECT_EQ(0, race_left(_metadata, variant->proto, true));
}

TEST_HARNESS_MAIN
