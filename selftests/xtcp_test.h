/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the xtcp selftests: /proc readers, sysctls, network
 * namespaces.  Every helper returns a value for the test to assert on;
 * none of them decides a test's outcome by itself.
 */
#ifndef _XTCP_TEST_H
#define _XTCP_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/xtcp.h>

/* As the harness's, for programs that do without it. */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * Tests with a Linux TCP variant run the same expectations on TCP, to
 * show they are TCP's.  The debug lane, which checks the module, sets
 * XTCP_SKIP_TCP in the environment to skip those variants; to be called
 * first in a FIXTURE_SETUP() (the harness would run the test body after
 * a plain SKIP() there, so this leaves setup through its jump buffer).
 */
#define XTCP_SKIP_TCP_VARIANT(proto) do {				\
	if ((proto) == IPPROTO_TCP && getenv("XTCP_SKIP_TCP"))		\
		SKIP(longjmp(_metadata->env, 1),			\
		     "Linux TCP variant: not run in this lane");	\
} while (0)

/*
 * Is this the debug kernel's lane (XTCP_DEBUG_LANE=1 in the environment,
 * scripts/check-debug.sh)?  Tests that only run again, in another
 * variant, what the Debian lane checks skip there: that lane is CI's
 * critical path.
 */
static inline bool xtcp_debug_lane(void)
{
	const char *v = getenv("XTCP_DEBUG_LANE");

	return v && !strcmp(v, "1");
}

/* setsockopt() of an int; 0 or -errno. */
static inline int xtcp_set_int(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val)) ? -errno : 0;
}

/* An ioctl that answers an int (SIOCINQ, SIOCOUTQ ...); it or -errno. */
static inline int xtcp_ioctl_int(int fd, unsigned long cmd)
{
	int val = -1;

	return ioctl(fd, cmd, &val) ? -errno : val;
}

#define XTCP_PROC_LINE_LEN	150	/* /proc/net/tcp line, newline included */

/*
 * Receive @len bytes from @fd into @buf, however many recv() calls that
 * takes: @len, fewer at the end of the stream, or -errno.
 */
static inline ssize_t xtcp_recv_all(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = recv(fd, (char *)buf + got, len - got, 0);
		if (n <= 0)
			return n < 0 ? -errno : (ssize_t)got;
		got += n;
	}
	return got;
}

/* Milliseconds on the monotonic clock, for deadlines. */
static inline long long xtcp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/**
 * xtcp_read_poll_timeout() - poll until a condition holds, or time is up
 * @op: what reads the value
 * @val: the variable that gets each value @op reads
 * @cond: the condition on @val to wait for
 * @sleep_us: the pause between reads
 * @timeout_ms: the longest wait, from the first read on
 * @args: @op's arguments
 *
 * The tests' read_poll_timeout() (linux/iopoll.h): reads at once, then
 * again after each pause until @cond holds or @timeout_ms has passed.
 * @val keeps the last value read, which tells the caller how far the
 * wait got; nothing else is returned.
 */
#define xtcp_read_poll_timeout(op, val, cond, sleep_us, timeout_ms, args...) \
do {									\
	long long __deadline = xtcp_now_ms() + (timeout_ms);		\
									\
	while ((val) = op(args), !(cond) && xtcp_now_ms() < __deadline) \
		usleep(sleep_us);					\
} while (0)

/*
 * Wait up to @ms for @fd's unacknowledged bytes (SIOCOUTQ) to be gone:
 * 0, what is left, or -errno.
 */
static inline int xtcp_wait_outq_empty(int fd, int ms)
{
	int n;

	xtcp_read_poll_timeout(xtcp_ioctl_int, n, n <= 0, 20000, ms, fd,
			       SIOCOUTQ);
	return n;
}

/*
 * Is @name in the comma-separated list of environment variable @var?
 * Without the variable, everything is.
 */
static inline bool xtcp_env_lists(const char *var, const char *name)
{
	const char *list = getenv(var);
	size_t len = strlen(name);
	const char *at;

	if (!list)
		return true;
	for (at = strstr(list, name); at; at = strstr(at + 1, name))
		if ((at == list || at[-1] == ',') &&
		    (at[len] == ',' || !at[len]))
			return true;
	return false;
}

