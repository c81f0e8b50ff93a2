/*
 * GET /metrics in the Prometheus text format (version 0.0.4).
 *
 * lighttpd starts every FastCGI process with fork and exec, each on its
 * own socket, so there is no parent to share anonymous memory from.  The
 * counters live instead in one small file beside the sockets, mapped
 * MAP_SHARED by each process, bumped with atomic adds and read the same
 * way; a scrape that reaches any process sees the sum of all of them.
 * The file outlives a process that lighttpd restarts, so counters do not
 * jump back when one process dies; they start again from zero only when
 * the file is new (a reboot empties /run), which Prometheus's rate()
 * takes as a counter reset.
 */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "db.h"
#include "db_queue.h"
#include "id.h"
#include "log.h"
#include "metrics.h"
#include "store.h"

#define METRICS_FILE	"imghost-fcgi.metrics"
/* "imghmet" and a layout number: bump it when struct metrics_shm changes. */
#define METRICS_MAGIC	0x696d67686d657401ULL
#define METRICS_NBUCKETS	11

/* Upper bounds of the latency buckets, in microseconds and as printed. */
static const uint64_t metrics_le_us[METRICS_NBUCKETS] = {
	5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000,
};
static const char *const metrics_le[METRICS_NBUCKETS] = {
	"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
	"1", "2.5", "5", "10",
};

static const char *const metrics_route_names[METRICS_NROUTES] = {
	"upload", "image", "api", "page", "health", "metrics", "other",
};

struct metrics_route_counts {
	uint64_t	 code[5];	/* by status class: 1xx to 5xx */
	/* Per bucket, not cumulative; the last one is over every bound. */
	uint64_t	 bucket[METRICS_NBUCKETS + 1];
	uint64_t	 sum_us;
};

/* The shared file's layout.  Only uint64_t, so every add is atomic. */
struct metrics_shm {
	uint64_t			 magic;
	uint64_t			 size;
	struct metrics_route_counts	 route[METRICS_NROUTES];
	uint64_t			 counter[METRICS_NCOUNTERS];
};

static struct metrics_shm	*metrics;
/* What the store and the database had counted at the last sync. */
static unsigned long long	 metrics_store_seen, metrics_db_seen;

static void
metrics_inc(uint64_t *p, uint64_t n)
{
	__atomic_add_fetch(p, n, __ATOMIC_RELAXED);
}

static uint64_t
metrics_get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/*
 * Opens path locked, sized and initialised.  A file of another layout
 * (an older build) is unlinked, not truncated, so processes that still
 * map it keep their pages.  Returns the fd or -1.
 */
static int
metrics_open_file(const char *path)
{
	struct stat	 sb, now;
	struct metrics_shm hdr;
	int		 fd, tries;

	for (tries = 0; tries < 3; tries++) {
		if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
			return -1;
		if (flock(fd, LOCK_EX) == -1 || fstat(fd, &sb) == -1)
			goto fail;
		/* Another process replaced the file while this one waited. */
		if (stat(path, &now) == -1 || now.st_ino != sb.st_ino) {
			close(fd);
			continue;
		}
		if (sb.st_size == 0) {
			memset(&hdr, 0, sizeof(hdr));
			hdr.magic = METRICS_MAGIC;
			hdr.size = sizeof(hdr);
			if (pwrite(fd, &hdr, sizeof(hdr), 0) != sizeof(hdr))
				goto fail;
		} else if (sb.st_size != sizeof(hdr) ||
		    pread(fd, &hdr, sizeof(hdr), 0) != sizeof(hdr) ||
		    hdr.magic != METRICS_MAGIC || hdr.size != sizeof(hdr)) {
			unlink(path);
			close(fd);
			continue;
		}
		flock(fd, LOCK_UN);
		return fd;
	}
	errno = EAGAIN;
	return -1;
fail:
	close(fd);
	return -1;
}

/* Maps the file in dir; -1 (logged) when it cannot. */
static int
metrics_map_file(const char *dir)
{
	char	 path[4096];
	void	*p;
	int	 fd, n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, METRICS_FILE);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	if ((fd = metrics_open_file(path)) == -1) {
		log_warnx("metrics: %s: %s", path, strerror(errno));
		return -1;
	}
	p = mmap(NULL, sizeof(*metrics), PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		log_warnx("metrics: mmap %s: %s", path, strerror(errno));
		return -1;
	}
	metrics = p;
	return 0;
}

