/* SPDX-License-Identifier: ISC */
/*
 * tls: server SSL_CTX policy and loading from memory, self-signed certificate creation,
 * certificate summaries, connection descriptions and error-queue formatting on OpenSSL 3.
 * No sockets, no event loop, no logging, no globals. Key material is only ever held in OpenSSL
 * objects or in secure-memory BIOs that are cleansed before they are freed.
 */
#include "lib/tls.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
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

/*
 * TLS 1.2 suites (RFC 5246), in server order: ECDHE with AEAD first, ECDSA before RSA because an
 * ECDSA certificate only matches the ECDSA ones anyway, AES-128 first as Windows DirectAccess
 * servers order it ([ms-iphttps.md §3.4]). TLS_RSA_WITH_AES_*_GCM last: Windows servers keep
 * them and some clients still pick them. No CBC (Lucky 13 class), no finite-field DHE (weak
 * or slow groups, RFC 7919 §1), no NULL yet (issue #4 adds it behind a profile).
 */
#define TLS_CIPHERS_TLS12                                                                          \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                               \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                               \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"                               \
	"AES128-GCM-SHA256:AES256-GCM-SHA384"

/* TLS 1.3 suites (RFC 8446 §9.1), AES-128 first like hardened DirectAccess servers. */
#define TLS_SUITES_TLS13                                                                           \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

/*
 * Key exchange groups: elliptic curves only. OpenSSL 3.0 also offers ffdhe2048.. in TLS 1.3
 * (RFC 8446 §4.2.7) by default, which "no finite-field DHE" rules out as well. Windows 10+
 * speaks X25519, P-256 and P-384.
 */
#define TLS_GROUPS "X25519:P-256:P-384"

/* 112-bit level: RSA/DH >= 2048, ECC >= 224, no SHA-1 signatures. Explicit, not openssl.cnf. */
#define TLS_SECLEVEL 2

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

/* ---------------------------------------------------------------------------------------------
 * Server context */

int tls_server_policy(SSL_CTX *ctx)
{
	/* RFC 8996 retired TLS 1.0/1.1; Windows 8+ and updated 7 speak 1.2 (ms-iphttps.md §3.1). */
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, 0))
		return -1;
	SSL_CTX_set_security_level(ctx, TLS_SECLEVEL);
	if (!SSL_CTX_set_cipher_list(ctx, TLS_CIPHERS_TLS12) ||
	    !SSL_CTX_set_ciphersuites(ctx, TLS_SUITES_TLS13) ||
	    !SSL_CTX_set1_groups_list(ctx, TLS_GROUPS))
		return -1;
	/*
	 * No compression (CRIME); no renegotiation in either direction (RFC 5746 attacks, and the
	 * client certificate is asked for in the first handshake, [ms-iphttps.md §3.3]); the
	 * server's suite order wins so the list above means something.
	 */
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
				     SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
	/*
	 * RELEASE_BUFFERS frees the 16 KB+ record buffers of an idle connection (13 KB instead of
	 * 46 KB each); the daemon writes from a queue that may move and accepts partial writes.
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
				  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
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

/* Leaf, then each further certificate as a chain certificate for the leaf's key type. */
static int tls_load_chain(SSL_CTX *ctx, BIO *bio, char *err, size_t errlen)
{
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);

	if (x == NULL || !SSL_CTX_use_certificate(ctx, x)) {
		X509_free(x);
		tls_seterr_ssl(err, errlen, "cannot load certificate");
		return -1;
	}
	X509_free(x);
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (!SSL_CTX_add0_chain_cert(ctx, x)) {
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

/* Refuses encrypted keys instead of letting OpenSSL prompt on a terminal (PEM_def_callback). */
static int tls_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static int tls_load_key(SSL_CTX *ctx, BIO *bio, char *err, size_t errlen)
{
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, tls_no_passphrase, NULL);

	if (pkey == NULL) {
		tls_seterr_ssl(err, errlen, "cannot load private key (unencrypted PEM expected)");
		return -1;
	}
	/*
	 * OpenSSL 3.0's use_PrivateKey already compares with the leaf (X509_check_private_key) and
	 * fails with "key values mismatch"; check_private_key keeps the rule explicit.
	 */
	if (!SSL_CTX_use_PrivateKey(ctx, pkey)) {
		EVP_PKEY_free(pkey);
		tls_seterr_ssl(err, errlen, "cannot use private key with the certificate");
		return -1;
	}
	EVP_PKEY_free(pkey);
	if (!SSL_CTX_check_private_key(ctx)) {
		tls_seterr_ssl(err, errlen, "private key does not match the certificate");
		return -1;
	}
	return 0;
}

