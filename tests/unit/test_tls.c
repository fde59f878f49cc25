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
	/* Client certificate PKI: CA 1 is in the client CA bundle, CA 2 is not. */
	EVP_PKEY *ca1k, *ca2k, *ck; /* CA keys, and the key of every client leaf */
	X509 *ca1, *ca2;
	struct pem ca1p, ca2p;
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

/* A server context with one certificate/key pair. */
static SSL_CTX *ctx1(enum tls_profile profile, const char *cert, size_t cert_len, const char *key,
		     size_t key_len, char *err, size_t errlen)
{
	struct tls_server_opts o;

	memset(&o, 0, sizeof(o));
	o.profile = profile;
	o.cert[0] = (struct tls_pem){cert, cert_len};
	o.key[0] = (struct tls_pem){key, key_len};
	o.ncert = 1;
	return tls_server_ctx_new(&o, err, errlen);
}

static SSL_CTX *server_new(const struct tls_server_opts *o)
{
	char err[TLS_ERRLEN];
	SSL_CTX *ctx = tls_server_ctx_new(o, err, sizeof(err));

	if (ctx == NULL)
		fail_msg("tls_server_ctx_new: %s", err);
	assert_int_equal(ERR_peek_error(), 0);
	return ctx;
}

/* Pair A (RSA 2048, self-signed) under a profile. */
static SSL_CTX *server_p(struct fx *f, enum tls_profile profile)
{
	char err[TLS_ERRLEN];
	SSL_CTX *ctx = ctx1(profile, f->ca.p, f->ca.n, f->ka.p, f->ka.n, err, sizeof(err));

	if (ctx == NULL)
		fail_msg("tls_server_ctx_new: %s", err);
	return ctx;
}

static SSL_CTX *server_a(struct fx *f)
{
	return server_p(f, TLS_PROFILE_MODERN);
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
	f->ca1k = EVP_EC_gen("P-256");
	f->ca2k = EVP_EC_gen("P-256");
	f->ck = EVP_EC_gen("P-256");
	assert_non_null(f->ca1k);
	assert_non_null(f->ca2k);
	assert_non_null(f->ck);
	f->ca1 = mk_cert(f->ca1k, "Client CA 1", NULL, NULL, true);
	f->ca2 = mk_cert(f->ca2k, "Client CA 2", NULL, NULL, true);
	f->ca1p = pem_of_cert(f->ca1);
	f->ca2p = pem_of_cert(f->ca2);
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
	free(f->ca1p.p);
	free(f->ca2p.p);
	X509_free(f->ca1);
	X509_free(f->ca2);
	EVP_PKEY_free(f->ca1k);
	EVP_PKEY_free(f->ca2k);
	EVP_PKEY_free(f->ck);
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

/* Counts a context's suites by kind, checking what no profile may hold. */
struct suite_count {
	int tls13, ecdhe, rsa_kx, null;
};

static struct suite_count count_ciphers(SSL_CTX *ctx)
{
	STACK_OF(SSL_CIPHER) *sk = SSL_CTX_get_ciphers(ctx);
	struct suite_count n = {0, 0, 0, 0};

	assert_non_null(sk);
	assert_string_equal(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(sk, 0)),
			    "TLS_AES_128_GCM_SHA256");
	for (int i = 0; i < sk_SSL_CIPHER_num(sk); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(sk, i);
		int kx = SSL_CIPHER_get_kx_nid(c);

		if (SSL_CIPHER_get_cipher_nid(c) == NID_undef) {
			/* NULL: only the two TLS_RSA ones, last, SHA-256 first (§3.4). */
			assert_int_equal(kx, NID_kx_rsa);
			assert_true(i >= sk_SSL_CIPHER_num(sk) - 2);
			assert_int_equal(SSL_CIPHER_get_protocol_id(c),
					 n.null == 0 ? 0x003B : 0x0002);
			n.null++;
			continue;
		}
		assert_true(SSL_CIPHER_is_aead(c)); /* no CBC */
		if (kx == NID_kx_any) {		    /* TLS 1.3: key exchange not in the suite */
			n.tls13++;
			continue;
		}
		assert_true(kx == NID_kx_ecdhe || kx == NID_kx_rsa); /* no finite-field DHE */
		if (kx == NID_kx_ecdhe)
			n.ecdhe++;
		else
			n.rsa_kx++;
	}
	return n;
}

static void check_common_policy(SSL_CTX *ctx)
{
	const uint64_t opts = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
			      SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET;
	const long modes = SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
			   SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_NO_AUTO_CHAIN;

	assert_int_equal(SSL_CTX_get_max_proto_version(ctx), 0); /* highest: TLS 1.3 */
	assert_int_equal(SSL_CTX_get_options(ctx) & opts, opts);
	assert_int_equal(SSL_CTX_get_mode(ctx) & modes, modes);
	assert_int_equal(SSL_CTX_get_session_cache_mode(ctx), SSL_SESS_CACHE_OFF);
	assert_int_equal(SSL_CTX_get_num_tickets(ctx), 0);
	assert_int_equal(X509_VERIFY_PARAM_get_auth_level(SSL_CTX_get0_param(ctx)), 2);
	assert_int_equal(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_NONE);
}

static void test_ctx_policy(void **state)
{
	SSL_CTX *ctx = server_a(*state), *bare = SSL_CTX_new(TLS_server_method());
	struct suite_count n;
	char cn[128];

	assert_non_null(ctx);
	check_common_policy(ctx);
	assert_int_equal(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
	assert_int_equal(SSL_CTX_get_security_level(ctx), 2);
	n = count_ciphers(ctx);
	assert_int_equal(n.tls13, 3);
	assert_int_equal(n.ecdhe, 6);
	assert_int_equal(n.rsa_kx, 0);
	assert_int_equal(n.null, 0);
	X509_NAME_get_text_by_NID(X509_get_subject_name(SSL_CTX_get0_certificate(ctx)),
				  NID_commonName, cn, sizeof(cn));
	assert_string_equal(cn, CN_A);
	/* The policy alone, on a context without certificates. */
	assert_int_equal(tls_server_policy(bare, TLS_PROFILE_MODERN), 0);
	assert_int_equal(SSL_CTX_get_min_proto_version(bare), TLS1_2_VERSION);
	n = count_ciphers(bare);
	assert_int_equal(n.ecdhe, 6);
	/* An unknown profile: -1 with the reason queued. */
	assert_int_equal(tls_server_policy(bare, (enum tls_profile)7), -1);
	assert_int_not_equal(ERR_peek_error(), 0);
	ERR_clear_error();
	SSL_CTX_free(bare);
	SSL_CTX_free(ctx);
}

static void test_ctx_profiles(void **state)
{
	SSL_CTX *compat = server_p(*state, TLS_PROFILE_COMPAT);
	SSL_CTX *strict = server_p(*state, TLS_PROFILE_STRICT);
	struct suite_count n;

	check_common_policy(compat);
	assert_int_equal(SSL_CTX_get_min_proto_version(compat), TLS1_2_VERSION);
	assert_int_equal(SSL_CTX_get_security_level(compat), 0); /* eNULL needs it (§3.4) */
	n = count_ciphers(compat);
	assert_int_equal(n.tls13, 3);
	assert_int_equal(n.ecdhe, 6);
	assert_int_equal(n.rsa_kx, 2);
	assert_int_equal(n.null, 2);
	check_common_policy(strict);
	assert_int_equal(SSL_CTX_get_min_proto_version(strict), TLS1_3_VERSION);
	assert_int_equal(SSL_CTX_get_security_level(strict), 2);
	assert_string_equal(tls_profile_name(TLS_PROFILE_COMPAT), "compat");
	assert_string_equal(tls_profile_name(TLS_PROFILE_MODERN), "modern");
	assert_string_equal(tls_profile_name(TLS_PROFILE_STRICT), "strict");
	assert_string_equal(tls_profile_name((enum tls_profile)9), "unknown");
	SSL_CTX_free(compat);
	SSL_CTX_free(strict);
}

static void test_ctx_mismatch(void **state)
{
	struct fx *f = *state;
	char err[TLS_ERRLEN];

	assert_null(ctx1(TLS_PROFILE_MODERN, f->ca.p, f->ca.n, f->kb.p, f->kb.n, err, sizeof(err)));
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
		if (ctx1(TLS_PROFILE_MODERN, c->cert, c->cert_len, c->key, c->key_len, err,
			 sizeof(err)) != NULL)
			fail_msg("%s: accepted", c->what);
		if (strstr(err, c->expect) == NULL || strchr(err, '\n') != NULL)
			fail_msg("%s: err \"%s\" lacks \"%s\"", c->what, err, c->expect);
		assert_int_equal(ERR_peek_error(), 0);
	}
	/* errlen 0: still fails, writes nothing. */
	err[0] = 'X';
	assert_null(
	    ctx1(TLS_PROFILE_MODERN, garbage, strlen(garbage), garbage, strlen(garbage), err, 0));
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
	assert_null(ctx1(TLS_PROFILE_MODERN, f->ca.p, f->ca.n, enc.p, enc.n, err, sizeof(err)));
	UI_set_default_method(old);
	assert_non_null(strstr(err, "unencrypted PEM expected"));
	assert_int_equal(ERR_peek_error(), 0);
	UI_destroy_method(ui);
	free(enc.p);
	EVP_PKEY_free(k);
}

