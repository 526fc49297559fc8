// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall-sequence fuzzer for xtcp sockets.
 *
 * Debian's trinity cannot be aimed at xtcp: its --domain picks only the
 * address family, and the protocol of an AF_INET socket comes from a
 * fixed table (IP, TCP, UDP, DCCP, SCTP, UDP-Lite), so it never opens
 * socket(AF_INET, SOCK_STREAM, 253).  This program does, and drives
 * random sequences of socket, bind, listen, connect (blocking and not,
 * AF_UNSPEC disconnect), accept, send/recv in all their forms with
 * random flags and sizes, sendfile, shutdown, socket options of every
 * level xtcp answers (SOL_TCP, SOL_XTCP, SOL_SOCKET, IP) with random
 * values and lengths, ioctls, poll, epoll and close, from several
 * threads over one shared table of descriptors: a descriptor closed by
 * one thread while another uses it is intended.  Two namespaces, "a"
 * and "b", are joined by veth with netem (10 % loss, 2 ms delay) on both
 * ends; each has a listener thread of its own, and the workers connect
 * to both over loopback and over the lossy path, and to a closed port.
 *
 * A third of the sockets are AF_INET6 (and so are the addresses their
 * calls get, but for one in sixteen of the other family): the veth has
 * 2001:2::1 and 2001:2::2 too, each namespace has IPv6 listeners (on
 * :: dual-stack, and on its own address), and the options include
 * SOL_IPV6's (extension headers among them).  Their connections go to
 * ::1, to v4-mapped addresses, across the lossy path and to a closed
 * port, and /proc/net/xtcp6 is read and must drain like /proc/net/xtcp.
 *
 * The run lasts XTCP_FUZZ_SECONDS (default 30) with XTCP_FUZZ_THREADS
 * workers (default 4), from the seed XTCP_FUZZ_SEED (default: the time),
 * printed first.  Each worker draws from its own generator, derived from
 * the seed, so that a run with one worker makes the same choices again
 * as long as its calls give the same results (which depend on timing).
 * At the end every
 * descriptor is closed, and within XTCP_FUZZ_DRAIN seconds (default 90)
 * /proc/net/xtcp of both namespaces must empty (their timeouts are
 * lowered by sysctls so that it does); the namespaces are deleted, the
 * module must unload, and it is loaded again with its defaults.
 *
 * The test fails on what userspace can see: a call answering more bytes
 * than asked, an option longer than its buffer, an errno that cannot
 * happen (EFAULT, ENOTSOCK ...), a malformed line or impossible state in
 * /proc/net/xtcp, a worker stuck in a call past its bound, a socket left
 * after the drain, a refused unload.  Kernel reports (KASAN, lockdep,
 * WARNING, refcount, kmemleak) are the VM's to catch: it scans the log
 * and kmemleak after the tests (scripts/vm-init.sh).
 */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>

#include "xtcp_ns.h"
#include "kselftest_harness.h"

#define NSLOTS		48	/* shared descriptor table */
#define MAX_THREADS	16
#define PORT_LO		24000	/* bind and connect ports collide here */
#define NPORTS		6
#define PORT_SERVER	24000	/* the listener threads' ports */
#define PORT_SERVER6	24002	/* their IPv6 ones */
#define NLISTEN		4	/* listeners of each namespace */
#define ADDR6_A		"2001:2::1"
#define ADDR6_B		"2001:2::2"
#define PORT_CLOSED	24099	/* nobody listens */
#define BUF_LEN		(256 * 1024)
#define OPT_LEN		512	/* room for any option value */
#define MAX_ERRNO	140
#define STUCK_MS	20000	/* a call bounded by 200 ms timeouts */

enum fuzz_op {
	OP_SOCKET, OP_BIND, OP_LISTEN, OP_CONNECT, OP_DISCONNECT, OP_ACCEPT,
	OP_SEND, OP_SENDTO, OP_SENDMSG, OP_SENDFILE, OP_RECV, OP_RECVMSG,
	OP_SHUTDOWN, OP_SETSOCKOPT, OP_GETSOCKOPT, OP_IOCTL, OP_POLL,
	OP_EPOLL, OP_CLOSE, OP_GETNAME, NR_OPS
};

static const char * const op_names[NR_OPS] = {
	"socket", "bind", "listen", "connect", "disconnect", "accept",
	"send", "sendto", "sendmsg", "sendfile", "recv", "recvmsg",
	"shutdown", "setsockopt", "getsockopt", "ioctl", "poll", "epoll",
	"close", "getname",
};

/* Relative weights of the operations. */
static const unsigned int op_weight[NR_OPS] = {
	[OP_SOCKET] = 8, [OP_BIND] = 5, [OP_LISTEN] = 4, [OP_CONNECT] = 8,
	[OP_DISCONNECT] = 1, [OP_ACCEPT] = 5, [OP_SEND] = 6, [OP_SENDTO] = 2,
	[OP_SENDMSG] = 4, [OP_SENDFILE] = 1, [OP_RECV] = 6, [OP_RECVMSG] = 3,
	[OP_SHUTDOWN] = 2, [OP_SETSOCKOPT] = 10, [OP_GETSOCKOPT] = 6,
	[OP_IOCTL] = 3, [OP_POLL] = 3, [OP_EPOLL] = 2, [OP_CLOSE] = 8,
	[OP_GETNAME] = 1,
};

static struct {
	unsigned long long seed;
	int seconds, threads, drain;
	char ns[2][32];			/* "a" and "b" */
	const char *addr[2];
	const char *addr6[2];
	atomic_int slot[NSLOTS];	/* descriptors, -1 when free */
	atomic_bool stop;
	long long end_ms;
	atomic_ullong calls[NR_OPS], ok[NR_OPS];
	atomic_ullong err[NR_OPS][MAX_ERRNO];
	atomic_uint surprises;
	atomic_uint proc_reads;
	atomic_uint accepted_by_servers;
	pthread_mutex_t log_lock;
} F;

/* What each worker does now, for the watchdog's report. */
static struct worker {
	pthread_t tid;
	int idx, ns;
	uint64_t rng;
	atomic_int op;			/* -1 between calls */
	atomic_llong since_ms;
	int epfd, memfd;
	char *buf;
} W[MAX_THREADS];

/* xorshift64*: small, fast and reproducible from its seed */
static uint64_t rnd(struct worker *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 0x2545F4914F6CDD1DULL;
}

static unsigned int below(struct worker *w, unsigned int n)
{
	return n ? rnd(w) % n : 0;
}

static bool one_in(struct worker *w, unsigned int n)
{
	return below(w, n) == 0;
}

/* A size: mostly small, sometimes up to BUF_LEN, sometimes 0. */
static size_t rand_size(struct worker *w)
{
	switch (below(w, 8)) {
	case 0:
		return 0;
	case 1:
		return 1 + below(w, 4);
	case 2:
	case 3:
		return below(w, 1500);
	case 4:
	case 5:
		return below(w, 65536);
	default:
		return below(w, BUF_LEN + 1);
	}
}

static int rand_int(struct worker *w)
{
	static const int special[] = {
		0, 1, -1, 2, 4, 88, 536, 1460, 32767, 32768, 65535, 65536,
		INT32_MAX, INT32_MIN, 127, 128, 7200, 100, 1000,
	};

	if (one_in(w, 2))
		return special[below(w, ARRAY_SIZE(special))];
	return one_in(w, 2) ? (int)below(w, 4096) : (int)rnd(w);
}

static void surprise(const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&F.surprises, 1);
	pthread_mutex_lock(&F.log_lock);
	printf("# SURPRISE: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&F.log_lock);
}

