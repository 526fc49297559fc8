// SPDX-License-Identifier: GPL-2.0
/*
 * No transfer may stall while the path delivers most of its packets.
 *
 * Two namespaces joined by veth, netem on both ends ("delay 5ms 2ms",
 * whose jitter also reorders, and 1 % or 5 % loss), no segmentation
 * offload.  A client in a sends 2 MiB to an echo server in b and reads
 * them back, so that data, and the ACKs of data, cross the impaired
 * link in both directions.  Linux TCP sets the yardstick on the same
 * path in the same run: the median of its echoes.  Then xtcp runs
 * %ECHO_RUNS echoes, %ECHO_CONC at a time, and each must end, its bytes
 * intact, within %ECHO_BOUND times that median (a generous bound: this
 * is about stalls, not speed).  An echo that misses it is aborted, and
 * the test logs what both ends held then (TCP_INFO of the client,
 * /proc/net/xtcp and the counters of both namespaces).
 *
 * XTCP_STALL_RUNS=N in the environment changes the number of xtcp
 * echoes; below %ECHO_TCP_RUNS, Linux TCP's median is taken of
 * %ECHO_CONC echoes.  XTCP_STALL_PATHS=loss1,loss5 runs only the paths
 * named: the debug lane runs each in one of its two VMs.
 */
#include <signal.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>

#include "xtcp_ns.h"
#include "xtcp_stream.h"
#include "kselftest_harness.h"

#define MIB		(1024 * 1024)
#define ECHO_LEN	(2 * MIB)
#define ECHO_RUNS	20	/* xtcp echoes per path */
#define ECHO_CONC	4	/* of them at once */
#define ECHO_TCP_RUNS	8	/* Linux TCP echoes for the yardstick */
#define ECHO_BOUND	10	/* times Linux TCP's median */
#define ECHO_MIN_MS	20000	/* floor of the bound, for a noisy TCG */
#define PORT_TCP	23010
#define PORT_XTCP	23011

/* What a client reports through its pipe. */
struct echo_result {
	int err;		/* 0 or -errno */
	int timed_out;		/* the deadline passed */
	long long ms;		/* from connect() to the echo's end */
	uint64_t sent, got;	/* bytes */
	uint64_t sent_digest, got_digest;
	struct tcp_info ti;	/* at the end, or when aborted */
};

/* Echo what @fd brings back to it, until its end; the child's status. */
static int echo_conn(int fd)
{
	static uint8_t buf[1 << 16];
	struct pollfd pfd = { .fd = fd };
	size_t head = 0, tail = 0;
	bool eof = false;
	ssize_t n;

	while (!eof || head < tail) {
		pfd.events = (!eof && tail < sizeof(buf) ? POLLIN : 0) |
			     (head < tail ? POLLOUT : 0);
		if (poll(&pfd, 1, -1) < 0)
			return 1;
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR) && !eof &&
		    tail < sizeof(buf)) {
			n = recv(fd, buf + tail, sizeof(buf) - tail,
				 MSG_DONTWAIT);
			if (n == 0)
				eof = true;
			else if (n > 0)
				tail += n;
			else if (errno != EAGAIN)
				return 1;
		}
		if (head < tail) {
			n = send(fd, buf + head, tail - head,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n > 0)
				head += n;
			else if (n < 0 && errno != EAGAIN)
				return 1;
		}
		if (head == tail) {
			head = 0;
			tail = 0;
		}
	}
	shutdown(fd, SHUT_WR);
	close(fd);
	return 0;
}

/*
 * The echo server on @lfd, in its own process group so that teardown
 * ends it with every connection it forked.
 */
static int echo_serve(int lfd)
{
	int fd;

	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (!fork()) {
			close(lfd);
			_exit(echo_conn(fd));
		}
		close(fd);
	}
	return 0;
}

#define TRACE_DIR	"/sys/kernel/tracing/instances/xtcp_stall"

