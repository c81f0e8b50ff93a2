/*
 * The blob store: one interface, two drivers (fs and s3).
 *
 * A key is the blob's URL path under /i/, such as "aB3dE_9x/original.jpg"
 * (API.md, "Object keys").  Blobs never change once written, so every
 * operation is safe to retry.
 */
#ifndef STORE_H
#define STORE_H

#include <sys/types.h>
#include <stddef.h>

#include "store_driver.h"

struct conf;

struct store;

/*
 * Opens the store the configuration names.  Returns NULL after logging
 * why (start-up only); free with store_free().
 */
struct store	*store_open(const struct conf *);
void		 store_free(struct store *);

/* Writes buf under key atomically: no reader ever sees part of it. */
enum store_status store_put(struct store *, const char *key,
		    const void *buf, size_t len, const char *type);

/* Reads the whole blob, at most max bytes (STORE_ERROR beyond). */
enum store_status store_get(struct store *, const char *key,
		    size_t max, struct store_buf *out);

/*
 * Streams len bytes from offset off (len -1: to the end) into sink.
 * st, when not NULL, is filled before the first byte reaches sink.
 */
enum store_status store_stream(struct store *, const char *key,
		    off_t off, off_t len, struct store_stat *st,
		    store_sink sink, void *arg);

enum store_status store_head(struct store *, const char *key,
		    struct store_stat *);

/* Deleting a missing key is STORE_OK: the blob is gone either way. */
enum store_status store_delete(struct store *, const char *key);

/*
 * Lists every blob whose key starts with prefix ("" for all), a page at
 * a time, in the driver's order.  Blobs written or deleted meanwhile may
 * or may not be listed.
 */
enum store_status store_list(struct store *, const char *prefix,
		    store_list_cb cb, void *arg);

/* Checks that the store answers (for /healthz). */
enum store_status store_ping(struct store *);

/* Room for every key store_key() makes, its NUL included. */
#define STORE_KEY_MAX	64

/*
 * The one place the layout of keys is written: writes "ID/SIZE.EXT"
 * ("aB3dE_9x/small.jpg") into out, size being "original" or a size name
 * (lib/size.h) and ext the format's extension ("jpg", img_ext()).  With
 * size NULL, writes the prefix "ID/" every blob of the image has.
 * STORE_ERROR (out left empty) when it does not fit: nothing is stored
 * under a truncated key.  lighttpd.conf's rewrite to the fs store spells
 * the layout too (tests/unit/t_store_key.c checks they agree).
 */
enum store_status store_key(char *out, size_t outsz, const char *id,
		    const char *size, const char *ext);

/*
 * Deletes every blob of the image id, in every size and format, and
 * this node's read cache copies (cache_dir, or NULL); other nodes drop
 * theirs within cache_recheck.  STORE_OK when none is left, else
 * STORE_ERROR, each failure logged: run it again (lib/store_sweep.c).
 */
enum store_status store_sweep(struct store *, const char *cache_dir,
		    const char *id);

/* A short name for a status, for logs and tests ("not_found"). */
const char	*store_status_str(enum store_status);

/* How many calls failed in this process, a missing blob aside. */
unsigned long long store_error_count(void);

/* The driver's name, "fs" or "s3". */
const char	*store_driver(const struct store *);

#endif
