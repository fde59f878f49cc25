/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for lib/tls: self-signed certificate files, server context loading from memory,
 * the server policy checked through real in-memory handshakes (BIO pairs) against OpenSSL
 * clients, certificate summaries and error formatting. Keys are generated at run time in a
 * mkdtemp directory; the one embedded certificate is public data with values taken from
 * `openssl x509` (its key was discarded).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/ui.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/tls.h"

#define CN_A "gw.example.test"
#define CN_B "other.example.test"

struct pem {
	char *p;
	size_t n;
};

struct fx {
	char dir[PATH_MAX];
	char cert_a[PATH_MAX], key_a[PATH_MAX], cert_b[PATH_MAX], key_b[PATH_MAX];
	struct pem ca, ka, cb, kb; /* certificate and key PEM of pairs A and B */
	time_t created;		   /* just before pair A was created */
};

/* ---------------------------------------------------------------------------------------------
 * Helpers */

static struct pem read_all(const char *path)
{
	struct pem r = {NULL, 0};
	FILE *f = fopen(path, "rb");
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	r.p = malloc((size_t)n + 1);
	assert_non_null(r.p);
	assert_int_equal(fread(r.p, 1, (size_t)n, f), (size_t)n);
	r.p[n] = '\0';
	r.n = (size_t)n;
	fclose(f);
	return r;
}

static struct pem bio_to_pem(BIO *b)
{
	struct pem r;
	char *p;
	long n = BIO_get_mem_data(b, &p);

	assert_true(n > 0);
	r.p = malloc((size_t)n + 1);
	assert_non_null(r.p);
	memcpy(r.p, p, (size_t)n);
	r.p[n] = '\0';
	r.n = (size_t)n;
	BIO_free(b);
	return r;
}

static struct pem pem_of_cert(X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_true(PEM_write_bio_X509(b, x));
	return bio_to_pem(b);
}

static struct pem pem_of_key(EVP_PKEY *k, const EVP_CIPHER *enc)
{
	unsigned char pass[] = "secret";
	BIO *b = BIO_new(BIO_s_mem());

	assert_true(
	    PEM_write_bio_PrivateKey(b, k, enc, enc ? pass : NULL, enc ? 6 : 0, NULL, NULL));
	return bio_to_pem(b);
}

static struct pem pem_cat(const char *a, size_t an, const char *b, size_t bn)
{
	struct pem r = {malloc(an + bn + 1), an + bn};

	assert_non_null(r.p);
	memcpy(r.p, a, an);
	memcpy(r.p + an, b, bn);
	r.p[r.n] = '\0';
	return r;
}

static X509 *x509_of(struct pem p)
{
	BIO *b = BIO_new_mem_buf(p.p, (int)p.n);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

	BIO_free(b);
	assert_non_null(x);
	return x;
}

static EVP_PKEY *key_of(struct pem p)
{
	BIO *b = BIO_new_mem_buf(p.p, (int)p.n);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);

	BIO_free(b);
	assert_non_null(k);
	return k;
}

static void add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, v3, nid, value);

	assert_non_null(e);
	assert_true(X509_add_ext(x, e, -1));
	X509_EXTENSION_free(e);
}

/*
 * A certificate for key signed by ikey (self-signed when issuer is NULL), valid for 30 days;
 * subject O=Example plus CN=cn when cn is given. A CA gets CA:TRUE and keyCertSign.
 */
static X509 *mk_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, bool ca)
{
	static const unsigned char org[] = "Example";
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	X509V3_CTX v3;
	char san[128];

	assert_true(X509_set_version(x, X509_VERSION_3));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400));
	assert_true(X509_set_pubkey(x, key));
	assert_true(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, org, -1, -1, 0));
	if (cn != NULL)
		assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
						       (const unsigned char *)cn, -1, -1, 0));
	assert_true(X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)));
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	add_ext(x, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	add_ext(x, &v3, NID_key_usage, ca ? "critical,keyCertSign,cRLSign" : "digitalSignature");
	if (!ca && cn != NULL) {
		snprintf(san, sizeof(san), "DNS:%s", cn);
		add_ext(x, &v3, NID_subject_alt_name, san);
	}
	/* Ed25519 signs without a separate digest. */
	assert_true(X509_sign(x, ikey ? ikey : key,
			      EVP_PKEY_is_a(ikey ? ikey : key, "ED25519") ? NULL : EVP_sha256()) >
		    0);
	return x;
}

static time_t asn1_to_time(const ASN1_TIME *t)
{
	struct tm tm;

	assert_true(ASN1_TIME_to_tm(t, &tm));
	return timegm(&tm);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static size_t dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void path_in(char *out, const char *dir, const char *name)
{
	assert_true(snprintf(out, PATH_MAX, "%s/%s", dir, name) < PATH_MAX);
}

static SSL_CTX *server_a(struct fx *f)
{
	char err[TLS_ERRLEN];
	SSL_CTX *ctx = tls_server_ctx_new(f->ca.p, f->ca.n, f->ka.p, f->ka.n, err, sizeof(err));

	if (ctx == NULL)
		fail_msg("tls_server_ctx_new: %s", err);
	return ctx;
}

/*
 * A client that never refuses first: security level 0 so that old versions, CBC and NULL suites
 * really go out in the ClientHello and the server has to be the one that says no.
 */
static SSL_CTX *client_ctx(int minv, int maxv, const char *ciphers)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	assert_non_null(c);
	SSL_CTX_set_security_level(c, 0);
	assert_true(SSL_CTX_set_min_proto_version(c, minv));
	assert_true(SSL_CTX_set_max_proto_version(c, maxv));
	if (ciphers != NULL)
		assert_true(SSL_CTX_set_cipher_list(c, ciphers));
	return c;
}

/* ---------------------------------------------------------------------------------------------
 * In-memory handshake over a BIO pair */

struct hs {
	SSL *c, *s;
	bool c_done, s_done, c_fail, s_fail;
	int c_reason, s_reason; /* ERR_GET_REASON of the failing call on that side */
};

