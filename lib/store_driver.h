/*
 * What the store (store.h) and its drivers (fs.h, s3.h) share: the
 * statuses, what a blob's stat, a stream, a read and a listing give back.
 * Below both, so the drivers need not know the store that calls them.
 */
#ifndef STORE_DRIVER_H
#define STORE_DRIVER_H

#include <sys/types.h>
#include <stddef.h>
#include <time.h>

enum store_status {
	STORE_OK = 0,		/* the operation succeeded */
	STORE_NOT_FOUND,	/* no blob under that key */
	STORE_DENIED,		/* credentials or permissions refused */
	STORE_UNAVAILABLE,	/* unreachable, or 5xx after every retry */
	STORE_ERROR,		/* anything else: bad request, local I/O */
};

/* What store_head() and store_stream() report about a blob. */
struct store_stat {
	off_t	 size;			/* bytes */
	time_t	 mtime;			/* when it was written */
	char	 etag[72];		/* strong ETag, with its quotes */
};

/* Called with each piece of a streamed blob; non-zero stops the transfer. */
typedef int (*store_sink)(void *arg, const void *buf, size_t len);

/* Bytes read into memory by store_get(); free with store_buf_free(). */
struct store_buf {
	unsigned char	*data;
	size_t		 len;
};
/* Frees b's bytes and empties it; b may be NULL. */
void		 store_buf_free(struct store_buf *b);

/* One blob as store_list() reports it. */
struct store_entry {
	const char	*key;
	off_t		 size;		/* bytes */
	time_t		 mtime;		/* when it was written */
};

/* The most entries a store_list() callback is given at once. */
#define STORE_LIST_PAGE	1000

/*
 * Called with each page of at most STORE_LIST_PAGE blobs; the entries
 * and their keys are valid during the call only.  Non-zero stops the
 * listing, which then returns STORE_ERROR.
 */
typedef int (*store_list_cb)(void *arg, const struct store_entry *e,
		    size_t n);

#endif
