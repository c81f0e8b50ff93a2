/*
 * imghost-fcgi: the FastCGI application.  lighttpd starts it with the
 * listening socket on standard input; each process answers one request
 * at a time, and lighttpd runs as many processes as there are cores.
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "app.h"
#include "db.h"
#include "log.h"
#include "store.h"

static void
app_route(struct app *app, struct http_req *req)
{
	if (strcmp(req->path, "/healthz") == 0) {
		if (strcmp(req->method, "GET") != 0 &&
		    strcmp(req->method, "HEAD") != 0)
			http_method_not_allowed(req, "GET, HEAD");
		else
			health_serve(app, req);
		return;
	}
	http_error(req, 404, "not_found", "no such page");
}

static void
app_init(struct app *app)
{
	char	 msg[512];

	if (conf_load(&app->conf, msg, sizeof(msg)) == -1)
		errx(1, "configuration: %s", msg);
	/* The database may be down at start-up: connect on first use. */
	if ((app->db = db_open(app->conf.database_url)) == NULL)
		err(1, "db_open");
	if ((app->store = store_open(&app->conf)) == NULL)
		errx(1, "cannot open the %s store",
		    app->conf.store == CONF_STORE_S3 ? "s3" : "fs");
}

int
main(void)
{
	struct app	 app;
	FCGX_Request	 fr;
	struct http_req	 req;

	log_init("imghost-fcgi");
	memset(&app, 0, sizeof(app));
	app_init(&app);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0)
		errx(1, "FastCGI initialisation failed");
	while (FCGX_Accept_r(&fr) >= 0) {
		if (http_req_init(&req, &fr) == -1)
			http_error(&req, 404, "not_found", "URL too long");
		else
			app_route(&app, &req);
		FCGX_Finish_r(&fr);
	}
	store_free(app.store);
	db_free(app.db);
	conf_free(&app.conf);
	return 0;
}
