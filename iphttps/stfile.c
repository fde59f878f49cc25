/* SPDX-License-Identifier: ISC */
/*
 * stfile: the client's status file, written by `iphttps connect`, read by `iphttps status`.
 *
 * Format: one `key=value` line per field, in a fixed order, at most STFILE_MAX bytes:
 *
 *   interface=iphttps0          url=https://da.example.com/IPHTTPS     state=backoff
 *   last_error=0x800B0109       detail=certificate verify failed: ...  since=1700000000
 *   next_attempt=1700000027     failures=3    server=192.0.2.1:443     proxy=    tls=    pid=42
 *
 * String values are escaped (\\ \n \r \t \xHH for other control bytes), so a newline in a
 * server-supplied detail cannot start a line of its own and set another key. Writes go to a
 * temporary file in the same directory, fsync, then rename over the old file: a reader sees the
 * old state or the new one, never half. The reader is strict (unknown keys aside): a value that
 * does not parse or does not fit its field fails the read rather than showing something else.
 */
#include "iphttps/stfile.h"
#include "lib/file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STFILE_MAX 8192 /* every field escaped at its worst is about 5 KiB */

enum stfile_type {
	STFILE_T_STR,
	STFILE_T_STATE,
	STFILE_T_HEX32,
	STFILE_T_I64,
	STFILE_T_U32,
	STFILE_T_INT
};

struct stfile_key {
	const char *name;
	enum stfile_type type;
	size_t off, size;
};

#define STFILE_KEY(name, type, field)                                                              \
	{                                                                                          \
		name, type, offsetof(struct stfile, field), sizeof(((struct stfile *)0)->field)    \
	}

/* The file's keys in the order they are written. */
static const struct stfile_key stfile_keys[] = {
    STFILE_KEY("interface", STFILE_T_STR, interface),
    STFILE_KEY("url", STFILE_T_STR, url),
    STFILE_KEY("state", STFILE_T_STATE, state),
    STFILE_KEY("last_error", STFILE_T_HEX32, last_error),
    STFILE_KEY("detail", STFILE_T_STR, detail),
    STFILE_KEY("since", STFILE_T_I64, since),
    STFILE_KEY("next_attempt", STFILE_T_I64, next_attempt),
    STFILE_KEY("failures", STFILE_T_U32, failures),
    STFILE_KEY("server", STFILE_T_STR, server),
    STFILE_KEY("proxy", STFILE_T_STR, proxy),
    STFILE_KEY("tls", STFILE_T_STR, tls),
    STFILE_KEY("pid", STFILE_T_INT, pid),
};

#define STFILE_NKEYS (sizeof(stfile_keys) / sizeof(stfile_keys[0]))

static const char *const stfile_state_names[] = {
    [STFILE_CONNECTING] = "connecting",
    [STFILE_UP] = "up",
    [STFILE_BACKOFF] = "backoff",
    [STFILE_STOPPED] = "stopped",
};

const char *stfile_state_name(enum stfile_state st)
{
	if ((unsigned)st >= sizeof(stfile_state_names) / sizeof(stfile_state_names[0]))
		return "unknown";
	return stfile_state_names[st];
}

