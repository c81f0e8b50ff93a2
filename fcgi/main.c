/*
 * imghost-fcgi: the FastCGI application.  lighttpd starts it with the
 * listening socket on standard input; each process answers one request
 * at a time, and lighttpd runs var.fcgi_procs of them (lighttpd.conf).
 */
#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcgiapp.h>

#include "app.h"
#include "db.h"
#include "fetch.h"
#include "html.h"
#include "id.h"
#include "img.h"
#include "log.h"
#include "metrics.h"
#include "static.h"
#include "store.h"

/* 1 when the method is one of allow ("GET, HEAD"); else answers 405. */
static int
app_method(struct http_req *req, const char *allow)
{
	const char	*p = strstr(allow, req->method);
	size_t		 n = strlen(req->method);

	if (n > 0 && p != NULL && (p[n] == '\0' || p[n] == ',') &&
	    (p == allow || p[-1] == ' '))
		return 1;
	http_method_not_allowed(req, allow);
	return 0;
}

/* 1 when p is "/" and an id, the address of an image page. */
static int
app_is_image_page(const char *p)
{
	return p[0] == '/' && strlen(p + 1) == ID_LEN && id_valid(p + 1, ID_LEN);
}

/* 1 when p is "/{id}/delete/" and something: a delete link. */
static int
app_is_delete_link(const char *p)
{
	return p[0] == '/' && id_valid(p + 1, ID_LEN) &&
	    strncmp(p + 1 + ID_LEN, "/delete/", 8) == 0;
}

static void
app_delete_link(struct app *app, struct http_req *req)
{
	char	 id[ID_LEN + 1];

	req->html = 1;
	if (!app_method(req, "GET, HEAD, POST"))
		return;
	strlcpy(id, req->path + 1, sizeof(id));
	delete_page(app, req, id, req->path + 1 + ID_LEN + 8);
}

/* Log lines name the request; a delete link without its token. */
static void
app_log_context(const struct http_req *req)
{
	if (app_is_delete_link(req->path))
		log_context("%s %.*s/delete/-", req->method, 1 + ID_LEN,
		    req->path);
	else
		log_context("%s %s", req->method, req->path);
}

/*
 * lighttpd hands the app the errors it finds itself (server.error-handler
 * in lighttpd.conf): a request it cannot parse, a length it refuses, a
 * Transfer-Encoding it does not know.  Its
 * REDIRECT_STATUS says which (200 on every other request).  Answers them
 * as the contract says and returns 1; 0 for the app's own requests and
 * the store's misses under /i/, which the routes answer.
 */
static int
app_server_error(struct http_req *req)
{
	const char	*s = http_param(req, "REDIRECT_STATUS");
	int		 status;

	status = s == NULL ? 0 : strtonum(s, 100, 599, NULL);
	if (status < 400 || (status == 404 && strncmp(req->path, "/i/", 3) == 0))
		return 0;
	if (status == 411)
		http_error(req, 411, "length_required", "an upload needs a "
		    "Content-Length or a chunked body");
	else if (status == 413)
		http_error(req, 413, "too_large", "the request is over the "
		    "limit");
	else if (status == 501)
		http_error(req, 400, "bad_request", "a Transfer-Encoding or "
		    "a method this server does not take");
	else if (status == 403 || status == 404)
		http_error(req, 404, "not_found", "no such page");
	else if (status >= 500)
		http_error(req, 503, "unavailable", "the server is busy");
	else	/* 400, a path (414) or headers (431) too long, ... */
		http_error(req, 400, "bad_request", "malformed request");
	return 1;
}