/* xtcp's tracepoints into a trace instance of our own; 0 or -errno. */
static int trace_start(void)
{
	if (mkdir(TRACE_DIR, 0755) && errno != EEXIST)
		return -errno;
	return xtcp_write_str(TRACE_DIR "/buffer_size_kb", "16384") ? :
	       xtcp_write_str(TRACE_DIR "/events/xtcp/enable", "1");
}

static void trace_stop(void)
{
	xtcp_write_str(TRACE_DIR "/events/xtcp/enable", "0");
	rmdir(TRACE_DIR);
}

/*
 * What both ends of a stalled echo hold, before it is aborted: the
 * sockets and counters of both namespaces, and the last segments of the
 * connection (local port @port) that the xtcp_segment tracepoint saw.
 */
static void echo_dump_stall(const char *a, const char *b, unsigned short port)
{
	fprintf(stderr, "# stalled echo from port %u: /proc/net/xtcp of a, b\n",
		port);
	sh(IP " netns exec %s sh -c 'cat /proc/net/xtcp; grep ^Ip: /proc/net/snmp' >&2",
	   a);
	sh(IP " netns exec %s sh -c 'cat /proc/net/xtcp; grep ^Ip: /proc/net/snmp' >&2",
	   b);
	sh("grep -h ':%u ' " TRACE_DIR "/trace | tail -n ${XTCP_STALL_TRACE_LINES:-80} >&2", port);
}

/* An echo client's job. */
struct echo_job {
	const char *a, *b;	/* the namespaces */
	int proto;
	unsigned short port;
	uint64_t seed;
	long long bound_ms;	/* abort after it */
	int out;		/* pipe to report to */
};

/* The client's loop: send the stream, digest what comes back. */
static int echo_pump(int fd, const struct echo_job *job, long long t_end,
		     struct echo_result *r)
{
	uint64_t x = xtcp_stream_seed(job->seed);
	static uint8_t out[1 << 16], in[1 << 16];
	struct pollfd pfd = { .fd = fd };
	size_t off = 0, end = 0, left = ECHO_LEN;
	struct xtcp_digest ds, dr;
	bool shut = false;
	long long now;
	ssize_t n;

	xtcp_digest_init(&ds);
	xtcp_digest_init(&dr);
	for (;;) {
		if (off == end && left) {
			end = left < sizeof(out) ? left : sizeof(out);
			xtcp_stream_fill(&x, out, sizeof(out));
			xtcp_digest_update(&ds, out, end);
			left -= end;
			off = 0;
		}
		if (off == end && !left && !shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		now = xtcp_now_ms();
		if (now >= t_end) {
			r->timed_out = 1;
			return -ETIMEDOUT;
		}
		pfd.events = POLLIN | (off < end ? POLLOUT : 0);
		if (poll(&pfd, 1, t_end - now) < 0)
			return -errno;
		if (off < end) {
			n = send(fd, out + off, end - off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0 && errno != EAGAIN)
				return -errno;
			if (n > 0) {
				off += n;
				r->sent += n;
			}
		}
		n = recv(fd, in, sizeof(in), MSG_DONTWAIT);
		if (n > 0) {
			xtcp_digest_update(&dr, in, n);
			r->got += n;
			continue;
		}
		if (!n)
			break;
		if (errno != EAGAIN)
			return -errno;
	}
	r->sent_digest = xtcp_digest_final(&ds);
	r->got_digest = xtcp_digest_final(&dr);
	return 0;
}

/* What a stalled echo's sender held when it was aborted. */
static void echo_log_stall(struct __test_metadata *_metadata,
			   const struct echo_result *r)
{
	const struct tcp_info *ti = &r->ti;

	TH_LOG("stalled: state %u ca_state %u retransmits %u backoff %u rto %u us",
	       ti->tcpi_state, ti->tcpi_ca_state, ti->tcpi_retransmits,
	       ti->tcpi_backoff, ti->tcpi_rto);
	TH_LOG("unacked %u sacked %u cwnd %u ssthresh %u total_retrans %u",
	       ti->tcpi_unacked, ti->tcpi_sacked, ti->tcpi_snd_cwnd,
	       ti->tcpi_snd_ssthresh, ti->tcpi_total_retrans);
	TH_LOG("last data sent %u ms, data received %u ms, ack %u ms ago",
	       ti->tcpi_last_data_sent, ti->tcpi_last_data_recv,
	       ti->tcpi_last_ack_recv);
	TH_LOG("sent %llu of %d, got back %llu", (unsigned long long)r->sent,
	       ECHO_LEN, (unsigned long long)r->got);
}

/* One echo, in namespace a; reports a struct echo_result. */
static int echo_client(void *arg)
{
	const struct echo_job *job = arg;
	struct echo_result r = { 0 };
	socklen_t len = sizeof(r.ti);
	struct linger abort = { 1, 0 };
	long long t0 = xtcp_now_ms();
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, job->proto);
	if (fd < 0) {
		r.err = -errno;
		goto out;
	}
	r.err = connect_wait(fd, ADDR_B, job->port);
	if (!r.err && fcntl(fd, F_SETFL, O_NONBLOCK))
		r.err = -errno;
	if (!r.err)
		r.err = echo_pump(fd, job, t0 + job->bound_ms, &r);
	r.ms = xtcp_now_ms() - t0;
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &r.ti, &len);
	if (r.timed_out)
		echo_dump_stall(job->a, job->b, xtcp_local_port(fd));
	/* A stalled connection must not linger on the path. */
	if (r.err)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
	close(fd);
