/*
 * The queries about images and their variants.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claim.h"
#include "db.h"
#include "log.h"
#include "size.h"

#define DB_IMAGE_COLS	"id, encode(sha256, 'hex'), type, width, height, " \
			"frames, bytes, extract(epoch FROM created_at)::bigint, " \
			"coalesce(upload_type::text, ''), " \
			"coalesce(variant_type, type), " \
			"coalesce(encode(placeholder, 'base64'), '')"

static const struct db_stmt db_st_by_id = {
	"SELECT " DB_IMAGE_COLS " FROM images WHERE id = $1", 1 };
static const struct db_stmt db_st_by_sha = {
	"SELECT " DB_IMAGE_COLS " FROM images WHERE sha256 = $1", 1 };
/*
 * A taken-down id stays taken: caches may still hold its 410.  So does a
 * deleted one until its purge job has run.
 */
static const struct db_stmt db_st_id_taken = {
	"SELECT 1 FROM images WHERE id = $1 "
	"UNION ALL SELECT 1 FROM tombstones WHERE image_id = $1 "
	"UNION ALL SELECT 1 FROM purge_jobs WHERE image_id = $1", 1 };
/* All three rows or none: one statement is one transaction. */
static const struct db_stmt db_st_insert = {
	"WITH img AS (INSERT INTO images "
	"(id, bytes, width, height, frames, type, sha256, upload_type, "
	"variant_type) "
	"VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($10, '')::image_type, "
	"NULLIF($11::image_type, $6::image_type)) "
	"ON CONFLICT DO NOTHING "
	"RETURNING id, extract(epoch FROM created_at)::bigint AS t), "
	"job AS (INSERT INTO resize_jobs (image_id) SELECT id FROM img), "
	"claim AS (INSERT INTO claims (image_id, selector, verifier) "
	"SELECT id, $8, $9 FROM img) "
	"SELECT t FROM img", 11 };
static const struct db_stmt db_st_variants = {
	"SELECT size, format FROM variants WHERE image_id = $1", 1 };

static long long
db_num(PGresult *res, int col)
{
	return strtonum(PQgetvalue(res, 0, col), INT64_MIN, INT64_MAX, NULL);
}

static enum db_status
db_image_row(PGresult *res, struct db_image *out)
{
	if (PQntuples(res) != 1) {
		PQclear(res);
		return DB_NOT_FOUND;
	}
	out->id = db_num(res, 0);
	strlcpy(out->sha256, PQgetvalue(res, 0, 1), sizeof(out->sha256));
	strlcpy(out->type, PQgetvalue(res, 0, 2), sizeof(out->type));
	out->width = db_num(res, 3);
	out->height = db_num(res, 4);
	out->frames = db_num(res, 5);
	out->bytes = db_num(res, 6);
	out->created = db_num(res, 7);
	strlcpy(out->upload_type, PQgetvalue(res, 0, 8),
	    sizeof(out->upload_type));
	strlcpy(out->variant_type, PQgetvalue(res, 0, 9),
	    sizeof(out->variant_type));
	strlcpy(out->placeholder, PQgetvalue(res, 0, 10),
	    sizeof(out->placeholder));
	PQclear(res);
	return DB_OK;
}

enum db_status
db_image_by_id(struct db *db, int64_t id, struct db_image *out)
{
	char		 v[24];
	const char	*params[] = { v };
	PGresult	*res;
	enum db_status	 rc;

	snprintf(v, sizeof(v), "%" PRId64, id);
	if ((rc = db_run(db, &db_st_by_id, params, NULL, NULL, &res)) != DB_OK)
		return rc;
	return db_image_row(res, out);
}

enum db_status
db_image_by_sha256(struct db *db, const unsigned char *sha,
    struct db_image *out)
{
	const char	*params[] = { (const char *)sha };
	int		 lengths[] = { 32 }, formats[] = { 1 };
	PGresult	*res;
	enum db_status	 rc;

	rc = db_run(db, &db_st_by_sha, params, lengths, formats, &res);
	if (rc != DB_OK)
		return rc;
	return db_image_row(res, out);
}

enum db_status
db_image_id_taken(struct db *db, int64_t id)
{
	char		 v[24];
	const char	*params[] = { v };
	PGresult	*res;
	enum db_status	 rc;

	snprintf(v, sizeof(v), "%" PRId64, id);
	rc = db_run(db, &db_st_id_taken, params, NULL, NULL, &res);
	if (rc != DB_OK)
		return rc;
	rc = PQntuples(res) > 0 ? DB_OK : DB_NOT_FOUND;
	PQclear(res);
	return rc;
}

enum db_status
db_image_insert(struct db *db, struct db_image *img,
    const unsigned char *sha, const struct claim *c, int *inserted)
{
	char		 id[24], bytes[24], w[24], h[24], fr[24], sel[24];
	const char	*params[] = { id, bytes, w, h, fr, img->type,
			    (const char *)sha, sel, (const char *)c->verifier,
			    img->upload_type, img->variant_type };
	int		 lengths[] = { 0, 0, 0, 0, 0, 0, 32, 0,
			    CLAIM_VERIFIER_LEN, 0, 0 };
	int		 formats[] = { 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0 };
	PGresult	*res;
	enum db_status	 rc;

	snprintf(id, sizeof(id), "%" PRId64, img->id);
	snprintf(bytes, sizeof(bytes), "%lld", img->bytes);
	snprintf(w, sizeof(w), "%ld", img->width);
	snprintf(h, sizeof(h), "%ld", img->height);
	snprintf(fr, sizeof(fr), "%ld", img->frames);
	snprintf(sel, sizeof(sel), "%" PRId64, c->selector);
	rc = db_run(db, &db_st_insert, params, lengths, formats, &res);
	if (rc != DB_OK)
		return rc;
	if ((*inserted = PQntuples(res) == 1))
		img->created = db_num(res, 0);
	PQclear(res);
	return DB_OK;
}

enum db_status
db_variants_ready(struct db *db, const struct db_image *img, int ready[],
    int nsizes)
{
	char		 v[24];
	const char	*params[] = { v };
	const struct size *s;
	PGresult	*res;
	enum db_status	 rc;
	int		 i;

	memset(ready, 0, nsizes * sizeof(ready[0]));
	snprintf(v, sizeof(v), "%" PRId64, img->id);
	rc = db_run(db, &db_st_variants, params, NULL, NULL, &res);
	if (rc != DB_OK)
		return rc;
	for (i = 0; i < PQntuples(res); i++) {
		if ((s = size_find(PQgetvalue(res, i, 0))) == NULL ||
		    s - size_list >= nsizes)
			continue;
		ready[s - size_list] |=
		    strcmp(PQgetvalue(res, i, 1), img->variant_type) == 0 ? 1 : 2;
	}
	PQclear(res);
	return DB_OK;
}
