/*
 * fcgi/metrics.c: the route of each path (a table), the latency bucket
 * each duration lands in, and counters shared through the file by two
 * processes.  The .c file is included for its static state.
 */
#include <sys/wait.h>

#include <stdlib.h>
#include <unistd.h>

#include "../../fcgi/metrics.c"
#include "tap.h"

static const struct {
	const char		*method, *path;
	enum metrics_route	 want;
} routes[] = {
	{ "POST", "/api/v1/images", METRICS_UPLOAD },
	{ "POST", "/", METRICS_UPLOAD },
	{ "GET", "/", METRICS_PAGE },
	{ "GET", "/aB3dE_9x", METRICS_PAGE },
	{ "GET", "/sharex.sxcu", METRICS_PAGE },
	{ "GET", "/oembed", METRICS_PAGE },
	{ "GET", "/aB3dE_9", METRICS_OTHER },
	{ "GET", "/aB3dE_9x/", METRICS_OTHER },
	{ "GET", "/i/aB3dE_9x.jpg", METRICS_IMAGE },
	{ "GET", "/i/", METRICS_IMAGE },
	{ "GET", "/api/v1/images/aB3dE_9x", METRICS_API },
	{ "GET", "/api/v1/images", METRICS_UPLOAD },
	{ "GET", "/api/v2", METRICS_OTHER },
	{ "GET", "/healthz", METRICS_HEALTH },
	{ "GET", "/metrics", METRICS_METRICS },
	{ "GET", "/metrics/x", METRICS_OTHER },
	{ "GET", "", METRICS_OTHER },
};

static const struct {
	uint64_t	 usec;
	int		 bucket;
} buckets[] = {
	{ 0, 0 }, { 5000, 0 }, { 5001, 1 }, { 10000, 1 }, { 99999, 4 },
	{ 1000000, 7 }, { 10000000, 10 }, { 10000001, 11 },
	{ UINT64_MAX / 2, 11 },
};

static void
test_routes(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		ok(metrics_route_of(routes[i].method, routes[i].path) ==
		    routes[i].want, "%s '%s' counts as %s", routes[i].method,
		    routes[i].path, metrics_route_names[routes[i].want]);
}

static void
test_buckets(void)
{
	struct metrics_route_counts	*rc = &metrics->route[METRICS_API];
	uint64_t			 before;
	size_t				 i;

	for (i = 0; i < sizeof(buckets) / sizeof(buckets[0]); i++) {
		before = rc->bucket[buckets[i].bucket];
		metrics_request(METRICS_API, 200, buckets[i].usec);
		ok(rc->bucket[buckets[i].bucket] == before + 1,
		    "%llu us lands in bucket %d",
		    (unsigned long long)buckets[i].usec, buckets[i].bucket);
	}
	metrics_request(METRICS_API, 0, 1);
	ok(rc->code[4] == 1, "no status at all counts as a 5xx");
	metrics_request(METRICS_API, 404, 1);
	ok(rc->code[3] == 1, "404 counts as a 4xx");
}

/* Two processes add to the same file; the sum holds every add. */
static void
test_shared(const char *dir)
{
	pid_t	 pid[2];
	int	 i, j, status, all = 1;

	for (i = 0; i < 2; i++) {
		if ((pid[i] = fork()) == 0) {
			metrics = NULL;
			if (metrics_map_file(dir) == -1)
				_exit(1);
			for (j = 0; j < 100000; j++)
				metrics_add(METRICS_UPLOADS, 1);
			_exit(0);
		}
	}
	for (i = 0; i < 2; i++)
		all &= waitpid(pid[i], &status, 0) == pid[i] &&
		    WIFEXITED(status) && WEXITSTATUS(status) == 0;
	ok(all, "two processes mapped the file and added");
	metrics = NULL;
	ok(metrics_map_file(dir) == 0, "a third maps the same file");
	ok(metrics->counter[METRICS_UPLOADS] == 200000,
	    "it sees all 200000 adds (%llu)",
	    (unsigned long long)metrics->counter[METRICS_UPLOADS]);
}

/* A file of another layout is replaced, not read as counters. */
static void
test_other_layout(const char *dir)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, METRICS_FILE);
	unlink(path);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("not our layout", f);
		fclose(f);
	}
	metrics = NULL;
	ok(metrics_map_file(dir) == 0, "a file of another layout is replaced");
	ok(metrics->magic == METRICS_MAGIC && metrics->size ==
	    sizeof(*metrics) && metrics->counter[METRICS_UPLOADS] == 0,
	    "and starts from zero");
}

int
main(void)
{
	char	 dir[] = "/tmp/t_metrics.XXXXXX", path[4096];

	if (mkdtemp(dir) == NULL)
		return 1;
	test_routes();
	if (metrics_map_file(dir) == -1)
		return 1;
	test_buckets();
	test_shared(dir);
	test_other_layout(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, METRICS_FILE);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
