// SPDX-License-Identifier: GPL-2.0
/*
 * One measurement of one workload over one protocol, for make bench
 * (xtcp_bench.sh runs them alternately over xtcp and Linux TCP):
 *
 *   xtcp_bench WORKLOAD PROTO
 *
 *   stream_lo    MB/s of one connection writing 64 KiB at a time for 3 s,
 *                on loopback (as the receiver counts them)
 *   stream_veth  the same between two namespaces joined by veth
 *   rr           transactions/s of a 1-byte ping-pong for 3 s, loopback
 *   crr          connections/s for 3 s of: connect, 1-byte request,
 *                1-byte response, close, loopback
 *   churn        crr sustained for XTCP_BENCH_CHURN_SECS (30) s, the
 *                client closing first, so that its TIME_WAIT entries pile
 *                up (and, once every port to the server is taken, are
 *                reused: tw_reuse 2, the default of both): connections/s
 *                of the whole run, then further rows, printed as "NAME
 *                VALUE" lines: churn_first5 and churn_last5, the rate of
 *                the first and last 5 s; churn_step, the lowest ratio of
 *                a 5 s interval's rate to the one before; churn_tw, the
 *                TIME_WAIT entries left at the end; churn_reused, the
 *                4-tuples connect() took over from TIME_WAIT;
 *                churn_seq_reject, their SYN-ACKs dropped (RFC 6191,
 *                xtcp only) and churn_retrans, segments sent again; and
 *                churn_atS, the rate of the 5 s up to second S
 *   lossy        seconds to move 8 MiB across a link with every
 *                impairment of xtcp_bulk's "all" path
 *   loss1, loss5, dup5, reorder25, jitter, tbf20
 *                seconds to echo 2 MiB (sent, and received back in
 *                full) between two namespaces whose veth links are
 *                impaired both ways by one thing each: netem's 5 ms
 *                +- 2 ms delay with 1% or 5% loss, 5% duplicates or
 *                25% reordering; a delay of 20 ms +- 10 ms; or tbf's
 *                20 Mbit/s behind the 5 ms delay (impairments[])
 *   mem_sock     bytes of a socket: object size of the protocol's slab
 *                (XTCP, TCP)
 *   mem_tw       bytes of a TIME_WAIT entry (xtcp_tw, tw_sock_TCP)
 *   proc_tw      nanoseconds per line to read /proc/net/xtcp (tcp) with
 *                XTCP_BENCH_TW (200000) connections on one port closed by
 *                the listener's side: TIME_WAIT entries there, the
 *                last ones still closing (Linux TCP's, whose 2*MSL is
 *                a fixed minute, may expire first on a slow machine)
 *
 *   scale_tw     xtcp at scale (xtcp_bench.sh runs it once, xtcp only):
 *                XTCP_BENCH_SCALE_N (1000000) TIME_WAIT entries in one
 *                namespace, or as many as XTCP_BENCH_SCALE_SECS (150) s
 *                of connections make (the client closes first, from
 *                127.1.x.y, a port of 2000-29999 each, so that every
 *                4-tuple differs), then, as "NAME VALUE" rows: the
 *                entries made and the seconds it took, the slab memory
 *                they took (MB, bytes an entry, and for 1M entries with
 *                the hash), the time to read /proc/net/xtcp (ms, ns a
 *                line, ms for 1M lines), crr meanwhile, the worst wheel
 *                tick (entries, us), and the seconds from the first
 *                expiry to the last, and how late the last one was
 *
 * Both protocols run the same congestion control in the namespaces the
 * workloads make: cubic, Linux's default, or XTCP_BENCH_CC=reno.
 * XTCP_BENCH_TS=0 (or 1) turns RFC 7323 timestamps off (or on) for both,
 * to measure what they are worth.
 *
 * With XTCP_BENCH_STAT set, an impaired workload also prints, on
 * stderr, the counters of both namespaces that are not zero after the
 * run ("STAT WORKLOAD PROTO NS NAME VALUE": /proc/net/xtcp_stat for
 * xtcp, TcpExt and RetransSegs for Linux TCP), to tell what the loss
 * recovery did.
 *
 * Prints the number alone (churn: and its further rows); exits non-zero,
 * printing nothing on stdout, if the run failed.  Each run has a network namespace of its own, so
 * that no run inherits another's TIME_WAIT entries or ports.
 */
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>

