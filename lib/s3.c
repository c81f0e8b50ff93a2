/*
 * The s3 store driver.  libcurl does the HTTP and the SigV4 signing
 * (CURLOPT_AWS_SIGV4); this file builds path-style URLs, retries what is
 * worth retrying, and turns S3's answers into enum store_status.
 *
 * One request is a struct s3_req on the caller's stack: what to send,
 * where the body goes (memory, a sink, or nowhere) and what came back.
 * The struct s3 on the heap holds the settings, the curl handle (whose
 * connection cache outlives each request) and the last error code.
 */
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <sha2.h>

#include "log.h"
#include "s3.h"

#define S3_CONNECT_TIMEOUT_MS	2000L
#define S3_TIMEOUT_MS		30000L	/* per attempt, when params say 0 */
#define S3_RETRIES		4	/* extra attempts, when params say -1 */
#define S3_RETRIES_MAX		16
#define S3_BACKOFF_BASE_MS	50U	/* doubles with each attempt */
#define S3_BACKOFF_CAP_MS	2000U
#define S3_URL_MAX		4096
#define S3_ERRBODY_MAX		2048	/* enough for S3's <Error> XML */
#define S3_CODE_MAX		64
#define S3_GET_CHUNK		16384	/* first allocation of s3_get() */
#define S3_LIST_MAX		(16 << 20) /* a page of 1000 keys, at most */
#define S3_KEY_MAX		1024	/* S3's own limit, in bytes */
#define S3_TOKEN_MAX		1024	/* a continuation token */

/* SHA-256 of no bytes: the payload hash of GET, HEAD and DELETE. */
#define S3_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct s3 {
	CURL		*curl;		/* keeps connections alive */
	char		*endpoint;	/* without trailing slash */
	char		*bucket;
	char		*access_key;
	char		*secret_key;
	char		 sigv4[96];	/* "aws:amz:REGION:s3" */
	long		 timeout_ms;	/* per attempt */
	int		 retries;	/* extra attempts */
	char		 last_error[S3_CODE_MAX];
	char		 errbuf[CURL_ERROR_SIZE];
};

/* Why a body callback stopped the transfer. */
enum s3_stop {
	S3_STOP_NONE = 0,	/* it did not */
	S3_STOP_TOO_BIG,	/* the blob is larger than s3_get()'s max */
	S3_STOP_NOMEM,		/* no memory for s3_get()'s buffer */
	S3_STOP_RANGE,		/* the server answered a Range with a 200 */
	S3_STOP_SINK,		/* the caller's sink asked to stop */
};

/* What the response headers said; cleared at each status line. */
struct s3_resp {
	long		 status;	/* 0 until known */
	off_t		 length;	/* Content-Length, -1: none */
	off_t		 total;		/* after the '/' of Content-Range */
	time_t		 mtime;		/* Last-Modified, 0: none */
	char		 etag[72];	/* "" when missing or too long */
};

/* One request, on the caller's stack. */
struct s3_req {
	struct s3	*s3;
	const char	*method;	/* "GET", "PUT", "HEAD", "DELETE" */
	const char	*key;		/* NULL: the bucket itself */
	char		 url[S3_URL_MAX];
	struct curl_slist *headers;

	/* PUT: the body to send. */
	const unsigned char *body;
	size_t		 bodylen;
	size_t		 bodypos;

	/* GET into memory: at most max bytes. */
	struct store_buf *out;
	size_t		 max;
	size_t		 cap;

	/* Stream: each piece goes to sink once the status is known good. */
	store_sink	 sink;
	void		*arg;
	struct store_stat *st;
	int		 ranged;	/* sent Range, so 206 is required */
	size_t		 sunk;		/* bytes the sink has accepted */

	enum s3_stop	 stop;
	struct s3_resp	 resp;
	char		 errbody[S3_ERRBODY_MAX];
	size_t		 errlen;
	int		 attempts;
};

/* The programs are single-threaded, so a plain flag will do. */
static int	s3_curl_initialised;

/*
 * Percent-encodes src as SigV4 expects: the unreserved characters and
 * those in keep stay, every other byte becomes %XX.  Returns -1 if dst
 * is too small.
 */