/*
 * 112-bit keys in every profile: a 1024-bit RSA leaf is refused when loaded, in compat too
 * (security level 0 there would take it), and so is a chain certificate's SHA-1 signature.
 */
static void test_ctx_weak_key(void **state)
{
	static const enum tls_profile profiles[] = {TLS_PROFILE_COMPAT, TLS_PROFILE_MODERN,
						    TLS_PROFILE_STRICT};
	EVP_PKEY *k = EVP_RSA_gen(1024), *ik = EVP_EC_gen("P-256"), *lk = EVP_EC_gen("P-256");
	X509 *x = mk_cert(k, "weak.example.test", NULL, NULL, false);
	X509 *inter = mk_cert(ik, "Test Intermediate", NULL, NULL, true);
	X509 *leaf = mk_cert(lk, "sha1.example.test", inter, ik, false);
	struct pem c = pem_of_cert(x), kp = pem_of_key(k, NULL), lkp = pem_of_key(lk, NULL);
	struct pem lp, ip = pem_of_cert(inter), chain;
	char err[TLS_ERRLEN];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		assert_null(ctx1(profiles[i], c.p, c.n, kp.p, kp.n, err, sizeof(err)));
		assert_string_equal(err, "certificate key too small: RSA 1024 (at least RSA 2048 "
					 "or EC 224 bits)");
		assert_int_equal(ERR_peek_error(), 0);
	}
	/* The leaf re-signed with SHA-1 by its intermediate: OpenSSL's level 2 check. */
	assert_true(X509_sign(leaf, ik, EVP_sha1()) > 0);
	lp = pem_of_cert(leaf);
	chain = pem_cat(lp.p, lp.n, ip.p, ip.n);
	assert_null(ctx1(TLS_PROFILE_COMPAT, chain.p, chain.n, lkp.p, lkp.n, err, sizeof(err)));
	assert_string_equal(err, "cannot use certificate and key: ca md too weak");
	free(c.p);
	free(kp.p);
	free(lkp.p);
	free(lp.p);
	free(ip.p);
	free(chain.p);
	X509_free(x);
	X509_free(inter);
	X509_free(leaf);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(lk);
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
	s = ctx1(TLS_PROFILE_MODERN, chain.p, chain.n, kp.p, kp.n, err, sizeof(err));
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
	s_leaf = ctx1(TLS_PROFILE_MODERN, lp.p, lp.n, kp.p, kp.n, err, sizeof(err));
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

struct suite_case {
	const char *client, *expect; /* expect NULL: refused with no shared cipher */
};

static void run_suite_cases(SSL_CTX *s, const struct suite_case *cases, size_t n)
{
	char desc[128];
	int reason;

	for (size_t i = 0; i < n; i++) {
		SSL_CTX *c = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, cases[i].client);
		bool ok = hs_once(s, c, desc, sizeof(desc), &reason);

		if (cases[i].expect == NULL) {
			if (ok)
				fail_msg("%s: negotiated %s", cases[i].client, desc);
			assert_int_equal(reason, SSL_R_NO_SHARED_CIPHER);
		} else {
			if (!ok)
				fail_msg("%s: handshake failed (reason %d)", cases[i].client,
					 reason);
			assert_string_equal(desc, cases[i].expect);
		}
		SSL_CTX_free(c);
	}
}

