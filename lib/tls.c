/* SPDX-License-Identifier: ISC */
/*
 * tls: server SSL_CTX policy per cipher profile and loading from memory (RSA and ECDSA pairs,
 * client CA bundle and CRLs), client certificate verification into a per-connection verdict,
 * the NULL-only ClientHello refusal, self-signed certificate creation, certificate summaries,
 * connection descriptions and error-queue formatting on OpenSSL 3.
 * No sockets, no event loop, no logging, no globals. Key material is only ever held in OpenSSL
 * objects or in secure-memory BIOs that are cleansed before they are freed.
 */
#include "lib/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/buf.h"
#include "lib/file.h"

/*
 * TLS 1.2 ECDHE suites with AEAD (RFC 5289, RFC 7905), in server order: ECDSA before RSA because
 * an ECDSA certificate only matches the ECDSA ones anyway, AES-128 first as Windows DirectAccess
 * servers order it ([ms-iphttps.md §3.4]). No CBC (Lucky 13 class), no finite-field DHE (weak
 * or slow groups, RFC 7919 §1), no export or NULL suites in any profile but compat.
 */
#define TLS_CIPHERS_ECDHE                                                                          \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                               \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                               \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

/* TLS_RSA_WITH_AES_*_GCM (RFC 5288): no forward secrecy, kept by Windows servers (compat). */
#define TLS_CIPHERS_RSA_KX "AES128-GCM-SHA256:AES256-GCM-SHA384"

/*
 * TLS_RSA_WITH_NULL_SHA256 (0x003B) and TLS_RSA_WITH_NULL_SHA (0x0002), RFC 5246 Appendix A.5:
 * what Windows 8+ clients offer first, the payload being IPsec already ([ms-iphttps.md §3.4]).
 */
#define TLS_CIPHERS_NULL "NULL-SHA256:NULL-SHA"

/* What the client context offers: the modern and compat encrypted suites. */
#define TLS_CIPHERS_TLS12 TLS_CIPHERS_ECDHE ":" TLS_CIPHERS_RSA_KX

/* TLS 1.3 suites (RFC 8446 §9.1), AES-128 first like hardened DirectAccess servers. */
#define TLS_SUITES_TLS13                                                                           \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

/*
 * Key exchange groups: elliptic curves only. OpenSSL 3.0 also offers ffdhe2048.. in TLS 1.3
 * (RFC 8446 §4.2.7) by default, which "no finite-field DHE" rules out as well. Windows 10+
 * speaks X25519, P-256 and P-384.
 */
#define TLS_GROUPS "X25519:P-256:P-384"

/*
 * Signature algorithms (RFC 8446 §4.2.3, RFC 5246 §7.4.1.4.1), for our CertificateVerify and
 * ServerKeyExchange and, in the CertificateRequest, for the client's: no SHA-1 and no SHA-224,
 * whatever the security level (compat runs at 0). ECDSA first: with both certificates a TLS 1.3
 * client that takes either gets the ECDSA one (server preference orders the shared list).
 */
#define TLS_SIGALGS                                                                                \
	"ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ed25519:ed448:"                                    \
	"rsa_pss_pss_sha256:rsa_pss_pss_sha384:rsa_pss_pss_sha512:"                                \
	"rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"                             \
	"RSA+SHA256:RSA+SHA384:RSA+SHA512"

/* 112-bit level: RSA/DH >= 2048, ECC >= 224, no SHA-1 signatures. Explicit, not openssl.cnf. */
#define TLS_SECLEVEL	  2
#define TLS_SECLEVEL_BITS 112

#define TLS_MAX_CHAIN 10 /* intermediates after a leaf; real chains have 1 or 2 */

#define TLS_SELFSIGNED_DAYS 3650
#define TLS_SELFSIGNED_BITS 2048
#define TLS_CN_MAX	    64 /* ub-common-name, RFC 5280 Appendix A */

/* ---------------------------------------------------------------------------------------------
 * Error text */

struct tls_line {
	char *buf;
	size_t len, off;
};

static void tls_line_add(struct tls_line *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tls_line_add(struct tls_line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->off + 1 >= l->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->off, l->len - l->off, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	l->off += (size_t)n;
	if (l->off >= l->len)
		l->off = l->len - 1;
}

/* Keeps a message on one line: control characters (from OpenSSL details, names) become ' '. */
static void tls_one_line(char *s, size_t len)
{
	for (size_t i = 0; i < len && s[i] != '\0'; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
}

/* One entry: the reason string, ": detail" when OpenSSL attached text (file names, decoders). */
static void tls_error_entry(unsigned long e, const char *data, int flags, char *out, size_t len)
{
	const char *reason = ERR_reason_error_string(e);
	int n;

	if (reason != NULL)
		n = snprintf(out, len, "%s", reason);
	else
		n = snprintf(out, len, "error:%08lX", e);
	if (n >= 0 && (size_t)n < len && data != NULL && *data != '\0' && (flags & ERR_TXT_STRING))
		snprintf(out + n, len - (size_t)n, ": %s", data);
}

const char *tls_errors(char *buf, size_t len)
{
	struct tls_line l = {buf, len, 0};
	char prev[256] = "", cur[256];
	const char *data;
	unsigned long e;
	int flags;

	if (len > 0)
		buf[0] = '\0';
	/* Drain the whole queue even when buf is full: a stale entry would blame the next call. */
	while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
		tls_error_entry(e, data, flags, cur, sizeof(cur));
		if (strcmp(cur, prev) == 0)
			continue; /* OpenSSL 3 decoders repeat one reason per tried format */
		tls_line_add(&l, "%s%s", l.off > 0 ? "; " : "", cur);
		memcpy(prev, cur, sizeof(prev));
	}
	tls_one_line(buf, len);
	return buf;
}

static void tls_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void tls_seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	tls_one_line(err, errlen);
}

/* "what: <OpenSSL reasons>"; always drains the queue. */
static void tls_seterr_ssl(char *err, size_t errlen, const char *what)
{
	char reasons[TLS_ERRLEN];

	tls_errors(reasons, sizeof(reasons));
	tls_seterr(err, errlen, "%s: %s", what, reasons[0] != '\0' ? reasons : "unknown error");
}

/* Puts "pair N: " before the message of the pair that failed when there are several. */
static void tls_err_prefix(char *err, size_t errlen, size_t i)
{
	char msg[TLS_ERRLEN];

	if (errlen == 0)
		return;
	snprintf(msg, sizeof(msg), "%s", err);
	tls_seterr(err, errlen, "pair %zu: %s", i + 1, msg);
}

/* ---------------------------------------------------------------------------------------------
 * Names and keys, for summaries and client identities */