static int
s3_encode_set(char *dst, size_t dstsz, const char *src, const char *keep)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	size_t			 n = 0;

	for (p = (const unsigned char *)src; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p) != NULL) {
			if (dstsz - n < 2)
				return -1;
			dst[n++] = (char)*p;
			continue;
		}
		if (dstsz - n < 4)
			return -1;
		dst[n++] = '%';
		dst[n++] = hex[*p >> 4];
		dst[n++] = hex[*p & 0xf];
	}
	if (dstsz - n < 1)
		return -1;
	dst[n] = '\0';
	return 0;
}

/* The same for a path, where '/' stays. */
static int
s3_encode(char *dst, size_t dstsz, const char *src)
{
	return s3_encode_set(dst, dstsz, src, "-._~/");
}

/* Fills r->url with ENDPOINT/BUCKET[/KEY].  Returns -1 if too long. */
static int
s3_url(struct s3_req *r)
{
	struct s3	*s3 = r->s3;
	size_t		 n;
	int		 len;

	len = snprintf(r->url, sizeof(r->url), "%s/", s3->endpoint);
	if (len < 0 || (size_t)len >= sizeof(r->url))
		return -1;
	n = (size_t)len;
	if (s3_encode(r->url + n, sizeof(r->url) - n, s3->bucket) == -1)
		return -1;
	if (r->key == NULL)
		return 0;
	if (strlcat(r->url, "/", sizeof(r->url)) >= sizeof(r->url))
		return -1;
	n = strlen(r->url);
	return s3_encode(r->url + n, sizeof(r->url) - n, r->key);
}

/* Adds one "Name: value" header line.  Returns -1 if out of memory. */
static int
s3_header(struct s3_req *r, const char *line)
{
	struct curl_slist	*l;

	if ((l = curl_slist_append(r->headers, line)) == NULL)
		return -1;
	r->headers = l;
	return 0;
}

/* Same, formatted; -1 also when the line does not fit. */
static int __attribute__((format(printf, 2, 3)))
s3_headerf(struct s3_req *r, const char *fmt, ...)
{
	char	 line[512];
	va_list	 ap;
	int	 len;

	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(line))
		return -1;
	return s3_header(r, line);
}

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

static void
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
static void
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
static CURLcode
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

