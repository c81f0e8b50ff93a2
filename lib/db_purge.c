/*
 * The purge job queue: what is left to do once an image's last claim
 * ended (sql/005_claims.sql, claim_end()).  Claimed by the resizers the
 * way resize jobs are (lib/db_job.c), and as rarely as images are
 * deleted, so the table stays small.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

/*
 * Takes up to $2 jobs: first the running ones whose claimer's backend is
 * gone, then those whose time has come, oldest first, each leased for $1
 * seconds to this backend.  An orphan on its $3rd attempt is marked
 * failed instead: a purge_command that kills its resizer every time is
 * not run for ever.  As db_jobs_claim(), whose reasons hold here too.
 */
static const struct db_stmt db_st_purge_claim = {
	"WITH orphan AS (SELECT image_id, attempts >= $3 AS spent "
	"FROM purge_jobs j WHERE state = 'running' AND run_after > now() "
	"AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a "
	"WHERE a.pid = j.claimed_by) LIMIT $2 FOR UPDATE SKIP LOCKED), "
	"spent AS (UPDATE purge_jobs SET state = 'failed', "
	"last_error = 'its resizer stopped during each attempt' "
	"WHERE image_id IN (SELECT image_id FROM orphan WHERE spent)), "
	"ready AS (SELECT image_id FROM purge_jobs "
	"WHERE state <> 'failed' AND run_after <= now() "
	"ORDER BY run_after LIMIT $2 FOR UPDATE SKIP LOCKED) "
	"UPDATE purge_jobs j SET state = 'running', "
	"attempts = j.attempts + 1, claimed_by = pg_backend_pid(), "
	"run_after = now() + make_interval(secs => $1) "
	"FROM (SELECT image_id FROM orphan WHERE NOT spent UNION ALL "
	"SELECT image_id FROM ready LIMIT $2) c "
	"WHERE j.image_id = c.image_id "
	"RETURNING j.image_id, j.attempts, j.type, j.base_url, "
	"coalesce(j.upload_type::text, ''), coalesce(j.variant_type, j.type)",
	3 };
static const struct db_stmt db_st_purge_done = {
	"DELETE FROM purge_jobs WHERE image_id = $1", 1 };
/* 2^attempts seconds, capped at an hour, times a jitter of 0.5 to 1. */
static const struct db_stmt db_st_purge_fail = {
	"UPDATE purge_jobs SET last_error = $2, "
	"state = CASE WHEN attempts >= $3 THEN 'failed'::job_state "
	"ELSE 'queued' END, "
	"run_after = now() + make_interval(secs => "
	"least(3600, 2 ^ attempts) * (0.5 + random() / 2)) "
	"WHERE image_id = $1", 3 };

/* Fills j from row i of a claim; -1 when out of memory or a bad row. */
static int
db_purge_row(PGresult *res, int i, struct db_purge *j)
{
	memset(j, 0, sizeof(*j));
	j->image_id = strtonum(PQgetvalue(res, i, 0), 0, INT64_MAX, NULL);
	j->attempts = strtonum(PQgetvalue(res, i, 1), 0, INT32_MAX, NULL);
	if (strlcpy(j->type, PQgetvalue(res, i, 2), sizeof(j->type)) >=
	    sizeof(j->type) || (j->base_url = strdup(PQgetvalue(res, i,
	    3))) == NULL) {
		log_errx("db: purge job %" PRId64 ": bad row or no memory",
		    j->image_id);
		return -1;
	}
	strlcpy(j->upload_type, PQgetvalue(res, i, 4),
	    sizeof(j->upload_type));
	strlcpy(j->variant_type, PQgetvalue(res, i, 5),
	    sizeof(j->variant_type));
	return 0;
}

enum db_status
db_purge_claim(struct db *db, int lease, int max_attempts, int n,
    struct db_purge *out, int *got)
{
	PGresult	*res;
	enum db_status	 rc;
	int		 i;

	*got = 0;
	rc = db_run_claim(db, &db_st_purge_claim, lease, n, max_attempts,
	    &res);
	if (rc != DB_OK)
		return rc;
	/*
	 * A row that cannot be taken stays leased: claimed again when the
	 * lease runs out, as if this resizer had died with it.
	 */
	for (i = 0; i < PQntuples(res) && *got < n; i++)
		if (db_purge_row(res, i, &out[*got]) == 0)
			(*got)++;
	PQclear(res);
	return DB_OK;
}

void
db_purge_clear(struct db_purge *j)
{
	if (j == NULL)
		return;
	free(j->base_url);
	j->base_url = NULL;
}

/* Runs a statement on the job's id and maybe more parameters. */
static enum db_status
db_purge_run(struct db *db, const struct db_stmt *st, int64_t image_id,
    const char *why, const char *max)
{
	char		 id[24];
	const char	*params[] = { id, why, max };
	PGresult	*res;
	enum db_status	 rc;

	snprintf(id, sizeof(id), "%" PRId64, image_id);
	if ((rc = db_run(db, st, params, NULL, NULL, &res)) != DB_OK)
		return rc;
	PQclear(res);
	return DB_OK;
}

enum db_status
db_purge_done(struct db *db, int64_t image_id)
{
	return db_purge_run(db, &db_st_purge_done, image_id, NULL, NULL);
}

enum db_status
db_purge_fail(struct db *db, int64_t image_id, const char *why,
    int max_attempts)
{
	char	 max[16];

	snprintf(max, sizeof(max), "%d", max_attempts);
	return db_purge_run(db, &db_st_purge_fail, image_id, why, max);
}