static void hs_begin(struct hs *h, SSL_CTX *sctx, SSL_CTX *cctx)
{
	BIO *cb, *sb;

	memset(h, 0, sizeof(*h));
	h->c = SSL_new(cctx);
	h->s = SSL_new(sctx);
	assert_non_null(h->c);
	assert_non_null(h->s);
	assert_true(BIO_new_bio_pair(&cb, 0, &sb, 0));
	SSL_set_bio(h->c, cb, cb);
	SSL_set_bio(h->s, sb, sb);
	SSL_set_connect_state(h->c);
	SSL_set_accept_state(h->s);
}

static void hs_side(SSL *ssl, bool *done, bool *failed, int *reason)
{
	int r, e;

	ERR_clear_error();
	r = SSL_do_handshake(ssl);
	if (r == 1) {
		*done = true;
		return;
	}
	e = SSL_get_error(ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return;
	*failed = true;
	*reason = ERR_GET_REASON(ERR_peek_error());
	ERR_clear_error();
}

/* Alternates both sides until both finish or one fails; bounded, so it cannot hang. */
static bool hs_drive(struct hs *h)
{
	for (int i = 0; i < 32 && !(h->c_done && h->s_done) && !h->c_fail && !h->s_fail; i++) {
		if (!h->c_done)
			hs_side(h->c, &h->c_done, &h->c_fail, &h->c_reason);
		if (!h->s_done && !h->c_fail)
			hs_side(h->s, &h->s_done, &h->s_fail, &h->s_reason);
	}
	return h->c_done && h->s_done;
}

static void hs_end(struct hs *h)
{
	SSL_free(h->c);
	SSL_free(h->s);
	ERR_clear_error();
}

/* One handshake; returns the server's description, or "" with the server reason in *reason. */
static bool hs_once(SSL_CTX *sctx, SSL_CTX *cctx, char *desc, size_t len, int *reason)
{
	struct hs h;
	bool ok;

	hs_begin(&h, sctx, cctx);
	ok = hs_drive(&h);
	tls_conn_describe(h.s, desc, len);
	*reason = h.s_reason;
	hs_end(&h);
	return ok;
}

/* ---------------------------------------------------------------------------------------------
 * Fixture: two self-signed pairs made by the code under test */

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[TLS_ERRLEN];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_tls.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	path_in(f->cert_a, f->dir, "a.crt");
	path_in(f->key_a, f->dir, "a.key");
	path_in(f->cert_b, f->dir, "b.crt");
	path_in(f->key_b, f->dir, "b.key");
	f->created = time(NULL);
	if (tls_selfsigned_create(f->cert_a, f->key_a, CN_A, err, sizeof(err)) != 0 ||
	    tls_selfsigned_create(f->cert_b, f->key_b, CN_B, err, sizeof(err)) != 0)
		fail_msg("tls_selfsigned_create: %s", err);
	f->ca = read_all(f->cert_a);
	f->ka = read_all(f->key_a);
	f->cb = read_all(f->cert_b);
	f->kb = read_all(f->key_b);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->ca.p);
	free(f->ka.p);
	free(f->cb.p);
	free(f->kb.p);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * tls_selfsigned_create */