static void
app_route(struct app *app, struct http_req *req)
{
	const char	*p = req->path;

	if (app_server_error(req))
		return;
	if (strncmp(p, "/i/", 3) == 0)
		serve_image(app, req, p + 3);
	else if (strcmp(p, "/api/v1/images") == 0) {
		if (app_method(req, "POST"))
			upload_serve(app, req);
	} else if (strncmp(p, "/api/v1/images/", 15) == 0 &&
	    id_valid(p + 15, strlen(p + 15))) {
		if (!app_method(req, "GET, HEAD, DELETE"))
			return;
		if (strcmp(req->method, "DELETE") == 0)
			delete_api(app, req, p + 15);
		else
			api_get(app, req, p + 15);
	} else if (strcmp(p, "/healthz") == 0) {
		if (app_method(req, "GET, HEAD"))
			health_serve(app, req);
	} else if (strcmp(p, "/metrics") == 0) {
		if (app_method(req, "GET, HEAD"))
			metrics_serve(app, req);
	} else if (strcmp(p, "/") == 0) {
		/* The form of the upload page posts here without a script. */
		req->html = 1;
		if (!app_method(req, "GET, HEAD, POST"))
			return;
		if (strcmp(req->method, "POST") == 0)
			upload_serve(app, req);
		else
			page_upload(app, req);
	} else if (strncmp(p, "/static/", 8) == 0 ||
	    strcmp(p, "/favicon.ico") == 0) {
		if (app_method(req, "GET, HEAD"))
			static_serve(req, p);
	} else if (strcmp(p, "/sharex.sxcu") == 0) {
		if (app_method(req, "GET, HEAD"))
			page_sharex(app, req);
	} else if (strcmp(p, "/oembed") == 0) {
		if (app_method(req, "GET, HEAD"))
			oembed_serve(app, req);
	} else if (app_is_delete_link(p))
		app_delete_link(app, req);
	else if (app_is_image_page(p)) {
		req->html = 1;
		if (app_method(req, "GET, HEAD"))
			page_image(app, req, p + 1);
	} else
		http_error(req, 404, "not_found", "no such page");
}

/*
 * The fetch and wait slots live beside the sockets, as the /metrics
 * counters do, else in systemd's RUNTIME_DIRECTORY.  Without either, the
 * processes have nothing to share: uploads by url have no cap on a node,
 * and a variant not made yet is not waited for.
 */
static void
app_slots(struct app *app)
{
	const struct conf	*c = &app->conf;
	char			 dir[4096];
	const char		*rt = getenv("RUNTIME_DIRECTORY"), *d = NULL;

	if (http_socket_dir(dir, sizeof(dir)) == 0)
		d = dir;
	else if (rt != NULL && *rt != '\0' && strchr(rt, ':') == NULL)
		d = rt;
	else if (c->url_upload)
		log_warnx("fetch: no socket directory: uploads by url have "
		    "no cap on this node");
	if (d != NULL)
		fetch_slots_init(d, c->url_upload_concurrency);
	slots_init(&app->wait_slots, d, SERVE_WAIT_SLOT_FILE,
	    SERVE_WAIT_SLOTS);
}

static void
app_init(struct app *app)
{
	char	 msg[512];

	if (conf_load(&app->conf, msg, sizeof(msg)) != CONF_OK)
		errx(1, "configuration: %s", msg);
	img_init(&app->conf);
	metrics_init();
	app_slots(app);
	/* The database may be down at start-up: connect on first use. */
	if ((app->db = db_open(app->conf.database_url)) == NULL)
		err(1, "db_open");
	html_init(&app->conf);
	if (app->conf.public_url == NULL)
		log_warnx("public_url is not set: links name the address "
		    "each request came in on, or a loopback Host");
	if ((app->store = store_open(&app->conf)) == NULL)
		errx(1, "cannot open the %s store",
		    app->conf.store == CONF_STORE_S3 ? "s3" : "fs");
}

/*
 * The one place an error a handler left is answered: JSON for API
 * clients, the HTML page for a browser (http_prefers_html()).
 */
static void
app_render_error(struct http_req *req)
{
	if (req->err.status == 0)
		return;
	if (req->html)
		html_error(req, req->err.status, req->err.message);
	else
		http_error_json(req);
}

int
main(void)
{
	struct app	 app;
	FCGX_Request	 fr;
	struct http_req	 req;
	struct timespec	 t0;
	enum metrics_route route;

	log_init("imghost-fcgi");
	memset(&app, 0, sizeof(app));
	app_init(&app);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0)
		errx(1, "FastCGI initialisation failed");
	while (FCGX_Accept_r(&fr) >= 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (http_req_init(&req, &fr) == -1)
			http_error(&req, 404, "not_found", "URL too long");
		else {
			app_log_context(&req);
			app_route(&app, &req);
		}
		app_render_error(&req);
		/* req.method is FastCGI's, freed by FCGX_Finish_r(). */
		route = metrics_route_of(req.method, req.path);
		FCGX_Finish_r(&fr);
		metrics_request_end(route, req.status, &t0);
		log_context(NULL);
	}
	img_done();
	store_free(app.store);
	db_free(app.db);
	conf_free(&app.conf);
	return 0;
}