static void test_hs_tls12_suites(void **state)
{
	static const struct suite_case modern[] = {
	    {"ECDHE-RSA-AES256-GCM-SHA384", "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
	    {"ECDHE-RSA-CHACHA20-POLY1305", "TLSv1.2 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
	    /* Server preference: the client's favourite loses to AES-128. */
	    {"ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
	     "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
	    /* No forward secrecy, no modern. */
	    {"AES128-GCM-SHA256", NULL},
	    {"AES256-GCM-SHA384", NULL},
	};
	static const struct suite_case compat[] = {
	    /* What Windows DirectAccess servers keep (ms-iphttps.md §3.4). */
	    {"AES128-GCM-SHA256", "TLSv1.2 TLS_RSA_WITH_AES_128_GCM_SHA256"},
	    {"AES256-GCM-SHA384", "TLSv1.2 TLS_RSA_WITH_AES_256_GCM_SHA384"},
	    {"ECDHE-RSA-AES256-GCM-SHA384", "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
	    /* Server preference: ECDHE before RSA key exchange before NULL. */
	    {"NULL-SHA:AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384"
	     ":@SECLEVEL=0",
	     "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
	    {"NULL-SHA:NULL-SHA256:AES256-GCM-SHA384:@SECLEVEL=0",
	     "TLSv1.2 TLS_RSA_WITH_AES_256_GCM_SHA384"},
	    {"NULL-SHA:NULL-SHA256:@SECLEVEL=0", "TLSv1.2 TLS_RSA_WITH_NULL_SHA256"},
	    {"NULL-SHA:@SECLEVEL=0", "TLSv1.2 TLS_RSA_WITH_NULL_SHA"},
	    /* Still never: NULL-MD5, CBC, export-grade. */
	    {"NULL-MD5:@SECLEVEL=0", NULL},
	    {"AES128-SHA:AES256-SHA256:@SECLEVEL=0", NULL},
	};
	SSL_CTX *s = server_a(*state), *sc = server_p(*state, TLS_PROFILE_COMPAT);

	run_suite_cases(s, modern, sizeof(modern) / sizeof(modern[0]));
	run_suite_cases(sc, compat, sizeof(compat) / sizeof(compat[0]));
	SSL_CTX_free(s);
	SSL_CTX_free(sc);
}

/* TLS 1.3 only: a stock client gets 1.3, one that stops at 1.2 is refused. */
static void test_hs_strict(void **state)
{
	SSL_CTX *s = server_p(*state, TLS_PROFILE_STRICT), *c13 = SSL_CTX_new(TLS_client_method());
	SSL_CTX *c12 = client_ctx(TLS1_VERSION, TLS1_2_VERSION, "ALL:@SECLEVEL=0");
	char desc[128];
	int reason;

	assert_true(hs_once(s, c13, desc, sizeof(desc), &reason));
	assert_string_equal(desc, "TLSv1.3 TLS_AES_128_GCM_SHA256");
	assert_false(hs_once(s, c12, desc, sizeof(desc), &reason));
	assert_int_equal(reason, SSL_R_UNSUPPORTED_PROTOCOL);
	SSL_CTX_free(s);
	SSL_CTX_free(c13);
	SSL_CTX_free(c12);
}

/*
 * No SHA-1 signatures in any profile (compat runs at security level 0): a TLS 1.2 client that
 * only accepts SHA-1 cannot get an ECDHE ServerKeyExchange signed, and never sees one.
 */
static void test_hs_sigalgs(void **state)
{
	static const enum tls_profile profiles[] = {TLS_PROFILE_COMPAT, TLS_PROFILE_MODERN};
	char desc[128];
	int reason;

	for (size_t i = 0; i < 2; i++) {
		SSL_CTX *s = server_p(*state, profiles[i]);
		SSL_CTX *c =
		    client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256");

		assert_true(SSL_CTX_set1_sigalgs_list(c, "RSA+SHA1"));
		assert_false(hs_once(s, c, desc, sizeof(desc), &reason));
		assert_true(reason == SSL_R_NO_SHARED_SIGNATURE_ALGORITHMS ||
			    reason == SSL_R_NO_SHARED_CIPHER);
		assert_true(SSL_CTX_set1_sigalgs_list(c, "RSA+SHA1:RSA+SHA256"));
		assert_true(hs_once(s, c, desc, sizeof(desc), &reason));
		assert_string_equal(desc, "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
		SSL_CTX_free(c);
		SSL_CTX_free(s);
	}
}

/* An ECDSA certificate gets the ECDSA suites. */
static void test_hs_ecdsa(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = mk_cert(k, "ec.example.test", NULL, NULL, false);
	struct pem c = pem_of_cert(x), kp = pem_of_key(k, NULL);
	char err[TLS_ERRLEN], desc[128];
	SSL_CTX *s = ctx1(TLS_PROFILE_MODERN, c.p, c.n, kp.p, kp.n, err, sizeof(err));
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
	    {"finite-field DHE only", TLS1_2_VERSION, TLS1_2_VERSION,
	     "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305", NULL,
	     SSL_R_NO_SHARED_CIPHER},
	    {"TLS 1.3 with ffdhe groups only", TLS1_3_VERSION, TLS1_3_VERSION, NULL,
	     "ffdhe2048:ffdhe3072", SSL_R_NO_SUITABLE_KEY_SHARE},
	};
	char desc[128];
	int reason;

	/* compat too: its security level 0 changes none of this. */
	for (int p = TLS_PROFILE_COMPAT; p <= TLS_PROFILE_MODERN; p++) {
		SSL_CTX *s = server_p(*state, (enum tls_profile)p);

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			SSL_CTX *c = client_ctx(cases[i].minv, cases[i].maxv, cases[i].ciphers);

			if (cases[i].groups != NULL)
				assert_true(SSL_CTX_set1_groups_list(c, cases[i].groups));
			if (hs_once(s, c, desc, sizeof(desc), &reason))
				fail_msg("%s: negotiated %s", cases[i].what, desc);
			if (reason != cases[i].reason)
				fail_msg("%s %s: server reason %d (%s), want %d",
					 tls_profile_name((enum tls_profile)p), cases[i].what,
					 reason,
					 ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, reason)),
					 cases[i].reason);
			assert_non_null(strstr(desc, "handshake: "));
			SSL_CTX_free(c);
		}
		SSL_CTX_free(s);
	}
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
 * NULL-only ClientHello: refused without a byte on the wire */

/*
 * Drives the client's first flight into the server: the server must stop in the ClientHello
 * callback (SSL_ERROR_WANT_CLIENT_HELLO_CB) with null_refused set, having written nothing, and
 * stay there when called again.
 */
static void expect_null_refused(SSL_CTX *s, SSL_CTX *c)
{
	struct tls_peer peer;
	struct hs h;
	int r;

	memset(&peer, 0, sizeof(peer));
	hs_begin(&h, s, c);
	assert_int_equal(tls_server_attach(h.s, &peer), 0);
	r = SSL_do_handshake(h.c);
	assert_int_equal(SSL_get_error(h.c, r), SSL_ERROR_WANT_READ);
	for (int i = 0; i < 2; i++) {
		r = SSL_do_handshake(h.s);
		assert_int_equal(r, -1);
		assert_int_equal(SSL_get_error(h.s, r), SSL_ERROR_WANT_CLIENT_HELLO_CB);
		assert_true(peer.null_refused);
		assert_int_equal(BIO_number_written(SSL_get_wbio(h.s)), 0);
		assert_int_equal(BIO_ctrl_pending(SSL_get_rbio(h.c)), 0);
	}
	assert_false(peer.cert_presented);
	hs_end(&h);
}

static SSL_CTX *ecdsa_only(enum tls_profile profile)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = mk_cert(k, "ec.example.test", NULL, NULL, false);
	struct pem c = pem_of_cert(x), kp = pem_of_key(k, NULL);
	char err[TLS_ERRLEN];
	SSL_CTX *s = ctx1(profile, c.p, c.n, kp.p, kp.n, err, sizeof(err));

	assert_non_null(s);
	free(c.p);
	free(kp.p);
	X509_free(x);
	EVP_PKEY_free(k);
	return s;
}

static void test_null_refused(void **state)
{
	SSL_CTX *modern = server_a(*state), *strict = server_p(*state, TLS_PROFILE_STRICT);
	SSL_CTX *compat_ec = ecdsa_only(TLS_PROFILE_COMPAT),
		*compat = server_p(*state, TLS_PROFILE_COMPAT);
	SSL_CTX *null_only =
	    client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, "NULL-SHA256:NULL-SHA:NULL-MD5:@SECLEVEL=0");
	SSL_CTX *mixed = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION,
				    "NULL-SHA256:NULL-SHA:AES128-GCM-SHA256:@SECLEVEL=0");
	struct tls_peer peer;
	char desc[128];
	struct hs h;
	int reason;

	expect_null_refused(modern, null_only);
	expect_null_refused(strict, null_only);
	expect_null_refused(compat_ec, null_only); /* NULL needs an RSA certificate */
	/* Unattached: refused all the same, nowhere to record it. */
	hs_begin(&h, modern, null_only);
	assert_int_equal(SSL_do_handshake(h.c), -1);
	assert_int_equal(SSL_get_error(h.s, SSL_do_handshake(h.s)), SSL_ERROR_WANT_CLIENT_HELLO_CB);
	hs_end(&h);
	/* compat with RSA: negotiated, not refused. */
	memset(&peer, 0, sizeof(peer));
	hs_begin(&h, compat, null_only);
	assert_int_equal(tls_server_attach(h.s, &peer), 0);
	assert_true(hs_drive(&h));
	tls_conn_describe(h.s, desc, sizeof(desc));
	assert_string_equal(desc, "TLSv1.2 TLS_RSA_WITH_NULL_SHA256");
	assert_false(peer.null_refused);
	hs_end(&h);
	/* Control: one encrypted suite among them, and the normal refusal (an alert) follows. */
	memset(&peer, 0, sizeof(peer));
	hs_begin(&h, modern, mixed);
	assert_int_equal(tls_server_attach(h.s, &peer), 0);
	assert_false(hs_drive(&h));
	assert_true(h.s_fail);
	assert_int_equal(h.s_reason, SSL_R_NO_SHARED_CIPHER);
	assert_false(peer.null_refused);
	assert_true(BIO_number_written(SSL_get_wbio(h.s)) > 0);
	hs_end(&h);
	assert_false(hs_once(compat_ec, mixed, desc, sizeof(desc), &reason));
	assert_int_equal(reason, SSL_R_NO_SHARED_CIPHER);
	SSL_CTX_free(modern);
	SSL_CTX_free(strict);
	SSL_CTX_free(compat_ec);
	SSL_CTX_free(compat);
	SSL_CTX_free(null_only);
	SSL_CTX_free(mixed);
}

/*
 * A TLS 1.2 ClientHello record (RFC 5246 §7.4.1.2) offering suites, with a signature_algorithms
 * extension (RFC 5246 §7.4.1.4.1: rsa_pkcs1_sha256) when sigalgs: what a Windows client in null
 * mode sends, byte for byte in the parts that matter.
 */
static size_t raw_hello(uint8_t *out, size_t cap, const uint16_t *suites, size_t n, bool sigalgs)
{
	static const uint8_t ext[] = {0x00, 0x08, 0x00, 0x0d, 0x00, 0x04, 0x00, 0x02, 0x04, 0x01};
	size_t body = 2 + 32 + 1 + 2 + 2 * n + 2 + (sigalgs ? sizeof(ext) : 0), o = 0;

	assert_true(9 + body <= cap);
	out[o++] = 0x16; /* handshake */
	out[o++] = 0x03;
	out[o++] = 0x01;
	out[o++] = (uint8_t)((body + 4) >> 8);
	out[o++] = (uint8_t)(body + 4);
	out[o++] = 0x01; /* client_hello */
	out[o++] = 0;
	out[o++] = (uint8_t)(body >> 8);
	out[o++] = (uint8_t)body;
	out[o++] = 0x03; /* TLS 1.2 */
	out[o++] = 0x03;
	memset(out + o, 0x5a, 32); /* random */
	o += 32;
	out[o++] = 0; /* no session id */
	out[o++] = (uint8_t)((2 * n) >> 8);
	out[o++] = (uint8_t)(2 * n);
	for (size_t i = 0; i < n; i++) {
		out[o++] = (uint8_t)(suites[i] >> 8);
		out[o++] = (uint8_t)suites[i];
	}
	out[o++] = 1; /* compression: null only */
	out[o++] = 0;
	if (sigalgs) {
		memcpy(out + o, ext, sizeof(ext));
		o += sizeof(ext);
	}
	return o;
}

