/*
 * The resizer's own figures, as a file for node_exporter's textfile
 * collector (--metrics-file).  One file per resizer process: its series
 * carry a label named after the file, so several resizers on one machine
 * never give node_exporter the same series twice.
 */
#ifndef TEXTFILE_H
#define TEXTFILE_H

#include <time.h>

enum textfile_counter {
	TEXTFILE_DONE,		/* jobs whose variants were all recorded */
	TEXTFILE_FAILED,	/* attempts that failed (retried or not) */
	TEXTFILE_PURGED,	/* purge jobs done: swept, purge_command run */
	TEXTFILE_PURGE_FAILED,	/* purge attempts that failed */
	TEXTFILE_NCOUNTERS
};

/*
 * Writes to path from now on (NULL: nothing is written), or for worker
 * n > 0 of several to path-n.prom (".prom" taken off path first), carrying on
 * from the counters a previous run left there, so a --once run from
 * cron or a timer keeps counters that only ever grow.
 */
void	textfile_init(const char *path, int worker);

/* Adds one to a counter. */
void	textfile_count(enum textfile_counter);

/* Counts one job that started at start (monotonic clock) in the histogram. */
void	textfile_job_time(const struct timespec *start);

/*
 * Writes the file atomically (a temporary file, then rename), at most
 * once a second unless end_of_run, which also stamps the last run time.
 * Returns 0, or -1 (logged) when it could not.
 */
int	textfile_write(int end_of_run);

#endif