#include "xtcp_ns.h"
#include "xtcp_stream.h"

#define BENCH_PORT	23200
#define BENCH_SECS	3
#define LOSSY_BYTES	(8 << 20)
#define ALL_NETEM	"delay 20ms 10ms loss 5% duplicate 5% reorder 25% 50%"
#define ALL_TBF		"rate 20mbit burst 20kb latency 100ms"
#define ECHO_BYTES	(2 << 20)
#define BASE_DELAY	"delay 5ms 2ms"

/* The links of an impaired workload: netem, and tbf behind it. */
struct impairment {
	const char *name;
	const char *netem;
	const char *tbf;
};

static const struct impairment impairments[] = {
	{ "loss1", BASE_DELAY " loss 1%", NULL },
	{ "loss5", BASE_DELAY " loss 5%", NULL },
	{ "dup5", BASE_DELAY " duplicate 5%", NULL },
	{ "reorder25", BASE_DELAY " reorder 25% 50%", NULL },
	{ "jitter", "delay 20ms 10ms", NULL },
	{ "tbf20", BASE_DELAY, ALL_TBF },
	{ "lossy", ALL_NETEM, ALL_TBF },
};

struct bench_result {
	int err;
	uint64_t bytes;
	long long ms;
};

static int nodelay(int fd)
{
	return xtcp_set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1);
}