/* Feeds a raw ClientHello to a fresh server SSL; returns SSL_get_error of its answer. */
static int raw_hello_result(SSL_CTX *s, const uint16_t *suites, size_t n, bool sigalgs,
			    bool *refused, uint64_t *written)
{
	uint8_t rec[256];
	size_t len = raw_hello(rec, sizeof(rec), suites, n, sigalgs);
	struct tls_peer peer;
	BIO *cb, *sb;
	SSL *ssl = SSL_new(s);
	int e;

	memset(&peer, 0, sizeof(peer));
	assert_non_null(ssl);
	assert_true(BIO_new_bio_pair(&cb, 0, &sb, 0));
	SSL_set_bio(ssl, sb, sb);
	SSL_set_accept_state(ssl);
	assert_int_equal(tls_server_attach(ssl, &peer), 0);
	assert_int_equal(BIO_write(cb, rec, (int)len), (int)len);
	e = SSL_get_error(ssl, SSL_do_handshake(ssl));
	*refused = peer.null_refused;
	*written = BIO_number_written(sb);
	SSL_free(ssl);
	BIO_free(cb);
	ERR_clear_error();
	return e;
}

static void test_null_refused_raw(void **state)
{
	/* GREASE (RFC 8701), NULL_SHA256, NULL_SHA, NULL_MD5, the renegotiation SCSV. */
	static const uint16_t windows[] = {0x1A1A, 0x003B, 0x0002, 0x0001, 0x00FF};
	static const uint16_t fallback[] = {0x5600, 0x003B}; /* TLS_FALLBACK_SCSV, RFC 7507 */
	static const uint16_t ecdhe_null[] = {0xC010, 0xC006, 0x0000};
	static const uint16_t mixed[] = {0x003B, 0x0002, 0xC02F, 0x00FF};
	static const uint16_t signals[] = {0x00FF, 0x0A0A};
	SSL_CTX *s = server_a(*state), *compat = server_p(*state, TLS_PROFILE_COMPAT);
	uint64_t written;
	bool refused;

	assert_int_equal(raw_hello_result(s, windows, 5, true, &refused, &written),
			 SSL_ERROR_WANT_CLIENT_HELLO_CB);
	assert_true(refused);
	assert_int_equal(written, 0);
	assert_int_equal(raw_hello_result(s, fallback, 2, true, &refused, &written),
			 SSL_ERROR_WANT_CLIENT_HELLO_CB);
	assert_true(refused);
	assert_int_equal(raw_hello_result(s, ecdhe_null, 3, true, &refused, &written),
			 SSL_ERROR_WANT_CLIENT_HELLO_CB);
	assert_true(refused);
	/* Not NULL-only: OpenSSL goes on (and here answers with a ServerHello or an alert). */
	assert_int_not_equal(raw_hello_result(s, mixed, 4, true, &refused, &written),
			     SSL_ERROR_WANT_CLIENT_HELLO_CB);
	assert_false(refused);
	assert_true(written > 0);
	assert_int_not_equal(raw_hello_result(s, signals, 2, true, &refused, &written),
			     SSL_ERROR_WANT_CLIENT_HELLO_CB);
	assert_false(refused);
	/* compat with RSA answers the Windows hello with a ServerHello for NULL_SHA256. */
	assert_int_equal(raw_hello_result(compat, windows, 5, true, &refused, &written),
			 SSL_ERROR_WANT_READ);
	assert_false(refused);
	assert_true(written > 0);
	/*
	 * OpenSSL 3.0: without signature_algorithms a TLS 1.2 peer is assumed to take SHA-1
	 * (RFC 5246 §7.4.1.4.1), which our list leaves out, so even TLS_RSA_* (no signature) is
	 * refused with an alert ("wrong signature type"). Windows always sends the extension.
	 */
	assert_int_equal(raw_hello_result(compat, windows, 5, false, &refused, &written),
			 SSL_ERROR_SSL);
	assert_false(refused);
	SSL_CTX_free(s);
	SSL_CTX_free(compat);
}

static void test_null_possible(void **state)
{
	struct fx *f = *state;
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = mk_cert(k, "ec.example.test", NULL, NULL, false);
	struct pem ec = pem_of_cert(x);
	struct tls_server_opts o;

	memset(&o, 0, sizeof(o));
	o.profile = TLS_PROFILE_COMPAT;
	o.cert[0] = (struct tls_pem){f->ca.p, f->ca.n};
	o.ncert = 1;
	assert_true(tls_server_null_possible(&o));
	o.profile = TLS_PROFILE_MODERN;
	assert_false(tls_server_null_possible(&o));
	o.profile = TLS_PROFILE_STRICT;
	assert_false(tls_server_null_possible(&o));
	o.profile = TLS_PROFILE_COMPAT;
	o.cert[0] = (struct tls_pem){ec.p, ec.n};
	assert_false(tls_server_null_possible(&o));
	o.cert[1] = (struct tls_pem){f->ca.p, f->ca.n};
	o.ncert = 2;
	assert_true(tls_server_null_possible(&o));
	o.cert[1] = (struct tls_pem){"junk", 4};
	assert_false(tls_server_null_possible(&o));
	o.ncert = 0;
	assert_false(tls_server_null_possible(&o));
	assert_int_equal(ERR_peek_error(), 0);
	free(ec.p);
	X509_free(x);
	EVP_PKEY_free(k);
}

/* ---------------------------------------------------------------------------------------------
 * RSA and ECDSA certificates in one context */

struct two {
	EVP_PKEY *rk, *ik, *lk; /* root, intermediate, EC leaf */
	X509 *root, *inter, *leaf;
	struct pem ec_chain, ec_key;
};

/* An EC leaf under an EC intermediate (sent with it) under a root. */
static void two_make(struct two *t)
{
	struct pem lp, ip;

	t->rk = EVP_EC_gen("P-256");
	t->ik = EVP_EC_gen("P-256");
	t->lk = EVP_EC_gen("P-384");
	t->root = mk_cert(t->rk, "Test Root", NULL, NULL, true);
	t->inter = mk_cert(t->ik, "Test Intermediate", t->root, t->rk, true);
	t->leaf = mk_cert(t->lk, "ec.example.test", t->inter, t->ik, false);
	lp = pem_of_cert(t->leaf);
	ip = pem_of_cert(t->inter);
	t->ec_chain = pem_cat(lp.p, lp.n, ip.p, ip.n);
	t->ec_key = pem_of_key(t->lk, NULL);
	free(lp.p);
	free(ip.p);
}

static void two_free(struct two *t)
{
	free(t->ec_chain.p);
	free(t->ec_key.p);
	X509_free(t->root);
	X509_free(t->inter);
	X509_free(t->leaf);
	EVP_PKEY_free(t->rk);
	EVP_PKEY_free(t->ik);
	EVP_PKEY_free(t->lk);
}

/* Handshakes and reports the key type the client got and how many certificates came. */
static void expect_cert(SSL_CTX *s, SSL_CTX *c, const char *type, int nchain, const char *desc)
{
	char d[128];
	struct hs h;

	hs_begin(&h, s, c);
	assert_true(hs_drive(&h));
	assert_true(EVP_PKEY_is_a(X509_get0_pubkey(SSL_get0_peer_certificate(h.c)), type));
	assert_int_equal(sk_X509_num(SSL_get_peer_cert_chain(h.c)), nchain);
	tls_conn_describe(h.s, d, sizeof(d));
	assert_string_equal(d, desc);
	hs_end(&h);
}