/* RFC 2253 with ESC_CTRL and ESC_MSB: always one line of ASCII, so cutting it is safe. */
void tls_name_line(const X509_NAME *name, char *out, size_t len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *p;
	long n;

	out[0] = '\0';
	if (bio == NULL)
		return;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_get_mem_data(bio, &p)) > 0)
		snprintf(out, len, "%.*s", (int)(n < INT_MAX ? n : INT_MAX), p);
	BIO_free(bio);
}

/* "RSA 2048", "EC P-256" (NIST name when there is one, else the OpenSSL group name). */
static void tls_key_desc(const EVP_PKEY *pkey, char *out, size_t len)
{
	char group[64];
	const char *nist, *name;

	if (pkey == NULL) {
		snprintf(out, len, "unknown");
	} else if (EVP_PKEY_is_a(pkey, "EC") &&
		   EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
						  sizeof(group), NULL)) {
		nist = EC_curve_nid2nist(OBJ_sn2nid(group));
		snprintf(out, len, "EC %.28s", nist != NULL ? nist : group);
	} else {
		name = EVP_PKEY_get0_type_name(pkey);
		snprintf(out, len, "%s %d", name != NULL ? name : "unknown",
			 EVP_PKEY_get_bits(pkey));
	}
}

/*
 * Copies n bytes of a name from a certificate as one line: control characters, DEL and '\'
 * become "\XX" (RFC 4514 §2.4 style), so an embedded NUL or newline can neither cut a name
 * short nor forge a log line. A name that does not fit is dropped (out is ""), never cut: a
 * prefix could match an identity rule the whole name does not. Returns whether it fitted.
 */
static bool tls_copy_name(char *out, size_t len, const unsigned char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		bool esc = c < 0x20 || c == 0x7f || c == '\\';

		if (o + (esc ? 3 : 1) >= len) {
			out[0] = '\0';
			return false;
		}
		if (esc)
			o += (size_t)snprintf(out + o, len - o, "\\%02X", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return true;
}

/* ---------------------------------------------------------------------------------------------
 * Server policy per profile */

const char *tls_profile_name(enum tls_profile p)
{
	switch (p) {
	case TLS_PROFILE_COMPAT:
		return "compat";
	case TLS_PROFILE_MODERN:
		return "modern";
	case TLS_PROFILE_STRICT:
		return "strict";
	}
	return "unknown";
}

/* The TLS 1.2 list of a profile; strict never gets to use it (TLS 1.3 only). */
static const char *tls_profile_ciphers(enum tls_profile p)
{
	switch (p) {
	case TLS_PROFILE_COMPAT:
		/* Server preference: NULL only for a client that offers nothing better. */
		return TLS_CIPHERS_ECDHE ":" TLS_CIPHERS_RSA_KX ":" TLS_CIPHERS_NULL;
	case TLS_PROFILE_MODERN:
	case TLS_PROFILE_STRICT:
		return TLS_CIPHERS_ECDHE;
	}
	return NULL;
}

/*
 * Versions, security level and lists. RFC 8996 retired TLS 1.0/1.1; Windows 8+ and updated 7
 * speak 1.2 (ms-iphttps.md §3.1). OpenSSL 3.0 drops eNULL suites above security level 0, so
 * compat runs at 0 and puts back by other means what level 2 gave: the explicit lists here,
 * level 2 while our certificates are loaded, auth level 2 for client chains.
 */
static int tls_policy_lists(SSL_CTX *ctx, enum tls_profile profile)
{
	const char *ciphers = tls_profile_ciphers(profile);

	if (ciphers == NULL) {
		ERR_raise(ERR_LIB_SSL, ERR_R_PASSED_INVALID_ARGUMENT);
		return -1;
	}
	if (!SSL_CTX_set_min_proto_version(ctx, profile == TLS_PROFILE_STRICT ? TLS1_3_VERSION
									      : TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, 0))
		return -1;
	SSL_CTX_set_security_level(ctx, profile == TLS_PROFILE_COMPAT ? 0 : TLS_SECLEVEL);
	X509_VERIFY_PARAM_set_auth_level(SSL_CTX_get0_param(ctx), TLS_SECLEVEL);
	if (!SSL_CTX_set_cipher_list(ctx, ciphers) ||
	    !SSL_CTX_set_ciphersuites(ctx, TLS_SUITES_TLS13) ||
	    !SSL_CTX_set1_groups_list(ctx, TLS_GROUPS) ||
	    !SSL_CTX_set1_sigalgs_list(ctx, TLS_SIGALGS))
		return -1;
	return 0;
}

int tls_server_policy(SSL_CTX *ctx, enum tls_profile profile)
{
	if (tls_policy_lists(ctx, profile) == -1)
		return -1;
	/*
	 * No compression (CRIME); no renegotiation in either direction (RFC 5746 attacks, and the
	 * client certificate is asked for in the first handshake, [ms-iphttps.md §3.3]); the
	 * server's suite order wins so the lists above mean something.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
				     SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
	/*
	 * RELEASE_BUFFERS frees the 16 KB+ record buffers of an idle connection (13 KB instead of
	 * 46 KB each); the daemon writes from a queue that may move and accepts partial writes.
	 * NO_AUTO_CHAIN: send exactly the configured chain, never certificates OpenSSL would
	 * otherwise pull from the client CA store.
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
				  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_NO_AUTO_CHAIN);
	/*
	 * One long-lived connection per client: resumption buys nothing and a cache or ticket keys
	 * cost memory. NO_TICKET alone still sends stateful TLS 1.3 tickets (RFC 8446 §4.6.1);
	 * num_tickets 0 sends none.
	 */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (!SSL_CTX_set_num_tickets(ctx, 0))
		return -1;
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Certificate and key pairs */

/* A read-only memory BIO over the caller's bytes (nothing is copied). */
static BIO *tls_mem_bio(const char *pem, size_t len)
{
	if (pem == NULL || len == 0 || len > INT_MAX)
		return NULL;
	return BIO_new_mem_buf(pem, (int)len);
}

/* True when the last error is "no start line": the PEM input simply ended. */
static bool tls_pem_ended(void)
{
	unsigned long e = ERR_peek_last_error();

	return ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
}

/* Refuses encrypted keys instead of letting OpenSSL prompt on a terminal (PEM_def_callback). */
static int tls_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

struct tls_pair {
	X509 *leaf;
	STACK_OF(X509) * chain; /* intermediates, in the order they are sent */
	EVP_PKEY *key;
};

static void tls_pair_free(struct tls_pair *p)
{
	X509_free(p->leaf);
	sk_X509_pop_free(p->chain, X509_free);
	EVP_PKEY_free(p->key);
}

/* The intermediates after the leaf, up to TLS_MAX_CHAIN. */
static int tls_read_intermediates(BIO *bio, struct tls_pair *p, char *err, size_t errlen)
{
	X509 *x;

	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_num(p->chain) >= TLS_MAX_CHAIN) {
			X509_free(x);
			tls_seterr(err, errlen, "more than %d chain certificates", TLS_MAX_CHAIN);
			return -1;
		}
		if (!sk_X509_push(p->chain, x)) {
			X509_free(x);
			tls_seterr_ssl(err, errlen, "cannot add chain certificate");
			return -1;
		}
	}
	if (!tls_pem_ended()) {
		tls_seterr_ssl(err, errlen, "cannot read chain certificate");
		return -1;
	}
	ERR_clear_error();
	return 0;
}

