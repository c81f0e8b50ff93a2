/*
 * An uploader ends their claim (API.md, "Ownership and deletion"): by
 * DELETE /api/v1/images/{id} with the token as a bearer credential, or
 * in a browser from the delete link, /{id}/delete/{token}, whose GET only
 * asks (link previews and prefetches fetch it) and whose form POSTs.
 *
 * The last claim's end deletes the image's rows and queues its purge job
 * in one transaction (claim_end() of sql/005_claims.sql); then the blobs
 * go here, so that no URL of the image answers from this node's store
 * once the answer is sent.  When the store fails half-way the purge job
 * finishes it (resize-cron/purge.c), and the client's retry, which finds
 * the job by its token, tries again at once.  The store is asked first,
 * so that a store that is down changes nothing.  Tokens are never logged.
 */
#include <string.h>

#include "app.h"
#include "claim.h"
#include "db.h"
#include "html.h"
#include "id.h"
#include "img.h"
#include "log.h"
#include "metrics.h"
#include "store.h"

/* The outcome of a delete, answered as JSON or as a page. */
enum delete_result {
	DELETE_DONE,		/* the last claim ended: the image is gone */
	DELETE_KEPT,		/* the claim ended; others keep the image */
	DELETE_FORBIDDEN,	/* the token is not a live claim of it */
	DELETE_MISSING,		/* no image: 404, or 410 taken down */
	DELETE_UNAVAILABLE,	/* the database or the store is down */
};

/* The blobs of a deleted image, and its purge job when nothing is left. */
static enum delete_result
delete_blobs(struct app *app, int64_t id)
{
	char	 idstr[ID_LEN + 1];

	id_from_int(id, idstr);
	if (store_sweep(app->store, app->conf.cache_dir, idstr) != STORE_OK) {
		log_warnx("delete %s: blobs left for the purge job", idstr);
		return DELETE_UNAVAILABLE;
	}
	/* A purge_command still has to run: the resizers do it. */
	if (app->conf.purge_command == NULL)
		(void)db_purge_done(app->db, id);
	return DELETE_DONE;
}

/* A token that matches no live claim: a retry, another's token, or none. */
static enum delete_result
delete_not_live(struct app *app, int64_t id, const struct claim *c)
{
	struct db_image	 img;

	switch (db_claim_check_purging(app->db, id, c)) {
	case DB_OK:
		return delete_blobs(app, id);
	case DB_NOT_FOUND:
		break;
	default:
		return DELETE_UNAVAILABLE;
	}
	switch (db_image_by_id(app->db, id, &img)) {
	case DB_OK:
		return DELETE_FORBIDDEN;
	case DB_NOT_FOUND:
		return DELETE_MISSING;
	default:
		return DELETE_UNAVAILABLE;
	}
}

static enum delete_result
delete_claim(struct app *app, struct http_req *req, int64_t id,
    const struct claim *c)
{
	enum db_claim_end	 end;
	char			 base[512];

	switch (db_claim_check_live(app->db, id, c)) {
	case DB_OK:
		break;
	case DB_NOT_FOUND:
		return delete_not_live(app, id, c);
	default:
		return DELETE_UNAVAILABLE;
	}
	if (store_ping(app->store) != STORE_OK)
		return DELETE_UNAVAILABLE;
	http_base_url(req, app->conf.public_url, base, sizeof(base));
	if (db_claim_end(app->db, id, c, base, &end) != DB_OK)
		return DELETE_UNAVAILABLE;
	switch (end) {
	case DB_CLAIM_KEPT:
		metrics_add(METRICS_CLAIMS_ENDED, 1);
		return DELETE_KEPT;
	case DB_CLAIM_DELETED:
		metrics_add(METRICS_CLAIMS_ENDED, 1);
		metrics_add(METRICS_DELETIONS, 1);
		log_info("delete: the last claim ended, image deleted");
		return delete_blobs(app, id);
	case DB_CLAIM_NO_IMAGE:
		return DELETE_MISSING;
	default:	/* used by a request that ran meanwhile */
		return DELETE_FORBIDDEN;
	}
}

/* Records the error of r for main.c to render; 0 when there is none. */
static int
delete_error(struct app *app, struct http_req *req, int64_t id,
    enum delete_result r)
{
	switch (r) {
	case DELETE_DONE:
	case DELETE_KEPT:
		return 0;
	case DELETE_FORBIDDEN:
		http_error(req, 403, "forbidden", "this delete token is not a "
		    "live claim of this image");
		break;
	case DELETE_MISSING:
		serve_missing(app, req, id);
		break;
	case DELETE_UNAVAILABLE:
		http_error(req, 503, "unavailable", "the database or the "
		    "image store is down; nothing was deleted that a retry "
		    "will not finish");
		break;
	}
	return 1;
}

