// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp-only socket behaviour: which socket types the protocol number
 * gives, bound sockets in /proc/net/xtcp, network namespace isolation,
 * sysctls.  The socket tests have an IPv6 twin (name ending in 6):
 * AF_INET6 sockets, in /proc/net/xtcp6.  The sysctls are the
 * namespace's, of neither family: they run once.
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

TEST(stream_socket6)
{
	int fd = socket(AF_INET6, SOCK_STREAM, IPPROTO_XTCP);

	ASSERT_LE(0, fd) TH_LOG("socket: %s", strerror(errno));
	close(fd);
}

TEST(other_types_refused6)
{
	EXPECT_EQ(-1, socket(AF_INET6, SOCK_DGRAM, IPPROTO_XTCP));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	EXPECT_EQ(-1, socket(AF_INET6, SOCK_SEQPACKET, IPPROTO_XTCP));
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

/* An AF_INET6 socket is listed in /proc/net/xtcp6, and only there. */
TEST(bound_socket_in_proc6)
{
	struct xtcp_proc_sock ps;
	int fd;

	ASSERT_EQ(0, xtcp_new_netns());
	fd = socket(AF_INET6, SOCK_STREAM, IPPROTO_XTCP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_bind(fd, "::1", PORT));
	ASSERT_EQ(1, xtcp_proc_find("/proc/net/xtcp6", PORT, &ps));
	EXPECT_EQ(0x07, ps.state);	/* TCP_CLOSE: bound, not listening */
	/* ::1, as /proc/net/tcp6 prints it: four words in host order. */
	EXPECT_STREQ(htonl(1) == 1 ? "00000000000000000000000000000001" :
		     "00000000000000000000000001000000", ps.la);
	EXPECT_EQ(xtcp_sock_ino(fd), ps.inode);
	EXPECT_EQ(1, xtcp_proc_count("/proc/net/xtcp6"));
	EXPECT_EQ(0, xtcp_proc_count("/proc/net/xtcp"));
	close(fd);
	EXPECT_EQ(0, xtcp_proc_count("/proc/net/xtcp6"));
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

/* Sockets of both families at once: each file lists its own. */
TEST(proc_lists_many6)
{
	int fds[64], i, family;

	ASSERT_EQ(0, xtcp_new_netns());
	for (i = 0; i < 64; i++) {
		family = i % 2 ? AF_INET6 : AF_INET;
		fds[i] = socket(family, SOCK_STREAM, IPPROTO_XTCP);
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, xtcp_bind(fds[i], xtcp_loopback(family), PORT + i));
		if (i % 4 >= 2)
			ASSERT_EQ(0, listen(fds[i], 1));
	}
	EXPECT_EQ(32, xtcp_proc_count("/proc/net/xtcp"));
	EXPECT_EQ(32, xtcp_proc_count("/proc/net/xtcp6"));
	EXPECT_EQ(16, xtcp_proc_count_state_in("/proc/net/xtcp6", 0x0A));
	for (i = 0; i < 64; i++)
		close(fds[i]);
	EXPECT_EQ(0, xtcp_proc_count("/proc/net/xtcp"));
	EXPECT_EQ(0, xtcp_proc_count("/proc/net/xtcp6"));
}

/* The family of the sockets of the child of in_child_netns(). */
static int child_family = AF_INET;

/* The proc file of child_family's sockets. */
static const char *child_proc(void)
{
	return xtcp_proc_path(IPPROTO_XTCP, child_family);
}

/* The wildcard address of @family. */
static const char *any_addr(int family)
{
	return family == AF_INET6 ? "::" : "0.0.0.0";
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
	int fd = socket(child_family, SOCK_STREAM, IPPROTO_XTCP);

	if (fd < 0)
		return 1;
	if (xtcp_bind(fd, any_addr(child_family), PORT) || listen(fd, 1))
		return 2;
	/* Only its own socket is visible here. */
	if (xtcp_proc_count(child_proc()) != 1)
		return 3;
	if (xtcp_proc_find(child_proc(), PORT, &ps) != 1 ||
	    ps.inode != xtcp_sock_ino(fd) || ps.state != 0x0A)
		return 4;
	return 0;
}

static void check_netns_isolation(struct __test_metadata *_metadata,
				  int family)
{
	struct xtcp_proc_sock ps;
	int fd;

	child_family = family;
	ASSERT_EQ(0, xtcp_new_netns());
	fd = socket(family, SOCK_STREAM, IPPROTO_XTCP);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, xtcp_bind(fd, any_addr(family), PORT));
	ASSERT_EQ(0, listen(fd, 1));
	/* The same port is free in another namespace... */
	EXPECT_EQ(0, in_child_netns(bind_same_port_alone));
	/* ...and the child's socket never showed up here. */
	EXPECT_EQ(1, xtcp_proc_count(child_proc()));
	ASSERT_EQ(1, xtcp_proc_find(child_proc(), PORT, &ps));
	EXPECT_EQ(xtcp_sock_ino(fd), ps.inode);
	close(fd);
}

TEST(netns_isolation)
{
	check_netns_isolation(_metadata, AF_INET);
}

TEST(netns_isolation6)
{
	check_netns_isolation(_metadata, AF_INET6);
}

/* Leaves sockets open: the process exit and namespace teardown clean up. */
static int open_and_leave(void)
{
	int i, fd;

	for (i = 0; i < 8; i++) {
		fd = socket(child_family, SOCK_STREAM, IPPROTO_XTCP);
		if (fd < 0)
			return 1;
		if (i < 6 && xtcp_bind(fd, xtcp_loopback(child_family),
				       PORT + i))
			return 2;
		if (i < 3 && listen(fd, 4))
			return 3;
	}
	if (xtcp_proc_count(child_proc()) != 6)
		return 4;
	return 0;
}

static void check_netns_teardown(struct __test_metadata *_metadata,
				 int family)
{
	long before = xtcp_module_refcnt();
	long long deadline;

	child_family = family;
	ASSERT_LE(0, before);
	EXPECT_EQ(0, in_child_netns(open_and_leave));
	/* Every socket pins the module: all must be released. */
	deadline = xtcp_now_ms() + 10000;
	while (xtcp_module_refcnt() != before && xtcp_now_ms() < deadline)
		usleep(10000);
	EXPECT_EQ(before, xtcp_module_refcnt());
}

TEST(netns_teardown_open_sockets)
{
	check_netns_teardown(_metadata, AF_INET);
}

TEST(netns_teardown_open_sockets6)
{
	check_netns_teardown(_metadata, AF_INET6);
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