/*
 * Field @i (SK_MEMINFO_*) of @fd's SO_MEMINFO, signed (the forward
 * allocation may be), or LONG_MIN.
 */
static inline long xtcp_meminfo(int fd, int i)
{
	__u32 mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len))
		return LONG_MIN;
	return (int)mem[i];
}

/* Value of counter @name in /proc/net/xtcp_stat, or -1. */
static inline long xtcp_counter(const char *name)
{
	char key[64];
	long val = -1, v;
	FILE *f;

	f = fopen("/proc/net/xtcp_stat", "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", key, &v) == 2) {
		if (!strcmp(key, name)) {
			val = v;
			break;
		}
	}
	fclose(f);
	return val;
}

/*
 * Counter @name of group @group ("TcpExt:", "Icmp:" ...) in @path, a file
 * of name and value line pairs as /proc/net/netstat and /proc/net/snmp;
 * -1 if absent.
 */
static inline long xtcp_mib_counter(const char *path, const char *group,
				    const char *name)
{
	char names[8192], values[8192], *n, *v, *sn, *sv;
	size_t glen = strlen(group);
	long val = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(names, sizeof(names), f) &&
	       fgets(values, sizeof(values), f)) {
		if (strncmp(names, group, glen))
			continue;
		n = strtok_r(names, "\n ", &sn);
		v = strtok_r(values, "\n ", &sv);
		while ((n = strtok_r(NULL, "\n ", &sn)) &&
		       (v = strtok_r(NULL, "\n ", &sv)))
			if (!strcmp(n, name))
				val = atol(v);
	}
	fclose(f);
	return val;
}

/*
 * Counter @name of /proc/net/xtcp_stat for @proto IPPROTO_XTCP; for
 * IPPROTO_TCP, Linux TCP's counter of the same meaning, in /proc/net/snmp
 * (Tcp:) or /proc/net/netstat (TcpExt:), so that a test with a TCP
 * variant asserts the same counts on both.  -1 when absent, and for the
 * counters Linux has no counterpart of (BadAckDrop, OutRstSkipped ...).
 */
static inline long xtcp_proto_counter(int proto, const char *name)
{
	static const struct {
		const char *xtcp, *tcp;
		bool ext;	/* in TcpExt: rather than Tcp: */
	} map[] = {
		{ "InSegs", "InSegs" },
		{ "OutRsts", "OutRsts" },
		{ "ActiveOpens", "ActiveOpens" },
		{ "PassiveOpens", "PassiveOpens" },
		{ "EstabResets", "EstabResets" },
		{ "AttemptFails", "AttemptFails" },
		{ "RetransSegs", "RetransSegs" },
		{ "ChallengeACK", "TCPChallengeACK", true },
		{ "SYNChallenge", "TCPSYNChallenge", true },
		{ "ACKSkippedChallenge", "TCPACKSkippedChallenge", true },
		{ "ACKSkippedSeq", "TCPACKSkippedSeq", true },
		{ "OfoQueue", "TCPOFOQueue", true },
		{ "OfoDrop", "TCPOFODrop", true },
		{ "OfoPruned", "OfoPruned", true },
		{ "RcvCollapsed", "TCPRcvCollapsed", true },
		{ "RcvQDrop", "TCPRcvQDrop", true },
		{ "ListenOverflows", "ListenOverflows", true },
		{ "ListenDrops", "ListenDrops", true },
		{ "SyncookiesSent", "SyncookiesSent", true },
		{ "SyncookiesRecv", "SyncookiesRecv", true },
		{ "SyncookiesFailed", "SyncookiesFailed", true },
		{ "WqueueTooBig", "TCPWqueueTooBig", true },
		{ "TwReused", "TWRecycled", true },
		{ "KeepAliveProbes", "TCPKeepAlive", true },
		{ "WinProbes", "TCPWinProbe", true },
	};
	size_t i;

	if (proto != IPPROTO_TCP)
		return xtcp_counter(name);
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(map[i].xtcp, name))
			return map[i].ext ?
			       xtcp_mib_counter("/proc/net/netstat", "TcpExt:",
						map[i].tcp) :
			       xtcp_mib_counter("/proc/net/snmp", "Tcp:",
						map[i].tcp);
	return -1;
}

/*
 * Wait (up to @ms) until xtcp_proto_counter() of @proto and @name reaches
 * @min; its last value.
 */
