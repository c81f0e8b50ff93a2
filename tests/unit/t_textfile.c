/*
 * resize-cron/textfile.c: the file is written whole, with one label for
 * every series, and a later run carries the counters on from it.  The .c
 * file is included for its static state.
 */
#include <string.h>

#include "../../resize-cron/textfile.c"
#include "tap.h"

/* The value of one series in path, or -1. */
static double
series(const char *path, const char *key)
{
	FILE	*f = fopen(path, "r");
	char	 line[512], *sp;
	double	 v = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((sp = strrchr(line, ' ')) == NULL || line[0] == '#')
			continue;
		*sp = '\0';
		if (strcmp(line, key) == 0)
			v = strtod(sp + 1, NULL);
	}
	fclose(f);
	return v;
}

int
main(void)
{
	char		 dir[] = "/tmp/t_textfile.XXXXXX", path[4096];
	struct timespec	 t0;
	time_t		 start = time(NULL);

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/r1.prom", dir);
	ok(textfile_write(1) == 0, "without a path nothing is written");

	textfile_init(path, 0);
	ok(strcmp(tf.label, "resizer=\"r1\"") == 0, "labelled by file name");
	textfile_count(TEXTFILE_DONE);
	textfile_count(TEXTFILE_DONE);
	textfile_count(TEXTFILE_FAILED);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	textfile_job_time(&t0);
	t0.tv_sec -= 3;
	textfile_job_time(&t0);
	ok(textfile_write(1) == 0, "written");
	ok(series(path, "imghost_resize_jobs_done_total{resizer=\"r1\"}") == 2,
	    "jobs done");
	ok(series(path, "imghost_resize_jobs_failed_total{resizer=\"r1\"}") ==
	    1, "failed attempts");
	ok(series(path, "imghost_resize_duration_seconds_bucket"
	    "{resizer=\"r1\",le=\"0.1\"}") == 1, "a quick job in le=0.1");
	ok(series(path, "imghost_resize_duration_seconds_bucket"
	    "{resizer=\"r1\",le=\"2.5\"}") == 1, "a 3 s job not in le=2.5");
	ok(series(path, "imghost_resize_duration_seconds_bucket"
	    "{resizer=\"r1\",le=\"5\"}") == 2, "but in le=5");
	ok(series(path, "imghost_resize_duration_seconds_count"
	    "{resizer=\"r1\"}") == 2, "count");
	ok(series(path, "imghost_resize_last_run_timestamp_seconds"
	    "{resizer=\"r1\"}") >= start, "last run stamped");

	/* A new run: the module's state as a fresh process has it. */
	free(tf.path);
	memset(&tf, 0, sizeof(tf));
	textfile_init(path, 0);
	textfile_count(TEXTFILE_DONE);
	ok(textfile_write(1) == 0, "a second run writes");
	ok(series(path, "imghost_resize_jobs_done_total{resizer=\"r1\"}") == 3,
	    "and carries the count on");
	ok(series(path, "imghost_resize_duration_seconds_count"
	    "{resizer=\"r1\"}") == 2, "and the histogram");

	/* Worker 2 of a resizer with --workers: a file of its own. */
	free(tf.path);
	memset(&tf, 0, sizeof(tf));
	textfile_init(path, 2);
	ok(strcmp(tf.label, "resizer=\"r1-2\"") == 0, "a worker's label");
	textfile_count(TEXTFILE_DONE);
	ok(textfile_write(1) == 0, "a worker writes");
	snprintf(path, sizeof(path), "%s/r1-2.prom", dir);
	ok(series(path, "imghost_resize_jobs_done_total{resizer=\"r1-2\"}") ==
	    1, "to path-2.prom, counting alone");
	unlink(path);

	snprintf(path, sizeof(path), "%s/no/such/dir/r.prom", dir);
	free(tf.path);
	memset(&tf, 0, sizeof(tf));
	textfile_init(path, 0);
	ok(textfile_write(1) == -1, "an unwritable path fails, logged");
	snprintf(path, sizeof(path), "%s/r1.prom", dir);
	unlink(path);
	ok(rmdir(dir) == 0, "no temporary file left behind");
	return tap_done();
}
