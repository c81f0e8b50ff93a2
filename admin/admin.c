/*
 * What every subcommand of imghost-admin shares (admin.h): the usage,
 * argument numbers, the store and the database.  Apart from main.c, so
 * that main.c calls the subcommands and they call this, never main.c.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>

#include "admin.h"
#include "store.h"

void
admin_usage(void)
{
	fprintf(stderr, "usage: imghost-admin migrate [--sql-dir dir]\n"
	    "       imghost-admin stats [--exact]\n"
	    "       imghost-admin takedown [--reason text] [--] id\n"
	    "       imghost-admin requeue [--id id]\n"
	    "       imghost-admin rebuild [--batch n] [--max-batches n] "
	    "[--max-queued n] [--restart]\n"
	    "       imghost-admin gc [--dry-run] [--older-than seconds] "
	    "[--prefix p]\n"
	    "       imghost-admin cache-trim\n"
	    "       imghost-admin setup [--no-database]\n");
	exit(2);
}

long long
admin_arg_num(const char *opt, const char *s, long long min, long long max)
{
	const char	*errstr;
	long long	 v;

	v = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		errx(2, "%s %s: %s", opt, s, errstr);
	return v;
}

struct store *
admin_store(struct admin *a)
{
	if (a->store == NULL)
		a->store = store_open(&a->conf);
	return a->store;
}

PGresult *
admin_run(struct admin *a, const struct db_stmt *st,
    const char *const *params)
{
	PGresult	*res;

	switch (db_run(a->db, st, params, NULL, NULL, &res)) {
	case DB_OK:
		return res;
	case DB_DOWN:
		warnx("the database is down");
		break;
	default:
		warnx("a query failed (see above)");
		break;
	}
	return NULL;
}

long long
admin_num(PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return 0;
	return strtonum(PQgetvalue(res, row, col), INT64_MIN, INT64_MAX,
	    NULL);
}