/* Whether curl's error means the server could not be reached or spoke. */
static int
s3_transient(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

/* Whether another attempt may help, unseen by the caller. */
static int
s3_should_retry(const struct s3_req *r, CURLcode cc)
{
	if (r->attempts > r->s3->retries || r->sunk > 0)
		return 0;
	if (cc != CURLE_OK)
		return r->stop == S3_STOP_NONE && s3_transient(cc);
	return r->resp.status == 500 || r->resp.status == 503;
}

/* Sleeps after attempt n: full jitter over a doubling, capped delay. */
static void
s3_backoff(int n)
{
	struct timespec	 ts;
	unsigned int	 ms = S3_BACKOFF_BASE_MS;

	while (--n > 0 && ms < S3_BACKOFF_CAP_MS)
		ms *= 2;
	if (ms > S3_BACKOFF_CAP_MS)
		ms = S3_BACKOFF_CAP_MS;
	ms = arc4random_uniform(ms + 1);
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* Forgets what an earlier attempt received. */
static void
s3_attempt_clear(struct s3_req *r)
{
	s3_resp_clear(&r->resp);
	r->stop = S3_STOP_NONE;
	r->errlen = 0;
	r->errbody[0] = '\0';
	r->bodypos = 0;
	if (r->out != NULL)
		r->out->len = 0;
}

/*
 * Sets code to the <Code> of the S3 error body.  HEAD answers have no
 * body, so then say what the status means (AWS's SDKs also report a
 * bodiless 403 as "Forbidden").
 */
static void
s3_error_code(const struct s3_req *r, char *code, size_t codesz)
{
	const char	*p, *e;

	code[0] = '\0';
	if ((p = strstr(r->errbody, "<Code>")) != NULL &&
	    (e = strstr(p += 6, "</Code>")) != NULL &&
	    (size_t)(e - p) < codesz) {
		memcpy(code, p, (size_t)(e - p));
		code[e - p] = '\0';
		return;
	}
	if (r->resp.status == 404)
		p = r->key != NULL ? "NoSuchKey" : "NoSuchBucket";
	else if (r->resp.status == 403)
		p = "Forbidden";
	else
		return;
	if (strlcpy(code, p, codesz) >= codesz)
		code[0] = '\0';
}

/* Maps an S3 error answer to a store status. */
static enum store_status
s3_map_error(long status, const char *code)
{
	if (strcmp(code, "NoSuchBucket") == 0)
		return STORE_ERROR;	/* misconfigured, not a missing blob */
	if (status == 404 || strcmp(code, "NoSuchKey") == 0)
		return STORE_NOT_FOUND;
	if (status == 403 || strcmp(code, "AccessDenied") == 0 ||
	    strcmp(code, "SignatureDoesNotMatch") == 0 ||
	    strcmp(code, "InvalidAccessKeyId") == 0)
		return STORE_DENIED;
	if (status >= 500 && status <= 599)
		return STORE_UNAVAILABLE;
	return STORE_ERROR;
}

/* What the log calls a request's object. */
static const char *
s3_what(const struct s3_req *r)
{
	return r->key != NULL ? r->key : r->s3->bucket;
}

/* Fills buf with " (N attempts)" when there was more than one, else "". */
static const char *
s3_tries(const struct s3_req *r, char *buf, size_t bufsz)
{
	int	 len;

	buf[0] = '\0';
	if (r->attempts > 1) {
		len = snprintf(buf, bufsz, " (%d attempts)", r->attempts);
		if (len < 0 || (size_t)len >= bufsz)
			buf[0] = '\0';
	}
	return buf;
}

/* The outcome when the transfer did not complete. */
static enum store_status
s3_failed(struct s3_req *r, CURLcode cc)
{
	const char	*why;
	char		 tries[32];

	switch (r->stop) {
	case S3_STOP_SINK:
		return STORE_ERROR;	/* the caller's own choice */
	case S3_STOP_TOO_BIG:
		log_warnx("s3: %s %s: larger than %zu bytes", r->method,
		    s3_what(r), r->max);
		return STORE_ERROR;
	case S3_STOP_NOMEM:
		log_warnx("s3: %s %s: out of memory", r->method, s3_what(r));
		return STORE_ERROR;
	case S3_STOP_RANGE:
		log_warnx("s3: %s %s: Range ignored (status %ld)", r->method,
		    s3_what(r), r->resp.status);
		return STORE_ERROR;
	case S3_STOP_NONE:
		break;
	}
	why = r->s3->errbuf[0] != '\0' ? r->s3->errbuf :
	    curl_easy_strerror(cc);
	log_warnx("s3: %s %s: %s%s", r->method, s3_what(r), why,
	    s3_tries(r, tries, sizeof(tries)));
	return s3_transient(cc) ? STORE_UNAVAILABLE : STORE_ERROR;
}

/* The outcome of a complete HTTP answer. */
static enum store_status
s3_answered(struct s3_req *r)
{
	struct s3		*s3 = r->s3;
	enum store_status	 rc;
	long			 status = r->resp.status;
	const char		*code = s3->last_error;
	char			 tries[32];

	if (status >= 200 && status <= 299) {
		if (r->attempts > 1)
			log_info("s3: %s %s: ok after %d attempts",
			    r->method, s3_what(r), r->attempts);
		return STORE_OK;
	}
	s3_error_code(r, s3->last_error, sizeof(s3->last_error));
	rc = s3_map_error(status, s3->last_error);
	/* A missing blob is an answer callers expect, not a failure. */
	if (rc != STORE_NOT_FOUND)
		log_warnx("s3: %s %s: %ld%s%s%s", r->method, s3_what(r),
		    status, *code != '\0' ? " " : "", code,
		    s3_tries(r, tries, sizeof(tries)));
	return rc;
}

/*
 * Whether r's connection may hold the unread rest of its body.  RGW
 * answers a PUT it refuses (403) before reading the body, yet keeps the
 * connection alive; the body's bytes would start the next request on it
 * (which then gets 400 or 405).  curl closes the connection only when it
 * had not sent the whole body yet.
 */
static int
s3_spoilt(const struct s3_req *r, CURLcode cc)
{
	return r->body != NULL && cc == CURLE_OK &&
	    (r->resp.status < 200 || r->resp.status > 299);
}

/*
 * Replaces s3's curl handle, closing its connections, and sets r's
 * options on the new one.  Returns -1 after logging.
 */
static int
s3_renew(struct s3_req *r)
{
	struct s3	*s3 = r->s3;
	CURLcode	 cc;

	if (s3->curl != NULL)
		curl_easy_cleanup(s3->curl);
	if ((s3->curl = curl_easy_init()) == NULL) {
		log_warnx("s3: %s %s: curl_easy_init failed", r->method,
		    s3_what(r));
		return -1;
	}
	if ((cc = s3_setopt(r)) != CURLE_OK) {
		log_warnx("s3: %s %s: %s", r->method, s3_what(r),
		    curl_easy_strerror(cc));
		return -1;
	}
	return 0;
}

/*
 * Sends the request r describes, retrying what failed on the way or in
 * the server.  Returns its status; s3->last_error holds S3's error code.
 */
static enum store_status
s3_perform(struct s3_req *r)
{
	struct s3	*s3 = r->s3;
	CURLcode	 cc;
	int		 again;

	s3->last_error[0] = '\0';
	if (s3->curl == NULL) {		/* an earlier s3_renew() failed */
		if (s3_renew(r) == -1)
			return STORE_ERROR;
	} else if ((cc = s3_setopt(r)) != CURLE_OK) {
		log_warnx("s3: %s %s: %s", r->method, s3_what(r),
		    curl_easy_strerror(cc));
		return STORE_ERROR;
	}
	for (;;) {
		s3_attempt_clear(r);
		r->attempts++;
		cc = curl_easy_perform(s3->curl);
		if (r->resp.status == 0)
			curl_easy_getinfo(s3->curl, CURLINFO_RESPONSE_CODE,
			    &r->resp.status);
		again = s3_should_retry(r, cc);
		if (s3_spoilt(r, cc) && s3_renew(r) == -1)
			return STORE_ERROR;
		if (!again)
			break;
		s3_backoff(r->attempts);
	}
	return cc != CURLE_OK ? s3_failed(r, cc) : s3_answered(r);
}

/*
 * Prepares r for method on key (NULL: the bucket), whose body has the
 * given SHA-256.  Returns -1 after logging; s3_req_done() frees r's
 * headers either way.
 */
static int
s3_req_init(struct s3_req *r, struct s3 *s3, const char *method,
    const char *key, const char *sha256)
{
	memset(r, 0, sizeof(*r));
	r->s3 = s3;
	r->method = method;
	r->key = key;
	s3->last_error[0] = '\0';
	if (key != NULL && key[0] == '\0') {
		log_warnx("s3: %s: empty key", method);
		return -1;
	}
	if (s3_url(r) == -1) {
		log_warnx("s3: %s %s: key too long", method, s3_what(r));
		return -1;
	}
	/*
	 * libcurl 7.88 signs this header's value as the payload hash when
	 * it is there, and the hash of no body otherwise, so a PUT from a
	 * read callback needs it.
	 */
	if (s3_headerf(r, "x-amz-content-sha256: %s", sha256) == -1) {
		log_warnx("s3: %s %s: out of memory", method, s3_what(r));
		return -1;
	}
	return 0;
}

static void
s3_req_done(struct s3_req *r)
{
	curl_slist_free_all(r->headers);
	r->headers = NULL;
}

/* Copies s, or returns NULL after logging that it is missing. */
static char *
s3_param(const char *s, const char *name)
{
	char	*p;

	if (s == NULL || *s == '\0') {
		log_errx("s3: %s missing", name);
		return NULL;
	}
	if ((p = strdup(s)) == NULL)
		log_errx("s3: out of memory");
	return p;
}

/* Checks and keeps the numbers and the signing scope of p. */
static int
s3_open_limits(struct s3 *s3, const struct s3_params *p)
{
	const char	*region;
	int		 len;

	region = p->region != NULL && *p->region != '\0' ? p->region :
	    "us-east-1";
	len = snprintf(s3->sigv4, sizeof(s3->sigv4), "aws:amz:%s:s3", region);
	if (len < 0 || (size_t)len >= sizeof(s3->sigv4) ||
	    strchr(region, ':') != NULL) {
		log_errx("s3: bad region \"%s\"", region);
		return -1;
	}
	if (p->timeout_ms < 0 || p->retries < -1 ||
	    p->retries > S3_RETRIES_MAX) {
		log_errx("s3: bad timeout (%ld ms) or retries (%d)",
		    p->timeout_ms, p->retries);
		return -1;
	}
	s3->timeout_ms = p->timeout_ms == 0 ? S3_TIMEOUT_MS : p->timeout_ms;
	s3->retries = p->retries == -1 ? S3_RETRIES : p->retries;
	return 0;
}

/* Checks the endpoint's scheme and drops its trailing slashes. */
static int
s3_open_endpoint(struct s3 *s3)
{
	size_t	 n;

	if (strncmp(s3->endpoint, "http://", 7) != 0 &&
	    strncmp(s3->endpoint, "https://", 8) != 0) {
		log_errx("s3: endpoint \"%s\" is not http(s)://",
		    s3->endpoint);
		return -1;
	}
	n = strlen(s3->endpoint);
	while (n > 0 && s3->endpoint[n - 1] == '/')
		s3->endpoint[--n] = '\0';
	return 0;
}

/*
 * Returns a new driver for the bucket p names, or NULL after logging why.
 * Nothing is sent yet: s3_ping() tries the settings.  Free with
 * s3_free().
 */
struct s3 *
s3_open(const struct s3_params *p)
{
	struct s3	*s3;

	if (!s3_curl_initialised) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			log_errx("s3: curl_global_init failed");
			return NULL;
		}
		s3_curl_initialised = 1;
	}
	if ((s3 = calloc(1, sizeof(*s3))) == NULL) {
		log_errx("s3: out of memory");
		return NULL;
	}
	if ((s3->endpoint = s3_param(p->endpoint, "endpoint")) == NULL ||
	    (s3->bucket = s3_param(p->bucket, "bucket")) == NULL ||
	    (s3->access_key = s3_param(p->access_key, "access key")) == NULL ||
	    (s3->secret_key = s3_param(p->secret_key, "secret key")) == NULL)
		goto fail;
	if (s3_open_endpoint(s3) == -1 || s3_open_limits(s3, p) == -1)
		goto fail;
	if ((s3->curl = curl_easy_init()) == NULL) {
		log_errx("s3: curl_easy_init failed");
		goto fail;
	}
	return s3;
fail:
	s3_free(s3);
	return NULL;
}

