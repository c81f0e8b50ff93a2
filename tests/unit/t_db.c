/*
 * The connection outlives its server: after a PostgreSQL backend goes
 * away, /healthz's db_ping() and the next prepared statement both work
 * on a fresh connection.  Against the suite's PostgreSQL, named by
 * IMGHOST_TEST_DATABASE_URL; skipped without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db.h"
#include "log.h"
#include "tap.h"

static const struct db_stmt t_st = { 1, "SELECT $1::int + 1", 1 };

/* Runs t_st with 41; 1 when it answered 42. */
static int
t_run(struct db *db)
{
	const char	*params[] = { "41" };
	PGresult	*res;
	int		 ok42;

	if (db_run(db, &t_st, params, NULL, NULL, &res) != DB_OK)
		return 0;
	ok42 = strcmp(PQgetvalue(res, 0, 0), "42") == 0;
	PQclear(res);
	return ok42;
}

/* Ends db's backend from another connection, as a restart would. */
static int
t_kill_backend(const char *url, struct db *db)
{
	char		 sql[96];
	PGconn		*other = PQconnectdb(url);
	PGresult	*res;
	int		 done;

	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%d)",
	    PQbackendPID(db_conn(db)));
	res = PQexec(other, sql);
	done = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	PQfinish(other);
	return done;
}

int
main(void)
{
	const char	*url = getenv("IMGHOST_TEST_DATABASE_URL");
	struct db	*db;

	log_init("t_db");
	if (url == NULL || *url == '\0') {
		printf("1..0 # SKIP no IMGHOST_TEST_DATABASE_URL\n");
		return 0;
	}
	if ((db = db_open(url)) == NULL)
		return 1;
	ok(t_run(db), "a prepared statement");
	ok(t_kill_backend(url, db), "its backend ended from outside");
	ok(db_ping(db) == 0, "db_ping() connects again");
	ok(t_run(db), "the statement is prepared again on the new backend");
	ok(t_kill_backend(url, db), "that backend ended too");
	ok(t_run(db), "db_run() alone connects again");
	db_free(db);
	return tap_done();
}
