/*
 * lighttpd.conf spells two things the code owns: the store's key layout
 * (its rewrite of image URLs to files of the fs store) and the upload
 * limit (its request size limit, and the Content-Length beyond which the
 * body is streamed so the app refuses it).  These tests read the shipped
 * lighttpd.conf and fail where it and the code disagree.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fs.h"
#include "id.h"
#include "img.h"
#include "size.h"
#include "store.h"
#include "tap.h"

#define T_MAX_RULES	8
#define T_CL_MATCH	"$REQUEST_HEADER[\"Content-Length\"] =~ "

/*
 * The room for a multipart body's framing the app allows on top of
 * max_upload_bytes (UPLOAD_MP_OVERHEAD, fcgi/upload.c).
 */
#define T_MP_OVERHEAD	(64 * 1024)

struct t_rule {
	regex_t	 re;
	char	 to[256];
};

static struct t_rule	t_rules[T_MAX_RULES];
static int		t_nrules;

/* The whole of lighttpd.conf, from the source tree; NULL if unreadable. */
static char *
t_read_conf(void)
{
	const char	*dir = getenv("srcdir");
	char		 path[4096], *buf;
	FILE		*f;
	long		 n;

	snprintf(path, sizeof(path), "%s/lighttpd.conf", dir ? dir : ".");
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if ((buf = calloc(1, n + 1)) != NULL &&
	    fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Copies the string literal starting at p ('"') into out; past its end. */
static const char *
t_string(const char *p, char *out, size_t outsz)
{
	size_t	 n = 0;

	if (*p++ != '"')
		return NULL;
	for (; *p != '\0' && *p != '"'; p++) {
		if (*p == '\\' && p[1] == '"')
			p++;
		if (n + 1 < outsz)
			out[n++] = *p;
	}
	out[n] = '\0';
	return *p == '"' ? p + 1 : NULL;
}

/* Reads the pairs of var.rewrite_store into t_rules; -1 if malformed. */
static int
t_parse_rules(const char *conf)
{
	const char	*p, *end;
	char		 re[512];

	if ((p = strstr(conf, "\nvar.rewrite_store = (")) == NULL ||
	    (end = strstr(p, "\n)")) == NULL)
		return -1;
	while ((p = strchr(p, '"')) != NULL && p < end) {
		if (t_nrules == T_MAX_RULES ||
		    (p = t_string(p, re, sizeof(re))) == NULL)
			return -1;
		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "=>", 2) != 0)
			return -1;
		p += 2;
		while (isspace((unsigned char)*p))
			p++;
		if ((p = t_string(p, t_rules[t_nrules].to,
		    sizeof(t_rules[t_nrules].to))) == NULL)
			return -1;
		if (regcomp(&t_rules[t_nrules].re, re, REG_EXTENDED) != 0)
			return -1;
		t_nrules++;
	}
	return t_nrules > 0 ? 0 : -1;
}

/*
 * What lighttpd's url.rewrite-once makes of url with the store's rules:
 * the first that matches, $N replaced.  0, or -1 when none matches.
 */
static int
t_rewrite(const char *url, char *out, size_t outsz)
{
	regmatch_t	 m[10];
	const char	*t;
	size_t		 n = 0, len;
	int		 i, g;

	for (i = 0; i < t_nrules; i++)
		if (regexec(&t_rules[i].re, url, 10, m, 0) == 0)
			break;
	if (i == t_nrules)
		return -1;
	for (t = t_rules[i].to; *t != '\0' && n + 1 < outsz; t++) {
		if (*t != '$' || !isdigit((unsigned char)t[1])) {
			out[n++] = *t;
			continue;
		}
		g = *++t - '0';
		if (m[g].rm_so == -1)
			continue;
		len = m[g].rm_eo - m[g].rm_so;
		if (n + len >= outsz)
			return -1;
		memcpy(out + n, url + m[g].rm_so, len);
		n += len;
	}
	out[n] = '\0';
	return 0;
}

/* The file lighttpd serves url from must be the file of key in the store. */
static void
t_agree(const char *url, const char *id, const char *size, const char *ext)
{
	char	 key[STORE_KEY_MAX], want[256], got[256];

	if (!ok(store_key(key, sizeof(key), id, size, ext) == STORE_OK &&
	    fs_path_under("/_store", key, want, sizeof(want)) == 0,
	    "%s: store_key and fs_path_under", url))
		return;
	if (!ok(t_rewrite(url, got, sizeof(got)) == 0,
	    "%s: lighttpd.conf rewrites it to the store", url))
		return;
	ok(strcmp(got, want) == 0, "%s: lighttpd %s, store %s", url, got,
	    want);
}

