/*
 * The resizer's figures in the Prometheus text format, for node_exporter's
 * textfile collector.  Every series is one row of a table of names and
 * values, so writing the file and reading it back at the next start use
 * the same names.
 */
#include <errno.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "store.h"
#include "textfile.h"

#define TEXTFILE_NBUCKETS	9

static const double textfile_le[TEXTFILE_NBUCKETS] = {
	0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
};

static struct {
	char		*path;
	char		 label[96];	/* resizer="file name without .prom" */
	double		 counter[TEXTFILE_NCOUNTERS];
	double		 bucket[TEXTFILE_NBUCKETS + 1];	/* cumulative */
	double		 sum;
	double		 last_run, last_job;	/* Unix time */
	/* Errors carried from earlier runs; this process's are added. */
	double		 store_errors, db_errors;
	time_t		 written;
} tf;

/* One series: its name and labels after the common label, its value. */
struct textfile_series {
	char	 key[256];
	double	*value;
};

static int
textfile_series(struct textfile_series *s, int max)
{
	static const char *const names[TEXTFILE_NCOUNTERS] = {
		"imghost_resize_jobs_done_total",
		"imghost_resize_jobs_failed_total",
		"imghost_resize_purge_jobs_done_total",
		"imghost_resize_purge_jobs_failed_total",
	};
	int	 n = 0, i;

#define SERIES(v, ...) do { \
	if (n < max) { \
		snprintf(s[n].key, sizeof(s[n].key), __VA_ARGS__); \
		s[n++].value = (v); \
	} \
} while (0)
	for (i = 0; i < TEXTFILE_NCOUNTERS; i++)
		SERIES(&tf.counter[i], "%s{%s}", names[i], tf.label);
	for (i = 0; i < TEXTFILE_NBUCKETS; i++)
		SERIES(&tf.bucket[i], "imghost_resize_duration_seconds_bucket"
		    "{%s,le=\"%g\"}", tf.label, textfile_le[i]);
	SERIES(&tf.bucket[i], "imghost_resize_duration_seconds_bucket"
	    "{%s,le=\"+Inf\"}", tf.label);
	SERIES(&tf.sum, "imghost_resize_duration_seconds_sum{%s}", tf.label);
	SERIES(&tf.bucket[i], "imghost_resize_duration_seconds_count{%s}",
	    tf.label);
	SERIES(&tf.store_errors, "imghost_resize_store_errors_total{%s}",
	    tf.label);
	SERIES(&tf.db_errors, "imghost_resize_db_errors_total{%s}", tf.label);
	SERIES(&tf.last_job, "imghost_resize_last_job_timestamp_seconds{%s}",
	    tf.label);
	SERIES(&tf.last_run, "imghost_resize_last_run_timestamp_seconds{%s}",
	    tf.label);
#undef SERIES
	return n;
}

#define TEXTFILE_MAX_SERIES	32

