/*
 * Prepared statements: each is prepared on a connection the first time
 * it runs there, under a name no other statement has, and prepared again
 * on a new connection.  The connection outlives its server: after a
 * PostgreSQL backend goes away (or PQreset()), /healthz's db_ping() and
 * the next prepared statement both work on a fresh connection.  The
 * purge queue (lib/db_purge.c) and db_job_done() on a deleted image,
 * on rows of ids no test image has.  Against the suite's PostgreSQL,
 * named by IMGHOST_TEST_DATABASE_URL; skipped without it.
 */
#include <stdint.h>
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

/* Runs sql on db's connection; 1 when it succeeded. */
static int
t_exec(struct db *db, const char *sql)
{
	PGresult	*res = PQexec(db_conn(db), sql);
	int		 good;

	good = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!good)
		fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	return good;
}

/* The single value sql answers, in a static buffer ("" on failure). */
static const char *
t_value(struct db *db, const char *sql)
{
	static char	 buf[256];
	PGresult	*res = PQexec(db_conn(db), sql);

	buf[0] = '\0';
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		strlcpy(buf, PQgetvalue(res, 0, 0), sizeof(buf));
	PQclear(res);
	return buf;
}

/* Ids of these tests' own rows, beyond any a test image draws. */
#define T_PURGE_ID	"281474976710600"
#define T_PURGE_ID2	"281474976710601"
#define T_PURGE_WHERE	" FROM purge_jobs WHERE image_id = " T_PURGE_ID

/* Claims the one purge job there is; 1 when it is id's, attempt n. */
static int
t_purge_claimed(struct db *db, int64_t id, int n)
{
	struct db_purge	 j[4];
	int		 got, i, good;

	if (db_purge_claim(db, 60, 3, 4, j, &got) != DB_OK)
		return 0;
	good = got == 1 && j[0].image_id == id && j[0].attempts == n &&
	    strcmp(j[0].type, "gif") == 0 &&
	    strcmp(j[0].base_url, "https://cdn.example") == 0;
	for (i = 0; i < got; i++)
		db_purge_clear(&j[i]);
	return good;
}

/* The purge queue: claim, lease, backoff, failed for good, done. */
static void
test_purge(struct db *db)
{
	const int64_t	 id = 281474976710600LL;
	struct db_purge	 j;
	int		 got;

	if (!t_exec(db, "DELETE FROM purge_jobs WHERE image_id IN ("
	    T_PURGE_ID ", " T_PURGE_ID2 ")") ||
	    !t_exec(db, "INSERT INTO purge_jobs (image_id, type, selector, "
	    "verifier, base_url, run_after) VALUES (" T_PURGE_ID ", 'gif', "
	    "7, '\\x01', 'https://cdn.example', now()), (" T_PURGE_ID2
	    ", 'gif', 7, '\\x01', 'https://cdn.example', "
	    "now() + interval '1 hour')")) {
		ok(0, "purge jobs inserted");
		return;
	}
	ok(t_purge_claimed(db, id, 1),
	    "a purge job whose time has come is claimed, with its URL base");
	ok(strcmp(t_value(db, "SELECT state || ' ' || "
	    "(claimed_by = pg_backend_pid()) || ' ' || "
	    "(run_after > now() + interval '50 s')" T_PURGE_WHERE),
	    "running true true") == 0, "running, leased to this backend");
	ok(db_purge_claim(db, 60, 3, 4, &j, &got) == DB_OK && got == 0,
	    "not claimed again while leased, nor one not due yet");
	ok(db_purge_fail(db, id, "cdn: 503", 3) == DB_OK &&
	    strcmp(t_value(db, "SELECT state || ' ' || last_error || ' ' || "
	    "(run_after BETWEEN now() + interval '0.9 s' AND "
	    "now() + interval '2.1 s')" T_PURGE_WHERE),
	    "queued cdn: 503 true") == 0,
	    "a failure puts it back, 1 to 2 s ahead, its error kept");
	ok(t_exec(db, "UPDATE purge_jobs SET state = 'running', "
	    "claimed_by = 2147483646, run_after = now() + interval '1 hour'"
	    " WHERE image_id = " T_PURGE_ID) && t_purge_claimed(db, id, 2),
	    "a job whose claimer's backend is gone is taken at once");
	ok(t_exec(db, "UPDATE purge_jobs SET attempts = 3, "
	    "run_after = now() WHERE image_id = " T_PURGE_ID) &&
	    db_purge_fail(db, id, "again", 3) == DB_OK &&
	    strcmp(t_value(db, "SELECT state" T_PURGE_WHERE), "failed") == 0,
	    "after max_attempts it is failed for good");
	ok(t_exec(db, "UPDATE purge_jobs SET run_after = now() - "
	    "interval '1 s' WHERE image_id = " T_PURGE_ID) &&
	    db_purge_claim(db, 60, 3, 4, &j, &got) == DB_OK && got == 0,
	    "and never claimed again");
	ok(db_purge_done(db, id) == DB_OK &&
	    strcmp(t_value(db, "SELECT count(*)" T_PURGE_WHERE), "0") == 0,
	    "done deletes the job");
	ok(db_purge_done(db, id) == DB_OK, "done twice is harmless");
	db_purge_clear(NULL);
	t_exec(db, "DELETE FROM purge_jobs WHERE image_id = " T_PURGE_ID2);
}

/* db_job_done() on an image that exists, and on one deleted since. */
static void
test_job_done(struct db *db)
{
	static const struct db_variant v[] = {
		{ "small", "png", 32, 16, 100 },
		{ "small", "webp", 32, 16, 80 },
	};
	const int64_t	 id = 281474976710600LL;
	const char	*ins = "INSERT INTO images (id, bytes, width, height, "
	    "type, sha256) VALUES (" T_PURGE_ID ", 10, 64, 32, 'png', "
	    "sha256('t_db " T_PURGE_ID "'));"
	    "INSERT INTO resize_jobs (image_id) VALUES (" T_PURGE_ID ")";

	if (!t_exec(db, "DELETE FROM images WHERE id = " T_PURGE_ID) ||
	    !t_exec(db, ins)) {
		ok(0, "an image and its job inserted");
		return;
	}
	ok(db_job_done(db, id, v, 2, (const uint8_t *)"\x21\x22\x23\x24\x25",
	    5) == DB_OK &&
	    strcmp(t_value(db, "SELECT count(*) FROM variants WHERE "
	    "image_id = " T_PURGE_ID), "2") == 0 &&
	    strcmp(t_value(db, "SELECT count(*) FROM resize_jobs WHERE "
	    "image_id = " T_PURGE_ID), "0") == 0,
	    "db_job_done records the variants and ends the job");
	ok(t_exec(db, "DELETE FROM images WHERE id = " T_PURGE_ID) &&
	    t_exec(db, ins) &&
	    t_exec(db, "DELETE FROM images WHERE id = " T_PURGE_ID) &&
	    db_job_done(db, id, v, 2, NULL, 0) == DB_NOT_FOUND &&
	    strcmp(t_value(db, "SELECT count(*) FROM variants WHERE "
	    "image_id = " T_PURGE_ID), "0") == 0,
	    "an image deleted meanwhile: DB_NOT_FOUND, nothing recorded");
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
	test_purge(db);
	test_job_done(db);
	db_free(db);
	return tap_done();
}