/* A server child on @lfd running @fn; its result comes back on *@rfd. */
static pid_t serve(int lfd, int (*fn)(int lfd, struct bench_result *r),
		   int *rfd)
{
	struct bench_result r = { 0 };
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		close(p[0]);
		r.err = fn(lfd, &r);
		_exit(write(p[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static int collect(pid_t pid, int rfd, struct bench_result *r)
{
	int ok = read(rfd, r, sizeof(*r)) == sizeof(*r);

	close(rfd);
	return child_status(pid) || !ok || r->err ? -1 : 0;
}

/*
 * A run that failed: stop its server, which would otherwise wait in
 * accept() for ever, holding the pipe xtcp_bench.sh reads the result on.
 */
static int abandon(pid_t pid, const char *what, uint64_t n)
{
	fprintf(stderr, "xtcp_bench: %s failed after %llu: %s\n", what,
		(unsigned long long)n, strerror(errno));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

/* Receiver: bytes and time from accept to end of stream. */
static int sink(int lfd, struct bench_result *r)
{
	static char buf[1 << 16];
	long long t0;
	ssize_t n;
	int fd;

	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return -errno;
	t0 = xtcp_now_ms();
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		r->bytes += n;
	r->ms = xtcp_now_ms() - t0;
	close(fd);
	return n ? -errno : 0;
}

static int dial(int proto, const char *addr)
{
	struct sockaddr_in dst = xtcp_addr(addr, BENCH_PORT);
	int fd = socket(AF_INET, SOCK_STREAM, proto);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		close(fd);
		return -1;
	}
	return fd;
}

static double stream(int proto, int lfd, const char *addr)
{
	static char buf[1 << 16];
	struct bench_result r;
	long long end;
	int rfd, fd;
	pid_t pid;

	pid = serve(lfd, sink, &rfd);
	fd = dial(proto, addr);
	if (pid < 0 || fd < 0)
		return -1;
	end = xtcp_now_ms() + BENCH_SECS * 1000;
	while (xtcp_now_ms() < end)
		if (send(fd, buf, sizeof(buf), MSG_NOSIGNAL) <= 0)
			break;
	close(fd);
	if (collect(pid, rfd, &r) || !r.ms)
		return -1;
	return r.bytes / 1e3 / r.ms;
}

/* Echo one byte for each byte, until the end of the stream. */
static int echo(int lfd, struct bench_result *r)
{
	int fd = accept(lfd, NULL, NULL);
	char c;

	if (fd < 0 || nodelay(fd))
		return -errno;
	while (recv(fd, &c, 1, 0) == 1)
		if (send(fd, &c, 1, 0) != 1)
			return -errno;
	close(fd);
	return 0;
}

/* One transaction: a byte to the server on @fd and its answer back. */
static int ping(int proto, int fd)
{
	char c = 'x';

	return send(fd, &c, 1, 0) != 1 || recv(fd, &c, 1, 0) != 1 ? -1 : 0;
}

/* One connection: connect, ping() and close (the client first). */
static int connect_ping(int proto, int unused)
{
	int fd = dial(proto, "127.0.0.1"), err;

	if (fd < 0)
		return -1;
	err = ping(proto, fd);
	close(fd);
	return err;
}

/*
 * How many times a second @once succeeds, run back to back for
 * BENCH_SECS (with @proto and @fd); -1 as soon as one fails.
 */
static double per_second(int (*once)(int proto, int fd), int proto, int fd)
{
	long long t0 = xtcp_now_ms(), now;
	uint64_t n = 0;

	do {
		if (once(proto, fd))
			return -1;
		n++;
		now = xtcp_now_ms();
	} while (now < t0 + BENCH_SECS * 1000);
	return n * 1e3 / (now - t0);
}

static double rr(int proto, int lfd)
{
	struct bench_result r;
	double rate;
	int rfd, fd;
	pid_t pid;

	pid = serve(lfd, echo, &rfd);
	fd = dial(proto, "127.0.0.1");
	if (pid < 0 || fd < 0 || nodelay(fd))
		return -1;
	rate = per_second(ping, proto, fd);
	close(fd);
	return rate < 0 || collect(pid, rfd, &r) ? -1 : rate;
}

/* One answer per connection, until a connection brings nothing. */
static int answer(int lfd, struct bench_result *r)
{
	char c;
	int fd;

	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			return -errno;
		if (recv(fd, &c, 1, 0) != 1) {
			close(fd);
			return 0;
		}
		if (send(fd, &c, 1, 0) != 1 || recv(fd, &c, 1, 0) != 0)
			return -EPROTO;
		close(fd);
	}
}

static double crr(int proto, int lfd)
{
	struct bench_result r;
	double rate;
	int rfd, fd;
	pid_t pid;

	pid = serve(lfd, answer, &rfd);
	if (pid < 0)
		return -1;
	rate = per_second(connect_ping, proto, -1);
	if (rate < 0)
		return abandon(pid, __func__, 0);
	/* A connection that brings nothing ends answer(). */
	fd = dial(proto, "127.0.0.1");
	if (fd < 0)
		return -1;
	close(fd);
	return collect(pid, rfd, &r) ? -1 : rate;
}

/* TIME_WAIT entries of the namespace, from its sockstat line, or -1. */
static long tw_entries(int proto)
{
	if (proto == IPPROTO_TCP)
		return xtcp_sockstat_field("/proc/net/sockstat", "TCP:", "tw");
	return xtcp_sockstat_field("/proc/net/xtcp_sockstat", "XTCP:", "tw");
}

#define CHURN_STEP_MS	5000
#define CHURN_MAX_STEPS	128

/*
 * Sustained crr: connections per CHURN_STEP_MS interval, for the whole
 * run.  Prints the whole run's rate and the extra rows; 0 or -1.
 */
static int churn(int proto, int lfd)
{
	const char *env = getenv("XTCP_BENCH_CHURN_SECS");
	long secs = env ? atol(env) : 30, steps, i;
	uint64_t done[CHURN_MAX_STEPS] = { 0 }, total = 0;
	double rate, step = 0, ratio;
	struct bench_result r;
	long long t0, now;
	int rfd, fd;
	pid_t pid;

	steps = secs * 1000 / CHURN_STEP_MS;
	if (steps < 2 || steps > CHURN_MAX_STEPS)
		return -1;
	pid = serve(lfd, answer, &rfd);
	if (pid < 0)
		return -1;
	t0 = xtcp_now_ms();
	do {
		if (connect_ping(proto, -1))
			return abandon(pid, __func__, total);
		now = xtcp_now_ms();
		i = (now - t0) / CHURN_STEP_MS;
		if (i < steps)
			done[i]++;
		total++;
	} while (now < t0 + steps * CHURN_STEP_MS);
	rate = total * 1e3 / (now - t0);
	fd = dial(proto, "127.0.0.1");
	if (fd < 0)
		return -1;
	close(fd);
	if (collect(pid, rfd, &r))
		return -1;
	for (i = 1; i < steps; i++) {
		ratio = done[i - 1] ? (double)done[i] / done[i - 1] : 0;
		if (i == 1 || ratio < step)
			step = ratio;
	}
	printf("%.1f\n", rate);
	printf("churn_first5 %.1f\n", done[0] * 1e3 / CHURN_STEP_MS);
	printf("churn_last5 %.1f\n", done[steps - 1] * 1e3 / CHURN_STEP_MS);
	printf("churn_step %.3f\n", step);
	printf("churn_tw %ld\n", tw_entries(proto));
	/* What a slowdown would come from: the 4-tuples taken over from
	 * TIME_WAIT, and each interval's rate, for tap.out.
	 */
	printf("churn_reused %ld\n", xtcp_proto_counter(proto, "TwReused"));
	/* A SYN-ACK dropped by RFC 6191's rule costs a SYN timeout. */
	printf("churn_seq_reject %ld\n",
	       xtcp_proto_counter(proto, "TwReuseSeqReject"));
	printf("churn_retrans %ld\n",
	       xtcp_proto_counter(proto, "RetransSegs"));
	for (i = 0; i < steps; i++)
		printf("churn_at%ld %.1f\n", (i + 1) * CHURN_STEP_MS / 1000,
		       done[i] * 1e3 / CHURN_STEP_MS);
	return 0;
}

/* Send back what comes, until the end of the stream. */
static int echo_bulk(int lfd, struct bench_result *r)
{
	static char buf[1 << 16];
	ssize_t n, off, k;
	int fd;

	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return -errno;
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		for (off = 0; off < n; off += k) {
			k = send(fd, buf + off, n - off, MSG_NOSIGNAL);
			if (k <= 0)
				return -EPIPE;
		}
		r->bytes += n;
	}
	close(fd);
	return n ? -errno : 0;
}

/* What comes back of an echo, read while the stream still goes out. */
struct echo_back {
	int fd;
	int err;
	struct xtcp_digest d;
};

static void *echo_reader(void *arg)
{
	struct echo_back *b = arg;

	xtcp_digest_init(&b->d);
	b->err = xtcp_recv_stream(b->fd, &b->d);
	return NULL;
}

/*
 * Seconds to move @len bytes of stream 1 from a new connection to the
 * server on @lfd at ADDR_B: until the server saw the end of the stream
 * (sink()), or with @echo until the last byte came back (echo_bulk()),
 * the bytes back compared with those sent.  -1 if the transfer failed.
 */
static double timed_transfer(int proto, int lfd, size_t len, bool echo)
{
	struct echo_back back = { 0 };
	struct bench_result r;
	struct xtcp_digest d;
	long long t0, t = 0;
	pthread_t reader;
	int rfd, err;
	pid_t pid;

	xtcp_digest_init(&d);
	pid = serve(lfd, echo ? echo_bulk : sink, &rfd);
	t0 = xtcp_now_ms();
	back.fd = dial(proto, ADDR_B);
	if (pid < 0 || back.fd < 0 ||
	    (echo && pthread_create(&reader, NULL, echo_reader, &back)))
		return -1;
	err = xtcp_send_stream(back.fd, 1, len, 1 << 16, &d);
	if (echo) {
		err = err || shutdown(back.fd, SHUT_WR);
		pthread_join(reader, NULL);
		t = xtcp_now_ms() - t0;
	}
	close(back.fd);
	if (collect(pid, rfd, &r) || err || back.err || r.bytes != len ||
	    (echo && xtcp_digest_final(&back.d) != xtcp_digest_final(&d)))
		return -1;
	return (echo ? t : xtcp_now_ms() - t0) / 1e3;
}

/*
 * @n connections to @lfd that the server closes first, from 127.0.0.2
 * to 127.0.0.9 in turn, so that Linux TCP has ports enough; each
 * leaves a TIME_WAIT entry on BENCH_PORT.
 */
static int tw_fill(int proto, int lfd, long n)
{
	struct sockaddr_in src, dst = xtcp_addr("127.0.0.1", BENCH_PORT);
	char addr[16], c;
	int fd, s;
	long i;

	for (i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "127.0.0.%ld", 2 + i % 8);
		src = xtcp_addr(addr, 0);
		fd = socket(AF_INET, SOCK_STREAM, proto);
		if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) ||
		    connect(fd, (struct sockaddr *)&dst, sizeof(dst)))
			return -1;
		s = accept(lfd, NULL, NULL);
		if (s < 0)
			return -1;
		close(s);
		if (recv(fd, &c, 1, 0) != 0)
			return -1;
		close(fd);
	}
	return 0;
}

