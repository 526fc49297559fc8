// SPDX-License-Identifier: GPL-2.0
/*
 * xtcp_pcap: a small packet capture for the VM, which has no tcpdump.
 *
 *   xtcp_pcap IFNAME PROTO FILE READYFILE SECONDS
 *
 * Writes the IPv4 packets of IP protocol PROTO seen on IFNAME to FILE in
 * the classic pcap format (link type Ethernet, as AF_PACKET gives them),
 * creates READYFILE once the capture socket is bound, and exits 0 on
 * SIGTERM or SIGINT, or 1 if SECONDS pass first (a hung capture must not
 * hang the test).  On loopback every packet is seen twice, leaving and
 * arriving: only the arriving copy is kept, as libpcap does.  Prints the
 * number of packets written on stdout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SNAPLEN		262144
#define LINKTYPE_ETHERNET 1

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t version_major;
	uint16_t version_minor;
	int32_t thiszone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct pcap_rec_hdr {
	uint32_t ts_sec;
	uint32_t ts_usec;
	uint32_t incl_len;
	uint32_t orig_len;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

/* Whether the frame holds an IPv4 packet of protocol @proto. */
static int wanted(const unsigned char *f, size_t len, int proto)
{
	if (len < ETH_HLEN + 20)
		return 0;
	if (f[12] != (ETH_P_IP >> 8) || f[13] != (ETH_P_IP & 0xff))
		return 0;
	return f[ETH_HLEN + 9] == proto;
}

int main(int argc, char **argv)
{
	struct pcap_file_hdr fh = {
		.magic = 0xa1b2c3d4, .version_major = 2, .version_minor = 4,
		.snaplen = SNAPLEN, .linktype = LINKTYPE_ETHERNET,
	};
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	static unsigned char buf[SNAPLEN];
	int fd, sfd, out, ready, proto, ifindex;
	struct timespec t0, now;
	long packets = 0, secs;
	struct pcap_rec_hdr rh;
	struct pollfd pfd[2];
	sigset_t sigs;
	struct timeval tv;
	socklen_t alen;
	ssize_t n;

	if (argc != 6) {
		fprintf(stderr, "usage: %s IFNAME PROTO FILE READYFILE SECONDS\n",
			argv[0]);
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	proto = atoi(argv[2]);
	secs = atol(argv[5]);
	if (!ifindex || proto < 1 || proto > 255 || secs < 1) {
		fprintf(stderr, "xtcp_pcap: bad interface, protocol or time\n");
		return 2;
	}
	/* The signals that end the capture are read, not handled. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, 0);
	if (sfd < 0) {
		perror("xtcp_pcap: signalfd");
		return 1;
	}

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("xtcp_pcap: socket");
		return 1;
	}
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		perror("xtcp_pcap: bind");
		return 1;
	}
	out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || write_all(out, &fh, sizeof(fh))) {
		perror("xtcp_pcap: output");
		return 1;
	}
	ready = open(argv[4], O_WRONLY | O_CREAT, 0644);
	if (ready < 0) {
		perror("xtcp_pcap: ready file");
		return 1;
	}
	close(ready);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = sfd;
	pfd[1].events = POLLIN;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= secs) {
			fprintf(stderr, "xtcp_pcap: no signal within %ld s\n", secs);
			return 1;
		}
		if (poll(pfd, 2, 100) <= 0)
			continue;
		/* Packets already queued are written before stopping. */
		if (!(pfd[0].revents & POLLIN)) {
			if (pfd[1].revents & POLLIN)
				break;
			continue;
		}
		alen = sizeof(sll);
		n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT,
			     (struct sockaddr *)&sll, &alen);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			perror("xtcp_pcap: recvfrom");
			return 1;
		}
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (!wanted(buf, n < SNAPLEN ? n : SNAPLEN, proto))
			continue;
		if (ioctl(fd, SIOCGSTAMP, &tv))
			gettimeofday(&tv, NULL);
		rh.ts_sec = tv.tv_sec;
		rh.ts_usec = tv.tv_usec;
		rh.orig_len = n;
		rh.incl_len = n < SNAPLEN ? n : SNAPLEN;
		if (write_all(out, &rh, sizeof(rh)) ||
		    write_all(out, buf, rh.incl_len)) {
			perror("xtcp_pcap: write");
			return 1;
		}
		packets++;
	}
	if (close(out)) {
		perror("xtcp_pcap: close");
		return 1;
	}
	printf("%ld\n", packets);
	return 0;
}
