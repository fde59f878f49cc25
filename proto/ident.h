/* SPDX-License-Identifier: ISC */
/*
 * ident: which client identities may connect: the counterpart of Windows' "subject must match
 * the computer account". An identity is a name from the client certificate (subject CN or a
 * subjectAltName dNSName) or the one a trusted load balancer passes on. Rules are exact names
 * and patterns; names compare case-insensitively (RFC 4343); in a pattern `*` matches any run
 * of characters within one label (never a '.'), so "*.corp.example.com" matches
 * "pc1.corp.example.com" but not "a.b.corp.example.com" nor "corp.example.com"; a label of
 * stars alone stands for one whole, non-empty label, while "pc*" also matches "pc".
 * No rules at all means any identity is accepted (the certificate chain is then the gate):
 * the caller decides that with ident_any; ident_match itself is false when there are none.
 * Large allow-lists (one name per managed machine) are sorted once and searched by bisection.
 * Pure: no files (the caller reads them), no logging.
 */
#ifndef PROTO_IDENT_H
#define PROTO_IDENT_H

#include <stdbool.h>
#include <stddef.h>

#define IDENT_NAME_MAX	 253	/* a DNS name, RFC 1035 §2.3.4 (CNs may be any text up to 64) */
#define IDENT_FILE_LINES 200000 /* names in one allow-list file at most */

struct ident_rules {
	char **exact; /* sorted after ident_finish; lower case */
	size_t nexact, capexact;
	char **glob; /* patterns with '*'; lower case */
	size_t nglob, capglob;
	bool finished;
};

void ident_init(struct ident_rules *r);
void ident_free(struct ident_rules *r);
/*
 * Adds one name or pattern: 1..IDENT_NAME_MAX printable ASCII characters without spaces;
 * -1 with a reason in err (and nothing added).
 */
int ident_add(struct ident_rules *r, const char *pattern, char *err, size_t errlen);
/*
 * Adds every line of an allow-list file held in memory: one name or pattern per line, blank
 * lines and '#' comments ignored (a '#' at the start of a line or after a space or tab: "a#b"
 * is a name), surrounding spaces, tabs and CR trimmed; at most IDENT_FILE_LINES names. Stops
 * at the first bad line with "line N: reason" in err and returns -1 (rules added before it
 * stay: call ident_free).
 */
int ident_add_text(struct ident_rules *r, const char *text, size_t len, char *err, size_t errlen);
/* Sorts the exact names and drops duplicates; call after the last add and before ident_match
 * (an add after it still works, with a linear search until the next ident_finish). */
void ident_finish(struct ident_rules *r);
/* Whether any rules were added. */
bool ident_any(const struct ident_rules *r);
/* Whether name matches a rule. False for NULL, "", names longer than IDENT_NAME_MAX and names
 * with spaces, control or non-ASCII characters (no rule can hold them). */
bool ident_match(const struct ident_rules *r, const char *name);

#endif
