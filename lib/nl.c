/* SPDX-License-Identifier: ISC */
/*
 * nl: one rtnetlink request, one acknowledgement (rtnetlink(7), netlink(7),
 * Documentation/userspace-api/netlink/intro.rst). Requests are built with struct buf_wr and the
 * kernel's answer is read through struct buf_cur: netlink is host byte order, so headers are
 * copied out with buf_get_bytes after their lengths have been checked (the NLMSG_OK rules:
 * nlmsg_len at least the header and at most what is left), never cast onto the receive buffer.
 * Not here: dumps, multipart answers, notifications, extended acks, multipath routes.
 */
#include "lib/nl.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/buf.h"

#define NL_REQ_MAX   256  /* the largest request here is about 80 bytes */
#define NL_RCV_MAX   8192 /* an ack echoes the request: far below this */
#define NL_SEQ	     1	  /* each request has its own socket, so one sequence number will do */
#define NL_MAX_READS 16	  /* datagrams read while waiting for the ack before giving up */
#define NL_ERRNO_MAX 4095 /* the kernel's errors are -1 .. -MAX_ERRNO */

struct nl_req {
	uint8_t buf[NL_REQ_MAX];
	struct buf_wr w;
};

/* Starts a request: header (length patched by nl_req_end), then the fixed family header. */
static void nl_req_begin(struct nl_req *r, uint16_t type, uint16_t flags, const void *body,
			 size_t bodylen)
{
	struct nlmsghdr h = {
	    .nlmsg_type = type,
	    .nlmsg_flags = (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags),
	    .nlmsg_seq = NL_SEQ,
	};

	buf_wr_init(&r->w, r->buf, sizeof(r->buf));
	buf_put_bytes(&r->w, &h, sizeof(h));
	buf_put_zero(&r->w, NLMSG_HDRLEN - sizeof(h));
	buf_put_bytes(&r->w, body, bodylen);
	buf_put_zero(&r->w, NLMSG_ALIGN(bodylen) - bodylen);
}

/* Appends one attribute, padded to RTA_ALIGNTO (rtnetlink(7) "Routing attributes"). */
static void nl_req_attr(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr a;

	if (len > NL_REQ_MAX) {
		r->w.err = true;
		return;
	}
	a.rta_len = (unsigned short)RTA_LENGTH(len);
	a.rta_type = type;
	buf_put_bytes(&r->w, &a, sizeof(a));
	buf_put_bytes(&r->w, data, len);
	buf_put_zero(&r->w, RTA_ALIGN(len) - len);
}

static void nl_req_attr_u32(struct nl_req *r, uint16_t type, uint32_t v)
{
	nl_req_attr(r, type, &v, sizeof(v));
}

/* Writes the final nlmsg_len. Returns the request length, or 0 if it did not fit. */
static size_t nl_req_end(struct nl_req *r)
{
	uint32_t len = (uint32_t)r->w.len;

	if (!buf_wr_ok(&r->w)) {
		errno = EMSGSIZE;
		return 0;
	}
	memcpy(r->buf + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof(len));
	return r->w.len;
}

static int nl_open(void)
{
	struct timeval tv = {.tv_sec = NL_TIMEOUT_S};
	int fd, saved;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd == -1)
		return -1;
	/* The bound on the wait for the ack: the kernel answers at once, or something is wrong. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int nl_send(int fd, const void *req, size_t len)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK}; /* nl_pid 0: the kernel */
	ssize_t n;

	do
		n = sendto(fd, req, len, 0, (const struct sockaddr *)&kernel, sizeof(kernel));
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* The body of an NLMSG_ERROR: error 0 is the ack, a negative error is the kernel's errno. */
static int nl_error(struct buf_cur *body)
{
	struct nlmsgerr e;

	if (buf_get_bytes(body, &e, sizeof(e)) == -1 || e.error > 0 || e.error < -NL_ERRNO_MAX) {
		errno = EPROTO;
		return -1;
	}
	if (e.error == 0)
		return 0;
	errno = -e.error;
	return -1;
}