static void test_two_certs(void **state)
{
	struct fx *f = *state;
	struct tls_server_opts o;
	SSL_CTX *s, *c;
	struct two t;

	two_make(&t);
	memset(&o, 0, sizeof(o));
	o.profile = TLS_PROFILE_COMPAT;
	o.cert[0] = (struct tls_pem){f->ca.p, f->ca.n};
	o.key[0] = (struct tls_pem){f->ka.p, f->ka.n};
	o.cert[1] = (struct tls_pem){t.ec_chain.p, t.ec_chain.n};
	o.key[1] = (struct tls_pem){t.ec_key.p, t.ec_key.n};
	o.ncert = 2;
	s = server_new(&o);
	/* TLS 1.2: by suite; each certificate with its own chain (EC: leaf + intermediate). */
	c = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256");
	expect_cert(s, c, "EC", 2, "TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	SSL_CTX_free(c);
	c = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, "ECDHE-RSA-AES128-GCM-SHA256");
	expect_cert(s, c, "RSA", 1, "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
	SSL_CTX_free(c);
	/* Both offered: server order puts ECDSA first; NULL still goes to the RSA one. */
	c = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, NULL);
	expect_cert(s, c, "EC", 2, "TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	SSL_CTX_free(c);
	c = client_ctx(TLS1_2_VERSION, TLS1_2_VERSION, "NULL-SHA256:@SECLEVEL=0");
	expect_cert(s, c, "RSA", 1, "TLSv1.2 TLS_RSA_WITH_NULL_SHA256");
	SSL_CTX_free(c);
	/* TLS 1.3: by signature algorithm. */
	c = client_ctx(TLS1_3_VERSION, TLS1_3_VERSION, NULL);
	assert_true(SSL_CTX_set1_sigalgs_list(c, "ECDSA+SHA384"));
	expect_cert(s, c, "EC", 2, "TLSv1.3 TLS_AES_128_GCM_SHA256");
	assert_true(SSL_CTX_set1_sigalgs_list(c, "rsa_pss_rsae_sha256"));
	expect_cert(s, c, "RSA", 1, "TLSv1.3 TLS_AES_128_GCM_SHA256");
	SSL_CTX_free(c);
	/* NULL is possible with the RSA one, so the NULL-only hello is not refused. */
	assert_true(tls_server_null_possible(&o));
	SSL_CTX_free(s);
	two_free(&t);
}

static void test_two_certs_refused(void **state)
{
	struct fx *f = *state;
	struct tls_server_opts o;
	char err[TLS_ERRLEN];
	struct two t;

	two_make(&t);
	memset(&o, 0, sizeof(o));
	o.profile = TLS_PROFILE_MODERN;
	o.cert[0] = (struct tls_pem){f->ca.p, f->ca.n};
	o.key[0] = (struct tls_pem){f->ka.p, f->ka.n};
	o.cert[1] = (struct tls_pem){f->cb.p, f->cb.n};
	o.key[1] = (struct tls_pem){f->kb.p, f->kb.n};
	o.ncert = 2;
	assert_null(tls_server_ctx_new(&o, err, sizeof(err)));
	assert_string_equal(err, "pair 2: two RSA certificates: at most one per key type");
	assert_int_equal(ERR_peek_error(), 0);
	/* The second pair's key belongs to the first certificate. */
	o.cert[1] = (struct tls_pem){t.ec_chain.p, t.ec_chain.n};
	o.key[1] = (struct tls_pem){f->ka.p, f->ka.n};
	assert_null(tls_server_ctx_new(&o, err, sizeof(err)));
	assert_string_equal(err, "pair 2: private key does not match the certificate: "
				 "different key types; key type mismatch");
	o.key[1] = (struct tls_pem){t.ec_key.p, t.ec_key.n};
	o.key[0] = (struct tls_pem){f->kb.p, f->kb.n};
	assert_null(tls_server_ctx_new(&o, err, sizeof(err)));
	assert_string_equal(err, "pair 1: private key does not match the certificate: "
				 "key values mismatch");
	o.key[0] = (struct tls_pem){f->ka.p, f->ka.n};
	o.ncert = 0;
	assert_null(tls_server_ctx_new(&o, err, sizeof(err)));
	assert_string_equal(err, "certificate: need 1 to 2 certificate/key pairs, not 0");
	o.ncert = 3;
	assert_null(tls_server_ctx_new(&o, err, sizeof(err)));
	assert_string_equal(err, "certificate: need 1 to 2 certificate/key pairs, not 3");
	o.ncert = 2;
	o.profile = (enum tls_profile)5;
	assert_null(tls_server_ctx_new(&o, err, sizeof(err)));
	assert_string_equal(err, "unknown cipher profile 5");
	o.profile = TLS_PROFILE_STRICT;
	SSL_CTX_free(server_new(&o)); /* and the good pair of pairs loads */
	two_free(&t);
}

/* ---------------------------------------------------------------------------------------------
 * Client certificates */

struct leaf_spec {
	const char *cn;		/* subject CN, NULL: none */
	const char *const *san; /* dNSNames, NULL-terminated; NULL: no subjectAltName */
	const char *ku;		/* keyUsage value; NULL: none */
	const char *eku;	/* extendedKeyUsage value; NULL: none */
	long nb, na;		/* notBefore, notAfter: seconds from now */
	long serial;
};

static const char *const san_pc1[] = {"pc1.example.test", "alt.example.test", NULL};

/* A good client leaf: what a Windows computer certificate carries. */
static const struct leaf_spec good_leaf = {
    "pc1.example.test", san_pc1,    "critical,digitalSignature", "clientAuth", -3600,
    30L * 86400,	0x1234ABCD,
};

/* subjectAltName from raw bytes, so names with control characters can be made. */
static void add_dns_names(X509 *x, const char *const *names)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();

	assert_non_null(gens);
	for (size_t i = 0; names[i] != NULL; i++) {
		GENERAL_NAME *g = GENERAL_NAME_new();
		ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

		assert_non_null(g);
		assert_non_null(ia5);
		assert_true(ASN1_STRING_set(ia5, names[i], -1));
		GENERAL_NAME_set0_value(g, GEN_DNS, ia5);
		assert_true(sk_GENERAL_NAME_push(gens, g));
	}
	assert_int_equal(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT),
			 1);
	GENERAL_NAMES_free(gens);
}

/* A client leaf for key under spec, signed by ikey as issuer (self-signed when NULL). */
static X509 *mk_leaf(EVP_PKEY *key, const struct leaf_spec *sp, X509 *issuer, EVP_PKEY *ikey)
{
	static const unsigned char org[] = "Example";
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	X509V3_CTX v3;

	assert_true(X509_set_version(x, X509_VERSION_3));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), sp->serial));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), sp->nb));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), sp->na));
	assert_true(X509_set_pubkey(x, key));
	assert_true(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, org, -1, -1, 0));
	if (sp->cn != NULL)
		assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
						       (const unsigned char *)sp->cn, -1, -1, 0));
	assert_true(X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)));
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE");
	if (sp->ku != NULL)
		add_ext(x, &v3, NID_key_usage, sp->ku);
	if (sp->eku != NULL)
		add_ext(x, &v3, NID_ext_key_usage, sp->eku);
	if (sp->san != NULL)
		add_dns_names(x, sp->san);
	assert_true(X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0);
	return x;
}

/* A CRL by ca, updated at last, next update at next (seconds from now), revoking serials. */
static X509_CRL *mk_crl(X509 *ca, EVP_PKEY *cak, long last, long next, const long *serials,
			size_t n)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_new();

	assert_non_null(crl);
	assert_true(X509_CRL_set_version(crl, X509_CRL_VERSION_2));
	assert_true(X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)));
	assert_non_null(X509_gmtime_adj(t, last));
	assert_true(X509_CRL_set1_lastUpdate(crl, t));
	assert_non_null(X509_gmtime_adj(t, next));
	assert_true(X509_CRL_set1_nextUpdate(crl, t));
	for (size_t i = 0; i < n; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *sn = ASN1_INTEGER_new();

		assert_non_null(r);
		assert_non_null(sn);
		assert_true(ASN1_INTEGER_set(sn, serials[i]));
		assert_true(X509_REVOKED_set_serialNumber(r, sn));
		ASN1_INTEGER_free(sn);
		assert_non_null(X509_gmtime_adj(t, last));
		assert_true(X509_REVOKED_set_revocationDate(r, t));
		assert_true(X509_CRL_add0_revoked(crl, r));
	}
	assert_true(X509_CRL_sort(crl));
	assert_true(X509_CRL_sign(crl, cak, EVP_sha256()) > 0);
	ASN1_TIME_free(t);
	return crl;
}

static struct pem pem_of_crl(X509_CRL *crl)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_true(PEM_write_bio_X509_CRL(b, crl));
	return bio_to_pem(b);
}

static struct pem der_of_crl(X509_CRL *crl)
{
	BIO *b = BIO_new(BIO_s_mem());

	assert_true(i2d_X509_CRL_bio(b, crl));
	return bio_to_pem(b);
}

/* Pair A under profile, client CA bundle ca, CRLs. */
static SSL_CTX *server_auth(struct fx *f, enum tls_profile profile, struct pem ca,
			    const struct pem *crls, size_t ncrl)
{
	struct tls_server_opts o;

	memset(&o, 0, sizeof(o));
	o.profile = profile;
	o.cert[0] = (struct tls_pem){f->ca.p, f->ca.n};
	o.key[0] = (struct tls_pem){f->ka.p, f->ka.n};
	o.ncert = 1;
	o.client_ca = (struct tls_pem){ca.p, ca.n};
	for (size_t i = 0; i < ncrl; i++)
		o.crl[i] = (struct tls_pem){crls[i].p, crls[i].n};
	o.ncrl = ncrl;
	return server_new(&o);
}

