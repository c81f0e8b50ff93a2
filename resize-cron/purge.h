/*
 * Purge jobs: what the resizers do once an image's last claim ended
 * (sql/005_claims.sql): sweep its blobs again and run purge_command.
 */
#ifndef PURGE_H
#define PURGE_H

#include "resize.h"

/* Seconds purge_command may run before it is killed, with its children. */
#define PURGE_TIME_LIMIT	60
/*
 * Attempts before a job is marked failed: with the backoff of
 * db_purge_fail(), about four hours of a CDN's API being down.
 */
#define PURGE_MAX_ATTEMPTS	16

/*
 * Deletes every blob of the job's image (store_sweep()), then runs
 * purge_command, when set, with the image's deleted URLs, and deletes
 * the job when both succeeded; otherwise puts it back with a backoff,
 * logged.  Returns DB_DOWN when the database went away, else DB_OK.
 */
enum db_status	purge_job(struct resize *, const struct db_purge *);

/*
 * The argument vector purge_command runs with: the command split at
 * blanks (no quoting, no shell), then the URLs of the image id under
 * base: the page, the short original and the original (extension ext),
 * the file as sent (uext, when not NULL), and each size in vext and in
 * webp.  NULL-terminated; NULL when out of memory.  Free with
 * purge_argv_free().
 */
char		**purge_argv(const char *command, const char *base,
		    const char *id, const char *ext, const char *vext,
		    const char *uext);
void		  purge_argv_free(char **);

#endif
