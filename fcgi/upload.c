/*
 * POST /api/v1/images.  The order of the steps is what keeps a failure
 * from leaving anything that can be served: the original is stored and
 * acknowledged before its row and its resize job are committed together.
 * A blob without a row is harmless (it is swept later); a row without a
 * blob never exists.
 */
#include <sha2.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "claim.h"
#include "db.h"
#include "display.h"
#include "fetch.h"
#include "id.h"
#include "img.h"
#include "log.h"
#include "metrics.h"
#include "multipart.h"
#include "store.h"
#include "strip.h"

/* Room for the multipart boundaries and part headers around the file. */
#define UPLOAD_MP_OVERHEAD	(64 * 1024)
/* Draws of a new id before giving up (a collision is one in 2^48/n). */
#define UPLOAD_ID_TRIES		8
/* API.md, "Errors": the 415 says what is taken. */
#define UPLOAD_NOT_TAKEN	"not a JPEG, PNG, GIF, WebP, AVIF, HEIC/HEIF, " \
				"TIFF or BMP image"

/*
 * What a new image stores: the original, and for a HEIC, TIFF or BMP
 * the file as sent beside its display copy, which is the original.
 */
struct upload_blobs {
	const void	*orig;
	size_t		 orig_len;
	const void	*sent;		/* NULL unless kept as sent */
	size_t		 sent_len;
};

static ssize_t
upload_read(void *arg, void *buf, size_t len)
{
	ssize_t		 n;

	if ((n = http_read(arg, buf, len)) == -1)
		return -1;
	metrics_add(METRICS_BYTES_IN, n);
	return n;
}

static int
upload_too_large(struct http_req *req, long long max)
{
	char	 msg[128];

	snprintf(msg, sizeof(msg), "the image is over the limit of %lld "
	    "bytes", max);
	http_error(req, 413, "too_large", msg);
	return -1;
}

/* Reads a raw body of len bytes; -1 after answering the client. */
static int
upload_read_raw(struct http_req *req, long long len, struct mp_result *out)
{
	size_t	 got = 0;
	ssize_t	 n;

	if ((out->file = malloc(len)) == NULL) {
		http_error(req, 503, "unavailable", "out of memory");
		return -1;
	}
	while (got < (size_t)len) {
		n = upload_read(req, out->file + got, len - got);
		if (n <= 0)
			break;
		got += n;
	}
	out->file_len = got;
	if (got == (size_t)len)
		return 0;
	mp_result_free(out);
	http_error(req, 400, "bad_request", "the body ended early");
	return -1;
}

static int
upload_read_multipart(struct app *app, struct http_req *req,
    const char *type, struct mp_result *out)
{
	switch (mp_parse(type, upload_read, req,
	    app->conf.max_upload_bytes, out)) {
	case MP_OK:
		break;
	case MP_TOO_LARGE:
		return upload_too_large(req, app->conf.max_upload_bytes);
	case MP_BAD:
	case MP_IO:
		http_error(req, 400, "bad_request", "malformed multipart body");
		return -1;
	}
	if (out->file == NULL && out->url == NULL) {
		mp_result_free(out);
		http_error(req, 400, "bad_request",
		    "no file in field \"file\" or \"image\"");
		return -1;
	}
	return 0;
}

/*
 * Reads the uploaded bytes into out; -1 after answering the client.  A
 * declared length over the limit is refused before a byte is read.
 */
static int
upload_read_body(struct app *app, struct http_req *req,
    struct mp_result *out)
{
	const char	*cl = http_param(req, "CONTENT_LENGTH");
	const char	*type = http_param(req, "CONTENT_TYPE");
	long long	 len, max = app->conf.max_upload_bytes;
	int		 multipart;

	memset(out, 0, sizeof(*out));
	if (cl == NULL || *cl == '\0') {
		http_error(req, 411, "length_required",
		    "Content-Length or a chunked body is required");
		return -1;
	}
	if ((len = strtonum(cl, 0, 1LL << 50, NULL)) == 0) {
		http_error(req, 400, "bad_request", "empty body");
		return -1;
	}
	multipart = type != NULL &&
	    strncasecmp(type, "multipart/form-data", 19) == 0;
	if (len > max + (multipart ? UPLOAD_MP_OVERHEAD : 0))
		return upload_too_large(req, max);
	if (multipart)
		return upload_read_multipart(app, req, type, out);
	return upload_read_raw(req, len, out);
}