/*
 * Errnos no xtcp call may answer here: the fuzzer passes valid buffers
 * (EFAULT), only ever calls on sockets (ENOTSOCK: a descriptor number
 * is only reused by another socket during the run), and no signal
 * interrupts a call (EINTR).
 */
static bool impossible_errno(enum fuzz_op op, int e)
{
	if (op == OP_IOCTL)	/* random commands may want anything */
		return e == ENOTSOCK || e == EINTR;
	return e == EFAULT || e == ENOTSOCK || e == EINTR || e == ENOTTY;
}

/* Count the result of a call of @op: @ret (-1 with errno set) on @fd. */
static long note(struct worker *w, enum fuzz_op op, long ret, int fd)
{
	int e = errno;

	atomic_fetch_add(&F.calls[op], 1);
	if (ret >= 0) {
		atomic_fetch_add(&F.ok[op], 1);
	} else {
		atomic_fetch_add(&F.err[op][e < MAX_ERRNO ? e : 0], 1);
		if (impossible_errno(op, e))
			surprise("%s on fd %d: %s", op_names[op], fd,
				 strerror(e));
	}
	atomic_store(&w->op, -1);
	errno = e;
	return ret;
}

static void begin(struct worker *w, enum fuzz_op op)
{
	atomic_store(&w->since_ms, xtcp_now_ms());
	atomic_store(&w->op, op);
}

/* Bound every blocking call on @fd: 0 to 200 ms. */
static void bound(struct worker *w, int fd)
{
	struct timeval tv = { .tv_usec = 1000 + below(w, 200000) };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	tv.tv_usec = 1000 + below(w, 200000);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Put @fd in a free slot, or close it when the table is full. */
static void publish(struct worker *w, int fd)
{
	unsigned int i, start = below(w, NSLOTS);
	int expect;

	for (i = 0; i < NSLOTS; i++) {
		expect = -1;
		if (atomic_compare_exchange_strong(&F.slot[(start + i) % NSLOTS],
						   &expect, fd))
			return;
	}
	close(fd);
}

/* A descriptor of the table (possibly closed meanwhile), or -1. */
static int pick(struct worker *w)
{
	unsigned int i, start = below(w, NSLOTS);
	int fd;

	for (i = 0; i < NSLOTS; i++) {
		fd = atomic_load(&F.slot[(start + i) % NSLOTS]);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

/* The family of socket @fd (AF_INET if it is gone). */
static int fd_family(int fd)
{
	socklen_t len = sizeof(int);
	int family;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len))
		return AF_INET;
	return family;
}

/*
 * An address for a socket of @family in *@ss, mostly of that family
 * (one in sixteen of the other); its length.
 */
static socklen_t rand_addr(struct worker *w, bool to_connect, int family,
			   struct sockaddr_storage *ss)
{
	static const char * const any[] = { "0.0.0.0", "127.0.0.1",
					    "127.0.0.2" };
	static const char * const any6[] = { "::", "::1",
					     "::ffff:127.0.0.1" };
	unsigned short port = PORT_LO + below(w, NPORTS);
	bool v6 = (family == AF_INET6) != one_in(w, 16);
	const char *ip;

	switch (below(w, 8)) {
	case 0:
	case 1:
		ip = v6 ? any6[below(w, ARRAY_SIZE(any6))] :
			  any[below(w, ARRAY_SIZE(any))];
		break;
	case 2:
	case 3:
		/* our side of the veth */
		ip = v6 ? F.addr6[w->ns] : F.addr[w->ns];
		break;
	case 4:
	case 5:
		/* across the lossy path */
		ip = v6 ? F.addr6[!w->ns] : F.addr[!w->ns];
		break;
	case 6:
		/* nobody: ARP, neighbour discovery fail */
		ip = v6 ? "2001:2::3" : "198.18.0.3";
		break;
	default:
		ip = to_connect ? xtcp_loopback(v6 ? AF_INET6 : AF_INET) :
		     v6 ? "::" : "0.0.0.0";
		port = one_in(w, 2) ? PORT_CLOSED : 0;
	}
	if (to_connect && (!strcmp(ip, "0.0.0.0") || !strcmp(ip, "::")))
		ip = xtcp_loopback(v6 ? AF_INET6 : AF_INET);
	return xtcp_sockaddr(ip, port, ss);
}

/*
 * A listener thread's address for an AF_INET socket: 127.0.0.1 or an
 * address of the veth, on PORT_SERVER (0.0.0.0) or PORT_SERVER + 1 (the
 * veth's address only).  Its length.
 */
static socklen_t server_addr(struct worker *w, struct sockaddr_storage *a)
{
	bool lo = !below(w, 3);
	unsigned short port = PORT_SERVER + (lo ? 0 : below(w, 2));

	return xtcp_sockaddr(lo ? "127.0.0.1" : F.addr[below(w, 2)], port, a);
}

/*
 * The same for an AF_INET6 socket: ::1 or an IPv6 address of the veth,
 * on PORT_SERVER6 (::, dual-stack) or PORT_SERVER6 + 1 (the veth's
 * address only); or a v4-mapped address of server_addr().
 */
static socklen_t server_addr6(struct worker *w, struct sockaddr_storage *a)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)a;
	struct sockaddr_storage a4;
	bool lo = !below(w, 3);
	unsigned short port = PORT_SERVER6 + (lo ? 0 : below(w, 2));

	if (one_in(w, 4)) {
		server_addr(w, &a4);
		xtcp_sockaddr("::ffff:0.0.0.0", xtcp_sockaddr_port(&a4), a);
		memcpy(&a6->sin6_addr.s6_addr[12],
		       &((struct sockaddr_in *)&a4)->sin_addr, 4);
		return sizeof(*a6);
	}
	return xtcp_sockaddr(lo ? "::1" : F.addr6[below(w, 2)], port, a);
}

static void op_socket(struct worker *w)
{
	int type = SOCK_STREAM, fd;
	int family = one_in(w, 3) ? AF_INET6 : AF_INET;

	if (one_in(w, 3))
		type |= SOCK_NONBLOCK;
	if (one_in(w, 4))
		type |= SOCK_CLOEXEC;
	begin(w, OP_SOCKET);
	fd = note(w, OP_SOCKET, socket(family, type, IPPROTO_XTCP), -1);
	if (fd < 0)
		return;
	bound(w, fd);
	if (one_in(w, 3))
		xtcp_set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (one_in(w, 4))
		xtcp_set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	/*
	 * Half of the new sockets connect to a listener thread at once, so
	 * that the table holds connections, not only dead ends.
	 */
	if (one_in(w, 2)) {
		struct sockaddr_storage a;
		socklen_t len;

		if (family == AF_INET6)
			len = server_addr6(w, &a);
		else
			len = server_addr(w, &a);
		begin(w, OP_CONNECT);
		note(w, OP_CONNECT, connect(fd, (struct sockaddr *)&a, len), fd);
	}
	publish(w, fd);
}

static void op_bind(struct worker *w, int fd)
{
	struct sockaddr_storage a;
	socklen_t len = rand_addr(w, false, fd_family(fd), &a);

	if (one_in(w, 16))
		a.ss_family = AF_UNSPEC;
	if (one_in(w, 16))
		len = below(w, sizeof(a) + 4);
	begin(w, OP_BIND);
	note(w, OP_BIND, bind(fd, (struct sockaddr *)&a, len), fd);
}

