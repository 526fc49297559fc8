// SPDX-License-Identifier: GPL-2.0
/*
 * libxtcpize.so: run an unmodified program over xtcp, as mptcpd's
 * libmptcpwrap does for MPTCP.  Loaded with LD_PRELOAD (the xtcpize
 * command sets it), it wraps socket(): an AF_INET or AF_INET6 stream
 * socket asked for with protocol 0 or IPPROTO_TCP is opened with xtcp's
 * protocol number instead.  Everything else the program does with the
 * socket is unchanged: xtcp serves the IPPROTO_TCP socket options.
 *
 * The protocol number is $XTCPIZE_PROTOCOL if set, else the loaded
 * module's "protocol" parameter, else 253 (socket() with 253 loads the
 * module if it is installed).  If the xtcp socket cannot be made (no
 * module), the program gets a TCP socket and one warning on stderr per
 * process.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xtcpize_rules.h"

#define XTCPIZE_PARAM	"/sys/module/xtcp/parameters/protocol"

static int (*real_socket)(int domain, int type, int protocol);
static int warned;

/* The protocol number to use; read each time until the module is seen. */
static int xtcpize_protocol(void)
{
	static int cached;
	const char *env = getenv("XTCPIZE_PROTOCOL");
	char buf[16];
	ssize_t n;
	int fd, p;

	if (env && env[0]) {
		p = xtcpize_parse_protocol(env);
		return p > 0 ? p : XTCPIZE_DEFAULT_PROTOCOL;
	}
	if (cached)
		return cached;
	fd = open(XTCPIZE_PARAM, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return XTCPIZE_DEFAULT_PROTOCOL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return XTCPIZE_DEFAULT_PROTOCOL;
	buf[n] = '\0';
	p = xtcpize_parse_protocol(buf);
	if (p < 0)
		return XTCPIZE_DEFAULT_PROTOCOL;
	cached = p;
	return p;
}

/* One line on stderr, once per process, whichever thread gets here. */
static void xtcpize_warn(int domain, int protocol, int err)
{
	char msg[256];
	int len;

	if (__atomic_exchange_n(&warned, 1, __ATOMIC_RELAXED))
		return;
	len = snprintf(msg, sizeof(msg),
		       "xtcpize: cannot open an %s xtcp socket (protocol %d): %s; using TCP\n",
		       domain == AF_INET6 ? "IPv6" : "IPv4", protocol,
		       strerror(err));
	if (len > 0)
		(void)!write(STDERR_FILENO, msg,
			     len < (int)sizeof(msg) ? len : (int)sizeof(msg) - 1);
}

/**
 * socket() - socket(2), with TCP stream sockets turned into xtcp ones
 * @domain: address family
 * @type: socket type and flags
 * @protocol: protocol, 0 for the family's default
 *
 * Return: the descriptor, or -1 with errno set, as socket(2).
 */
int socket(int domain, int type, int protocol)
{
	int fd, xproto, err;

	if (!real_socket) {
		real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
		if (!real_socket) {
			errno = ELIBACC;
			return -1;
		}
	}
	if (!xtcpize_wants(domain, type, protocol))
		return real_socket(domain, type, protocol);

	xproto = xtcpize_protocol();
	fd = real_socket(domain, type, xproto);
	if (fd >= 0)
		return fd;
	err = errno;
	fd = real_socket(domain, type, protocol);
	/* Only a fallback that worked is worth a warning about TCP. */
	if (fd >= 0)
		xtcpize_warn(domain, xproto, err);
	return fd;
}
