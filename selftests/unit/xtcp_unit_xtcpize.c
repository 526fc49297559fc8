// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for tools/xtcpize/xtcpize_rules.h: which socket() calls
 * libxtcpize.so turns into xtcp, and how it reads the protocol number.
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "../../tools/xtcpize/xtcpize_rules.h"
#include "kselftest_harness.h"

TEST(stream_tcp_is_rewritten)
{
	static const int domains[] = { AF_INET, AF_INET6 };
	static const int flags[] = { 0, SOCK_NONBLOCK, SOCK_CLOEXEC,
				     SOCK_NONBLOCK | SOCK_CLOEXEC };
	int d, f;

	for (d = 0; d < 2; d++)
		for (f = 0; f < 4; f++) {
			EXPECT_TRUE(xtcpize_wants(domains[d],
						  SOCK_STREAM | flags[f], 0));
			EXPECT_TRUE(xtcpize_wants(domains[d],
						  SOCK_STREAM | flags[f],
						  IPPROTO_TCP));
		}
}

TEST(other_sockets_are_left_alone)
{
	/* Other protocols, including xtcp itself and MPTCP. */
	EXPECT_FALSE(xtcpize_wants(AF_INET, SOCK_STREAM, 253));
	EXPECT_FALSE(xtcpize_wants(AF_INET, SOCK_STREAM, IPPROTO_SCTP));
	EXPECT_FALSE(xtcpize_wants(AF_INET6, SOCK_STREAM, 262));
	EXPECT_FALSE(xtcpize_wants(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	/* Other types. */
	EXPECT_FALSE(xtcpize_wants(AF_INET, SOCK_DGRAM, 0));
	EXPECT_FALSE(xtcpize_wants(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	EXPECT_FALSE(xtcpize_wants(AF_INET, SOCK_RAW, IPPROTO_TCP));
	EXPECT_FALSE(xtcpize_wants(AF_INET6, SOCK_SEQPACKET, 0));
	/* A flag that is not one of socket()'s is not ignored. */
	EXPECT_FALSE(xtcpize_wants(AF_INET, SOCK_STREAM | 0x100, 0));
	/* Other families. */
	EXPECT_FALSE(xtcpize_wants(AF_UNIX, SOCK_STREAM, 0));
	EXPECT_FALSE(xtcpize_wants(AF_PACKET, SOCK_STREAM, 0));
	EXPECT_FALSE(xtcpize_wants(AF_NETLINK, SOCK_STREAM, 0));
	EXPECT_FALSE(xtcpize_wants(AF_UNSPEC, SOCK_STREAM, 0));
}

TEST(protocol_parameter)
{
	EXPECT_EQ(253, xtcpize_parse_protocol("253\n"));
	EXPECT_EQ(253, xtcpize_parse_protocol("253"));
	EXPECT_EQ(254, xtcpize_parse_protocol("254\n"));
	EXPECT_EQ(1, xtcpize_parse_protocol("1"));
	EXPECT_EQ(255, xtcpize_parse_protocol("255\n"));
	EXPECT_EQ(99, xtcpize_parse_protocol("099"));
}

TEST(protocol_parameter_rejects)
{
	static const char * const bad[] = {
		"", "\n", "0", "0\n", "256", "1000", "0253", "-1", "+253",
		" 253", "253 ", "253\n\n", "25x", "x", "6", "6\n", "2530",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (xtcpize_parse_protocol(bad[i]) != -1)
			TH_LOG("accepted '%s'", bad[i]);
		EXPECT_EQ(-1, xtcpize_parse_protocol(bad[i]));
	}
}

TEST_HARNESS_MAIN
