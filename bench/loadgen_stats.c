/* SPDX-License-Identifier: ISC */
/*
 * loadgen_stats: the one-line JSON report. Counters come from struct loadgen; the handshake
 * times (connect to RA) are those of the tunnels up at the moment, sorted for the median and
 * the 99th percentile (nearest rank); the resident set size is read from /proc/self/statm,
 * with the size before the tunnels were allocated beside it so that the generator's own cost
 * per tunnel is (rss_kb - rss_base_kb) / up. Does not: keep a history of handshake times.
 *
 * Fields: phase ("ramp" periodic while opening, "hold" when all are up or failed and periodic
 * after, "back" when all are up again after an outage, "ready" in the ready file, "end" last);
 * target (N); up (now); failed (attempts that failed, the sum of failures); failures by step
 * (tcp, tls, http, ra, timeout); dropped (up tunnels the gateway closed); attempts; inflight;
 * elapsed_ms (since the first connect); ramp_ms (first connect to the last first-time up);
 * rate_per_s (tunnels up at least once over ramp_ms); handshake_ms median and p99 (null with
 * none up); with --reconnect back_ms (the last outage: first drop to all N up again; null
 * before one ended) and outages; rss_kb, rss_base_kb, heap_kb (malloc's bytes in use; 0 under
 * ASan).
 */
#include "bench/loadgen.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/log.h"

struct loadgen_pct {
	double median_ms, p99_ms;
	bool have;
};

uint64_t loadgen_stats_rss_kb(void)
{
	unsigned long long size, resident;
	long page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "re");
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	if (n != 2 || page <= 0)
		return 0;
	return resident * (unsigned long long)page / 1024;
}

/* Bytes malloc has handed out and not had back (glibc): beside rss_kb, it tells the tunnels'
   own memory from the allocator's free pages. */
static uint64_t loadgen_stats_heap_kb(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (mi.uordblks + mi.hblkhd) / 1024;
}

static int loadgen_stats_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least p of the values at or below it. */
static double loadgen_stats_rank(const uint32_t *v, size_t n, double p)
{
	size_t k = (size_t)(p * (double)n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1] / 1000.0;
}

static struct loadgen_pct loadgen_stats_pct(const struct loadgen *lg)
{
	struct loadgen_pct r = {0, 0, false};
	uint32_t *v;
	size_t n = 0;

	if (lg->up == 0 || !(v = malloc(lg->up * sizeof(*v))))
		return r;
	for (uint32_t i = 0; i < lg->o.count && n < lg->up; i++)
		if (lg->tun[i].state == LOADGEN_UP)
			v[n++] = lg->tun[i].hs_us;
	qsort(v, n, sizeof(*v), loadgen_stats_cmp);
	if (n > 0) {
		r.median_ms = loadgen_stats_rank(v, n, 0.5);
		r.p99_ms = loadgen_stats_rank(v, n, 0.99);
		r.have = true;
	}
	free(v);
	return r;
}

static void loadgen_stats_line(struct loadgen *lg, const char *phase, FILE *f)
{
	const uint64_t *fl = lg->failures;
	struct loadgen_pct p = loadgen_stats_pct(lg);
	uint64_t now = loadgen_now_us();
	uint64_t elapsed = lg->attempts ? now - lg->t_start_us : 0;
	uint64_t ramp = lg->first_ups ? lg->t_last_up_us - lg->t_start_us : 0;

	fprintf(f, "{\"phase\":\"%s\",\"target\":%u,\"up\":%u,\"failed\":%llu,", phase, lg->o.count,
		lg->up, (unsigned long long)lg->failed);
	fprintf(f,
		"\"failures\":{\"tcp\":%llu,\"tls\":%llu,\"http\":%llu,\"ra\":%llu,"
		"\"timeout\":%llu},",
		(unsigned long long)fl[LOADGEN_F_TCP], (unsigned long long)fl[LOADGEN_F_TLS],
		(unsigned long long)fl[LOADGEN_F_HTTP], (unsigned long long)fl[LOADGEN_F_RA],
		(unsigned long long)fl[LOADGEN_F_TIMEOUT]);
	fprintf(f, "\"dropped\":%llu,\"attempts\":%llu,\"inflight\":%u,",
		(unsigned long long)lg->dropped, (unsigned long long)lg->attempts, lg->inflight);
	/* rate_per_s: tunnels that came up (the first time) over the time from the first connect
	   to the last of those. */
	fprintf(f, "\"elapsed_ms\":%llu,\"ramp_ms\":%llu,\"rate_per_s\":%.1f,",
		(unsigned long long)(elapsed / 1000), (unsigned long long)(ramp / 1000),
		ramp ? lg->first_ups * 1e6 / (double)ramp : 0.0);
	if (p.have)
		fprintf(f, "\"handshake_ms\":{\"median\":%.3f,\"p99\":%.3f},", p.median_ms,
			p.p99_ms);
	else
		fprintf(f, "\"handshake_ms\":{\"median\":null,\"p99\":null},");
	if (lg->o.reconnect) {
		if (lg->back_ms >= 0)
			fprintf(f, "\"back_ms\":%lld,", (long long)lg->back_ms);
		else
			fprintf(f, "\"back_ms\":null,");
		fprintf(f, "\"outages\":%u,", lg->outages);
	}
	fprintf(f, "\"rss_kb\":%llu,\"rss_base_kb\":%llu,\"heap_kb\":%llu}\n",
		(unsigned long long)loadgen_stats_rss_kb(), (unsigned long long)lg->rss_base_kb,
		(unsigned long long)loadgen_stats_heap_kb());
}

void loadgen_stats_print(struct loadgen *lg, const char *phase)
{
	loadgen_stats_line(lg, phase, stdout);
	fflush(stdout);
}

void loadgen_stats_ready(struct loadgen *lg)
{
	char tmp[4096];
	FILE *f;
	int n;

	if (!lg->o.ready_file)
		return;
	/* Beside it, then renamed: a script polling for the file never reads half a line. */
	n = snprintf(tmp, sizeof(tmp), "%s.tmp", lg->o.ready_file);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		log_warnx("--ready-file: name too long");
		return;
	}
	if (!(f = fopen(tmp, "we"))) {
		log_warn("%s", tmp);
		return;
	}
	loadgen_stats_line(lg, "ready", f);
	if (fclose(f) != 0 || rename(tmp, lg->o.ready_file) == -1)
		log_warn("%s", lg->o.ready_file);
}
