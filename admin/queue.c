/*
 * imghost-admin requeue and rebuild: work for the resizers.
 *
 * rebuild queues a job for every image, in batches in id order.  Each
 * batch is one statement that queues the jobs and records how far it
 * got in admin_progress, so a rebuild that is killed resumes after the
 * last batch it finished, and one batch is never queued twice.  It
 * waits while the resizers have --max-queued jobs (100000) to do.
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "id.h"

#define ADMIN_BATCH		1000
#define ADMIN_BAR_WIDTH		40
/* A rebuild waits while the resizers have this many jobs to do. */
#define ADMIN_MAX_QUEUED	100000

/* Failed resize jobs and failed purge jobs (of deleted images) alike. */
static const struct db_stmt admin_st_requeue = {
	"WITH r AS (UPDATE resize_jobs SET state = 'queued', attempts = 0, "
	"run_after = now(), last_error = NULL "
	"WHERE state = 'failed' AND ($1::bigint IS NULL OR image_id = $1) "
	"RETURNING 1), "
	"p AS (UPDATE purge_jobs SET state = 'queued', attempts = 0, "
	"run_after = now(), last_error = NULL "
	"WHERE state = 'failed' AND ($1::bigint IS NULL OR image_id = $1) "
	"RETURNING 1) "
	"SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM p)", 1 };
/* An UPDATE fires no INSERT trigger: wake the resizers that LISTEN. */
static const struct db_stmt admin_st_notify = {
	"SELECT pg_notify('resize_jobs', '')", 0 };
static const struct db_stmt admin_st_progress = {
	"SELECT last_id, done, finished_at IS NOT NULL "
	"FROM admin_progress WHERE task = 'rebuild'", 0 };
static const struct db_stmt admin_st_restart = {
	"INSERT INTO admin_progress (task) VALUES ('rebuild') "
	"ON CONFLICT (task) DO UPDATE SET last_id = -1, done = 0, "
	"started_at = now(), updated_at = now(), finished_at = NULL", 0 };
/*
 * One batch.  A job that is queued or running already will make the
 * current sizes anyway; a failed one gets a fresh start.  The progress
 * row moves only from the last_id this run read, so two rebuilds at
 * once cannot both queue the same batch: the second one finds no row.
 */
static const struct db_stmt admin_st_batch = {
	"WITH b AS (SELECT id FROM images WHERE id > $1 ORDER BY id "
	"LIMIT $2), "
	"q AS (INSERT INTO resize_jobs (image_id) SELECT id FROM b "
	"ON CONFLICT (image_id) DO UPDATE SET state = 'queued', "
	"attempts = 0, run_after = now(), last_error = NULL "
	"WHERE resize_jobs.state = 'failed'), "
	"p AS (UPDATE admin_progress SET "
	"last_id = coalesce((SELECT max(id) FROM b), last_id), "
	"done = done + (SELECT count(*) FROM b), updated_at = now(), "
	"finished_at = CASE WHEN (SELECT count(*) FROM b) < $2 "
	"THEN now() END "
	"WHERE task = 'rebuild' AND last_id = $1 RETURNING done) "
	"SELECT (SELECT count(*) FROM b), (SELECT max(id) FROM b), "
	"(SELECT done FROM p)", 2 };

/* Jobs waiting or running, counted up to $1 at most: cheap at any size. */
static const struct db_stmt admin_st_backlog = {
	"SELECT count(*) FROM (SELECT 1 FROM resize_jobs "
	"WHERE state <> 'failed' LIMIT $1) q", 1 };

int
admin_requeue(struct admin *a, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*id = NULL, *params[1] = { NULL };
	char		 v[24];
	PGresult	*res;
	long long	 n, purge;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "i:", opts, NULL)) != -1) {
		if (ch != 'i')
			admin_usage();
		id = optarg;
	}
	if (optind != argc)
		admin_usage();
	if (id != NULL) {
		if (strlen(id) != ID_LEN || !id_valid(id, ID_LEN))
			errx(1, "%s: not an image id", id);
		snprintf(v, sizeof(v), "%" PRId64, id_to_int(id));
		params[0] = v;
	}
	if ((res = admin_run(a, &admin_st_requeue, params)) == NULL)
		return 1;
	n = admin_num(res, 0, 0);
	purge = admin_num(res, 0, 1);
	PQclear(res);
	if (n + purge > 0 &&
	    (res = admin_run(a, &admin_st_notify, NULL)) != NULL)
		PQclear(res);
	printf("requeued %lld failed job%s", n, n == 1 ? "" : "s");
	if (purge > 0)
		printf(" and %lld failed purge job%s", purge,
		    purge == 1 ? "" : "s");
	printf("\n");
	if (id != NULL && n + purge == 0) {
		warnx("%s has no failed job", id);
		return 1;
	}
	return 0;
}

struct admin_rebuild {
	long long	 last_id;	/* -1: from the start */
	long long	 done;		/* images queued so far */
	long long	 total;		/* images, perhaps estimated */
	long long	 max_queued;	/* wait above this backlog; 0: never */
	int		 tty;		/* stderr is a terminal: a bar */
};