static void op_listen(struct worker *w, int fd)
{
	static const int backlogs[] = { 0, 1, 2, 5, 128, -1, -100, 4096,
					INT32_MAX, 65536 };
	struct sockaddr_storage a;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&a;
	socklen_t len = sizeof(a);
	int cfd, n;

	begin(w, OP_LISTEN);
	if (note(w, OP_LISTEN, listen(fd, backlogs[below(w, ARRAY_SIZE(backlogs))]),
		 fd) || one_in(w, 2))
		return;
	/*
	 * Give the new listener a few connections in its queue, for accept
	 * and close to race with: random connects seldom find it.
	 */
	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return;
	if (a.ss_family == AF_INET && !a4->sin_addr.s_addr)
		a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (a.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr))
		a6->sin6_addr = in6addr_loopback;
	for (n = 1 + below(w, 3); n > 0; n--) {
		begin(w, OP_SOCKET);
		cfd = note(w, OP_SOCKET, socket(a.ss_family,
						SOCK_STREAM | SOCK_NONBLOCK,
						IPPROTO_XTCP), -1);
		if (cfd < 0)
			return;
		bound(w, cfd);
		begin(w, OP_CONNECT);
		note(w, OP_CONNECT, connect(cfd, (struct sockaddr *)&a, len),
		     cfd);
		publish(w, cfd);
	}
}

static void op_connect(struct worker *w, int fd)
{
	struct sockaddr_storage a;
	socklen_t len = rand_addr(w, true, fd_family(fd), &a);
	bool nb = one_in(w, 2);

	if (nb)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	begin(w, OP_CONNECT);
	note(w, OP_CONNECT, connect(fd, (struct sockaddr *)&a, len), fd);
}

static void op_disconnect(struct worker *w, int fd)
{
	struct sockaddr a = { .sa_family = AF_UNSPEC };

	begin(w, OP_DISCONNECT);
	note(w, OP_DISCONNECT, connect(fd, &a, one_in(w, 4) ? 2 : sizeof(a)),
	     fd);
}

static void op_accept(struct worker *w, int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);
	int nfd;

	if (one_in(w, 4))
		len = below(w, sizeof(struct sockaddr_in6));
	begin(w, OP_ACCEPT);
	if (one_in(w, 2))
		nfd = accept(fd, one_in(w, 4) ? NULL : (struct sockaddr *)&a,
			     &len);
	else
		nfd = accept4(fd, (struct sockaddr *)&a, &len,
			      (one_in(w, 2) ? SOCK_NONBLOCK : 0) |
			      (one_in(w, 2) ? SOCK_CLOEXEC : 0));
	note(w, OP_ACCEPT, nfd, fd);
	if (nfd < 0)
		return;
	if (len > sizeof(a))
		surprise("accept: address length %u", len);
	bound(w, nfd);
	publish(w, nfd);
}

static int send_flags(struct worker *w)
{
	static const int flags[] = { MSG_DONTWAIT, MSG_OOB, MSG_MORE, MSG_EOR,
				     MSG_DONTROUTE, MSG_CONFIRM, MSG_ZEROCOPY,
				     MSG_FASTOPEN, MSG_PROXY, MSG_WAITALL };
	int f = MSG_NOSIGNAL;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(flags); i++)
		if (one_in(w, 5))
			f |= flags[i];
	return f;
}

static int recv_flags(struct worker *w)
{
	static const int flags[] = { MSG_DONTWAIT, MSG_PEEK, MSG_OOB,
				     MSG_WAITALL, MSG_TRUNC, MSG_ERRQUEUE,
				     MSG_CMSG_CLOEXEC, MSG_CTRUNC };
	unsigned int i;
	int f = 0;

	for (i = 0; i < ARRAY_SIZE(flags); i++)
		if (one_in(w, 5))
			f |= flags[i];
	return f;
}

static void check_len(enum fuzz_op op, int fd, long got, size_t asked)
{
	if (got > (long)asked)
		surprise("%s on fd %d: %ld bytes for %zu asked", op_names[op],
			 fd, got, asked);
}

static void op_send(struct worker *w, int fd, enum fuzz_op op)
{
	struct sockaddr_storage a;
	socklen_t alen = rand_addr(w, true, fd_family(fd), &a);
	size_t len = rand_size(w), total = 0;
	struct iovec iov[4];
	struct msghdr m = {};
	int flags = send_flags(w);
	unsigned int i;
	long n;

	begin(w, op);
	switch (op) {
	case OP_SEND:
		n = send(fd, w->buf, len, flags);
		break;
	case OP_SENDTO:
		n = sendto(fd, w->buf, len, flags, (struct sockaddr *)&a,
			   one_in(w, 4) ? 0 : alen);
		break;
	default:
		m.msg_iov = iov;
		m.msg_iovlen = 1 + below(w, 4);
		for (i = 0; i < m.msg_iovlen; i++) {
			iov[i].iov_base = w->buf + below(w, BUF_LEN / 2);
			iov[i].iov_len = below(w, 2) ? below(w, BUF_LEN / 2) : 0;
			total += iov[i].iov_len;
		}
		len = total;
		if (one_in(w, 8)) {
			m.msg_name = &a;
			m.msg_namelen = alen;
		}
		n = sendmsg(fd, &m, flags);
	}
	note(w, op, n, fd);
	check_len(op, fd, n, len);
}

static void op_sendfile(struct worker *w, int fd)
{
	size_t len = rand_size(w);
	off_t off = below(w, BUF_LEN);
	long n;

	begin(w, OP_SENDFILE);
	n = sendfile(fd, w->memfd, &off, len);
	note(w, OP_SENDFILE, n, fd);
	check_len(OP_SENDFILE, fd, n, len);
}

static void op_recv(struct worker *w, int fd, enum fuzz_op op)
{
	char cbuf[256];
	size_t len = rand_size(w);
	struct iovec iov[2] = {
		{ .iov_base = w->buf, .iov_len = len / 2 },
		{ .iov_base = w->buf + BUF_LEN / 2, .iov_len = len - len / 2 },
	};
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	int flags = recv_flags(w);
	long n;

	begin(w, op);
	if (op == OP_RECV) {
		n = recv(fd, w->buf, len, flags);
	} else {
		if (one_in(w, 2)) {
			m.msg_control = cbuf;
			m.msg_controllen = below(w, sizeof(cbuf));
		}
		n = recvmsg(fd, &m, flags);
	}
	note(w, op, n, fd);
	/* MSG_TRUNC on a stream discards and answers what it would read. */
	check_len(op, fd, n, len);
	if (op == OP_RECVMSG && n >= 0 && m.msg_controllen > sizeof(cbuf))
		surprise("recvmsg on fd %d: controllen %zu", fd,
			 (size_t)m.msg_controllen);
}

static void op_shutdown(struct worker *w, int fd)
{
	static const int how[] = { SHUT_RD, SHUT_WR, SHUT_RDWR, 3, -1 };

	begin(w, OP_SHUTDOWN);
	note(w, OP_SHUTDOWN, shutdown(fd, how[below(w, one_in(w, 8) ? 5 : 3)]),
	     fd);
}

struct opt {
	int level, name;
	int kind;		/* what a random value looks like */
};

enum { V_INT, V_BOOL, V_LINGER, V_NAME, V_DEV, V_RAW, V_TV, V_EXTHDR };

