/*
 * What one FastCGI process holds for its whole life: the configuration,
 * one database connection and one store handle.  lighttpd runs several
 * such processes; none of them shares anything with another.
 */
#ifndef APP_H
#define APP_H

#include <stdint.h>

#include "conf.h"
#include "http.h"
#include "slot.h"

struct app {
	struct conf	 conf;
	struct db	*db;
	struct store	*store;
	struct slots	 wait_slots;	/* variants waited for (serve.c) */
};

struct db_image;

/*
 * A variant asked for before it is made waits for its job, at most
 * SERVE_WAIT_SLOTS requests at once on a node (of var.fcgi_procs, 8).
 */
#define SERVE_WAIT_SLOTS	4
#define SERVE_WAIT_SLOT_FILE	"imghost-fcgi.wait"

/* GET /healthz: 200 when the database and the store answer, else 503. */
void	health_serve(struct app *, struct http_req *);

/* POST /api/v1/images. */
void	upload_serve(struct app *, struct http_req *);

/* GET /api/v1/images/{id}; idstr is a valid id. */
void	api_get(struct app *, struct http_req *, const char *idstr);

/*
 * Writes the image JSON of API.md; ready[] as db_variants_ready(); the
 * upload's delete token, or NULL (never but in an upload's answer).
 */
void	api_image_json(struct app *, struct http_req *,
	    const struct db_image *, const int ready[], int duplicate,
	    const char *token);

/* DELETE /api/v1/images/{id}; idstr is a valid id. */
void	delete_api(struct app *, struct http_req *, const char *idstr);

/*
 * GET/HEAD/POST /{id}/delete/{token}: GET asks, POST deletes; idstr is
 * a valid id, token anything.
 */
void	delete_page(struct app *, struct http_req *, const char *idstr,
	    const char *token);

/*
 * The answer to the upload page's form without a script: the links,
 * the delete link apart.
 */
void	page_uploaded(struct http_req *, int status, const char *base,
	    const struct db_image *, const char *token);

/* GET/HEAD /: the upload page. */
void	page_upload(struct app *, struct http_req *);

/* GET/HEAD /{id}: the image page; idstr is a valid id; 404 page if none. */
void	page_image(struct app *, struct http_req *, const char *idstr);

/* GET/HEAD /sharex.sxcu: the ShareX custom uploader for this host. */
void	page_sharex(struct app *, struct http_req *);

/*
 * GET/HEAD /oembed?url={page}&format=json[&maxwidth=&maxheight=]: the
 * oEmbed photo of an image page of this host; 404 for any other url.
 */
void	oembed_serve(struct app *, struct http_req *);

/*
 * Answers for an id with no image row: 410 when an operator took it down
 * (the tombstone is looked up only now, on a miss), else 404.
 */
void	serve_missing(struct app *, struct http_req *, int64_t id);

/* GET/HEAD of a blob; path is what follows "/i/". */
void	serve_image(struct app *, struct http_req *, const char *path);

#endif