/*
 * Walks one datagram. Returns 0 on the ack, -1 with errno on an error or a malformed datagram,
 * 1 when the datagram held nothing for us (keep waiting).
 */
static int nl_parse(const uint8_t *p, size_t len)
{
	struct buf_cur c, peek, msg;
	struct nlmsghdr h;
	size_t pad;

	buf_cur_init(&c, p, len);
	while (buf_left(&c) >= NLMSG_HDRLEN) {
		peek = c;
		buf_get_bytes(&peek, &h, sizeof(h));
		/* NLMSG_OK(): the length covers the header and stays inside the datagram. */
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > buf_left(&c)) {
			errno = EPROTO;
			return -1;
		}
		buf_sub(&c, &msg, h.nlmsg_len);
		/* NLMSG_NEXT(): messages start NLMSG_ALIGNTO-aligned; the last may be unpadded. */
		pad = NLMSG_ALIGN(h.nlmsg_len) - h.nlmsg_len;
		buf_skip(&c, pad < buf_left(&c) ? pad : buf_left(&c));
		if (h.nlmsg_seq != NL_SEQ || h.nlmsg_type != NLMSG_ERROR)
			continue;
		buf_skip(&msg, NLMSG_HDRLEN);
		return nl_error(&msg);
	}
	return 1;
}

/* Receives until the ack for our request, a bounded number of datagrams and seconds. */
static int nl_wait_ack(int fd)
{
	uint8_t buf[NL_RCV_MAX];
	struct sockaddr_nl from;
	socklen_t fromlen;
	ssize_t n;
	int rc;

	for (int i = 0; i < NL_MAX_READS; i++) {
		fromlen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				errno = ETIMEDOUT;
			return -1;
		}
		/* MSG_TRUNC returns the real length: a datagram larger than buf was cut. */
		if ((size_t)n > sizeof(buf)) {
			errno = EMSGSIZE;
			return -1;
		}
		/* Only the kernel (port 0) may answer; unicast from other ports needs privilege. */
		if (fromlen < sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid != 0)
			continue;
		rc = nl_parse(buf, (size_t)n);
		if (rc <= 0)
			return rc;
	}
	errno = ETIMEDOUT;
	return -1;
}

static int nl_talk(struct nl_req *r)
{
	size_t len = nl_req_end(r);
	int fd, rc = -1, saved;

	if (len == 0)
		return -1;
	fd = nl_open();
	if (fd == -1)
		return -1;
	if (nl_send(fd, r->buf, len) == 0)
		rc = nl_wait_ack(fd);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

static int nl_ifindex(const char *ifname, uint32_t *index)
{
	unsigned int i;

	if (ifname == NULL || ifname[0] == '\0' || strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ) {
		errno = ENODEV;
		return -1;
	}
	errno = 0;
	i = if_nametoindex(ifname);
	if (i == 0) {
		if (errno == 0)
			errno = ENODEV;
		return -1;
	}
	*index = i;
	return 0;
}

int nl_link_set(const char *ifname, uint32_t mtu, bool up)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_change = IFF_UP};
	struct nl_req r;
	uint32_t index;

	if (nl_ifindex(ifname, &index) == -1)
		return -1;
	ifi.ifi_index = (int)index;
	ifi.ifi_flags = up ? IFF_UP : 0;
	/* No NLM_F_CREATE: RTM_NEWLINK on an existing index changes it (rtnetlink(7)). */
	nl_req_begin(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	if (mtu != 0)
		nl_req_attr_u32(&r, IFLA_MTU, mtu);
	return nl_talk(&r);
}

