/* SPDX-License-Identifier: ISC */
/*
 * sysctl: /proc/sys as files (Documentation/admin-guide/sysctl/, ip-sysctl.rst). The sysctl(2)
 * system call is gone from Linux; /proc/sys is the interface. Keys are mapped to paths with the
 * sysctl.d(5) rule described in sysctl.h, and checked so that a key cannot leave /proc/sys.
 */
#include "lib/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Every component between slashes is a plain name: not empty, not "." or "..". */
static int sysctl_check_rel(const char *rel)
{
	const char *p = rel, *end;
	size_t n;

	for (;;) {
		end = strchr(p, '/');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			errno = EINVAL;
			return -1;
		}
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

/* sysctl.d(5): a dot as first separator swaps dots and slashes; a slash keeps the key as is. */
static int sysctl_path(const char *key, char *path, size_t size)
{
	size_t rootlen = strlen(SYSCTL_ROOT), keylen;
	const char *sep;
	bool dotted;

	if (key == NULL || key[0] == '\0') {
		errno = EINVAL;
		return -1;
	}
	keylen = strlen(key);
	if (rootlen + keylen >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	sep = strpbrk(key, "./");
	dotted = sep != NULL && *sep == '.';
	memcpy(path, SYSCTL_ROOT, rootlen);
	for (size_t i = 0; i < keylen; i++) {
		char ch = key[i];

		if (dotted && ch == '.')
			ch = '/';
		else if (dotted && ch == '/')
			ch = '.';
		path[rootlen + i] = ch;
	}
	path[rootlen + keylen] = '\0';
	return sysctl_check_rel(path + rootlen);
}

static int sysctl_close(int fd, int rc)
{
	int saved = errno;

	if (close(fd) == -1 && rc == 0)
		return -1;
	errno = saved;
	return rc;
}

int sysctl_set(const char *key, const char *value)
{
	char path[PATH_MAX];
	size_t len;
	ssize_t n;
	int fd;

	if (sysctl_path(key, path, sizeof(path)) == -1)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	/* One write: proc_sys parses the whole value from a single buffer. */
	len = strlen(value);
	do
		n = write(fd, value, len);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return sysctl_close(fd, -1);
	if ((size_t)n != len) {
		errno = EIO;
		return sysctl_close(fd, -1);
	}
	return sysctl_close(fd, 0);
}

/* Reads the whole file into out[0..len); ERANGE if more than len bytes remain. */
static ssize_t sysctl_read_all(int fd, char *out, size_t len)
{
	size_t total = 0;
	ssize_t n;
	char extra;

	for (;;) {
		if (total == len)
			n = read(fd, &extra, 1);
		else
			n = read(fd, out + total, len - total);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return (ssize_t)total;
		if (total == len) {
			errno = ERANGE;
			return -1;
		}
		total += (size_t)n;
	}
}

int sysctl_get(const char *key, char *out, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	size_t got;
	int fd;

	if (len == 0 || len > SSIZE_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (sysctl_path(key, path, sizeof(path)) == -1)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	n = sysctl_read_all(fd, out, len);
	if (n == -1)
		return sysctl_close(fd, -1);
	got = (size_t)n;
	if (got > 0 && out[got - 1] == '\n')
		got--;
	if (got == len) {
		errno = ERANGE;
		return sysctl_close(fd, -1);
	}
	out[got] = '\0';
	return sysctl_close(fd, 0);
}

/* "net/ipv6/conf/IFNAME/leaf": the slash form, so dots in IFNAME stay part of the name. */
static int sysctl_set_if6(const char *ifname, const char *leaf, const char *value)
{
	char key[64 + IFNAMSIZ];
	int n;

	if (ifname == NULL || ifname[0] == '\0' || strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ ||
	    strchr(ifname, '/') != NULL) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(key, sizeof(key), "net/ipv6/conf/%s/%s", ifname, leaf);
	if (n < 0 || (size_t)n >= sizeof(key)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return sysctl_set(key, value);
}

int sysctl_tun_ipv6_setup(const char *ifname)
{
	/* addr_gen_mode first: it must be in place before the link goes up (sysctl.h). */
	static const char *const settings[][2] = {
	    {"addr_gen_mode", "1"}, /* IN6_ADDR_GEN_MODE_NONE */
	    {"accept_ra", "0"},
	    {"autoconf", "0"},
	    {"forwarding", "1"},
	};

	for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (sysctl_set_if6(ifname, settings[i][0], settings[i][1]) == -1)
			return -1;
	return 0;
}

bool sysctl_ipv6_forwarding_enabled(void)
{
	char v[16];
	int saved = errno;
	bool on;

	on = sysctl_get("net.ipv6.conf.all.forwarding", v, sizeof(v)) == 0 && v[0] != '\0' &&
	     strcmp(v, "0") != 0;
	errno = saved;
	return on;
}