static void
test_keys(void)
{
	static const enum img_type types[] = { IMG_JPEG, IMG_PNG, IMG_GIF,
	    IMG_WEBP };
	const struct size	*sz;
	char			 id[ID_LEN + 1], url[128], got[256];
	size_t			 t;

	id_new(id);
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		snprintf(url, sizeof(url), "/i/%s.%s", id, img_ext(types[t]));
		t_agree(url, id, "original", img_ext(types[t]));
		snprintf(url, sizeof(url), "/i/%s/original.%s", id,
		    img_ext(types[t]));
		t_agree(url, id, "original", img_ext(types[t]));
		for (sz = size_list; sz->name != NULL; sz++) {
			snprintf(url, sizeof(url), "/i/%s/%s.%s", id, sz->name,
			    img_ext(types[t]));
			t_agree(url, id, sz->name, img_ext(types[t]));
		}
	}
	snprintf(url, sizeof(url), "/i/%s/huge.jpg", id);
	ok(t_rewrite(url, got, sizeof(got)) == -1,
	    "a size the code does not know is not rewritten");
}

static void
test_key_truncated(void)
{
	char	 key[STORE_KEY_MAX], small[12];

	ok(store_key(key, sizeof(key), "aB3dE_9x", "small", "jpg") ==
	    STORE_OK && strcmp(key, "aB3dE_9x/small.jpg") == 0,
	    "store_key: ID/SIZE.EXT (%s)", key);
	ok(store_key(key, sizeof(key), "aB3dE_9x", NULL, NULL) == STORE_OK &&
	    strcmp(key, "aB3dE_9x/") == 0, "store_key: the prefix ID/");
	ok(store_key(small, sizeof(small), "aB3dE_9x", "small", "jpg") ==
	    STORE_ERROR && small[0] == '\0',
	    "store_key: a key that does not fit is refused, not cut");
}

/* The number in the line "server.max-request-size = N" at the top level. */
static long long
t_max_request_kib(const char *conf)
{
	const char	*p = strstr(conf, "\nserver.max-request-size");

	if (p == NULL || (p = strchr(p, '=')) == NULL)
		return -1;
	return strtoll(p + 1, NULL, 10);
}

/* Whether the Content-Length regex of lighttpd.conf matches n. */
static int
t_streamed(const regex_t *re, long long n)
{
	char	 v[32];

	snprintf(v, sizeof(v), "%lld", n);
	return regexec(re, v, 0, NULL, 0) == 0;
}

static void
test_upload_limit(const char *conf)
{
	struct conf	 c;
	regex_t		 re;
	const char	*p;
	char		 s[256] = "";
	long long	 lo, hi, mid, kib;

	conf_defaults(&c);
	kib = t_max_request_kib(conf);
	if ((p = strstr(conf, T_CL_MATCH)) != NULL)
		p = t_string(p + strlen(T_CL_MATCH), s, sizeof(s));
	if (!ok(p != NULL && regcomp(&re, s, REG_EXTENDED) == 0,
	    "lighttpd.conf streams a long Content-Length (%s)", s))
		return;
	/* The regex is a threshold: find it, then check it is one. */
	lo = 1;
	hi = 1LL << 40;
	if (!ok(!t_streamed(&re, lo) && t_streamed(&re, hi),
	    "the regex streams big lengths, not small ones"))
		goto out;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (t_streamed(&re, mid))
			hi = mid;
		else
			lo = mid;
	}
	ok(t_streamed(&re, hi * 10) && t_streamed(&re, hi + 123456789) &&
	    !t_streamed(&re, hi / 10) && !t_streamed(&re, 0),
	    "every length from %lld on is streamed, none below", hi);
	ok(c.max_upload_bytes + T_MP_OVERHEAD < hi,
	    "max_upload_bytes %lld and its framing are buffered (under %lld)",
	    c.max_upload_bytes, hi);
	ok(kib > 0 && hi - 1 <= kib * 1024,
	    "server.max-request-size (%lld KiB) takes every buffered length",
	    kib);
	ok(hi - (c.max_upload_bytes + T_MP_OVERHEAD) < 1 << 20,
	    "the threshold is within 1 MiB of the limit and its framing");
out:
	regfree(&re);
	conf_free(&c);
}

int
main(void)
{
	char	*conf;
	int	 i;

	if (!ok((conf = t_read_conf()) != NULL, "lighttpd.conf is readable"))
		return tap_done();
	if (ok(t_parse_rules(conf) == 0, "var.rewrite_store has %d rules",
	    t_nrules))
		test_keys();
	test_key_truncated();
	test_upload_limit(conf);
	for (i = 0; i < t_nrules; i++)
		regfree(&t_rules[i].re);
	free(conf);
	return tap_done();
}
