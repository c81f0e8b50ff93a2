/*
 * Deleting every blob of an image: for a takedown (imghost-admin), the
 * end of its last claim (fcgi/delete.c) and the purge job that finishes
 * what either left (resize-cron/purge.c).  The keys every size has in
 * every format go first, listed or not, then whatever a listing finds
 * under "ID/" (a size since dropped from the list, say).  Deleting a
 * missing key succeeds, so a sweep can always run again.
 */
#include <stddef.h>

#include "cache.h"
#include "img_type.h"
#include "log.h"
#include "size.h"
#include "store.h"

struct sweep {
	struct store	*store;
	const char	*cache_dir;	/* this node's read cache, or NULL */
	int		 failed;
};

static void
sweep_key(struct sweep *s, const char *key)
{
	enum store_status	 rc;

	if ((rc = store_delete(s->store, key)) == STORE_OK) {
		/* Other nodes drop theirs at their next check. */
		if (s->cache_dir != NULL)
			cache_drop(s->cache_dir, key);
	} else {
		log_warnx("delete %s: %s", key, store_status_str(rc));
		s->failed++;
	}
}

/* Deletes the blob of id at size in format t; -1 when its key does not fit. */
static int
sweep_size(struct sweep *s, const char *id, const char *size,
    enum img_type t)
{
	char	 key[STORE_KEY_MAX];

	if (store_key(key, sizeof(key), id, size, img_ext(t)) != STORE_OK)
		return -1;
	sweep_key(s, key);
	return 0;
}

static int
sweep_page(void *arg, const struct store_entry *e, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		sweep_key(arg, e[i].key);
	return 0;
}

/*
 * Deletes every blob of id and this node's cached copies of them.
 * STORE_OK when all are gone, else STORE_ERROR (each failure logged).
 */
enum store_status
store_sweep(struct store *store, const char *cache_dir, const char *id)
{
	struct sweep		 s = { store, cache_dir, 0 };
	char			 prefix[STORE_KEY_MAX];
	const struct size	*sz;
	int			 t;

	for (t = IMG_JPEG; img_ext(t) != NULL; t++) {
		if (sweep_size(&s, id, "original", t) == -1 ||
		    (img_kept_as_sent(t) &&
		    sweep_size(&s, id, "upload", t) == -1))
			return STORE_ERROR;
		for (sz = size_list; sz->name != NULL; sz++)
			if (sweep_size(&s, id, sz->name, t) == -1)
				return STORE_ERROR;
	}
	if (store_key(prefix, sizeof(prefix), id, NULL, NULL) != STORE_OK)
		return STORE_ERROR;
	if (store_list(store, prefix, sweep_page, &s) != STORE_OK)
		return STORE_ERROR;
	return s.failed == 0 ? STORE_OK : STORE_ERROR;
}