static const struct opt opts[] = {
	{ SOL_TCP, TCP_NODELAY, V_BOOL }, { SOL_TCP, TCP_CORK, V_BOOL },
	{ SOL_TCP, TCP_MAXSEG, V_INT }, { SOL_TCP, TCP_KEEPIDLE, V_INT },
	{ SOL_TCP, TCP_KEEPINTVL, V_INT }, { SOL_TCP, TCP_KEEPCNT, V_INT },
	{ SOL_TCP, TCP_USER_TIMEOUT, V_INT },
	{ SOL_TCP, TCP_CONGESTION, V_NAME }, { SOL_TCP, TCP_INFO, V_RAW },
	{ SOL_TCP, TCP_QUICKACK, V_BOOL }, { SOL_TCP, TCP_DEFER_ACCEPT, V_INT },
	{ SOL_TCP, TCP_WINDOW_CLAMP, V_INT }, { SOL_TCP, TCP_SYNCNT, V_INT },
	{ SOL_TCP, TCP_LINGER2, V_INT }, { SOL_TCP, TCP_NOTSENT_LOWAT, V_INT },
	{ SOL_TCP, TCP_FASTOPEN, V_INT }, { SOL_TCP, TCP_REPAIR, V_INT },
	{ SOL_TCP, TCP_ULP, V_NAME }, { SOL_TCP, TCP_MD5SIG, V_RAW },
	{ SOL_TCP, TCP_ZEROCOPY_RECEIVE, V_RAW },
	{ SOL_XTCP, 0, V_INT }, { SOL_XTCP, 1, V_INT }, { SOL_XTCP, 2, V_RAW },
	{ SOL_SOCKET, SO_LINGER, V_LINGER }, { SOL_SOCKET, SO_RCVBUF, V_INT },
	{ SOL_SOCKET, SO_SNDBUF, V_INT }, { SOL_SOCKET, SO_RCVBUFFORCE, V_INT },
	{ SOL_SOCKET, SO_SNDBUFFORCE, V_INT },
	{ SOL_SOCKET, SO_KEEPALIVE, V_BOOL },
	{ SOL_SOCKET, SO_REUSEADDR, V_BOOL },
	{ SOL_SOCKET, SO_REUSEPORT, V_BOOL },
	{ SOL_SOCKET, SO_OOBINLINE, V_BOOL },
	{ SOL_SOCKET, SO_RCVLOWAT, V_INT }, { SOL_SOCKET, SO_SNDLOWAT, V_INT },
	{ SOL_SOCKET, SO_PRIORITY, V_INT }, { SOL_SOCKET, SO_MARK, V_INT },
	{ SOL_SOCKET, SO_BINDTODEVICE, V_DEV },
	{ SOL_SOCKET, SO_TIMESTAMP, V_BOOL },
	{ SOL_SOCKET, SO_TIMESTAMPING, V_INT },
	{ SOL_SOCKET, SO_ZEROCOPY, V_BOOL },
	{ SOL_SOCKET, SO_MAX_PACING_RATE, V_INT },
	{ SOL_SOCKET, SO_PEEK_OFF, V_INT },
	{ SOL_SOCKET, SO_BUSY_POLL, V_INT },
	{ SOL_SOCKET, SO_INCOMING_CPU, V_INT },
	{ SOL_SOCKET, SO_RCVTIMEO, V_TV }, { SOL_SOCKET, SO_SNDTIMEO, V_TV },
	{ SOL_SOCKET, SO_ERROR, V_INT }, { SOL_SOCKET, SO_ACCEPTCONN, V_INT },
	{ SOL_SOCKET, SO_PROTOCOL, V_INT }, { SOL_SOCKET, SO_TYPE, V_INT },
	{ SOL_SOCKET, SO_DOMAIN, V_INT }, { SOL_SOCKET, SO_PEERNAME, V_RAW },
	{ SOL_SOCKET, SO_MEMINFO, V_RAW }, { SOL_SOCKET, SO_COOKIE, V_RAW },
	{ SOL_IP, IP_TOS, V_INT }, { SOL_IP, IP_TTL, V_INT },
	{ SOL_IP, IP_OPTIONS, V_RAW }, { SOL_IP, IP_MTU_DISCOVER, V_INT },
	{ SOL_IP, IP_MTU, V_INT }, { SOL_IP, IP_RECVERR, V_BOOL },
	{ SOL_IP, IP_FREEBIND, V_BOOL }, { SOL_IP, IP_TRANSPARENT, V_BOOL },
	{ SOL_IP, IP_BIND_ADDRESS_NO_PORT, V_BOOL },
	{ SOL_IP, IP_PKTINFO, V_BOOL }, { SOL_IP, IP_RECVTOS, V_BOOL },
	{ SOL_IPV6, IPV6_V6ONLY, V_BOOL }, { SOL_IPV6, IPV6_TCLASS, V_INT },
	{ SOL_IPV6, IPV6_UNICAST_HOPS, V_INT },
	{ SOL_IPV6, IPV6_MTU_DISCOVER, V_INT }, { SOL_IPV6, IPV6_MTU, V_INT },
	{ SOL_IPV6, IPV6_RECVERR, V_BOOL }, { SOL_IPV6, IPV6_FREEBIND, V_BOOL },
	{ SOL_IPV6, IPV6_TRANSPARENT, V_BOOL },
	{ SOL_IPV6, IPV6_RECVPKTINFO, V_BOOL },
	{ SOL_IPV6, IPV6_AUTOFLOWLABEL, V_BOOL },
	{ SOL_IPV6, IPV6_ADDRFORM, V_INT },
	{ SOL_IPV6, IPV6_HOPOPTS, V_EXTHDR },
	{ SOL_IPV6, IPV6_DSTOPTS, V_EXTHDR },
	{ SOL_IPV6, IPV6_RTHDRDSTOPTS, V_EXTHDR },
};

static socklen_t rand_optlen(struct worker *w, socklen_t natural)
{
	static const socklen_t lens[] = { 0, 1, 2, 3, 4, 5, 8, 16, 40, 104,
					  232, 256, OPT_LEN };

	if (one_in(w, 2))
		return natural;
	return lens[below(w, ARRAY_SIZE(lens))];
}

