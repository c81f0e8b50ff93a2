/*
 * libcurl's side of an s3 request: the options of each request and the
 * callbacks that read the response headers, keep or pass on the body,
 * and send a PUT's body from memory.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "s3_req.h"

#define S3_CONNECT_TIMEOUT_MS	2000L
#define S3_GET_CHUNK		16384	/* first allocation of s3_get() */

/*
 * If the header line p (n bytes, not NUL-terminated) is name, copies its
 * trimmed value into val and returns 1.  Returns 0 for other headers and
 * for values that do not fit, leaving val alone.
 */
static int
s3_header_is(const char *p, size_t n, const char *name, char *val,
    size_t valsz)
{
	size_t	 nlen = strlen(name), i, j;

	if (n <= nlen || p[nlen] != ':' || strncasecmp(p, name, nlen) != 0)
		return 0;
	for (i = nlen + 1; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
		continue;
	for (j = n; j > i && strchr(" \t\r\n", p[j - 1]) != NULL; j--)
		continue;
	if (j - i >= valsz)
		return 0;
	memcpy(val, p + i, j - i);
	val[j - i] = '\0';
	return 1;
}

/* Reads a size from a header value; -1 when it is not one. */
static off_t
s3_parse_size(const char *s)
{
	const char	*errstr;
	long long	 v;

	v = strtonum(s, 0, LLONG_MAX, &errstr);
	return errstr != NULL ? -1 : (off_t)v;
}

/* Forgets an earlier answer's headers: nothing known yet. */
void
s3_resp_clear(struct s3_resp *h)
{
	memset(h, 0, sizeof(*h));
	h->length = -1;
	h->total = -1;
}

/* curl's CURLOPT_HEADERFUNCTION: keeps what a store_stat needs. */
static size_t
s3_on_header(char *p, size_t size, size_t n, void *arg)
{
	struct s3_req	*r = arg;
	struct s3_resp	*h = &r->resp;
	char		 val[128], *slash;
	time_t		 t;

	/* A status line starts a new set of headers. */
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0)
		s3_resp_clear(h);
	else if (s3_header_is(p, n, "Content-Length", val, sizeof(val)))
		h->length = s3_parse_size(val);
	else if (s3_header_is(p, n, "Content-Range", val, sizeof(val))) {
		if ((slash = strrchr(val, '/')) != NULL)
			h->total = s3_parse_size(slash + 1);
	} else if (s3_header_is(p, n, "Last-Modified", val, sizeof(val))) {
		if ((t = curl_getdate(val, NULL)) != -1)
			h->mtime = t;
	} else
		(void)s3_header_is(p, n, "ETag", h->etag, sizeof(h->etag));
	return n;
}

_Static_assert(sizeof(((struct store_stat *)0)->etag) ==
    sizeof(((struct s3_resp *)0)->etag), "etag sizes differ");
_Static_assert(sizeof(off_t) == sizeof(int64_t), "off_t is not 64 bits");

/* Copies what the response headers said into st, when there is one. */
void
s3_fill_stat(const struct s3_req *r, struct store_stat *st)
{
	const struct s3_resp	*h = &r->resp;

	if (st == NULL)
		return;
	memset(st, 0, sizeof(*st));
	st->size = h->status == 206 && h->total >= 0 ? h->total : h->length;
	if (st->size < 0)
		st->size = 0;
	st->mtime = h->mtime;
	memcpy(st->etag, h->etag, sizeof(st->etag));
}

/* Keeps the start of an error body (S3's XML) for s3_error_code(). */
static size_t
s3_keep_error(struct s3_req *r, const char *p, size_t n)
{
	size_t	 room = sizeof(r->errbody) - 1 - r->errlen;

	if (n < room)
		room = n;
	memcpy(r->errbody + r->errlen, p, room);
	r->errlen += room;
	r->errbody[r->errlen] = '\0';
	return n;
}

/* Makes room for need <= r->max bytes in r->out, doubling up to max. */
static int
s3_reserve(struct s3_req *r, size_t need)
{
	unsigned char	*p;
	size_t		 cap = r->cap != 0 ? r->cap : S3_GET_CHUNK;

	if (need <= r->cap)
		return 0;
	while (cap < need && cap <= SIZE_MAX / 2)
		cap *= 2;
	if (cap < need || cap > r->max)
		cap = r->max;
	if ((p = realloc(r->out->data, cap)) == NULL)
		return -1;
	r->out->data = p;
	r->cap = cap;
	return 0;
}

/* Appends a piece of the body to r->out; stops the transfer beyond max. */
static size_t
s3_keep_body(struct s3_req *r, const char *p, size_t n)
{
	/* Content-Length says early whether the blob fits. */
	if ((r->resp.length > 0 && (uintmax_t)r->resp.length > r->max) ||
	    n > r->max - r->out->len) {
		r->stop = S3_STOP_TOO_BIG;
		return 0;
	}
	if (r->cap == 0 && r->resp.length > 0 &&
	    s3_reserve(r, (size_t)r->resp.length) == -1) {
		r->stop = S3_STOP_NOMEM;
		return 0;
	}
	if (s3_reserve(r, r->out->len + n) == -1) {
		r->stop = S3_STOP_NOMEM;
		return 0;
	}
	memcpy(r->out->data + r->out->len, p, n);
	r->out->len += n;
	return n;
}

