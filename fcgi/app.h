/*
 * What one FastCGI process holds for its whole life: the configuration,
 * one database connection and one store handle.  lighttpd runs several
 * such processes; none of them shares anything with another.
 */
#ifndef APP_H
#define APP_H

#include "conf.h"
#include "http.h"

struct app {
	struct conf	 conf;
	struct db	*db;
	struct store	*store;
};

/* GET /healthz: 200 when the database and the store answer, else 503. */
void	health_serve(struct app *, struct http_req *);

#endif