/* A client up to maxv presenting leaf (and extra after it), or no certificate at all. */
static SSL_CTX *client_cert_ctx(int maxv, X509 *leaf, EVP_PKEY *key, X509 *extra)
{
	SSL_CTX *c = client_ctx(TLS1_2_VERSION, maxv, NULL);

	if (leaf != NULL) {
		assert_true(SSL_CTX_use_certificate(c, leaf));
		assert_true(SSL_CTX_use_PrivateKey(c, key));
	}
	if (extra != NULL)
		assert_true(SSL_CTX_add1_chain_cert(c, extra));
	return c;
}

/* One handshake with peer attached; it must complete whatever the certificate. */
static void hs_peer(SSL_CTX *s, SSL_CTX *c, struct tls_peer *peer, long *verify)
{
	struct hs h;

	memset(peer, 0, sizeof(*peer));
	hs_begin(&h, s, c);
	assert_int_equal(tls_server_attach(h.s, peer), 0);
	if (!hs_drive(&h))
		fail_msg("handshake failed: client reason %d, server reason %d", h.c_reason,
			 h.s_reason);
	if (verify != NULL)
		*verify = SSL_get_verify_result(h.s);
	hs_end(&h);
}

static const int versions[] = {TLS1_2_VERSION, TLS1_3_VERSION};

/* The verdict for leaf (with extra sent after it) over TLS 1.2 and 1.3. */
static void expect_verdict(SSL_CTX *s, X509 *leaf, EVP_PKEY *key, X509 *extra, const char *reason)
{
	struct tls_peer peer;

	for (size_t v = 0; v < 2; v++) {
		SSL_CTX *c = client_cert_ctx(versions[v], leaf, key, extra);

		hs_peer(s, c, &peer, NULL);
		assert_true(peer.cert_presented);
		assert_false(peer.null_refused);
		if (reason == NULL) {
			if (!peer.cert_ok)
				fail_msg("refused: %s", peer.reason);
			assert_string_equal(peer.reason, "");
		} else {
			assert_false(peer.cert_ok);
			assert_string_equal(peer.reason, reason);
		}
		SSL_CTX_free(c);
	}
}

/* Builds the leaf under issuer 1 (bundle), 2 (not in it) or 0 (self-signed), then checks. */
static void expect_spec(struct fx *f, SSL_CTX *s, const struct leaf_spec *sp, int issuer,
			bool send_issuer, const char *reason)
{
	X509 *ica = issuer == 1 ? f->ca1 : issuer == 2 ? f->ca2 : NULL;
	EVP_PKEY *ik = issuer == 1 ? f->ca1k : issuer == 2 ? f->ca2k : NULL;
	X509 *leaf = mk_leaf(f->ck, sp, ica, ik);

	expect_verdict(s, leaf, f->ck, send_issuer ? ica : NULL, reason);
	X509_free(leaf);
}

static void test_cc_good(void **state)
{
	struct fx *f = *state;
	SSL_CTX *s = server_auth(f, TLS_PROFILE_MODERN, f->ca1p, NULL, 0);
	X509 *leaf = mk_leaf(f->ck, &good_leaf, f->ca1, f->ca1k);
	const STACK_OF(X509_NAME) * names;
	struct tls_peer peer;
	long verify;
	struct hs h;

	assert_int_equal(SSL_CTX_get_verify_mode(s), SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE);
	for (size_t v = 0; v < 2; v++) {
		SSL_CTX *c = client_cert_ctx(versions[v], leaf, f->ck, NULL);

		hs_peer(s, c, &peer, &verify);
		assert_int_equal(verify, X509_V_OK);
		assert_true(peer.cert_presented);
		assert_true(peer.cert_ok);
		assert_string_equal(peer.reason, "");
		assert_string_equal(peer.subject, "CN=pc1.example.test,O=Example");
		assert_string_equal(peer.cn, "pc1.example.test");
		assert_int_equal(peer.nnames, 2);
		assert_string_equal(peer.names[0], "pc1.example.test");
		assert_string_equal(peer.names[1], "alt.example.test");
		assert_string_equal(peer.serial, "1234ABCD");
		/* The CertificateRequest named the bundle's CA (RFC 8446 §4.2.4, 5246 §7.4.4). */
		hs_begin(&h, s, c);
		assert_true(hs_drive(&h));
		names = SSL_get0_peer_CA_list(h.c);
		assert_int_equal(sk_X509_NAME_num(names), 1);
		assert_int_equal(
		    X509_NAME_cmp(sk_X509_NAME_value(names, 0), X509_get_subject_name(f->ca1)), 0);
		hs_end(&h);
		SSL_CTX_free(c);
	}
	X509_free(leaf);
	SSL_CTX_free(s);
}

static int count_cert_requests(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	int *n = SSL_get_app_data(ssl);

	(void)x509;
	(void)pkey;
	(*n)++;
	return 0; /* no certificate */
}

/* Requests a certificate only with a client CA bundle; completes without one either way. */
static void test_cc_none(void **state)
{
	struct fx *f = *state;
	SSL_CTX *with = server_auth(f, TLS_PROFILE_MODERN, f->ca1p, NULL, 0);
	SSL_CTX *without = server_a(f);
	X509 *leaf = mk_leaf(f->ck, &good_leaf, f->ca1, f->ca1k);

	for (size_t v = 0; v < 2; v++) {
		SSL_CTX *c = client_ctx(TLS1_2_VERSION, versions[v], NULL);
		SSL_CTX *cc = client_cert_ctx(versions[v], leaf, f->ck, NULL);
		struct tls_peer peer;
		int asked = 0;
		struct hs h;

		SSL_CTX_set_client_cert_cb(c, count_cert_requests);
		for (int i = 0; i < 2; i++) {
			memset(&peer, 0, sizeof(peer));
			hs_begin(&h, i == 0 ? with : without, c);
			SSL_set_app_data(h.c, &asked);
			assert_int_equal(tls_server_attach(h.s, &peer), 0);
			assert_true(hs_drive(&h));
			assert_false(peer.cert_presented);
			assert_false(peer.cert_ok);
			assert_null(SSL_get0_peer_certificate(h.s));
			hs_end(&h);
			assert_int_equal(asked, 1); /* asked once, by "with" only */
		}
		/* A client with a certificate is not asked for it either: nothing presented. */
		hs_peer(without, cc, &peer, NULL);
		assert_false(peer.cert_presented);
		SSL_CTX_free(c);
		SSL_CTX_free(cc);
	}
	X509_free(leaf);
	SSL_CTX_free(with);
	SSL_CTX_free(without);
}

static void test_cc_refused(void **state)
{
	struct fx *f = *state;
	SSL_CTX *s = server_auth(f, TLS_PROFILE_MODERN, f->ca1p, NULL, 0);
	struct leaf_spec sp = good_leaf;

	expect_spec(f, s, &sp, 2, false, "untrusted: unable to get local issuer certificate");
	expect_spec(f, s, &sp, 2, true,
		    "untrusted: self-signed certificate in certificate chain (depth 1)");
	sp.ku = NULL; /* a typical self-signed certificate: no keyUsage */
	expect_spec(f, s, &sp, 0, false, "untrusted: self-signed certificate");
	sp = good_leaf;
	sp.nb = -10L * 86400;
	sp.na = -86400;
	expect_spec(f, s, &sp, 1, false, "certificate has expired");
	sp.nb = 86400;
	sp.na = 10L * 86400;
	expect_spec(f, s, &sp, 1, false, "certificate is not yet valid");
	sp = good_leaf;
	sp.eku = NULL;
	expect_spec(f, s, &sp, 1, false, "wrong key usage: no TLS client authentication EKU");
	sp.eku = "serverAuth";
	expect_spec(f, s, &sp, 1, false, "wrong key usage: unsuitable certificate purpose");
	sp.eku = "anyExtendedKeyUsage";
	expect_spec(f, s, &sp, 1, false, "wrong key usage: unsuitable certificate purpose");
	sp.eku = "serverAuth,clientAuth";
	expect_spec(f, s, &sp, 1, false, NULL);
	sp = good_leaf;
	sp.ku = "critical,keyEncipherment"; /* cannot sign a CertificateVerify */
	expect_spec(f, s, &sp, 1, false, "wrong key usage: unsuitable certificate purpose");
	sp.ku = "critical,keyAgreement"; /* OpenSSL's ssl_client purpose would take it */
	expect_spec(f, s, &sp, 1, false, "wrong key usage: no digitalSignature");
	sp.ku = NULL;
	expect_spec(f, s, &sp, 1, false, NULL);
	SSL_CTX_free(s);
}

