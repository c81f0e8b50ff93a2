/*
 * The resize job queue.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

/*
 * Takes up to $2 jobs: first the running jobs whose claimer's backend is
 * gone (its resizer died, was killed, or lost the database: a backend
 * ends with its connection), then the jobs whose time has come, oldest
 * first.  Each is leased for $1 seconds to this connection's backend.
 * An orphan on its $3rd attempt is marked failed instead, so an image
 * that kills its worker every time is not retried for ever.  A backend
 * pid used again by a new connection makes a job look held, and so does
 * every claim behind a transaction pooler: the lease still runs out.
 */
static const struct db_stmt db_st_claim = {
	"WITH orphan AS (SELECT image_id, attempts >= $3 AS spent "
	"FROM resize_jobs j WHERE state = 'running' AND run_after > now() "
	"AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a "
	"WHERE a.pid = j.claimed_by) LIMIT $2 FOR UPDATE SKIP LOCKED), "
	"spent AS (UPDATE resize_jobs SET state = 'failed', "
	"last_error = 'its resizer stopped during each attempt' "
	"WHERE image_id IN (SELECT image_id FROM orphan WHERE spent)), "
	"ready AS (SELECT image_id FROM resize_jobs "
	"WHERE state <> 'failed' AND run_after <= now() "
	"ORDER BY run_after LIMIT $2 FOR UPDATE SKIP LOCKED) "
	"UPDATE resize_jobs j SET state = 'running', "
	"attempts = j.attempts + 1, claimed_by = pg_backend_pid(), "
	"run_after = now() + make_interval(secs => $1) "
	"FROM (SELECT image_id FROM orphan WHERE NOT spent UNION ALL "
	"SELECT image_id FROM ready LIMIT $2) c "
	"WHERE j.image_id = c.image_id "
	"RETURNING j.image_id, j.attempts", 3 };
/*
 * One statement, so the variant rows and the job's end are atomic.  The
 * image row is locked first (FOR KEY SHARE, as the foreign key check
 * would): a deletion (claim_end(), a takedown) either waits for the
 * variants and removes them with the image, or committed before, and
 * then the row is skipped, nothing is inserted and the count is 0, so
 * the resizer knows the blobs it wrote belong to no one.  Without the
 * lock the insert failed on the foreign key instead, an error in the
 * log for an ordinary race.
 */
static const struct db_stmt db_st_done = {
	"WITH img AS (SELECT id FROM images WHERE id = $1 FOR KEY SHARE), "
	"v AS (INSERT INTO variants "
	"(image_id, size, format, width, height, bytes) "
	"SELECT img.id, u.* FROM img, unnest($2::text[], "
	"$3::image_type[], $4::int[], $5::int[], $6::bigint[]) "
	"AS u (size, format, width, height, bytes) "
	"ON CONFLICT (image_id, size, format) DO UPDATE SET "
	"width = excluded.width, height = excluded.height, "
	"bytes = excluded.bytes, created_at = now()), "
	"j AS (DELETE FROM resize_jobs WHERE image_id = $1), "
	"p AS (UPDATE images SET placeholder = $7 "
	"WHERE id = (SELECT id FROM img)) "
	"SELECT count(*) FROM img", 7 };
/* 2^attempts seconds, capped at an hour, times a jitter of 0.5 to 1. */
static const struct db_stmt db_st_fail = {
	"UPDATE resize_jobs SET last_error = $2, "
	"state = CASE WHEN attempts >= $3 THEN 'failed'::job_state "
	"ELSE 'queued' END, "
	"run_after = now() + make_interval(secs => "
	"least(3600, 2 ^ attempts) * (0.5 + random() / 2)) "
	"WHERE image_id = $1", 3 };
static const struct db_stmt db_st_delete = {
	"DELETE FROM resize_jobs WHERE image_id = $1", 1 };

enum db_status
db_jobs_claim(struct db *db, int lease, int max_attempts, int n,
    struct db_job *out, int *got)
{
	PGresult	*res;
	enum db_status	 rc;
	int		 i;

	*got = 0;
	rc = db_run_claim(db, &db_st_claim, lease, n, max_attempts, &res);
	if (rc != DB_OK)
		return rc;
	for (i = 0; i < PQntuples(res) && i < n; i++) {
		out[i].image_id = strtonum(PQgetvalue(res, i, 0), 0,
		    INT64_MAX, NULL);
		out[i].attempts = strtonum(PQgetvalue(res, i, 1), 0,
		    INT32_MAX, NULL);
	}
	*got = i;
	PQclear(res);
	return DB_OK;
}

/* Appends "x" or ",x" to a Postgres array literal being built in buf. */
static int
db_array_add(char *buf, size_t sz, const char *item)
{
	if (buf[0] != '{' && strlcpy(buf, "{", sz) >= sz)
		return -1;
	if (buf[1] != '\0' && strlcat(buf, ",", sz) >= sz)
		return -1;
	return strlcat(buf, item, sz) >= sz ? -1 : 0;
}

