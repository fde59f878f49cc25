/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for iphttps/stfile (the status file contract of stfile.h) and iphttps/status
 * (`iphttps status`, which reads it).
 *
 * stfile: the exact file text; round trips, including full fields of control bytes; a newline
 * in detail cannot inject a key; atomic replacement (no temporary file left, mode 0644, the
 * directory created); interface names that would be paths; strict reading of every malformed
 * value; the 8 KiB bound; a FIFO or symlink planted under the name.
 * status: the JSON object exactly; the text form's Windows-shaped lines; InterfaceStatus for
 * up, backoff, 0x103, a dead client; exit codes 0/1/2; the default interface; usage errors;
 * escape sequences from a server neutralised on the terminal; the "no state" message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iphttps/cmd.h"
#include "iphttps/stfile.h"

struct fixture {
	char dir[64];
};

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_stfile.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rm_tree(f->dir);
	free(f);
	return 0;
}

static void sample(struct stfile *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->interface, sizeof(s->interface), "iphttps0");
	snprintf(s->url, sizeof(s->url), "https://da.example.com/IPHTTPS");
	s->state = STFILE_BACKOFF;
	s->last_error = 0x800B0109;
	snprintf(s->detail, sizeof(s->detail),
		 "certificate verify failed: unable to get local issuer certificate");
	s->since = 1700000000;
	s->next_attempt = 1700000027;
	s->failures = 3;
	snprintf(s->server, sizeof(s->server), "192.0.2.1:443");
	s->pid = 4242;
}

static void assert_same(const struct stfile *a, const struct stfile *b)
{
	assert_string_equal(a->interface, b->interface);
	assert_string_equal(a->url, b->url);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->last_error, b->last_error);
	assert_string_equal(a->detail, b->detail);
	assert_int_equal(a->since, b->since);
	assert_int_equal(a->next_attempt, b->next_attempt);
	assert_int_equal(a->failures, b->failures);
	assert_string_equal(a->server, b->server);
	assert_string_equal(a->proxy, b->proxy);
	assert_string_equal(a->tls, b->tls);
	assert_int_equal(a->pid, b->pid);
}

/* Reads a whole small file into buf (NUL-terminated); returns its length. */
static size_t slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, size - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	return (size_t)n;
}

static void put_file(const char *dir, const char *name, const char *text, size_t len)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* ------------------------------------------------------------------------------------------ */
/* stfile */

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(stfile_state_name(STFILE_CONNECTING), "connecting");
	assert_string_equal(stfile_state_name(STFILE_UP), "up");
	assert_string_equal(stfile_state_name(STFILE_BACKOFF), "backoff");
	assert_string_equal(stfile_state_name(STFILE_STOPPED), "stopped");
	assert_string_equal(stfile_state_name((enum stfile_state)7), "unknown");
}