/* " (depth N)" names the failing certificate above the leaf. */
static void test_cc_intermediate(void **state)
{
	struct fx *f = *state;
	SSL_CTX *s = server_auth(f, TLS_PROFILE_MODERN, f->ca1p, NULL, 0);
	EVP_PKEY *ik = EVP_EC_gen("P-256");
	X509 *inter = mk_cert(ik, "Client Issuing CA", f->ca1, f->ca1k, true);
	X509 *leaf = mk_leaf(f->ck, &good_leaf, inter, ik);

	expect_verdict(s, leaf, f->ck, inter, NULL);
	expect_verdict(s, leaf, f->ck, NULL, "untrusted: unable to get local issuer certificate");
	/* The intermediate expired: re-dated and re-signed by the root. */
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(inter), -10L * 86400));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(inter), -86400));
	assert_true(X509_sign(inter, f->ca1k, EVP_sha256()) > 0);
	expect_verdict(s, leaf, f->ck, inter, "certificate has expired (depth 1)");
	X509_free(leaf);
	X509_free(inter);
	EVP_PKEY_free(ik);
	SSL_CTX_free(s);
}

/* With CRLs, the whole chain below the anchor is checked: a revoked issuing CA takes its
   leaves with it, and its own CRL must be there too. */
static void test_cc_intermediate_revoked(void **state)
{
	struct fx *f = *state;
	EVP_PKEY *ik = EVP_EC_gen("P-256");
	X509 *inter = mk_cert(ik, "Client Issuing CA", f->ca1, f->ca1k, true);
	X509 *leaf = mk_leaf(f->ck, &good_leaf, inter, ik);
	long iserial = ASN1_INTEGER_get(X509_get_serialNumber(inter));
	X509_CRL *root_ok = mk_crl(f->ca1, f->ca1k, -3600, 7L * 86400, NULL, 0);
	X509_CRL *root_rev = mk_crl(f->ca1, f->ca1k, -3600, 7L * 86400, &iserial, 1);
	X509_CRL *icrl = mk_crl(inter, ik, -3600, 7L * 86400, NULL, 0);
	struct pem crls[2] = {pem_of_crl(root_ok), pem_of_crl(icrl)};
	struct pem rev = pem_of_crl(root_rev);
	SSL_CTX *s;

	assert_true(iserial > 0);
	s = server_auth(f, TLS_PROFILE_MODERN, f->ca1p, crls, 2);
	expect_verdict(s, leaf, f->ck, inter, NULL);
	SSL_CTX_free(s);
	/* Only the root's CRL: the issuing CA's is missing, fail closed. */
	s = server_auth(f, TLS_PROFILE_MODERN, f->ca1p, crls, 1);
	expect_verdict(s, leaf, f->ck, inter, "no CRL for the issuer");
	SSL_CTX_free(s);
	free(crls[0].p);
	crls[0] = rev;
	s = server_auth(f, TLS_PROFILE_MODERN, f->ca1p, crls, 2);
	expect_verdict(s, leaf, f->ck, inter, "certificate revoked (depth 1)");
	SSL_CTX_free(s);
	free(crls[0].p);
	free(crls[1].p);
	X509_CRL_free(root_ok);
	X509_CRL_free(root_rev);
	X509_CRL_free(icrl);
	X509_free(leaf);
	X509_free(inter);
	EVP_PKEY_free(ik);
}

static void test_cc_crl(void **state)
{
	static const long revoked[] = {0x77, 0x1001};
	struct fx *f = *state;
	X509_CRL *crl1 = mk_crl(f->ca1, f->ca1k, -3600, 7L * 86400, revoked, 2);
	X509_CRL *crl2 = mk_crl(f->ca2, f->ca2k, -3600, 7L * 86400, NULL, 0);
	X509_CRL *old1 = mk_crl(f->ca1, f->ca1k, -10L * 86400, -86400, NULL, 0);
	struct pem pem1 = pem_of_crl(crl1), der1 = der_of_crl(crl1), pem2 = pem_of_crl(crl2);
	struct pem oldp = pem_of_crl(old1), both = pem_cat(pem2.p, pem2.n, pem1.p, pem1.n);
	struct pem bundle = pem_cat(f->ca1p.p, f->ca1p.n, f->ca2p.p, f->ca2p.n);
	struct leaf_spec sp = good_leaf;
	SSL_CTX *s;

	/* PEM, then DER: the listed serial is refused, another one passes. */
	for (int i = 0; i < 2; i++) {
		s = server_auth(f, TLS_PROFILE_MODERN, f->ca1p, i == 0 ? &pem1 : &der1, 1);
		sp.serial = 0x1001;
		expect_spec(f, s, &sp, 1, false, "certificate revoked");
		sp.serial = 0x1002;
		expect_spec(f, s, &sp, 1, false, NULL);
		SSL_CTX_free(s);
	}
	/* Two CRLs in one PEM file; each CA's leaves checked against their own. */
	s = server_auth(f, TLS_PROFILE_COMPAT, bundle, &both, 1);
	sp.serial = 0x77;
	expect_spec(f, s, &sp, 1, false, "certificate revoked");
	expect_spec(f, s, &sp, 2, false, NULL);
	SSL_CTX_free(s);
	/* A CRL for CA 2 only: CA 1's leaves fail closed. */
	s = server_auth(f, TLS_PROFILE_MODERN, bundle, &pem2, 1);
	expect_spec(f, s, &sp, 1, false, "no CRL for the issuer");
	expect_spec(f, s, &sp, 2, false, NULL);
	SSL_CTX_free(s);
	s = server_auth(f, TLS_PROFILE_MODERN, f->ca1p, &oldp, 1);
	expect_spec(f, s, &sp, 1, false, "CRL has expired");
	SSL_CTX_free(s);
	free(pem1.p);
	free(der1.p);
	free(pem2.p);
	free(oldp.p);
	free(both.p);
	free(bundle.p);
	X509_CRL_free(crl1);
	X509_CRL_free(crl2);
	X509_CRL_free(old1);
}

/* compat runs at security level 0; client chains are still checked at auth level 2. */
static void test_cc_weak(void **state)
{
	struct fx *f = *state;
	SSL_CTX *s = server_auth(f, TLS_PROFILE_COMPAT, f->ca1p, NULL, 0);
	EVP_PKEY *weak = EVP_RSA_gen(1024);
	X509 *leaf = mk_leaf(weak, &good_leaf, f->ca1, f->ca1k);
	X509 *sha1 = mk_leaf(f->ck, &good_leaf, f->ca1, f->ca1k);

	expect_verdict(s, leaf, weak, NULL, "EE certificate key too weak");
	assert_true(X509_sign(sha1, f->ca1k, EVP_sha1()) > 0);
	expect_verdict(s, sha1, f->ck, NULL, "CA signature digest algorithm too weak");
	X509_free(leaf);
	X509_free(sha1);
	EVP_PKEY_free(weak);
	SSL_CTX_free(s);
}

