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

static void
api_variant(struct http_req *req, const char *base, const char *id,
    const struct db_image *img, const struct size *s, int ready)
{
	const char	*ext = img_ext(img_type_of(img->variant_type));
	long		 w, h;

	size_fit(img->width, img->height, s->box, &w, &h);
	http_printf(req, "\"%s\": {"
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
	return strcmp(img->variant_type, "webp") == 0 ? (bits & 1) :
	    bits == 3;
}

void
api_image_json(struct app *app, struct http_req *req,
    const struct db_image *img, const int ready[], int duplicate,
    const char *token)
{
	char			 base[512], id[ID_LEN + 1], when[32];
	const struct size	*s;
	enum img_type		 t = img_type_of(img->type), u;
	struct tm		 tm;

	http_base_url(req, app->conf.public_url, base, sizeof(base));
	id_from_int(img->id, id);
	gmtime_r(&img->created, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	http_printf(req, "{\"id\": \"%s\", "
	    "\"page_url\": \"%s/%s\", \"url\": \"%s/i/%s.%s\", "
	    "\"type\": \"%s\", \"width\": %ld, \"height\": %ld, "
	    "\"frames\": %ld, \"bytes\": %lld, \"sha256\": \"%s\", "
	    "\"created_at\": \"%s\", \"duplicate\": %s, ",
	    id, base, id, base, id, img_ext(t), img_mime(t), img->width,
	    img->height, img->frames, img->bytes, img->sha256, when,
	    duplicate ? "true" : "false");
	if ((u = img_type_of(img->upload_type)) != IMG_NONE)
		http_printf(req, "\"upload_url\": \"%s/i/%s/upload.%s\", "
		    "\"upload_type\": \"%s\", ", base, id, img_ext(u),
		    img_mime(u));
	if (token != NULL)
		http_printf(req, "\"delete_token\": \"%s\", "
		    "\"delete_url\": \"%s/%s/delete/%s\", ",
		    token, base, id, token);
	/* Base64 of our own bytes: nothing in it needs escaping. */
	if (*img->placeholder != '\0')
		http_printf(req, "\"placeholder\": \"%s\", ", img->placeholder);
	else
		http_puts(req, "\"placeholder\": null, ");
	http_puts(req, "\"variants\": {");
	for (s = size_list; s->name != NULL; s++) {
		if (s != size_list)
			http_puts(req, ", ");
		api_variant(req, base, id, img, s,
		    api_ready(img, ready[s - size_list]));
	}
	http_puts(req, "}}\n");
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
	http_puts(req, "Cache-Control: no-cache\r\n\r\n");
	api_image_json(app, req, &img, ready, 0, NULL);
}