/* Reads the progress row, starting a new rebuild unless one is under way. */
static int
admin_rebuild_start(struct admin *a, struct admin_rebuild *rb, int restart)
{
	PGresult	*res;
	int		 finished = 1;

	if ((res = admin_run(a, &admin_st_progress, NULL)) == NULL)
		return -1;
	if (PQntuples(res) == 1) {
		rb->last_id = admin_num(res, 0, 0);
		rb->done = admin_num(res, 0, 1);
		finished = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	}
	PQclear(res);
	if (!finished && !restart) {
		fprintf(stderr, "rebuild: resuming after %lld images\n",
		    rb->done);
		return 0;
	}
	if ((res = admin_run(a, &admin_st_restart, NULL)) == NULL)
		return -1;
	PQclear(res);
	rb->last_id = -1;
	rb->done = 0;
	return 0;
}

static void
admin_rebuild_show(const struct admin_rebuild *rb)
{
	long long	 total = rb->total > rb->done ? rb->total : rb->done;
	int		 pct = total > 0 ? (int)(rb->done * 100 / total) : 100;
	int		 fill = pct * ADMIN_BAR_WIDTH / 100;
	char		 bar[ADMIN_BAR_WIDTH + 1];

	if (!rb->tty) {
		fprintf(stderr, "rebuild: %lld of %lld images queued\n",
		    rb->done, total);
		return;
	}
	memset(bar, '#', fill);
	memset(bar + fill, '.', ADMIN_BAR_WIDTH - fill);
	bar[ADMIN_BAR_WIDTH] = '\0';
	fprintf(stderr, "\rrebuild [%s] %3d%% %lld/%lld", bar, pct, rb->done,
	    total);
}

/*
 * Waits until the backlog is under max_queued, so that a rebuild of
 * billions of images feeds the resizers instead of flooding the queue.
 */
static int
admin_rebuild_throttle(struct admin *a, const struct admin_rebuild *rb)
{
	char		 max[24];
	const char	*params[] = { max };
	PGresult	*res;
	long long	 n;

	if (rb->max_queued == 0)
		return 0;
	snprintf(max, sizeof(max), "%lld", rb->max_queued);
	for (;;) {
		if ((res = admin_run(a, &admin_st_backlog, params)) == NULL)
			return -1;
		n = admin_num(res, 0, 0);
		PQclear(res);
		if (n < rb->max_queued)
			return 0;
		sleep(1);
	}
}

/* Queues one batch; the images it queued, 0 at the end, -1 on error. */
static long long
admin_rebuild_batch(struct admin *a, struct admin_rebuild *rb, int batch)
{
	char		 last[24], n[16];
	const char	*params[] = { last, n };
	PGresult	*res;
	long long	 got;

	snprintf(last, sizeof(last), "%lld", rb->last_id);
	snprintf(n, sizeof(n), "%d", batch);
	if ((res = admin_run(a, &admin_st_batch, params)) == NULL)
		return -1;
	if (PQgetisnull(res, 0, 2)) {
		PQclear(res);
		warnx("rebuild: another rebuild moved the progress on; "
		    "stopping");
		return -1;
	}
	if ((got = admin_num(res, 0, 0)) > 0)
		rb->last_id = admin_num(res, 0, 1);
	rb->done = admin_num(res, 0, 2);
	PQclear(res);
	return got;
}

int
admin_rebuild(struct admin *a, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "batch", required_argument, NULL, 'b' },
		{ "max-batches", required_argument, NULL, 'm' },
		{ "restart", no_argument, NULL, 'r' },
		{ "max-queued", required_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct admin_rebuild	 rb = { .last_id = -1,
				    .max_queued = ADMIN_MAX_QUEUED };
	long long		 got, max = -1;
	int			 ch, batch = ADMIN_BATCH, restart = 0, est;

	while ((ch = getopt_long(argc, argv, "b:m:rq:", opts, NULL)) != -1) {
		if (ch == 'q')
			rb.max_queued = admin_arg_num("--max-queued", optarg,
			    0, INT64_MAX);
		else if (ch == 'b')
			batch = admin_arg_num("--batch", optarg, 1, 1000000);
		else if (ch == 'm')
			max = admin_arg_num("--max-batches", optarg, 1,
			    INT64_MAX);
		else if (ch == 'r')
			restart = 1;
		else
			admin_usage();
	}
	if (optind != argc)
		admin_usage();
	rb.tty = isatty(STDERR_FILENO);
	if ((rb.total = admin_count(a, "images", 0, &est)) == -1 ||
	    admin_rebuild_start(a, &rb, restart) == -1)
		return 1;
	do {
		if (admin_rebuild_throttle(a, &rb) == -1 ||
		    (got = admin_rebuild_batch(a, &rb, batch)) == -1)
			return 1;
		admin_rebuild_show(&rb);
		if (max > 0)
			max--;
	} while (got == batch && max != 0);
	if (rb.tty)
		fputc('\n', stderr);
	if (got == batch) {
		printf("rebuild: stopped after %lld images; run it again to "
		    "go on\n", rb.done);
		return 0;
	}
	printf("rebuild: done, %lld images queued\n", rb.done);
	return 0;
}