void
metrics_init(void)
{
	char		 dir[4096];
	const char	*rt = getenv("RUNTIME_DIRECTORY");
	void		*p;

	if (http_socket_dir(dir, sizeof(dir)) == 0 &&
	    metrics_map_file(dir) == 0)
		return;
	if (rt != NULL && *rt != '\0' && strchr(rt, ':') == NULL &&
	    metrics_map_file(rt) == 0)
		return;
	log_warnx("metrics: no shared file: /metrics counts this process "
	    "alone");
	p = mmap(NULL, sizeof(*metrics), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		metrics = p;
}

enum metrics_route
metrics_route_of(const char *method, const char *path)
{
	if (strncmp(path, "/i/", 3) == 0)
		return METRICS_IMAGE;
	if (strcmp(path, "/api/v1/images") == 0 ||
	    (strcmp(path, "/") == 0 && strcmp(method, "POST") == 0))
		return METRICS_UPLOAD;
	if (strncmp(path, "/api/v1/images/", 15) == 0)
		return METRICS_API;
	if (strcmp(path, "/healthz") == 0)
		return METRICS_HEALTH;
	if (strcmp(path, "/metrics") == 0)
		return METRICS_METRICS;
	if (strcmp(path, "/") == 0 || strcmp(path, "/sharex.sxcu") == 0 ||
	    strcmp(path, "/oembed") == 0 ||
	    (path[0] == '/' && strlen(path + 1) == ID_LEN &&
	    id_valid(path + 1, ID_LEN)))
		return METRICS_PAGE;
	return METRICS_OTHER;
}

void
metrics_request(enum metrics_route r, int status, uint64_t usec)
{
	struct metrics_route_counts	*rc;
	int				 b;

	if (metrics == NULL || r >= METRICS_NROUTES)
		return;
	rc = &metrics->route[r];
	/* No answer at all (the client went away) counts as a 5xx. */
	if (status < 100 || status > 599)
		status = 500;
	metrics_inc(&rc->code[status / 100 - 1], 1);
	for (b = 0; b < METRICS_NBUCKETS && usec > metrics_le_us[b]; b++)
		continue;
	metrics_inc(&rc->bucket[b], 1);
	metrics_inc(&rc->sum_us, usec);
}

void
metrics_request_end(enum metrics_route route, int status,
    const struct timespec *t0)
{
	struct timespec	 t1;
	uint64_t	 us;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (uint64_t)(t1.tv_sec - t0->tv_sec) * 1000000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000;
	metrics_request(route, status, us);
	metrics_sync();
}

void
metrics_add(enum metrics_counter c, uint64_t n)
{
	if (metrics != NULL && c < METRICS_NCOUNTERS)
		metrics_inc(&metrics->counter[c], n);
}

void
metrics_sync(void)
{
	unsigned long long	 s = store_error_count(), d = db_error_count();

	metrics_add(METRICS_STORE_ERRORS, s - metrics_store_seen);
	metrics_add(METRICS_DB_ERRORS, d - metrics_db_seen);
	metrics_store_seen = s;
	metrics_db_seen = d;
}

/* Writes the HELP and TYPE lines of one metric family. */
static void
metrics_family(struct http_req *req, const char *name, const char *type,
    const char *help)
{
	http_printf(req, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

static void
metrics_requests(struct http_req *req)
{
	int	 r, c;

	metrics_family(req, "imghost_http_requests_total", "counter",
	    "Requests the application answered, by route and status class.");
	for (r = 0; r < METRICS_NROUTES; r++)
		for (c = 0; c < 5; c++)
			http_printf(req, "imghost_http_requests_total"
			    "{route=\"%s\",code=\"%dxx\"} %llu\n",
			    metrics_route_names[r], c + 1, (unsigned long long)
			    metrics_get(&metrics->route[r].code[c]));
}

static void
metrics_histogram(struct http_req *req, int r)
{
	const struct metrics_route_counts *rc = &metrics->route[r];
	const char	*name = "imghost_http_request_duration_seconds";
	const char	*route = metrics_route_names[r];
	uint64_t	 cum = 0, sum = metrics_get(&rc->sum_us);
	int		 b;

	for (b = 0; b < METRICS_NBUCKETS; b++) {
		cum += metrics_get(&rc->bucket[b]);
		http_printf(req, "%s_bucket{route=\"%s\",le=\"%s\"} %llu\n",
		    name, route, metrics_le[b], (unsigned long long)cum);
	}
	cum += metrics_get(&rc->bucket[b]);
	http_printf(req, "%s_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
	    "%s_sum{route=\"%s\"} %llu.%06llu\n"
	    "%s_count{route=\"%s\"} %llu\n", name, route,
	    (unsigned long long)cum, name, route,
	    (unsigned long long)(sum / 1000000),
	    (unsigned long long)(sum % 1000000), name, route,
	    (unsigned long long)cum);
}

static void
metrics_counters(struct http_req *req)
{
	static const struct {
		const char	*name, *help;
	} c[METRICS_NCOUNTERS] = {
		{ "imghost_http_received_bytes_total",
		  "Request body bytes the application read." },
		{ "imghost_http_sent_bytes_total",
		  "Image bytes the application sent (not lighttpd's)." },
		{ "imghost_uploads_total", "New images stored." },
		{ "imghost_upload_dedup_hits_total",
		  "Uploads of bytes stored already." },
		{ "imghost_store_errors_total",
		  "Store operations that failed, missing blobs aside." },
		{ "imghost_db_errors_total",
		  "Database statements and pings that failed." },
		{ "imghost_cache_hits_total",
		  "Blobs sent from the read cache (s3 store)." },
		{ "imghost_cache_fills_total",
		  "Copies of blobs begun in the read cache (s3 store)." },
		{ "imghost_claims_ended_total",
		  "Uploads' claims ended by their delete token." },
		{ "imghost_deletions_total",
		  "Images deleted with the end of their last claim." },
		{ "imghost_variant_waits_made_total",
		  "Variants asked for before they were made, waited for, and "
		  "made within the wait." },
		{ "imghost_variant_waits_in_vain_total",
		  "Variants asked for before they were made, waited for in "
		  "vain: the original stood in." },
	};
	int	 i;

	for (i = 0; i < METRICS_NCOUNTERS; i++) {
		metrics_family(req, c[i].name, "counter", c[i].help);
		http_printf(req, "%s %llu\n", c[i].name,
		    (unsigned long long)metrics_get(&metrics->counter[i]));
	}
}

/* The queue gauges, read now; imghost_db_up says whether they could be. */
static void
metrics_queue(struct app *app, struct http_req *req)
{
	struct db_queue_stats	 q;
	int			 up;

	up = db_queue_stats(app->db, &q) == DB_OK;
	metrics_family(req, "imghost_db_up", "gauge",
	    "1 when the queue gauges below could be read from PostgreSQL.");
	http_printf(req, "imghost_db_up %d\n", up);
	if (!up)
		return;
	metrics_family(req, "imghost_resize_queue_jobs", "gauge",
	    "Resize jobs in the queue, by state.");
	http_printf(req, "imghost_resize_queue_jobs{state=\"queued\"} %lld\n"
	    "imghost_resize_queue_jobs{state=\"running\"} %lld\n"
	    "imghost_resize_queue_jobs{state=\"failed\"} %lld\n",
	    q.queued, q.running, q.failed);
	metrics_family(req, "imghost_resize_queue_oldest_seconds", "gauge",
	    "Age of the oldest job not failed, 0 when the queue is empty.");
	http_printf(req, "imghost_resize_queue_oldest_seconds %.3f\n",
	    q.oldest_age);
	metrics_family(req, "imghost_purge_jobs", "gauge",
	    "Purge jobs of deleted images (blobs, purge_command), by state: "
	    "retrying ones failed at least once.");
	http_printf(req, "imghost_purge_jobs{state=\"pending\"} %lld\n"
	    "imghost_purge_jobs{state=\"retrying\"} %lld\n"
	    "imghost_purge_jobs{state=\"failed\"} %lld\n",
	    q.purge_pending, q.purge_retrying, q.purge_failed);
}

void
metrics_serve(struct app *app, struct http_req *req)
{
	int		 r;

	if (metrics == NULL) {
		http_error(req, 503, "unavailable", "metrics are not mapped");
		return;
	}
	http_head(req, 200, "text/plain; version=0.0.4; charset=utf-8");
	http_puts(req, "Cache-Control: no-store\r\n\r\n");
	if (strcmp(req->method, "HEAD") == 0)
		return;
	/* This scrape's own database work shows in the errors below. */
	metrics_queue(app, req);
	metrics_sync();
	metrics_requests(req);
	metrics_family(req, "imghost_http_request_duration_seconds",
	    "histogram", "Time to answer a request, by route.");
	for (r = 0; r < METRICS_NROUTES; r++)
		metrics_histogram(req, r);
	metrics_counters(req);
}