/* Nanoseconds per line of one read of @path, 4 KiB at a time. */
static double proc_read_ns(const char *path)
{
	long long lines = 0, t0;
	char buf[4096];
	struct timespec a, b;
	ssize_t n, i;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &a);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	clock_gettime(CLOCK_MONOTONIC, &b);
	close(fd);
	t0 = (b.tv_sec - a.tv_sec) * 1000000000LL + b.tv_nsec - a.tv_nsec;
	return n < 0 || lines < 2 ? -1 : (double)t0 / (lines - 1);
}

static double proc_tw(int proto, int lfd)
{
	bool tcp = proto == IPPROTO_TCP;
	const char *env = getenv("XTCP_BENCH_TW");
	long n = env ? atol(env) : 200000;
	char max[24];

	snprintf(max, sizeof(max), "%ld", 2 * n);
	if (xtcp_write_str(tcp ? "/proc/sys/net/ipv4/tcp_max_tw_buckets" :
			   "/proc/sys/net/xtcp/max_tw_buckets", max) ||
	    (!tcp && xtcp_write_str("/proc/sys/net/xtcp/msl_ms", "600000")) ||
	    tw_fill(proto, lfd, n))
		return -1;
	return proc_read_ns(tcp ? "/proc/net/tcp" : "/proc/net/xtcp");
}

