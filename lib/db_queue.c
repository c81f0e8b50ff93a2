/*
 * The resize queue as gauges.  Finished jobs are deleted, so the table
 * holds the backlog alone and counting it stays cheap while the
 * resizers keep up; when they do not, this is what the alert is for.
 */
#include <stdlib.h>

#include "db_queue.h"

static const struct db_stmt db_st_queue = {
	"SELECT count(*) FILTER (WHERE state = 'queued'), "
	"count(*) FILTER (WHERE state = 'running'), "
	"count(*) FILTER (WHERE state = 'failed'), "
	"coalesce(extract(epoch FROM now() - "
	"min(created_at) FILTER (WHERE state <> 'failed')), 0), "
	"(SELECT count(*) FROM purge_jobs WHERE state <> 'failed'), "
	"(SELECT count(*) FROM purge_jobs "
	"WHERE state <> 'failed' AND attempts > 0), "
	"(SELECT count(*) FROM purge_jobs WHERE state = 'failed') "
	"FROM resize_jobs", 0 };

enum db_status
db_queue_stats(struct db *db, struct db_queue_stats *out)
{
	PGresult	*res;
	enum db_status	 rc;

	if ((rc = db_run(db, &db_st_queue, NULL, NULL, NULL, &res)) != DB_OK)
		return rc;
	out->queued = strtonum(PQgetvalue(res, 0, 0), 0, INT64_MAX, NULL);
	out->running = strtonum(PQgetvalue(res, 0, 1), 0, INT64_MAX, NULL);
	out->failed = strtonum(PQgetvalue(res, 0, 2), 0, INT64_MAX, NULL);
	out->oldest_age = strtod(PQgetvalue(res, 0, 3), NULL);
	out->purge_pending = strtonum(PQgetvalue(res, 0, 4), 0, INT64_MAX, NULL);
	out->purge_retrying = strtonum(PQgetvalue(res, 0, 5), 0, INT64_MAX,
	    NULL);
	out->purge_failed = strtonum(PQgetvalue(res, 0, 6), 0, INT64_MAX, NULL);
	PQclear(res);
	return DB_OK;
}