/* Names are escaped, never cut; only dNSNames, at most TLS_PEER_NAMES of them. */
static void test_cc_names(void **state)
{
	static char long_name[300];
	static const char *const many[] = {
	    "a.example.test", long_name, "b\\.example.test", "c\x01.example.test", "d.example.test",
	    "e.example.test", NULL};
	struct fx *f = *state;
	SSL_CTX *s = server_auth(f, TLS_PROFILE_MODERN, f->ca1p, NULL, 0);
	SSL_CTX *c;
	struct leaf_spec sp = good_leaf;
	struct tls_peer peer;
	X509 *leaf;

	memset(long_name, 'x', sizeof(long_name) - 1);
	sp.cn = "pc\n1";
	sp.san = many;
	sp.serial = 0x0A;
	leaf = mk_leaf(f->ck, &sp, f->ca1, f->ca1k);
	c = client_cert_ctx(TLS1_3_VERSION, leaf, f->ck, NULL);
	hs_peer(s, c, &peer, NULL);
	assert_true(peer.cert_ok);
	assert_string_equal(peer.cn, "pc\\0A1");
	assert_string_equal(peer.subject, "CN=pc\\0A1,O=Example");
	assert_int_equal(peer.nnames, 4);
	assert_string_equal(peer.names[0], "a.example.test");
	assert_string_equal(peer.names[1], "b\\5C.example.test");
	assert_string_equal(peer.names[2], "c\\01.example.test");
	assert_string_equal(peer.names[3], "d.example.test");
	assert_string_equal(peer.serial, "0A");
	SSL_CTX_free(c);
	X509_free(leaf);
	/* Two CNs: the last, most specific one (RFC 2818 §3.1). */
	sp = good_leaf;
	leaf = mk_leaf(f->ck, &sp, f->ca1, f->ca1k);
	assert_true(X509_NAME_add_entry_by_txt(X509_get_subject_name(leaf), "CN", MBSTRING_ASC,
					       (const unsigned char *)"pc2.example.test", -1, -1,
					       0));
	assert_true(X509_sign(leaf, f->ca1k, EVP_sha256()) > 0);
	c = client_cert_ctx(TLS1_2_VERSION, leaf, f->ck, NULL);
	hs_peer(s, c, &peer, NULL);
	assert_true(peer.cert_ok);
	assert_string_equal(peer.cn, "pc2.example.test");
	assert_string_equal(peer.subject, "CN=pc2.example.test,CN=pc1.example.test,O=Example");
	SSL_CTX_free(c);
	X509_free(leaf);
	/* No CN, no SAN. */
	sp.cn = NULL;
	sp.san = NULL;
	leaf = mk_leaf(f->ck, &sp, f->ca1, f->ca1k);
	c = client_cert_ctx(TLS1_2_VERSION, leaf, f->ck, NULL);
	hs_peer(s, c, &peer, NULL);
	assert_true(peer.cert_ok);
	assert_string_equal(peer.cn, "");
	assert_int_equal(peer.nnames, 0);
	assert_string_equal(peer.subject, "O=Example");
	SSL_CTX_free(c);
	X509_free(leaf);
	SSL_CTX_free(s);
}

/* Without a tls_peer nobody would see the verdict: a bad certificate fails the handshake. */
static void test_cc_unattached(void **state)
{
	struct fx *f = *state;
	SSL_CTX *s = server_auth(f, TLS_PROFILE_MODERN, f->ca1p, NULL, 0);
	X509 *good = mk_leaf(f->ck, &good_leaf, f->ca1, f->ca1k);
	X509 *bad = mk_leaf(f->ck, &good_leaf, f->ca2, f->ca2k);

	for (size_t v = 0; v < 2; v++) {
		SSL_CTX *cg = client_cert_ctx(versions[v], good, f->ck, NULL);
		SSL_CTX *cb = client_cert_ctx(versions[v], bad, f->ck, NULL);
		char desc[128];
		int reason;

		assert_true(hs_once(s, cg, desc, sizeof(desc), &reason));
		assert_false(hs_once(s, cb, desc, sizeof(desc), &reason));
		assert_int_equal(reason, SSL_R_CERTIFICATE_VERIFY_FAILED);
		SSL_CTX_free(cg);
		SSL_CTX_free(cb);
	}
	X509_free(good);
	X509_free(bad);
	SSL_CTX_free(s);
}

static void expect_auth_error(struct fx *f, struct pem ca, const struct pem *crls, size_t ncrl,
			      const char *expect)
{
	struct tls_server_opts o;
	char err[TLS_ERRLEN];

	memset(&o, 0, sizeof(o));
	o.profile = TLS_PROFILE_MODERN;
	o.cert[0] = (struct tls_pem){f->ca.p, f->ca.n};
	o.key[0] = (struct tls_pem){f->ka.p, f->ka.n};
	o.ncert = 1;
	o.client_ca = (struct tls_pem){ca.p, ca.n};
	for (size_t i = 0; i < ncrl && i < TLS_MAX_CRLS; i++)
		o.crl[i] = (struct tls_pem){crls[i].p, crls[i].n};
	o.ncrl = ncrl;
	if (tls_server_ctx_new(&o, err, sizeof(err)) != NULL)
		fail_msg("accepted, expected \"%s\"", expect);
	if (strncmp(err, expect, strlen(expect)) != 0 || strchr(err, '\n') != NULL)
		fail_msg("err \"%s\", expected \"%s...\"", err, expect);
	assert_int_equal(ERR_peek_error(), 0);
}

static void test_cc_ctx_errors(void **state)
{
	static const char junk[] = "not a CRL\n";
	struct fx *f = *state;
	X509_CRL *crl = mk_crl(f->ca1, f->ca1k, -3600, 86400, NULL, 0);
	struct pem pem = pem_of_crl(crl), der = der_of_crl(crl);
	struct pem der_tail = pem_cat(der.p, der.n, "x", 1), der_cut = {der.p, der.n - 1};
	struct pem none = {NULL, 0}, garbage = {(char *)(uintptr_t)junk, strlen(junk)};
	struct pem crls[TLS_MAX_CRLS + 1];

	expect_auth_error(f, garbage, NULL, 0, "client CA bundle: no certificate in it");
	expect_auth_error(f, pem, NULL, 0, "client CA bundle: no certificate in it");
	expect_auth_error(f, (struct pem){f->ca1p.p, f->ca1p.n / 2}, NULL, 0,
			  "client CA bundle: cannot read certificate: ");
	expect_auth_error(f, none, &pem, 1, "CRLs given without a client CA bundle");
	expect_auth_error(f, f->ca1p, &garbage, 1, "CRL 1: no CRL in it");
	expect_auth_error(f, f->ca1p, &f->ca1p, 1, "CRL 1: no CRL in it");
	crls[0] = pem;
	crls[1] = der_tail;
	expect_auth_error(f, f->ca1p, crls, 2, "CRL 2: cannot load: too long: data after the CRL");
	crls[1] = der_cut;
	expect_auth_error(f, f->ca1p, crls, 2, "CRL 2: cannot load: ");
	crls[1] = (struct pem){pem.p, pem.n - 30};
	expect_auth_error(f, f->ca1p, crls, 2, "CRL 2: cannot load: ");
	crls[1] = (struct pem){pem.p, 0};
	expect_auth_error(f, f->ca1p, crls, 2, "CRL 2: empty or too large");
	for (size_t i = 0; i <= TLS_MAX_CRLS; i++)
		crls[i] = pem;
	expect_auth_error(f, f->ca1p, crls, TLS_MAX_CRLS + 1, "at most 16 CRL files, not 17");
	/* The good ones load: a PEM file and a DER file. */
	crls[1] = der;
	SSL_CTX_free(server_auth(f, TLS_PROFILE_STRICT, f->ca1p, crls, 2));
	free(pem.p);
	free(der.p);
	free(der_tail.p);
	X509_CRL_free(crl);
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
	    cmocka_unit_test(test_ctx_profiles),
	    cmocka_unit_test(test_ctx_mismatch),
	    cmocka_unit_test(test_ctx_bad_input),
	    cmocka_unit_test(test_ctx_encrypted_key),
	    cmocka_unit_test(test_ctx_weak_key),
	    cmocka_unit_test(test_ctx_chain),
	    cmocka_unit_test(test_hs_tls13),
	    cmocka_unit_test(test_hs_tls12_ecdhe),
	    cmocka_unit_test(test_hs_tls12_suites),
	    cmocka_unit_test(test_hs_strict),
	    cmocka_unit_test(test_hs_sigalgs),
	    cmocka_unit_test(test_hs_ecdsa),
	    cmocka_unit_test(test_hs_refused),
	    cmocka_unit_test(test_hs_no_sessions),
	    cmocka_unit_test(test_hs_no_renegotiation),
	    cmocka_unit_test(test_conn_describe_states),
	    cmocka_unit_test(test_null_refused),
	    cmocka_unit_test(test_null_refused_raw),
	    cmocka_unit_test(test_null_possible),
	    cmocka_unit_test(test_two_certs),
	    cmocka_unit_test(test_two_certs_refused),
	    cmocka_unit_test(test_cc_good),
	    cmocka_unit_test(test_cc_none),
	    cmocka_unit_test(test_cc_refused),
	    cmocka_unit_test(test_cc_intermediate),
	    cmocka_unit_test(test_cc_intermediate_revoked),
	    cmocka_unit_test(test_cc_crl),
	    cmocka_unit_test(test_cc_weak),
	    cmocka_unit_test(test_cc_names),
	    cmocka_unit_test(test_cc_unattached),
	    cmocka_unit_test(test_cc_ctx_errors),
	    cmocka_unit_test(test_cert_info_fixture),
	    cmocka_unit_test(test_cert_info_generated),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
