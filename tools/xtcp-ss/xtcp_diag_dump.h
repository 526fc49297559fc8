/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A sock_diag conversation, as xtcp-ss and the selftest xtcp_diag.c hold
 * it: open a NETLINK_SOCK_DIAG socket, send it a request, read the
 * replies one message at a time.  Userspace only, header only, so that
 * both include it without a library between them.
 */
#ifndef _XTCP_DIAG_DUMP_H
#define _XTCP_DIAG_DUMP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>

/* A socket to ask sock_diag with; -errno if none. */
static inline int xtcp_diag_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			NETLINK_SOCK_DIAG);

	return fd < 0 ? -errno : fd;
}

/* Send the request @req, @len bytes, to the kernel; 0 or -errno. */
static inline int xtcp_diag_send(int fd, const void *req, size_t len)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

	return sendto(fd, req, len, 0, (struct sockaddr *)&nl,
		      sizeof(nl)) < 0 ? -errno : 0;
}

/*
 * Read the replies on @fd into @buf (@size bytes) and call @fn with @arg
 * on each message but NLMSG_DONE and NLMSG_ERROR, up to NLMSG_DONE (0),
 * an NLMSG_ERROR (its error: 0 when it acknowledges a request, as
 * SOCK_DESTROY's does) or a failed recv() (-errno).  With @one, after
 * the first datagram: a request without NLM_F_DUMP is answered in one.
 */
static inline int xtcp_diag_read(int fd, void *buf, size_t size, bool one,
				 void (*fn)(const struct nlmsghdr *h,
					    void *arg),
				 void *arg)
{
	for (;;) {
		ssize_t len = recv(fd, buf, size, 0);
		struct nlmsghdr *h = buf;

		if (len < 0)
			return -errno;
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			fn(h, arg);
		}
		if (one)
			return 0;
	}
}

#endif /* _XTCP_DIAG_DUMP_H */
