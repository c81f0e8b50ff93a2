/*
 * imghost-admin takedown ID: removes an image for good.
 *
 * The rows go first, in one statement that also leaves the tombstone:
 * from its commit on, the URLs answer 410 and the same bytes are refused,
 * whatever happens to the blobs.  Then every blob under ID/ goes, every
 * size in every format, listed or not.  A blob left behind by a failure
 * has no row, so running takedown again, or gc, removes it.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "cache.h"
#include "id.h"
#include "img.h"
#include "size.h"
#include "store.h"

/*
 * The variants and the job go with the image (ON DELETE CASCADE).  The
 * job's state is read in the same snapshot, before the delete: a resizer
 * holding its lease may still write variants after us.
 */
static const struct db_stmt admin_st_takedown = {
	"WITH j AS (SELECT state = 'running' AND run_after > now() AS busy "
	"FROM resize_jobs WHERE image_id = $1), "
	"img AS (DELETE FROM images WHERE id = $1 RETURNING id, sha256), "
	"t AS (INSERT INTO tombstones (image_id, sha256, reason) "
	"SELECT id, sha256, $2::text FROM img ON CONFLICT (sha256) DO NOTHING) "
	"SELECT (SELECT count(*) FROM img), "
	"coalesce((SELECT busy FROM j), false)", 2 };

struct admin_sweep {
	struct store	*store;
	const char	*cache_dir;	/* this node's read cache, or NULL */
	int		 deleted, failed;
};

static void
admin_sweep_key(struct admin_sweep *s, const char *key)
{
	enum store_status	 rc;

	if ((rc = store_delete(s->store, key)) == STORE_OK) {
		s->deleted++;
		/* Other nodes drop theirs at their next check. */
		if (s->cache_dir != NULL)
			cache_drop(s->cache_dir, key);
	} else {
		warnx("delete %s: %s", key, store_status_str(rc));
		s->failed++;
	}
}

/* Deletes the blob of id at size in format t; -1 when its key does not fit. */
static int
admin_sweep_size(struct admin_sweep *s, const char *id, const char *size,
    enum img_type t)
{
	char	 key[STORE_KEY_MAX];

	if (store_key(key, sizeof(key), id, size, img_ext(t)) != STORE_OK) {
		warnx("%s: the key of %s.%s does not fit", id, size,
		    img_ext(t));
		return -1;
	}
	admin_sweep_key(s, key);
	return 0;
}

static int
admin_sweep_page(void *arg, const struct store_entry *e, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		admin_sweep_key(arg, e[i].key);
	return 0;
}

/*
 * Deletes the blobs of id: the keys every size has in every format, then
 * whatever else a listing finds under "ID/" (a size since dropped from
 * the list, say).  Returns how many deletes failed, or -1.
 */
static int
admin_sweep(struct store *store, const char *cache_dir, const char *id)
{
	static const enum img_type types[] = { IMG_JPEG, IMG_PNG, IMG_GIF,
	    IMG_WEBP };
	struct admin_sweep	 s = { store, cache_dir, 0, 0 };
	char			 prefix[STORE_KEY_MAX];
	const struct size	*sz;
	size_t			 t;

	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		if (admin_sweep_size(&s, id, "original", types[t]) == -1)
			return -1;
		for (sz = size_list; sz->name != NULL; sz++)
			if (admin_sweep_size(&s, id, sz->name, types[t]) == -1)
				return -1;
	}
	s.deleted = 0;		/* deletes of what never existed succeed */
	if (store_key(prefix, sizeof(prefix), id, NULL, NULL) != STORE_OK) {
		warnx("%s: no key fits", id);
		return -1;
	}
	if (store_list(store, prefix, admin_sweep_page, &s) != STORE_OK) {
		warnx("cannot list %s in the store", prefix);
		return -1;
	}
	return s.failed;
}

/* Deletes the rows and leaves the tombstone; -1, 0 (no row) or 1. */
static int
admin_takedown_rows(struct admin *a, const char *id, const char *reason,
    int *busy)
{
	char		 v[24];
	const char	*params[] = { v, reason };
	PGresult	*res;
	int		 n;

	snprintf(v, sizeof(v), "%" PRId64, id_to_int(id));
	if ((res = admin_run(a, &admin_st_takedown, params)) == NULL)
		return -1;
	n = admin_num(res, 0, 0) > 0;
	*busy = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	PQclear(res);
	return n;
}

int
admin_takedown(struct admin *a, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*reason = NULL, *id;
	struct store	*store;
	int		 ch, rows, busy = 0, failed;

	while ((ch = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
		if (ch != 'r') {
			/* Ids are base64url: one in 64 starts with '-'. */
			fprintf(stderr, "an id that starts with '-' goes after "
			    "'--': takedown -- -AbCdEfG\n");
			admin_usage();
		}
		reason = optarg;
	}
	if (optind != argc - 1)
		admin_usage();
	id = argv[optind];
	if (strlen(id) != ID_LEN || !id_valid(id, ID_LEN))
		errx(1, "%s: not an image id", id);
	if ((store = admin_store(a)) == NULL)
		return 1;
	if ((rows = admin_takedown_rows(a, id, reason, &busy)) == -1)
		return 1;
	if (rows == 0) {
		switch (db_tombstone_by_id(a->db, id_to_int(id))) {
		case DB_OK:
			break;
		case DB_NOT_FOUND:
			warnx("%s: no such image", id);
			return 1;
		default:
			warnx("the database is down");
			return 1;
		}
		printf("%s was taken down already; deleting what is left\n",
		    id);
	}
	if ((failed = admin_sweep(store, a->conf.cache_dir, id)) != 0) {
		warnx("%s: some blobs are left: run this again", id);
		return 1;
	}
	printf("%s: taken down, its blobs deleted\n", id);
	if (busy)
		warnx("%s: a resizer was making its variants: run this again "
		    "once its lease has run out (2 minutes), or gc", id);
	return 0;
}
