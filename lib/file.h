/* SPDX-License-Identifier: ISC */
/*
 * file: reads a whole small file (configuration, state) into memory with a hard size limit, so
 * a file that grew, or a device planted under its name, cannot make a reader take unbounded
 * memory. The text is NUL-terminated for the parsers; the length excludes the NUL. And the
 * last step of an atomic replace: syncing the directory after the rename.
 */
#ifndef LIB_FILE_H
#define LIB_FILE_H

#include <stddef.h>

/*
 * Reads fd to its end; more than max bytes fails with EFBIG (one byte past the limit tells a
 * file that is too large from one exactly full). Does not close fd. Returns a malloc'd buffer,
 * or NULL with errno set.
 */
char *file_read_fd(int fd, size_t max, size_t *len);
/* The same for a path (opened read-only, close-on-exec). */
char *file_read(const char *path, size_t max, size_t *len);
/*
 * Makes a rename of (or onto) path durable by syncing the directory that holds it. Best effort:
 * the renamed file is in place whatever happens here, so nothing is reported.
 */
void file_sync_dir(const char *path);

#endif
