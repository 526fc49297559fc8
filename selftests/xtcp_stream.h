/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bytes of bulk transfers: a stream of pseudo-random bytes drawn from
 * a seed (xorshift64*), so that no two offsets or connections carry the
 * same data, and a digest of a byte stream that depends on every byte and
 * its position.  The sender digests what it sends, the receiver what it
 * receives; equal digests and lengths show the stream arrived intact.
 * Both work a 64-bit word at a time: under an emulated CPU a byte loop
 * would cost more than the transfer.
 */
#ifndef _XTCP_STREAM_H
#define _XTCP_STREAM_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define XTCP_DIGEST_MUL	0x9e3779b97f4a7c15ULL

struct xtcp_digest {
	uint64_t h;
	uint64_t len;
	uint8_t tail[8];
	unsigned int ntail;
};

static inline void xtcp_digest_init(struct xtcp_digest *d)
{
	memset(d, 0, sizeof(*d));
	d->h = 0x6a09e667f3bcc908ULL;
}

static inline void xtcp_digest_word(struct xtcp_digest *d, uint64_t w)
{
	d->h = ((d->h << 27 | d->h >> 37) ^ w) * XTCP_DIGEST_MUL;
}

/* Add @len bytes at @buf to the digest. */
static inline void xtcp_digest_update(struct xtcp_digest *d, const void *buf,
				      size_t len)
{
	const uint8_t *p = buf;
	uint64_t w;

	d->len += len;
	while (d->ntail && len) {
		d->tail[d->ntail++] = *p++;
		len--;
		if (d->ntail == 8) {
			memcpy(&w, d->tail, 8);
			xtcp_digest_word(d, w);
			d->ntail = 0;
		}
	}
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		xtcp_digest_word(d, w);
	}
	memcpy(d->tail, p, len);
	d->ntail = len;
}

/* The digest of everything added, its length included. */
static inline uint64_t xtcp_digest_final(const struct xtcp_digest *d)
{
	struct xtcp_digest c = *d;
	uint64_t w = 0;

	memcpy(&w, c.tail, c.ntail);
	xtcp_digest_word(&c, w);
	xtcp_digest_word(&c, c.len);
	return c.h;
}

/* Fill @buf with the next @len bytes (a multiple of 8) of stream @x. */
static inline void xtcp_stream_fill(uint64_t *x, void *buf, size_t len)
{
	uint64_t w;
	size_t i;

	for (i = 0; i < len; i += 8) {
		*x ^= *x >> 12;
		*x ^= *x << 25;
		*x ^= *x >> 27;
		w = *x * 0x2545f4914f6cdd1dULL;
		memcpy((uint8_t *)buf + i, &w, 8);
	}
}

/* A stream's state from a seed (any value, 0 included). */
static inline uint64_t xtcp_stream_seed(uint64_t seed)
{
	return seed * XTCP_DIGEST_MUL + 0x243f6a8885a308d3ULL;
}

/*
 * Send @len bytes of stream @seed on blocking @fd in writes of @wsize (a
 * multiple of 8, at most 64 KiB), digesting them into @d; before each
 * write, when @pace is not NULL, @pace(@arg, offset) may hold the sender
 * back (a test that paces a stream by its own progress).  0 or -errno.
 */
static inline int xtcp_send_stream_paced(int fd, uint64_t seed, size_t len,
					 size_t wsize, struct xtcp_digest *d,
					 void (*pace)(void *arg, size_t off),
					 void *arg)
{
	static __thread uint8_t buf[1 << 16];
	uint64_t x = xtcp_stream_seed(seed);
	size_t chunk, off, done = 0;
	ssize_t n;

	if (wsize > sizeof(buf) || wsize % 8)
		return -EINVAL;
	while (len) {
		if (pace)
			pace(arg, done);
		chunk = len < wsize ? len : wsize;
		xtcp_stream_fill(&x, buf, wsize);
		xtcp_digest_update(d, buf, chunk);
		for (off = 0; off < chunk; off += n) {
			n = send(fd, buf + off, chunk - off, MSG_NOSIGNAL);
			if (n <= 0)
				return n ? -errno : -EPIPE;
		}
		len -= chunk;
		done += chunk;
	}
	return 0;
}

/*
 * Send @len bytes of stream @seed on blocking @fd in writes of @wsize (a
 * multiple of 8, at most 64 KiB), digesting them into @d; 0 or -errno.
 */
static inline int xtcp_send_stream(int fd, uint64_t seed, size_t len,
				   size_t wsize, struct xtcp_digest *d)
{
	return xtcp_send_stream_paced(fd, seed, len, wsize, d, NULL, NULL);
}

/*
 * Read exactly @len bytes from @fd (a stream that goes on after them),
 * digesting them into @d; 0, -EPIPE at an early end, or -errno.
 */
static inline int xtcp_recv_stream_len(int fd, size_t len,
				       struct xtcp_digest *d)
{
	static __thread uint8_t buf[1 << 16];
	ssize_t n;

	while (len) {
		n = recv(fd, buf, len < sizeof(buf) ? len : sizeof(buf), 0);
		if (n <= 0)
			return n ? -errno : -EPIPE;
		xtcp_digest_update(d, buf, n);
		len -= n;
	}
	return 0;
}

/* Read @fd to its end, digesting what it brings into @d; 0 or -errno. */
static inline int xtcp_recv_stream(int fd, struct xtcp_digest *d)
{
	static uint8_t buf[1 << 16];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		xtcp_digest_update(d, buf, n);
	return n ? -errno : 0;
}

/*
 * A simpler stream for short transfers that a sink checks byte by byte:
 * byte @i is xtcp_pattern(@i).
 */
/* Byte @i of what a sender sends and a sink checks. */
static inline char xtcp_pattern(unsigned int i)
{
	return (char)(i * 7 % 253);
}

/* Read @fd to its end: 0 if it brought exactly @len bytes of the pattern. */
static inline int xtcp_check_pattern(int fd, unsigned int len)
{
	unsigned int got = 0, i;
	char buf[4096];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		for (i = 0; i < n; i++)
			if (buf[i] != xtcp_pattern(got + i))
				return 3;
		got += n;
	}
	return got == len ? 0 : 4;
}

/* Send @len bytes of xtcp_pattern() on @fd in writes of @size; 0 or -1. */
static inline int xtcp_send_pattern_chunks(int fd, unsigned int len,
					   unsigned int size)
{
	unsigned int sent = 0, i, chunk;
	char buf[4096];
	ssize_t n;

	while (sent < len) {
		chunk = len - sent < size ? len - sent : size;
		for (i = 0; i < chunk; i++)
			buf[i] = xtcp_pattern(sent + i);
		n = send(fd, buf, chunk, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		sent += n;
	}
	return sent == len ? 0 : -1;
}

/* Send @len bytes of xtcp_pattern() on @fd, then close it; 0 or -1. */
static inline int xtcp_send_pattern(int fd, unsigned int len)
{
	int err = xtcp_send_pattern_chunks(fd, len, 4096);

	close(fd);
	return err;
}

#endif /* _XTCP_STREAM_H */
