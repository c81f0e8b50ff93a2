/*
 * GET /oembed: the oEmbed 1.0 "photo" of an image page of this host
 * (https://oembed.com/), which chat apps and CMSs ask for when a page
 * names it in a <link rel="alternate" type="application/json+oembed">.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "form.h"
#include "html.h"
#include "id.h"
#include "oembed.h"
#include "preview.h"

/* How long an answer naming only made images may be kept, in seconds. */
#define OEMBED_CACHE_AGE	86400

/* The request's bounds; both 0 when it sets none. */
struct oembed_ask {
	char		 id[ID_LEN + 1];
	long		 maxw, maxh;
};

/*
 * The id of url when it is a page of this host: under public_url, or
 * under the request's own base (http_base_url_of() with no public_url,
 * which never takes a foreign Host).
 */
static int
oembed_own_page(struct http_req *req, const char *public_url,
    const char *url, char id[ID_LEN + 1])
{
	char	 base[512];

	http_base_url(req, public_url, base, sizeof(base));
	if (oembed_page_id(url, base, id) == 0)
		return 0;
	if (public_url == NULL)
		return -1;
	http_base_url(req, NULL, base, sizeof(base));
	return oembed_page_id(url, base, id);
}

/* maxwidth= or maxheight=: 0 when absent or good, -1 (answered) else. */
static int
oembed_bound(struct http_req *req, const char *qs, const char *name,
    long *v)
{
	char	*s;
	int	 rc;

	*v = 0;
	if ((rc = form_value(qs, name, &s)) == 0)
		return 0;
	if (rc == 1 && oembed_px(s, v) == 0) {
		free(s);
		return 0;
	}
	free(s);
	http_error(req, 400, "bad_request", rc == 1 ? "maxwidth and "
	    "maxheight are whole numbers of pixels" : "malformed query");
	return -1;
}

/* Reads the query into ask: 0, or -1 when answered with an error. */
static int
oembed_parse(struct app *app, struct http_req *req, struct oembed_ask *a)
{
	const char	*qs = http_param(req, "QUERY_STRING");
	char		*url = NULL, *fmt = NULL;
	int		 rc = -1;

	if (form_value(qs, "format", &fmt) == -1 ||
	    form_value(qs, "url", &url) == -1) {
		http_error(req, 400, "bad_request", "malformed query");
		goto done;
	}
	if (fmt != NULL && strcmp(fmt, "json") != 0) {
		http_error(req, 501, "not_implemented",
		    "the only format is json");
		goto done;
	}
	if (url == NULL) {
		http_error(req, 400, "bad_request", "url is missing");
		goto done;
	}
	if (oembed_bound(req, qs, "maxwidth", &a->maxw) == -1 ||
	    oembed_bound(req, qs, "maxheight", &a->maxh) == -1)
		goto done;
	if (oembed_own_page(req, app->conf.public_url, url, a->id) == -1) {
		http_error(req, 404, "not_found", "not an image page of "
		    "this host");
		goto done;
	}
	rc = 0;
done:
	free(url);
	free(fmt);
	return rc;
}

/* "url", "width" and "height" of size s, with a prefix ("thumbnail_"). */
static void
oembed_image(struct http_req *req, const char *base, const char *id,
    const struct db_image *img, int s, const char *pre)
{
	char	 url[640];
	long	 w, h;

	preview_url(base, id, img, s, 0, url, sizeof(url));
	preview_dims(img, s, &w, &h);
	http_printf(req, ",\n  \"%surl\": \"", pre);
	http_json_str(req, url);
	http_printf(req, "\",\n  \"%swidth\": %ld,\n  \"%sheight\": %ld",
	    pre, w, pre, h);
}

/* The JSON; pending as preview_pick() takes it. */
static void
oembed_json(struct app *app, struct http_req *req,
    const struct oembed_ask *a, const struct db_image *img,
    const int ready[], int pending)
{
	char	 base[512];

	http_base_url(req, app->conf.public_url, base, sizeof(base));
	http_head(req, 200, "application/json");
	if (pending)
		http_puts(req, "Cache-Control: no-cache\r\n");
	else
		http_printf(req, "Cache-Control: public, max-age=%d\r\n",
		    OEMBED_CACHE_AGE);
	http_puts(req, "Access-Control-Allow-Origin: *\r\n\r\n");
	if (html_head_only(req))
		return;
	http_printf(req, "{\n  \"version\": \"1.0\",\n  \"type\": \"photo\",\n"
	    "  \"title\": \"Image %s\",\n  \"provider_name\": \"imghost\",\n"
	    "  \"provider_url\": \"", a->id);
	http_json_str(req, base);
	http_puts(req, "/\"");
	if (!pending)
		http_printf(req, ",\n  \"cache_age\": %d", OEMBED_CACHE_AGE);
	oembed_image(req, base, a->id, img,
	    preview_pick(img, ready, pending, a->maxw, a->maxh), "");
	/* The small variant, unless it will never be made. */
	if ((ready[0] & 1) || pending)
		oembed_image(req, base, a->id, img, 0, "thumbnail_");
	http_puts(req, "\n}\n");
}

void
oembed_serve(struct app *app, struct http_req *req)
{
	struct oembed_ask	 a;
	struct db_image		 img;
	int			 ready[8], pending = 0;
	enum db_status		 rc;

	memset(&a, 0, sizeof(a));
	if (oembed_parse(app, req, &a) == -1)
		return;
	rc = db_image_by_id(app->db, id_to_int(a.id), &img);
	if (rc == DB_OK)
		rc = db_variants_ready(app->db, &img, ready, 8);
	if (rc == DB_OK && !preview_all_ready(ready))
		pending = db_job_pending(app->db, img.id) != DB_NOT_FOUND;
	if (rc == DB_NOT_FOUND)
		http_error(req, 404, "not_found", "no such image");
	else if (rc != DB_OK)
		http_error(req, 503, "unavailable", "the database is down");
	else
		oembed_json(app, req, &a, &img, ready, pending);
}
