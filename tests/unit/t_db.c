/*
 * Prepared statements: each is prepared on a connection the first time
 * it runs there, under a name no other statement has, and prepared again
 * on a new connection.  The connection outlives its server: after a
 * PostgreSQL backend goes away (or PQreset()), /healthz's db_ping() and
 * the next prepared statement both work on a fresh connection.  Against
 * the suite's PostgreSQL, named by IMGHOST_TEST_DATABASE_URL; skipped
 * without it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db.h"
#include "log.h"
#include "tap.h"

static const struct db_stmt t_st = { "SELECT $1::int + 1", 1 };
static const struct db_stmt t_st2 = { "SELECT $1::int * 2", 1 };
/* The same SQL as t_st: a statement of its own all the same. */
static const struct db_stmt t_st_same = { "SELECT $1::int + 1", 1 };
/* Changed between runs, as a struct that did not stay put would be. */
static struct db_stmt t_st_moving = { "SELECT $1::int - 1", 1 };

/* Runs st with 21; 1 when it answered want. */
static int
t_answers(struct db *db, const struct db_stmt *st, const char *want)
{
	const char	*params[] = { "21" };
	PGresult	*res;
	int		 same;

	if (db_run(db, st, params, NULL, NULL, &res) != DB_OK)
		return 0;
	same = strcmp(PQgetvalue(res, 0, 0), want) == 0;
	PQclear(res);
	return same;
}

/* How many statements are prepared on db's connection, or -1. */
static int
t_nprepared(struct db *db)
{
	PGconn		*conn = db_conn(db);
	PGresult	*res;
	int		 n = -1;

	if (conn == NULL)
		return -1;
	res = PQexec(conn, "SELECT count(DISTINCT name) "
	    "FROM pg_prepared_statements");
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		n = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return n;
}

/* Runs t_st with 41; 1 when it answered 42. */
static int	t_run(struct db *);

/* Prepared on first use, once a connection; one name a statement. */
static void
test_lazy(struct db *db)
{
	ok(t_nprepared(db) == 0, "nothing is prepared before a statement runs");
	ok(t_run(db) && t_nprepared(db) == 1, "the first run prepares it");
	ok(t_run(db) && t_nprepared(db) == 1, "the second does not again");
	ok(t_answers(db, &t_st2, "42") && t_nprepared(db) == 2,
	    "another statement has a name of its own");
	ok(t_answers(db, &t_st_same, "22") && t_nprepared(db) == 3,
	    "so has one with the same SQL");
	ok(t_answers(db, &t_st, "22") && t_answers(db, &t_st2, "42"),
	    "each runs its own SQL");
	ok(t_answers(db, &t_st_moving, "20"), "a statement not const");
	t_st_moving.sql = "SELECT $1::int - 2";
	ok(!t_answers(db, &t_st_moving, "19"),
	    "its struct with other SQL is refused, not run as the old");
	t_st_moving.sql = "SELECT $1::int - 1";
	ok(t_answers(db, &t_st_moving, "20"), "and its own SQL still runs");
}

/* A PQreset() behind db's back: the new backend has nothing prepared. */
static void
test_reset(struct db *db)
{
	PQreset(db_conn(db));
	ok(t_nprepared(db) == 0, "PQreset(): a backend with nothing prepared");
	ok(t_run(db) && t_answers(db, &t_st2, "42") && t_nprepared(db) == 2,
	    "the statements are prepared again on it");
}

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
	test_lazy(db);
	test_reset(db);
	ok(t_kill_backend(url, db), "its backend ended from outside");
	ok(db_ping(db) == 0, "db_ping() connects again");
	ok(t_nprepared(db) == 0, "nothing is prepared on the new backend");
	ok(t_run(db), "the statement is prepared again on the new backend");
	ok(t_kill_backend(url, db), "that backend ended too");
	ok(t_run(db), "db_run() alone connects again");
	ok(t_answers(db, &t_st2, "42") && t_nprepared(db) == 2,
	    "and prepares each statement once on it");
	db_free(db);
	return tap_done();
}
