/*
 * The s3 driver's insides, shared by its files and by no one else:
 * s3.c (open, the object calls, the listing), s3_req.c (URLs, sending
 * with retries, what an answer means) and s3_curl.c (libcurl's options
 * and callbacks).  Callers use s3.h.
 */
#ifndef S3_REQ_H
#define S3_REQ_H

#include <sys/types.h>

#include <time.h>

#include <curl/curl.h>

#include "s3.h"

#define S3_URL_MAX		4096
#define S3_ERRBODY_MAX		2048	/* enough for S3's <Error> XML */
#define S3_CODE_MAX		64

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

/*
 * Prepares r for method on key (NULL: the bucket), whose body has the
 * given SHA-256; r keeps the pointers.  Returns -1 after logging;
 * s3_req_done() frees r's headers either way.
 */
int		 s3_req_init(struct s3_req *, struct s3 *, const char *method,
		    const char *key, const char *sha256);
void		 s3_req_done(struct s3_req *);
/*
 * Sends the request r describes, retrying what failed on the way or in
 * the server.  Returns its status; s3->last_error holds S3's error code.
 */
enum store_status s3_perform(struct s3_req *);
/* Adds a formatted header line to r; -1 if out of memory or too long. */
int		 s3_headerf(struct s3_req *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Percent-encodes src into dst, keeping the unreserved bytes and keep. */
int		 s3_encode_set(char *dst, size_t dstsz, const char *src,
		    const char *keep);

/* Resets s3's curl handle (not its connections) and sets r's options. */
CURLcode	 s3_setopt(struct s3_req *);
/* Forgets the headers of an earlier answer. */
void		 s3_resp_clear(struct s3_resp *);
/* Copies what the response headers said into st, when there is one. */
void		 s3_fill_stat(const struct s3_req *, struct store_stat *st);

#endif
