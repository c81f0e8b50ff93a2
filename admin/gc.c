/*
 * imghost-admin gc: deletes blobs that no image row owns.  They come from
 * uploads that failed between the blob and the row, the losers of a race
 * between two uploads of the same bytes, and takedowns cut short.  An
 * upload writes its blob before its row, so a blob younger than the
 * threshold (an hour) may be an upload under way and is left alone.
 * An image deleted by its last claim has no row either, only a purge
 * job (sql/005): deleting its blobs here does what the job's sweep
 * does, which then finds nothing, and the job itself is left to run
 * purge_command.
 *
 * The store is listed a page at a time, and each page costs one query
 * (id = ANY(array)), not one a blob.  Keys that are not "ID/name" are
 * not ours and are never touched.  --prefix limits it to the keys that
 * start with a prefix, so that machines can share a sweep of billions of
 * keys (one first character of the id each, say).
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "id.h"
#include "store.h"

#define ADMIN_GC_AGE	3600

static const struct db_stmt admin_st_gc_ids = {
	"SELECT id FROM images WHERE id = ANY($1::bigint[])", 1 };

struct admin_gc {
	struct admin	*a;
	time_t		 cutoff;	/* blobs from after this are young */
	int		 dry_run;
	long long	 listed, foreign, young, orphans, failed;
	int64_t		 ids[STORE_LIST_PAGE];	/* of the page's candidates */
	int64_t		 owned[STORE_LIST_PAGE];	/* of those with rows */
	size_t		 nowned;
	char		 array[STORE_LIST_PAGE * 17 + 3];
};

static int
admin_gc_cmp(const void *a, const void *b)
{
	int64_t	 x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The id of an "ID/name" key, or -1 for a key that is not ours. */
static int64_t
admin_gc_key_id(const char *key)
{
	if (strlen(key) < ID_LEN + 2 || key[ID_LEN] != '/' ||
	    !id_valid(key, ID_LEN) || strchr(key + ID_LEN + 1, '/') != NULL)
		return -1;
	return id_to_int(key);
}

/* Fills g->owned, sorted, with the ids of n that have an image row. */
static int
admin_gc_owned(struct admin_gc *g, size_t n)
{
	const char	*params[] = { g->array };
	PGresult	*res;
	size_t		 i, len = 1;

	/* Room for n ids of 15 digits (48 bits) and commas: no truncation. */
	g->array[0] = '{';
	for (i = 0; i < n; i++)
		len += snprintf(g->array + len, sizeof(g->array) - len,
		    "%s%" PRId64, i > 0 ? "," : "", g->ids[i]);
	strlcpy(g->array + len, "}", sizeof(g->array) - len);
	if ((res = admin_run(g->a, &admin_st_gc_ids, params)) == NULL)
		return -1;
	g->nowned = PQntuples(res);
	for (i = 0; i < g->nowned; i++)
		g->owned[i] = admin_num(res, i, 0);
	PQclear(res);
	qsort(g->owned, g->nowned, sizeof(g->owned[0]), admin_gc_cmp);
	return 0;
}

/* Deletes (or names, in a dry run) one blob that no row owns. */
static void
admin_gc_orphan(struct admin_gc *g, const struct store_entry *e)
{
	enum store_status	 rc;

	g->orphans++;
	if (g->dry_run) {
		printf("would delete %s (%lld bytes)\n", e->key,
		    (long long)e->size);
		return;
	}
	if ((rc = store_delete(g->a->store, e->key)) != STORE_OK) {
		warnx("delete %s: %s", e->key, store_status_str(rc));
		g->failed++;
		return;
	}
	printf("deleted %s (%lld bytes)\n", e->key, (long long)e->size);
}

/* One page of the listing: one query, then the deletes. */
static int
admin_gc_page(void *arg, const struct store_entry *e, size_t n)
{
	struct admin_gc	*g = arg;
	const struct store_entry *cand[STORE_LIST_PAGE];
	size_t		 i, nc = 0;
	int64_t		 id;

	g->listed += n;
	for (i = 0; i < n && i < STORE_LIST_PAGE; i++) {
		if ((id = admin_gc_key_id(e[i].key)) == -1)
			g->foreign++;
		else if (e[i].mtime > g->cutoff)
			g->young++;
		else {
			g->ids[nc] = id;
			cand[nc++] = &e[i];
		}
	}
	if (nc == 0)
		return 0;
	if (admin_gc_owned(g, nc) == -1)
		return -1;
	for (i = 0; i < nc; i++)
		if (bsearch(&g->ids[i], g->owned, g->nowned,
		    sizeof(g->owned[0]), admin_gc_cmp) == NULL)
			admin_gc_orphan(g, cand[i]);
	fflush(stdout);
	return 0;
}

int
admin_gc(struct admin *a, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "older-than", required_argument, NULL, 'o' },
		{ "prefix", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_gc	*g;
	const char	*prefix = "";
	long long	 age = ADMIN_GC_AGE;
	int		 ch, dry_run = 0, rc;

	while ((ch = getopt_long(argc, argv, "no:p:", opts, NULL)) != -1) {
		if (ch == 'n')
			dry_run = 1;
		else if (ch == 'p')
			prefix = optarg;
		else if (ch == 'o')
			age = admin_arg_num("--older-than", optarg, 0,
			    100LL * 365 * 86400);
		else
			admin_usage();
	}
	if (optind != argc)
		admin_usage();
	if (admin_store(a) == NULL)
		return 1;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		err(1, NULL);
	g->a = a;
	g->dry_run = dry_run;
	g->cutoff = time(NULL) - age;
	rc = store_list(a->store, prefix, admin_gc_page, g) == STORE_OK &&
	    g->failed == 0 ? 0 : 1;
	printf("gc: %lld blobs listed, %lld younger than %llds, %lld not "
	    "image keys, %lld without a row: %s\n", g->listed, g->young,
	    age, g->foreign, g->orphans, dry_run ? "would delete them "
	    "(dry run)" : "deleted");
	if (rc != 0)
		warnx("gc stopped early or some deletes failed");
	free(g);
	return rc;
}
