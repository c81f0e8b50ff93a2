/*
 * GET and HEAD /i/{id}.{ext} and /i/{id}/{size}.{ext}.  With the fs store
 * lighttpd serves every blob that exists and sends only the rest here;
 * with s3 every request comes here and is streamed from the store, or,
 * with a read cache (lib/cache.h), handed to lighttpd to send from the
 * node's copy.  The store is asked first, so serving a blob that exists
 * needs no database.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "cache.h"
#include "db.h"
#include "id.h"
#include "img.h"
#include "log.h"
#include "metrics.h"
#include "range.h"
#include "size.h"
#include "store.h"

struct serve_target {
	char		 id[ID_LEN + 1];
	char		 size[16];	/* "original", "upload" or a size */
	char		 ext[8];
	enum img_type	 type;		/* from ext */
	char		 key[STORE_KEY_MAX];
};

/* Parses the path after "/i/"; -1 for anything that is no blob's URL. */
static int
serve_parse(const char *p, struct serve_target *t)
{
	const char	*dot = strrchr(p, '.');
	size_t		 n;

	if (!id_valid(p, ID_LEN) || dot == NULL)
		return -1;
	memcpy(t->id, p, ID_LEN);
	t->id[ID_LEN] = '\0';
	if (strlcpy(t->ext, dot + 1, sizeof(t->ext)) >= sizeof(t->ext) ||
	    (t->type = img_type_of(t->ext)) == IMG_NONE ||
	    strcmp(t->ext, img_ext(t->type)) != 0)
		return -1;
	if (p + ID_LEN == dot)
		strlcpy(t->size, "original", sizeof(t->size));
	else if (p[ID_LEN] == '/' && (n = dot - (p + ID_LEN + 1)) > 0 &&
	    n < sizeof(t->size)) {
		memcpy(t->size, p + ID_LEN + 1, n);
		t->size[n] = '\0';
		if (strcmp(t->size, "original") != 0 && !size_find(t->size) &&
		    (strcmp(t->size, "upload") != 0 ||
		    !img_kept_as_sent(t->type)))
			return -1;
	} else
		return -1;
	return store_key(t->key, sizeof(t->key), t->id, t->size, t->ext) ==
	    STORE_OK ? 0 : -1;
}

static void
serve_http_date(time_t t, char *buf, size_t sz)
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, sz, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/*
 * 1 when a Range is to be honoured: no If-Range, or one that names the
 * blob as it is (its strong ETag, or exactly its Last-Modified).  A
 * client whose partial copy is of other bytes gets the whole blob.
 */
static int
serve_if_range(struct http_req *req, const struct store_stat *st)
{
	const char	*ir = http_param(req, "HTTP_IF_RANGE");
	struct tm	 tm;

	if (ir == NULL)
		return 1;
	if (ir[0] == '"')
		return strcmp(ir, st->etag) == 0;
	memset(&tm, 0, sizeof(tm));
	if (strptime(ir, "%a, %d %b %Y %H:%M:%S GMT", &tm) == NULL)
		return 0;
	return st->mtime == timegm(&tm);
}

/* 1 when the client's copy is current (answer 304). */
static int
serve_not_modified(struct http_req *req, const struct store_stat *st)
{
	const char	*inm = http_param(req, "HTTP_IF_NONE_MATCH");
	const char	*ims = http_param(req, "HTTP_IF_MODIFIED_SINCE");
	struct tm	 tm;

	if (inm != NULL)
		return strcmp(inm, "*") == 0 || strstr(inm, st->etag) != NULL;
	if (ims == NULL)
		return 0;
	memset(&tm, 0, sizeof(tm));
	if (strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm) == NULL)
		return 0;
	return st->mtime <= timegm(&tm);
}

/* The headers every answer with a blob has, 200, 206 and 304 alike. */
static void
serve_blob_head(struct http_req *req, int status, const char *mime,
    const struct store_stat *st)
{
	char	 date[64];

	serve_http_date(st->mtime, date, sizeof(date));
	http_head(req, status, mime);
	http_printf(req, "Cache-Control: public, max-age=31536000, "
	    "immutable\r\nETag: %s\r\nLast-Modified: %s\r\n"
	    "Accept-Ranges: bytes\r\n", st->etag, date);
}

/* The read cache's directory, or NULL when there is none. */
static const char *
serve_cache_dir(const struct app *app)
{
	if (app->conf.store != CONF_STORE_S3)
		return NULL;
	return app->conf.cache_dir;
}