static inline long xtcp_wait_proto_counter(int proto, const char *name,
					   long min, int ms)
{
	long v;

	xtcp_read_poll_timeout(xtcp_proto_counter, v, v >= min, 20000, ms,
			       proto, name);
	return v;
}

/* xtcp_wait_proto_counter() of xtcp's own counter @name. */
static inline long xtcp_wait_counter(const char *name, long min, int ms)
{
	return xtcp_wait_proto_counter(IPPROTO_XTCP, name, min, ms);
}

/*
 * Close @fd with a RST (SO_LINGER {1, 0}): nothing of it lingers, not
 * even towards a peer that stopped answering.
 */
static inline void xtcp_reset_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* Read an integer sysctl (or any /proc, /sys file holding one). */
static inline long xtcp_read_long(const char *path)
{
	long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* Write a string to a /proc or /sys file; 0 or -errno. */
static inline int xtcp_write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int err = 0;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		err = -errno;
	close(fd);
	return err;
}

/* Copy the first line of @path (newline kept) into @buf. */
static inline int xtcp_first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = !!fgets(buf, len, f);
	fclose(f);
	return ok ? 0 : -1;
}

/*
 * The number after @field ("orphan") on the line of sockstat file @path
 * (/proc/net/sockstat, /proc/net/xtcp_sockstat6...) that begins with
 * @tag ("XTCP:"); -1 if there is no such line or field.
 */
static inline long xtcp_sockstat_field(const char *path, const char *tag,
				       const char *field)
{
	char line[256], key[32], *p;
	long n = -1;
	FILE *f;

	snprintf(key, sizeof(key), " %s ", field);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, tag, strlen(tag)))
			continue;
		p = strstr(line, key);
		if (p)
			n = atol(p + strlen(key));
		break;
	}
	fclose(f);
	return n;
}

/**
 * struct xtcp_proc_sock - the columns of a /proc/net/tcp line tests use
 */
struct xtcp_proc_sock {
	unsigned int laddr, lport, raddr, rport, state;
	char la[33], ra[33];	/* the address columns, of either family */
	unsigned int tx_queue, rx_queue;
	unsigned int timer;	/* tr: kind of timer (3 for TIME_WAIT) */
	unsigned long when;	/* tm->when: clock ticks left */
	unsigned long inode;
	size_t line_len;
};

/*
 * Parse @line, a socket line of /proc/net/tcp or /proc/net/xtcp (they
 * have the same columns), or of /proc/net/tcp6 or /proc/net/xtcp6, into
 * *@s; false for the header or anything else.  The one parser of those
 * files for the tests.
 */
static inline bool xtcp_proc_parse(const char *line, struct xtcp_proc_sock *s)
{
	memset(s, 0, sizeof(*s));
	if (sscanf(line, " %*d: %32[0-9A-F]:%X %32[0-9A-F]:%X %X %X:%X %X:%lX %*X %*u %*d %lu",
		   s->la, &s->lport, s->ra, &s->rport, &s->state,
		   &s->tx_queue, &s->rx_queue, &s->timer, &s->when,
		   &s->inode) != 10)
		return false;
	/* /proc/net/tcp6's 32-digit addresses are left at 0 (la, ra hold them). */
	if (strlen(s->la) == 8 && strlen(s->ra) == 8) {
		s->laddr = strtoul(s->la, NULL, 16);
		s->raddr = strtoul(s->ra, NULL, 16);
	}
	s->line_len = strlen(line);
	return true;
}

/* The next socket line of @f, a /proc/net/tcp or /proc/net/xtcp. */
static inline bool xtcp_proc_next(FILE *f, struct xtcp_proc_sock *s)
{
	char line[512];

	while (fgets(line, sizeof(line), f))
		if (xtcp_proc_parse(line, s))
			return true;
	return false;
}

/*
 * Find the socket with local port @lport (host order) in @path
 * (/proc/net/tcp or /proc/net/xtcp).  Returns how many lines matched;
 * *@out gets the last one.
 */
static inline int xtcp_proc_find(const char *path, unsigned int lport,
				 struct xtcp_proc_sock *out)
{
	struct xtcp_proc_sock s;
	char line[512];
	int found = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -1;
	}
	while (xtcp_proc_next(f, &s)) {
		if (s.lport == lport) {
			*out = s;
			found++;
		}
	}
	fclose(f);
	return found;
}