bool stfile_ifname_ok(const char *n)
{
	size_t len = strnlen(n, IFNAMSIZ);

	if (len == 0 || len >= IFNAMSIZ || strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (n[i] == '/' || n[i] == ':' || (unsigned char)n[i] <= ' ' || n[i] == 0x7f)
			return false;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Writing */

struct stfile_out {
	char buf[STFILE_MAX];
	size_t len;
	bool overflow;
};

static void stfile_put(struct stfile_out *o, const char *s, size_t n)
{
	if (o->overflow || n > sizeof(o->buf) - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void stfile_putf(struct stfile_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void stfile_putf(struct stfile_out *o, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		o->overflow = true;
		return;
	}
	stfile_put(o, tmp, (size_t)n);
}

/* A string field; its last byte is taken as the terminator even if the caller forgot it, so
   whatever is written also fits the field when read back. */
static void stfile_put_escaped(struct stfile_out *o, const char *s, size_t size)
{
	size_t len = strnlen(s, size - 1);

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\')
			stfile_put(o, "\\\\", 2);
		else if (c == '\n')
			stfile_put(o, "\\n", 2);
		else if (c == '\r')
			stfile_put(o, "\\r", 2);
		else if (c == '\t')
			stfile_put(o, "\\t", 2);
		else if (c < 0x20 || c == 0x7f)
			stfile_putf(o, "\\x%02x", c);
		else
			stfile_put(o, (const char *)&c, 1);
	}
}

static void stfile_put_field(struct stfile_out *o, const struct stfile *s,
			     const struct stfile_key *k)
{
	const char *p = (const char *)s + k->off;

	stfile_putf(o, "%s=", k->name);
	switch (k->type) {
	case STFILE_T_STR:
		stfile_put_escaped(o, p, k->size);
		break;
	case STFILE_T_STATE:
		stfile_putf(o, "%s", stfile_state_name(s->state));
		break;
	case STFILE_T_HEX32:
		stfile_putf(o, "0x%" PRIX32, s->last_error);
		break;
	case STFILE_T_I64:
		stfile_putf(o, "%" PRId64, *(const int64_t *)(const void *)p);
		break;
	case STFILE_T_U32:
		stfile_putf(o, "%" PRIu32, *(const uint32_t *)(const void *)p);
		break;
	case STFILE_T_INT:
		stfile_putf(o, "%d", *(const int *)(const void *)p);
		break;
	}
	stfile_put(o, "\n", 1);
}

static int stfile_write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes o into a new temporary file beside path, then renames it over path. */
static int stfile_replace(const char *dir, const char *ifname, const char *path,
			  const struct stfile_out *o)
{
	char tmp[PATH_MAX];
	int fd, saved;

	/* A dot name: never taken for an interface's file by a reader scanning dir. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, ifname) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fchmod(fd, 0644) == -1 || stfile_write_all(fd, o->buf, o->len) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}

int stfile_write(const char *dir, const struct stfile *s)
{
	struct stfile_out *o;
	char path[PATH_MAX];
	int rc = -1;

	if (!stfile_ifname_ok(s->interface) || (unsigned)s->state > STFILE_STOPPED) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.status", dir, s->interface) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return -1;
	o = calloc(1, sizeof(*o));
	if (!o)
		return -1;
	for (size_t i = 0; i < STFILE_NKEYS; i++)
		stfile_put_field(o, s, &stfile_keys[i]);
	if (o->overflow)
		errno = EFBIG;
	else
		rc = stfile_replace(dir, s->interface, path, o);
	free(o);
	return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Reading */

static int stfile_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Undoes stfile_put_escaped into dst (size bytes, NUL-terminated); false if bad or too long. */
static bool stfile_unescape(const char *v, char *dst, size_t size)
{
	size_t n = 0;

	while (*v) {
		int c = (unsigned char)*v++;

		if (c == '\\') {
			int e = (unsigned char)*v++;
			int hi, lo;

			if (e == '\\' || e == 'n' || e == 'r' || e == 't') {
				c = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : '\\';
			} else if (e == 'x' && (hi = stfile_hexval(v[0])) >= 0 &&
				   (lo = stfile_hexval(v[1])) >= 0 && (hi | lo) != 0) {
				c = hi << 4 | lo;
				v += 2;
			} else {
				return false; /* unknown escape, \x00, or a lone trailing backslash
					       */
			}
		}
		if (n + 1 >= size)
			return false;
		dst[n++] = (char)c;
	}
	dst[n] = '\0';
	return true;
}

static bool stfile_parse_hex32(const char *v, uint32_t *out)
{
	uint32_t x = 0;
	size_t n = 0;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'))
		v += 2;
	for (; v[n]; n++) {
		int d = stfile_hexval(v[n]);

		if (d < 0 || n >= 8)
			return false;
		x = x << 4 | (uint32_t)d;
	}
	*out = x;
	return n > 0;
}

/* A decimal integer in [min, max], the whole of v. */
static bool stfile_parse_dec(const char *v, long long min, long long max, long long *out)
{
	char *end;
	long long x;

	if (!*v || (*v != '-' && (*v < '0' || *v > '9')))
		return false;
	errno = 0;
	x = strtoll(v, &end, 10);
	if (errno || *end || x < min || x > max)
		return false;
	*out = x;
	return true;
}

static bool stfile_parse_state(const char *v, enum stfile_state *st)
{
	for (size_t i = 0; i < sizeof(stfile_state_names) / sizeof(stfile_state_names[0]); i++)
		if (strcmp(v, stfile_state_names[i]) == 0) {
			*st = (enum stfile_state)i;
			return true;
		}
	return false;
}

static bool stfile_set(struct stfile *s, const struct stfile_key *k, const char *v)
{
	void *p = (char *)s + k->off;
	long long x;

	switch (k->type) {
	case STFILE_T_STR:
		return stfile_unescape(v, p, k->size);
	case STFILE_T_STATE:
		return stfile_parse_state(v, &s->state);
	case STFILE_T_HEX32:
		return stfile_parse_hex32(v, &s->last_error);
	case STFILE_T_I64:
		if (!stfile_parse_dec(v, INT64_MIN, INT64_MAX, &x))
			return false;
		*(int64_t *)p = x;
		return true;
	case STFILE_T_U32:
		if (!stfile_parse_dec(v, 0, UINT32_MAX, &x))
			return false;
		*(uint32_t *)p = (uint32_t)x;
		return true;
	case STFILE_T_INT:
		if (!stfile_parse_dec(v, INT_MIN, INT_MAX, &x))
			return false;
		*(int *)p = (int)x;
		return true;
	}
	return false;
}

/* One line, without its '\n'. Returns false on a line that is not `key=value`. */
static bool stfile_line(struct stfile *s, char *line, bool *have_state)
{
	char *eq;

	if (line[0] == '\0' || line[0] == '#')
		return true;
	eq = strchr(line, '=');
	if (!eq || eq == line)
		return false;
	*eq = '\0';
	for (size_t i = 0; i < STFILE_NKEYS; i++) {
		if (strcmp(line, stfile_keys[i].name) != 0)
			continue;
		if (stfile_keys[i].type == STFILE_T_STATE)
			*have_state = true;
		return stfile_set(s, &stfile_keys[i], eq + 1);
	}
	return true; /* a key from a newer writer */
}

static int stfile_parse(char *text, const char *ifname, struct stfile *s)
{
	bool have_state = false;
	char *line = text;

	memset(s, 0, sizeof(*s));
	while (*line) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (!stfile_line(s, line, &have_state))
			goto bad;
		if (!nl)
			break;
		line = nl + 1;
	}
	if (!have_state)
		goto bad;
	if (s->interface[0] == '\0')
		snprintf(s->interface, sizeof(s->interface), "%s", ifname);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* Reads at most STFILE_MAX bytes of a regular file; EFBIG past that. Returns a malloc'd text. */
static char *stfile_slurp(const char *path)
{
	/* O_NONBLOCK: a FIFO planted under the name must not hang the reader in open(). */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int saved;

	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	buf = file_read_fd(fd, STFILE_MAX, &len);
	if (!buf)
		goto fail;
	if (memchr(buf, '\0', len)) {
		errno = EINVAL;
		goto fail;
	}
	close(fd);
	return buf;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

int stfile_read(const char *dir, const char *ifname, struct stfile *s)
{
	char path[PATH_MAX];
	char *text;
	int rc;

	if (!stfile_ifname_ok(ifname)) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.status", dir, ifname) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	text = stfile_slurp(path);
	if (!text)
		return -1;
	rc = stfile_parse(text, ifname, s);
	free(text);
	return rc;
}
