/*
 * The fs store driver: blobs as files under one root, laid out so that
 * lighttpd serves them without the application.  Key "aB3dE_9x/small.jpg"
 * is the file ROOT/aB/3d/aB3dE_9x/small.jpg: two levels of 4096
 * directories keep each directory small even at two billion images.
 */
#ifndef FS_H
#define FS_H

#include "store_driver.h"

struct fs;

/* Opens (and creates) the root; NULL after logging why. */
struct fs	*fs_open(const char *root);
void		 fs_free(struct fs *);

/*
 * Writes the file path of key into out.  Returns 0, or -1 when the key is
 * not "ID/NAME" (so no key can climb out of the root) or out is too small.
 */
int		 fs_path(const struct fs *, const char *key, char *out,
		    size_t outsz);
/* The same for a directory laid out alike (the read cache, lib/cache.h). */
int		 fs_path_under(const char *root, const char *key, char *out,
		    size_t outsz);

enum store_status fs_put(struct fs *, const char *key, const void *buf,
		    size_t len);
enum store_status fs_get(struct fs *, const char *key, size_t max,
		    struct store_buf *out);
enum store_status fs_stream(struct fs *, const char *key, off_t off,
		    off_t len, struct store_stat *st, store_sink sink,
		    void *arg);
enum store_status fs_head(struct fs *, const char *key, struct store_stat *);
enum store_status fs_delete(struct fs *, const char *key);
enum store_status fs_ping(struct fs *);
/* Walks the two levels of directories; temporary files are not listed. */
enum store_status fs_list(struct fs *, const char *prefix,
		    store_list_cb cb, void *arg);

#endif
