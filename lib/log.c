/* SPDX-License-Identifier: ISC */
/*
 * log: stderr or syslog sink with levels. Every entry point saves and restores errno so that
 * logging between a failing call and its error check never changes the outcome.
 */
#include "lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static struct {
	const char *ident;
	bool to_syslog;
	enum log_level level;
} log_sink = {"iphttps", false, LOG_LVL_INFO};

static const char *const log_names[] = {"err", "warn", "notice", "info", "debug"};
static const int log_prio[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG};

void log_init(const char *ident, bool to_syslog, enum log_level level)
{
	int saved = errno;

	log_sink.ident = ident;
	log_sink.to_syslog = to_syslog;
	log_sink.level = level;
	if (to_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	errno = saved;
}

void log_set_level(enum log_level level)
{
	log_sink.level = level;
}

enum log_level log_get_level(void)
{
	return log_sink.level;
}

bool log_enabled(enum log_level level)
{
	return level <= log_sink.level;
}

int log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++)
		if (strcmp(name, log_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *log_level_name(enum log_level level)
{
	if ((unsigned)level >= sizeof(log_names) / sizeof(log_names[0]))
		return "?";
	return log_names[level];
}

static void __attribute__((format(printf, 3, 0)))
log_vemit(enum log_level level, const char *err, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno;

	if (!log_enabled(level)) {
		errno = saved;
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_sink.to_syslog) {
		if (err)
			syslog(log_prio[level], "%s: %s", msg, err);
		else
			syslog(log_prio[level], "%s", msg);
	} else {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %s[%s]: %s%s%s\n", stamp, ts.tv_nsec / 1000000,
			log_sink.ident, log_names[level], msg, err ? ": " : "", err ? err : "");
	}
	errno = saved;
}

#define LOG_BODY(level, err)                                                                       \
	do {                                                                                       \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		log_vemit(level, err, fmt, ap);                                                    \
		va_end(ap);                                                                        \
	} while (0)

void log_warn(const char *fmt, ...)
{
	const char *err = strerror(errno);

	LOG_BODY(LOG_LVL_WARN, err);
}

void log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_WARN, NULL);
}

void log_errx(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_ERR, NULL);
}

void log_notice(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_NOTICE, NULL);
}

void log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_INFO, NULL);
}

void log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_DEBUG, NULL);
}

void log_fatal(const char *fmt, ...)
{
	const char *err = strerror(errno);

	LOG_BODY(LOG_LVL_ERR, err);
	exit(1);
}

void log_fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_ERR, NULL);
	exit(1);
}