/* Closes s3's connections and frees it; NULL is fine. */
void
s3_free(struct s3 *s3)
{
	if (s3 == NULL)
		return;
	if (s3->curl != NULL)
		curl_easy_cleanup(s3->curl);
	free(s3->endpoint);
	free(s3->bucket);
	free(s3->access_key);
	if (s3->secret_key != NULL)
		freezero(s3->secret_key, strlen(s3->secret_key));
	free(s3);
}

/*
 * Returns S3's code for why the last request failed
 * ("SignatureDoesNotMatch"), or "" when it succeeded or got no answer
 * from S3 (see the log for those).  Valid until the next request on s3.
 */
const char *
s3_last_error(const struct s3 *s3)
{
	return s3->last_error;
}

/*
 * Writes len bytes of buf under key, with Content-Type type (NULL:
 * application/octet-stream).  S3 stores an object whole or not at all.
 */
enum store_status
s3_put(struct s3 *s3, const char *key, const void *buf, size_t len,
    const char *type)
{
	struct s3_req		 r;
	enum store_status	 rc = STORE_ERROR;
	char			 sha[SHA256_DIGEST_STRING_LENGTH];

	if (buf == NULL)
		buf = "";
	if (type == NULL)
		type = "application/octet-stream";
	SHA256Data(buf, len, sha);
	if (s3_req_init(&r, s3, "PUT", key, sha) == -1)
		goto fail;
	if (strpbrk(type, "\r\n") != NULL ||
	    s3_headerf(&r, "Content-Type: %s", type) == -1) {
		log_warnx("s3: PUT %s: bad content type", key);
		goto fail;
	}
	r.body = buf;
	r.bodylen = len;
	rc = s3_perform(&r);
fail:
	s3_req_done(&r);
	return rc;
}

