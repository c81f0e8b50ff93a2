/*
 * What an operator watches of the resize queue (GET /metrics).  Kept
 * apart from db.h so the queue's gauges can grow without touching it.
 */
#ifndef DB_QUEUE_H
#define DB_QUEUE_H

#include "db.h"

struct db_queue_stats {
	long long	 queued;	/* waiting, including backoffs */
	long long	 running;	/* claimed under a lease */
	long long	 failed;	/* given up for good */
	double		 oldest_age;	/* seconds since the oldest unfailed
					 * job was queued, 0 when none */
	long long	 purge_pending;	/* purge jobs not failed */
	long long	 purge_retrying; /* of those, failed at least once */
	long long	 purge_failed;	/* given up for good */
};

/* One cheap statement over the backlog; fills out on DB_OK. */
enum db_status	 db_queue_stats(struct db *, struct db_queue_stats *out);

#endif
