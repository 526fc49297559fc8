/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keeping a socket owned by the user for as long as a test wants.
 *
 * Segments and ICMP errors that arrive while a process holds a socket's
 * lock take other paths than those that find it free: the backlog,
 * deferred work.  The windows are microseconds wide in real programs;
 * here a thread calls recv() into a page registered with userfaultfd,
 * so that the copy to user memory, which runs under the socket lock,
 * waits for the test to supply the page.  Until then every segment for
 * the socket goes to its backlog, replayed by release_sock() when the
 * test lets the copy finish.
 */
#ifndef _XTCP_OWNER_H
#define _XTCP_OWNER_H

#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "xtcp_test.h"

struct xtcp_owner {
	int fd;			/* the socket held */
	int uffd;
	char *page;		/* registered: its first touch waits */
	size_t len;		/* what recv() asks for */
	pthread_t thread;
	ssize_t got;		/* recv()'s answer, once released */
	int err;		/* and its errno */
};

static inline void *xtcp_owner_recv(void *arg)
{
	struct xtcp_owner *o = arg;

	o->got = recv(o->fd, o->page, o->len, 0);
	o->err = o->got < 0 ? errno : 0;
	return NULL;
}

/*
 * Start a recv() of up to @len bytes (at most a page) on @fd, which must
 * have data queued, and return once it holds the socket: 0, or -errno
 * (-ETIMEDOUT when the copy never started, within 5 s).
 */
static inline int xtcp_owner_start(struct xtcp_owner *o, int fd, size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct pollfd pfd = { .events = POLLIN };
	long page = sysconf(_SC_PAGESIZE);
	struct uffd_msg msg;

	*o = (struct xtcp_owner){ .fd = fd, .len = len, .uffd = -1 };
	if (len > (size_t)page)
		return -EINVAL;
	o->uffd = syscall(__NR_userfaultfd, O_CLOEXEC);
	if (o->uffd < 0)
		return -errno;
	o->page = mmap(NULL, page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (o->page == MAP_FAILED)
		return -errno;
	reg.range.start = (unsigned long)o->page;
	reg.range.len = page;
	if (ioctl(o->uffd, UFFDIO_API, &api) ||
	    ioctl(o->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	if (pthread_create(&o->thread, NULL, xtcp_owner_recv, o))
		return -EAGAIN;
	pfd.fd = o->uffd;
	if (poll(&pfd, 1, 5000) != 1)
		return -ETIMEDOUT;
	if (read(o->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
	    msg.event != UFFD_EVENT_PAGEFAULT)
		return -EIO;
	return 0;
}

/*
 * Let the copy finish: supply the page, wait for recv() to return and
 * release the socket (which replays its backlog).  Returns recv()'s
 * answer, or -1 with o->err set.
 */
static inline ssize_t xtcp_owner_release(struct xtcp_owner *o)
{
	long page = sysconf(_SC_PAGESIZE);
	struct uffdio_zeropage zero = {
		.range = { .start = (unsigned long)o->page, .len = page },
	};

	if (ioctl(o->uffd, UFFDIO_ZEROPAGE, &zero))
		return -1;
	pthread_join(o->thread, NULL);
	return o->got;
}

/* Free what xtcp_owner_start() set up; after xtcp_owner_release(). */
static inline void xtcp_owner_free(struct xtcp_owner *o)
{
	if (o->page && o->page != MAP_FAILED)
		munmap(o->page, sysconf(_SC_PAGESIZE));
	if (o->uffd >= 0)
		close(o->uffd);
	o->page = NULL;
	o->uffd = -1;
}

#endif /* _XTCP_OWNER_H */