out:
	return write(job->out, &r, sizeof(r)) == sizeof(r) ? 0 : 1;
}

/*
 * Run @n echoes of @proto at once, each aborted after @bound_ms, and
 * collect their results in @r; 0, or -1 if a client did not report.
 */
static int echo_batch(const char *a, const char *b, int proto, unsigned short port,
		      int n, uint64_t seed, long long bound_ms,
		      struct echo_result *r)
{
	struct echo_job job = { a, b, proto, port, seed, bound_ms, -1 };
	pid_t pid[ECHO_CONC];
	int pipefd[2], i, err = 0;

	if (n > ECHO_CONC || pipe(pipefd))
		return -1;
	job.out = pipefd[1];
	for (i = 0; i < n; i++) {
		job.seed = seed + i;
		pid[i] = spawn_in(a, echo_client, &job);
	}
	for (i = 0; i < n; i++)
		if (read(pipefd[0], &r[i], sizeof(r[i])) != sizeof(r[i]))
			err = -1;
	for (i = 0; i < n; i++)
		if (child_status(pid[i]))
			err = -1;
	close(pipefd[0]);
	close(pipefd[1]);
	return err;
}

static int cmp_ll(const void *x, const void *y)
{
	long long a = *(const long long *)x, b = *(const long long *)y;

	return a < b ? -1 : a > b;
}

/* Number of xtcp echoes per path: XTCP_STALL_RUNS, or %ECHO_RUNS. */
static int echo_runs(void)
{
	const char *env = getenv("XTCP_STALL_RUNS");
	long n = env ? strtol(env, NULL, 10) : 0;

	return n > 0 ? n : ECHO_RUNS;
}

FIXTURE(echo) {
	char a[32], b[32];
	pid_t server[2];
};

FIXTURE_VARIANT(echo) {
	const char *name;
	const char *netem;
};

FIXTURE_VARIANT_ADD(echo, loss1) {
	.name = "loss1",
	.netem = "delay 5ms 2ms loss 1%",
};

FIXTURE_VARIANT_ADD(echo, loss5) {
	.name = "loss5",
	.netem = "delay 5ms 2ms loss 5%",
};

/* A listener of @proto on @port in b, served by a process group. */
static pid_t start_server(const char *b, int proto, unsigned short port)
{
	pid_t pid = fork();
	int lfd;

	if (pid)
		return pid;
	setpgid(0, 0);
	if (enter_ns(b))
		_exit(2);
	lfd = bound_socket(proto, ADDR_B, port, false);
	if (lfd < 0 || listen(lfd, 64))
		_exit(3);
	_exit(echo_serve(lfd));
}