/* Where streamed bytes go: the client, and a new copy in the cache. */
struct serve_out {
	struct http_req		*req;
	struct cache_fill	*fill;		/* NULL: no copy */
};

static int
serve_sink(void *arg, const void *buf, size_t len)
{
	struct serve_out	*o = arg;

	if (o->fill != NULL)
		cache_fill_write(o->fill, buf, len);
	if (http_write(o->req, buf, len) == -1)
		return -1;
	metrics_add(METRICS_BYTES_OUT, len);
	return 0;
}

/*
 * Streams len bytes from off of the blob from the store; a whole blob is
 * also copied into the read cache, if there is one.
 */
static void
serve_stream(struct app *app, struct http_req *req, const char *key,
    off_t off, off_t len, int whole)
{
	const char		*dir = serve_cache_dir(app);
	struct serve_out	 o = { req, NULL };
	struct cache_fill	 fill;
	struct store_stat	 got;
	enum store_status	 rc;

	if (dir != NULL && whole && cache_fill_begin(dir, key, &fill) == 0) {
		o.fill = &fill;
		metrics_add(METRICS_CACHE_FILLS, 1);
	}
	/*
	 * The headers are gone: a failure can only cut the body short.  The
	 * store logged its own failure with the key; a client that went
	 * away is no event worth a line.  The copy is described by what
	 * the store sent, not by the HEAD before.
	 */
	rc = store_stream(app->store, key, off, len, &got, serve_sink, &o);
	if (o.fill != NULL)
		cache_fill_end(&fill, &got, rc == STORE_OK);
}

/*
 * Answers with the blob st describes: 304, 416, or its headers and then
 * its bytes, from lighttpd when there is a copy in the read cache (path
 * not NULL) and the whole blob is asked for, else from the store.
 */
static void
serve_blob(struct app *app, struct http_req *req,
    const struct serve_target *t, const struct store_stat *st,
    const char *copy)
{
	const char		*mime = img_mime(t->type);
	off_t			 off = 0, len = st->size;
	enum range_status	 rs;

	if (serve_not_modified(req, st)) {
		serve_blob_head(req, 304, mime, st);
		http_puts(req, "\r\n");
		return;
	}
	rs = serve_if_range(req, st) ? range_parse(http_param(req,
	    "HTTP_RANGE"), st->size, &off, &len) : RANGE_NONE;
	if (rs == RANGE_BAD) {
		http_head(req, 416, "application/json");
		http_printf(req, "Content-Range: bytes */%lld\r\n",
		    (long long)st->size);
		http_error_tail(req, "bad_range", "the range is outside the "
		    "image");
		return;
	}
	serve_blob_head(req, rs == RANGE_OK ? 206 : 200, mime, st);
	if (rs == RANGE_OK)
		http_printf(req, "Content-Range: bytes "
		    "%lld-%lld/%lld\r\n", (long long)off,
		    (long long)(off + len - 1), (long long)st->size);
	if (copy != NULL && rs == RANGE_NONE &&
	    strcmp(req->method, "GET") == 0) {
		http_printf(req, "X-Sendfile: %s\r\n\r\n", copy);
		metrics_add(METRICS_CACHE_HITS, 1);
		return;
	}
	http_printf(req, "Content-Length: %lld\r\n\r\n",
	    (long long)len);
	if (strcmp(req->method, "HEAD") != 0)
		serve_stream(app, req, t->key, off, len, rs == RANGE_NONE);
}

/*
 * Answers from the read cache; 0 when there is no copy to answer with.
 * A copy not checked for cache_recheck seconds is checked against the
 * store first (a takedown removes the blob); while the store is down it
 * stands in for the blob, since it was right when last checked.
 */
static int
serve_cached(struct app *app, struct http_req *req,
    const struct serve_target *t, const char *dir)
{
	struct store_stat	 st, now;
	char			 path[PATH_MAX];
	enum store_status	 rc;

	switch (cache_lookup(dir, app->conf.cache_recheck, t->key, &st, path,
	    sizeof(path))) {
	case CACHE_MISS:
		return 0;
	case CACHE_STALE:
		rc = store_head(app->store, t->key, &now);
		if (rc == STORE_OK && strcmp(now.etag, st.etag) == 0)
			cache_checked(path);
		else if (rc == STORE_OK || rc == STORE_NOT_FOUND) {
			cache_drop(dir, t->key);
			return 0;
		}
		break;
	case CACHE_FRESH:
		break;
	}
	serve_blob(app, req, t, &st, path);
	return 1;
}

