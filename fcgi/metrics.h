/*
 * The application's counters for GET /metrics.  lighttpd spawns each
 * FastCGI process on its own (fork and exec, one socket each), so the
 * counters live in a small file mapped MAP_SHARED by every process of one
 * lighttpd, next to their sockets, and are bumped with atomic adds.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stdint.h>
#include <time.h>

#include "http.h"

/* The routes requests are counted by; a label of every series. */
enum metrics_route {
	METRICS_UPLOAD,		/* POST /api/v1/images, POST / */
	METRICS_IMAGE,		/* /i/... */
	METRICS_API,		/* GET /api/v1/images/{id} */
	METRICS_PAGE,		/* /, /{id}, /sharex.sxcu, /oembed */
	METRICS_HEALTH,		/* /healthz */
	METRICS_METRICS,	/* /metrics */
	METRICS_OTHER,		/* everything else (404s) */
	METRICS_NROUTES
};

/* Plain counters with no label. */
enum metrics_counter {
	METRICS_BYTES_IN,	/* request body bytes the app read */
	METRICS_BYTES_OUT,	/* blob bytes the app sent */
	METRICS_UPLOADS,	/* new images stored */
	METRICS_DEDUP,		/* uploads of bytes stored already */
	METRICS_STORE_ERRORS,	/* store calls that failed (not 404) */
	METRICS_DB_ERRORS,	/* database statements that failed */
	METRICS_CACHE_HITS,	/* blobs lighttpd sent from the read cache */
	METRICS_CACHE_FILLS,	/* copies begun in the read cache */
	METRICS_CLAIMS_ENDED,	/* delete tokens used (a claim ended) */
	METRICS_DELETIONS,	/* images deleted with their last claim */
	METRICS_WAITS_MADE,	/* variants waited for, made in time */
	METRICS_WAITS_IN_VAIN,	/* variants waited for, still not made */
	METRICS_NCOUNTERS
};

struct app;

/*
 * Maps the shared counters: a file beside the FastCGI socket on standard
 * input (lighttpd's var.rundir), else in $RUNTIME_DIRECTORY, else
 * (logged) memory of this process alone.  Call once at start-up.
 */
void	metrics_init(void);

/* The route a request path counts under. */
enum metrics_route metrics_route_of(const char *method, const char *path);

/* Counts one answered request that took usec microseconds. */
void	metrics_request(enum metrics_route, int status, uint64_t usec);

/*
 * Counts a request of route, answered with status, which started at t0
 * (monotonic), and publishes this process's store and database errors.
 */
void	metrics_request_end(enum metrics_route, int status,
	    const struct timespec *t0);

/* Adds n to a counter. */
void	metrics_add(enum metrics_counter, uint64_t n);

/*
 * Adds what the store and the database counted as errors in this process
 * since the last call (they count per process, the metrics for all).
 */
void	metrics_sync(void);

/* GET /metrics: every counter, and the queue read from the database. */
void	metrics_serve(struct app *, struct http_req *);

#endif
