/*
 * The s3 store driver: path-style requests signed by libcurl's
 * CURLOPT_AWS_SIGV4.  One struct s3 per thread: it owns a curl handle
 * whose connections are kept alive between requests.
 */
#ifndef S3_H
#define S3_H

#include "store_driver.h"

/* Lives on the caller's stack; s3_open() copies what it keeps. */
struct s3_params {
	const char	*endpoint;	/* "http://127.0.0.1:7480" */
	const char	*bucket;
	const char	*region;	/* "us-east-1" */
	const char	*access_key;
	const char	*secret_key;
	long		 timeout_ms;	/* per attempt; 0: 30 s */
	int		 retries;	/* extra attempts on 5xx/connect; -1: 4 */
};

struct s3;

/* Returns NULL when out of memory or a parameter is missing (logged). */
struct s3	*s3_open(const struct s3_params *);
void		 s3_free(struct s3 *);

enum store_status s3_put(struct s3 *, const char *key, const void *buf,
		    size_t len, const char *type);
enum store_status s3_get(struct s3 *, const char *key, size_t max,
		    struct store_buf *out);
enum store_status s3_stream(struct s3 *, const char *key, off_t off,
		    off_t len, struct store_stat *st, store_sink sink,
		    void *arg);
enum store_status s3_head(struct s3 *, const char *key, struct store_stat *);
enum store_status s3_delete(struct s3 *, const char *key);
/* ListObjectsV2, following the continuation tokens to the end. */
enum store_status s3_list(struct s3 *, const char *prefix,
		    store_list_cb cb, void *arg);
/* HEAD on the bucket: OK, DENIED (bad keys) or UNAVAILABLE. */
enum store_status s3_ping(struct s3 *);

/* The S3 error code of the last failed request ("NoSuchKey"), or "". */
const char	*s3_last_error(const struct s3 *);

#endif
