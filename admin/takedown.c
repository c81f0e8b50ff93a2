/*
 * imghost-admin takedown ID: removes an image for good.
 *
 * The rows go first, in one statement that also leaves the tombstone:
 * from its commit on, the URLs answer 410 and the same bytes are refused,
 * whatever happens to the blobs.  Then every blob under ID/ goes, every
 * size in every format, listed or not (store_sweep()).  A blob left behind by a failure
 * has no row, so running takedown again, or gc, removes it.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "id.h"
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
	int		 ch, rows, busy = 0;

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
	if (store_sweep(store, a->conf.cache_dir, id) != STORE_OK) {
		warnx("%s: some blobs are left: run this again", id);
		return 1;
	}
	printf("%s: taken down, its blobs deleted\n", id);
	if (busy)
		warnx("%s: a resizer was making its variants: run this again "
		    "once its lease has run out (2 minutes), or gc", id);
	return 0;
}