static void test_exact_text(void **state)
{
	struct fixture *f = *state;
	char path[256], text[2048];
	struct stfile s, r;
	struct stat st;

	sample(&s);
	assert_int_equal(stfile_write(f->dir, &s), 0);
	snprintf(path, sizeof(path), "%s/iphttps0.status", f->dir);
	slurp(path, text, sizeof(text));
	assert_string_equal(text, "interface=iphttps0\n"
				  "url=https://da.example.com/IPHTTPS\n"
				  "state=backoff\n"
				  "last_error=0x800B0109\n"
				  "detail=certificate verify failed: unable to get local issuer "
				  "certificate\n"
				  "since=1700000000\n"
				  "next_attempt=1700000027\n"
				  "failures=3\n"
				  "server=192.0.2.1:443\n"
				  "proxy=\n"
				  "tls=\n"
				  "pid=4242\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(stfile_read(f->dir, "iphttps0", &r), 0);
	assert_same(&s, &r);
}

/* A detail straight from a server or OpenSSL cannot add or override keys. */
static void test_newline_injection(void **state)
{
	struct fixture *f = *state;
	char path[256], text[2048];
	struct stfile s, r;
	size_t lines = 0;

	sample(&s);
	snprintf(s.detail, sizeof(s.detail), "boom\nstate=up\r\npid=1\\n\t\x1b[2J\x7f\xc3\xa9");
	assert_int_equal(stfile_write(f->dir, &s), 0);
	snprintf(path, sizeof(path), "%s/iphttps0.status", f->dir);
	slurp(path, text, sizeof(text));
	for (char *p = text; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 12);
	assert_non_null(
	    strstr(text, "detail=boom\\nstate=up\\r\\npid=1\\\\n\\t\\x1b[2J\\x7f\xc3\xa9\n"));
	assert_int_equal(stfile_read(f->dir, "iphttps0", &r), 0);
	assert_string_equal(r.detail, s.detail);
	assert_int_equal(r.state, STFILE_BACKOFF);
	assert_int_equal(r.pid, 4242);
}

/* Every string field full, of bytes that escape to 4: fits the 8 KiB bound, reads back equal. */
static void test_full_fields(void **state)
{
	struct fixture *f = *state;
	struct stfile s, r;

	sample(&s);
	memset(s.url, 0x01, sizeof(s.url) - 1);
	s.url[sizeof(s.url) - 1] = '\0';
	memset(s.detail, 0x1f, sizeof(s.detail) - 1);
	s.detail[sizeof(s.detail) - 1] = '\0';
	memset(s.server, '\n', sizeof(s.server) - 1);
	s.server[sizeof(s.server) - 1] = '\0';
	memset(s.proxy, 0x7f, sizeof(s.proxy) - 1);
	s.proxy[sizeof(s.proxy) - 1] = '\0';
	memset(s.tls, '\\', sizeof(s.tls) - 1);
	s.tls[sizeof(s.tls) - 1] = '\0';
	snprintf(s.interface, sizeof(s.interface), "abcdefghijklmno"); /* IFNAMSIZ - 1 */
	s.last_error = 0xFFFFFFFF;
	s.since = INT64_MIN;
	s.next_attempt = INT64_MAX;
	s.failures = UINT32_MAX;
	s.pid = -1;
	assert_int_equal(stfile_write(f->dir, &s), 0);
	assert_int_equal(stfile_read(f->dir, "abcdefghijklmno", &r), 0);
	assert_same(&s, &r);

	/* A caller that forgot a terminator: the field's last byte is dropped, not overrun. */
	memset(s.detail, 'A', sizeof(s.detail));
	assert_int_equal(stfile_write(f->dir, &s), 0);
	assert_int_equal(stfile_read(f->dir, "abcdefghijklmno", &r), 0);
	assert_int_equal(strlen(r.detail), sizeof(s.detail) - 1);
}

/* Replaced by rename: only the .status file remains, rewritten in place of the old one. */
static void test_atomic_replace(void **state)
{
	struct fixture *f = *state;
	struct stfile s, r;
	struct dirent *de;
	int entries = 0;
	DIR *d;

	sample(&s);
	assert_int_equal(stfile_write(f->dir, &s), 0);
	s.state = STFILE_UP;
	s.last_error = 0;
	s.detail[0] = '\0';
	snprintf(s.tls, sizeof(s.tls), "TLSv1.3 TLS_AES_128_GCM_SHA256");
	assert_int_equal(stfile_write(f->dir, &s), 0);
	assert_int_equal(stfile_read(f->dir, "iphttps0", &r), 0);
	assert_same(&s, &r);

	d = opendir(f->dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		assert_string_equal(de->d_name, "iphttps0.status");
		entries++;
	}
	closedir(d);
	assert_int_equal(entries, 1);
}

static void test_creates_dir(void **state)
{
	struct fixture *f = *state;
	char sub[128];
	struct stfile s, r;
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/run", f->dir);
	sample(&s);
	assert_int_equal(stfile_write(sub, &s), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(stfile_read(sub, "iphttps0", &r), 0);
	/* Only the last component is created. */
	snprintf(sub, sizeof(sub), "%s/a/b", f->dir);
	assert_int_equal(stfile_write(sub, &s), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_bad_names(void **state)
{
	static const char *const bad[] = {
	    "", ".", "..", "../x", "a/b", "x:1", "a b", "a\nb", "sixteen-chars-xx"};
	struct fixture *f = *state;
	struct stfile s, r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sample(&s);
		snprintf(s.interface, sizeof(s.interface), "%s", bad[i]);
		if (strlen(bad[i]) >= sizeof(s.interface))
			memcpy(s.interface, bad[i], sizeof(s.interface)); /* unterminated */
		errno = 0;
		assert_int_equal(stfile_write(f->dir, &s), -1);
		assert_int_equal(errno, EINVAL);
		errno = 0;
		assert_int_equal(stfile_read(f->dir, bad[i], &r), -1);
		assert_int_equal(errno, EINVAL);
	}
	sample(&s);
	s.state = (enum stfile_state)9;
	assert_int_equal(stfile_write(f->dir, &s), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_missing(void **state)
{
	struct fixture *f = *state;
	struct stfile r;

	assert_int_equal(stfile_read(f->dir, "iphttps0", &r), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(stfile_read("/nonexistent/dir", "iphttps0", &r), -1);
	assert_int_equal(errno, ENOENT);
}

static void expect_read(const char *dir, const char *text, int want_errno)
{
	struct stfile r;

	put_file(dir, "t0.status", text, strlen(text));
	errno = 0;
	if (want_errno == 0) {
		assert_int_equal(stfile_read(dir, "t0", &r), 0);
	} else {
		assert_int_equal(stfile_read(dir, "t0", &r), -1);
		assert_int_equal(errno, want_errno);
	}
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	    "state=up\nnot a key value line\n",
	    "state=up\n=value\n",
	    "state=sideways\n",
	    "state=\n",
	    "state=up\nlast_error=0xZZ\n",
	    "state=up\nlast_error=0x\n",
	    "state=up\nlast_error=0x123456789\n",
	    "state=up\nlast_error=-1\n",
	    "state=up\nsince=12a\n",
	    "state=up\nsince=\n",
	    "state=up\nsince= 5\n",
	    "state=up\nsince=99999999999999999999\n",
	    "state=up\nfailures=-1\n",
	    "state=up\nfailures=4294967296\n",
	    "state=up\npid=99999999999\n",
	    "state=up\ndetail=bad \\q escape\n",
	    "state=up\ndetail=trailing\\\n",
	    "state=up\ndetail=nul \\x00 byte\n",
	    "state=up\ndetail=short \\x4\n",
	    "interface=iphttps0\n", /* no state */
	    "",
	};
	struct fixture *f = *state;
	char longurl[700];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_read(f->dir, bad[i], EINVAL);

	/* A value longer than its field is refused, not cut. */
	snprintf(longurl, sizeof(longurl), "state=up\nurl=https://x/%0600d\n", 0);
	expect_read(f->dir, longurl, EINVAL);
	/* A NUL byte in the file. */
	put_file(f->dir, "t0.status", "state=up\ndetail=a\0b\n", 20);
	assert_int_equal(stfile_read(f->dir, "t0", &(struct stfile){0}), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_lenient_parts(void **state)
{
	struct fixture *f = *state;
	struct stfile r;

	/* Unknown keys (a newer writer), comments, blank lines, no final newline, lower-case hex.
	 */
	expect_read(f->dir,
		    "# written by iphttps connect\n\nfuture_key=whatever\nstate=up\n"
		    "last_error=0x800b0109\nfailures=0\npid=7",
		    0);
	assert_int_equal(stfile_read(f->dir, "t0", &r), 0);
	assert_int_equal(r.state, STFILE_UP);
	assert_int_equal(r.last_error, 0x800B0109);
	assert_int_equal(r.pid, 7);
	assert_string_equal(r.interface, "t0"); /* missing interface= is the file's name */
}

static void test_size_bound(void **state)
{
	struct fixture *f = *state;
	static char big[9000];
	struct stfile r;

	memset(big, '#', sizeof(big));
	memcpy(big, "state=up\n", 9);
	big[sizeof(big) - 1] = '\n';
	put_file(f->dir, "t0.status", big, sizeof(big));
	assert_int_equal(stfile_read(f->dir, "t0", &r), -1);
	assert_int_equal(errno, EFBIG);
	/* Exactly 8192 bytes is still accepted. */
	put_file(f->dir, "t0.status", big, 8192);
	assert_int_equal(stfile_read(f->dir, "t0", &r), 0);
}

/* Neither a FIFO (which would block a plain open) nor a symlink is read. */
static void test_not_regular(void **state)
{
	struct fixture *f = *state;
	char path[256], target[256];
	struct stfile s, r;

	snprintf(path, sizeof(path), "%s/fifo0.status", f->dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(stfile_read(f->dir, "fifo0", &r), -1);
	assert_int_equal(errno, EINVAL);

	sample(&s);
	assert_int_equal(stfile_write(f->dir, &s), 0);
	snprintf(target, sizeof(target), "%s/iphttps0.status", f->dir);
	snprintf(path, sizeof(path), "%s/link0.status", f->dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(stfile_read(f->dir, "link0", &r), -1);
	assert_int_equal(errno, ELOOP);
}

/* ------------------------------------------------------------------------------------------ */
/* status */

struct run {
	int rc;
	char out[8192];
	char err[2048];
};

static void capture_read(FILE *fp, char *buf, size_t size)
{
	size_t n;

	rewind(fp);
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

/* Runs `iphttps status ARGS` (space-separated) with stdout and stderr captured. */
static void status(struct run *r, const char *args)
{
	char copy[512], *argv[16];
	FILE *fo = tmpfile(), *fe = tmpfile();
	int argc = 0, so, se;

	assert_non_null(fo);
	assert_non_null(fe);
	snprintf(copy, sizeof(copy), "status %s", args);
	for (char *tok = strtok(copy, " "); tok && argc < 15; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	so = dup(STDOUT_FILENO);
	se = dup(STDERR_FILENO);
	dup2(fileno(fo), STDOUT_FILENO);
	dup2(fileno(fe), STDERR_FILENO);
	r->rc = status_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, STDOUT_FILENO);
	dup2(se, STDERR_FILENO);
	close(so);
	close(se);
	capture_read(fo, r->out, sizeof(r->out));
	capture_read(fe, r->err, sizeof(r->err));
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing \"%s\" in:\n%s", needle, hay);
}

/* A pid that was just alive and now is not: a reaped child. */
static int dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return (int)pid;
}

static void test_status_json(void **state)
{
	struct fixture *f = *state;
	char args[128], want[2048];
	struct stfile s;
	struct run r;

	sample(&s);
	s.pid = (int)getpid();
	snprintf(s.detail, sizeof(s.detail), "say \"no\"\nplease");
	assert_int_equal(stfile_write(f->dir, &s), 0);
	snprintf(args, sizeof(args), "--json --state-dir %s", f->dir);
	status(&r, args);
	assert_int_equal(r.rc, 1); /* running, but not up */
	snprintf(
	    want, sizeof(want),
	    "{\"interface\":\"iphttps0\",\"url\":\"https://da.example.com/IPHTTPS\","
	    "\"state\":\"backoff\","
	    "\"interface_status\":\"Failed to connect to the IPHTTPS server; waiting to "
	    "reconnect\","
	    "\"last_error_code\":2148204809,\"last_error\":\"0x800B0109\","
	    "\"name\":\"CERT_E_UNTRUSTEDROOT\","
	    "\"meaning\":\"the server certificate chains to a root this client does not "
	    "trust\","
	    "\"fix\":\"install the issuing CA (--ca FILE or the system trust store); the server "
	    "must also send its intermediate certificates\","
	    "\"detail\":\"say \\\"no\\\"\\u000aplease\","
	    "\"since\":1700000000,\"next_attempt\":1700000027,\"failures\":3,"
	    "\"server\":\"192.0.2.1:443\",\"proxy\":\"\",\"tls\":\"\","
	    "\"pid\":%d,\"running\":true}\n",
	    (int)getpid());
	assert_string_equal(r.out, want);
	assert_string_equal(r.err, "");
}

static void test_status_text_backoff(void **state)
{
	struct fixture *f = *state;
	static const char prefix[] =
	    "Interface       : iphttps0\n"
	    "URL             : https://da.example.com/IPHTTPS\n"
	    "InterfaceStatus : Failed to connect to the IPHTTPS server; waiting to reconnect\n"
	    "LastErrorCode   : 0x800B0109 (CERT_E_UNTRUSTEDROOT)\n"
	    "Meaning         : the server certificate chains to a root this client does not trust\n"
	    "Fix             : install the issuing CA (--ca FILE or the system trust store); the "
	    "server must also send its intermediate certificates\n"
	    "Detail          : certificate verify failed: unable to get local issuer certificate\n"
	    "Next attempt    : in ";
	char args[128], want[128];
	struct stfile s;
	struct run r;

	sample(&s);
	s.pid = (int)getpid();
	s.since = (int64_t)time(NULL) - 125;
	s.next_attempt = (int64_t)time(NULL) + 600; /* "in 10 min" or "in 9 min 59 s" */
	snprintf(s.proxy, sizeof(s.proxy), "http://proxy.example:3128");
	assert_int_equal(stfile_write(f->dir, &s), 0);
	snprintf(args, sizeof(args), "--state-dir %s iphttps0", f->dir);
	status(&r, args);
	assert_int_equal(r.rc, 1);
	if (strncmp(r.out, prefix, strlen(prefix)) != 0)
		fail_msg("want a start of:\n%s\ngot:\n%s", prefix, r.out);
	/* A second may tick between writing and reading. */
	assert_true(strstr(r.out, "\nNext attempt    : in 10 min 0 s (3 failures)\n") ||
		    strstr(r.out, "\nNext attempt    : in 9 min 59 s (3 failures)\n"));
	assert_contains(r.out, "\nState           : backoff since ");
	assert_true(strstr(r.out, " (2 min 5 s ago)\n") || strstr(r.out, " (2 min 6 s ago)\n"));
	assert_contains(r.out, "\nServer          : 192.0.2.1:443\n");
	assert_contains(r.out, "\nProxy           : http://proxy.example:3128\n");
	assert_null(strstr(r.out, "TLS"));
	snprintf(want, sizeof(want), "\nProcess         : pid %d, running\n", (int)getpid());
	assert_contains(r.out, want);
}

static void test_status_up(void **state)
{
	struct fixture *f = *state;
	struct stfile s;
	struct run r;
	char args[128];

	sample(&s);
	s.pid = (int)getpid();
	s.state = STFILE_UP;
	s.last_error = 0;
	s.detail[0] = '\0';
	s.failures = 0;
	s.next_attempt = 0;
	snprintf(s.tls, sizeof(s.tls), "TLSv1.3 TLS_AES_128_GCM_SHA256");
	assert_int_equal(stfile_write(f->dir, &s), 0);
	snprintf(args, sizeof(args), "--state-dir=%s", f->dir); /* the only file: iphttps0 */
	status(&r, args);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "InterfaceStatus : IPHTTPS interface active\n");
	assert_contains(r.out, "LastErrorCode   : 0x0 (ERROR_SUCCESS)\n");
	assert_contains(r.out, "TLS             : TLSv1.3 TLS_AES_128_GCM_SHA256\n");
	assert_null(strstr(r.out, "Meaning"));
	assert_null(strstr(r.out, "Next attempt"));
	assert_null(strstr(r.out, "Detail"));

	snprintf(args, sizeof(args), "--state-dir %s --json", f->dir);
	status(&r, args);
	assert_int_equal(r.rc, 0);
	assert_contains(r.out,
			"\"last_error_code\":0,\"last_error\":\"0x0\",\"name\":\"ERROR_SUCCESS\"");
	assert_contains(r.out, "\"running\":true}");
}

/* The client died without writing "stopped": say so, even though the file says "up". */
static void test_status_not_running(void **state)
{
	struct fixture *f = *state;
	struct stfile s;
	struct run r;
	char args[128];

	sample(&s);
	s.state = STFILE_UP;
	s.last_error = 0;
	s.pid = dead_pid();
	assert_int_equal(stfile_write(f->dir, &s), 0);
	snprintf(args, sizeof(args), "--state-dir %s", f->dir);
	status(&r, args);
	assert_int_equal(r.rc, 1);
	assert_contains(r.out, "InterfaceStatus : IPHTTPS client not running\n");
	assert_contains(r.out, "not running\n");

	snprintf(args, sizeof(args), "--json --state-dir %s", f->dir);
	status(&r, args);
	assert_int_equal(r.rc, 1);
	assert_contains(r.out, "\"interface_status\":\"IPHTTPS client not running\"");
	assert_contains(r.out, "\"running\":false}");
}

/* ms-iphttps.md §5.4 strings that come from the code, and a client that stopped on its own. */
static void test_status_windows_strings(void **state)
{
	struct fixture *f = *state;
	struct stfile s;
	struct run r;
	char args[128];

	sample(&s);
	s.state = STFILE_STOPPED;
	s.last_error = 0x103;
	assert_int_equal(stfile_write(f->dir, &s), 0);
	snprintf(args, sizeof(args), "--state-dir %s", f->dir);
	status(&r, args);
	assert_int_equal(r.rc, 1);
	assert_contains(r.out, "InterfaceStatus : No usable certificate(s) found\n");
	assert_contains(r.out, "LastErrorCode   : 0x103 (ERROR_NO_MORE_ITEMS)\n");
	assert_contains(r.out, ", stopped\n");

	s.last_error = 0x80092013;
	assert_int_equal(stfile_write(f->dir, &s), 0);
	status(&r, args);
	assert_contains(r.out, "InterfaceStatus : IPHTTPS client stopped\n");

	s.state = STFILE_BACKOFF;
	s.pid = (int)getpid();
	s.last_error = 0x801901A2; /* 418: the generic HTTP entry */
	assert_int_equal(stfile_write(f->dir, &s), 0);
	snprintf(args, sizeof(args), "--state-dir %s --json", f->dir);
	status(&r, args);
	assert_contains(r.out, "\"last_error\":\"0x801901A2\",\"name\":\"HTTP status 418\"");
}

/* Bytes from a server (reason phrase, certificate names) cannot drive the terminal. */
static void test_status_escapes_terminal(void **state)
{
	struct fixture *f = *state;
	struct stfile s;
	struct run r;
	char args[128];

	sample(&s);
	s.pid = (int)getpid();
	snprintf(s.detail, sizeof(s.detail), "HTTP/1.1 403 \x1b[2J\x1b]0;owned\x07\xc2\x9b");
	assert_int_equal(stfile_write(f->dir, &s), 0);
	snprintf(args, sizeof(args), "--state-dir %s", f->dir);
	status(&r, args);
	assert_contains(r.out,
			"Detail          : HTTP/1.1 403 \\x1b[2J\\x1b]0;owned\\x07\\xc2\\x9b\n");
	for (const char *p = r.out; *p; p++)
		assert_true(*p == '\n' || ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f));
}

static void test_status_no_state(void **state)
{
	struct fixture *f = *state;
	char args[256], want[256], missing[96];
	struct run r;

	snprintf(args, sizeof(args), "--state-dir %s", f->dir);
	status(&r, args);
	assert_int_equal(r.rc, 2);
	snprintf(want, sizeof(want),
		 "iphttps status: no IP-HTTPS client state in %s (is `iphttps connect` "
		 "running?)\n",
		 f->dir);
	assert_string_equal(r.err, want);
	assert_string_equal(r.out, "");

	snprintf(missing, sizeof(missing), "%s/nothing-here", f->dir);
	snprintf(args, sizeof(args), "--json --state-dir %s iphttps3", missing);
	status(&r, args);
	assert_int_equal(r.rc, 2);
	assert_contains(r.err, "no IP-HTTPS client state in ");
	assert_string_equal(r.out, "");
}

static void test_status_pick_interface(void **state)
{
	struct fixture *f = *state;
	struct stfile s;
	struct run r;
	char args[128];

	sample(&s);
	s.pid = (int)getpid();
	snprintf(s.interface, sizeof(s.interface), "tun7");
	assert_int_equal(stfile_write(f->dir, &s), 0);
	put_file(f->dir, ".tun7.Ab12Cd", "junk", 4); /* a writer's leftover temporary */
	snprintf(args, sizeof(args), "--state-dir %s", f->dir);
	status(&r, args);
	assert_int_equal(r.rc, 1);
	assert_contains(r.out, "Interface       : tun7\n");

	snprintf(s.interface, sizeof(s.interface), "iphttps0");
	assert_int_equal(stfile_write(f->dir, &s), 0);
	status(&r, args);
	assert_int_equal(r.rc, 2);
	assert_contains(r.err, "several interfaces in ");
	assert_contains(r.err, "tun7");
	assert_contains(r.err, "iphttps0");

	snprintf(args, sizeof(args), "--state-dir %s tun7", f->dir);
	status(&r, args);
	assert_int_equal(r.rc, 1);
	assert_contains(r.out, "Interface       : tun7\n");
}

static void test_status_usage(void **state)
{
	struct fixture *f = *state;
	char args[128];
	struct run r;

	(void)f;
	status(&r, "--bogus");
	assert_int_equal(r.rc, 2);
	assert_contains(r.err, "usage: iphttps status");
	status(&r, "a b");
	assert_int_equal(r.rc, 2);
	status(&r, "--state-dir");
	assert_int_equal(r.rc, 2);
	status(&r, "--help");
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "usage: iphttps status");
	snprintf(args, sizeof(args), "--state-dir %s ../../etc/passwd", f->dir);
	status(&r, args);
	assert_int_equal(r.rc, 2);
	assert_contains(r.err, "not an interface name");
}

static void test_status_malformed(void **state)
{
	struct fixture *f = *state;
	char args[128];
	struct run r;

	put_file(f->dir, "iphttps0.status", "state=up\nlast_error=nope\n", 25);
	snprintf(args, sizeof(args), "--state-dir %s", f->dir);
	status(&r, args);
	assert_int_equal(r.rc, 1);
	assert_contains(r.err, "iphttps0.status: malformed status file\n");
	assert_string_equal(r.out, "");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_names),
	    T(test_exact_text),
	    T(test_newline_injection),
	    T(test_full_fields),
	    T(test_atomic_replace),
	    T(test_creates_dir),
	    T(test_bad_names),
	    T(test_missing),
	    T(test_malformed),
	    T(test_lenient_parts),
	    T(test_size_bound),
	    T(test_not_regular),
	    T(test_status_json),
	    T(test_status_text_backoff),
	    T(test_status_up),
	    T(test_status_not_running),
	    T(test_status_windows_strings),
	    T(test_status_escapes_terminal),
	    T(test_status_no_state),
	    T(test_status_pick_interface),
	    T(test_status_usage),
	    T(test_status_malformed),
	};

	return cmocka_run_group_tests_name("stfile", tests, NULL, NULL);
}
