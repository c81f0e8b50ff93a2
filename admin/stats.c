/*
 * imghost-admin stats: what the service holds and how the queue is.
 * Cheap at any size: above a million rows the counts come from
 * pg_class.reltuples (kept by autovacuum's ANALYZE) and the byte totals
 * from a 1% block sample, marked "estimate"; --exact counts every row.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"

/* Below this many rows (by the estimate) counting them is cheap. */
#define ADMIN_EXACT_BELOW	1000000

static const struct db_stmt admin_st_reltuples = {
	"SELECT reltuples::bigint FROM pg_class "
	"WHERE oid = to_regclass($1)", 1 };
static const struct db_stmt admin_st_count_images = {
	"SELECT count(*) FROM images", 0 };
static const struct db_stmt admin_st_count_variants = {
	"SELECT count(*) FROM variants", 0 };
static const struct db_stmt admin_st_bytes_images = {
	"SELECT coalesce(sum(bytes), 0) FROM images", 0 };
static const struct db_stmt admin_st_bytes_variants = {
	"SELECT coalesce(sum(bytes), 0) FROM variants", 0 };
/* The average over a sample of 1% of the blocks, times the rows. */
static const struct db_stmt admin_st_avg_images = {
	"SELECT coalesce(avg(bytes), 0)::bigint FROM images "
	"TABLESAMPLE SYSTEM (1)", 0 };
static const struct db_stmt admin_st_avg_variants = {
	"SELECT coalesce(avg(bytes), 0)::bigint FROM variants "
	"TABLESAMPLE SYSTEM (1)", 0 };
/* The backlog: finished jobs are deleted, so this table stays small. */
static const struct db_stmt admin_st_jobs = {
	"SELECT state, count(*), "
	"extract(epoch FROM now() - min(created_at))::bigint "
	"FROM resize_jobs GROUP BY state", 0 };
static const struct db_stmt admin_st_count_tombstones = {
	"SELECT count(*) FROM tombstones", 0 };
/* A claim an upload: as many rows as images, or more. */
static const struct db_stmt admin_st_count_claims = {
	"SELECT count(*) FROM claims", 0 };
/* Purge jobs are deleted when done: small, like resize_jobs. */
static const struct db_stmt admin_st_purge = {
	"SELECT state, count(*) FROM purge_jobs GROUP BY state", 0 };

/* One number from a statement without parameters; -1 on failure. */
static long long
admin_one(struct admin *a, const struct db_stmt *st)
{
	PGresult	*res;
	long long	 v;

	if ((res = admin_run(a, st, NULL)) == NULL)
		return -1;
	v = PQntuples(res) == 1 ? admin_num(res, 0, 0) : -1;
	PQclear(res);
	return v;
}

long long
admin_count(struct admin *a, const char *table, int exact, int *estimated)
{
	const char	*params[] = { table };
	PGresult	*res;
	long long	 est = -1;

	*estimated = 0;
	if (!exact) {
		if ((res = admin_run(a, &admin_st_reltuples, params)) == NULL)
			return -1;
		if (PQntuples(res) == 1)
			est = admin_num(res, 0, 0);
		PQclear(res);
	}
	/* -1: never analysed yet, which a big table would have been. */
	if (est >= ADMIN_EXACT_BELOW) {
		*estimated = 1;
		return est;
	}
	if (strcmp(table, "images") == 0)
		return admin_one(a, &admin_st_count_images);
	if (strcmp(table, "variants") == 0)
		return admin_one(a, &admin_st_count_variants);
	if (strcmp(table, "claims") == 0)
		return admin_one(a, &admin_st_count_claims);
	return admin_one(a, &admin_st_count_tombstones);
}

static void
admin_line(const char *name, long long v, int estimated)
{
	printf("%-20s %lld%s\n", name, v, estimated ? " estimate" : "");
}

/* Prints the rows and the bytes of images or variants. */
static int
admin_stats_table(struct admin *a, const char *table, int exact)
{
	int		 img = strcmp(table, "images") == 0, est;
	long long	 n, bytes;
	char		 name[32];

	if ((n = admin_count(a, table, exact, &est)) == -1)
		return -1;
	if (est)
		bytes = admin_one(a, img ? &admin_st_avg_images :
		    &admin_st_avg_variants) * n;
	else
		bytes = admin_one(a, img ? &admin_st_bytes_images :
		    &admin_st_bytes_variants);
	if (bytes < 0)
		return -1;
	admin_line(table, n, est);
	snprintf(name, sizeof(name), "%s_bytes", img ? "image" : "variant");
	admin_line(name, bytes, est);
	return 0;
}

static const char *const admin_states[] = { "queued", "running", "failed" };

/* The count of state s in a (state, count) result, 0 when not there. */
static long long
admin_state_count(PGresult *res, size_t s, int *row)
{
	int	 i;

	for (i = 0; i < PQntuples(res); i++)
		if (strcmp(PQgetvalue(res, i, 0), admin_states[s]) == 0) {
			*row = i;
			return admin_num(res, i, 1);
		}
	*row = -1;
	return 0;
}

/* Purge jobs by state: a failed one has a last_error to read. */
static int
admin_stats_purge(struct admin *a)
{
	PGresult	*res;
	char		 name[32];
	size_t		 s;
	int		 row;

	if ((res = admin_run(a, &admin_st_purge, NULL)) == NULL)
		return -1;
	for (s = 0; s < sizeof(admin_states) / sizeof(admin_states[0]); s++) {
		snprintf(name, sizeof(name), "purge_jobs_%s", admin_states[s]);
		admin_line(name, admin_state_count(res, s, &row), 0);
	}
	PQclear(res);
	return 0;
}

/* Jobs by state, and how long the oldest queued one has waited. */
static int
admin_stats_jobs(struct admin *a)
{
	PGresult	*res;
	long long	 n, age = -1;
	char		 name[32];
	size_t		 s;
	int		 row;

	if ((res = admin_run(a, &admin_st_jobs, NULL)) == NULL)
		return -1;
	for (s = 0; s < sizeof(admin_states) / sizeof(admin_states[0]); s++) {
		n = admin_state_count(res, s, &row);
		if (s == 0 && row != -1)
			age = admin_num(res, row, 2);
		snprintf(name, sizeof(name), "jobs_%s", admin_states[s]);
		admin_line(name, n, 0);
	}
	PQclear(res);
	if (age >= 0)
		admin_line("oldest_queued_age", age, 0);
	else
		printf("%-20s -\n", "oldest_queued_age");
	return 0;
}

int
admin_stats(struct admin *a, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "exact", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	long long	 n;
	int		 ch, exact = 0, est;

	while ((ch = getopt_long(argc, argv, "x", opts, NULL)) != -1) {
		if (ch != 'x')
			admin_usage();
		exact = 1;
	}
	if (optind != argc)
		admin_usage();
	if (admin_stats_table(a, "images", exact) == -1 ||
	    admin_stats_table(a, "variants", exact) == -1 ||
	    admin_stats_jobs(a) == -1 ||
	    (n = admin_count(a, "tombstones", exact, &est)) == -1)
		return 1;
	admin_line("tombstones", n, est);
	if ((n = admin_count(a, "claims", exact, &est)) == -1)
		return 1;
	admin_line("claims", n, est);
	return admin_stats_purge(a) == -1;
}
