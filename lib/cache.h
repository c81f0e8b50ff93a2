/*
 * The read cache: node-local copies of the s3 store's blobs, in a
 * directory laid out as the fs store (lib/fs.h), which the FastCGI app
 * hands to lighttpd to send (X-Sendfile).  A blob never changes, so a
 * copy stays right; only a takedown removes one, and so a copy checked
 * against the store longer than cache_recheck seconds ago is checked
 * again before it is used.
 *
 * A copy's mtime is the blob's Last-Modified, its ctime when it was last
 * checked (or made), and the extended attribute user.imghost.etag holds
 * the blob's ETag.  imghost-admin cache-trim keeps the directory under
 * cache_max_bytes by removing the copies checked longest ago.
 */
#ifndef CACHE_H
#define CACHE_H

#include <limits.h>
#include <time.h>

#include "store.h"

enum cache_state {
	CACHE_MISS,		/* no copy (or no usable one) */
	CACHE_FRESH,		/* a copy, checked recently */
	CACHE_STALE,		/* a copy, to check against the store */
};

/* A copy being written; invisible until cache_fill_end() keeps it. */
struct cache_fill {
	int	 fd;		/* -1: not filling (given up) */
	char	 tmp[PATH_MAX];
	char	 path[PATH_MAX];
};

/*
 * Looks key up in the cache at dir: on a hit, fills st and writes the
 * copy's file name into path.
 */
enum cache_state cache_lookup(const char *dir, time_t recheck,
		    const char *key, struct store_stat *st, char *path,
		    size_t pathsz);

/* Marks the copy at path as checked now. */
void		 cache_checked(const char *path);

/* Removes the copy of key, if any (a takedown, a changed blob). */
void		 cache_drop(const char *dir, const char *key);

/* Starts a copy of key; 0, or -1 (logged) and f->fd == -1. */
int		 cache_fill_begin(const char *dir, const char *key,
		    struct cache_fill *f);

/* Adds bytes to the copy; on a failure the copy is given up. */
void		 cache_fill_write(struct cache_fill *f, const void *buf,
		    size_t len);

/* Keeps the copy as the blob st describes when ok, else removes it. */
void		 cache_fill_end(struct cache_fill *f,
		    const struct store_stat *st, int ok);

struct cache_trim_stats {
	long long	 files, bytes;		/* found */
	long long	 removed, removed_bytes;
};

/*
 * Removes the copies checked longest ago until dir holds at most
 * max_bytes, and fills' leftovers older than an hour.  0, or -1 (logged).
 */
int		 cache_trim(const char *dir, long long max_bytes,
		    struct cache_trim_stats *);

#endif