/* A random value for @o in @v (OPT_LEN bytes); its natural length. */
static socklen_t rand_optval(struct worker *w, const struct opt *o,
			     char *v)
{
	static const char * const ccs[] = { "reno", "cubic", "", "bbr",
					    "renocubic", "reno\n", "cubicx",
					    "0123456789abcdefghij" };
	static const char * const devs[] = { "", "nosuch", "lo", "veth0" };
	struct linger *l = (struct linger *)v;
	struct timeval *tv = (struct timeval *)v;
	unsigned int i;

	memset(v, 0, OPT_LEN);
	switch (o->kind) {
	case V_BOOL:
		*(int *)v = one_in(w, 8) ? rand_int(w) : (int)below(w, 2);
		return sizeof(int);
	case V_LINGER:
		/* Up to 1 s: close() blocks for that long at most. */
		l->l_onoff = below(w, 2);
		l->l_linger = below(w, 2) ? 0 : (int)below(w, 2);
		return sizeof(*l);
	case V_NAME:
		strcpy(v, ccs[below(w, ARRAY_SIZE(ccs))]);
		return strlen(v) + below(w, 2);
	case V_DEV:
		/*
		 * A device that does not reach the peer makes every
		 * transmission fail: its orphans end after orphan_retries
		 * failed attempts, as Linux TCP's.
		 */
		strcpy(v, devs[below(w, ARRAY_SIZE(devs))]);
		return strlen(v) + below(w, 2);
	case V_EXTHDR:
		/*
		 * An extension header of 8 to 32 bytes that senders and
		 * receivers take, filled by one option of type 0x1e (RFC
		 * 4727's experimental one, to be skipped when unknown): a
		 * PadN of more than 5 bytes would make the receiver drop
		 * every datagram (RFC 4942 2.1.9.5), and a connection's
		 * orphan send its FIN again for minutes.  0 bytes take it
		 * away.  xtcp counts it in its MSS (xtcp_v6_opt_len_sync()).
		 * IPV6_RTHDRDSTOPTS without a routing header is a black hole,
		 * for Linux TCP as for xtcp: ip6_xmit() counts it in the
		 * payload length, ipv6_push_nfrag_opts() does not send it,
		 * and the peer drops every datagram as truncated.  Its
		 * connections end by retransmission timeouts.
		 */
		i = below(w, 5);
		if (!i)
			return 0;
		v[1] = i - 1;
		v[2] = 0x1e;
		v[3] = 8 * i - 4;
		return 8 * i;
	case V_TV:
		/* Never 0: that would unbound the blocking calls. */
		tv->tv_sec = 0;
		tv->tv_usec = 1 + below(w, 200000);
		return sizeof(*tv);
	case V_RAW:
		for (i = 0; i < OPT_LEN; i++)
			v[i] = rnd(w);
		if (o->level == SOL_IP && o->name == IP_OPTIONS) {
			/*
			 * NOPs: options the kernel accepts, which segments
			 * must leave room for (xtcp's MSS counts them).
			 */
			memset(v, IPOPT_NOP, OPT_LEN);
			return 4 * below(w, 11);
		}
		return below(w, 64);
	default:
		*(int *)v = rand_int(w);
		if (o->level == SOL_TCP && o->name == TCP_USER_TIMEOUT)
			*(int *)v = below(w, 3000);	/* small, ms */
		if (o->level == SOL_TCP && o->name == TCP_REPAIR)
			*(int *)v = 0;
		/* FORCE passes rmem_max: at most 8 MiB, or memory runs out */
		if (o->level == SOL_SOCKET && (o->name == SO_RCVBUFFORCE ||
					       o->name == SO_SNDBUFFORCE) &&
		    *(int *)v > 8 << 20)
			*(int *)v = below(w, 8 << 20);
		return sizeof(int);
	}
}

static void op_setsockopt(struct worker *w, int fd)
{
	const struct opt *o = &opts[below(w, ARRAY_SIZE(opts))];
	char v[OPT_LEN];
	socklen_t len = rand_optval(w, o, v);
	int level = o->level, name = o->name;

	if (o->kind != V_TV && o->kind != V_LINGER)
		len = rand_optlen(w, len);
	else if (one_in(w, 8))
		len = below(w, len);	/* too short: EINVAL */
	if (one_in(w, 32)) {
		/* anything at all on our own levels */
		level = one_in(w, 2) ? SOL_TCP : SOL_XTCP;
		name = below(w, 48);
		if (level == SOL_TCP && (name == TCP_REPAIR ||
					 name == TCP_REPAIR_QUEUE))
			name = TCP_NODELAY;
	}
	begin(w, OP_SETSOCKOPT);
	note(w, OP_SETSOCKOPT, setsockopt(fd, level, name, v, len), fd);
}

static void check_opt(int fd, const struct opt *o, const char *v,
		      socklen_t asked, socklen_t got)
{
	const struct tcp_info *ti = (const struct tcp_info *)v;
	char name[17] = "";

	if (got > asked)
		surprise("getsockopt(%d, %d) on fd %d: %u bytes into %u",
			 o->level, o->name, fd, got, asked);
	if (o->level != SOL_TCP)
		return;
	if (o->name == TCP_INFO && got >= 1 &&
	    (ti->tcpi_state < 1 || ti->tcpi_state > 11))
		surprise("TCP_INFO on fd %d: state %u", fd, ti->tcpi_state);
	if (o->name == TCP_CONGESTION && got >= 1) {
		size_t l;

		memcpy(name, v, got < 16 ? got : 16);
		l = strlen(name);
		/* the name, cut to the caller's length */
		if ((l > 4 || strncmp(name, "reno", l)) &&
		    (l > 5 || strncmp(name, "cubic", l)))
			surprise("TCP_CONGESTION on fd %d: \"%s\"", fd, name);
	}
}

static void op_getsockopt(struct worker *w, int fd)
{
	const struct opt *o = &opts[below(w, ARRAY_SIZE(opts))];
	char v[OPT_LEN];
	socklen_t natural = o->kind == V_RAW ? sizeof(struct tcp_info) + 8 :
			    o->kind == V_NAME ? 16 : sizeof(int);
	socklen_t asked = rand_optlen(w, natural), len = asked;

	memset(v, 0, sizeof(v));
	/* SO_PEERNAME wants room for an address; TCP_ZEROCOPY_RECEIVE would map */
	if (o->level == SOL_TCP && o->name == TCP_ZEROCOPY_RECEIVE)
		return;
	begin(w, OP_GETSOCKOPT);
	if (note(w, OP_GETSOCKOPT, getsockopt(fd, o->level, o->name, v, &len),
		 fd) == 0)
		check_opt(fd, o, v, asked, len);
}

static void op_ioctl(struct worker *w, int fd)
{
	static const unsigned long cmds[] = { SIOCINQ, SIOCOUTQ, SIOCOUTQNSD,
					      FIONBIO, SIOCATMARK, FIOASYNC,
					      SIOCGSTAMP, FIONREAD, TCGETS };
	unsigned long cmd = cmds[below(w, ARRAY_SIZE(cmds))];
	int *val = (int *)w->buf;	/* room for any command's answer */
	bool random_cmd = one_in(w, 8);
	long r;

	*val = below(w, 2);
	/*
	 * Random commands, but none of sockios.h (0x89xx): those configure
	 * interfaces and routes.
	 */
	if (random_cmd) {
		cmd = rnd(w) & 0xffffffff;
		if (((cmd >> 8) & 0xff) == 0x89)
			cmd = SIOCINQ;
	}
	begin(w, OP_IOCTL);
	r = note(w, OP_IOCTL, ioctl(fd, cmd, val), fd);
	if (r < 0 && errno == EFAULT && !random_cmd)
		surprise("ioctl 0x%lx on fd %d: EFAULT", cmd, fd);
	if (r == 0 && (cmd == SIOCINQ || cmd == SIOCOUTQ ||
		       cmd == SIOCOUTQNSD) && (*val < 0 || *val > 64 << 20))
		surprise("ioctl 0x%lx on fd %d: %d", cmd, fd, *val);
}

#define POLL_BITS (POLLIN | POLLPRI | POLLOUT | POLLERR | POLLHUP | POLLNVAL | \
		   POLLRDNORM | POLLRDBAND | POLLWRNORM | POLLWRBAND | POLLRDHUP)

static void op_poll(struct worker *w)
{
	struct pollfd p[4];
	unsigned int i, n = 1 + below(w, 4);
	int r;

	for (i = 0; i < n; i++) {
		p[i].fd = pick(w);
		p[i].events = rnd(w) & POLL_BITS;
		p[i].revents = 0;
	}
	begin(w, OP_POLL);
	r = note(w, OP_POLL, poll(p, n, below(w, 20)), p[0].fd);
	for (i = 0; r > 0 && i < n; i++)
		if (p[i].revents & ~(POLL_BITS | POLLMSG))
			surprise("poll on fd %d: revents 0x%x", p[i].fd,
				 p[i].revents);
}

