// SPDX-License-Identifier: GPL-2.0
/*
 * Small socket tool for the shell selftests.
 *
 *   xtcp_tool socket PROTO [stream|dgram|seqpacket]
 *	create a socket; print "ok" or the errno name; exit 0 or 1
 *   xtcp_tool hold PROTO PORT READYFILE
 *	bind 127.0.0.1:PORT, listen, create READYFILE, then wait for a
 *	signal with the socket open
 *   xtcp_tool talk PROTO PORT
 *	one short connection on 127.0.0.1:PORT, as a textbook draws it:
 *	the client sends "hello", the server answers "world", the client
 *	closes first, then the server
 *   xtcp_tool cycle PROTO PORT N
 *	N connections to 127.0.0.1:PORT (listener included), each closed
 *	by the client first, leaving N TIME_WAIT entries on the client side
 *   xtcp_tool fail_sweep MODULE.ko [STRIDE [BUDGET]]
 *	count the fault-injectable calls T of one load of MODULE.ko, then
 *	load it with its (T+4)-th, ... call failing
 *	(/proc/thread-self/fail-nth), unloading it after each load that
 *	succeeds, down to the first load that fails in the module loader
 *	before the module's init ran (no "xtcp: loading failed" message):
 *	one call in STRIDE (default 7; 1: every call), and every call
 *	within STRIDE of a change of where the init failed (its message,
 *	and with failslab's verbose=2 the call of the module's that got
 *	the failure) or of the loader's failure, in at most BUDGET loads
 *	(default 200); prints the outcome of each call tried and where the
 *	init failed as "# " lines, then "total=T loads=N bound=N failed=N
 *	dirty=N reached_loader=0|1" (bound: the most loads the sweep could
 *	make; dirty: a failed load left xtcp behind)
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "xtcp_test.h"

static const char *errno_name(int err)
{
	switch (err) {
	case EPROTONOSUPPORT:
		return "EPROTONOSUPPORT";
	case ESOCKTNOSUPPORT:
		return "ESOCKTNOSUPPORT";
	case EADDRINUSE:
		return "EADDRINUSE";
	case EINVAL:
		return "EINVAL";
	default:
		return strerror(err);
	}
}

static int cmd_socket(int proto, const char *type_name)
{
	int type = SOCK_STREAM;
	int fd;

	if (type_name && !strcmp(type_name, "dgram"))
		type = SOCK_DGRAM;
	else if (type_name && !strcmp(type_name, "seqpacket"))
		type = SOCK_SEQPACKET;
	fd = socket(AF_INET, type, proto);
	if (fd < 0) {
		printf("%s\n", errno_name(errno));
		return 1;
	}
	printf("ok\n");
	close(fd);
	return 0;
}

static int cmd_hold(int proto, int port, const char *ready)
{
	int fd = socket(AF_INET, SOCK_STREAM, proto);
	int rfd;

	if (fd < 0) {
		perror("socket");
		return 1;
	}
	if (xtcp_bind(fd, "127.0.0.1", port) || listen(fd, 8)) {
		perror("bind/listen");
		return 1;
	}
	rfd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (rfd < 0) {
		perror(ready);
		return 1;
	}
	close(rfd);
	for (;;)
		pause();
}

static int listen_on(int proto, int port)
{
	int fd = socket(AF_INET, SOCK_STREAM, proto);

	if (fd < 0 || xtcp_bind(fd, "127.0.0.1", port) || listen(fd, 64)) {
		perror("listen");
		exit(1);
	}
	return fd;
}

static int connect_to(int proto, int port)
{
	struct sockaddr_in a = xtcp_addr("127.0.0.1", port);
	int fd = socket(AF_INET, SOCK_STREAM, proto);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		perror("connect");
		exit(1);
	}
	return fd;
}

static int cmd_talk(int proto, int port)
{
	int lfd = listen_on(proto, port), c, s;
	char buf[8];

	c = connect_to(proto, port);
	s = accept(lfd, NULL, NULL);
	if (s < 0 || send(c, "hello", 5, 0) != 5 ||
	    recv(s, buf, 5, MSG_WAITALL) != 5 ||
	    send(s, "world", 5, 0) != 5 ||
	    recv(c, buf, 5, MSG_WAITALL) != 5) {
		perror("talk");
		return 1;
	}
	usleep(100000);
	close(c);
	if (recv(s, buf, sizeof(buf), 0) != 0)
		return 1;
	usleep(100000);
	close(s);
	close(lfd);
	return 0;
}

static int cmd_cycle(int proto, int port, int n)
{
	int lfd = listen_on(proto, port), c, s, i;
	char b;

	for (i = 0; i < n; i++) {
		c = connect_to(proto, port);
		s = accept(lfd, NULL, NULL);
		if (s < 0)
			return 1;
		close(c);
		if (recv(s, &b, 1, 0) != 0)
			return 1;
		close(s);
	}
	close(lfd);
	return 0;
}

/*
 * fail-nth of the calling thread, kept open so that opening the file does
 * not count among the allocations of the load.
 */
