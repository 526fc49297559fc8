/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xtcp: an experimental TCP-like transport for Linux.
 *
 * User-visible ABI.  A program opens an xtcp socket with
 *
 *	socket(AF_INET, SOCK_STREAM, IPPROTO_XTCP);
 *
 * IPPROTO_XTCP is the module's default IP protocol number (RFC 3692
 * experimental range); the "protocol" module parameter can move it, in
 * which case programs pass that number instead.
 */
#ifndef _UAPI_LINUX_XTCP_H
#define _UAPI_LINUX_XTCP_H

#define IPPROTO_XTCP	253

/*
 * Socket option level of xtcp's own options (none yet).  The options
 * of level IPPROTO_TCP (SOL_TCP) that xtcp implements keep Linux TCP's
 * meaning; see Documentation/xtcp.rst.
 */
#define SOL_XTCP	IPPROTO_XTCP

#endif /* _UAPI_LINUX_XTCP_H */