static void op_epoll(struct worker *w, int fd)
{
	struct epoll_event ev = { .events = rnd(w) & (EPOLLIN | EPOLLOUT |
					EPOLLRDHUP | EPOLLPRI | EPOLLET |
					EPOLLONESHOT | EPOLLERR) };
	struct epoll_event out[8];
	static const int ctl[] = { EPOLL_CTL_ADD, EPOLL_CTL_MOD,
				   EPOLL_CTL_DEL };

	ev.data.fd = fd;
	begin(w, OP_EPOLL);
	if (one_in(w, 2))
		note(w, OP_EPOLL, epoll_ctl(w->epfd, ctl[below(w, 3)], fd, &ev),
		     fd);
	else
		note(w, OP_EPOLL, epoll_wait(w->epfd, out, 8, below(w, 20)), fd);
}

/* Close a descriptor of the table: only ever one the fuzzer made. */
static void op_close(struct worker *w)
{
	unsigned int i = below(w, NSLOTS);
	int fd = atomic_exchange(&F.slot[i], -1);

	if (fd < 0)
		return;
	if (one_in(w, 4)) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		/* an abortive close: RST */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	begin(w, OP_CLOSE);
	note(w, OP_CLOSE, close(fd), fd);
}

static void op_getname(struct worker *w, int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);
	long r;

	begin(w, OP_GETNAME);
	if (one_in(w, 2))
		r = getsockname(fd, (struct sockaddr *)&a, &len);
	else
		r = getpeername(fd, (struct sockaddr *)&a, &len);
	/* Either family: @fd may be another socket's number by now. */
	if (note(w, OP_GETNAME, r, fd) == 0 &&
	    !(a.ss_family == AF_INET && len == sizeof(struct sockaddr_in)) &&
	    !(a.ss_family == AF_INET6 && len == sizeof(struct sockaddr_in6)))
		surprise("getname on fd %d: len %u family %u", fd, len,
			 a.ss_family);
}

static enum fuzz_op pick_op(struct worker *w)
{
	unsigned int total = 0, i, r;

	for (i = 0; i < NR_OPS; i++)
		total += op_weight[i];
	r = below(w, total);
	for (i = 0; i < NR_OPS; i++) {
		if (r < op_weight[i])
			break;
		r -= op_weight[i];
	}
	return i;
}

static void *worker(void *arg)
{
	struct worker *w = arg;
	enum fuzz_op op;
	int fd;

	if (enter_ns(F.ns[w->ns]))
		surprise("thread %d cannot enter %s", w->idx, F.ns[w->ns]);
	while (!atomic_load(&F.stop) && xtcp_now_ms() < F.end_ms) {
		op = pick_op(w);
		if (op == OP_SOCKET) {
			op_socket(w);
			continue;
		}
		if (op == OP_CLOSE) {
			op_close(w);
			continue;
		}
		if (op == OP_POLL) {
			op_poll(w);
			continue;
		}
		fd = pick(w);
		if (fd < 0)
			continue;
		switch (op) {
		case OP_BIND:
			op_bind(w, fd);
			break;
		case OP_LISTEN:
			op_listen(w, fd);
			break;
		case OP_CONNECT:
			op_connect(w, fd);
			break;
		case OP_DISCONNECT:
			op_disconnect(w, fd);
			break;
		case OP_ACCEPT:
			op_accept(w, fd);
			break;
		case OP_SEND:
		case OP_SENDTO:
		case OP_SENDMSG:
			op_send(w, fd, op);
			break;
		case OP_SENDFILE:
			op_sendfile(w, fd);
			break;
		case OP_RECV:
		case OP_RECVMSG:
			op_recv(w, fd, op);
			break;
		case OP_SHUTDOWN:
			op_shutdown(w, fd);
			break;
		case OP_SETSOCKOPT:
			op_setsockopt(w, fd);
			break;
		case OP_GETSOCKOPT:
			op_getsockopt(w, fd);
			break;
		case OP_IOCTL:
			op_ioctl(w, fd);
			break;
		case OP_EPOLL:
			op_epoll(w, fd);
			break;
		case OP_GETNAME:
			op_getname(w, fd);
			break;
		default:
			break;
		}
	}
	return NULL;
}

/*
 * A listener of namespace @arg's own, always there: connections across
 * the lossy path find one.  What it accepts goes to the shared table.
 */
struct server {
	pthread_t tid;
	int ns;
	int lfd[NLISTEN];
};

static void *server(void *arg)
{
	struct server *s = arg;
	struct pollfd p[NLISTEN];
	struct worker w = { .rng = F.seed ^ (0x5e5e + s->ns) };
	int i, fd;

	for (i = 0; i < NLISTEN; i++) {
		p[i].fd = s->lfd[i];
		p[i].events = POLLIN;
	}
	while (!atomic_load(&F.stop) && xtcp_now_ms() < F.end_ms) {
		if (poll(p, NLISTEN, 50) <= 0)
			continue;
		for (i = 0; i < NLISTEN; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			fd = accept4(p[i].fd, NULL, NULL, SOCK_NONBLOCK);
			if (fd < 0)
				continue;
			atomic_fetch_add(&F.accepted_by_servers, 1);
			bound(&w, fd);
			publish(&w, fd);
		}
	}
	return NULL;
}

/* The /proc files read: of namespace a, of b, over IPv4 and IPv6. */
#define NPROC	4
#define PROC_NS(i)	((i) % 2)
#define PROC_V6(i)	((i) >= 2)

/*
 * Check the lines of /proc/net/xtcp (read through @fd): each exactly as
 * wide as /proc/net/tcp's, each state a TCP state; or of
 * /proc/net/xtcp6 when @v6 (its lines, as tcp6's, are not padded).  The
 * number of sockets, or -1; the lines themselves in @dump when it is not
 * NULL.
 */
static int proc_check(int fd, const char *ns, bool v6, FILE *dump)
{
	static char buf[1 << 20];
	char *line, *save = NULL;
	unsigned int st;
	ssize_t n, len = 0;
	int count = 0;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
	atomic_fetch_add(&F.proc_reads, 1);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, "local_address"))
			continue;
		count++;
		if (dump)
			fprintf(dump, "#   %s: %s\n", ns, line);
		if ((!v6 && strlen(line) != XTCP_PROC_LINE_LEN - 1) ||
		    sscanf(line, " %*u: %*[0-9A-F]:%*x %*[0-9A-F]:%*x %x",
			   &st) != 1 || st < 1 || st > 11)
			surprise("/proc/net/xtcp%s of %s: \"%s\"", v6 ? "6" : "",
				 ns, line);
	}
	return count;
}

static int proc_open(const char *ns, bool v6)
{
	int fd;

	if (enter_ns(ns))
		return -1;
	fd = open(v6 ? "/proc/thread-self/net/xtcp6" :
		  "/proc/thread-self/net/xtcp", O_RDONLY);
	return fd;
}

/* proc_check() of the NPROC files read through @pfd; their sockets, or -1. */
static int proc_check_all(int *pfd, FILE *dump)
{
	int i, n, total = 0;

	for (i = 0; i < NPROC; i++) {
		n = proc_check(pfd[i], F.ns[PROC_NS(i)], PROC_V6(i), dump);
		if (n < 0)
			return -1;
		total += n;
	}
	return total;
}

/* Reads /proc/net/xtcp and xtcp6 of both namespaces while the workers run. */
static void *monitor(void *arg)
{
	int *pfd = arg;

	while (!atomic_load(&F.stop) && xtcp_now_ms() < F.end_ms) {
		proc_check_all(pfd, NULL);
		usleep(100000);
	}
	return NULL;
}