SSL_CTX *tls_server_ctx_new(const char *cert_pem, size_t cert_len, const char *key_pem,
			    size_t key_len, char *err, size_t errlen)
{
	BIO *cbio = NULL, *kbio = NULL;
	SSL_CTX *ctx = NULL;

	tls_seterr(err, errlen, "%s", "");
	ERR_clear_error();
	if ((cbio = tls_mem_bio(cert_pem, cert_len)) == NULL) {
		tls_seterr(err, errlen, "certificate: empty or too large");
		goto fail;
	}
	if ((kbio = tls_mem_bio(key_pem, key_len)) == NULL) {
		tls_seterr(err, errlen, "private key: empty or too large");
		goto fail;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		tls_seterr_ssl(err, errlen, "cannot create TLS context");
		goto fail;
	}
	/* Policy first: the security level decides which certificates the loaders accept. */
	if (tls_server_policy(ctx) == -1) {
		tls_seterr_ssl(err, errlen, "cannot apply TLS policy");
		goto fail;
	}
	if (tls_load_chain(ctx, cbio, err, errlen) == -1 ||
	    tls_load_key(ctx, kbio, err, errlen) == -1)
		goto fail;
	BIO_free(cbio);
	BIO_free(kbio);
	return ctx;
fail:
	ERR_clear_error();
	SSL_CTX_free(ctx);
	BIO_free(cbio);
	BIO_free(kbio);
	return NULL;
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

/* Makes a rename durable. Best effort: the new file is already in place if this fails. */
static void tls_sync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return;
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
}

static int tls_commit(char *tmp, const char *path, char *err, size_t errlen)
{
	if (rename(tmp, path) == -1) {
		tls_seterr(err, errlen, "%s: cannot rename into place: %s", path, strerror(errno));
		return -1;
	}
	tmp[0] = '\0';
	tls_sync_dir(path);
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

/* RFC 2253 with ESC_CTRL and ESC_MSB: always one line of ASCII, so cutting it is safe. */
static void tls_name_line(const X509_NAME *name, char *out, size_t len)
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

int tls_cert_info_pem(const char *pem, size_t len, struct tls_cert_info *out)
{
	BIO *bio = tls_mem_bio(pem, len);
	X509 *x = bio != NULL ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (x == NULL)
		goto out;
	tls_name_line(X509_get_subject_name(x), out->subject, sizeof(out->subject));
	tls_name_line(X509_get_issuer_name(x), out->issuer, sizeof(out->issuer));
	if (tls_time(X509_get0_notBefore(x), &out->not_before) == -1 ||
	    tls_time(X509_get0_notAfter(x), &out->not_after) == -1 ||
	    tls_fingerprint(x, out->sha256, sizeof(out->sha256)) == -1)
		goto out;
	tls_key_desc(X509_get0_pubkey(x), out->key, sizeof(out->key));
	out->has_cn = X509_NAME_get_index_by_NID(X509_get_subject_name(x), NID_commonName, -1) >= 0;
	rc = 0;
out:
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
static int tls_client_policy(SSL_CTX *ctx, bool null_ciphers)
{
	if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, null_ciphers ? TLS1_2_VERSION : 0))
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
	if (tls_client_policy(ctx, o->null_ciphers) == -1) {
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
