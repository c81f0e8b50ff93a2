/*
 * The image JSON of API.md, for the upload answer and for
 * GET /api/v1/images/{id}.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "db.h"
#include "id.h"
#include "img.h"
#include "size.h"

/* 1 when s is only characters a host and port have. */
static int
api_host_chars(const char *h)
{
	if (h == NULL || *h == '\0' || strlen(h) > 255)
		return 0;
	for (; *h != '\0'; h++)
		if (!isalnum((unsigned char)*h) && strchr(".-:[]", *h) == NULL)
			return 0;
	return 1;
}

/*
 * 1 when a Host header names this machine's loopback (localhost, 127.x,
 * [::1], with a port or not).  Without public_url only such a Host may
 * name the links: any other is the client's word alone, and a link
 * handed out must not point where a client said.
 */
static int
api_host_loopback(const char *h)
{
	size_t	 n;

	if (!api_host_chars(h))
		return 0;
	if (strncmp(h, "[::1]", 5) == 0)
		n = 5;
	else if (strncmp(h, "localhost", 9) == 0)
		n = 9;
	else if (strncmp(h, "127.", 4) == 0)
		n = 4 + strspn(h + 4, "0123456789.");
	else
		return 0;
	return h[n] == '\0' || (h[n] == ':' && h[n + 1] != '\0' &&
	    h[n + 1 + strspn(h + n + 1, "0123456789")] == '\0');
}

/* "addr:port" of the socket the request came in on, "[v6]:port". */
static void
api_server_host(struct http_req *req, char *buf, size_t sz)
{
	const char	*addr = http_param(req, "SERVER_ADDR");
	const char	*port = http_param(req, "SERVER_PORT");
	int		 n;

	if (!api_host_chars(addr) || !api_host_chars(port))
		addr = "localhost", port = "80";
	n = snprintf(buf, sz, strchr(addr, ':') != NULL ? "[%s]:%s" : "%s:%s",
	    addr, port);
	if (n < 0 || (size_t)n >= sz)
		strlcpy(buf, "localhost", sz);
}

/*
 * public_url, else the request's scheme and either its Host (loopback
 * only) or the address it came in on.  An installed service sets
 * public_url (docs/OPERATIONS.md); ./serve sets it too.
 */
void
api_base_url(struct app *app, struct http_req *req, char *buf, size_t sz)
{
	const char	*host = http_param(req, "HTTP_HOST");
	const char	*scheme = http_param(req, "REQUEST_SCHEME");
	char		 own[300];

	if (app->conf.public_url != NULL) {
		strlcpy(buf, app->conf.public_url, sz);
		return;
	}
	if (!api_host_loopback(host)) {
		api_server_host(req, own, sizeof(own));
		host = own;
	}
	if (scheme == NULL || strcmp(scheme, "https") != 0)
		scheme = "http";
	if (snprintf(buf, sz, "%s://%s", scheme, host) >= (int)sz)
		strlcpy(buf, "http://localhost", sz);
}

static void
api_variant(struct http_req *req, const char *base, const char *id,
    const struct db_image *img, const struct size *s, int ready)
{
	const char	*ext = img_ext(img_type_of(img->type));
	long		 w, h;

	size_fit(img->width, img->height, s->box, &w, &h);
	FCGX_FPrintF(req->fr->out, "\"%s\": {"
	    "\"url\": \"%s/i/%s/%s.%s\", "
	    "\"webp_url\": \"%s/i/%s/%s.webp\", "
	    "\"width\": %ld, \"height\": %ld, \"ready\": %s}",
	    s->name, base, id, s->name, ext, base, id, s->name, w, h,
	    ready ? "true" : "false");
}

/* ready[] as db_variants_ready() fills it: both formats made is ready. */
static int
api_ready(const struct db_image *img, int bits)
{
	return strcmp(img->type, "webp") == 0 ? (bits & 1) : bits == 3;
}

void
api_image_json(struct app *app, struct http_req *req,
    const struct db_image *img, const int ready[], int duplicate)
{
	char			 base[512], id[ID_LEN + 1], when[32];
	const struct size	*s;
	enum img_type		 t = img_type_of(img->type);
	struct tm		 tm;

	api_base_url(app, req, base, sizeof(base));
	id_from_int(img->id, id);
	gmtime_r(&img->created, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	FCGX_FPrintF(req->fr->out, "{\"id\": \"%s\", "
	    "\"page_url\": \"%s/%s\", \"url\": \"%s/i/%s.%s\", "
	    "\"type\": \"%s\", \"width\": %ld, \"height\": %ld, "
	    "\"frames\": %ld, \"bytes\": %lld, \"sha256\": \"%s\", "
	    "\"created_at\": \"%s\", \"duplicate\": %s, \"variants\": {",
	    id, base, id, base, id, img_ext(t), img_mime(t), img->width,
	    img->height, img->frames, img->bytes, img->sha256, when,
	    duplicate ? "true" : "false");
	for (s = size_list; s->name != NULL; s++) {
		if (s != size_list)
			FCGX_PutS(", ", req->fr->out);
		api_variant(req, base, id, img, s,
		    api_ready(img, ready[s - size_list]));
	}
	FCGX_PutS("}}\n", req->fr->out);
}

void
api_get(struct app *app, struct http_req *req, const char *idstr)
{
	struct db_image	 img;
	int		 ready[8];
	enum db_status	 rc;

	rc = db_image_by_id(app->db, id_to_int(idstr), &img);
	if (rc == DB_OK)
		rc = db_variants_ready(app->db, &img, ready, 8);
	if (rc == DB_DOWN) {
		http_error(req, 503, "unavailable", "the database is down");
		return;
	}
	if (rc == DB_NOT_FOUND) {
		serve_missing(app, req, id_to_int(idstr));
		return;
	}
	if (rc != DB_OK) {
		http_error(req, 503, "unavailable", "database error");
		return;
	}
	http_head(req, 200, "application/json");
	FCGX_PutS("Cache-Control: no-cache\r\n\r\n", req->fr->out);
	api_image_json(app, req, &img, ready, 0);
}