#define SCALE_PORT0	2000	/* below ip_local_port_range */
#define SCALE_PORTS	28000
#define SCALE_MARGIN_S	60	/* measuring time before the first expiry */
#define SCALE_FILLERS	2	/* processes making them, one a VM CPU */
#define TW_HASH_BYTES	(65536 * 16)	/* XTCP_TW_HASH_SIZE chains */

/* Bytes of the slab cache @cache now (SLUB's sysfs), or -1. */
static long slab_bytes(const char *cache)
{
	char path[128];
	long slabs, order;

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/slabs", cache);
	slabs = xtcp_read_long(path);
	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/order", cache);
	order = xtcp_read_long(path);
	return slabs < 0 || order < 0 ? -1 : slabs * (4096L << order);
}

/*
 * Connection @i of the fill, to the listener @lfd on @port: from its own
 * 4-tuple, the client closing first.  Both ends are this process's, so
 * that a connection costs no context switch: under TCG, handing each
 * one to a server process halved the rate.
 */
static int scale_connect(int proto, int lfd, unsigned short port, long i)
{
	struct sockaddr_in src, dst = xtcp_addr("127.0.0.1", port);
	long a = i / SCALE_PORTS;
	char addr[32], c;
	int fd, s;

	snprintf(addr, sizeof(addr), "127.1.%ld.%ld", a / 250, a % 250 + 1);
	src = xtcp_addr(addr, SCALE_PORT0 + i % SCALE_PORTS);
	fd = socket(AF_INET, SOCK_STREAM, proto);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst))) {
		close(fd);
		return -1;
	}
	s = accept(lfd, NULL, NULL);
	close(fd);
	if (s < 0)
		return -1;
	/* The client's FIN first: the entry is the client's. */
	if (recv(s, &c, 1, 0) != 0) {
		close(s);
		return -1;
	}
	close(s);
	return 0;
}

/*
 * Filler @k of SCALE_FILLERS: connections @k, @k + SCALE_FILLERS, ...
 * below @n until @end, on a listener of its own (the first uses @lfd);
 * their number in made[@k].  Exits.
 */
