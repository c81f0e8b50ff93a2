/*
 * The s3 store driver's calls: opening a driver, the object operations
 * and the listing.  libcurl does the HTTP and the SigV4 signing
 * (CURLOPT_AWS_SIGV4); s3_req.c sends each request and turns S3's answer
 * into an enum store_status.
 *
 * The struct s3 on the heap holds the settings, the curl handle (whose
 * connection cache outlives each request) and the last error code.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <sha2.h>

#include "log.h"
#include "s3_req.h"
#include "s3_xml.h"

#define S3_TIMEOUT_MS		30000L	/* per attempt, when params say 0 */
#define S3_RETRIES		4	/* extra attempts, when params say -1 */
#define S3_RETRIES_MAX		16

/* The programs are single-threaded, so a plain flag will do. */
static int	s3_curl_initialised;

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
	/* Keys %-encoded: XML 1.0 cannot carry every byte a key may hold. */
	if (s3_query_add(r, "encoding-type", "url") == -1 ||
	    s3_query_add(r, "list-type", "2") == -1 ||
	    s3_query_add(r, "max-keys", "1000") == -1)
		return -1;
	if (*prefix != '\0' && s3_query_add(r, "prefix", prefix) == -1)
		return -1;
	return 0;
}

/* GETs one page of the listing into b; free b.data either way. */
static enum store_status
s3_list_get(struct s3 *s3, const char *prefix, const char *token,
    struct store_buf *b)
{
	struct s3_req		 r;
	enum store_status	 rc = STORE_ERROR;

	b->data = NULL;
	b->len = 0;
	if (s3_req_init(&r, s3, "GET", NULL, S3_EMPTY_SHA256) == -1)
		goto fail;
	if (s3_list_query(&r, prefix, token) == -1) {
		log_warnx("s3: list %s: prefix or token too long", prefix);
		goto fail;
	}
	r.out = b;
	r.max = S3XML_BODY_MAX;
	rc = s3_perform(&r);
fail:
	s3_req_done(&r);
	return rc;
}

/* GETs and reads one page; token becomes the next page's ("": none). */
static enum store_status
s3_list_page(struct s3 *s3, const char *prefix, struct s3xml_page *pg,
    char token[S3XML_TOKEN_MAX])
{
	struct store_buf	 b;
	enum store_status	 rc;
	enum s3xml_status	 xs;

	rc = s3_list_get(s3, prefix, token, &b);
	if (rc == STORE_OK &&
	    (xs = s3xml_list(pg, (const char *)b.data, b.len)) != S3XML_OK) {
		log_warnx("s3: list %s: %s", prefix, s3xml_status_str(xs));
		rc = STORE_ERROR;
	}
	free(b.data);
	if (rc == STORE_OK)
		memcpy(token, pg->token, sizeof(pg->token));
	return rc;
}

/*
 * Lists the bucket's keys under prefix with ListObjectsV2, a page of up
 * to 1000 at a time, following the continuation tokens.
 */
enum store_status
s3_list(struct s3 *s3, const char *prefix, store_list_cb cb, void *arg)
{
	struct s3xml_page	*pg;
	enum store_status	 rc = STORE_OK;
	char			 token[S3XML_TOKEN_MAX] = "";

	if ((pg = calloc(1, sizeof(*pg))) == NULL) {
		log_warnx("s3: list: out of memory");
		return STORE_ERROR;
	}
	do {
		rc = s3_list_page(s3, prefix, pg, token);
		if (rc == STORE_OK && pg->n > 0 && cb(arg, pg->ents, pg->n) != 0)
			rc = STORE_ERROR;
	} while (rc == STORE_OK && token[0] != '\0');
	free(pg);
	return rc;
}