/* The token of "Authorization: Bearer TOKEN", or NULL. */
static const char *
delete_bearer(const struct http_req *req)
{
	const char	*h = http_param(req, "HTTP_AUTHORIZATION");

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	for (h += 7; *h == ' '; h++)
		continue;
	return *h != '\0' ? h : NULL;
}

void
delete_api(struct app *app, struct http_req *req, const char *idstr)
{
	const char	*token;
	struct claim	 c;
	int64_t		 id = id_to_int(idstr);

	if ((token = delete_bearer(req)) == NULL) {
		http_error(req, 401, "unauthorized", "a DELETE needs "
		    "Authorization: Bearer and the upload's delete_token");
		return;
	}
	/* Malformed: no claim has it, and no database is asked. */
	if (claim_parse(&c, token, strlen(token)) == -1) {
		(void)delete_error(app, req, id, DELETE_FORBIDDEN);
		return;
	}
	if (delete_error(app, req, id, delete_claim(app, req, id, &c)))
		return;
	http_head(req, 204, NULL);
	http_puts(req, "Cache-Control: no-store\r\n\r\n");
}

/* The page of the delete link: what it deletes, and the button. */
static void
delete_confirm(struct http_req *req, const char *idstr, const char *ext,
    const char *token)
{
	html_headers_secret(req, 200);
	if (html_head_only(req))
		return;
	html_open(req, "Delete this image?");
	http_puts(req, "<meta name=\"robots\" content=\"noindex\">\n");
	html_body(req, "delete");
	http_printf(req, "<h1>Delete this image?</h1>\n"
	    "<img class=\"delete-thumb\" src=\"/i/%s/small.%s\" alt=\"\">\n"
	    "<p>This link deletes your upload of <a href=\"/%s\">/%s</a>. "
	    "Once deleted, its links stop working and it cannot be "
	    "brought back.</p>\n"
	    "<form method=\"post\" action=\"/%s/delete/%s\">"
	    "<button type=\"submit\" class=\"button danger\">Delete</button>"
	    "</form>\n", idstr, ext, idstr, idstr, idstr, token);
	html_close(req);
}

/* What the POST of that form did. */
static void
delete_done_page(struct http_req *req, enum delete_result r)
{
	html_headers_secret(req, 200);
	html_open(req, "Deleted");
	html_body(req, "delete");
	if (r == DELETE_KEPT)
		http_puts(req, "<h1>Your upload is deleted</h1>\n<p>Someone "
		    "else uploaded the same image, so its link stays online "
		    "for them. Your delete link will not work again.</p>\n");
	else
		http_puts(req, "<h1>Deleted</h1>\n<p>The image and all its "
		    "sizes are gone; its links no longer work. Copies a "
		    "cache or another site made may take a little while to "
		    "go.</p>\n");
	html_close(req);
}

/* GET/HEAD: the confirmation, for a live claim only; never deletes. */
static void
delete_page_get(struct app *app, struct http_req *req, const char *idstr,
    const struct claim *c, const char *token)
{
	struct db_image	 img;
	int64_t		 id = id_to_int(idstr);
	enum db_status	 rc;

	if ((rc = db_image_by_id(app->db, id, &img)) == DB_NOT_FOUND) {
		serve_missing(app, req, id);
		return;
	}
	if (rc == DB_OK)
		rc = db_claim_check_live(app->db, id, c);
	if (rc == DB_OK)
		delete_confirm(req, idstr,
		    img_ext(img_type_of(img.variant_type)), token);
	else if (rc == DB_NOT_FOUND)
		(void)delete_error(app, req, id, DELETE_FORBIDDEN);
	else
		(void)delete_error(app, req, id, DELETE_UNAVAILABLE);
}

void
delete_page(struct app *app, struct http_req *req, const char *idstr,
    const char *token)
{
	struct claim		 c;
	int64_t			 id = id_to_int(idstr);
	enum delete_result	 r;

	if (claim_parse(&c, token, strlen(token)) == -1) {
		(void)delete_error(app, req, id, DELETE_FORBIDDEN);
		return;
	}
	if (strcmp(req->method, "POST") != 0) {
		delete_page_get(app, req, idstr, &c, token);
		return;
	}
	r = delete_claim(app, req, id, &c);
	if (!delete_error(app, req, id, r))
		delete_done_page(req, r);
}
