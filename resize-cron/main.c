/*
 * imghost-resize: the resizer.  Claims resize jobs from PostgreSQL with
 * FOR UPDATE SKIP LOCKED, so any number of resizers on any number of
 * machines can run at once, and makes each image's variants.  It claims
 * the purge jobs of deleted images the same way (resize-cron/purge.c).
 *
 *	imghost-resize --once		work until the queue is empty (cron)
 *	imghost-resize --loop		keep working, woken by NOTIFY
 *	imghost-resize --check		check the configuration and schema
 *	imghost-resize --migrate [--sql-dir dir]	apply migrations
 *
 * --lease seconds sets how long a claim holds a job (default 120).
 * --workers n runs n copies of the queue in child processes, each with
 * its own connections (default: one for each online CPU), so that one
 * resizer uses the whole machine; ImageMagick itself runs on one thread.
 * --metrics-file path.prom writes the resizer's figures there for
 * node_exporter's textfile collector (resize-cron/textfile.c); worker n
 * of several writes path-n.prom.
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "img.h"
#include "log.h"
#include "purge.h"
#include "resize.h"
#include "store.h"
#include "textfile.h"

/* How long a claim holds a job: far more than the slowest image takes. */
#define RESIZE_LEASE		120
#define RESIZE_MAX_ATTEMPTS	5
/* The poll behind NOTIFY, in case a notification is lost. */
#define RESIZE_POLL_MS		5000
#define RESIZE_MAX_WORKERS	64
/* Purge jobs run before each resize job, at most. */
#define RESIZE_PURGE_ROUND	8

static volatile sig_atomic_t	 resize_quit;

static void
resize_on_signal(int sig)
{
	resize_quit = 1;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: imghost-resize [--lease seconds] "
	    "[--workers n] [--metrics-file path] --once | --loop | --check "
	    "| --migrate [--sql-dir dir]\n");
	exit(2);
}

/*
 * Runs up to RESIZE_PURGE_ROUND purge jobs, each claimed alone: its
 * purge_command may take PURGE_TIME_LIMIT seconds, and a job claimed in
 * a batch would wait that long under its lease.  How many ran, or -1 if
 * the database left.
 */
static int
resize_purge_round(struct resize *r)
{
	struct db_purge	 job;
	enum db_status	 rc;
	int		 i, got;
	/* The command's limit and then some for the sweep. */
	int		 lease = r->lease > 2 * PURGE_TIME_LIMIT ? r->lease :
			    2 * PURGE_TIME_LIMIT;

	for (i = 0; i < RESIZE_PURGE_ROUND && !resize_quit; i++) {
		if (db_purge_claim(r->db, lease, PURGE_MAX_ATTEMPTS, 1, &job,
		    &got) != DB_OK)
			return -1;
		if (got == 0)
			break;
		rc = purge_job(r, &job);
		db_purge_clear(&job);
		textfile_write(0);
		if (rc == DB_DOWN)
			return -1;
	}
	return i;
}

/*
 * Works through the jobs whose time has come, a round of purge jobs
 * before each resize job (there are few, and each is a deletion its
 * owner waits to see finished); -1 if the database left.
 */