/*
 * Reads the blob under key into out, which the caller frees with
 * store_buf_free() after STORE_OK (out->data is then never NULL).  A blob
 * of more than max bytes is STORE_ERROR, found out before it is all read.
 * On any failure out is empty, with nothing to free.
 */
enum store_status
s3_get(struct s3 *s3, const char *key, size_t max, struct store_buf *out)
{
	struct s3_req		 r;
	enum store_status	 rc = STORE_ERROR;

	out->data = NULL;
	out->len = 0;
	if (s3_req_init(&r, s3, "GET", key, S3_EMPTY_SHA256) == -1)
		goto fail;
	r.out = out;
	r.max = max;
	rc = s3_perform(&r);
	if (rc == STORE_OK && out->data == NULL &&
	    (out->data = malloc(1)) == NULL) {
		log_warnx("s3: GET %s: out of memory", key);
		rc = STORE_ERROR;
	}
fail:
	s3_req_done(&r);
	if (rc != STORE_OK) {
		free(out->data);
		out->data = NULL;
		out->len = 0;
	}
	return rc;
}

/* Adds the Range header for len bytes from off (len -1: to the end). */
static int
s3_range(struct s3_req *r, off_t off, off_t len)
{
	r->ranged = 1;
	if (len == -1)
		return s3_headerf(r, "Range: bytes=%lld-", (long long)off);
	return s3_headerf(r, "Range: bytes=%lld-%lld", (long long)off,
	    (long long)(off + len - 1));
}