/*
 * State (st column) of the entry with local port @lport and remote port
 * @rport in @path (/proc/net/tcp or /proc/net/xtcp), or -1 if none.
 */
static inline int xtcp_proc_state(const char *path, unsigned int lport,
				  unsigned int rport)
{
	struct xtcp_proc_sock s;
	int state = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (xtcp_proc_next(f, &s))
		if (s.lport == lport && s.rport == rport)
			state = s.state;
	fclose(f);
	return state;
}

/* Poll, for up to 5 s, until that entry is in @state; the last state seen. */
static inline int xtcp_wait_state(const char *path, unsigned int lport,
				  unsigned int rport, int state)
{
	int st;

	xtcp_read_poll_timeout(xtcp_proc_state, st, st == state, 2000, 5000,
			       path, lport, rport);
	return st;
}

/* Number of socket lines (header excluded) in @path. */
static inline int xtcp_proc_count(const char *path)
{
	char line[512];
	int n = -1;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/*
 * Entries of @path (/proc/net/tcp, /proc/net/xtcp) in any state of
 * @mask, a set of 1 << TCP_* bits; or -1.
 */
static inline int xtcp_proc_count_states(const char *path, unsigned int mask)
{
	struct xtcp_proc_sock s;
	int n = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return -1;
	while (xtcp_proc_next(f, &s))
		if (s.state < 32 && (mask >> s.state & 1))
			n++;
	fclose(f);
	return n;
}

/* Entries of @path (/proc/net/tcp, /proc/net/xtcp) in @state, or -1. */
static inline int xtcp_proc_count_state_in(const char *path, int state)
{
	return xtcp_proc_count_states(path, state >= 0 && state < 32 ?
					    1U << state : 0);
}

/* Entries of /proc/net/xtcp in @state (TCP_* number), or -1. */
static inline int xtcp_proc_count_state(int state)
{
	return xtcp_proc_count_state_in("/proc/net/xtcp", state);
}

/* Inode number of the socket behind @fd, as /proc/net/tcp shows it. */
static inline unsigned long xtcp_sock_ino(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return 0;
	return st.st_ino;
}

/* Move the calling process into a new network namespace with lo up. */
static inline int xtcp_new_netns(void)
{
	struct ifreq ifr;
	int fd, err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	err = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (!err) {
		ifr.ifr_flags |= IFF_UP;
		err = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return err ? -errno : 0;
}

static inline struct sockaddr_in xtcp_addr(const char *ip, unsigned short port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	inet_pton(AF_INET, ip, &a.sin_addr);
	return a;
}

/*
 * @ip and @port in *@ss, of the family @ip is written in: AF_INET6 for
 * an address with a colon ("::1", "::ffff:127.0.0.1"), AF_INET for a
 * dotted one.  Its length, or 0 if @ip is no address.  Lets a test body
 * run over either family with the variant's address strings.
 */
static inline socklen_t xtcp_sockaddr(const char *ip, unsigned short port,
				      struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':')) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		return inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1 ?
		       sizeof(*a6) : 0;
	}
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	return inet_pton(AF_INET, ip, &a->sin_addr) == 1 ? sizeof(*a) : 0;
}

/* The family of address @ip, as xtcp_sockaddr() tells it. */
static inline int xtcp_family_of(const char *ip)
{
	return strchr(ip, ':') ? AF_INET6 : AF_INET;
}

/* Is *@ss the address @ip (any port)? */
static inline bool xtcp_sockaddr_is(const struct sockaddr_storage *ss,
				    const char *ip)
{
	struct sockaddr_storage want;

	if (!xtcp_sockaddr(ip, 0, &want) || ss->ss_family != want.ss_family)
		return false;
	if (want.ss_family == AF_INET6)
		return !memcmp(&((struct sockaddr_in6 *)ss)->sin6_addr,
			       &((struct sockaddr_in6 *)&want)->sin6_addr,
			       sizeof(struct in6_addr));
	return ((struct sockaddr_in *)ss)->sin_addr.s_addr ==
	       ((struct sockaddr_in *)&want)->sin_addr.s_addr;
}

