/*
 * One purge job: the image's rows are gone (claim_end()), and the
 * request that ended its last claim deleted its blobs, or tried to.
 * The job sweeps them again, which costs little when none is left, and
 * runs purge_command so that a CDN drops its copies.  Both are safe to
 * repeat, so a job cut short anywhere is simply done again.
 *
 * purge_command is a program and its arguments separated by blanks,
 * run without a shell (nothing in it is quoted, expanded or
 * interpreted): a URL the host made never reaches a shell's parser.
 * The URLs follow as more arguments.  Its output goes to the resizer's
 * standard error, the log; it is killed, with whatever it started,
 * after PURGE_TIME_LIMIT seconds; any exit status but 0 is a failure,
 * retried with a backoff.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "id.h"
#include "img_type.h"
#include "log.h"
#include "purge.h"
#include "size.h"
#include "store.h"
#include "textfile.h"

/* How often a running purge_command is looked at. */
#define PURGE_POLL_NS	50000000L

/* A growing argument vector, NULL-terminated whenever it is not empty. */
struct purge_args {
	char	**v;
	size_t	  n, max;
	int	  failed;	/* out of memory: the vector is incomplete */
};

/* Appends a formatted argument; on failure marks the vector failed. */
static void __attribute__((format(printf, 2, 3)))
purge_add(struct purge_args *a, const char *fmt, ...)
{
	va_list	  ap;
	char	**v, *s;
	size_t	  max;
	int	  len;

	if (a->failed)
		return;
	if (a->n + 2 > a->max) {
		max = a->max == 0 ? 32 : 2 * a->max;
		if ((v = reallocarray(a->v, max, sizeof(*v))) == NULL) {
			a->failed = 1;
			return;
		}
		a->v = v;
		a->max = max;
	}
	va_start(ap, fmt);
	len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len == -1) {
		a->failed = 1;
		return;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void
purge_argv_free(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* Appends the words of command, split at blanks. */
static void
purge_add_words(struct purge_args *a, const char *command)
{
	size_t	 len;

	for (;;) {
		command += strspn(command, " \t");
		if ((len = strcspn(command, " \t")) == 0)
			return;
		purge_add(a, "%.*s", (int)len, command);
		command += len;
	}
}

char **
purge_argv(const char *command, const char *base, const char *id,
    const char *ext, const char *vext, const char *uext)
{
	struct purge_args	 a = { NULL, 0, 0, 0 };
	const struct size	*sz;
	int			 b = strlen(base);

	/* public_url may end in '/': no URL gets "//". */
	while (b > 0 && base[b - 1] == '/')
		b--;
	purge_add_words(&a, command);
	if (a.n == 0)
		a.failed = 1;
	purge_add(&a, "%.*s/%s", b, base, id);
	purge_add(&a, "%.*s/i/%s.%s", b, base, id, ext);
	purge_add(&a, "%.*s/i/%s/original.%s", b, base, id, ext);
	if (uext != NULL)
		purge_add(&a, "%.*s/i/%s/upload.%s", b, base, id, uext);
	for (sz = size_list; sz->name != NULL; sz++) {
		purge_add(&a, "%.*s/i/%s/%s.%s", b, base, id, sz->name, vext);
		if (strcmp(vext, "webp") != 0)
			purge_add(&a, "%.*s/i/%s/%s.webp", b, base, id,
			    sz->name);
	}
	if (a.failed) {
		purge_argv_free(a.v);
		return NULL;
	}
	return a.v;
}

/*
 * The child: its own process group, so that the time limit kills what
 * it starts too; nothing on standard input, its output in the log, no
 * descriptor of the resizer's (database, store) but those.
 */
static void __attribute__((noreturn))
purge_exec(char **argv)
{
	int	 fd;

	setpgid(0, 0);
	if ((fd = open("/dev/null", O_RDONLY)) != -1 && fd != STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	dup2(STDERR_FILENO, STDOUT_FILENO);
	closefrom(STDERR_FILENO + 1);
	execvp(argv[0], argv);
	log_warnx("purge_command %s: %s", argv[0], strerror(errno));
	_exit(127);
}

/* Seconds since start on the monotonic clock. */
static double
purge_elapsed(const struct timespec *start)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) +
	    (now.tv_nsec - start->tv_nsec) / 1e9;
}

/*
 * Waits for pid, killing its process group after limit seconds.  The
 * status as waitpid() gives it, or -1 (why set) when it could not wait
 * or killed it.
 */
static int
purge_wait(pid_t pid, int limit, char *why, size_t whysz)
{
	struct timespec	 start, nap = { 0, PURGE_POLL_NS };
	int		 status;
	pid_t		 got;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((got = waitpid(pid, &status, WNOHANG)) != pid) {
		if (got == -1 && errno != EINTR) {
			snprintf(why, whysz, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (purge_elapsed(&start) >= limit) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
				continue;
			snprintf(why, whysz, "purge_command killed after %d s",
			    limit);
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	return status;
}

/*
 * Runs argv to its end or for limit seconds; 0 when it exited 0, else -1
 * with why set.
 */
static int
purge_run(char **argv, int limit, char *why, size_t whysz)
{
	pid_t	 pid;
	int	 status;

	if ((pid = fork()) == -1) {
		snprintf(why, whysz, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		purge_exec(argv);
	/* Also here: a kill(-pid) before the child ran must not miss. */
	setpgid(pid, pid);
	if ((status = purge_wait(pid, limit, why, whysz)) == -1)
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		snprintf(why, whysz, "purge_command killed by signal %d",
		    WTERMSIG(status));
	else
		snprintf(why, whysz, "purge_command exited with status %d",
		    WEXITSTATUS(status));
	return -1;
}

/* Runs purge_command with the image's URLs; 0, or -1 with why set. */
static int
purge_command(struct resize *r, const struct db_purge *job, const char *id,
    char *why, size_t whysz)
{
	const char	*ext = img_ext(img_type_of(job->type));
	const char	*vext = img_ext(img_type_of(job->variant_type));
	const char	*uext = img_ext(img_type_of(job->upload_type));
	char		**argv;
	int		  rc;

	if (ext == NULL || vext == NULL) {
		snprintf(why, whysz, "unknown type %s", job->type);
		return -1;
	}
	if ((argv = purge_argv(r->conf.purge_command, job->base_url, id,
	    ext, vext, uext)) == NULL) {
		snprintf(why, whysz, "purge_command: no words, or no memory");
		return -1;
	}
	rc = purge_run(argv, PURGE_TIME_LIMIT, why, whysz);
	purge_argv_free(argv);
	return rc;
}

static enum db_status
purge_fail(struct resize *r, const struct db_purge *job, const char *why)
{
	log_warnx("attempt %d: %s", job->attempts, why);
	textfile_count(TEXTFILE_PURGE_FAILED);
	return db_purge_fail(r->db, job->image_id, why, PURGE_MAX_ATTEMPTS) ==
	    DB_DOWN ? DB_DOWN : DB_OK;
}

enum db_status
purge_job(struct resize *r, const struct db_purge *job)
{
	enum db_status	 rc = DB_OK;
	char		 id[ID_LEN + 1], why[256];

	id_from_int(job->image_id, id);
	log_context("purge %s", id);
	if (store_sweep(r->store, r->conf.cache_dir, id) != STORE_OK)
		rc = purge_fail(r, job, "sweep: some blobs were not deleted");
	else if (r->conf.purge_command != NULL &&
	    purge_command(r, job, id, why, sizeof(why)) == -1)
		rc = purge_fail(r, job, why);
	else if ((rc = db_purge_done(r->db, job->image_id)) == DB_OK) {
		log_info("purged");
		textfile_count(TEXTFILE_PURGED);
	}
	log_context(NULL);
	return rc == DB_DOWN ? DB_DOWN : DB_OK;
}