static void
upload_answer(struct app *app, struct http_req *req,
    const struct db_image *img, int duplicate, const struct claim *c)
{
	char	 base[512], id[ID_LEN + 1];
	int	 ready[8] = { 0 };

	metrics_add(duplicate ? METRICS_DEDUP : METRICS_UPLOADS, 1);
	if (strcmp(req->path, "/") == 0) {
		/* The form without a script: a redirect would lose the token. */
		http_base_url(req, app->conf.public_url, base, sizeof(base));
		page_uploaded(req, duplicate ? 200 : 201, base, img, c->token);
		return;
	}
	if (duplicate)
		db_variants_ready(app->db, img, ready, 8);
	http_base_url(req, app->conf.public_url, base, sizeof(base));
	id_from_int(img->id, id);
	http_head(req, duplicate ? 200 : 201, "application/json");
	http_printf(req, "Location: %s/%s\r\n"
	    "Cache-Control: no-store\r\n\r\n", base, id);
	api_image_json(app, req, img, ready, duplicate, c->token);
}

static void
upload_unavailable(struct http_req *req, const char *what)
{
	http_error(req, 503, "unavailable", what);
}

/* Puts one blob of id under name; STORE_OK or the store's failure. */
static enum store_status
upload_put(struct app *app, const char *id, const char *name,
    const char *type, const void *data, size_t len)
{
	enum img_type		 t = img_type_of(type);
	char			 key[STORE_KEY_MAX];
	enum store_status	 rc;

	if ((rc = store_key(key, sizeof(key), id, name, img_ext(t))) !=
	    STORE_OK)
		return rc;
	return store_put(app->store, key, data, len, img_mime(t));
}

/* Deletes what upload_put() stored for img under id. */
static void
upload_unput(struct app *app, const char *id, const struct db_image *img)
{
	char	 key[STORE_KEY_MAX];

	if (store_key(key, sizeof(key), id, "original",
	    img_ext(img_type_of(img->type))) == STORE_OK)
		store_delete(app->store, key);
	if (*img->upload_type != '\0' && store_key(key, sizeof(key), id,
	    "upload", img_ext(img_type_of(img->upload_type))) == STORE_OK)
		store_delete(app->store, key);
}

/*
 * Stores a new image: a fresh id, the blobs, then the rows.  Returns 0
 * when it answered, 1 to try again with another id.
 */
static int
upload_try_id(struct app *app, struct http_req *req, struct db_image *img,
    const unsigned char *sha, const struct upload_blobs *b,
    const struct claim *c)
{
	char			 id[ID_LEN + 1];
	struct db_image		 other;
	enum db_status		 taken;
	int			 inserted;

	id_new(id);
	img->id = id_to_int(id);
	/*
	 * The key holds the id, so a put under a taken id would overwrite
	 * another image's original: check first.  Two uploads drawing the
	 * same id within the same millisecond remain, at odds of 2^-48.
	 */
	if ((taken = db_image_id_taken(app->db, img->id)) != DB_NOT_FOUND) {
		if (taken != DB_OK)
			upload_unavailable(req, "the database is down");
		return taken == DB_OK;
	}
	if ((b->sent != NULL && upload_put(app, id, "upload",
	    img->upload_type, b->sent, b->sent_len) != STORE_OK) ||
	    upload_put(app, id, "original", img->type, b->orig,
	    b->orig_len) != STORE_OK) {
		upload_unavailable(req, "the image store is down");
		return 0;
	}
	if (db_image_insert(app->db, img, sha, c, &inserted) != DB_OK) {
		upload_unavailable(req, "the database is down");
		return 0;
	}
	if (inserted) {
		log_info("upload %s: %s %ldx%ld, %lld bytes", id, img->type,
		    img->width, img->height, img->bytes);
		upload_answer(app, req, img, 0, c);
		return 0;
	}
	/* The same bytes were stored by another upload a moment ago. */
	if (db_image_by_sha256(app->db, sha, &other) != DB_OK)
		return 1;
	upload_unput(app, id, img);
	/* Its last claim may have ended since: then store it anew. */
	if (db_claim_add(app->db, other.id, c) != DB_OK)
		return 1;
	upload_answer(app, req, &other, 1, c);
	return 0;
}

static void
upload_sha256(const void *data, size_t len, unsigned char sha[32],
    char hex[65])
{
	SHA2_CTX	 ctx;
	int		 i;

	SHA256Init(&ctx);
	SHA256Update(&ctx, data, len);
	SHA256Final(sha, &ctx);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", sha[i]);
}

/*
 * Bytes an operator took down may not come back (API.md: 410 gone).
 * Asked only for bytes new to the images table.  Returns 1 when it
 * answered the client.
 */
static int
upload_tombstoned(struct http_req *req, struct app *app,
    const unsigned char *sha)
{
	switch (db_tombstone_by_sha256(app->db, sha)) {
	case DB_NOT_FOUND:
		return 0;
	case DB_OK:
		http_error(req, 410, "gone", "this image was taken down and "
		    "cannot be uploaded again");
		return 1;
	default:
		upload_unavailable(req, "the database is down");
		return 1;
	}
}