/* Leaf, then each further certificate as a chain certificate for the leaf's key type. */
static int tls_read_chain(const struct tls_pem *pem, struct tls_pair *p, char *err, size_t errlen)
{
	BIO *bio = tls_mem_bio(pem->p, pem->len);
	int rc = -1;

	if (bio == NULL) {
		tls_seterr(err, errlen, "certificate: empty or too large");
		return -1;
	}
	if ((p->leaf = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL) {
		tls_seterr_ssl(err, errlen, "cannot load certificate");
		goto out;
	}
	if ((p->chain = sk_X509_new_null()) == NULL) {
		tls_seterr_ssl(err, errlen, "cannot load certificate");
		goto out;
	}
	rc = tls_read_intermediates(bio, p, err, errlen);
out:
	BIO_free(bio);
	return rc;
}

static int tls_read_key(const struct tls_pem *pem, struct tls_pair *p, char *err, size_t errlen)
{
	BIO *bio = tls_mem_bio(pem->p, pem->len);

	if (bio == NULL) {
		tls_seterr(err, errlen, "private key: empty or too large");
		return -1;
	}
	p->key = PEM_read_bio_PrivateKey(bio, NULL, tls_no_passphrase, NULL);
	BIO_free(bio);
	if (p->key == NULL) {
		tls_seterr_ssl(err, errlen, "cannot load private key (unencrypted PEM expected)");
		return -1;
	}
	return 0;
}

/*
 * The key belongs to the leaf; the leaf's key has 112-bit strength (RSA >= 2048, EC >= 224)
 * whatever the profile's security level; one pair per key type, because OpenSSL keeps one
 * certificate per type and picks among types by suite and signature algorithms.
 */
static int tls_check_pair(const struct tls_pair *p, const char *types[], size_t i, char *err,
			  size_t errlen)
{
	const EVP_PKEY *pub = X509_get0_pubkey(p->leaf);
	char desc[32];

	if (!X509_check_private_key(p->leaf, p->key)) {
		tls_seterr_ssl(err, errlen, "private key does not match the certificate");
		return -1;
	}
	if (EVP_PKEY_get_security_bits(pub) < TLS_SECLEVEL_BITS) {
		tls_key_desc(pub, desc, sizeof(desc));
		tls_seterr(err, errlen,
			   "certificate key too small: %s (at least RSA 2048 or EC 224 bits)",
			   desc);
		return -1;
	}
	types[i] = EVP_PKEY_get0_type_name(pub);
	for (size_t j = 0; j < i; j++) {
		if (types[i] != NULL && types[j] != NULL && strcmp(types[i], types[j]) == 0) {
			tls_seterr(err, errlen, "two %s certificates: at most one per key type",
				   types[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * Loads pair i. SSL_CTX_use_cert_and_key files the chain under the leaf's key type, so each
 * certificate goes out with its own intermediates; override 0 refuses a second leaf of a type.
 */
static int tls_load_pair(SSL_CTX *ctx, const struct tls_server_opts *o, size_t i,
			 const char *types[], bool *rsa, char *err, size_t errlen)
{
	struct tls_pair p = {NULL, NULL, NULL};
	int rc = -1;

	if (tls_read_chain(&o->cert[i], &p, err, errlen) == -1 ||
	    tls_read_key(&o->key[i], &p, err, errlen) == -1 ||
	    tls_check_pair(&p, types, i, err, errlen) == -1)
		goto out;
	if (!SSL_CTX_use_cert_and_key(ctx, p.leaf, p.key, p.chain, 0)) {
		tls_seterr_ssl(err, errlen, "cannot use certificate and key");
		goto out;
	}
	if (EVP_PKEY_is_a(p.key, "RSA"))
		*rsa = true;
	rc = 0;
out:
	tls_pair_free(&p);
	if (rc == -1 && o->ncert > 1)
		tls_err_prefix(err, errlen, i);
	return rc;
}

/*
 * All pairs, loaded at security level 2 whatever the profile: OpenSSL then also refuses chain
 * certificates with weak keys or SHA-1 signatures ("ca md too weak"), which compat's level 0
 * would let through. The profile's level is restored afterwards.
 */
static int tls_load_pairs(SSL_CTX *ctx, const struct tls_server_opts *o, bool *rsa, char *err,
			  size_t errlen)
{
	const char *types[TLS_MAX_CERTS] = {NULL};
	int level = SSL_CTX_get_security_level(ctx), rc = 0;

	SSL_CTX_set_security_level(ctx, TLS_SECLEVEL);
	for (size_t i = 0; i < o->ncert && rc == 0; i++)
		rc = tls_load_pair(ctx, o, i, types, rsa, err, errlen);
	SSL_CTX_set_security_level(ctx, level);
	return rc;
}

/* Whether the first certificate of pem has an RSA key (TLS_RSA_* key exchange needs one). */
static bool tls_pem_is_rsa(const struct tls_pem *pem)
{
	BIO *bio = tls_mem_bio(pem->p, pem->len);
	X509 *x = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	bool rsa = x != NULL && EVP_PKEY_is_a(X509_get0_pubkey(x), "RSA");

	X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
	return rsa;
}

bool tls_server_null_possible(const struct tls_server_opts *o)
{
	if (o->profile != TLS_PROFILE_COMPAT)
		return false;
	for (size_t i = 0; i < o->ncert && i < TLS_MAX_CERTS; i++)
		if (tls_pem_is_rsa(&o->cert[i]))
			return true;
	return false;
}

/* ---------------------------------------------------------------------------------------------
 * Client CA bundle and CRLs */

/*
 * Every certificate of the bundle becomes a trust anchor of the context's store and its subject
 * a CA name of the CertificateRequest (RFC 5246 §7.4.4 certificate_authorities, RFC 8446
 * §4.2.4), so a client with several certificates (Windows, ms-iphttps.md §3.3) picks one of
 * ours. Other PEM blocks are skipped; a bundle without any certificate is an error.
 */
static int tls_load_client_ca(SSL_CTX *ctx, const struct tls_pem *ca, char *err, size_t errlen)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);
	BIO *bio = tls_mem_bio(ca->p, ca->len);
	size_t n = 0;
	X509 *x;
	int ok;

	if (bio == NULL) {
		tls_seterr(err, errlen, "client CA bundle: too large");
		return -1;
	}
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		ok = X509_STORE_add_cert(store, x) && SSL_CTX_add_client_CA(ctx, x);
		X509_free(x);
		if (!ok) {
			tls_seterr_ssl(err, errlen, "client CA bundle: cannot add certificate");
			goto fail;
		}
		n++;
	}
	if (!tls_pem_ended()) {
		tls_seterr_ssl(err, errlen, "client CA bundle: cannot read certificate");
		goto fail;
	}
	if (n == 0) {
		tls_seterr(err, errlen, "client CA bundle: no certificate in it");
		goto fail;
	}
	ERR_clear_error();
	BIO_free(bio);
	return 0;
fail:
	BIO_free(bio);
	return -1;
}

/* PEM: one or more CRLs, other blocks skipped. Returns how many were added, or -1. */
static int tls_add_crls_pem(X509_STORE *store, BIO *bio)
{
	X509_CRL *crl;
	int n = 0;

	while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
		int ok = X509_STORE_add_crl(store, crl);

		X509_CRL_free(crl);
		if (!ok)
			return -1;
		n++;
	}
	if (!tls_pem_ended())
		return -1;
	ERR_clear_error();
	return n;
}

/* DER: exactly one CRL and nothing after it. */
static int tls_add_crl_der(X509_STORE *store, BIO *bio)
{
	X509_CRL *crl = d2i_X509_CRL_bio(bio, NULL);
	int ok;

	if (crl == NULL)
		return -1;
	if (BIO_ctrl_pending(bio) != 0)
		ERR_raise_data(ERR_LIB_ASN1, ASN1_R_TOO_LONG, "data after the CRL");
	ok = BIO_ctrl_pending(bio) == 0 && X509_STORE_add_crl(store, crl);
	X509_CRL_free(crl);
	return ok ? 1 : -1;
}

/* CRL file i: DER starts with a SEQUENCE tag (X.690 §8.9), anything else is read as PEM. */
static int tls_load_crl(X509_STORE *store, const struct tls_pem *crl, size_t i, char *err,
			size_t errlen)
{
	BIO *bio = tls_mem_bio(crl->p, crl->len);
	char what[64];
	int n;

	snprintf(what, sizeof(what), "CRL %zu: cannot load", i + 1);
	if (bio == NULL) {
		tls_seterr(err, errlen, "CRL %zu: empty or too large", i + 1);
		return -1;
	}
	n = (unsigned char)crl->p[0] == 0x30 ? tls_add_crl_der(store, bio)
					     : tls_add_crls_pem(store, bio);
	BIO_free(bio);
	if (n <= 0) {
		if (n == 0)
			tls_seterr(err, errlen, "CRL %zu: no CRL in it", i + 1);
		else
			tls_seterr_ssl(err, errlen, what);
		return -1;
	}
	return 0;
}

static int tls_verify_client(X509_STORE_CTX *xs, void *arg);

/*
 * Client certificates ([ms-iphttps.md §3.3]): requested in the initial handshake, TLS 1.2 and
 * 1.3 alike, never required (no FAIL_IF_NO_PEER_CERT): tls_verify_client records the verdict
 * and lets the handshake finish, so the daemon answers HTTP 403 after the request as Windows
 * does. With any CRL every certificate of the chain below the trust anchor is checked
 * (X509_V_FLAG_CRL_CHECK_ALL): a revoked issuing CA revokes its machines too, as Windows'
 * chain engine has it; the CRL of every CA in the chain must then be loaded.
 */
static int tls_load_client_auth(SSL_CTX *ctx, const struct tls_server_opts *o, char *err,
				size_t errlen)
{
	X509_STORE *store = SSL_CTX_get_cert_store(ctx);

	if (o->client_ca.p == NULL || o->client_ca.len == 0) {
		if (o->ncrl > 0) {
			tls_seterr(err, errlen, "CRLs given without a client CA bundle");
			return -1;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	if (tls_load_client_ca(ctx, &o->client_ca, err, errlen) == -1)
		return -1;
	for (size_t i = 0; i < o->ncrl; i++)
		if (tls_load_crl(store, &o->crl[i], i, err, errlen) == -1)
			return -1;
	if (o->ncrl > 0 &&
	    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL) != 1) {
		tls_seterr_ssl(err, errlen, "cannot enable CRL checks");
		return -1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, NULL);
	SSL_CTX_set_cert_verify_callback(ctx, tls_verify_client, NULL);
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Client certificate verdict */

/* Last commonName: the most specific one (RFC 2818 §3.1). */
static void tls_peer_cn(const X509_NAME *name, char *out, size_t len)
{
	int i = -1, last = -1;
	unsigned char *utf8 = NULL;
	int n;

	out[0] = '\0';
	/* Bounded: each call returns a larger index or -1. */
	while ((i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0)
		last = i;
	if (last < 0)
		return;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
	if (n >= 0)
		tls_copy_name(out, len, utf8, (size_t)n);
	OPENSSL_free(utf8);
}

/* subjectAltName dNSNames (RFC 5280 §4.2.1.6), the first TLS_PEER_NAMES that fit. */
static void tls_peer_names(X509 *x, struct tls_peer *peer)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int n = gens != NULL ? sk_GENERAL_NAME_num(gens) : 0;

	peer->nnames = 0;
	for (int i = 0; i < n && peer->nnames < TLS_PEER_NAMES; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s;

		if (g->type != GEN_DNS)
			continue;
		s = g->d.dNSName;
		if (ASN1_STRING_length(s) > 0 &&
		    tls_copy_name(peer->names[peer->nnames], TLS_PEER_NAME_MAX,
				  ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s)))
			peer->nnames++;
	}
	GENERAL_NAMES_free(gens);
}

static void tls_peer_serial(const X509 *x, char *out, size_t len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

	snprintf(out, len, "%s", hex != NULL ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
}

/* Who the client says it is, recorded whatever the verdict (for the log of a refusal). */
static void tls_peer_fill(struct tls_peer *peer, X509 *leaf)
{
	peer->cert_presented = true;
	peer->cert_ok = false;
	peer->reason[0] = '\0';
	tls_name_line(X509_get_subject_name(leaf), peer->subject, sizeof(peer->subject));
	tls_peer_cn(X509_get_subject_name(leaf), peer->cn, sizeof(peer->cn));
	tls_peer_names(leaf, peer);
	tls_peer_serial(leaf, peer->serial, sizeof(peer->serial));
}

/* Chain-building failures: the certificate does not lead to a client CA. */
static bool tls_verify_untrusted(int e)
{
	return e == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
	       e == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
	       e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
	       e == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	       e == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE || e == X509_V_ERR_CERT_UNTRUSTED ||
	       e == X509_V_ERR_CERT_REJECTED;
}

static bool tls_verify_usage(int e)
{
	return e == X509_V_ERR_INVALID_PURPOSE || e == X509_V_ERR_KEYUSAGE_NO_CERTSIGN ||
	       e == X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE;
}

/* The reason words the daemon logs and the end-to-end tests look for. */
static void tls_verify_reason(int e, int depth, char *out, size_t len)
{
	const char *text = X509_verify_cert_error_string(e);
	char d[24] = "";

	if (depth > 0)
		snprintf(d, sizeof(d), " (depth %d)", depth);
	if (e == X509_V_ERR_CERT_HAS_EXPIRED)
		snprintf(out, len, "certificate has expired%s", d);
	else if (e == X509_V_ERR_CERT_NOT_YET_VALID)
		snprintf(out, len, "certificate is not yet valid%s", d);
	else if (e == X509_V_ERR_CERT_REVOKED)
		snprintf(out, len, "certificate revoked%s", d);
	else if (e == X509_V_ERR_UNABLE_TO_GET_CRL)
		snprintf(out, len, "no CRL for the issuer%s", d);
	else if (e == X509_V_ERR_CRL_HAS_EXPIRED)
		snprintf(out, len, "CRL has expired%s", d);
	else if (tls_verify_untrusted(e))
		snprintf(out, len, "untrusted: %s%s", text, d);
	else if (tls_verify_usage(e))
		snprintf(out, len, "wrong key usage: %s%s", text, d);
	else if (e == X509_V_OK)
		snprintf(out, len, "certificate verification failed%s", d);
	else
		snprintf(out, len, "%s%s", text, d);
	tls_one_line(out, len);
}

/*
 * RFC 5280 §4.2.1.12: a leaf for TLS client authentication carries id-kp-clientAuth. OpenSSL's
 * "ssl_client" purpose only rejects an extendedKeyUsage that lacks it, not a missing one.
 */
static bool tls_has_client_eku(X509 *leaf)
{
	return (X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) != 0 &&
	       (X509_get_extended_key_usage(leaf) & XKU_SSL_CLIENT) != 0;
}

/* Chain to the client CAs, dates, CRL (when loaded), purpose at 112-bit strength, then EKU. */
static bool tls_verify_chain(X509_STORE_CTX *xs, X509 *leaf, char *reason, size_t len)
{
	X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(xs);
	int rc;

	X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_CLIENT);
	/* Explicit: compat's security level 0 must not admit weak keys or SHA-1 chains. */
	X509_VERIFY_PARAM_set_auth_level(param, TLS_SECLEVEL);
	rc = X509_verify_cert(xs);
	if (rc <= 0) {
		tls_verify_reason(X509_STORE_CTX_get_error(xs), X509_STORE_CTX_get_error_depth(xs),
				  reason, len);
		return false;
	}
	if (!tls_has_client_eku(leaf)) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_INVALID_PURPOSE);
		snprintf(reason, len, "wrong key usage: no TLS client authentication EKU");
		return false;
	}
	/* The client signs CertificateVerify (RFC 8446 §4.4.3, RFC 5246 §7.4.8): a keyUsage
	   must allow digitalSignature. OpenSSL's ssl_client purpose also takes keyAgreement. */
	if ((X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE)) {
		X509_STORE_CTX_set_error(xs, X509_V_ERR_INVALID_PURPOSE);
		snprintf(reason, len, "wrong key usage: no digitalSignature");
		return false;
	}
	return true;
}

/*
 * SSL_CTX_set_cert_verify_callback: runs for a presented certificate only. The verdict goes to
 * the connection's struct tls_peer and the handshake goes on (return 1) so the refusal is an
 * HTTP 403 after the request ([ms-iphttps.md §3.3]). Without an attached tls_peer nobody
 * would see the verdict: then a bad certificate fails the handshake (fail closed).
 * SSL_get_verify_result() still tells the X509_V_ERR code.
 */
static int tls_verify_client(X509_STORE_CTX *xs, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct tls_peer *peer = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
	X509 *leaf = X509_STORE_CTX_get0_cert(xs);
	char reason[sizeof(peer->reason)] = "";
	bool ok;

	(void)arg;
	if (leaf == NULL)
		return 0;
	/* Failed checks may queue errors; they must not turn the next WANT_READ into an error. */
	ERR_set_mark();
	ok = tls_verify_chain(xs, leaf, reason, sizeof(reason));
	if (peer != NULL) {
		tls_peer_fill(peer, leaf);
		peer->cert_ok = ok;
		if (!ok)
			memcpy(peer->reason, reason, sizeof(peer->reason));
	}
	ERR_pop_to_mark();
	return peer != NULL || ok ? 1 : 0;
}

/* ---------------------------------------------------------------------------------------------
 * NULL-only ClientHello */

/* Cipher suites without encryption (IANA TLS Cipher Suites registry, "_WITH_NULL_"). */
static bool tls_suite_is_null(uint16_t s)
{
	static const uint16_t null_suites[] = {
	    0x0000,				    /* TLS_NULL_WITH_NULL_NULL */
	    0x0001, 0x0002, 0x003B,		    /* TLS_RSA_WITH_NULL_MD5/SHA/SHA256 */
	    0x002C, 0x002D, 0x002E,		    /* TLS_{,DHE_,RSA_}PSK_WITH_NULL_SHA */
	    0x00B0, 0x00B1, 0x00B4, 0x00B5, 0x00B8, /* *PSK_WITH_NULL_SHA256/384 */
	    0x00B9, 0xC001, 0xC006, 0xC00B, 0xC010, /* ECDH(E)_{ECDSA,RSA}_WITH_NULL_SHA */
	    0xC015, 0xC039, 0xC03A, 0xC03B,	    /* ECDH_anon, ECDHE_PSK_WITH_NULL_* */
	    0xC0B4, 0xC0B5,			    /* TLS_SHA256_SHA256, TLS_SHA384_SHA384 */
	};

	for (size_t i = 0; i < sizeof(null_suites) / sizeof(null_suites[0]); i++)
		if (null_suites[i] == s)
			return true;
	return false;
}

/* Values that cannot be negotiated: the SCSVs (RFC 5746 §3.3, RFC 7507) and GREASE (RFC 8701). */
static bool tls_suite_is_signal(uint16_t s)
{
	return s == 0x00FF || s == 0x5600 || ((s & 0x0F0F) == 0x0A0A && (s >> 8) == (s & 0xFF));
}

static bool tls_hello_null_only(SSL *ssl)
{
	const unsigned char *p = NULL;
	size_t len = SSL_client_hello_get0_ciphers(ssl, &p);
	size_t nnull = 0, nother = 0;
	struct buf_cur c;
	uint16_t s;

	/* SSLv2-format hellos list 3-byte suites; OpenSSL refuses them by version anyway. */
	if (p == NULL || SSL_client_hello_isv2(ssl))
		return false;
	buf_cur_init(&c, p, len);
	while (buf_get_u16(&c, &s) == 0) {
		if (tls_suite_is_signal(s))
			continue;
		if (tls_suite_is_null(s))
			nnull++;
		else
			nother++;
	}
	return nnull > 0 && nother == 0;
}

/*
 * Installed on contexts that cannot negotiate NULL (not compat, or no RSA certificate). A
 * Windows 8+ client's first ClientHello offers only NULL suites; a handshake_failure alert
 * strands it at 0x80090326, a TCP reset makes it retry at once with encrypted suites
 * ([ms-iphttps.md §3.4]). RETRY stops SSL_accept before anything is written
 * (SSL_ERROR_WANT_CLIENT_HELLO_CB); the caller resets the connection.
 */
static int tls_hello_refuse_null(SSL *ssl, int *alert, void *arg)
{
	struct tls_peer *peer = SSL_get_app_data(ssl);

	(void)alert;
	(void)arg;
	if (!tls_hello_null_only(ssl))
		return SSL_CLIENT_HELLO_SUCCESS;
	if (peer != NULL)
		peer->null_refused = true;
	return SSL_CLIENT_HELLO_RETRY;
}

/* ---------------------------------------------------------------------------------------------
 * Server context */

static int tls_opts_check(const struct tls_server_opts *o, char *err, size_t errlen)
{
	if (tls_profile_ciphers(o->profile) == NULL) {
		tls_seterr(err, errlen, "unknown cipher profile %d", (int)o->profile);
		return -1;
	}
	if (o->ncert < 1 || o->ncert > TLS_MAX_CERTS) {
		tls_seterr(err, errlen, "certificate: need 1 to %d certificate/key pairs, not %zu",
			   TLS_MAX_CERTS, o->ncert);
		return -1;
	}
	if (o->ncrl > TLS_MAX_CRLS) {
		tls_seterr(err, errlen, "at most %d CRL files, not %zu", TLS_MAX_CRLS, o->ncrl);
		return -1;
	}
	return 0;
}

SSL_CTX *tls_server_ctx_new(const struct tls_server_opts *o, char *err, size_t errlen)
{
	SSL_CTX *ctx = NULL;
	bool rsa = false;

	tls_seterr(err, errlen, "%s", "");
	ERR_clear_error();
	if (tls_opts_check(o, err, errlen) == -1)
		goto fail;
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		tls_seterr_ssl(err, errlen, "cannot create TLS context");
		goto fail;
	}
	if (tls_server_policy(ctx, o->profile) == -1) {
		tls_seterr_ssl(err, errlen, "cannot apply TLS policy");
		goto fail;
	}
	if (tls_load_pairs(ctx, o, &rsa, err, errlen) == -1 ||
	    tls_load_client_auth(ctx, o, err, errlen) == -1)
		goto fail;
	/* NULL needs compat and TLS_RSA_* key exchange, i.e. an RSA certificate (§3.2). */
	if (!(o->profile == TLS_PROFILE_COMPAT && rsa))
		SSL_CTX_set_client_hello_cb(ctx, tls_hello_refuse_null, NULL);
	return ctx;
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

int tls_server_attach(SSL *ssl, struct tls_peer *peer)
{
	return SSL_set_app_data(ssl, peer) == 1 ? 0 : -1;
}

/* ---------------------------------------------------------------------------------------------
 * Self-signed certificate */

/* A host name of LDH labels (RFC 1123 §2.1), short enough for the CN; no wildcards. */
bool tls_selfsigned_name_ok(const char *cn)
{
	size_t n, label = 0;

	if (cn == NULL)
		return false;
	n = strlen(cn);
	if (n == 0 || n > TLS_CN_MAX || cn[0] == '.' || cn[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = cn[i];

		if (c == '.') {
			if (label == 0 || cn[i - 1] == '-')
				return false;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || (c == '-' && label > 0)) {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return cn[n - 1] != '-';
}

/* Random 64-bit serial: positive and non-zero as RFC 5280 §4.1.2.2 requires. */
static int tls_set_serial(X509 *x)
{
	unsigned char r[8];
	ASN1_INTEGER *ai = NULL;
	BIGNUM *bn = NULL;
	int ok;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	r[sizeof(r) - 1] |= 1; /* never zero */
	ok = (bn = BN_bin2bn(r, sizeof(r), NULL)) != NULL &&
	     (ai = BN_to_ASN1_INTEGER(bn, NULL)) != NULL && X509_set_serialNumber(x, ai);
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ok ? 0 : -1;
}

/* subjectAltName dNSName (RFC 5280 §4.2.1.6) built directly, so cn is never parsed as config. */
static int tls_add_san(X509 *x, const char *cn)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *gen = GENERAL_NAME_new();
	ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();
	int ok = 0;

	if (gens == NULL || gen == NULL || ia5 == NULL || !ASN1_STRING_set(ia5, cn, -1))
		goto out;
	GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
	ia5 = NULL;
	if (!sk_GENERAL_NAME_push(gens, gen))
		goto out;
	gen = NULL;
	ok = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
out:
	ASN1_IA5STRING_free(ia5);
	GENERAL_NAME_free(gen);
	GENERAL_NAMES_free(gens);
	return ok ? 0 : -1;
}

static int tls_add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, v3, nid, value);
	int ok = ext != NULL && X509_add_ext(x, ext, -1);

	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/*
 * RFC 5280 §4.2.1.9 (end entity), §4.2.1.3 (keyEncipherment: the TLS_RSA_* key exchange of
 * RFC 5246 §7.4.7.1 encrypts the premaster secret to this key; digitalSignature: ECDHE_RSA and
 * TLS 1.3), §4.2.1.12 serverAuth, §4.2.1.2 key identifier.
 */
static int tls_add_extensions(X509 *x, const char *cn)
{
	X509V3_CTX v3;

	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if (tls_add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") == -1 ||
	    tls_add_ext(x, &v3, NID_key_usage, "critical,digitalSignature,keyEncipherment") == -1 ||
	    tls_add_ext(x, &v3, NID_ext_key_usage, "serverAuth") == -1 ||
	    tls_add_ext(x, &v3, NID_subject_key_identifier, "hash") == -1)
		return -1;
	return tls_add_san(x, cn);
}

static X509 *tls_build_selfsigned(EVP_PKEY *pkey, const char *cn)
{
	X509 *x = X509_new();
	time_t now = time(NULL);
	X509_NAME *name;

	/* notBefore an hour back tolerates clients whose clocks run slow (RFC 5280 §4.1.2.5). */
	if (x == NULL || !X509_set_version(x, X509_VERSION_3) || tls_set_serial(x) == -1 ||
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, -3600, &now) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), TLS_SELFSIGNED_DAYS, -3600, &now) == NULL ||
	    !X509_set_pubkey(x, pkey))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
					0) ||
	    !X509_set_issuer_name(x, name) || tls_add_extensions(x, cn) == -1 ||
	    X509_sign(x, pkey, EVP_sha256()) == 0)
		goto fail;
	return x;
