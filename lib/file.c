/* SPDX-License-Identifier: ISC */
/* file: bounded whole-file reads and directory syncs; see file.h. */
#include "lib/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

char *file_read_fd(int fd, size_t max, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;
	int saved;

	for (;;) {
		ssize_t r;

		if (n == cap) {
			/* Grow by doubling up to max + 1, so a small file costs a small buffer. */
			size_t ncap = cap ? cap * 2 : 8192;
			char *nb;

			if (cap == max + 1)
				break;
			ncap = ncap > max + 1 ? max + 1 : ncap;
			if ((nb = realloc(buf, ncap + 1)) == NULL)
				goto fail;
			buf = nb;
			cap = ncap;
		}
		r = read(fd, buf + n, cap - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			goto fail;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		errno = EFBIG;
		goto fail;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	saved = errno;
	free(buf);
	errno = saved;
	return NULL;
}

char *file_read(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;
	char *buf;

	if (fd == -1)
		return NULL;
	buf = file_read_fd(fd, max, len);
	saved = errno;
	close(fd);
	errno = saved;
	return buf;
}

void file_sync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd;

	/* dirname() may modify its argument. */
	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return;
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
}