FIXTURE_SETUP(echo)
{
	if (!xtcp_env_lists("XTCP_STALL_PATHS", variant->name))
		SKIP(longjmp(_metadata->env, 1),
		     "path not in XTCP_STALL_PATHS of this VM");
	ASSERT_EQ(0, hosts_up(self->a, self->b, sizeof(self->a)));
	ASSERT_EQ(0, static_neigh(self->a, self->b, ADDR_B));
	ASSERT_EQ(0, static_neigh(self->b, self->a, ADDR_A));
	ASSERT_EQ(0, impair(self->a, variant->netem, NULL));
	ASSERT_EQ(0, impair(self->b, variant->netem, NULL));
	ASSERT_EQ(0, segments_only(self->a));
	ASSERT_EQ(0, segments_only(self->b));
	self->server[0] = start_server(self->b, IPPROTO_TCP, PORT_TCP);
	self->server[1] = start_server(self->b, IPPROTO_XTCP, PORT_XTCP);
	ASSERT_LT(0, self->server[0]);
	ASSERT_LT(0, self->server[1]);
	/* Best effort: the dump of a stall is richer with it. */
	trace_start();
}

FIXTURE_TEARDOWN(echo)
{
	int i;

	trace_stop();
	if (!self->a[0])
		return;	/* skipped */
	for (i = 0; i < 2; i++) {
		if (self->server[i] <= 0)
			continue;
		kill(-self->server[i], SIGKILL);
		child_status(self->server[i]);
	}
	hosts_down(self->a, self->b);
}

/*
 * The median time of @n (a multiple of %ECHO_CONC, at most
 * %ECHO_TCP_RUNS) Linux TCP echoes on the path.
 */
static long long tcp_yardstick(struct __test_metadata *_metadata,
			       const char *a, const char *b, int n)
{
	struct echo_result r[ECHO_CONC];
	long long ms[ECHO_TCP_RUNS];
	int i, k = 0;

	for (i = 0; i < n; i += ECHO_CONC) {
		if (echo_batch(a, b, IPPROTO_TCP, PORT_TCP, ECHO_CONC, 1000 + i,
			       300000, r))
			return -1;
		for (k = 0; k < ECHO_CONC; k++) {
			if (r[k].err || r[k].got != ECHO_LEN)
				return -1;
			ms[i + k] = r[k].ms;
		}
	}
	qsort(ms, n, sizeof(ms[0]), cmp_ll);
	TH_LOG("Linux TCP: %d echoes, %lld to %lld ms, median %lld ms", n,
	       ms[0], ms[n - 1], ms[n / 2]);
	return ms[n / 2];
}

TEST_F_TIMEOUT(echo, no_stall, 1200)
{
	struct echo_result r[ECHO_CONC];
	int runs = echo_runs(), i, k, n, late = 0;
	long long ref, bound, worst = 0;

	/* A lane that runs few echoes measures fewer of TCP's too. */
	ref = tcp_yardstick(_metadata, self->a, self->b,
			    runs < ECHO_TCP_RUNS ? ECHO_CONC : ECHO_TCP_RUNS);
	ASSERT_LT(0, ref);
	bound = ref * ECHO_BOUND > ECHO_MIN_MS ? ref * ECHO_BOUND :
						 ECHO_MIN_MS;
	for (i = 0; i < runs; i += n) {
		n = runs - i < ECHO_CONC ? runs - i : ECHO_CONC;
		ASSERT_EQ(0, echo_batch(self->a, self->b, IPPROTO_XTCP, PORT_XTCP, n,
					i + 1, bound, r));
		for (k = 0; k < n; k++) {
			if (r[k].timed_out) {
				late++;
				echo_log_stall(_metadata, &r[k]);
			}
			EXPECT_EQ(0, r[k].err);
			EXPECT_EQ(ECHO_LEN, r[k].sent);
			EXPECT_EQ(ECHO_LEN, r[k].got);
			EXPECT_EQ(r[k].sent_digest, r[k].got_digest);
			if (r[k].ms > worst)
				worst = r[k].ms;
		}
	}
	TH_LOG("xtcp: %d echoes, slowest %lld ms, bound %lld ms, %d past it",
	       runs, worst, bound, late);
	EXPECT_EQ(0, late);
}