/*
 * Streams len bytes of key from off (len -1: to the end) into sink as
 * they arrive.  st, if not NULL, gets the whole blob's size, mtime and
 * ETag before sink's first call.  sink never sees an error body; a sink
 * that returns non-zero stops the transfer with STORE_ERROR, unlogged.
 * Once sink has had bytes, a failure is not retried.
 */
enum store_status
s3_stream(struct s3 *s3, const char *key, off_t off, off_t len,
    struct store_stat *st, store_sink sink, void *arg)
{
	struct s3_req		 r;
	enum store_status	 rc = STORE_ERROR;

	if (off < 0 || len < -1 || (len > 0 && off > INT64_MAX - len)) {
		log_warnx("s3: GET %s: bad range %lld+%lld", key,
		    (long long)off, (long long)len);
		return STORE_ERROR;
	}
	if (len == 0)		/* no Range says "no bytes" */
		return s3_head(s3, key, st);
	if (s3_req_init(&r, s3, "GET", key, S3_EMPTY_SHA256) == -1)
		goto fail;
	if ((off > 0 || len != -1) && s3_range(&r, off, len) == -1) {
		log_warnx("s3: GET %s: out of memory", key);
		goto fail;
	}
	r.sink = sink;
	r.arg = arg;
	r.st = st;
	rc = s3_perform(&r);
	if (rc == STORE_OK && r.sunk == 0)
		s3_fill_stat(&r, st);	/* an empty blob */
fail:
	s3_req_done(&r);
	return rc;
}

/* Fills st (if not NULL) with what S3 knows of the blob under key. */
enum store_status
s3_head(struct s3 *s3, const char *key, struct store_stat *st)
{
	struct s3_req		 r;
	enum store_status	 rc = STORE_ERROR;

	if (s3_req_init(&r, s3, "HEAD", key, S3_EMPTY_SHA256) == -1)
		goto fail;
	if ((rc = s3_perform(&r)) == STORE_OK)
		s3_fill_stat(&r, st);
fail:
	s3_req_done(&r);
	return rc;
}

/* Removes the blob under key; a missing one is STORE_OK too. */
enum store_status
s3_delete(struct s3 *s3, const char *key)
{
	struct s3_req		 r;
	enum store_status	 rc = STORE_ERROR;

	if (s3_req_init(&r, s3, "DELETE", key, S3_EMPTY_SHA256) == -1)
		goto fail;
	if ((rc = s3_perform(&r)) == STORE_NOT_FOUND)
		rc = STORE_OK;
fail:
	s3_req_done(&r);
	return rc;
}