/* The port of *@ss (AF_INET or AF_INET6) in host order. */
static inline unsigned short xtcp_sockaddr_port(const struct sockaddr_storage *ss)
{
	/* sin_port and sin6_port are at the same offset. */
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

/* bind() to @ip:@port, IPv4 or IPv6 as @ip is; 0 or -errno. */
static inline int xtcp_bind(int fd, const char *ip, unsigned short port)
{
	struct sockaddr_storage a;
	socklen_t len = xtcp_sockaddr(ip, port, &a);

	if (!len)
		return -EINVAL;
	return bind(fd, (struct sockaddr *)&a, len) ? -errno : 0;
}

/*
 * A SOCK_STREAM socket of @proto connected to @ip:@port, of @ip's
 * family: the socket, or -errno.
 */
static inline int xtcp_connect(int proto, const char *ip, unsigned short port)
{
	struct sockaddr_storage a;
	socklen_t len = xtcp_sockaddr(ip, port, &a);
	int fd, err;

	if (!len)
		return -EINVAL;
	fd = socket(a.ss_family, SOCK_STREAM, proto);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&a, len)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* /proc/net/tcp, tcp6, xtcp or xtcp6: @proto's sockets of @family. */
static inline const char *xtcp_proc_path(int proto, int family)
{
	if (family == AF_INET6)
		return proto == IPPROTO_TCP ? "/proc/net/tcp6" :
					      "/proc/net/xtcp6";
	return proto == IPPROTO_TCP ? "/proc/net/tcp" : "/proc/net/xtcp";
}

/* Local port of @fd in host order, or 0. */
static inline unsigned short xtcp_local_port(int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return 0;
	return xtcp_sockaddr_port(&a);
}

/* Remote port of @fd in host order, or 0. */
static inline unsigned short xtcp_peer_port(int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);

	if (getpeername(fd, (struct sockaddr *)&a, &len))
		return 0;
	return xtcp_sockaddr_port(&a);
}

/* The module's reference count (/sys/module/xtcp/refcnt), or -1. */
static inline long xtcp_module_refcnt(void)
{
	return xtcp_read_long("/sys/module/xtcp/refcnt");
}

/* Environment variable @name as a number (strtoull, any base), or @def. */
static inline unsigned long long xtcp_env_ull(const char *name,
					      unsigned long long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

static inline int xtcp_set_reuseaddr(int fd)
{
	int one = 1;

	return setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
}

/* TCP_INFO of @fd; 0 or -errno. */
static inline int xtcp_tcp_info(int fd, struct tcp_info *ti)
{
	socklen_t len = sizeof(*ti);

	memset(ti, 0, sizeof(*ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len) ? -errno : 0;
}

/* TCP_INFO of @fd once tcpi_sacked is @sacked (up to 1 s); 0 or -1. */
static inline int xtcp_tcp_info_sacked(int fd, struct tcp_info *ti,
				       unsigned int sacked)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (xtcp_tcp_info(fd, ti))
			return -1;
		if (ti->tcpi_sacked == sacked)
			return 0;
		usleep(10000);
	}
	return -1;
}

/* The loopback address of @family, as text: 127.0.0.1 or ::1. */
static inline const char *xtcp_loopback(int family)
{
	return family == AF_INET6 ? "::1" : "127.0.0.1";
}

/*
 * A new network namespace with lo up, xtcp's TIME_WAIT short (msl_ms
 * 100, so that tests end quickly), and a listener of @proto on the
 * loopback address of @family (127.0.0.1, ::1), port @port, with a
 * backlog of 8: the listener, or -errno.
 */
static inline int xtcp_loopback_listener_af(int family, int proto,
					    unsigned short port)
{
	int fd, err;

	err = xtcp_new_netns();
	if (err)
		return err;
	xtcp_write_str("/proc/sys/net/xtcp/msl_ms", "100");
	fd = socket(family, SOCK_STREAM, proto);
	if (fd < 0)
		return -errno;
	err = xtcp_bind(fd, xtcp_loopback(family), port);
	if (!err && listen(fd, 8))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* xtcp_loopback_listener_af() on 127.0.0.1. */
static inline int xtcp_loopback_listener(int proto, unsigned short port)
{
	return xtcp_loopback_listener_af(AF_INET, proto, port);
}

#endif /* _XTCP_TEST_H */