static void scale_filler(int proto, int lfd, int k, long n, long long end,
			 long *made)
{
	unsigned short port = BENCH_PORT + k;
	long i;

	if (k)
		lfd = bound_socket(proto, "127.0.0.1", port, false);
	if (lfd < 0 || listen(lfd, 128))
		_exit(1);
	for (i = k; i < n; i += SCALE_FILLERS) {
		if (!(i % 1024) && xtcp_now_ms() >= end)
			break;
		if (scale_connect(proto, lfd, port, i)) {
			fprintf(stderr, "xtcp_bench: scale connection %ld: %s\n",
				i, strerror(errno));
			_exit(1);
		}
		made[k]++;
	}
	_exit(0);
}

/* Wait, up to @ms, until the namespace holds @n TIME_WAIT entries. */
static long tw_wait(int proto, long n, long long ms)
{
	long tw;

	xtcp_read_poll_timeout(tw_entries, tw, tw == n, 20000, ms, proto);
	return tw;
}

static int scale_tw(int proto, int lfd)
{
	const char *env_n = getenv("XTCP_BENCH_SCALE_N");
	const char *env_s = getenv("XTCP_BENCH_SCALE_SECS");
	long n = env_n ? atol(env_n) : 1000000, made_all, tw;
	long secs = env_s ? atol(env_s) : 150, mem0, mem1;
	long long t0, t_fill, t_first = 0, t_last, end;
	pid_t pid[SCALE_FILLERS];
	int k, err = 0;
	double ns_line, rate;
	char val[24];
	long *made;

	/* Entries live the fill, then SCALE_MARGIN_S s more. */
	snprintf(val, sizeof(val), "%ld", (secs + SCALE_MARGIN_S) * 500);
	if (xtcp_write_str("/proc/sys/net/xtcp/msl_ms", val))
		return -1;
	snprintf(val, sizeof(val), "%ld", n + 1000);
	if (xtcp_write_str("/proc/sys/net/xtcp/max_tw_buckets", val))
		return -1;
	made = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (made == MAP_FAILED)
		return -1;

	mem0 = slab_bytes("xtcp_tw");
	t0 = xtcp_now_ms();
	for (k = 0; k < SCALE_FILLERS; k++) {
		pid[k] = fork();
		if (!pid[k])
			scale_filler(proto, lfd, k, n, t0 + secs * 1000, made);
		if (pid[k] < 0)
			return -1;
	}
	for (k = 0, made_all = 0; k < SCALE_FILLERS; k++) {
		if (child_status(pid[k]))
			err = -1;
		made_all += made[k];
	}
	if (err)
		return -1;
	tw = tw_wait(proto, made_all, 30000);
	t_fill = xtcp_now_ms();
	mem1 = slab_bytes("xtcp_tw");
	if (tw != made_all)
		fprintf(stderr, "%s: %ld entries of %ld\n", __func__, tw,
			made_all);

	printf("0\n");
	printf("scale_entries %ld\n", tw);
	printf("scale_fill_s %.1f\n", (t_fill - t0) / 1e3);
	printf("scale_mem_mb %.1f\n", (mem1 - mem0) / 1e6);
	printf("scale_bytes_entry %.1f\n", (double)(mem1 - mem0) / tw);
	printf("scale_mem_mb_1m %.1f\n",
	       ((double)(mem1 - mem0) / tw * 1e6 + TW_HASH_BYTES) / 1e6);
	ns_line = proc_read_ns("/proc/net/xtcp");
	printf("scale_proc_ms %.1f\n", ns_line * tw / 1e6);
	printf("scale_proc_ns_line %.1f\n", ns_line);
	printf("scale_proc_ms_1m %.1f\n", ns_line * 1e6 / 1e6);
	rate = crr(proto, lfd);
	printf("scale_crr %.1f\n", rate);
	fflush(stdout);

	/* Every entry expires in order, from t0 + 2*MSL on. */
	end = t_fill + (secs + SCALE_MARGIN_S + 60) * 1000LL + (t_fill - t0);
	while ((tw = tw_entries(proto)) > 0 && xtcp_now_ms() < end) {
		if (!t_first && tw < made_all)
			t_first = xtcp_now_ms();
		usleep(20000);
	}
	t_last = xtcp_now_ms();
	printf("scale_tick_max %ld\n", xtcp_counter("TwTickMaxEntries"));
	printf("scale_tick_us %ld\n", xtcp_counter("TwTickMaxUs"));
	printf("scale_expire_s %.1f\n", tw ? -1 : (t_last - t_first) / 1e3);
	/* The last entry was due 2*MSL after the fill ended. */
	printf("scale_expire_lag_ms %lld\n",
	       tw ? -1 : t_last - (t_fill + (secs + SCALE_MARGIN_S) * 1000LL));
	munmap(made, 4096);
	return tw ? -1 : 0;
}