/*
 * A stall made on purpose, and what shows it: the sender's path drops
 * everything for a while.  TCP_INFO's ages (ms since data was sent, since
 * in-order data and since an ACK came) read as on Linux TCP, and once
 * the path is back, the echoed timestamp of what was sent again ends the
 * backoff on both; on xtcp, each
 * timeout is an xtcp_retransmit_timeout event whose una_age_ms grows, and
 * every timeout but the first counts in RepeatTimeouts.
 */
FIXTURE(watch) {
	char a[32], b[32];
	pid_t sink;
	int pipefd[2];
	const char *addr_b;	/* in the variant's family */
};

FIXTURE_VARIANT(watch) {
	int proto;
	int family;	/* 0: AF_INET */
};

FIXTURE_VARIANT_ADD(watch, tcp) {
	.proto = IPPROTO_TCP,
};

FIXTURE_VARIANT_ADD(watch, xtcp) {
	.proto = IPPROTO_XTCP,
};

/*
 * Over IPv6, xtcp only (tcp and xtcp show the expectation TCP's): the
 * same counters, and the same trace events with IPv6 addresses.
 */
FIXTURE_VARIANT_ADD(watch, xtcp6) {
	.proto = IPPROTO_XTCP,
	.family = AF_INET6,
};

/* Accept one connection on @lfd, read it to its end, report the bytes. */
static int sink_one(int lfd, int out)
{
	struct xtcp_digest d;
	int fd;

	xtcp_digest_init(&d);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0 || xtcp_recv_stream(fd, &d))
		d.len = 0;
	return write(out, &d.len, sizeof(d.len)) == sizeof(d.len) ? 0 : 1;
}

FIXTURE_SETUP(watch)
{
	int lfd, family = variant->family ? : AF_INET;

	XTCP_SKIP_TCP_VARIANT(variant->proto);
	self->addr_b = ns_addr_b(family);
	ASSERT_EQ(0, hosts_up_af(self->a, self->b, sizeof(self->a), family));
	ASSERT_EQ(0, static_neigh(self->a, self->b, self->addr_b));
	ASSERT_EQ(0, static_neigh(self->b, self->a, ns_addr_a(family)));
	ASSERT_EQ(0, impair(self->a, "delay 5ms", NULL));
	ASSERT_EQ(0, impair(self->b, "delay 5ms", NULL));
	ASSERT_EQ(0, pipe(self->pipefd));
	ASSERT_EQ(0, enter_ns(self->b));
	lfd = bound_socket(variant->proto, self->addr_b, PORT_B, false);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, listen(lfd, 1));
	self->sink = fork();
	if (!self->sink)
		_exit(sink_one(lfd, self->pipefd[1]));
	close(lfd);
	ASSERT_EQ(0, enter_ns(self->a));
	if (variant->proto == IPPROTO_XTCP)
		ASSERT_EQ(0, trace_start());
}

FIXTURE_TEARDOWN(watch)
{
	trace_stop();
	if (!self->a[0])
		return;	/* skipped */
	if (self->sink > 0) {
		kill(self->sink, SIGKILL);
		child_status(self->sink);
	}
	hosts_down(self->a, self->b);
}

/* Wait up to @ms until @fd's send queue is empty; 0 or -ETIMEDOUT. */
static int wait_acked(int fd, int ms)
{
	long long end = xtcp_now_ms() + ms;

	while (xtcp_ioctl_int(fd, SIOCOUTQ) > 0) {
		if (xtcp_now_ms() > end)
			return -ETIMEDOUT;
		usleep(10000);
	}
	return 0;
}

/* Wait up to @ms for @n timeouts in a row on @fd; its TCP_INFO in @ti. */
static int wait_timeouts(int fd, unsigned int n, int ms, struct tcp_info *ti)
{
	long long end = xtcp_now_ms() + ms;
	socklen_t len = sizeof(*ti);

	do {
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, ti, &len))
			return -errno;
		if (ti->tcpi_retransmits >= n)
			return 0;
		usleep(10000);
	} while (xtcp_now_ms() < end);
	return -ETIMEDOUT;
}