static int
resize_drain(struct resize *r)
{
	struct db_job	 job;
	struct timespec	 t0;
	enum db_status	 rc;
	int		 got, purged;

	while (!resize_quit) {
		if ((purged = resize_purge_round(r)) == -1)
			return -1;
		if (db_jobs_claim(r->db, r->lease, r->max_attempts, 1, &job,
		    &got) != DB_OK)
			return -1;
		if (got == 0 && purged > 0)
			continue;
		if (got == 0) {
			textfile_write(1);
			return 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = resize_job(r, &job);
		textfile_job_time(&t0);
		textfile_write(0);
		if (rc == DB_DOWN)
			return -1;
		/*
		 * Free the notifications of the uploads made meanwhile: kept
		 * through a long backlog, each pinned the top of the heap
		 * above an image's freed buffers, and a worker grew by
		 * about 300 kB a job (888 MB in bench/soak's ten minutes).
		 */
		db_wait(r->db, 0);
	}
	return 0;
}

static int
resize_loop(struct resize *r)
{
	int	 backoff = 1;

	db_listen(r->db, "resize_jobs");
	log_info("listening for jobs");
	while (!resize_quit) {
		if (resize_drain(r) == -1) {
			/* The database is down: wait for it, a bit longer
			 * each time, up to half a minute. */
			textfile_write(0);
			sleep(backoff);
			backoff = backoff < 30 ? backoff * 2 : 30;
			continue;
		}
		backoff = 1;
		if (!resize_quit)
			db_wait(r->db, RESIZE_POLL_MS);
	}
	log_info("stopping on a signal");
	return 0;
}

static int
resize_migrate(struct db *db, const char *dir)
{
	int	 n;

	if ((n = db_migrate(db, dir)) == -1)
		return 1;
	printf("applied %d migration%s, schema version %d\n", n,
	    n == 1 ? "" : "s", db_schema_version(db));
	return 0;
}

static int
resize_check_schema(struct db *db)
{
	int	 v;

	if ((v = db_schema_version(db)) == -1)
		return 1;
	if (v < DB_SCHEMA_VERSION) {
		log_errx("schema version %d, need %d: run "
		    "imghost-resize --migrate", v, DB_SCHEMA_VERSION);
		return 1;
	}
	return 0;
}

static void
resize_signals(void)
{
	struct sigaction	 sa;

	/* No SA_RESTART: a signal must end the wait for a notification. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = resize_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

/* One worker: the job queue the way mode ('o'nce or 'l'oop) says. */
static int
resize_work(struct resize *r, int mode)
{
	int	 rc;

	img_init(&r->conf);
	if ((r->store = store_open(&r->conf)) == NULL)
		return 1;
	resize_signals();
	rc = mode == 'l' ? resize_loop(r) : (resize_drain(r) == -1);
	/* A run cut short by a signal or the database still counts. */
	textfile_write(0);
	store_free(r->store);
	img_done();
	return rc;
}

/* Worker n, a process with its own connection; it dies with its parent. */
static pid_t
resize_spawn(struct resize *r, int mode, int n)
{
	pid_t	 pid, parent = getpid();

	if ((pid = fork()) == -1) {
		log_warnx("fork: %s", strerror(errno));
		return -1;
	}
	if (pid != 0)
		return pid;
	/*
	 * A parent that died before prctl() sends no signal.  Its orphan
	 * goes to a subreaper (a container's init, systemd --user), not
	 * always to pid 1: compare with the parent's own pid instead.
	 */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent ||
	    (r->db = db_open(r->conf.database_url)) == NULL)
		_exit(1);
	textfile_init(r->metrics, n);
	_exit(resize_work(r, mode));
}

/*
 * Runs n workers and waits for them.  In a loop, a worker that dies
 * (ImageMagick on a hostile file, say) is replaced; a signal to this
 * process is passed on to them.  Returns 0 when every worker did.
 */
static int
resize_supervise(struct resize *r, int mode, int n)
{
	pid_t	 pid[RESIZE_MAX_WORKERS], p;
	int	 i, live = 0, rc = 0, status, quitting = 0;

	db_free(r->db);			/* not shared with the children */
	r->db = NULL;
	resize_signals();
	for (i = 0; i < n; i++)
		if ((pid[i] = resize_spawn(r, mode, i + 1)) != -1)
			live++;
	while (live > 0) {
		if (resize_quit && !quitting) {
			for (i = 0; i < n; i++)
				if (pid[i] != -1)
					kill(pid[i], SIGTERM);
			quitting = 1;
		}
		if ((p = wait(&status)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < n && pid[i] != p; i++)
			continue;
		if (i == n)
			continue;
		pid[i] = -1;
		live--;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		log_warnx("worker %d %s %d", (int)p, WIFSIGNALED(status) ?
		    "killed by signal" : "exited with status",
		    WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status));
		if (mode == 'l' && !resize_quit) {
			sleep(1);
			if ((pid[i] = resize_spawn(r, mode, i + 1)) != -1)
				live++;
		} else
			rc = 1;
	}
	return rc;
}

static int
resize_run(struct resize *r, int mode, int workers)
{
	if (resize_check_schema(r->db) != 0)
		return 1;
	if (workers == 1) {
		textfile_init(r->metrics, 0);
		return resize_work(r, mode);
	}
	return resize_supervise(r, mode, workers);
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "loop", no_argument, NULL, 'l' },
		{ "check", no_argument, NULL, 'c' },
		{ "migrate", no_argument, NULL, 'm' },
		{ "sql-dir", required_argument, NULL, 'd' },
		{ "lease", required_argument, NULL, 'L' },
		{ "workers", required_argument, NULL, 'w' },
		{ "metrics-file", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	struct resize	 r = { .lease = RESIZE_LEASE,
			    .max_attempts = RESIZE_MAX_ATTEMPTS };
	const char	*sqldir = SQLDIR, *errstr;
	char		 msg[512];
	int		 ch, mode = 0, rc, workers;

	log_init("imghost-resize");
	workers = sysconf(_SC_NPROCESSORS_ONLN);
	if (workers < 1 || workers > RESIZE_MAX_WORKERS)
		workers = workers < 1 ? 1 : RESIZE_MAX_WORKERS;
	while ((ch = getopt_long(argc, argv, "olcmd:L:w:M:", opts,
	    NULL)) != -1) {
		if (ch == 'd')
			sqldir = optarg;
		else if (ch == 'w') {
			workers = strtonum(optarg, 1, RESIZE_MAX_WORKERS,
			    &errstr);
			if (errstr != NULL)
				errx(2, "--workers %s: %s", optarg, errstr);
		} else if (ch == 'M')
			r.metrics = optarg;
		else if (ch == 'L') {
			r.lease = strtonum(optarg, 1, 86400, &errstr);
			if (errstr != NULL)
				errx(2, "--lease %s: %s", optarg, errstr);
		} else if (ch != '?' && mode == 0)
			mode = ch;
		else
			usage();
	}
	if (optind != argc || mode == 0)
		usage();
	if (conf_load(&r.conf, msg, sizeof(msg)) != CONF_OK)
		errx(1, "configuration: %s", msg);
	if ((r.db = db_open(r.conf.database_url)) == NULL)
		err(1, "db_open");
	if (db_conn(r.db) == NULL)
		errx(1, "cannot connect to the database");
	if (mode == 'm')
		rc = resize_migrate(r.db, sqldir);
	else if (mode == 'c')
		rc = resize_check_schema(r.db);
	else
		rc = resize_run(&r, mode, workers);
	if (r.db != NULL)
		db_free(r.db);
	conf_free(&r.conf);
	return rc;
}