static double slab_size(const char *cache)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/object_size", cache);
	return xtcp_read_long(path);
}

/*
 * The settings both protocols share in namespace @ns (NULL: the current
 * one): the congestion control, XTCP_BENCH_CC or cubic, Linux's default
 * (xtcp's is reno); and with XTCP_BENCH_TS=0 or 1, timestamps (RFC 7323)
 * off or on, else each protocol's default, on for both.
 */
static int bench_settings(const char *ns)
{
	const char *cc = getenv("XTCP_BENCH_CC") ? : "cubic";
	const char *ts = getenv("XTCP_BENCH_TS");
	char cmd[320];
	int n;

	if (ts && strcmp(ts, "0") && strcmp(ts, "1"))
		return -1;
	if (strcmp(cc, "cubic") && strcmp(cc, "reno"))
		return -1;
	n = snprintf(cmd, sizeof(cmd), "echo %s > %s && echo %s > %s",
		     cc, "/proc/sys/net/xtcp/congestion_control",
		     cc, "/proc/sys/net/ipv4/tcp_congestion_control");
	if (ts)
		snprintf(cmd + n, sizeof(cmd) - n,
			 " && echo %s > %s && echo %s > %s",
			 ts, "/proc/sys/net/xtcp/timestamps",
			 ts, "/proc/sys/net/ipv4/tcp_timestamps");
	return ns ? ns_sh(ns, cmd) : system(cmd);
}

/*
 * One segment a packet on @ns's veth0, for both protocols.  Linux TCP
 * builds GSO skbs whatever the device's offloads (sk_setup_caps() adds
 * NETIF_F_GSO), and netem takes, delays or drops each skb whole: 1% of
 * skbs lost hit bursts of segments, far fewer loss events than 1% of
 * xtcp's single segments.  gso_max_segs 1 makes Linux's skbs single
 * segments too.
 */
static int one_segment_packets(const char *ns)
{
	return segments_only(ns) ||
	       ns_sh(ns, IP " link set dev veth0 gso_max_segs 1");
}

/* A listener at @addr, in a namespace of its own or in b of a new pair. */
static int listener(int proto, const char *addr, char *a, char *b,
		    const char *netem, const char *tbf)
{
	int lfd;

	if (!strcmp(addr, "127.0.0.1")) {
		if (xtcp_new_netns() || bench_settings(NULL))
			return -1;
	} else if (hosts_up(a, b, 32) || bench_settings(a) ||
		   bench_settings(b) || impair(a, netem, tbf) ||
		   impair(b, netem, tbf) || static_neigh(a, b, ADDR_B) ||
		   static_neigh(b, a, ADDR_A) ||
		   (netem && (one_segment_packets(a) ||
			      one_segment_packets(b))) ||
		   enter_ns(b)) {
		return -1;
	}
	lfd = bound_socket(proto, addr, BENCH_PORT, false);
	if (lfd < 0 || listen(lfd, 128))
		return -1;
	return strcmp(addr, "127.0.0.1") && enter_ns(a) ? -1 : lfd;
}

/* The impairment workload @w names, or NULL. */
static const struct impairment *impairment(const char *w)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(impairments); i++)
		if (!strcmp(w, impairments[i].name))
			return &impairments[i];
	return NULL;
}

/* Print @path's "NAME VALUE" lines that are not 0, on stderr. */
static void stat_pairs(const char *tag, const char *path)
{
	char name[64];
	FILE *f = fopen(path, "r");
	unsigned long long v;

	if (!f)
		return;
	while (fscanf(f, "%63s %llu", name, &v) == 2)
		if (v)
			fprintf(stderr, "STAT %s %s %llu\n", tag, name, v);
	fclose(f);
}

/*
 * Print the non-zero fields of @path's "@prefix:" lines, which come in
 * pairs, names then values (/proc/net/netstat, /proc/net/snmp).
 */