/*
 * Timeouts of namespace @ns lowered, so that its sockets end quickly
 * once closed: TIME_WAIT 400 ms, FIN_WAIT2 1 s, and few retransmissions,
 * of orphans too.  Some calls make a connection whose segments never
 * arrive (IPV6_RTHDRDSTOPTS, see rand_optval()): its orphans then live
 * as long as orphan_retries lets them, about 100 s with the default 8,
 * as Linux TCP's do, longer than the drain waits.
 * Leaves the caller in @ns.
 */
static int fast_timeouts(const char *ns)
{
	static const char * const knobs[][2] = {
		{ "msl_ms", "200" }, { "fin_timeout_ms", "1000" },
		{ "retries2", "4" }, { "syn_retries", "2" },
		{ "synack_retries", "2" }, { "orphan_retries", "3" },
	};
	char path[64];
	unsigned int i;

	if (enter_ns(ns))
		return -1;
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/xtcp/%s",
			 knobs[i][0]);
		if (xtcp_write_str(path, knobs[i][1]))
			return -1;
	}
	return 0;
}

static int listener(const char *ns, const char *ip, unsigned short port)
{
	int fd;

	if (enter_ns(ns))
		return -1;
	fd = socket(xtcp_family_of(ip), SOCK_STREAM | SOCK_NONBLOCK,
		    IPPROTO_XTCP);
	if (fd < 0)
		return -1;
	xtcp_set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	xtcp_set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
	if (xtcp_bind(fd, ip, port) || listen(fd, 64)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void print_stats(double secs)
{
	unsigned long long total = 0, c, top[3];
	int i, e, te[3], k;

	for (i = 0; i < NR_OPS; i++) {
		c = atomic_load(&F.calls[i]);
		total += c;
		memset(top, 0, sizeof(top));
		memset(te, 0, sizeof(te));
		for (e = 0; e < MAX_ERRNO; e++) {
			unsigned long long n = atomic_load(&F.err[i][e]);

			for (k = 0; k < 3; k++) {
				if (n > top[k]) {
					memmove(&top[k + 1], &top[k],
						(2 - k) * sizeof(top[0]));
					memmove(&te[k + 1], &te[k],
						(2 - k) * sizeof(te[0]));
					top[k] = n;
					te[k] = e;
					break;
				}
			}
		}
		printf("# %-11s %8llu calls %8llu ok", op_names[i], c,
		       atomic_load(&F.ok[i]));
		for (k = 0; k < 3 && top[k]; k++)
			printf("  %s %llu", te[k] ? strerrorname_np(te[k]) :
			       "other", top[k]);
		printf("\n");
	}
	printf("# %llu calls in %.0f s: %.0f calls/s; ", total, secs,
	       total / secs);
	printf("%u connections accepted by the listener threads, ",
	       atomic_load(&F.accepted_by_servers));
	printf("/proc/net/xtcp, xtcp6 read %u times\n",
	       atomic_load(&F.proc_reads));
}

FIXTURE(fuzz) {
	bool hosts;
	int home;		/* the initial network namespace */
	int lfd[2][NLISTEN];
	int pfd[NPROC];
};

FIXTURE_SETUP(fuzz)
{
	int i, j, fd;

	if (getuid())
		SKIP(longjmp(_metadata->env, 1), "needs root");
	self->hosts = false;
	memset(self->lfd, -1, sizeof(self->lfd));
	memset(self->pfd, -1, sizeof(self->pfd));
	self->home = open("/proc/thread-self/ns/net", O_RDONLY);
	ASSERT_LE(0, self->home);
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	ASSERT_LE(0, fd) TH_LOG("no xtcp: %s", strerror(errno));
	close(fd);
	ASSERT_EQ(0, hosts_up(F.ns[0], F.ns[1], sizeof(F.ns[0])));
	self->hosts = true;
	F.addr[0] = ADDR_A;
	F.addr[1] = ADDR_B;
	F.addr6[0] = ADDR6_A;
	F.addr6[1] = ADDR6_B;
	ASSERT_EQ(0, sh(IP " -n %s addr add " ADDR6_A "/64 dev veth0 nodad && "
			IP " -n %s addr add " ADDR6_B "/64 dev veth0 nodad",
			F.ns[0], F.ns[1]));
	ASSERT_EQ(0, ns_addr6_wait(F.ns[0]));
	ASSERT_EQ(0, ns_addr6_wait(F.ns[1]));
	ASSERT_EQ(0, static_neigh(F.ns[0], F.ns[1], ADDR_B));
	ASSERT_EQ(0, static_neigh(F.ns[1], F.ns[0], ADDR_A));
	ASSERT_EQ(0, static_neigh(F.ns[0], F.ns[1], ADDR6_B));
	ASSERT_EQ(0, static_neigh(F.ns[1], F.ns[0], ADDR6_A));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, impair(F.ns[i], "loss 10% delay 2ms", NULL));
		ASSERT_EQ(0, fast_timeouts(F.ns[i]));
		self->lfd[i][0] = listener(F.ns[i], "0.0.0.0", PORT_SERVER);
		self->lfd[i][1] = listener(F.ns[i], F.addr[i], PORT_SERVER + 1);
		self->lfd[i][2] = listener(F.ns[i], "::", PORT_SERVER6);
		self->lfd[i][3] = listener(F.ns[i], F.addr6[i],
					   PORT_SERVER6 + 1);
		for (j = 0; j < NLISTEN; j++)
			ASSERT_LE(0, self->lfd[i][j]);
	}
	for (i = 0; i < NPROC; i++) {
		self->pfd[i] = proc_open(F.ns[PROC_NS(i)], PROC_V6(i));
		ASSERT_LE(0, self->pfd[i]);
	}
	/* Back home: the namespaces must be deletable at the end. */
	ASSERT_EQ(0, setns(self->home, CLONE_NEWNET));
}

FIXTURE_TEARDOWN(fuzz)
{
	int i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < NLISTEN; j++)
			if (self->lfd[i][j] >= 0)
				close(self->lfd[i][j]);
	for (i = 0; i < NSLOTS; i++) {
		int fd = atomic_exchange(&F.slot[i], -1);

		if (fd >= 0)
			close(fd);
	}
	if (self->hosts)
		sh(IP " netns del %s 2>/dev/null; " IP " netns del %s 2>/dev/null",
		   F.ns[0], F.ns[1]);
	if (self->home >= 0)
		close(self->home);
	/* Later tests want xtcp loaded with its defaults. */
	if (xtcp_module_refcnt() < 0)
		sh("/sbin/modprobe xtcp");
}

/* The counters of namespace @ns that are not 0, then back to @home. */
static void dump_counters(const char *ns, int home)
{
	char name[64];
	FILE *f = NULL;
	int n = 0;
	long v;

	if (!enter_ns(ns))
		f = fopen("/proc/thread-self/net/xtcp_stat", "r");
	printf("# counters of %s:", ns);
	while (f && fscanf(f, "%63s %ld", name, &v) == 2)
		if (v)
			printf("%s%s %ld", n++ % 6 ? " " : "\n#   ", name, v);
	printf("\n");
	if (f)
		fclose(f);
	setns(home, CLONE_NEWNET);
}

#define TRACE_DIR	"/sys/kernel/tracing/instances/xtcp_fuzz"

/*
 * xtcp's tracepoints from the drain on, into an instance of our own, so
 * that a socket left after it shows what it sent and received (segments,
 * retransmission timeouts with their sequence numbers) until then.
 */
static void trace_drain_start(void)
{
	if (mkdir(TRACE_DIR, 0755) && errno != EEXIST)
		return;
	if (xtcp_write_str(TRACE_DIR "/buffer_size_kb", "8192") ||
	    xtcp_write_str(TRACE_DIR "/events/xtcp/enable", "1"))
		rmdir(TRACE_DIR);
}