/* Hands a piece of the body to the sink, filling st before the first. */
static size_t
s3_pass_body(struct s3_req *r, const char *p, size_t n)
{
	if (r->ranged && r->resp.status != 206) {
		r->stop = S3_STOP_RANGE;
		return 0;
	}
	if (r->sunk == 0)
		s3_fill_stat(r, r->st);
	if (r->sink(r->arg, p, n) != 0) {
		r->stop = S3_STOP_SINK;
		return 0;
	}
	r->sunk += n;
	return n;
}

/* curl's CURLOPT_WRITEFUNCTION: error bodies never reach the caller. */
static size_t
s3_on_body(char *p, size_t size, size_t n, void *arg)
{
	struct s3_req	*r = arg;

	if (r->resp.status == 0)
		curl_easy_getinfo(r->s3->curl, CURLINFO_RESPONSE_CODE,
		    &r->resp.status);
	if (r->resp.status < 200 || r->resp.status > 299)
		return s3_keep_error(r, p, n);
	if (r->out != NULL)
		return s3_keep_body(r, p, n);
	if (r->sink != NULL)
		return s3_pass_body(r, p, n);
	return n;
}

/* curl's CURLOPT_READFUNCTION: the PUT body, from memory. */
static size_t
s3_on_read(char *p, size_t size, size_t n, void *arg)
{
	struct s3_req	*r = arg;
	size_t		 left = r->bodylen - r->bodypos;

	if (n > left)
		n = left;
	memcpy(p, r->body + r->bodypos, n);
	r->bodypos += n;
	return n;
}

/*
 * curl's CURLOPT_SEEKFUNCTION: curl rewinds the body when it resends a
 * request by itself, as on a kept-alive connection the server had closed.
 */
static int
s3_on_seek(void *arg, curl_off_t off, int origin)
{
	struct s3_req	*r = arg;

	if (origin != SEEK_SET || off < 0 || (uintmax_t)off > r->bodylen)
		return CURL_SEEKFUNC_FAIL;
	r->bodypos = (size_t)off;
	return CURL_SEEKFUNC_OK;
}

/* Sets one option unless an earlier one failed. */
#define S3_SET(opt, val) do {					\
	if (cc == CURLE_OK)						\
		cc = curl_easy_setopt(c, opt, val);			\
} while (0)

/* Sets the options of r's method; GET is curl's default. */
static CURLcode
s3_setopt_method(struct s3_req *r)
{
	CURL		*c = r->s3->curl;
	CURLcode	 cc = CURLE_OK;

	if (strcmp(r->method, "HEAD") == 0)
		S3_SET(CURLOPT_NOBODY, 1L);
	else if (strcmp(r->method, "DELETE") == 0)
		S3_SET(CURLOPT_CUSTOMREQUEST, "DELETE");
	else if (strcmp(r->method, "PUT") == 0) {
		/*
		 * Send the body without waiting for "100 Continue".  The
		 * usual empty "Expect:" header cannot do it: libcurl 7.88
		 * signs that header, then leaves it out of the request.
		 */
		S3_SET(CURLOPT_EXPECT_100_TIMEOUT_MS, 0L);
		S3_SET(CURLOPT_UPLOAD, 1L);
		S3_SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->bodylen);
		S3_SET(CURLOPT_READFUNCTION, s3_on_read);
		S3_SET(CURLOPT_READDATA, r);
		S3_SET(CURLOPT_SEEKFUNCTION, s3_on_seek);
		S3_SET(CURLOPT_SEEKDATA, r);
	}
	return cc;
}

/* Resets the handle (not its connections) and sets r's options. */
CURLcode
s3_setopt(struct s3_req *r)
{
	struct s3	*s3 = r->s3;
	CURL		*c = s3->curl;
	CURLcode	 cc = CURLE_OK;

	curl_easy_reset(c);
	s3->errbuf[0] = '\0';
	S3_SET(CURLOPT_URL, r->url);
	S3_SET(CURLOPT_PROTOCOLS_STR, "http,https");
	S3_SET(CURLOPT_PATH_AS_IS, 1L);	/* a key's "../" is no dot-segment */
	S3_SET(CURLOPT_AWS_SIGV4, s3->sigv4);
	S3_SET(CURLOPT_USERNAME, s3->access_key);
	S3_SET(CURLOPT_PASSWORD, s3->secret_key);
	S3_SET(CURLOPT_HTTPHEADER, r->headers);
	S3_SET(CURLOPT_NOSIGNAL, 1L);
	S3_SET(CURLOPT_CONNECTTIMEOUT_MS, S3_CONNECT_TIMEOUT_MS);
	S3_SET(CURLOPT_TIMEOUT_MS, s3->timeout_ms);
	S3_SET(CURLOPT_TCP_KEEPALIVE, 1L);
	S3_SET(CURLOPT_ERRORBUFFER, s3->errbuf);
	S3_SET(CURLOPT_HEADERFUNCTION, s3_on_header);
	S3_SET(CURLOPT_HEADERDATA, r);
	S3_SET(CURLOPT_WRITEFUNCTION, s3_on_body);
	S3_SET(CURLOPT_WRITEDATA, r);
#undef S3_SET
	if (cc == CURLE_OK)
		cc = s3_setopt_method(r);
	return cc;
}