static void check_selfsigned_exts(X509 *x)
{
	BASIC_CONSTRAINTS *bc;
	ASN1_BIT_STRING *ku;
	GENERAL_NAMES *san;
	const GENERAL_NAME *g;
	int crit = -1;

	bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	assert_non_null(bc);
	assert_int_equal(bc->ca, 0);
	assert_int_equal(crit, 1);
	BASIC_CONSTRAINTS_free(bc);
	assert_int_equal(X509_check_ca(x), 0);
	/* keyEncipherment: TLS_RSA_* key exchange (RFC 5246 §7.4.7.1); keyUsage critical. */
	ku = X509_get_ext_d2i(x, NID_key_usage, &crit, NULL);
	assert_non_null(ku);
	assert_int_equal(crit, 1);
	ASN1_BIT_STRING_free(ku);
	assert_true(X509_get_extension_flags(x) & EXFLAG_KUSAGE);
	assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	assert_true(X509_get_extension_flags(x) & EXFLAG_XKUSAGE);
	assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
	/* Exactly one SAN, a dNSName equal to the CN, non-critical (subject is not empty). */
	san = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
	assert_non_null(san);
	assert_int_equal(crit, 0);
	assert_int_equal(sk_GENERAL_NAME_num(san), 1);
	g = sk_GENERAL_NAME_value(san, 0);
	assert_int_equal(g->type, GEN_DNS);
	assert_string_equal((const char *)ASN1_STRING_get0_data(g->d.dNSName), CN_A);
	GENERAL_NAMES_free(san);
	assert_int_equal(X509_check_host(x, CN_A, 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(x, CN_B, 0, 0, NULL), 0);
}

static void test_selfsigned_files(void **state)
{
	struct fx *f = *state;
	X509 *x = x509_of(f->ca), *xb = x509_of(f->cb);
	EVP_PKEY *k = key_of(f->ka);
	char cn[128];
	struct stat st;
	time_t nb, na;
	BIGNUM *sn;

	assert_int_equal(stat(f->cert_a, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(stat(f->key_a, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_non_null(strstr(f->ka.p, "-----BEGIN PRIVATE KEY-----")); /* PKCS#8, unencrypted */
	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	assert_int_equal(
	    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)),
	    (int)strlen(CN_A));
	assert_string_equal(cn, CN_A);
	assert_int_equal(X509_self_signed(x, 1), 1); /* issuer == subject and signature verifies */
	assert_int_equal(X509_get_signature_nid(x), NID_sha256WithRSAEncryption);
	assert_int_equal(X509_check_private_key(x, k), 1);
	assert_true(EVP_PKEY_is_a(k, "RSA"));
	assert_int_equal(EVP_PKEY_get_bits(k), 2048);
	check_selfsigned_exts(x);
	/* Valid from an hour ago for 3650 days. */
	nb = asn1_to_time(X509_get0_notBefore(x));
	na = asn1_to_time(X509_get0_notAfter(x));
	assert_true(nb >= f->created - 3600 - 2 && nb <= time(NULL) - 3600 + 2);
	assert_int_equal(na - nb, 3650L * 86400);
	/* Serial: positive, non-zero, 64 bits at most, different per certificate. */
	sn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	assert_false(BN_is_negative(sn));
	assert_false(BN_is_zero(sn));
	assert_true(BN_num_bits(sn) <= 64);
	BN_free(sn);
	assert_int_not_equal(
	    ASN1_INTEGER_cmp(X509_get0_serialNumber(x), X509_get0_serialNumber(xb)), 0);
	X509_free(x);
	X509_free(xb);
	EVP_PKEY_free(k);
}

static void sha256_of_file(const char *path, char *out)
{
	struct tls_cert_info ci;
	struct pem p = read_all(path);

	assert_int_equal(tls_cert_info_pem(p.p, p.n, &ci), 0);
	strcpy(out, ci.sha256);
	free(p.p);
}

/* Decision: an existing pair is replaced atomically; a symlink at the target is replaced, not
 * followed, and the final modes do not depend on the old files or the umask. */
static void test_selfsigned_replaces(void **state)
{
	struct fx *f = *state;
	char dir[PATH_MAX], crt[PATH_MAX], key[PATH_MAX], victim[PATH_MAX], err[TLS_ERRLEN];
	char fp1[97], fp2[97];
	struct pem c, k, v;
	struct stat st;
	mode_t old;
	FILE *fp;

	path_in(dir, f->dir, "replace");
	assert_int_equal(mkdir(dir, 0700), 0);
	path_in(crt, dir, "gw.crt");
	path_in(key, dir, "gw.key");
	path_in(victim, dir, "victim");
	assert_int_equal(tls_selfsigned_create(crt, key, "r.example.test", err, sizeof(err)), 0);
	sha256_of_file(crt, fp1);

	fp = fopen(victim, "w");
	assert_non_null(fp);
	fputs("do not touch\n", fp);
	fclose(fp);
	assert_int_equal(unlink(key), 0);
	assert_int_equal(symlink(victim, key), 0);
	assert_int_equal(chmod(crt, 0600), 0);
	old = umask(0077);
	assert_int_equal(tls_selfsigned_create(crt, key, "r.example.test", err, sizeof(err)), 0);
	umask(old);

	sha256_of_file(crt, fp2);
	assert_string_not_equal(fp1, fp2);
	assert_int_equal(lstat(key, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(crt, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	v = read_all(victim);
	assert_string_equal(v.p, "do not touch\n");
	c = read_all(crt);
	k = read_all(key);
	{
		X509 *x = x509_of(c);
		EVP_PKEY *pk = key_of(k);

		assert_int_equal(X509_check_private_key(x, pk), 1);
		X509_free(x);
		EVP_PKEY_free(pk);
	}
	assert_int_equal(dir_entries(dir), 3); /* no temporaries left behind */
	free(c.p);
	free(k.p);
	free(v.p);
}

static void expect_bad_cn(const char *crt, const char *key, const char *cn)
{
	char err[TLS_ERRLEN] = "";

	if (tls_selfsigned_create(crt, key, cn, err, sizeof(err)) != -1)
		fail_msg("accepted \"%s\"", cn);
	if (strstr(err, "host name") == NULL || strchr(err, '\n') != NULL)
		fail_msg("\"%s\": err \"%s\"", cn, err);
}

static void test_selfsigned_refuses(void **state)
{
	static const char *const bad_cn[] = {
	    "",			   /* empty */
	    "bad name",		   /* space */
	    "a,IP:1.2.3.4",	   /* would inject a SAN if parsed as config */
	    "-lead.example",	   /* label starts with '-' */
	    "trail-.example",	   /* label ends with '-' */
	    "a..b",		   /* empty label */
	    "*.example.test",	   /* wildcard */
	    "x.example.",	   /* trailing dot */
	    ".x.example",	   /* leading dot */
	    "caf\xc3\xa9.example", /* not LDH */
	    "two\nlines",	   /* control character */
	};
	struct fx *f = *state;
	char dir[PATH_MAX], crt[PATH_MAX], key[PATH_MAX], err[TLS_ERRLEN];
	char label[65], name[66];

	path_in(dir, f->dir, "refuse");
	assert_int_equal(mkdir(dir, 0700), 0);
	path_in(crt, dir, "gw.crt");
	path_in(key, dir, "gw.key");
	for (size_t i = 0; i < sizeof(bad_cn) / sizeof(bad_cn[0]); i++)
		expect_bad_cn(crt, key, bad_cn[i]);
	assert_false(tls_selfsigned_name_ok(NULL));
	assert_false(tls_selfsigned_name_ok("under_score"));
	assert_true(tls_selfsigned_name_ok("gw-1.Example.TEST"));
	assert_true(tls_selfsigned_name_ok("localhost"));
	memset(label, 'a', 64);
	label[64] = '\0';
	expect_bad_cn(crt, key, label); /* a 64-character label (RFC 1035 §2.3.4: 63) */
	memset(name, 'b', 65);
	name[30] = '.';
	name[65] = '\0';
	expect_bad_cn(crt, key, name); /* 65 characters: over ub-common-name */
	assert_int_equal(tls_selfsigned_create(crt, crt, "x.example", err, sizeof(err)), -1);
	assert_int_equal(tls_selfsigned_create(crt, key, NULL, err, sizeof(err)), -1);
	assert_int_equal(dir_entries(dir), 0);
	/* A missing directory: a clear error naming the file, nothing written anywhere. */
	path_in(crt, dir, "missing/gw.crt");
	path_in(key, dir, "missing/gw.key");
	assert_int_equal(tls_selfsigned_create(crt, key, "x.example", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing/gw.key"));
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(dir_entries(dir), 0);
	/* The longest accepted names: a 63-character label; 64 characters in all. */
	path_in(crt, dir, "gw.crt");
	path_in(key, dir, "gw.key");
	label[63] = '\0';
	assert_int_equal(tls_selfsigned_create(crt, key, label, err, sizeof(err)), 0);
	name[64] = '\0';
	assert_int_equal(tls_selfsigned_create(crt, key, name, err, sizeof(err)), 0);
	assert_int_equal(dir_entries(dir), 2);
	assert_int_equal(ERR_peek_error(), 0);
}

/* ---------------------------------------------------------------------------------------------
 * tls_server_ctx_new and tls_server_policy */

static void check_ctx_ciphers(SSL_CTX *ctx)
{
	STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
	int n12 = 0, n13 = 0;

	assert_non_null(sk);
	assert_string_equal(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, 0)),
			    "TLS_AES_128_GCM_SHA256");
	for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
		int kx = SSL_CIPHER_get_kx_nid(c);

		assert_true(SSL_CIPHER_is_aead(c));			       /* no CBC */
		assert_int_not_equal(SSL_CIPHER_get_cipher_nid(c), NID_undef); /* no NULL */
		if (kx == NID_kx_any) { /* TLS 1.3: key exchange is not part of the suite */
			n13++;
			continue;
		}
		assert_true(kx == NID_kx_ecdhe || kx == NID_kx_rsa); /* no finite-field DHE */
		n12++;
	}
	assert_int_equal(n13, 3);
	assert_int_equal(n12, 8);
}

static void test_ctx_policy(void **state)
{
	const uint64_t opts = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
			      SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET;
	const long modes = SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
			   SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
	SSL_CTX *ctx = server_a(*state), *bare = SSL_CTX_new(TLS_server_method());
	char cn[128];

	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
	assert_int_equal(SSL_CTX_get_max_proto_version(ctx), 0); /* highest: TLS 1.3 */
	assert_int_equal(SSL_CTX_get_options(ctx) & opts, opts);
	assert_int_equal(SSL_CTX_get_mode(ctx) & modes, modes);
	assert_int_equal(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_OFF);
	assert_int_equal(SSL_CTX_get_num_tickets(ctx), 0);
	assert_int_equal(SSL_CTX_get_security_level(ctx), 2);
	check_ctx_ciphers(ctx);
	X509_NAME_get_text_by_NID(X509_get_subject_name(SSL_CTX_get0_certificate(ctx)),
				  NID_commonName, cn, sizeof(cn));
	assert_string_equal(cn, CN_A);
	/* The policy alone, on a context without certificates. */
	assert_int_equal(tls_server_policy(bare), 0);
	assert_int_equal(SSL_CTX_get_min_proto_version(bare), TLS1_2_VERSION);
	check_ctx_ciphers(bare);
	SSL_CTX_free(bare);
	SSL_CTX_free(ctx);
}

static void test_ctx_mismatch(void **state)
{
	struct fx *f = *state;
	char err[TLS_ERRLEN];

	assert_null(tls_server_ctx_new(f->ca.p, f->ca.n, f->kb.p, f->kb.n, err, sizeof(err)));
	assert_non_null(strstr(err, "private key"));
	assert_non_null(strstr(err, "mismatch"));
	assert_null(strchr(err, '\n'));
	assert_int_equal(ERR_peek_error(), 0);
}

struct bad_case {
	const char *what;
	const char *cert;
	size_t cert_len;
	const char *key;
	size_t key_len;
	const char *expect; /* substring of err */
};

static void test_ctx_bad_input(void **state)
{
	static const char garbage[] = "hello, this is not PEM\n";
	static const char bad_b64[] =
	    "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
	struct fx *f = *state;
	struct pem broken_chain = pem_cat(f->ca.p, f->ca.n, bad_b64, strlen(bad_b64));
	const struct bad_case cases[] = {
	    {"garbage both", garbage, strlen(garbage), garbage, strlen(garbage), "certificate"},
	    {"garbage key", f->ca.p, f->ca.n, garbage, strlen(garbage), "private key"},
	    {"garbage cert", garbage, strlen(garbage), f->ka.p, f->ka.n, "certificate"},
	    {"empty cert", f->ca.p, 0, f->ka.p, f->ka.n, "certificate"},
	    {"empty key", f->ca.p, f->ca.n, NULL, 0, "private key"},
	    {"truncated cert", f->ca.p, f->ca.n / 2, f->ka.p, f->ka.n, "certificate"},
	    {"truncated key", f->ca.p, f->ca.n, f->ka.p, f->ka.n / 2, "private key"},
	    {"key as cert", f->ka.p, f->ka.n, f->ka.p, f->ka.n, "certificate"},
	    {"cert as key", f->ca.p, f->ca.n, f->ca.p, f->ca.n, "private key"},
	    {"bad chain", broken_chain.p, broken_chain.n, f->ka.p, f->ka.n, "chain"},
	};
	char err[TLS_ERRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];

		err[0] = '\0';
		if (tls_server_ctx_new(c->cert, c->cert_len, c->key, c->key_len, err,
				       sizeof(err)) != NULL)
			fail_msg("%s: accepted", c->what);
		if (strstr(err, c->expect) == NULL || strchr(err, '\n') != NULL)
			fail_msg("%s: err \"%s\" lacks \"%s\"", c->what, err, c->expect);
		assert_int_equal(ERR_peek_error(), 0);
	}
	/* errlen 0: still fails, writes nothing. */
	err[0] = 'X';
	assert_null(tls_server_ctx_new(garbage, strlen(garbage), garbage, strlen(garbage), err, 0));
	assert_int_equal(err[0], 'X');
	free(broken_chain.p);
}

/* Stands in for the terminal: answers OpenSSL's default passphrase prompt correctly. */
static int ui_answer(UI *ui, UI_STRING *uis)
{
	if (UI_get_string_type(uis) == UIT_PROMPT || UI_get_string_type(uis) == UIT_VERIFY)
		return UI_set_result(ui, uis, "secret") == 0;
	return 1;
}

/*
 * Encrypted keys are refused at once, never prompted for: OpenSSL's default callback would ask
 * the terminal (here a UI method that knows the passphrase, so prompting would succeed).
 */
static void test_ctx_encrypted_key(void **state)
{
	struct fx *f = *state;
	EVP_PKEY *k = key_of(f->ka);
	struct pem enc = pem_of_key(k, EVP_aes_256_cbc());
	const UI_METHOD *old = UI_get_default_method();
	UI_METHOD *ui = UI_create_method("test_tls");
	char err[TLS_ERRLEN];

	assert_non_null(strstr(enc.p, "ENCRYPTED"));
	assert_int_equal(UI_method_set_reader(ui, ui_answer), 0);
	UI_set_default_method(ui);
	assert_null(tls_server_ctx_new(f->ca.p, f->ca.n, enc.p, enc.n, err, sizeof(err)));
	UI_set_default_method(old);
	assert_non_null(strstr(err, "unencrypted PEM expected"));
	assert_int_equal(ERR_peek_error(), 0);
	UI_destroy_method(ui);
	free(enc.p);
	EVP_PKEY_free(k);
}

/* Security level 2: a 1024-bit RSA leaf is refused when loaded, with OpenSSL's reason. */
static void test_ctx_weak_key(void **state)
{
	EVP_PKEY *k = EVP_RSA_gen(1024);
	X509 *x = mk_cert(k, "weak.example.test", NULL, NULL, false);
	struct pem c = pem_of_cert(x), kp = pem_of_key(k, NULL);
	char err[TLS_ERRLEN];

	(void)state;
	assert_null(tls_server_ctx_new(c.p, c.n, kp.p, kp.n, err, sizeof(err)));
	assert_non_null(strstr(err, "too small"));
	free(c.p);
	free(kp.p);
	X509_free(x);
	EVP_PKEY_free(k);
}

/* Leaf + intermediate in cert_pem: the chain is loaded and sent; without it a client fails. */
static void test_ctx_chain(void **state)
{
	EVP_PKEY *rk = EVP_EC_gen("P-256"), *ik = EVP_EC_gen("P-256"), *lk = EVP_EC_gen("P-256");
	X509 *root = mk_cert(rk, "Test Root", NULL, NULL, true);
	X509 *inter = mk_cert(ik, "Test Intermediate", root, rk, true);
	X509 *leaf = mk_cert(lk, "leaf.example.test", inter, ik, false);
	struct pem lp = pem_of_cert(leaf), ip = pem_of_cert(inter), kp = pem_of_key(lk, NULL);
	struct pem chain = pem_cat(lp.p, lp.n, ip.p, ip.n);
	SSL_CTX *s, *s_leaf, *c = client_ctx(TLS1_2_VERSION, 0, NULL);
	STACK_OF(X509) *extra = NULL;
	char err[TLS_ERRLEN];
	struct hs h;

	(void)state;
	s = tls_server_ctx_new(chain.p, chain.n, kp.p, kp.n, err, sizeof(err));
	assert_non_null(s);
	assert_true(SSL_CTX_get0_chain_certs(s, &extra));
	assert_int_equal(sk_X509_num(extra), 1);
	assert_int_equal(X509_cmp(sk_X509_value(extra, 0), inter), 0);
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	assert_true(X509_STORE_add_cert(SSL_CTX_get_cert_store(c), root));

	hs_begin(&h, s, c);
	assert_true(SSL_set1_host(h.c, "leaf.example.test"));
	assert_true(hs_drive(&h));
	assert_int_equal(SSL_get_verify_result(h.c), X509_V_OK);
	assert_int_equal(sk_X509_num(SSL_get_peer_cert_chain(h.c)), 2);
	hs_end(&h);

	/* Control: the leaf alone does not verify, so the success above came from the chain. */
	s_leaf = tls_server_ctx_new(lp.p, lp.n, kp.p, kp.n, err, sizeof(err));
	assert_non_null(s_leaf);
	hs_begin(&h, s_leaf, c);
	assert_false(hs_drive(&h));
	assert_true(h.c_fail);
	assert_int_equal(SSL_get_verify_result(h.c), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
	hs_end(&h);

	SSL_CTX_free(s);
	SSL_CTX_free(s_leaf);
	SSL_CTX_free(c);
	free(lp.p);
	free(ip.p);
	free(kp.p);
	free(chain.p);
	X509_free(root);
	X509_free(inter);
	X509_free(leaf);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(lk);
}

/* ---------------------------------------------------------------------------------------------
 * Handshakes against the policy */

static void test_hs_tls13(void **state)
{
	SSL_CTX *s = server_a(*state), *c = SSL_CTX_new(TLS_client_method());
	char desc[128];
	struct hs h;

	/* A stock client prefers AES-256; the server's order picks AES-128 (RFC 8446 §4.1.1). */
	hs_begin(&h, s, c);
	assert_true(hs_drive(&h));
	tls_conn_describe(h.s, desc, sizeof(desc));
	assert_string_equal(desc, "TLSv1.3 TLS_AES_128_GCM_SHA256");
	tls_conn_describe(h.c, desc, sizeof(desc));
	assert_string_equal(desc, "TLSv1.3 TLS_AES_128_GCM_SHA256");
	assert_true(SSL_get_mode(h.s) & SSL_MODE_RELEASE_BUFFERS);
	assert_true(SSL_get_mode(h.s) & SSL_MODE_ENABLE_PARTIAL_WRITE);
	hs_end(&h);
	SSL_CTX_free(s);
	SSL_CTX_free(c);
}

static void test_hs_tls12_ecdhe(void **state)
{
	SSL_CTX *s = server_a(*state),
		*c = client_ctx(TLS1_VERSION, TLS1_2_VERSION, "ALL:@SECLEVEL=0");
	const SSL_CIPHER *ci;
	char desc[128];
	struct hs h;

	/* The client offers everything, CBC, DHE and NULL included; ECDHE AEAD must win. */
	hs_begin(&h, s, c);
	assert_true(hs_drive(&h));
	tls_conn_describe(h.s, desc, sizeof(desc));
	assert_string_equal(desc, "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	ci = SSL_get_current_cipher(h.s);
	assert_true(SSL_CIPHER_is_aead(ci));
	assert_int_equal(SSL_CIPHER_get_kx_nid(ci), NID_kx_ecdhe);
	hs_end(&h);
	SSL_CTX_free(s);
	SSL_CTX_free(c);
}

static void test_hs_tls12_suites(void **state)
{
	static const struct {
		const char *client, *expect;
	} cases[] = {
	    /* What Windows DirectAccess servers keep (ms-iphttps.md §3.4). */
	    {"AES128-GCM-SHA256", "TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256"},
	    {"AES256-GCM-SHA384", "TLSv1.2 TLS_RSA_WITH_AES_256_GCM_SHA384"},
	    {"ECDHE-RSA-AES256-GCM-SHA384", "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
	    {"ECDHE-RSA-CHACHA20-POLY1305", "TLSv1.2 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
	    /* Server preference: the client's favourite (RSA key exchange) loses to ECDHE. */
	    {"AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384",
	     "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
	};
	SSL_CTX *s = server_a(*state);
	char desc[128];
	int reason;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		SSL_CTX *c = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, cases[i].client);

		if (!hs_once(s, c, desc, sizeof(desc), &reason))
			fail_msg("%s: handshake failed (reason %d)", cases[i].client, reason);
		assert_string_equal(desc, cases[i].expect);
		SSL_CTX_free(c);
	}
	SSL_CTX_free(s);
}

/* An ECDSA certificate gets the ECDSA suites. */
static void test_hs_ecdsa(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = mk_cert(k, "ec.example.test", NULL, NULL, false);
	struct pem c = pem_of_cert(x), kp = pem_of_key(k, NULL);
	char err[TLS_ERRLEN], desc[128];
	SSL_CTX *s = tls_server_ctx_new(c.p, c.n, kp.p, kp.n, err, sizeof(err));
	SSL_CTX *cl = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
	int reason;

	(void)state;
	assert_non_null(s);
	assert_true(hs_once(s, cl, desc, sizeof(desc), &reason));
	assert_string_equal(desc, "TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	SSL_CTX_free(s);
	SSL_CTX_free(cl);
	free(c.p);
	free(kp.p);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void test_hs_refused(void **state)
{
	static const struct {
		const char *what;
		int minv, maxv;
		const char *ciphers, *groups;
		int reason; /* what the server must report */
	} cases[] = {
	    {"TLS 1.1 only", TLS1_1_VERSION, TLS1_1_VERSION, "ALL:@SECLEVEL=0", NULL,
	     SSL_R_UNSUPPORTED_PROTOCOL},
	    {"TLS 1.0 only", TLS1_VERSION, TLS1_VERSION, "ALL:@SECLEVEL=0", NULL,
	     SSL_R_UNSUPPORTED_PROTOCOL},
	    {"CBC only", TLS1_2_VERSION, TLS1_2_VERSION,
	     "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:"
	     "AES128-SHA256:AES128-SHA:AES256-SHA256:AES256-SHA",
	     NULL, SSL_R_NO_SHARED_CIPHER},
	    {"NULL only", TLS1_2_VERSION, TLS1_2_VERSION, "NULL-SHA256:NULL-SHA:@SECLEVEL=0", NULL,
	     SSL_R_NO_SHARED_CIPHER},
	    {"finite-field DHE only", TLS1_2_VERSION, TLS1_2_VERSION,
	     "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305", NULL,
	     SSL_R_NO_SHARED_CIPHER},
	    {"TLS 1.3 with ffdhe groups only", TLS1_3_VERSION, TLS1_3_VERSION, NULL,
	     "ffdhe2048:ffdhe3072", SSL_R_NO_SUITABLE_KEY_SHARE},
	};
	SSL_CTX *s = server_a(*state);
	char desc[128];
	int reason;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		SSL_CTX *c = client_ctx(cases[i].minv, cases[i].maxv, cases[i].ciphers);

		if (cases[i].groups != NULL)
			assert_true(SSL_CTX_set1_groups_list(c, cases[i].groups));
		if (hs_once(s, c, desc, sizeof(desc), &reason))
			fail_msg("%s: negotiated %s", cases[i].what, desc);
		if (reason != cases[i].reason)
			fail_msg("%s: server reason %d (%s), want %d", cases[i].what, reason,
				 ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, reason)),
				 cases[i].reason);
		assert_non_null(strstr(desc, "handshake: "));
		SSL_CTX_free(c);
	}
	SSL_CTX_free(s);
}

static int count_session(SSL *ssl, SSL_SESSION *sess)
{
	int *n = SSL_get_app_data(ssl);

	(void)sess;
	(*n)++;
	return 0; /* not kept */
}

/* Sessions the client was given (tickets or a cacheable session ID) on one connection. */
static int sessions_given(SSL_CTX *s, int maxv)
{
	SSL_CTX *c = client_ctx(TLS1_2_VERSION, maxv, NULL);
	char buf[8];
	struct hs h;
	int n = 0;

	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT);
	SSL_CTX_sess_set_new_cb(c, count_session);
	hs_begin(&h, s, c);
	SSL_set_app_data(h.c, &n);
	assert_true(hs_drive(&h));
	/* TLS 1.3 tickets follow the handshake (RFC 8446 §4.6.1): read past them. */
	assert_int_equal(SSL_write(h.s, "ping", 4), 4);
	assert_int_equal(SSL_read(h.c, buf, sizeof(buf)), 4);
	hs_end(&h);
	SSL_CTX_free(c);
	return n;
}

static void test_hs_no_sessions(void **state)
{
	struct fx *f = *state;
	SSL_CTX *s = server_a(f), *stock = SSL_CTX_new(TLS_server_method());
	X509 *x = x509_of(f->ca);
	EVP_PKEY *k = key_of(f->ka);

	assert_int_equal(sessions_given(s, TLS1_3_VERSION), 0);
	assert_int_equal(sessions_given(s, TLS1_2_VERSION), 0);
	/* Control: a stock server context does hand out sessions, so the counter works. */
	assert_true(SSL_CTX_use_certificate(stock, x));
	assert_true(SSL_CTX_use_PrivateKey(stock, k));
	assert_true(sessions_given(stock, TLS1_3_VERSION) > 0);
	assert_true(sessions_given(stock, TLS1_2_VERSION) > 0);
	SSL_CTX_free(stock);
	SSL_CTX_free(s);
	X509_free(x);
	EVP_PKEY_free(k);
}

/* Neither side can renegotiate (RFC 5746): the server refuses to start one and answers a client
 * attempt with a no_renegotiation alert that ends the connection. */
static void test_hs_no_renegotiation(void **state)
{
	SSL_CTX *s = server_a(*state), *c = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
	bool failed = false;
	char buf[8];
	struct hs h;
	int reason = 0;

	hs_begin(&h, s, c);
	assert_true(hs_drive(&h));
	assert_int_equal(SSL_renegotiate(h.s), 0);
	ERR_clear_error();
	assert_int_equal(SSL_renegotiate(h.c), 1);
	for (int i = 0; i < 8 && !failed; i++) {
		int r = SSL_do_handshake(h.c);

		if (r <= 0 && SSL_get_error(h.c, r) == SSL_ERROR_SSL) {
			failed = true;
			reason = ERR_GET_REASON(ERR_peek_error());
		}
		ERR_clear_error();
		(void)SSL_read(h.s, buf, sizeof(buf));
		ERR_clear_error();
	}
	assert_true(failed);
	assert_int_equal(reason, SSL_R_NO_RENEGOTIATION);
	hs_end(&h);
	SSL_CTX_free(s);
	SSL_CTX_free(c);
}

static void test_conn_describe_states(void **state)
{
	SSL_CTX *s = server_a(*state);
	SSL *ssl = SSL_new(s);
	char buf[128];

	tls_conn_describe(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	tls_conn_describe(ssl, buf, sizeof(buf));
	assert_string_equal(buf, "handshake: before SSL initialization");
	tls_conn_describe(ssl, buf, 5);
	assert_string_equal(buf, "hand");
	buf[0] = 'X';
	tls_conn_describe(ssl, buf, 0);
	assert_int_equal(buf[0], 'X');
	SSL_free(ssl);
	SSL_CTX_free(s);
}

/* ---------------------------------------------------------------------------------------------
 * tls_cert_info_pem */

/*
 * Made with `openssl req`/`openssl x509 -req` (RSA-3072 leaf, serial 0x1234, signed by an
 * EC P-256 CA); the values below are from `openssl x509 -noout -subject -issuer -dates
 * -fingerprint -sha256 -nameopt RFC2253`. The private keys no longer exist.
 */
static const char fixture_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIDKTCCAtCgAwIBAgICEjQwCgYIKoZIzj0EAwIwLDEQMA4GA1UECgwHRXhhbXBs\n"
    "ZTEYMBYGA1UEAwwPRXhhbXBsZSBUZXN0IENBMB4XDTI2MTEyMjAzMTA0MloXDTQ2\n"
    "MTExNzAzMTA0MlowUDELMAkGA1UEBhMCREUxFjAUBgNVBAoMDUV4YW1wbGUsIElu\n"
    "Yy4xDzANBgNVBAsMBk9wcyDDpDEYMBYGA1UEAwwPZ3cuZXhhbXBsZS50ZXN0MIIB\n"
    "ojANBgkqhkiG9w0BAQEFAAOCAY8AMIIBigKCAYEAvYcRgWq35rbe+fxmN2V0snt/\n"
    "mrMNzO9f/U963k4mW4Za2rjN1k1CZFjYe2rSRWmvdc2USddVVwsTHSik1XILcntd\n"
    "m7WA8bqlDks183YOlaWoGfTd7BPjzlaYuk1weLWc0W/vjulmmZCGikVkGVhM3ZHf\n"
    "uVlLphmSdVUI53fZohT+CCzh3rMf7zADtB7wGE1u6aHT5v+2SpzKp5mUoDl8K2L2\n"
    "NK9iCC2x+1h0My6pEH9gmmEQPk+RvWX/p+6GEnHGtU8rWNVSGfndmDNwIU9UzEYN\n"
    "9qVHOhVTonpySES7RBusquWxC4Kya+TRL3TWl4Wc6fYKy2T3MPDEtZ3kdj4c+EYY\n"
    "6iDFxsCi79ksquzHokZxqs3iTdGluPc3brZ9eZZg/NzWNizJZ0vuyBKYiO2t2b5l\n"
    "FBXegjUrY1DjUpDRgHjdww0xJuw8FCJ4hWkuADlnBQY+0+LzXimOxR6xL/ChiFBw\n"
    "Zh84ukqbY4DxiSnQ43JFT/m7kkBAevtii0XT7/+VAgMBAAGjczBxMBoGA1UdEQQT\n"
    "MBGCD2d3LmV4YW1wbGUudGVzdDATBgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4E\n"
    "FgQU1OxLlGNbQvRd+VCsbC7yQhzuHUMwHwYDVR0jBBgwFoAUo7NLKKDYQoJFXy1U\n"
    "jDFfiUV+1xowCgYIKoZIzj0EAwIDRwAwRAIgUVWfRcFdQ851/BStfhXtY5AuOs7j\n"
    "D9U+C5P55Bo+jEQCIBGEHdLvrK34U8kZPprNFmCGJJOFagykVVitWCq+2+3B\n"
    "-----END CERTIFICATE-----\n";

static void test_cert_info_fixture(void **state)
{
	struct fx *f = *state;
	struct pem two = pem_cat(fixture_pem, sizeof(fixture_pem) - 1, f->ca.p, f->ca.n);
	struct tls_cert_info ci;

	/* Only the first certificate of a chain counts. */
	assert_int_equal(tls_cert_info_pem(two.p, two.n, &ci), 0);
	assert_string_equal(ci.subject,
			    "CN=gw.example.test,OU=Ops \\C3\\A4,O=Example\\, Inc.,C=DE");
	assert_string_equal(ci.issuer, "CN=Example Test CA,O=Example");
	assert_int_equal(ci.not_before, 1795317042); /* Nov 22 03:10:42 2026 GMT */
	assert_int_equal(ci.not_after, 2426037042);  /* Nov 17 03:10:42 2046 GMT */
	assert_string_equal(ci.sha256, "52:54:C8:71:21:54:46:5F:3B:D0:3F:33:53:69:E6:E7:"
				       "66:BE:44:58:D0:17:6D:0A:A6:67:38:11:E4:9E:51:3A");
	assert_string_equal(ci.key, "RSA 3072");
	assert_true(ci.has_cn);
	assert_int_equal(tls_cert_days_left(&ci, ci.not_after - 2 * 86400), 2);
	assert_int_equal(tls_cert_days_left(&ci, ci.not_after - 1), 0);
	assert_int_equal(tls_cert_days_left(&ci, ci.not_after), 0);
	assert_int_equal(tls_cert_days_left(&ci, ci.not_after + 1), -1);
	assert_int_equal(tls_cert_days_left(&ci, ci.not_after + 86400 + 1), -2);
	free(two.p);
}

static void test_cert_info_generated(void **state)
{
	struct fx *f = *state;
	EVP_PKEY *ec = EVP_EC_gen("P-384"), *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	X509 *xe = mk_cert(ec, NULL, NULL, NULL, false),
	     *xd = mk_cert(ed, "ed.test", NULL, NULL, false);
	struct pem pe = pem_of_cert(xe), pd = pem_of_cert(xd);
	struct tls_cert_info ci;

	assert_int_equal(tls_cert_info_pem(f->ca.p, f->ca.n, &ci), 0);
	assert_string_equal(ci.subject, "CN=" CN_A);
	assert_string_equal(ci.issuer, "CN=" CN_A);
	assert_string_equal(ci.key, "RSA 2048");
	assert_true(ci.has_cn);
	assert_int_equal(ci.not_after - ci.not_before, 3650L * 86400);
	assert_int_equal(strlen(ci.sha256), 95);
	assert_true(tls_cert_days_left(&ci, time(NULL)) >= 3648);
	/* No CN (nmap could not find a name, ms-iphttps.md §6.1), EC key. */
	assert_int_equal(tls_cert_info_pem(pe.p, pe.n, &ci), 0);
	assert_string_equal(ci.subject, "O=Example");
	assert_false(ci.has_cn);
	assert_string_equal(ci.key, "EC P-384");
	assert_int_equal(tls_cert_info_pem(pd.p, pd.n, &ci), 0);
	assert_string_equal(ci.key, "ED25519 256");
	/* Not a certificate. */
	assert_int_equal(tls_cert_info_pem("junk", 4, &ci), -1);
	assert_int_equal(tls_cert_info_pem(NULL, 0, &ci), -1);
	assert_int_equal(tls_cert_info_pem(f->ka.p, f->ka.n, &ci), -1);
	assert_int_equal(tls_cert_info_pem(f->ca.p, f->ca.n / 2, &ci), -1);
	assert_int_equal(ERR_peek_error(), 0);
	free(pe.p);
	free(pd.p);
	X509_free(xe);
	X509_free(xd);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ed);
}

/* ---------------------------------------------------------------------------------------------
 * tls_errors */

static void test_errors(void **state)
{
	char buf[256], small[8];

	(void)state;
	ERR_clear_error();
	buf[0] = 'X';
	assert_ptr_equal(tls_errors(buf, sizeof(buf)), buf);
	assert_string_equal(buf, ""); /* empty queue: the caller picks its own words */

	ERR_raise(ERR_LIB_SSL, SSL_R_NO_SHARED_CIPHER);
	ERR_raise(ERR_LIB_SSL, SSL_R_NO_SHARED_CIPHER); /* repeats collapse */
	ERR_raise_data(ERR_LIB_PEM, PEM_R_NO_START_LINE, "file %s\nline 2", "x.pem");
	assert_string_equal(tls_errors(buf, sizeof(buf)),
			    "no shared cipher; no start line: file x.pem line 2");
	assert_int_equal(ERR_peek_error(), 0);

	/* A short buffer is cut and terminated, and the queue is still drained. */
	ERR_raise(ERR_LIB_SSL, SSL_R_NO_SHARED_CIPHER);
	ERR_raise(ERR_LIB_SSL, SSL_R_UNSUPPORTED_PROTOCOL);
	assert_string_equal(tls_errors(small, sizeof(small)), "no shar");
	assert_int_equal(ERR_peek_error(), 0);
	ERR_raise(ERR_LIB_SSL, SSL_R_NO_SHARED_CIPHER);
	small[0] = 'X';
	tls_errors(small, 0);
	assert_int_equal(small[0], 'X');
	assert_int_equal(ERR_peek_error(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_selfsigned_files),
	    cmocka_unit_test(test_selfsigned_replaces),
	    cmocka_unit_test(test_selfsigned_refuses),
	    cmocka_unit_test(test_ctx_policy),
	    cmocka_unit_test(test_ctx_mismatch),
	    cmocka_unit_test(test_ctx_bad_input),
	    cmocka_unit_test(test_ctx_encrypted_key),
	    cmocka_unit_test(test_ctx_weak_key),
	    cmocka_unit_test(test_ctx_chain),
	    cmocka_unit_test(test_hs_tls13),
	    cmocka_unit_test(test_hs_tls12_ecdhe),
	    cmocka_unit_test(test_hs_tls12_suites),
	    cmocka_unit_test(test_hs_ecdsa),
	    cmocka_unit_test(test_hs_refused),
	    cmocka_unit_test(test_hs_no_sessions),
	    cmocka_unit_test(test_hs_no_renegotiation),
	    cmocka_unit_test(test_conn_describe_states),
	    cmocka_unit_test(test_cert_info_fixture),
	    cmocka_unit_test(test_cert_info_generated),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