/*
 * Bytes stored already get the upload's claim c: DB_OK when it answered
 * with them, DB_NOT_FOUND when they are not stored (or their last claim
 * ended as this ran), another status after answering 503.
 */
static enum db_status
upload_claim_stored(struct app *app, struct http_req *req,
    const unsigned char *sha, struct db_image *img, const struct claim *c)
{
	enum db_status	 rc;

	if ((rc = db_image_by_sha256(app->db, sha, img)) == DB_OK &&
	    (rc = db_claim_add(app->db, img->id, c)) == DB_OK)
		upload_answer(app, req, img, 1, c);
	else if (rc != DB_NOT_FOUND)
		upload_unavailable(req, "the database is down");
	return rc;
}

/*
 * A HEIC, TIFF or BMP: its display copy becomes the original of img,
 * and the file as sent is kept beside it.  -1 after answering the
 * client when the decoder refuses it.
 */
static int
upload_display(struct app *app, struct http_req *req, struct db_image *img,
    enum img_type t, struct upload_blobs *b, struct display *d)
{
	char	 why[256];

	/* Decoded in this request: its time and memory grow with them. */
	if ((long long)img->width * img->height >
	    app->conf.max_display_pixels) {
		http_error(req, 422, "bad_image", "the image has more pixels "
		    "than a HEIC, TIFF or BMP may have here");
		return -1;
	}
	if (display_make(b->orig, b->orig_len, t, &app->conf, d, why,
	    sizeof(why)) == -1) {
		log_info("upload: no display copy of a %s: %s", img_name(t),
		    why);
		http_error(req, 422, "bad_image", "the image cannot be "
		    "decoded");
		return -1;
	}
	b->sent = b->orig;
	b->sent_len = b->orig_len;
	b->orig = d->data;
	b->orig_len = d->len;
	strlcpy(img->upload_type, img_name(t), sizeof(img->upload_type));
	strlcpy(img->type, img_name(d->type), sizeof(img->type));
	strlcpy(img->variant_type, img->type, sizeof(img->variant_type));
	img->width = d->width;
	img->height = d->height;
	img->frames = 1;
	img->bytes = d->len;
	return 0;
}

/* Fills img of a new upload of type t, and makes its display copy. */
static int
upload_describe(struct app *app, struct http_req *req, struct db_image *img,
    enum img_type t, const struct img_info *info, struct upload_blobs *b,
    struct display *d)
{
	strlcpy(img->type, img_name(t), sizeof(img->type));
	strlcpy(img->variant_type, img_name(img_variant_type(t,
	    info->alpha)), sizeof(img->variant_type));
	img->width = info->width;
	img->height = info->height;
	img->frames = info->frames;
	img->bytes = b->orig_len;
	if (img_kept_as_sent(t))
		return upload_display(app, req, img, t, b, d);
	return 0;
}

/* Validates the bytes and stores them, or finds them stored already. */
static void
upload_store(struct app *app, struct http_req *req, const void *data,
    size_t len)
{
	struct img_info		 info;
	struct db_image		 img;
	struct claim		 c;
	struct upload_blobs	 b = { data, len, NULL, 0 };
	struct display		 d = { NULL, 0, IMG_NONE, 0, 0 };
	unsigned char		 sha[32];
	enum img_type		 t;
	enum db_status		 rc;
	int			 i;

	if ((t = img_sniff(data, len)) == IMG_NONE) {
		http_error(req, 415, "unsupported_type", UPLOAD_NOT_TAKEN);
		return;
	}
	if (img_probe(data, len, t, &app->conf, &info) != IMG_OK) {
		http_error(req, 422, "bad_image", "the image cannot be "
		    "decoded, or is over the size or frame limits");
		return;
	}
	memset(&img, 0, sizeof(img));
	upload_sha256(data, len, sha, img.sha256);
	claim_new(&c);
	if ((rc = upload_claim_stored(app, req, sha, &img, &c)) != DB_NOT_FOUND)
		return;
	if (upload_tombstoned(req, app, sha))
		return;
	if (upload_describe(app, req, &img, t, &info, &b, &d) == -1)
		return;
	for (i = 0; i < UPLOAD_ID_TRIES; i++)
		if (upload_try_id(app, req, &img, sha, &b, &c) == 0)
			break;
	if (i == UPLOAD_ID_TRIES)
		upload_unavailable(req, "could not draw a free id");
	free(d.data);
}

/*
 * What needs no decoder, before anything inflates: the type from the
 * magic bytes, then the dimensions and frames the headers claim.  Returns
 * 0, or -1 after answering the client.
 */
