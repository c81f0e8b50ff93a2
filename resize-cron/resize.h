/*
 * The resizer: what one process holds, and the work on one job.
 */
#ifndef RESIZE_H
#define RESIZE_H

#include "conf.h"
#include "db.h"

struct resize {
	struct conf	 conf;
	struct db	*db;
	struct store	*store;
	int		 lease;		/* seconds a claim holds a job */
	int		 max_attempts;	/* then the job is marked failed */
	const char	*metrics;	/* --metrics-file, or NULL */
};

/*
 * Makes and stores every variant of the job's image and records them.
 * On failure the job goes back to the queue with a backoff (or is marked
 * failed).  Returns DB_DOWN when the database went away, else DB_OK.
 */
enum db_status	resize_job(struct resize *, const struct db_job *);

#endif