/*
 * HEAD on the bucket: STORE_OK, STORE_DENIED (bad keys), STORE_ERROR (no
 * such bucket, logged) or STORE_UNAVAILABLE (no answer, or 5xx).
 */
enum store_status
s3_ping(struct s3 *s3)
{
	struct s3_req		 r;
	enum store_status	 rc = STORE_ERROR;

	if (s3_req_init(&r, s3, "HEAD", NULL, S3_EMPTY_SHA256) == -1)
		goto fail;
	rc = s3_perform(&r);
fail:
	s3_req_done(&r);
	return rc;
}


/* The state of one s3_list(): the page handed to the callback. */
struct s3_lister {
	size_t			 n;
	struct store_entry	 ents[STORE_LIST_PAGE];
	char			 keys[STORE_LIST_PAGE][S3_KEY_MAX + 1];
};

/* Appends "name=value" to r's URL, the value encoded for a query. */
static int
s3_query_add(struct s3_req *r, const char *name, const char *value)
{
	size_t	 n;

	if (strlcat(r->url, strchr(r->url, '?') == NULL ? "?" : "&",
	    sizeof(r->url)) >= sizeof(r->url) ||
	    strlcat(r->url, name, sizeof(r->url)) >= sizeof(r->url) ||
	    strlcat(r->url, "=", sizeof(r->url)) >= sizeof(r->url))
		return -1;
	n = strlen(r->url);
	return s3_encode_set(r->url + n, sizeof(r->url) - n, value, "-._~");
}

/*
 * The query of a ListObjectsV2 request.  libcurl 7.88 signs the query as
 * it is written, so the parameters are in the sorted, encoded form that
 * SigV4's canonical request wants.
 */
static int
s3_list_query(struct s3_req *r, const char *prefix, const char *token)
{
	if (*token != '\0' &&
	    s3_query_add(r, "continuation-token", token) == -1)
		return -1;
	if (s3_query_add(r, "list-type", "2") == -1 ||
	    s3_query_add(r, "max-keys", "1000") == -1)
		return -1;
	if (*prefix != '\0' && s3_query_add(r, "prefix", prefix) == -1)
		return -1;
	return 0;
}

/* GETs one page of the listing into *xml, NUL-terminated; free it. */
static enum store_status
s3_list_get(struct s3 *s3, const char *prefix, const char *token,
    char **xml)
{
	struct s3_req		 r;
	struct store_buf	 b = { NULL, 0 };
	enum store_status	 rc = STORE_ERROR;
	unsigned char		*p;

	*xml = NULL;
	if (s3_req_init(&r, s3, "GET", NULL, S3_EMPTY_SHA256) == -1)
		goto fail;
	if (s3_list_query(&r, prefix, token) == -1) {
		log_warnx("s3: list %s: prefix or token too long", prefix);
		goto fail;
	}
	r.out = &b;
	r.max = S3_LIST_MAX;
	if ((rc = s3_perform(&r)) == STORE_OK) {
		if ((p = realloc(b.data, b.len + 1)) == NULL) {
			rc = STORE_ERROR;
			goto fail;
		}
		p[b.len] = '\0';
		*xml = (char *)p;
		b.data = NULL;
	}
fail:
	free(b.data);
	s3_req_done(&r);
	return rc;
}

/* Decodes one XML entity at s ("&amp;"); its length, or -1. */
static int
s3_xml_entity(const char *s, const char *end, char *c)
{
	static const struct { const char *e; char c; } ents[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' },
	};
	const char	*semi;
	char		*ep;
	unsigned long	 v;
	size_t		 i;

	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
		if ((size_t)(end - s) >= strlen(ents[i].e) &&
		    strncmp(s, ents[i].e, strlen(ents[i].e)) == 0) {
			*c = ents[i].c;
			return strlen(ents[i].e);
		}
	/* A character reference; only ASCII is expected (control bytes). */
	if (end - s < 4 || s[1] != '#' ||
	    (semi = memchr(s, ';', end - s)) == NULL)
		return -1;
	v = s[2] == 'x' ? strtoul(s + 3, &ep, 16) : strtoul(s + 2, &ep, 10);
	if (ep != semi || v == 0 || v > 127)
		return -1;
	*c = (char)v;
	return semi + 1 - s;
}