static int fail_nth_fd = -1;

static int write_fail_nth(int n)
{
	char buf[16];
	int len;

	len = snprintf(buf, sizeof(buf), "%d", n);
	return pwrite(fail_nth_fd, buf, len, 0) == len ? 0 : -1;
}

/* Calls left before the armed fault: 0 once it was injected. */
static int read_fail_nth(void)
{
	char buf[16] = "";

	if (pread(fail_nth_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return atoi(buf);
}

static bool xtcp_left_behind(void)
{
	struct stat st;

	return !stat("/proc/net/xtcp", &st) || !stat("/sys/module/xtcp", &st);
}

/*
 * Does the kernel log, from @kmsg's position on, say xtcp's init failed?
 * If so, @where gets the step it names and, from failslab's stack dump of
 * the failed call (verbose=2), the innermost frame in xtcp: the call of
 * xtcp's that got the failure.  A record longer than the buffer would
 * fail the read (EINVAL) and hide the records after it: the buffer holds
 * the longest a record can be.
 */
static bool init_failed_logged(int kmsg, char *where, size_t len)
{
	static const char msg[] = "xtcp: loading failed at ";
	char rec[8192], frame[64] = "", *text, *at;
	bool found = false, dump = false;
	ssize_t n;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		text[strcspn(text, "\n")] = 0;
		if (strstr(text, "FAULT_INJECTION: forcing a failure")) {
			dump = true;
		} else if (dump && !frame[0] && strstr(text, " [xtcp]") &&
			   strncmp(text, " ? ", 3)) {
			snprintf(frame, sizeof(frame), "%.*s",
				 (int)strcspn(text + 1, "/ "), text + 1);
		}
		at = strstr(text, msg);
		if (!at)
			continue;
		found = true;
		at += sizeof(msg) - 1;
		snprintf(where, len, "%.*s%s%s", (int)strcspn(at, ":"), at,
			 frame[0] ? " @ " : "", frame);
	}
	return found;
}

/* Load @ko with its @n-th fault-injectable call failing: the errno. */
static int load_failing(int ko, int n, int *left)
{
	int err;

	if (write_fail_nth(n))
		return -1;
	err = syscall(__NR_finit_module, ko, "", 0) ? errno : 0;
	*left = read_fail_nth();
	write_fail_nth(0);
	return err;
}

static int unload(void)
{
	if (!syscall(__NR_delete_module, "xtcp", O_NONBLOCK))
		return 0;
	perror("delete_module");
	return -1;
}

#define FAIL_NTH_COUNT	1000000
#define SWEEP_STRIDE	7
#define SWEEP_BUDGET	240
#define SWEEP_PLACES	64
/*
 * Strides in a row that succeed (35 calls) before the sweep goes call by
 * call, for SWEEP_DENSE calls, to the loader's failure.
 */
#define SWEEP_QUIET	5
#define SWEEP_DENSE	28

struct sweep {
	int ko, kmsg, top, low;
	int stride, budget;
	int loads, failed, dirty, skipped;
	bool reached_loader;
	char *map;		/* per n from top down: S, X, L, - or . */
	char where[128];	/* the last load's: "" unless X */
	char last[128];		/* where the main loop's failure before was */
	/* Where xtcp_init() failed, in the order found, and how often. */
	char places[SWEEP_PLACES][128];
	int times[SWEEP_PLACES], nplaces;
};

static void sweep_count(struct sweep *sw)
{
	int i;

	for (i = 0; i < sw->nplaces; i++)
		if (!strcmp(sw->places[i], sw->where))
			break;
	if (i == SWEEP_PLACES)
		return;
	if (i == sw->nplaces) {
		memcpy(sw->places[i], sw->where, sizeof(sw->where));
		sw->nplaces++;
	}
	sw->times[i]++;
}

/*
 * Load with call @n failing; record S (loaded: unloaded again), X (xtcp's
 * init failed and said where), L (the loader failed: no message) or -
 * (the load made fewer than @n calls: the fault missed it).  Returns the
 * calls the load made short of @n (0 if the fault hit) or -1.
 */
static int sweep_load(struct sweep *sw, int n)
{
	int err, left;

	if (n < 1 || n > sw->top || sw->map[sw->top - n] != '.')
		return 0;
	lseek(sw->kmsg, 0, SEEK_END);
	sw->where[0] = 0;
	err = load_failing(sw->ko, n, &left);
	sw->loads++;
	if (n < sw->low)
		sw->low = n;
	if (err < 0)
		return -1;
	if (!err) {
		sw->map[sw->top - n] = left > 0 ? '-' : 'S';
		return unload() ? -1 : (left > 0 ? left : 0);
	}
	sw->failed++;
	if (init_failed_logged(sw->kmsg, sw->where, sizeof(sw->where))) {
		sw->map[sw->top - n] = 'X';
		sweep_count(sw);
	} else {
		sw->map[sw->top - n] = 'L';
		sw->reached_loader = true;
	}
	if (xtcp_left_behind()) {
		sw->dirty++;
		printf("# call %d: xtcp left behind\n", n);
		unload();
	}
	return 0;
}

/*
 * Fail every call in (@lo, @hi) not loaded yet, but at most @w below @hi
 * and @w above @lo, from the top down, up to a failure of the loader.
 * The failure at @lo may itself be the loader's: only one inside the
 * window stops it.
 */
static int sweep_window(struct sweep *sw, int hi, int lo, int w)
{
	int m;

	for (m = hi - 1; m > lo; m--) {
		if (m < hi - w && m > lo + w)
			m = lo + w;
		if (sweep_load(sw, m) < 0)
			return -1;
		if (sw->map[sw->top - m] == 'L')
			break;
	}
	return 0;
}

/*
 * The load of call @n failed, the sweep's last failure before it being
 * at @prev.  If where it failed is not where that one did (or it is the
 * loader's failure), a failing call of xtcp's may hide in between, among
 * the strides that loaded: open a window between them (all of it if they
 * are close), if it and the way down to the loader still fit the budget.
 * @n's place is kept first: the window's loads overwrite sw->where.
 */
static int sweep_change(struct sweep *sw, int prev, int n)
{
	int w = prev - n <= 4 * sw->stride ? prev - n : sw->stride;

	if (!sw->reached_loader && !strcmp(sw->where, sw->last))
		return 0;
	memcpy(sw->last, sw->where, sizeof(sw->last));
	/* This window, then the way down to the loader. */
	if (sw->loads + 4 * sw->stride + SWEEP_QUIET + SWEEP_DENSE + 5 >
	    sw->budget) {
		sw->skipped++;
		return 0;
	}
	return sweep_window(sw, prev, n, w);
}

/*
 * The sweep goes down from the end of the load: the last calls are the
 * module loader's bookkeeping after the init, then come xtcp_init()'s,
 * then the loader's own before it (on the debug lane's kernel, gcov's
 * constructors first, then the module's sysfs files of its sections,
 * whose failures the loader survives).  About half of all calls are
 * kmemleak's, which allocates its metadata right after each allocation
 * and survives their failure, so half of the loads succeed and must be
 * unloaded; and most of xtcp_init()'s calls are inside kmem_cache_create()
 * (the slab's sysfs files, one after the other), whose failures all come
 * back to xtcp at the same call.  Failing every call took 460 to 730
 * loads there, 5 to 9 minutes.
 *
 * So the sweep fails one call in @stride (odd: kmemleak's calls alternate
 * with the others), and every call around each change of where
 * xtcp_init() failed: its step ("loading failed at") and its call that got
 * the failure (the innermost xtcp frame of failslab's stack dump); and
 * around the loader's failure, which ends the sweep.  Those windows take
 * every call in between if they are at most 4 * @stride apart (a few
 * strides of loads that succeeded between them: a call of xtcp's that
 * fails at two or three calls can hide there), else @stride calls below
 * the last failure and @stride above the new one.  A run of failures at
 * one call of xtcp's is failed one call in @stride; each call of xtcp's
 * that fails, and each change, call by call.
 *
 * Below xtcp_init() the loader's first failure is a single call (the
 * kmalloc() of do_init_module(), under gcov's constructors), under it
 * about 300 calls the loader survives (the sysfs files of the module's
 * sections), then more of its failures: after SWEEP_QUIET strides in a
 * row that all succeed, the sweep goes call by call for SWEEP_DENSE calls,
 * then by strides again.  An even stride would hit only one side of
 * kmemleak's alternation (the fourth trial run went down to call 1
 * without a failure that way): it must be odd.
 *
 * The loads are bounded by @budget: a window is opened only if it and
 * the way down to the loader still fit; at the budget the sweep stops
 * (short of the loader: the test fails).  A stride of 1 fails every call,
 * as the sweep did before.
 */
static int cmd_fail_sweep(const char *path, int stride, int budget)
{
	struct sweep sw = { .reached_loader = false };
	int n, left, prev, total, i, step = 0;
	int quiet = 0, dense = 0;
	struct timespec t0, t1;

	sw.ko = open(path, O_RDONLY);
	sw.kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (sw.ko < 0 || sw.kmsg < 0 || fail_nth_fd < 0) {
		perror("open");
		return 1;
	}
	if (stride < 1)
		stride = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (load_failing(sw.ko, FAIL_NTH_COUNT, &left) || left <= 0 ||
	    unload()) {
		fprintf(stderr, "counting load failed\n");
		return 1;
	}
	total = FAIL_NTH_COUNT - left;
	/* A few more than counted: the count varies a little by load. */
	sw.top = total + 4;
	sw.map = malloc(sw.top + 1);
	if (!sw.map)
		return 1;
	memset(sw.map, '.', sw.top);
	sw.map[sw.top] = 0;
	prev = sw.top + 1;
	sw.low = sw.top;
	if (stride == 1)
		budget = sw.top + 4;
	sw.stride = stride;
	sw.budget = budget;
	printf("# %d calls counted; failing one in %d, and every call", total,
	       stride);
	printf(" within %d of a change of outcome: at most %d loads\n",
	       stride, budget);
	for (n = sw.top; n > 0 && !sw.reached_loader; n -= step) {
		if (sw.loads >= budget) {
			printf("# budget spent at call %d\n", n);
			break;
		}
		left = sweep_load(&sw, n);
		if (left < 0)
			return 1;
		if (left > 0) {
			/* Go on from the last call this load made. */
			step = left;
			continue;
		}
		if (sw.map[sw.top - n] == 'S') {
			/* Out of xtcp_init()?  The loader's failure is near. */
			if (++quiet == SWEEP_QUIET && stride > 1)
				dense = SWEEP_DENSE;
			step = dense-- > 0 ? 1 : stride;
			continue;
		}
		quiet = 0;
		dense = 0;
		step = stride;
		if (sweep_change(&sw, prev, n))
			return 1;
		prev = n;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# outcome by call from %d down: S loaded, X init failed,",
	       sw.top);
	printf(" L loader failed, - missed, . not tried\n");
	for (i = 0; i <= sw.top - sw.low; i += 100)	/* to the last call tried */
		printf("# %4d %.*s\n", sw.top - i,
		       i + 100 > sw.top - sw.low ? sw.top - sw.low + 1 - i : 100,
		       sw.map + i);
	for (i = 0; i < sw.nplaces; i++)
		printf("# failed %2d times at %s\n", sw.times[i],
		       sw.places[i]);
	if (sw.skipped)
		printf("# %d windows left out: over the budget\n", sw.skipped);
	printf("# the sweep took %ld s\n", (long)(t1.tv_sec - t0.tv_sec));
	printf("total=%d loads=%d bound=%d failed=%d dirty=%d reached_loader=%d\n",
	       total, sw.loads, budget, sw.failed, sw.dirty,
	       sw.reached_loader);
	return !sw.reached_loader;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "socket"))
		return cmd_socket(atoi(argv[2]), argc > 3 ? argv[3] : NULL);
	if (argc == 5 && !strcmp(argv[1], "hold"))
		return cmd_hold(atoi(argv[2]), atoi(argv[3]), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "talk"))
		return cmd_talk(atoi(argv[2]), atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "cycle"))
		return cmd_cycle(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc >= 3 && argc <= 5 && !strcmp(argv[1], "fail_sweep"))
		return cmd_fail_sweep(argv[2],
				      argc > 3 ? atoi(argv[3]) : SWEEP_STRIDE,
				      argc > 4 ? atoi(argv[4]) : SWEEP_BUDGET);
	fprintf(stderr, "usage: %s socket PROTO [TYPE]\n", argv[0]);
	fprintf(stderr, "       %s hold PROTO PORT READYFILE\n", argv[0]);
	fprintf(stderr, "       %s talk PROTO PORT\n", argv[0]);
	fprintf(stderr, "       %s cycle PROTO PORT N\n", argv[0]);
	fprintf(stderr, "       %s fail_sweep MODULE.ko [STRIDE [BUDGET]]\n", argv[0]);
	return 2;
}
