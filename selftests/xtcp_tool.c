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
 *   xtcp_tool fail_sweep MODULE.ko
 *	count the fault-injectable calls T of one load of MODULE.ko, then
 *	load it with its T-th, (T-1)-th, ... call failing
 *	(/proc/thread-self/fail-nth), unloading it after each load that
 *	succeeds, down to the first load that fails in the module loader
 *	before the module's init ran (no "xtcp: loading failed" message);
 *	prints "total=T loads=N failed=N dirty=N reached_loader=0|1"
 *	(dirty: a failed load left xtcp behind)
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

/* Does the kernel log, from @kmsg's position on, say xtcp's init failed? */
static bool init_failed_logged(int kmsg)
{
	bool found = false;
	char rec[1024];
	ssize_t n;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || errno == EPIPE) {
		if (n <= 0)
			continue;
		rec[n] = 0;
		if (strstr(rec, "xtcp: loading failed at"))
			found = true;
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

/*
 * The sweep goes down from the end of the load: the module loader's own
 * allocations come first and are many (and half of all calls on a
 * kmemleak kernel are kmemleak's, whose failure is tolerated, so most
 * loads there succeed and must be unloaded again); what matters here is
 * every call from xtcp's init on, and the first failure below it is the
 * loader's.
 */
static int cmd_fail_sweep(const char *path)
{
	int ko, kmsg, n, err, left, total, loads = 0, failed = 0, dirty = 0;
	bool reached_loader = false;

	ko = open(path, O_RDONLY);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (ko < 0 || kmsg < 0 || fail_nth_fd < 0) {
		perror("open");
		return 1;
	}
	if (load_failing(ko, FAIL_NTH_COUNT, &left) || left <= 0 || unload()) {
		fprintf(stderr, "counting load failed\n");
		return 1;
	}
	total = FAIL_NTH_COUNT - left;
	/* A few more than counted: the count varies a little by load. */
	for (n = total + 4; n > 0 && !reached_loader; n--) {
		lseek(kmsg, 0, SEEK_END);
		err = load_failing(ko, n, &left);
		loads++;
		if (err < 0)
			return 1;
		if (!err) {
			if (unload())
				return 1;
			continue;
		}
		failed++;
		reached_loader = !init_failed_logged(kmsg);
		if (xtcp_left_behind()) {
			dirty++;
			printf("# call %d: xtcp left behind\n", n);
			unload();
		}
	}
	printf("total=%d loads=%d failed=%d dirty=%d reached_loader=%d\n",
	       total, loads, failed, dirty, reached_loader);
	return !reached_loader;
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
	if (argc == 3 && !strcmp(argv[1], "fail_sweep"))
		return cmd_fail_sweep(argv[2]);
	fprintf(stderr, "usage: %s socket PROTO [TYPE]\n", argv[0]);
	fprintf(stderr, "       %s hold PROTO PORT READYFILE\n", argv[0]);
	fprintf(stderr, "       %s talk PROTO PORT\n", argv[0]);
	fprintf(stderr, "       %s cycle PROTO PORT N\n", argv[0]);
	fprintf(stderr, "       %s fail_sweep MODULE.ko\n", argv[0]);
	return 2;
}