/*
 * Copies the text of the first <tag> in [p, end) into out, its XML
 * entities decoded.  Returns 0, or -1 when there is none or it does not
 * fit.
 */
static int
s3_xml_text(const char *p, const char *end, const char *tag, char *out,
    size_t outsz)
{
	char		 open[64], close[64];
	const char	*v, *e;
	size_t		 n = 0;
	int		 len;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if ((v = strstr(p, open)) == NULL || v >= end ||
	    (e = strstr(v += strlen(open), close)) == NULL || e > end)
		return -1;
	while (v < e) {
		if (n + 1 >= outsz)
			return -1;
		if (*v != '&') {
			out[n++] = *v++;
			continue;
		}
		if ((len = s3_xml_entity(v, e, &out[n++])) == -1)
			return -1;
		v += len;
	}
	out[n] = '\0';
	return 0;
}

/* "2026-12-03T07:40:00.000Z" as a time, or 0. */
static time_t
s3_iso_time(const char *s)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* Adds the <Contents> in [p, end) to the page; -1 when it is malformed. */
static int
s3_list_entry(struct s3_lister *l, const char *p, const char *end)
{
	struct store_entry	*e = &l->ents[l->n];
	char			 num[32], date[64];

	if (s3_xml_text(p, end, "Key", l->keys[l->n],
	    sizeof(l->keys[0])) == -1 ||
	    s3_xml_text(p, end, "Size", num, sizeof(num)) == -1 ||
	    s3_xml_text(p, end, "LastModified", date, sizeof(date)) == -1 ||
	    (e->size = s3_parse_size(num)) == -1 ||
	    (e->mtime = s3_iso_time(date)) == 0)
		return -1;
	e->key = l->keys[l->n++];
	return 0;
}

/*
 * Fills the page from a ListBucketResult; sets token to the next page's
 * (empty at the end).
 */
static enum store_status
s3_list_parse(struct s3_lister *l, const char *xml, char *token,
    size_t tokensz)
{
	const char	*p = xml, *end;
	char		 trunc[8];

	l->n = 0;
	while (l->n < STORE_LIST_PAGE &&
	    (p = strstr(p, "<Contents>")) != NULL) {
		if ((end = strstr(p, "</Contents>")) == NULL ||
		    s3_list_entry(l, p, end) == -1) {
			log_warnx("s3: list: malformed answer");
			return STORE_ERROR;
		}
		p = end;
	}
	end = xml + strlen(xml);
	token[0] = '\0';
	if (s3_xml_text(xml, end, "IsTruncated", trunc, sizeof(trunc)) == 0 &&
	    strcmp(trunc, "true") == 0 &&
	    s3_xml_text(xml, end, "NextContinuationToken", token,
	    tokensz) == -1) {
		log_warnx("s3: list: truncated, but no usable token");
		return STORE_ERROR;
	}
	return STORE_OK;
}

/*
 * Lists the bucket's keys under prefix with ListObjectsV2, a page of up
 * to 1000 at a time, following the continuation tokens.
 */
enum store_status
s3_list(struct s3 *s3, const char *prefix, store_list_cb cb, void *arg)
{
	struct s3_lister	*l;
	enum store_status	 rc = STORE_OK;
	char			 token[S3_TOKEN_MAX] = "", *xml;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		log_warnx("s3: list: out of memory");
		return STORE_ERROR;
	}
	do {
		if ((rc = s3_list_get(s3, prefix, token, &xml)) != STORE_OK)
			break;
		rc = s3_list_parse(l, xml, token, sizeof(token));
		free(xml);
		if (rc == STORE_OK && l->n > 0 && cb(arg, l->ents, l->n) != 0)
			rc = STORE_ERROR;
	} while (rc == STORE_OK && token[0] != '\0');
	free(l);
	return rc;
}