static int nl_check_plen(uint8_t plen)
{
	if (plen > 128) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* dst with the bits beyond plen cleared: the form the kernel stores and matches. */
static struct in6_addr nl_prefix6(const struct in6_addr *dst, uint8_t plen)
{
	struct in6_addr p = {0};
	size_t bytes = plen / 8;

	memcpy(p.s6_addr, dst->s6_addr, bytes);
	if (plen % 8 != 0)
		p.s6_addr[bytes] = (uint8_t)(dst->s6_addr[bytes] & (0xff00 >> (plen % 8)));
	return p;
}

static int nl_route6(uint16_t type, uint16_t flags, const char *ifname, const struct in6_addr *dst,
		     uint8_t plen)
{
	struct rtmsg rtm = {
	    .rtm_family = AF_INET6,
	    .rtm_dst_len = plen,
	    .rtm_table = RT_TABLE_MAIN,
	    .rtm_protocol = RTPROT_STATIC,
	    .rtm_scope = RT_SCOPE_UNIVERSE,
	    .rtm_type = RTN_UNICAST,
	};
	struct in6_addr prefix;
	struct nl_req r;
	uint32_t index;

	if (nl_check_plen(plen) == -1 || nl_ifindex(ifname, &index) == -1)
		return -1;
	prefix = nl_prefix6(dst, plen);
	nl_req_begin(&r, type, flags, &rtm, sizeof(rtm));
	nl_req_attr(&r, RTA_DST, &prefix, sizeof(prefix));
	nl_req_attr_u32(&r, RTA_OIF, index);
	nl_req_attr_u32(&r, RTA_PRIORITY, NL_ROUTE_METRIC);
	nl_req_attr_u32(&r, RTA_TABLE, RT_TABLE_MAIN);
	return nl_talk(&r);
}

int nl_route6_replace(const char *ifname, const struct in6_addr *dst, uint8_t plen)
{
	return nl_route6(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, ifname, dst, plen);
}

int nl_route6_del(const char *ifname, const struct in6_addr *dst, uint8_t plen)
{
	/* The kernel deletes the first route matching every attribute given (ip6_route_del). */
	return nl_route6(RTM_DELROUTE, 0, ifname, dst, plen);
}

int nl_addr6_add(const char *ifname, const struct in6_addr *a, uint8_t plen, bool nodad)
{
	struct ifaddrmsg ifa = {
	    .ifa_family = AF_INET6,
	    .ifa_prefixlen = plen,
	    .ifa_flags = nodad ? IFA_F_NODAD : 0,
	    .ifa_scope = RT_SCOPE_UNIVERSE,
	};
	struct nl_req r;
	uint32_t index;

	if (nl_check_plen(plen) == -1 || nl_ifindex(ifname, &index) == -1)
		return -1;
	ifa.ifa_index = index;
	nl_req_begin(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, &ifa, sizeof(ifa));
	/* IFA_LOCAL and IFA_ADDRESS equal: an address without a peer, as iproute2 sends it. */
	nl_req_attr(&r, IFA_LOCAL, a, sizeof(*a));
	nl_req_attr(&r, IFA_ADDRESS, a, sizeof(*a));
	return nl_talk(&r);
}

/* Opens a nested attribute (rtnetlink(7)); nl_req_nest_end writes its length. Returns its offset.
 */
static size_t nl_req_nest_begin(struct nl_req *r, uint16_t type)
{
	struct rtattr a = {.rta_len = 0, .rta_type = type};
	size_t off = r->w.len;

	buf_put_bytes(&r->w, &a, sizeof(a));
	return off;
}

static void nl_req_nest_end(struct nl_req *r, size_t off)
{
	unsigned short len = (unsigned short)(r->w.len - off);

	if (buf_wr_ok(&r->w))
		memcpy(r->buf + off + offsetof(struct rtattr, rta_len), &len, sizeof(len));
}

int nl_link_addrgenmode(const char *ifname, uint8_t mode)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct nl_req r;
	uint32_t index;
	size_t spec, inet6;

	if (nl_ifindex(ifname, &index) == -1)
		return -1;
	ifi.ifi_index = (int)index;
	/* IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE u8 } }, as `ip link set addrgenmode`
	   sends it; the kernel applies it in inet6_set_link_af. */
	nl_req_begin(&r, RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	spec = nl_req_nest_begin(&r, IFLA_AF_SPEC);
	inet6 = nl_req_nest_begin(&r, AF_INET6);
	nl_req_attr(&r, IFLA_INET6_ADDR_GEN_MODE, &mode, sizeof(mode));
	nl_req_nest_end(&r, inet6);
	nl_req_nest_end(&r, spec);
	return nl_talk(&r);
}
