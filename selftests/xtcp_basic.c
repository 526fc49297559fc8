// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-only socket behaviour: which socket types the protocol number
 * gives, bound sockets in /proc/net/xtcp, network namespace isolation,
 * sysctls.
 */
#include <sys/wait.h>

#include "xtcp_test.h"
#include "kselftest_harness.h"

#define PORT	20002

TEST(stream_socket)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);

	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	close(fd);
}

TEST(other_types_refused)
{
	EXPECT_EQ(-1, socket(AF_INET, SOCK_DGRAM, IPPROTO_XTCP));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	EXPECT_EQ(-1, socket(AF_INET, SOCK_SEQPACKET, IPPROTO_XTCP));
	EXPECT_EQ(ESOCKTNOSUPPORT, errno);
}

TEST(bound_socket_in_proc)
{
	struct xtcp_proc_sock ps;
	int fd;

	ASSERT_EQ(0, xtcp_new_netns());
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_bind(fd, "127.0.0.1", PORT));
	ASSERT_EQ(1, xtcp_proc_find("/proc/net/xtcp", PORT, &ps));
	EXPECT_EQ(0x07, ps.state);	/* TCP_CLOSE: bound, not listening */
	EXPECT_EQ(0x0100007F, ps.laddr);
	EXPECT_EQ(xtcp_sock_ino(fd), ps.inode);
	EXPECT_EQ(1, xtcp_proc_count("/proc/net/xtcp"));
	close(fd);
	EXPECT_EQ(0, xtcp_proc_count("/proc/net/xtcp"));
}

TEST(proc_lists_many)
{
	int fds[64], i;

	ASSERT_EQ(0, xtcp_new_netns());
	for (i = 0; i < 64; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, xtcp_bind(fds[i], "127.0.0.1", PORT + i));
		if (i % 2)
			ASSERT_EQ(0, listen(fds[i], 1));
	}
	EXPECT_EQ(64, xtcp_proc_count("/proc/net/xtcp"));
	for (i = 0; i < 64; i++)
		close(fds[i]);
	EXPECT_EQ(0, xtcp_proc_count("/proc/net/xtcp"));
}

/* Run @fn in a child in a new network namespace; its exit status. */
static int in_child_netns(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (!pid)
		_exit(xtcp_new_netns() ? 100 : fn());
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int bind_same_port_alone(void)
{
	struct xtcp_proc_sock ps;
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);

	if (fd < 0)
		return 1;
	if (xtcp_bind(fd, "0.0.0.0", PORT) || listen(fd, 1))
		return 2;
	/* Only its own socket is visible here. */
	if (xtcp_proc_count("/proc/net/xtcp") != 1)
		return 3;
	if (xtcp_proc_find("/proc/net/xtcp", PORT, &ps) != 1 ||
	    ps.inode != xtcp_sock_ino(fd) || ps.state != 0x0A)
		return 4;
	return 0;
}

TEST(netns_isolation)
{
	struct xtcp_proc_sock ps;
	int fd;

	ASSERT_EQ(0, xtcp_new_netns());
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_bind(fd, "0.0.0.0", PORT));
	ASSERT_EQ(0, listen(fd, 1));
	/* The same port is free in another namespace... */
	EXPECT_EQ(0, in_child_netns(bind_same_port_alone));
	/* ...and the child's socket never showed up here. */
	EXPECT_EQ(1, xtcp_proc_count("/proc/net/xtcp"));
	ASSERT_EQ(1, xtcp_proc_find("/proc/net/xtcp", PORT, &ps));
	EXPECT_EQ(xtcp_sock_ino(fd), ps.inode);
	close(fd);
}

/* Leaves sockets open: the process exit and namespace teardown clean up. */
static int open_and_leave(void)
{
	int i, fd;

	for (i = 0; i < 8; i++) {
		fd = socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
		if (fd < 0)
			return 1;
		if (i < 6 && xtcp_bind(fd, "127.0.0.1", PORT + i))
			return 2;
		if (i < 3 && listen(fd, 4))
			return 3;
	}
	if (xtcp_proc_count("/proc/net/xtcp") != 6)
		return 4;
	return 0;
}

TEST(netns_teardown_open_sockets)
{
	long before = xtcp_module_refcnt();
	long long deadline;

	ASSERT_LE(0, before);
	EXPECT_EQ(0, in_child_netns(open_and_leave));
	/* Every socket pins the module: all must be released. */
	deadline = xtcp_now_ms() + 10000;
	while (xtcp_module_refcnt() != before && xtcp_now_ms() < deadline)
		usleep(10000);
	EXPECT_EQ(before, xtcp_module_refcnt());
}

TEST(sysctl_msl_ms)
{
	const char *path = "/proc/sys/net/xtcp/msl_ms";

	ASSERT_EQ(0, xtcp_new_netns());
	EXPECT_EQ(30000, xtcp_read_long(path));
	EXPECT_EQ(0, xtcp_write_str(path, "10"));
	EXPECT_EQ(10, xtcp_read_long(path));
	EXPECT_EQ(0, xtcp_write_str(path, "600000"));
	EXPECT_EQ(600000, xtcp_read_long(path));
	EXPECT_EQ(-EINVAL, xtcp_write_str(path, "9"));
	EXPECT_EQ(-EINVAL, xtcp_write_str(path, "600001"));
	EXPECT_EQ(600000, xtcp_read_long(path));
}

static int msl_is_default(void)
{
	return xtcp_read_long("/proc/sys/net/xtcp/msl_ms") == 30000 ? 0 : 1;
}

TEST(sysctl_per_netns)
{
	ASSERT_EQ(0, xtcp_new_netns());
	ASSERT_EQ(0, xtcp_write_str("/proc/sys/net/xtcp/msl_ms", "1234"));
	EXPECT_EQ(0, in_child_netns(msl_is_default));
	EXPECT_EQ(1234, xtcp_read_long("/proc/sys/net/xtcp/msl_ms"));
}

TEST_HARNESS_MAIN
