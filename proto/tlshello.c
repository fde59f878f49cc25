/* SPDX-License-Identifier: ISC */
/*
 * tlshello: raw ClientHello records and the first-flight parser behind the TLS audit of
 * `iphttps probe` (RFC 6101 for SSLv3, RFC 5246 for TLS 1.2 and older, RFC 8446 for 1.3).
 *
 * It does: write one ClientHello record per offer set, with the suites and extensions of that
 * set only, so that each answer tests one thing; read what the server sent back, record by
 * record (RFC 5246 §6.2.1), reassembling handshake messages across records without copying,
 * up to the ServerHello (version from supported_versions, suite, HelloRetryRequest) and, when
 * asked and the suite is DHE, on to the ServerKeyExchange for the size of the DH prime.
 * It does not: complete a handshake, check any signature or certificate, decrypt anything,
 * keep state between calls, allocate, read the clock or log. Whether the answer fits what was
 * offered (a suite or version that was not asked for) is the caller's judgement: the parser
 * does not know the hello.
 */
#include "proto/tlshello.h"

#include <string.h>

#include "lib/buf.h"

#define TLSHELLO_N(a) (sizeof(a) / sizeof((a)[0]))

/* RFC 5246 §6.2.1 ContentType, RFC 6520 §3 heartbeat. */
#define TLSHELLO_CT_CCS	      20
#define TLSHELLO_CT_ALERT     21
#define TLSHELLO_CT_HANDSHAKE 22
#define TLSHELLO_CT_APPDATA   23
#define TLSHELLO_CT_HEARTBEAT 24

/* RFC 5246 §7.4 HandshakeType; certificate_status RFC 6066 §8, supplemental_data RFC 4680. */
#define TLSHELLO_HT_HELLO_REQUEST 0
#define TLSHELLO_HT_CLIENT_HELLO  1
#define TLSHELLO_HT_SERVER_HELLO  2
#define TLSHELLO_HT_CERTIFICATE	  11
#define TLSHELLO_HT_SKE		  12
#define TLSHELLO_HT_CERT_REQUEST  13
#define TLSHELLO_HT_SHD		  14
#define TLSHELLO_HT_CERT_STATUS	  22
#define TLSHELLO_HT_SUPPLEMENTAL  23

/* ExtensionType: RFC 6066 §3, RFC 8422 §5.1.1-2, RFC 5246 §7.4.1.4.1, RFC 7685 §3,
 * RFC 8446 §4.2. */
#define TLSHELLO_EXT_SNI	 0
#define TLSHELLO_EXT_GROUPS	 10
#define TLSHELLO_EXT_EC_FORMATS	 11
#define TLSHELLO_EXT_SIGALGS	 13
#define TLSHELLO_EXT_PADDING	 21
#define TLSHELLO_EXT_VERSIONS	 43
#define TLSHELLO_EXT_KEY_SHARE	 51
#define TLSHELLO_GROUP_X25519	 0x001d
#define TLSHELLO_GROUP_SECP256R1 0x0017
#define TLSHELLO_GROUP_SECP384R1 0x0018

#define TLSHELLO_REC_HDR 5 /* type, version, length (RFC 5246 §6.2.1) */
/* RFC 5246 §6.2.3: no record of any kind is longer (TLSCiphertext), so a longer length is
 * not TLS; the plaintext records of the first flight stay within 2^14 (§6.2.1). */
#define TLSHELLO_REC_MAX (16384 + 2048)
/* RFC 7685 §4: a server is known to hang on a ClientHello record of 256 to 511 bytes. */
#define TLSHELLO_PAD_FROM 256
#define TLSHELLO_PAD_TO	  512
#define TLSHELLO_SNI_MAX  253 /* RFC 1035 §2.3.4 less the root's dot (RFC 6066 §3) */
/* Handshake messages accepted before the ServerHello (HelloRequests) and between it and the
 * ServerKeyExchange (Certificate, CertificateStatus, SupplementalData, CertificateRequest):
 * a real flight has at most four; the bound only keeps a hostile one from spinning. */
#define TLSHELLO_MSGS_MAX 16

/* ---- cipher suites (IANA TLS Cipher Suites registry) ---- */

#define TLSHELLO_F_NULL 1 /* no encryption */
#define TLSHELLO_F_DHE	2 /* finite-field DHE key exchange */

struct tlshello_suite {
	uint16_t id;
	uint8_t flags;
	const char *name;
};

