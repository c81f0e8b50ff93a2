/*
 * One resize job: read the original from the store, make the variants,
 * store each, then record them and end the job in one statement.  A job
 * cut short anywhere before that statement is simply done again: blobs
 * are written whole under fixed keys, so a second run overwrites them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "id.h"
#include "img.h"
#include "log.h"
#include "placeholder.h"
#include "resize.h"
#include "size.h"
#include "store.h"
#include "textfile.h"
#include "variant.h"

/* The placeholder made with the variants, for db_job_done(). */
struct resize_ph {
	uint8_t		 hash[THUMBHASH_MAX];
	size_t		 len;
};

static enum db_status
resize_fail(struct resize *r, const struct db_job *job, const char *why)
{
	log_warnx("attempt %d: %s", job->attempts, why);
	textfile_count(TEXTFILE_FAILED);
	return db_job_fail(r->db, job->image_id, why, r->max_attempts) ==
	    DB_DOWN ? DB_DOWN : DB_OK;
}

/* Stores every variant; fills v for db_job_done(). */
static enum store_status
resize_store_all(struct resize *r, const char *id, struct variant *out,
    size_t n, struct db_variant *v)
{
	char			 key[STORE_KEY_MAX];
	enum store_status	 rc;
	size_t			 i;

	for (i = 0; i < n; i++) {
		rc = store_key(key, sizeof(key), id, out[i].size,
		    img_ext(out[i].format));
		if (rc == STORE_OK)
			rc = store_put(r->store, key, out[i].data,
			    out[i].len, img_mime(out[i].format));
		if (rc != STORE_OK)
			return rc;
		v[i].size = out[i].size;
		v[i].format = img_name(out[i].format);
		v[i].width = out[i].width;
		v[i].height = out[i].height;
		v[i].bytes = out[i].len;
	}
	return STORE_OK;
}

/*
 * Makes and stores the variants of img, and its placeholder into ph;
 * -1 with why set on failure.
 */
static int
resize_make(struct resize *r, const struct db_image *img, const char *id,
    struct db_variant *v, size_t *n, struct resize_ph *ph, char *why,
    size_t whysz)
{
	struct variant		 out[VARIANT_MAX];
	struct store_buf	 orig;
	struct img_info		 info;
	enum store_status	 rc;
	enum img_type		 t = img_type_of(img->type);
	char			 key[STORE_KEY_MAX];

	rc = store_key(key, sizeof(key), id, "original", img_ext(t));
	if (rc == STORE_OK)
		rc = store_get(r->store, key, r->conf.max_upload_bytes, &orig);
	if (rc != STORE_OK) {
		snprintf(why, whysz, "read %s: %s", key, store_status_str(rc));
		return -1;
	}
	/*
	 * The upload checked these bytes, but a store is not only written
	 * by uploads: nothing over the limits, or not of the row's type,
	 * reaches the decoder (a 65000x65000 JPEG header alone made it
	 * allocate half a gigabyte).
	 */
	if (img_probe(orig.data, orig.len, t, &r->conf, &info) != IMG_OK) {
		snprintf(why, whysz, "will not decode: not a %s image "
		    "within the limits", img->type);
		store_buf_free(&orig);
		return -1;
	}
	if (variant_make_all(orig.data, orig.len, t,
	    img_type_of(img->variant_type), out, n, why,
	    whysz) == -1) {
		store_buf_free(&orig);
		return -1;
	}
	store_buf_free(&orig);
	(void)placeholder_make(out, *n, ph->hash, &ph->len);
	rc = resize_store_all(r, id, out, *n, v);
	variant_free(out, *n);
	if (rc != STORE_OK) {
		snprintf(why, whysz, "store: %s", store_status_str(rc));
		return -1;
	}
	return 0;
}

/*
 * The image was deleted (its last claim ended) or taken down while its
 * variants were being made.  Its own sweep may have run before they were
 * written, so what this resizer wrote would be left, served, owned by no
 * one: sweep every blob of the id again.  Only an upload that drew the
 * same 48 random bits since could own one of them.  What a failing store
 * leaves has no row, and is gc's.
 */
static void
resize_gone(struct resize *r, const char *id)
{
	if (store_sweep(r->store, r->conf.cache_dir, id) == STORE_OK)
		log_info("deleted or taken down meanwhile: its blobs swept");
	else
		log_warnx("deleted or taken down meanwhile: some blobs "
		    "are left for imghost-admin gc");
}

/*
 * The job could not be recorded (a database error).  If the image is
 * gone, what was written is swept (resize_gone()) and 1 returned; 0 if
 * the image is still there, or cannot be looked up.
 */
static int
resize_undo(struct resize *r, const char *id, int64_t image_id)
{
	struct db_image	 img;

	if (db_image_by_id(r->db, image_id, &img) != DB_NOT_FOUND)
		return 0;
	resize_gone(r, id);
	return 1;
}

enum db_status
resize_job(struct resize *r, const struct db_job *job)
{
	struct db_image		 img;
	struct db_variant	 v[VARIANT_MAX];
	struct resize_ph	 ph = { { 0 }, 0 };
	enum db_status		 rc;
	char			 id[ID_LEN + 1], why[256];
	size_t			 n;

	id_from_int(job->image_id, id);
	/* Every line logged below, the database's and the store's too. */
	log_context("resize %s", id);
	rc = db_image_by_id(r->db, job->image_id, &img);
	if (rc == DB_NOT_FOUND) {
		log_info("the image is gone: job dropped");
		rc = db_job_delete(r->db, job->image_id);
	} else if (rc == DB_FAIL)
		/* Not left claimed for a lease: an attempt, with its why. */
		rc = resize_fail(r, job, "read the image row: database error");
	else if (rc == DB_OK &&
	    resize_make(r, &img, id, v, &n, &ph, why, sizeof(why)) == -1)
		rc = resize_fail(r, job, why);
	else if (rc == DB_OK &&
	    (rc = db_job_done(r->db, job->image_id, v, n, ph.hash,
	    ph.len)) == DB_OK) {
		log_info("%zu variants", n);
		textfile_count(TEXTFILE_DONE);
	} else if (rc == DB_NOT_FOUND)
		resize_gone(r, id);
	else if (rc == DB_FAIL && resize_undo(r, id, job->image_id) == 0)
		rc = resize_fail(r, job, "record the variants: database error");
	log_context(NULL);
	return rc == DB_DOWN ? DB_DOWN : DB_OK;
}