/*
 * The xtcp_retransmit_timeout events of local port @port, in order: each
 * must come one timeout later than the last (retransmits 0, 1, ...) and
 * report a longer wait for progress.  Returns how many there are, or -1
 * when one breaks that order.
 */
static int timeout_events(unsigned short port)
{
	unsigned int retransmits, age, last_age = 0;
	char line[512], key[32];
	int n = 0;
	FILE *f;

	f = fopen(TRACE_DIR "/trace", "r");
	if (!f)
		return -1;
	snprintf(key, sizeof(key), ":%u ", port);
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "xtcp_retransmit_timeout:");

		if (!p || !strstr(p, key))
			continue;
		p = strstr(p, "retransmits=");
		if (!p || sscanf(p, "retransmits=%u rto_ms=%*u una_age_ms=%u",
				 &retransmits, &age) != 2 ||
		    retransmits != (unsigned int)n || (n && age <= last_age)) {
			n = -1;
			break;
		}
		last_age = age;
		n++;
	}
	fclose(f);
	return n;
}

TEST_F_TIMEOUT(watch, stall_is_visible, 120)
{
	static uint8_t buf[64 * 1024];
	long timeouts = xtcp_counter("Timeouts");
	long repeats = xtcp_counter("RepeatTimeouts");
	struct tcp_info ti;
	long long t_cut;
	uint64_t got;
	int fd;

	fd = socket(xtcp_family_of(self->addr_b), SOCK_STREAM, variant->proto);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, connect_wait(fd, self->addr_b, PORT_B));
	ASSERT_EQ(sizeof(buf), send(fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, wait_acked(fd, 10000));

	/* a's way now loses everything: its data, b's ACKs still come. */
	ASSERT_EQ(0, impair(self->a, "delay 5ms loss 100%", NULL));
	t_cut = xtcp_now_ms();
	ASSERT_EQ(1000, send(fd, buf, 1000, 0));
	ASSERT_EQ(0, wait_timeouts(fd, 3, 30000, &ti));
	/* No ACK and no data since the cut (a jiffy of slack); data left
	 * within the current timeout.
	 */
	EXPECT_LE(xtcp_now_ms() - t_cut - 10, ti.tcpi_last_ack_recv);
	EXPECT_LE(xtcp_now_ms() - t_cut - 10, ti.tcpi_last_data_recv);
	EXPECT_GE(ti.tcpi_rto / 1000 + 10, ti.tcpi_last_data_sent);
	TH_LOG("stalled %lld ms: retransmits %u, last data sent %u ms, last ack %u ms ago",
	       xtcp_now_ms() - t_cut, ti.tcpi_retransmits,
	       ti.tcpi_last_data_sent, ti.tcpi_last_ack_recv);

	ASSERT_EQ(0, impair(self->a, "delay 5ms", NULL));
	ASSERT_EQ(0, wait_acked(fd, 60000));
	/*
	 * The ACK of what was sent again echoes its timestamp: a valid RTT
	 * sample (RFC 7323), which ends the backoff.
	 */
	ASSERT_EQ(0, wait_timeouts(fd, 0, 1000, &ti));
	EXPECT_EQ(0, ti.tcpi_backoff);
	if (variant->proto == IPPROTO_XTCP) {
		timeouts = xtcp_counter("Timeouts") - timeouts;
		repeats = xtcp_counter("RepeatTimeouts") - repeats;
		EXPECT_LE(3, timeouts);
		EXPECT_EQ(timeouts - 1, repeats);
		EXPECT_EQ(timeouts, timeout_events(xtcp_local_port(fd)));
	}
	close(fd);
	ASSERT_EQ(sizeof(got), read(self->pipefd[0], &got, sizeof(got)));
	EXPECT_EQ(sizeof(buf) + 1000, got);
}

TEST_HARNESS_MAIN