fail:
	X509_free(x);
	return NULL;
}

/* Writes all of data, retrying on EINTR and short writes. */
static int tls_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Creates "<path>.XXXXXX" with O_EXCL (mkostemp; mode 0600 from the start, so a key is never
 * visible to others), sets the final mode, writes and syncs it. tmp receives the name.
 */
static int tls_write_temp(const char *path, const char *data, size_t len, mode_t mode,
			  char tmp[PATH_MAX], char *err, size_t errlen)
{
	int fd, n = snprintf(tmp, PATH_MAX, "%s.XXXXXX", path);

	if (n < 0 || n >= PATH_MAX) {
		tls_seterr(err, errlen, "%s: path too long", path);
		tmp[0] = '\0';
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		tls_seterr(err, errlen, "%s: cannot create: %s", tmp, strerror(errno));
		tmp[0] = '\0';
		return -1;
	}
	if (fchmod(fd, mode) == -1 || tls_write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		tls_seterr(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		tls_seterr(err, errlen, "%s: cannot write: %s", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

static int tls_commit(char *tmp, const char *path, char *err, size_t errlen)
{
	if (rename(tmp, path) == -1) {
		tls_seterr(err, errlen, "%s: cannot rename into place: %s", path, strerror(errno));
		return -1;
	}
	tmp[0] = '\0';
	file_sync_dir(path);
	return 0;
}

/* PEM of the certificate and of the key; the key goes to a secure-memory BIO (cleansed). */
static int tls_selfsigned_pem(const char *cn, BIO *cert, BIO *key)
{
	EVP_PKEY *pkey = EVP_RSA_gen(TLS_SELFSIGNED_BITS);
	X509 *x = pkey != NULL ? tls_build_selfsigned(pkey, cn) : NULL;
	int ok = x != NULL && PEM_write_bio_X509(cert, x) &&
		 PEM_write_bio_PrivateKey(key, pkey, NULL, NULL, 0, NULL, NULL);

	X509_free(x);
	EVP_PKEY_free(pkey);
	return ok ? 0 : -1;
}

/* Cleanses what a memory BIO holds before freeing it (secmem BIOs also clear on free). */
static void tls_bio_free_clean(BIO *bio)
{
	char *p;
	long n;

	if (bio == NULL)
		return;
	if ((n = BIO_get_mem_data(bio, &p)) > 0)
		OPENSSL_cleanse(p, (size_t)n);
	BIO_free(bio);
}

static int tls_selfsigned_args(const char *cert_path, const char *key_path, const char *cn,
			       char *err, size_t errlen)
{
	if (cert_path == NULL || key_path == NULL || *cert_path == '\0' || *key_path == '\0' ||
	    strcmp(cert_path, key_path) == 0) {
		tls_seterr(err, errlen, "self-signed certificate: need two distinct file names");
		return -1;
	}
	if (!tls_selfsigned_name_ok(cn)) {
		tls_seterr(err, errlen,
			   "self-signed certificate: \"%.64s\" is not a host name of at "
			   "most %d characters",
			   cn != NULL ? cn : "", TLS_CN_MAX);
		return -1;
	}
	return 0;
}

int tls_selfsigned_create(const char *cert_path, const char *key_path, const char *cn, char *err,
			  size_t errlen)
{
	char ctmp[PATH_MAX] = "", ktmp[PATH_MAX] = "", *cdata, *kdata;
	BIO *cbio = BIO_new(BIO_s_mem()), *kbio = BIO_new(BIO_s_secmem());
	long clen, klen;
	int rc = -1;

	if (tls_selfsigned_args(cert_path, key_path, cn, err, errlen) == -1)
		goto out;
	if (cbio == NULL || kbio == NULL || tls_selfsigned_pem(cn, cbio, kbio) == -1) {
		tls_seterr_ssl(err, errlen, "cannot generate self-signed certificate");
		goto out;
	}
	clen = BIO_get_mem_data(cbio, &cdata);
	klen = BIO_get_mem_data(kbio, &kdata);
	/* Both temporaries first, then the key: a crash leaves at worst a mismatched pair. */
	if (tls_write_temp(key_path, kdata, (size_t)klen, 0600, ktmp, err, errlen) < 0 ||
	    tls_write_temp(cert_path, cdata, (size_t)clen, 0644, ctmp, err, errlen) < 0 ||
	    tls_commit(ktmp, key_path, err, errlen) < 0 ||
	    tls_commit(ctmp, cert_path, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	if (ktmp[0] != '\0')
		unlink(ktmp);
	if (ctmp[0] != '\0')
		unlink(ctmp);
	ERR_clear_error();
	BIO_free(cbio);
	tls_bio_free_clean(kbio);
	return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Certificate summary */

static int tls_time(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	*out = timegm(&tm);
	return 0;
}

static int tls_fingerprint(const X509 *x, char *out, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!X509_digest(x, EVP_sha256(), md, &n) || len < (size_t)n * 3)
		return -1;
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + i * 3, len - i * 3, "%02X%s", md[i], i + 1 < n ? ":" : "");
	return 0;
}

int tls_cert_info_x509(X509 *x, struct tls_cert_info *out)
{
	memset(out, 0, sizeof(*out));
	tls_name_line(X509_get_subject_name(x), out->subject, sizeof(out->subject));
	tls_name_line(X509_get_issuer_name(x), out->issuer, sizeof(out->issuer));
	if (tls_time(X509_get0_notBefore(x), &out->not_before) == -1 ||
	    tls_time(X509_get0_notAfter(x), &out->not_after) == -1 ||
	    tls_fingerprint(x, out->sha256, sizeof(out->sha256)) == -1) {
		ERR_clear_error();
		return -1;
	}
	tls_key_desc(X509_get0_pubkey(x), out->key, sizeof(out->key));
	out->has_cn = X509_NAME_get_index_by_NID(X509_get_subject_name(x), NID_commonName, -1) >= 0;
	return 0;
}

int tls_cert_info_pem(const char *pem, size_t len, struct tls_cert_info *out)
{
	BIO *bio = tls_mem_bio(pem, len);
	X509 *x = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (x != NULL)
		rc = tls_cert_info_x509(x, out);
	ERR_clear_error();
	X509_free(x);
	BIO_free(bio);
	return rc;
}

long tls_cert_days_left(const struct tls_cert_info *info, time_t now)
{
	long long d = (long long)info->not_after - (long long)now;

	/* Floor division: one second past notAfter is day -1, not day 0. */
	return (long)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

/* ---------------------------------------------------------------------------------------------
 * Connection description */

void tls_conn_describe(const SSL *ssl, char *buf, size_t len)
{
	const SSL_CIPHER *c;
	const char *name;

	if (len == 0)
		return;
	if (ssl == NULL) {
		snprintf(buf, len, "none");
		return;
	}
	if (!SSL_is_init_finished(ssl) || (c = SSL_get_current_cipher(ssl)) == NULL) {
		snprintf(buf, len, "handshake: %s", SSL_state_string_long(ssl));
		return;
	}
	/* IANA names; OpenSSL's own name when a suite has none (never for the suites above). */
	if ((name = SSL_CIPHER_standard_name(c)) == NULL)
		name = SSL_CIPHER_get_name(c);
	snprintf(buf, len, "%s %s", SSL_get_version(ssl), name);
}

/* ---------------------------------------------------------------------------------------------
 * Client context (iphttps connect) */

/*
 * What Windows 8+ clients offer in their first attempt ([ms-iphttps.md §3.4]):
 * TLS_RSA_WITH_NULL_SHA256 and TLS_RSA_WITH_NULL_SHA, TLS 1.2 only (TLS 1.3 has no NULL suite).
 * OpenSSL 3 removes eNULL below security level 1, so the context runs at level 0.
 */
#define TLS_CIPHERS_NULL "NULL-SHA256:NULL-SHA"

/* The encrypted policy of the server (same suites, groups, versions), seen from the client. */
static int tls_client_policy(SSL_CTX *ctx, bool null_ciphers, bool tls12)
{
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, null_ciphers || tls12 ? TLS1_2_VERSION : 0))
		return -1;
	if (null_ciphers) {
		SSL_CTX_set_security_level(ctx, 0);
		if (!SSL_CTX_set_cipher_list(ctx, TLS_CIPHERS_NULL))
			return -1;
		/*
		 * Level 0 would also let a 1024-bit RSA or SHA-1-signed chain through: the
		 * certificate check keeps the encrypted policy's level (ssl_verify_cert_chain
		 * takes a non-default auth_level from the context's parameters).
		 */
		X509_VERIFY_PARAM_set_auth_level(SSL_CTX_get0_param(ctx), TLS_SECLEVEL);
	} else {
		SSL_CTX_set_security_level(ctx, TLS_SECLEVEL);
		if (!SSL_CTX_set_cipher_list(ctx, TLS_CIPHERS_TLS12) ||
		    !SSL_CTX_set_ciphersuites(ctx, TLS_SUITES_TLS13) ||
		    !SSL_CTX_set1_groups_list(ctx, TLS_GROUPS))
			return -1;
	}
	/*
	 * Renegotiation stays allowed: a Windows server in Certificates mode asks for the client
	 * certificate by renegotiating after the request ([ms-iphttps.md §3.3]); OpenSSL only
	 * accepts the secure kind (RFC 5746). One long-lived connection: no tickets, no cache.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_TICKET);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
				  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	return 0;
}

static int tls_client_trust(SSL_CTX *ctx, const char *ca_file, char *err, size_t errlen)
{
	if (ca_file == NULL) {
		if (!SSL_CTX_set_default_verify_paths(ctx)) {
			tls_seterr_ssl(err, errlen, "cannot load the system trust store");
			return -1;
		}
		return 0;
	}
	/* --ca replaces the system store: trust exactly what the operator named. */
	if (!SSL_CTX_load_verify_locations(ctx, ca_file, NULL)) {
		tls_seterr_ssl(err, errlen, "cannot load CA file");
		return -1;
	}
	return 0;
}

static int tls_client_identity(SSL_CTX *ctx, const char *cert_file, const char *key_file, char *err,
			       size_t errlen)
{
	if (cert_file == NULL)
		return 0;
	SSL_CTX_set_default_passwd_cb(ctx, tls_no_passphrase);
	if (!SSL_CTX_use_certificate_chain_file(ctx, cert_file)) {
		tls_seterr_ssl(err, errlen, "cannot load client certificate");
		return -1;
	}
	if (!SSL_CTX_use_PrivateKey_file(ctx, key_file ? key_file : cert_file, SSL_FILETYPE_PEM)) {
		tls_seterr_ssl(err, errlen, "cannot load client key (unencrypted PEM expected)");
		return -1;
	}
	if (!SSL_CTX_check_private_key(ctx)) {
		tls_seterr_ssl(err, errlen, "client key does not match the certificate");
		return -1;
	}
	return 0;
}

SSL_CTX *tls_client_ctx_new(const struct tls_client_opts *o, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	tls_seterr(err, errlen, "%s", "");
	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		tls_seterr_ssl(err, errlen, "cannot create TLS context");
		return NULL;
	}
	if (tls_client_policy(ctx, o->null_ciphers, o->tls12_only) == -1) {
		tls_seterr_ssl(err, errlen, "cannot apply TLS policy");
		goto fail;
	}
	if (tls_client_trust(ctx, o->ca_file, err, errlen) == -1 ||
	    tls_client_identity(ctx, o->cert_file, o->key_file, err, errlen) == -1)
		goto fail;
	return ctx;
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

/*
 * Watches the read(2) calls OpenSSL makes on the socket (BIO_set_callback_ex(3)): one that
 * returned fewer bytes than asked emptied the receive queue, so a read loop can stop without the
 * read that would only return EAGAIN (issue #6: one syscall less per wakeup). Returns ret
 * unchanged: the operation itself is never altered.
 */
static long tls_bio_watch(BIO *b, int oper, const char *argp, size_t len, int argi, long argl,
			  int ret, size_t *processed)
{
	bool *drained = (bool *)BIO_get_callback_arg(b);

	(void)argp;
	(void)argi;
	(void)argl;
	if (drained && oper == (BIO_CB_READ | BIO_CB_RETURN))
		*drained = ret > 0 && processed && *processed < len;
	return ret;
}

void tls_watch_reads(SSL *ssl, bool *drained)
{
	BIO *b = SSL_get_rbio(ssl);

	BIO_set_callback_ex(b, tls_bio_watch);
	BIO_set_callback_arg(b, (char *)drained);
}
