/*
 * imghost-admin: the operator's command.  Each subcommand is one
 * function taking its own arguments (argv[0] is the subcommand's name)
 * and returning the process's exit status: 0 done, 1 failed, 2 usage.
 */
#ifndef ADMIN_H
#define ADMIN_H

#include <stdint.h>

#include "conf.h"
#include "db.h"

struct admin {
	struct conf	 conf;
	struct db	*db;
	struct store	*store;		/* NULL until admin_store() */
};

/* The store of the configuration, opened on first use; NULL (logged). */
struct store	*admin_store(struct admin *);

/*
 * Runs st with text parameters; the result on success (PQclear it),
 * else NULL after saying why on stderr.
 */
PGresult	*admin_run(struct admin *, const struct db_stmt *st,
		    const char *const *params);

/* The first column of row 0 of res as a number (0 when NULL). */
long long	 admin_num(PGresult *res, int row, int col);

/*
 * Rows in table: exact below a million rows by pg_class.reltuples, else
 * that estimate (*estimated set), since an exact count of billions of
 * rows scans them all.  -1 after saying why.
 */
long long	 admin_count(struct admin *, const char *table, int exact,
		    int *estimated);

int	admin_stats(struct admin *, int argc, char *argv[]);
int	admin_takedown(struct admin *, int argc, char *argv[]);
int	admin_requeue(struct admin *, int argc, char *argv[]);
int	admin_rebuild(struct admin *, int argc, char *argv[]);
int	admin_gc(struct admin *, int argc, char *argv[]);
int	admin_cache_trim(struct admin *, int argc, char *argv[]);

/* Prints the usage and exits with status 2. */
void		 admin_usage(void) __attribute__((noreturn));

/* The number in s, within [min, max], or exits with status 2. */
long long	 admin_arg_num(const char *opt, const char *s, long long min,
		    long long max);

#endif