/* Takes the values of a file this resizer wrote before; any error: zeros. */
static void
textfile_load(void)
{
	struct textfile_series	 s[TEXTFILE_MAX_SERIES];
	FILE			*f;
	char			*line = NULL, *sp;
	size_t			 cap = 0;
	int			 n, i;

	if ((f = fopen(tf.path, "r")) == NULL)
		return;
	n = textfile_series(s, TEXTFILE_MAX_SERIES);
	while (getline(&line, &cap, f) != -1) {
		if (line[0] == '#' || (sp = strrchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		for (i = 0; i < n; i++)
			if (strcmp(s[i].key, line) == 0)
				*s[i].value = strtod(sp, NULL);
	}
	free(line);
	fclose(f);
}

void
textfile_init(const char *path, int worker)
{
	char	 copy[4096], *base;
	size_t	 len;

	if (path == NULL || strlcpy(copy, path, sizeof(copy)) >= sizeof(copy))
		return;
	len = strlen(copy);
	if (len > 5 && strcmp(copy + len - 5, ".prom") == 0)
		copy[len - 5] = '\0';
	if (worker > 0 && asprintf(&tf.path, "%s-%d.prom", copy, worker) == -1)
		tf.path = NULL;
	else if (worker == 0)
		tf.path = strdup(path);
	if (tf.path == NULL)
		return;
	base = basename(copy);
	/* A label value needs no escaping: file names with '"' or '\' lose. */
	base[strcspn(base, "\"\\\n")] = '\0';
	/* Cut, not refused: the label only has to tell files apart. */
	if (strlen(base) > sizeof(tf.label) - 32)
		base[sizeof(tf.label) - 32] = '\0';
	if (worker > 0)
		snprintf(tf.label, sizeof(tf.label), "resizer=\"%s-%d\"", base,
		    worker);
	else
		snprintf(tf.label, sizeof(tf.label), "resizer=\"%s\"", base);
	textfile_load();
}

void
textfile_count(enum textfile_counter c)
{
	if (c < TEXTFILE_NCOUNTERS)
		tf.counter[c]++;
}

void
textfile_job_time(const struct timespec *t0)
{
	struct timespec	 t1;
	double		 s;
	int		 i;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (t1.tv_sec - t0->tv_sec) + (t1.tv_nsec - t0->tv_nsec) / 1e9;
	for (i = 0; i < TEXTFILE_NBUCKETS; i++)
		if (s <= textfile_le[i])
			tf.bucket[i]++;
	tf.bucket[i]++;
	tf.sum += s;
	tf.last_job = time(NULL);
}

/* Writes every series with its HELP and TYPE lines into f. */
static void
textfile_print(FILE *f, const struct textfile_series *s, int n)
{
	static const struct {
		const char	*name, *type, *help;
	} fam[] = {
		{ "imghost_resize_jobs_done_total", "counter",
		  "Resize jobs whose variants were made and recorded." },
		{ "imghost_resize_jobs_failed_total", "counter",
		  "Resize attempts that failed (retried or given up)." },
		{ "imghost_resize_purge_jobs_done_total", "counter",
		  "Purge jobs done: a deleted image's blobs swept and "
		  "purge_command run." },
		{ "imghost_resize_purge_jobs_failed_total", "counter",
		  "Purge attempts that failed (retried or given up)." },
		{ "imghost_resize_duration_seconds", "histogram",
		  "Time to make and store one image's variants." },
		{ "imghost_resize_store_errors_total", "counter",
		  "Store operations of the resizer that failed." },
		{ "imghost_resize_db_errors_total", "counter",
		  "Database statements of the resizer that failed." },
		{ "imghost_resize_last_job_timestamp_seconds", "gauge",
		  "When the resizer last finished a job." },
		{ "imghost_resize_last_run_timestamp_seconds", "gauge",
		  "When the resizer last found the queue empty." },
	};
	size_t	 j;
	int	 i;

	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof(fam) / sizeof(fam[0]); j++)
			if (strncmp(s[i].key, fam[j].name,
			    strlen(fam[j].name)) == 0 &&
			    (i == 0 || strncmp(s[i - 1].key, fam[j].name,
			    strlen(fam[j].name)) != 0))
				fprintf(f, "# HELP %s %s\n# TYPE %s %s\n",
				    fam[j].name, fam[j].help, fam[j].name,
				    fam[j].type);
		fprintf(f, "%s %.17g\n", s[i].key, *s[i].value);
	}
}

int
textfile_write(int end_of_run)
{
	static double		 store_base = -1, db_base;
	struct textfile_series	 s[TEXTFILE_MAX_SERIES];
	char			 tmp[4096];
	FILE			*f;
	time_t			 now = time(NULL);
	int			 n, fd;

	if (tf.path == NULL || (!end_of_run && now == tf.written))
		return 0;
	/* Errors of earlier runs, as loaded, plus this process's. */
	if (store_base < 0) {
		store_base = tf.store_errors;
		db_base = tf.db_errors;
	}
	tf.store_errors = store_base + store_error_count();
	tf.db_errors = db_base + db_error_count();
	if (end_of_run)
		tf.last_run = now;
	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", tf.path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -1;
	if ((fd = mkstemp(tmp)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		log_warnx("metrics file %s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	/* node_exporter reads files mode 0644 as the prometheus user. */
	fchmod(fd, 0644);
	n = textfile_series(s, TEXTFILE_MAX_SERIES);
	textfile_print(f, s, n);
	if (fclose(f) != 0 || rename(tmp, tf.path) == -1) {
		log_warnx("metrics file %s: %s", tf.path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	tf.written = now;
	return 0;
}
