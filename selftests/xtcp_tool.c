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
 *   xtcp_tool fail_sweep MODULE.ko MAX
 *	load MODULE.ko with its 1st, 2nd, ... fault-injectable allocation
 *	failing (/proc/thread-self/fail-nth), unloading it after each load
 *	that succeeds, until a load succeeds with nothing injected; prints
 *	"loads=N failed=N dirty=N" (dirty: a failed load left xtcp behind)
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

static int write_fail_nth(int n)
{
	char buf[16];
	int fd, len, ok;

	fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%d", n);
	ok = write(fd, buf, len) == len;
	close(fd);
	return ok ? 0 : -1;
}

/* True when the fault armed by write_fail_nth() was injected. */
static bool fail_nth_injected(void)
{
	char buf[16] = "";
	int fd = open("/proc/thread-self/fail-nth", O_RDONLY);
	bool injected;

	if (fd < 0)
		return false;
	injected = read(fd, buf, sizeof(buf) - 1) > 0 && atoi(buf) == 0;
	close(fd);
	return injected;
}

static bool xtcp_left_behind(void)
{
	struct stat st;

	return !stat("/proc/net/xtcp", &st) || !stat("/sys/module/xtcp", &st);
}

static int cmd_fail_sweep(const char *ko, int max)
{
	int n, fd, err, loads = 0, failed = 0, dirty = 0;
	bool injected;

	fd = open(ko, O_RDONLY);
	if (fd < 0) {
		perror(ko);
		return 1;
	}
	for (n = 1; n <= max; n++) {
		if (write_fail_nth(n)) {
			perror("fail-nth");
			return 1;
		}
		err = syscall(__NR_finit_module, fd, "", 0) ? errno : 0;
		injected = fail_nth_injected();
		write_fail_nth(0);
		loads++;
		if (!err) {
			if (syscall(__NR_delete_module, "xtcp", O_NONBLOCK)) {
				perror("delete_module");
				return 1;
			}
			if (!injected)
				break;
			continue;
		}
		failed++;
		if (xtcp_left_behind()) {
			dirty++;
			printf("# allocation %d: xtcp left behind\n", n);
			syscall(__NR_delete_module, "xtcp", O_NONBLOCK);
		}
	}
	close(fd);
	printf("loads=%d failed=%d dirty=%d\n", loads, failed, dirty);
	return n > max;
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
	if (argc == 4 && !strcmp(argv[1], "fail_sweep"))
		return cmd_fail_sweep(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: %s socket PROTO [TYPE]\n", argv[0]);
	fprintf(stderr, "       %s hold PROTO PORT READYFILE\n", argv[0]);
	fprintf(stderr, "       %s talk PROTO PORT\n", argv[0]);
	fprintf(stderr, "       %s cycle PROTO PORT N\n", argv[0]);
	fprintf(stderr, "       %s fail_sweep MODULE.ko MAX\n", argv[0]);
	return 2;
}
