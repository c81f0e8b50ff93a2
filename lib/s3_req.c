/*
 * One s3 request from start to end: its URL and headers, its attempts
 * with a backoff between them, and what S3's answer or curl's failure
 * means as an enum store_status.
 *
 * One request is a struct s3_req on the caller's stack: what to send,
 * where the body goes (memory, a sink, or nowhere) and what came back.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "log.h"
#include "s3_req.h"
#include "s3_xml.h"

#define S3_BACKOFF_BASE_MS	50U	/* doubles with each attempt */
#define S3_BACKOFF_CAP_MS	2000U

/*
 * Percent-encodes src as SigV4 expects: the unreserved characters and
 * those in keep stay, every other byte becomes %XX.  Returns -1 if dst
 * is too small.
 */
int
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
int
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
	const char	*p;

	if (s3xml_error_code(r->errbody, r->errlen, code, codesz) == 0)
		return;
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
enum store_status
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
int
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

/* Frees what s3_req_init() allocated in r; r may be reused after. */
void
s3_req_done(struct s3_req *r)
{
	curl_slist_free_all(r->headers);
	r->headers = NULL;
}