static void stat_table(const char *tag, const char *path, const char *prefix)
{
	char names[4096], vals[4096], *n, *v, *sn, *sv;
	static const char delim[] = { ' ', '\n', 0 };
	FILE *f = fopen(path, "r");
	size_t len = strlen(prefix);

	if (!f)
		return;
	while (fgets(names, sizeof(names), f) && fgets(vals, sizeof(vals), f)) {
		if (strncmp(names, prefix, len) || strncmp(vals, prefix, len))
			continue;
		n = strtok_r(names + len, delim, &sn);
		v = strtok_r(vals + len, delim, &sv);
		for (; n && v; n = strtok_r(NULL, delim, &sn),
		     v = strtok_r(NULL, delim, &sv))
			if (strcmp(v, "0"))
				fprintf(stderr, "STAT %s %s %s\n", tag, n, v);
	}
	fclose(f);
}

/* XTCP_BENCH_STAT: the loss recovery's counters of namespaces @a, @b. */
static void print_stats(const char *w, bool tcp, const char *a,
			const char *b)
{
	char tag[96];
	int i;

	if (!getenv("XTCP_BENCH_STAT"))
		return;
	for (i = 0; i < 2; i++) {
		snprintf(tag, sizeof(tag), "%s %s %s", w, tcp ? "tcp" : "xtcp",
			 i ? "b" : "a");
		if (enter_ns(i ? b : a))
			continue;
		if (tcp) {
			stat_table(tag, "/proc/net/netstat", "TcpExt:");
			stat_table(tag, "/proc/net/snmp", "Tcp:");
		} else {
			stat_pairs(tag, "/proc/net/xtcp_stat");
		}
	}
	enter_ns(a);
}

static double run(const char *w, int proto)
{
	const struct impairment *imp = impairment(w);
	bool tcp = proto == IPPROTO_TCP;
	char a[32] = "", b[32] = "";
	double v = -1;
	int lfd;

	if (!strcmp(w, "mem_sock"))
		return slab_size(tcp ? "TCP" : "XTCP");
	if (!strcmp(w, "mem_tw"))
		return slab_size(tcp ? "tw_sock_TCP" : "xtcp_tw");
	if (!strcmp(w, "stream_veth"))
		lfd = listener(proto, ADDR_B, a, b, NULL, NULL);
	else if (imp)
		lfd = listener(proto, ADDR_B, a, b, imp->netem, imp->tbf);
	else
		lfd = listener(proto, "127.0.0.1", a, b, NULL, NULL);
	if (lfd < 0)
		return -1;
	if (!strcmp(w, "stream_lo"))
		v = stream(proto, lfd, "127.0.0.1");
	else if (!strcmp(w, "stream_veth"))
		v = stream(proto, lfd, ADDR_B);
	else if (!strcmp(w, "rr"))
		v = rr(proto, lfd);
	else if (!strcmp(w, "crr"))
		v = crr(proto, lfd);
	else if (!strcmp(w, "churn"))
		v = churn(proto, lfd) ? -1 : -2;
	else if (!strcmp(w, "scale_tw"))
		v = scale_tw(proto, lfd) ? -1 : -2;
	else if (!strcmp(w, "lossy"))
		v = timed_transfer(proto, lfd, LOSSY_BYTES, false);
	else if (imp)
		v = timed_transfer(proto, lfd, ECHO_BYTES, true);
	if (imp)
		print_stats(w, tcp, a, b);
	else if (!strcmp(w, "proc_tw"))
		v = proc_tw(proto, lfd);
	close(lfd);
	if (a[0])
		hosts_down(a, b);
	return v;
}

int main(int argc, char **argv)
{
	double v;
	int proto;

	if (argc != 3) {
		fprintf(stderr, "usage: xtcp_bench WORKLOAD tcp|xtcp\n");
		return 2;
	}
	proto = !strcmp(argv[2], "tcp") ? IPPROTO_TCP : IPPROTO_XTCP;
	v = run(argv[1], proto);
	if (v == -2)		/* printed its rows itself */
		return 0;
	if (v < 0)
		return 1;
	/* Hundredths: a transfer of half a second in tenths would make
	 * 0.55 s against 0.5 a ratio of 1.2, or 1.0.
	 */
	printf("%.2f\n", v);
	return 0;
}