static const struct tlshello_suite tlshello_suites[] = {
    {0x0000, TLSHELLO_F_NULL, "TLS_NULL_WITH_NULL_NULL"},
    {0x0001, TLSHELLO_F_NULL, "TLS_RSA_WITH_NULL_MD5"},
    {0x0002, TLSHELLO_F_NULL, "TLS_RSA_WITH_NULL_SHA"},
    {0x003b, TLSHELLO_F_NULL, "TLS_RSA_WITH_NULL_SHA256"},
    {0xc006, TLSHELLO_F_NULL, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"},
    {0xc010, TLSHELLO_F_NULL, "TLS_ECDHE_RSA_WITH_NULL_SHA"},
    {0xc0b4, TLSHELLO_F_NULL, "TLS_SHA256_SHA256"}, /* RFC 9150: TLS 1.3 integrity only */
    {0xc0b5, TLSHELLO_F_NULL, "TLS_SHA384_SHA384"},
    {0x0004, 0, "TLS_RSA_WITH_RC4_128_MD5"},
    {0x0005, 0, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x000a, 0, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x002f, 0, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0035, 0, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x003c, 0, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003d, 0, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x009c, 0, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009d, 0, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0xc008, 0, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc009, 0, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xc00a, 0, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xc012, 0, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xc013, 0, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xc014, 0, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xc023, 0, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xc024, 0, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xc027, 0, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xc028, 0, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    {0xc02b, 0, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xc02c, 0, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xc02f, 0, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xc030, 0, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xcca8, 0, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xcca9, 0, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0x1301, 0, "TLS_AES_128_GCM_SHA256"},
    {0x1302, 0, "TLS_AES_256_GCM_SHA384"},
    {0x1303, 0, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x0013, TLSHELLO_F_DHE, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"},
    {0x0016, TLSHELLO_F_DHE, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0032, TLSHELLO_F_DHE, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
    {0x0033, TLSHELLO_F_DHE, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0038, TLSHELLO_F_DHE, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
    {0x0039, TLSHELLO_F_DHE, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x0040, TLSHELLO_F_DHE, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256"},
    {0x0067, TLSHELLO_F_DHE, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x006a, TLSHELLO_F_DHE, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256"},
    {0x006b, TLSHELLO_F_DHE, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x009e, TLSHELLO_F_DHE, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009f, TLSHELLO_F_DHE, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00a2, TLSHELLO_F_DHE, "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"},
    {0x00a3, TLSHELLO_F_DHE, "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384"},
    {0xccaa, TLSHELLO_F_DHE, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0x00ff, 0, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"}, /* RFC 5746 §3.3: not a real suite */
};

/*
 * What each set offers, most preferred first; every list ends with the renegotiation SCSV
 * (RFC 5746 §3.4), which costs nothing and keeps servers that insist on it talking.
 * SSLv3 to TLS 1.1 also offer RC4 (RFC 7465 forbids it, but a server of that age may speak
 * nothing else, and the question these hellos ask is the version). No set but NULL offers a
 * NULL suite, no set but DHE a finite-field DHE suite.
 */
static const uint16_t tlshello_s_ssl3[] = {
    0x002f, 0x0035, 0x000a, 0x0005, 0x0004, 0x00ff,
};
static const uint16_t tlshello_s_tls10[] = {
    0xc009, 0xc013, 0xc00a, 0xc014, 0x002f, 0x0035, 0xc008, 0xc012, 0x000a, 0x0005, 0x0004, 0x00ff,
};
static const uint16_t tlshello_s_tls12[] = {
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc023, 0xc027, 0xc024, 0xc028, 0xc009, 0xc013,
    0xc00a, 0xc014, 0x009c, 0x009d, 0x003c, 0x003d, 0x002f, 0x0035, 0xc008, 0xc012, 0x000a, 0x00ff,
};
static const uint16_t tlshello_s_tls13[] = {0x1301, 0x1302, 0x1303, 0x00ff};
/* [MS-IPHTTPS] clients on Windows 8 and later offer these first (doc/ms-iphttps.md §3.4). */
static const uint16_t tlshello_s_null[] = {0x003b, 0x0002, 0x00ff};
static const uint16_t tlshello_s_dhe[] = {
    0x009e, 0x009f, 0x00a2, 0x00a3, 0xccaa, 0x0067, 0x006b, 0x0040,
    0x006a, 0x0033, 0x0039, 0x0032, 0x0038, 0x0016, 0x0013, 0x00ff,
};

/* RFC 8446 §4.2.3 SignatureScheme (RFC 5246 §7.4.1.4.1 hash/signature pairs for DSA). The
 * SHA-1 schemes come last, as §4.2.3 requires of a client that offers them at all; the DSA
 * ones only in the DHE set (TLS 1.2 only: §4.2.3 forbids DSA in 1.3), for DHE_DSS. */
struct tlshello_sigalg {
	uint16_t id;
	bool dsa;
};

static const struct tlshello_sigalg tlshello_sigalgs[] = {
    {0x0403, false}, /* ecdsa_secp256r1_sha256 */
    {0x0503, false}, /* ecdsa_secp384r1_sha384 */
    {0x0603, false}, /* ecdsa_secp521r1_sha512 */
    {0x0807, false}, /* ed25519 */
    {0x0808, false}, /* ed448 */
    {0x0804, false}, /* rsa_pss_rsae_sha256 */
    {0x0805, false}, /* rsa_pss_rsae_sha384 */
    {0x0806, false}, /* rsa_pss_rsae_sha512 */
    {0x0809, false}, /* rsa_pss_pss_sha256 */
    {0x080a, false}, /* rsa_pss_pss_sha384 */
    {0x080b, false}, /* rsa_pss_pss_sha512 */
    {0x0401, false}, /* rsa_pkcs1_sha256 */
    {0x0501, false}, /* rsa_pkcs1_sha384 */
    {0x0601, false}, /* rsa_pkcs1_sha512 */
    {0x0402, true},  /* dsa with sha256 */
    {0x0201, false}, /* rsa_pkcs1_sha1 */
    {0x0203, false}, /* ecdsa_sha1 */
    {0x0202, true},  /* dsa with sha1 */
};

static const uint16_t tlshello_groups[] = {
    TLSHELLO_GROUP_X25519,
    TLSHELLO_GROUP_SECP256R1,
    TLSHELLO_GROUP_SECP384R1,
};

/* How each set's hello is built. */
struct tlshello_profile {
	uint16_t rec_version;	 /* record layer version */
	uint16_t client_version; /* ClientHello.client_version (legacy_version for 1.3) */
	const uint16_t *suites;
	size_t nsuites;
	bool exts;    /* any extensions (not SSLv3) */
	bool sigalgs; /* signature_algorithms: TLS 1.2 and up (RFC 5246 §7.4.1.4.1) */
	bool dsa;     /* DSA schemes in signature_algorithms */
	bool tls13;   /* supported_versions and key_share */
};

#define TLSHELLO_LIST(a) a, TLSHELLO_N(a)

/* RFC 5246 Appendix E.1: TLS clients send the record version 0x0301 whatever they offer, as
 * some servers refuse a higher one there; RFC 8446 §5.1 says the same for 1.3. */
static const struct tlshello_profile tlshello_profiles[] = {
    [TLSHELLO_SSL3] = {0x0300, 0x0300, TLSHELLO_LIST(tlshello_s_ssl3), false, false, false, false},
    [TLSHELLO_TLS10] = {0x0301, 0x0301, TLSHELLO_LIST(tlshello_s_tls10), true, false, false, false},
    [TLSHELLO_TLS11] = {0x0301, 0x0302, TLSHELLO_LIST(tlshello_s_tls10), true, false, false, false},
    [TLSHELLO_TLS12] = {0x0301, 0x0303, TLSHELLO_LIST(tlshello_s_tls12), true, true, false, false},
    [TLSHELLO_TLS13] = {0x0301, 0x0303, TLSHELLO_LIST(tlshello_s_tls13), true, true, false, true},
    [TLSHELLO_NULL] = {0x0301, 0x0303, TLSHELLO_LIST(tlshello_s_null), true, true, false, false},
    [TLSHELLO_DHE] = {0x0301, 0x0303, TLSHELLO_LIST(tlshello_s_dhe), true, true, true, false},
};

/* RFC 8446 §4.1.3: a ServerHello with this random is a HelloRetryRequest
 * (SHA-256 of "HelloRetryRequest"). */
static const uint8_t tlshello_hrr_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* ---- names ---- */

static const struct tlshello_suite *tlshello_find(uint16_t id)
{
	size_t i;

	for (i = 0; i < TLSHELLO_N(tlshello_suites); i++)
		if (tlshello_suites[i].id == id)
			return &tlshello_suites[i];
	return NULL;
}

const char *tlshello_suite_name(uint16_t suite)
{
	const struct tlshello_suite *s = tlshello_find(suite);

	return s ? s->name : NULL;
}

bool tlshello_suite_is_null(uint16_t suite)
{
	const struct tlshello_suite *s = tlshello_find(suite);

	return s && (s->flags & TLSHELLO_F_NULL);
}

bool tlshello_suite_is_dhe(uint16_t suite)
{
	const struct tlshello_suite *s = tlshello_find(suite);

	return s && (s->flags & TLSHELLO_F_DHE);
}

const char *tlshello_version_name(uint16_t v)
{
	switch (v) {
	case 0x0300:
		return "SSLv3";
	case 0x0301:
		return "TLSv1.0";
	case 0x0302:
		return "TLSv1.1";
	case 0x0303:
		return "TLSv1.2";
	case 0x0304:
		return "TLSv1.3";
	default:
		return NULL;
	}
}

/* ---- building ---- */

/* RFC 6066 §3 HostName: a DNS name in ASCII without the trailing dot, never an IP literal.
 * Letters, digits, '-' and '_' (found in internal names); labels of 1-63 (RFC 1035 §2.3.4).
 * A last label of digits only is an IPv4 literal: no top-level domain is numeric. */
static bool tlshello_sni_ok(const char *s, size_t *len)
{
	size_t n = strnlen(s, TLSHELLO_SNI_MAX + 1), i, label = 0;
	bool digits = true;

	if (n == 0 || n > TLSHELLO_SNI_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			digits = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
		if (!(c >= '0' && c <= '9'))
			digits = false;
		if (++label > 63)
			return false;
	}
	if (label == 0 || digits)
		return false;
	*len = n;
	return true;
}

/* A length field of `bytes` bytes to be filled in by tlshello_len_close(); its offset. */
static size_t tlshello_len_open(struct buf_wr *w, size_t bytes)
{
	size_t at = w->len;

	buf_put_zero(w, bytes);
	return at;
}

/* Fills the length field at `at` with the number of bytes written after it. */
static void tlshello_len_close(struct buf_wr *w, size_t at, size_t bytes)
{
	size_t n, i;

	if (!buf_wr_ok(w))
		return;
	n = w->len - at - bytes;
	for (i = 0; i < bytes; i++)
		w->p[at + i] = (uint8_t)(n >> 8 * (bytes - 1 - i));
}

/* RFC 6066 §3 ServerNameList with one host_name. */
static void tlshello_ext_sni(struct buf_wr *w, const char *sni, size_t n)
{
	buf_put_u16(w, TLSHELLO_EXT_SNI);
	buf_put_u16(w, (uint16_t)(n + 5));
	buf_put_u16(w, (uint16_t)(n + 3));
	buf_put_u8(w, 0); /* NameType host_name */
	buf_put_u16(w, (uint16_t)n);
	buf_put_bytes(w, sni, n);
}

/* RFC 8422 §5.1.1 supported_groups and §5.1.2 ec_point_formats (uncompressed only). */
static void tlshello_ext_groups(struct buf_wr *w)
{
	size_t i;

	buf_put_u16(w, TLSHELLO_EXT_GROUPS);
	buf_put_u16(w, (uint16_t)(2 + 2 * TLSHELLO_N(tlshello_groups)));
	buf_put_u16(w, (uint16_t)(2 * TLSHELLO_N(tlshello_groups)));
	for (i = 0; i < TLSHELLO_N(tlshello_groups); i++)
		buf_put_u16(w, tlshello_groups[i]);
	buf_put_u16(w, TLSHELLO_EXT_EC_FORMATS);
	buf_put_u16(w, 2);
	buf_put_u8(w, 1);
	buf_put_u8(w, 0); /* uncompressed */
}

/* RFC 8446 §4.2.3 (RFC 5246 §7.4.1.4.1) signature_algorithms. */
static void tlshello_ext_sigalgs(struct buf_wr *w, bool dsa)
{
	size_t ext, list, i;

	buf_put_u16(w, TLSHELLO_EXT_SIGALGS);
	ext = tlshello_len_open(w, 2);
	list = tlshello_len_open(w, 2);
	for (i = 0; i < TLSHELLO_N(tlshello_sigalgs); i++)
		if (dsa || !tlshello_sigalgs[i].dsa)
			buf_put_u16(w, tlshello_sigalgs[i].id);
	tlshello_len_close(w, list, 2);
	tlshello_len_close(w, ext, 2);
}

/* RFC 8446 §4.2.1 supported_versions [TLS 1.3] and §4.2.8 key_share with one X25519 share. */
static void tlshello_ext_tls13(struct buf_wr *w, const uint8_t x25519[32])
{
	buf_put_u16(w, TLSHELLO_EXT_VERSIONS);
	buf_put_u16(w, 3);
	buf_put_u8(w, 2);
	buf_put_u16(w, 0x0304);
	buf_put_u16(w, TLSHELLO_EXT_KEY_SHARE);
	buf_put_u16(w, 2 + 4 + 32);
	buf_put_u16(w, 4 + 32); /* client_shares */
	buf_put_u16(w, TLSHELLO_GROUP_X25519);
	buf_put_u16(w, 32);
	buf_put_bytes(w, x25519, 32);
}

/* RFC 7685 §4: lift a record of 256-511 bytes to 512 with the padding extension, which must
 * come last here so that the length it measures is final. */
static void tlshello_ext_padding(struct buf_wr *w)
{
	size_t rec = w->len - TLSHELLO_REC_HDR, pad;

	if (!buf_wr_ok(w) || rec < TLSHELLO_PAD_FROM || rec >= TLSHELLO_PAD_TO)
		return;
	pad = rec + 4 < TLSHELLO_PAD_TO ? TLSHELLO_PAD_TO - rec - 4 : 0;
	buf_put_u16(w, TLSHELLO_EXT_PADDING);
	buf_put_u16(w, (uint16_t)pad);
	buf_put_zero(w, pad);
}

static void tlshello_exts(struct buf_wr *w, const struct tlshello_opts *o,
			  const struct tlshello_profile *pr, size_t snilen)
{
	size_t at = tlshello_len_open(w, 2);

	if (o->sni)
		tlshello_ext_sni(w, o->sni, snilen);
	tlshello_ext_groups(w);
	if (pr->sigalgs)
		tlshello_ext_sigalgs(w, pr->dsa);
	if (pr->tls13)
		tlshello_ext_tls13(w, o->x25519);
	tlshello_ext_padding(w);
	tlshello_len_close(w, at, 2);
}

/* RFC 5246 §7.4.1.2 ClientHello (RFC 6101 §5.6.1.2 for SSLv3, RFC 8446 §4.1.2 for 1.3). */
static void tlshello_body(struct buf_wr *w, const struct tlshello_opts *o,
			  const struct tlshello_profile *pr, size_t snilen)
{
	size_t at, i;

	buf_put_u16(w, pr->client_version);
	buf_put_bytes(w, o->random, sizeof(o->random));
	buf_put_u8(w, 0); /* session_id: nothing to resume, and no 1.3 middlebox mode needed */
	at = tlshello_len_open(w, 2);
	for (i = 0; i < pr->nsuites; i++)
		buf_put_u16(w, pr->suites[i]);
	tlshello_len_close(w, at, 2);
	buf_put_u8(w, 1);
	buf_put_u8(w, 0); /* compression_methods: null only */
	if (pr->exts)
		tlshello_exts(w, o, pr, snilen);
}

size_t tlshello_build(const struct tlshello_opts *o, uint8_t *out, size_t cap)
{
	const struct tlshello_profile *pr;
	size_t snilen = 0, rec, msg;
	struct buf_wr w;

	if ((unsigned)o->set >= TLSHELLO_N(tlshello_profiles))
		return 0;
	pr = &tlshello_profiles[o->set];
	if (o->sni && !tlshello_sni_ok(o->sni, &snilen))
		return 0;
	buf_wr_init(&w, out, cap);
	buf_put_u8(&w, TLSHELLO_CT_HANDSHAKE);
	buf_put_u16(&w, pr->rec_version);
	rec = tlshello_len_open(&w, 2);
	buf_put_u8(&w, TLSHELLO_HT_CLIENT_HELLO);
	msg = tlshello_len_open(&w, 3);
	tlshello_body(&w, o, pr, snilen);
	tlshello_len_close(&w, msg, 3);
	tlshello_len_close(&w, rec, 2);
	return buf_wr_ok(&w) ? w.len : 0;
}

/* ---- parsing: records ---- */

/* The server's bytes: the records not yet opened and the handshake bytes of the open one. */
struct tlshello_in {
	struct buf_cur rec;  /* from the next record header on */
	struct buf_cur frag; /* unread handshake bytes of the current record */
	bool after_sh;	     /* other record types may come between handshake messages */
	bool in_msg;	     /* inside a handshake message: no other record type may come */
	/* why a function returned -1: INCOMPLETE, ALERT (with the alert) or MALFORMED */
	enum tlshello_kind stop;
	const char *why;
	uint8_t alert_level, alert_desc;
};

static int tlshello_stop(struct tlshello_in *in, enum tlshello_kind k, const char *why)
{
	in->stop = k;
	in->why = why;
	return -1;
}

/* RFC 5246 §7.2 Alert: level, description. A record may hold more than one; the first says
 * why the server gave up. */
static int tlshello_alert(struct tlshello_in *in, struct buf_cur *body)
{
	if (buf_get_u8(body, &in->alert_level) == -1 || buf_get_u8(body, &in->alert_desc) == -1)
		return tlshello_stop(in, TLSHELLO_MALFORMED, "alert record shorter than 2 bytes");
	return tlshello_stop(in, TLSHELLO_ALERT, NULL);
}

/* Opens the next record (RFC 5246 §6.2.1) once it is complete. A handshake record becomes
 * in->frag; other types are skipped where allowed (then in->frag stays empty). */
static int tlshello_record(struct tlshello_in *in)
{
	struct buf_cur body;
	uint8_t type, major, minor;
	uint16_t len;

	if (buf_get_u8(&in->rec, &type) == -1 || buf_get_u8(&in->rec, &major) == -1 ||
	    buf_get_u8(&in->rec, &minor) == -1 || buf_get_u16(&in->rec, &len) == -1)
		return tlshello_stop(in, TLSHELLO_INCOMPLETE, NULL);
	if (major != 3)
		return tlshello_stop(in, TLSHELLO_MALFORMED, "record version is not 3.x");
	if (len > TLSHELLO_REC_MAX)
		return tlshello_stop(in, TLSHELLO_MALFORMED,
				     "record longer than 2^14 + 2048 bytes (RFC 5246 §6.2.3)");
	if (buf_sub(&in->rec, &body, len) == -1)
		return tlshello_stop(in, TLSHELLO_INCOMPLETE, NULL);
	switch (type) {
	case TLSHELLO_CT_HANDSHAKE:
		/* §6.2.1: "MUST NOT send zero-length fragments of Handshake" */
		if (len == 0)
			return tlshello_stop(in, TLSHELLO_MALFORMED, "empty handshake record");
		in->frag = body;
		return 0;
	case TLSHELLO_CT_ALERT:
		return tlshello_alert(in, &body);
	case TLSHELLO_CT_CCS:
	case TLSHELLO_CT_APPDATA:
	case TLSHELLO_CT_HEARTBEAT:
		if (!in->after_sh)
			return tlshello_stop(in, TLSHELLO_MALFORMED,
					     "a non-handshake record before the ServerHello");
		/* RFC 8446 §5.1: handshake messages "MUST NOT be interleaved with other record
		 * types" */
		if (in->in_msg)
			return tlshello_stop(in, TLSHELLO_MALFORMED,
					     "a non-handshake record inside a handshake message");
		return 0;
	default:
		return tlshello_stop(in, TLSHELLO_MALFORMED, "unknown record content type");
	}
}

/* The next n handshake bytes, across records, into dst (or skipped when dst is NULL).
 * Bounded: each turn takes at least one byte or one record header of the buffer. */
static int tlshello_hs_read(struct tlshello_in *in, uint8_t *dst, size_t n)
{
	while (n > 0) {
		size_t m;

		while (buf_left(&in->frag) == 0)
			if (tlshello_record(in) == -1)
				return -1;
		m = n < buf_left(&in->frag) ? n : buf_left(&in->frag);
		if (dst) {
			if (buf_get_bytes(&in->frag, dst, m) == -1)
				return tlshello_stop(in, TLSHELLO_MALFORMED, "internal bounds");
			dst += m;
		} else if (buf_skip(&in->frag, m) == -1) {
			return tlshello_stop(in, TLSHELLO_MALFORMED, "internal bounds");
		}
		n -= m;
	}
	return 0;
}

/* ---- parsing: handshake messages ---- */

/* One handshake message (RFC 5246 §7.4), read through in without copying it whole. */
struct tlshello_msg {
	struct tlshello_in *in;
	uint8_t type;
	size_t left;	 /* body bytes not yet read */
	const char *why; /* what a read past the body's end means */
};

static int tlshello_msg_open(struct tlshello_in *in, struct tlshello_msg *m)
{
	uint8_t len[3];

	m->in = in;
	m->why = "handshake message truncated";
	if (tlshello_hs_read(in, &m->type, 1) == -1)
		return -1;
	in->in_msg = true;
	if (tlshello_hs_read(in, len, sizeof(len)) == -1)
		return -1;
	m->left = (size_t)len[0] << 16 | (size_t)len[1] << 8 | len[2];
	if (m->left > TLSHELLO_PARSE_MAX)
		return tlshello_stop(in, TLSHELLO_MALFORMED,
				     "handshake message longer than 256 KiB");
	in->in_msg = m->left > 0;
	return 0;
}

/* The next n bytes of the body into dst (NULL: skip them). */
static int tlshello_msg_get(struct tlshello_msg *m, uint8_t *dst, size_t n)
{
	if (n > m->left)
		return tlshello_stop(m->in, TLSHELLO_MALFORMED, m->why);
	if (tlshello_hs_read(m->in, dst, n) == -1)
		return -1;
	m->left -= n;
	m->in->in_msg = m->left > 0;
	return 0;
}

static int tlshello_msg_u8(struct tlshello_msg *m, uint8_t *v)
{
	return tlshello_msg_get(m, v, 1);
}

static int tlshello_msg_u16(struct tlshello_msg *m, uint16_t *v)
{
	uint8_t b[2];

	if (tlshello_msg_get(m, b, sizeof(b)) == -1)
		return -1;
	*v = (uint16_t)(b[0] << 8 | b[1]);
	return 0;
}

/* The rest of the body, unread: the message must be complete before the verdict. */
static int tlshello_msg_close(struct tlshello_msg *m)
{
	return tlshello_msg_get(m, NULL, m->left);
}

/* RFC 8446 §4.1.3 / RFC 5246 §7.4.1.4 extensions of a ServerHello: only supported_versions
 * (RFC 8446 §4.2.1) matters here. Bounded: each takes at least 4 bytes of the body. */
static int tlshello_sh_exts(struct tlshello_msg *m, uint16_t *version)
{
	bool seen = false;
	uint16_t type, len;

	while (m->left > 0) {
		if (tlshello_msg_u16(m, &type) == -1 || tlshello_msg_u16(m, &len) == -1)
			return -1;
		if (len > m->left)
			return tlshello_stop(m->in, TLSHELLO_MALFORMED,
					     "ServerHello extension overruns the message");
		if (type != TLSHELLO_EXT_VERSIONS) {
			if (tlshello_msg_get(m, NULL, len) == -1)
				return -1;
			continue;
		}
		/* RFC 8446 §4.2: "MUST NOT be more than one extension of the same type" */
		if (seen)
			return tlshello_stop(m->in, TLSHELLO_MALFORMED,
					     "ServerHello has two supported_versions");
		if (len != 2)
			return tlshello_stop(m->in, TLSHELLO_MALFORMED,
					     "ServerHello supported_versions is not 2 bytes");
		if (tlshello_msg_u16(m, version) == -1)
			return -1;
		/* RFC 8446 §4.2.1: a version before 1.3 there is an illegal_parameter. One that
		 * was not offered is the caller's to judge. */
		if (*version < 0x0304)
			return tlshello_stop(m->in, TLSHELLO_MALFORMED,
					     "ServerHello supported_versions selects a version "
					     "before TLS 1.3");
		seen = true;
	}
	return 0;
}

/* RFC 5246 §7.4.1.3 ServerHello (RFC 8446 §4.1.3: also the HelloRetryRequest). Fills
 * version, suite and dh only once the whole message is good. */
static int tlshello_server_hello(struct tlshello_msg *m, struct tlshello_answer *a, bool *hrr)
{
	uint8_t random[32], sidlen, comp;
	uint16_t ver, suite, extlen;

	m->why = "ServerHello truncated";
	if (tlshello_msg_u16(m, &ver) == -1 || tlshello_msg_get(m, random, sizeof(random)) == -1)
		return -1;
	if (ver >> 8 != 3)
		return tlshello_stop(m->in, TLSHELLO_MALFORMED, "ServerHello version is not 3.x");
	if (tlshello_msg_u8(m, &sidlen) == -1)
		return -1;
	if (sidlen > 32)
		return tlshello_stop(m->in, TLSHELLO_MALFORMED,
				     "ServerHello session_id longer than 32 bytes");
	if (tlshello_msg_get(m, NULL, sidlen) == -1 || tlshello_msg_u16(m, &suite) == -1 ||
	    tlshello_msg_u8(m, &comp) == -1)
		return -1;
	/* Only null compression was offered (and RFC 8446 §4.1.3 knows no other). */
	if (comp != 0)
		return tlshello_stop(m->in, TLSHELLO_MALFORMED,
				     "ServerHello chose a compression method not offered");
	/* §7.4.1.3: the extensions are optional; when present they fill the rest exactly. */
	if (m->left > 0) {
		if (tlshello_msg_u16(m, &extlen) == -1)
			return -1;
		if (extlen != m->left)
			return tlshello_stop(m->in, TLSHELLO_MALFORMED,
					     "ServerHello extensions do not fill the message");
		if (tlshello_sh_exts(m, &ver) == -1)
			return -1;
	}
	a->version = ver;
	a->suite = suite;
	a->dh = tlshello_suite_is_dhe(suite);
	*hrr = memcmp(random, tlshello_hrr_random, sizeof(random)) == 0;
	return 0;
}

/* An opaque<1..2^16-1> of the ServerKeyExchange, skipped. */
static int tlshello_ske_skip(struct tlshello_msg *m)
{
	uint16_t n;

	if (tlshello_msg_u16(m, &n) == -1)
		return -1;
	if (n == 0)
		return tlshello_stop(m->in, TLSHELLO_MALFORMED,
				     "ServerKeyExchange has an empty DH value");
	return tlshello_msg_get(m, NULL, n);
}

/* RFC 5246 §7.4.3 ServerDHParams dh_p, dh_g, dh_Ys, then the signature (not checked). The
 * size of the group is the bit length of p, leading zero bytes and bits not counted. */
static int tlshello_ske(struct tlshello_msg *m, struct tlshello_answer *a)
{
	uint16_t plen, n;
	uint8_t b = 0;
	unsigned bits = 0;

	m->why = "ServerKeyExchange truncated";
	if (tlshello_msg_u16(m, &plen) == -1)
		return -1;
	for (n = plen; n > 0 && b == 0; n--) /* at most 65535 turns */
		if (tlshello_msg_u8(m, &b) == -1)
			return -1;
	if (b == 0)
		return tlshello_stop(m->in, TLSHELLO_MALFORMED,
				     "ServerKeyExchange DH prime is empty or zero");
	for (; b != 0; b >>= 1)
		bits++;
	bits += 8u * n;
	if (tlshello_msg_get(m, NULL, n) == -1 || tlshello_ske_skip(m) == -1 ||
	    tlshello_ske_skip(m) == -1 || tlshello_msg_close(m) == -1)
		return -1;
	a->dh_bits = bits;
	return 0;
}

/* After a DHE ServerHello: the messages up to the ServerKeyExchange (RFC 5246 §7.3 order:
 * Certificate, CertificateStatus, ServerKeyExchange, CertificateRequest, ServerHelloDone). */
static int tlshello_dh_flight(struct tlshello_in *in, struct tlshello_answer *a)
{
	struct tlshello_msg m;
	int i;

	in->after_sh = true;
	for (i = 0; i < TLSHELLO_MSGS_MAX; i++) {
		if (tlshello_msg_open(in, &m) == -1)
			return -1;
		switch (m.type) {
		case TLSHELLO_HT_CERTIFICATE:
		case TLSHELLO_HT_CERT_STATUS:
		case TLSHELLO_HT_SUPPLEMENTAL:
		case TLSHELLO_HT_CERT_REQUEST:
			if (tlshello_msg_close(&m) == -1)
				return -1;
			break;
		case TLSHELLO_HT_SKE:
			return tlshello_ske(&m, a);
		case TLSHELLO_HT_SHD:
			/* §7.4.3: DHE_DSS and DHE_RSA always send a ServerKeyExchange */
			return tlshello_stop(in, TLSHELLO_MALFORMED,
					     "ServerHelloDone without a ServerKeyExchange for DHE");
		default:
			return tlshello_stop(in, TLSHELLO_MALFORMED,
					     "unexpected handshake message before ServerHelloDone");
		}
	}
	return tlshello_stop(in, TLSHELLO_MALFORMED, "too many handshake messages");
}

/* The ServerHello, after any HelloRequests (RFC 5246 §7.4.1.1: empty, and ignored by a
 * client in the middle of a handshake). */
static int tlshello_first_msg(struct tlshello_in *in, struct tlshello_answer *a, bool *hrr)
{
	struct tlshello_msg m;
	int i;

	for (i = 0; i < TLSHELLO_MSGS_MAX; i++) {
		if (tlshello_msg_open(in, &m) == -1)
			return -1;
		if (m.type != TLSHELLO_HT_HELLO_REQUEST || m.left != 0)
			break;
	}
	if (i == TLSHELLO_MSGS_MAX)
		return tlshello_stop(in, TLSHELLO_MALFORMED, "too many handshake messages");
	if (m.type != TLSHELLO_HT_SERVER_HELLO)
		return tlshello_stop(in, TLSHELLO_MALFORMED,
				     "first handshake message is not a ServerHello");
	return tlshello_server_hello(&m, a, hrr);
}

/*
 * Whether the first bytes can start a server's answer: a record header (RFC 5246 §6.2.1)
 * with a known content type and version 3.0-3.4. NULL while they can (or too few are there
 * to tell), else why not. Checked byte by byte so that a plain-text or SSLv2 answer is
 * refused at once, not after five bytes.
 */
static const char *tlshello_not_tls(const uint8_t *buf, size_t len)
{
	struct buf_cur c;
	uint8_t type, major, minor;

	buf_cur_init(&c, buf, len);
	if (buf_get_u8(&c, &type) == -1)
		return NULL;
	/* SSLv2 (draft-hickman-netscape-ssl-00 §1.2): a 2-byte header with the top bit set */
	if (type & 0x80)
		return "SSLv2 record header (top bit set): not TLS";
	if (type >= 0x20 && type < 0x7f)
		return "text where a TLS record was expected (a plain HTTP server?)";
	if (type < TLSHELLO_CT_CCS || type > TLSHELLO_CT_HEARTBEAT)
		return "not a TLS record (unknown content type)";
	if (buf_get_u8(&c, &major) == -1)
		return NULL;
	if (major != 3)
		return "not a TLS record (version is not 3.x)";
	if (buf_get_u8(&c, &minor) == -1)
		return NULL;
	if (minor > 4)
		return "not a TLS record (unknown version 3.x)";
	return NULL;
}

/* The verdict of a walk that stopped: what in->stop says, except that an alert after a DHE
 * ServerHello still leaves a SERVER_HELLO (its version and suite are known). */
static void tlshello_verdict(const struct tlshello_in *in, bool after_sh, struct tlshello_answer *a)
{
	a->kind = in->stop;
	a->why = in->why;
	if (in->stop == TLSHELLO_ALERT) {
		a->alert_level = in->alert_level;
		a->alert_desc = in->alert_desc;
		if (after_sh)
			a->kind = TLSHELLO_SERVER_HELLO;
	}
}

enum tlshello_kind tlshello_parse(const uint8_t *buf, size_t len, bool want_dh,
				  struct tlshello_answer *a)
{
	struct tlshello_in in;
	bool hrr = false;

	memset(a, 0, sizeof(*a));
	if (len > TLSHELLO_PARSE_MAX)
		len = TLSHELLO_PARSE_MAX;
	if ((a->why = tlshello_not_tls(buf, len)) != NULL)
		return a->kind = TLSHELLO_NOT_TLS;
	memset(&in, 0, sizeof(in));
	buf_cur_init(&in.rec, buf, len);
	buf_cur_init(&in.frag, buf, 0);
	if (tlshello_first_msg(&in, a, &hrr) == -1)
		tlshello_verdict(&in, false, a);
	else if (hrr)
		a->kind = TLSHELLO_HRR;
	else if (!want_dh || !a->dh || tlshello_dh_flight(&in, a) == 0)
		a->kind = TLSHELLO_SERVER_HELLO;
	else
		tlshello_verdict(&in, true, a);
	/* Nothing past the bound is read, so more bytes could not settle it. */
	if (a->kind == TLSHELLO_INCOMPLETE && len == TLSHELLO_PARSE_MAX) {
		a->kind = TLSHELLO_MALFORMED;
		a->why = "no verdict within the first 256 KiB";
	}
	return a->kind;
}
