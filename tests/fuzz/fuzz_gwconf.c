/* SPDX-License-Identifier: ISC */
/*
 * fuzz_gwconf: libFuzzer over gwconf_parse. Besides memory safety and bounded work it checks
 * the round trip: a configuration that parses cleanly prints text that parses cleanly again and
 * prints identically (what `iphttpsd -nv` promises).
 * The error messages go nowhere: glibc's `stderr` is an ordinary variable, so log.c's
 * fprintf(stderr, ...) is pointed at /dev/null while libFuzzer and the sanitizers keep the real
 * descriptor 2. Set FUZZ_GWCONF_LOG=1 to see the messages.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iphttpsd/gwconf.h"
#include "lib/log.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FILE *null;

	(void)argc;
	(void)argv;
	log_init("fuzz_gwconf", false, LOG_LVL_ERR);
	if (getenv("FUZZ_GWCONF_LOG") == NULL && (null = fopen("/dev/null", "w")) != NULL)
		stderr = null;
	return 0;
}

static char *fuzz_print(const struct gwconf *c, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		abort();
	gwconf_print(c, f);
	if (fclose(f) != 0)
		abort();
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gwconf c, d;
	char *first, *second;
	size_t n1, n2;

	gwconf_defaults(&c);
	if (gwconf_parse(&c, (const char *)data, size, "fuzz") != 0)
		return 0;
	first = fuzz_print(&c, &n1);
	gwconf_defaults(&d);
	if (gwconf_parse(&d, first, n1, "printed") != 0)
		abort(); /* the printout of a valid configuration must be valid */
	second = fuzz_print(&d, &n2);
	if (n1 != n2 || memcmp(first, second, n1) != 0)
		abort(); /* and must print the same */
	free(first);
	free(second);
	return 0;
}