void
serve_missing(struct app *app, struct http_req *req, int64_t id)
{
	switch (db_tombstone_by_id(app->db, id)) {
	case DB_OK:
		http_error(req, 410, "gone", "the image was taken down");
		break;
	case DB_NOT_FOUND:
		http_error(req, 404, "not_found", "no such image");
		break;
	default:
		http_error(req, 503, "unavailable", "the database is down");
		break;
	}
}

/*
 * How long a variant asked for before it is made is waited for, and how
 * often its job is looked at meanwhile.  A chat app fetches a link's
 * preview within a second or two of the paste and gives up after a few
 * more; a photo's variants take 0.1 to 2 s once a worker has its job.
 */
#define SERVE_WAIT_MS		6000
#define SERVE_POLL_MS		50

/*
 * A variant not made yet: its job goes first, and while a resizer is
 * there to make it, the request waits for it, holding one of the node's
 * wait slots, so that a link preview gets the variant and not the
 * original of 16 MB that stands in for it.  Without a free slot, or
 * when waiting is in vain, it does not wait.  1 when the blob exists
 * now, with *st filled.
 */
static int
serve_wait(struct app *app, const struct serve_target *t,
    struct store_stat *st)
{
	const struct timespec	 poll = { 0, SERVE_POLL_MS * 1000000L };
	int64_t			 id = id_to_int(t->id);
	int			 fd, waited, made;

	if (app->wait_slots.dir[0] == '\0' || !size_find(t->size) ||
	    db_job_hurry(app->db, id) != DB_OK ||
	    slot_take(&app->wait_slots, &fd) == -1)
		return 0;
	for (waited = 0; waited < SERVE_WAIT_MS; waited += SERVE_POLL_MS) {
		(void)nanosleep(&poll, NULL);
		if (db_job_pending(app->db, id) != DB_OK)
			break;
	}
	slot_give(fd);
	made = store_head(app->store, t->key, st) == STORE_OK;
	metrics_add(made ? METRICS_WAITS_MADE : METRICS_WAITS_IN_VAIN, 1);
	return made;
}

/* A variant not made yet, or made in vain: the original stands in. */
static void
serve_fallback(struct app *app, struct http_req *req,
    const struct serve_target *t)
{
	struct db_image	 img;
	enum db_status	 rc;
	enum img_type	 own;
	char		 base[512];

	if ((rc = db_image_by_id(app->db, id_to_int(t->id), &img)) != DB_OK) {
		if (rc == DB_NOT_FOUND)
			serve_missing(app, req, id_to_int(t->id));
		else
			http_error(req, 503, "unavailable",
			    "the database is down");
		return;
	}
	own = img_type_of(img.variant_type);
	/* An original or upload in another format, or a variant in neither. */
	if (strcmp(t->size, "original") == 0 ||
	    strcmp(t->size, "upload") == 0 ||
	    (t->type != own && t->type != IMG_WEBP)) {
		http_error(req, 404, "not_found", "no such image");
		return;
	}
	http_base_url(req, app->conf.public_url, base, sizeof(base));
	http_head(req, 307, "application/json");
	http_printf(req, "Location: %s/i/%s.%s\r\n"
	    "Cache-Control: no-store\r\n\r\n{\"location\": \"%s/i/%s.%s\"}\n",
	    base, t->id, img_ext(img_type_of(img.type)), base, t->id,
	    img_ext(img_type_of(img.type)));
}

void
serve_image(struct app *app, struct http_req *req, const char *path)
{
	struct serve_target	 t;
	struct store_stat	 st;
	enum store_status	 rc;
	const char		*dir;

	if (serve_parse(path, &t) == -1) {
		http_error(req, 404, "not_found", "no such image");
		return;
	}
	if (strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "HEAD") != 0) {
		http_method_not_allowed(req, "GET, HEAD");
		return;
	}
	if ((dir = serve_cache_dir(app)) != NULL &&
	    serve_cached(app, req, &t, dir))
		return;
	rc = store_head(app->store, t.key, &st);
	if (rc == STORE_OK || (rc == STORE_NOT_FOUND &&
	    serve_wait(app, &t, &st)))
		serve_blob(app, req, &t, &st, NULL);
	else if (rc == STORE_NOT_FOUND)
		serve_fallback(app, req, &t);
	else
		http_error(req, 503, "unavailable", "the image store is down");
}