static int
upload_precheck(struct app *app, struct http_req *req,
    const unsigned char *data, size_t len)
{
	enum img_type	 t;

	if ((t = img_sniff(data, len)) == IMG_NONE) {
		http_error(req, 415, "unsupported_type", UPLOAD_NOT_TAKEN);
		return -1;
	}
	if (img_check_headers(data, len, t, &app->conf) != IMG_OK) {
		http_error(req, 422, "bad_image", "the image cannot be "
		    "decoded, or is over the size or frame limits");
		return -1;
	}
	return 0;
}

/*
 * A decompression bomb: its metadata inflates past the request's budget.
 * A decoder would refuse it too (ImageMagick's memory limits), so it gets
 * the decoder's row of the error table, 422, and not 413: the bytes sent
 * are within the limit, and a smaller file of the same kind fares no
 * better.
 */
static void
upload_bomb(struct app *app, struct http_req *req)
{
	char	 msg[128];
	int	 n;

	n = snprintf(msg, sizeof(msg), "the image's metadata inflates to "
	    "more than %lld bytes", app->conf.max_upload_bytes);
	http_error(req, 422, "bad_image", n > 0 && (size_t)n < sizeof(msg) ?
	    msg : "the image's metadata inflates past the limit");
}

/*
 * Takes the location out first (API.md, "Privacy"), so what is hashed,
 * probed and stored are the bytes served.  All the inflating of one
 * request, the stripper's and (later, within what the stripper counted)
 * the decoder's, is bounded by max_upload_bytes: metadata need not
 * expand to more than the largest file taken.
 */
static void
upload_strip_store(struct app *app, struct http_req *req,
    const unsigned char *data, size_t len)
{
	unsigned char	*out = NULL;
	size_t		 outlen, budget = app->conf.max_upload_bytes;

	if (upload_precheck(app, req, data, len) == -1)
		return;
	switch (app->conf.strip_location ?
	    strip_location(data, len, budget, &out, &outlen) :
	    strip_inflate_check(data, len, budget)) {
	case STRIP_UNCHANGED:
		upload_store(app, req, data, len);
		break;
	case STRIP_DONE:
		log_info("upload: location removed, %zu bytes to %zu", len,
		    outlen);
		upload_store(app, req, out, outlen);
		break;
	case STRIP_BAD:
		http_error(req, 422, "bad_image", "the image's metadata "
		    "cannot be written back without its location");
		break;
	case STRIP_TOO_BIG:
		log_info("upload: %zu bytes whose metadata inflates past %zu",
		    len, budget);
		upload_bomb(app, req);
		break;
	case STRIP_NOMEM:
		upload_unavailable(req, "out of memory");
		break;
	}
	free(out);
}

/* An upload by url: fetched, then stored as any other (fcgi/fetch.c). */
static void
upload_fetch(struct app *app, struct http_req *req, const char *url)
{
	unsigned char	*data;
	size_t		 len;
	char		 why[256];

	if (!app->conf.url_upload) {
		http_error(req, 400, "bad_url",
		    "uploads by url are turned off on this server");
		return;
	}
	switch (fetch_url(url, &app->conf, &data, &len, why, sizeof(why))) {
	case FETCH_OK:
		upload_strip_store(app, req, data, len);
		free(data);
		break;
	case FETCH_BAD_URL:
	case FETCH_FAILED:
		http_error(req, 400, "bad_url", why);
		break;
	case FETCH_TOO_LARGE:
		upload_too_large(req, app->conf.max_upload_bytes);
		break;
	case FETCH_NOMEM:
	case FETCH_BUSY:
		upload_unavailable(req, why);
		break;
	}
}

/*
 * A raw body that is JSON or a form names a url; -1 after answering the
 * client when it is malformed.
 */
static int
upload_body_url(struct http_req *req, struct mp_result *body)
{
	if (body->url != NULL || body->file == NULL)
		return 0;
	switch (fetch_body_url(http_param(req, "CONTENT_TYPE"), body->file,
	    body->file_len, &body->url)) {
	case 0:
		return 0;
	case 1:
		free(body->file);
		body->file = NULL;
		body->file_len = 0;
		return 0;
	}
	http_error(req, 400, "bad_request",
	    "a JSON or form body needs a string \"url\"");
	return -1;
}

void
upload_serve(struct app *app, struct http_req *req)
{
	struct mp_result	 body;

	if (upload_read_body(app, req, &body) == -1)
		return;
	if (upload_body_url(req, &body) == -1) {
		mp_result_free(&body);
		return;
	}
	/* A form with an empty file field and a url is an upload by url. */
	if (body.url != NULL && body.file_len == 0)
		upload_fetch(app, req, body.url);
	else if (body.file_len == 0)
		http_error(req, 400, "bad_request", "the file is empty");
	else
		upload_strip_store(app, req, body.file, body.file_len);
	mp_result_free(&body);
}