enum db_status
db_job_done(struct db *db, int64_t image_id, const struct db_variant *v,
    int n, const uint8_t *hash, size_t hashlen)
{
	char		 id[24], a[5][512] = { "", "", "", "", "" }, num[24];
	const char	*params[] = { id, a[0], a[1], a[2], a[3], a[4],
			    hashlen > 0 ? (const char *)hash : NULL };
	int		 lengths[] = { 0, 0, 0, 0, 0, 0, (int)hashlen };
	int		 formats[] = { 0, 0, 0, 0, 0, 0, 1 };
	PGresult	*res;
	enum db_status	 rc;
	int		 i, bad = 0;

	snprintf(id, sizeof(id), "%" PRId64, image_id);
	for (i = 0; i < n; i++) {
		bad |= db_array_add(a[0], sizeof(a[0]), v[i].size);
		bad |= db_array_add(a[1], sizeof(a[1]), v[i].format);
		snprintf(num, sizeof(num), "%ld", v[i].width);
		bad |= db_array_add(a[2], sizeof(a[2]), num);
		snprintf(num, sizeof(num), "%ld", v[i].height);
		bad |= db_array_add(a[3], sizeof(a[3]), num);
		snprintf(num, sizeof(num), "%lld", v[i].bytes);
		bad |= db_array_add(a[4], sizeof(a[4]), num);
	}
	for (i = 0; i < 5 && !bad; i++)
		bad |= strlcat(a[i], "}", sizeof(a[i])) >= sizeof(a[i]);
	if (bad || n == 0) {
		log_errx("db: job %" PRId64 ": bad variant list", image_id);
		return DB_FAIL;
	}
	rc = db_run(db, &db_st_done, params, lengths, formats, &res);
	if (rc != DB_OK)
		return rc;
	rc = strcmp(PQgetvalue(res, 0, 0), "0") == 0 ? DB_NOT_FOUND : DB_OK;
	PQclear(res);
	return rc;
}

enum db_status
db_job_fail(struct db *db, int64_t image_id, const char *why,
    int max_attempts)
{
	char		 id[24], max[16];
	const char	*params[] = { id, why, max };
	PGresult	*res;
	enum db_status	 rc;

	snprintf(id, sizeof(id), "%" PRId64, image_id);
	snprintf(max, sizeof(max), "%d", max_attempts);
	if ((rc = db_run(db, &db_st_fail, params, NULL, NULL, &res)) != DB_OK)
		return rc;
	PQclear(res);
	return DB_OK;
}

enum db_status
db_job_delete(struct db *db, int64_t image_id)
{
	char		 id[24];
	const char	*params[] = { id };
	PGresult	*res;
	enum db_status	 rc;

	snprintf(id, sizeof(id), "%" PRId64, image_id);
	if ((rc = db_run(db, &db_st_delete, params, NULL, NULL, &res)) != DB_OK)
		return rc;
	PQclear(res);
	return DB_OK;
}

/*
 * First among the queued: before the claim's ORDER BY run_after, in the
 * order they were made.  A job in its backoff after a failure is left
 * where it is.  The queue's age is read from created_at, not this.
 */
static const struct db_stmt db_st_hurry = {
	"WITH bump AS (UPDATE resize_jobs "
	"SET run_after = created_at - interval '100 years' "
	"WHERE image_id = $1 AND state = 'queued' AND attempts = 0 "
	"AND run_after > created_at - interval '100 years') "
	"SELECT EXISTS (SELECT 1 FROM resize_jobs WHERE image_id = $1 "
	"AND state <> 'failed') AND EXISTS (SELECT 1 FROM pg_stat_activity "
	"WHERE application_name = 'imghost-resize' "
	"AND datname = current_database())", 1 };
static const struct db_stmt db_st_pending = {
	"SELECT 1 FROM resize_jobs WHERE image_id = $1 AND state <> 'failed'",
	1 };

/* Runs st with image_id; DB_OK when its first row says true or exists. */
static enum db_status
db_job_ask(struct db *db, const struct db_stmt *st, int64_t image_id)
{
	char		 id[24];
	const char	*params[] = { id };
	PGresult	*res;
	enum db_status	 rc;

	snprintf(id, sizeof(id), "%" PRId64, image_id);
	if ((rc = db_run(db, st, params, NULL, NULL, &res)) != DB_OK)
		return rc;
	rc = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "f") != 0 ?
	    DB_OK : DB_NOT_FOUND;
	PQclear(res);
	return rc;
}

enum db_status
db_job_hurry(struct db *db, int64_t image_id)
{
	return db_job_ask(db, &db_st_hurry, image_id);
}

enum db_status
db_job_pending(struct db *db, int64_t image_id)
{
	return db_job_ask(db, &db_st_pending, image_id);
}