/* The last events of the drain, and the IP counters of @ns. */
static void trace_drain_dump(const char *ns)
{
	xtcp_write_str(TRACE_DIR "/events/xtcp/enable", "0");
	printf("# the drain's last xtcp events:\n");
	fflush(stdout);
	sh("sed -n 's/^.*xtcp_/#   xtcp_/p' " TRACE_DIR "/trace | tail -n 80");
	sh(IP " netns exec %s sh -c 'grep -v \" 0$\" /proc/net/snmp6' | sed 's/^/#   /'",
	   ns);
}

static void trace_drain_stop(void)
{
	xtcp_write_str(TRACE_DIR "/events/xtcp/enable", "0");
	rmdir(TRACE_DIR);
}

/* Wait up to @ms for /proc/net/xtcp and xtcp6 of both namespaces to empty. */
static bool drained(int *pfd, int ms)
{
	long long deadline = xtcp_now_ms() + ms;

	while (xtcp_now_ms() < deadline) {
		if (proc_check_all(pfd, NULL) == 0)
			return true;
		usleep(100000);
	}
	return false;
}

/* Join the workers, the listeners and the monitor by @deadline. */
static int join_all(pthread_t *t, int n, long long deadline)
{
	struct timespec ts;
	int i, stuck = 0;

	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += (deadline - xtcp_now_ms()) / 1000 + 1;
		if (pthread_timedjoin_np(t[i], NULL, &ts))
			stuck++;
	}
	return stuck;
}

TEST_F_TIMEOUT(fuzz, sequences, 3600)
{
	pthread_t all[MAX_THREADS + 3];
	struct server srv[2];
	long long start, deadline;
	int i, j, n = 0, stuck;
	char path[64];

	F.seconds = xtcp_env_ull("XTCP_FUZZ_SECONDS", 30);
	F.threads = xtcp_env_ull("XTCP_FUZZ_THREADS", 4);
	F.drain = xtcp_env_ull("XTCP_FUZZ_DRAIN", 90);
	if (F.threads < 1 || F.threads > MAX_THREADS)
		F.threads = 4;
	printf("# %d s, %d workers, namespaces %s and %s\n", F.seconds,
	       F.threads, F.ns[0], F.ns[1]);
	for (i = 0; i < NSLOTS; i++)
		atomic_store(&F.slot[i], -1);
	pthread_mutex_init(&F.log_lock, NULL);
	start = xtcp_now_ms();
	F.end_ms = start + F.seconds * 1000LL;

	for (i = 0; i < F.threads; i++) {
		struct worker *w = &W[i];

		w->idx = i;
		w->ns = i % 2;
		w->rng = F.seed * 0x9E3779B97F4A7C15ULL + i + 1;
		w->buf = malloc(BUF_LEN);
		ASSERT_NE(NULL, w->buf);
		memset(w->buf, 'a' + i, BUF_LEN);
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		w->memfd = memfd_create("xtcp_fuzz", MFD_CLOEXEC);
		ASSERT_LE(0, w->epfd);
		ASSERT_LE(0, w->memfd);
		ASSERT_EQ(BUF_LEN, write(w->memfd, w->buf, BUF_LEN));
		atomic_store(&w->op, -1);
	}
	for (i = 0; i < 2; i++) {
		srv[i].ns = i;
		for (j = 0; j < NLISTEN; j++)
			srv[i].lfd[j] = self->lfd[i][j];
		ASSERT_EQ(0, pthread_create(&srv[i].tid, NULL, server, &srv[i]));
		all[n++] = srv[i].tid;
	}
	ASSERT_EQ(0, pthread_create(&all[n++], NULL, monitor, self->pfd));
	for (i = 0; i < F.threads; i++) {
		ASSERT_EQ(0, pthread_create(&W[i].tid, NULL, worker, &W[i]));
		all[n++] = W[i].tid;
	}

	/* The watchdog: every call is bounded, so none may last long. */
	while (xtcp_now_ms() < F.end_ms) {
		usleep(200000);
		for (i = 0; i < F.threads; i++) {
			int op = atomic_load(&W[i].op);
			long long t = xtcp_now_ms() - atomic_load(&W[i].since_ms);

			if (op >= 0 && t > STUCK_MS) {
				surprise("worker %d stuck in %s for %lld ms", i,
					 op_names[op], t);
				atomic_store(&F.stop, true);
			}
		}
		if (atomic_load(&F.stop))
			break;
	}
	atomic_store(&F.stop, true);
	stuck = join_all(all, n, xtcp_now_ms() + STUCK_MS);
	for (i = 0; i < F.threads; i++) {
		int op = atomic_load(&W[i].op);

		if (op >= 0)
			printf("# worker %d still in %s\n", i, op_names[op]);
	}
	ASSERT_EQ(0, stuck) TH_LOG("%d threads did not end", stuck);
	print_stats((xtcp_now_ms() - start) / 1000.0);

	/* Drain: close everything, the sockets must all end. */
	trace_drain_start();
	for (i = 0; i < NSLOTS; i++) {
		int fd = atomic_exchange(&F.slot[i], -1);

		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < 2; i++) {
		for (j = 0; j < NLISTEN; j++) {
			close(self->lfd[i][j]);
			self->lfd[i][j] = -1;
		}
	}
	for (i = 0; i < F.threads; i++) {
		close(W[i].epfd);
		close(W[i].memfd);
		free(W[i].buf);
	}
	start = xtcp_now_ms();
	if (!drained(self->pfd, F.drain * 1000)) {
		printf("# sockets left after %d s:\n", F.drain);
		proc_check_all(self->pfd, stdout);
		trace_drain_dump(F.ns[0]);
		trace_drain_dump(F.ns[1]);
		trace_drain_stop();
		dump_counters(F.ns[0], self->home);
		dump_counters(F.ns[1], self->home);
		ASSERT_TRUE(false) TH_LOG("xtcp sockets left after the drain");
	}
	trace_drain_stop();
	printf("# drained in %lld ms\n", xtcp_now_ms() - start);
	EXPECT_EQ(0, atomic_load(&F.surprises));

	/* Unload and load again: nothing may pin or break the module. */
	for (i = 0; i < NPROC; i++) {
		close(self->pfd[i]);
		self->pfd[i] = -1;
	}
	ASSERT_EQ(0, sh(IP " netns del %s && " IP " netns del %s", F.ns[0],
			F.ns[1]));
	self->hosts = false;
	deadline = xtcp_now_ms() + 60000;
	while (syscall(__NR_delete_module, "xtcp", O_NONBLOCK) &&
	       xtcp_now_ms() < deadline)
		usleep(100000);
	snprintf(path, sizeof(path), "/sys/module/xtcp");
	ASSERT_NE(0, access(path, F_OK))
		TH_LOG("xtcp still loaded, refcnt %ld", xtcp_module_refcnt());
	ASSERT_EQ(0, sh("/sbin/modprobe xtcp"));
	i = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	ASSERT_LE(0, i);
	close(i);
}

int main(int argc, char **argv)
{
	F.seed = xtcp_env_ull("XTCP_FUZZ_SEED", 0);
	if (!F.seed)
		F.seed = (unsigned long long)time(NULL) * 1000003ULL ^ getpid();
	/* The harness ends the test with _exit(): no buffered output. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# seed %llu; replay with XTCP_FUZZ_SEED=%llu\n", F.seed,
	       F.seed);
	fflush(stdout);
	signal(SIGPIPE, SIG_IGN);
	return test_harness_run(argc, argv);
}
