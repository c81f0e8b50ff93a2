/*
 * Claims: an upload's hold on its image, ended by its delete token
 * (sql/005_claims.sql).  Verifiers travel as raw bytes; the secrets they
 * come from never reach the database.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "claim.h"
#include "db.h"

/*
 * Nothing when the image row is gone: an upload that found the image a
 * moment before its last claim ended then stores the bytes anew.  The
 * lock waits for a claim_end() holding the row and then finds no row if
 * it deleted it, so the foreign key never fails; held, it keeps the row
 * until this claim is in.
 */
static const struct db_stmt db_st_claim_add = {
	"INSERT INTO claims (image_id, selector, verifier) "
	"SELECT id, $2, $3 FROM images WHERE id = $1 FOR KEY SHARE "
	"ON CONFLICT DO NOTHING RETURNING 1", 3 };
static const struct db_stmt db_st_claim_verifier = {
	"SELECT verifier FROM claims WHERE image_id = $1 AND selector = $2", 2 };
static const struct db_stmt db_st_claim_end = {
	"SELECT claim_end($1, $2, $3, $4)", 4 };
static const struct db_stmt db_st_purge_verifier = {
	"SELECT verifier FROM purge_jobs WHERE image_id = $1 AND selector = $2",
	2 };

/* The text parameters of a claim: its image and its selector. */
static void
db_claim_keys(int64_t image_id, const struct claim *c, char id[24],
    char sel[24])
{
	snprintf(id, 24, "%" PRId64, image_id);
	snprintf(sel, 24, "%" PRId64, c->selector);
}

enum db_status
db_claim_add(struct db *db, int64_t image_id, const struct claim *c)
{
	char		 id[24], sel[24];
	const char	*params[] = { id, sel, (const char *)c->verifier };
	int		 lengths[] = { 0, 0, CLAIM_VERIFIER_LEN };
	int		 formats[] = { 0, 0, 1 };
	PGresult	*res;
	enum db_status	 rc;

	db_claim_keys(image_id, c, id, sel);
	rc = db_run(db, &db_st_claim_add, params, lengths, formats, &res);
	if (rc != DB_OK)
		return rc;
	rc = PQntuples(res) == 1 ? DB_OK : DB_NOT_FOUND;
	PQclear(res);
	return rc;
}

/* Reads a bytea in text form ("\\x" and hex) of CLAIM_VERIFIER_LEN. */
static int
db_claim_bytea(PGresult *res, unsigned char *v)
{
	const char	*hex;
	unsigned int	 b;
	size_t		 i;

	if (PQntuples(res) != 1 ||
	    PQgetlength(res, 0, 0) != 2 + 2 * CLAIM_VERIFIER_LEN)
		return -1;
	hex = PQgetvalue(res, 0, 0) + 2;
	for (i = 0; i < CLAIM_VERIFIER_LEN; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		v[i] = b;
	}
	return 0;
}

/*
 * DB_OK when the verifier st finds for (image, c's selector) is c's,
 * compared in constant time; DB_NOT_FOUND when none or another.
 */
static enum db_status
db_claim_check(struct db *db, const struct db_stmt *st, int64_t image_id,
    const struct claim *c)
{
	char		 id[24], sel[24];
	const char	*params[] = { id, sel };
	unsigned char	 v[CLAIM_VERIFIER_LEN];
	PGresult	*res;
	enum db_status	 rc;

	db_claim_keys(image_id, c, id, sel);
	if ((rc = db_run(db, st, params, NULL, NULL, &res)) != DB_OK)
		return rc;
	rc = db_claim_bytea(res, v) == 0 && claim_verifier_eq(v, c->verifier) ?
	    DB_OK : DB_NOT_FOUND;
	PQclear(res);
	return rc;
}

enum db_status
db_claim_check_live(struct db *db, int64_t image_id, const struct claim *c)
{
	return db_claim_check(db, &db_st_claim_verifier, image_id, c);
}

enum db_status
db_claim_check_purging(struct db *db, int64_t image_id, const struct claim *c)
{
	return db_claim_check(db, &db_st_purge_verifier, image_id, c);
}

enum db_status
db_claim_end(struct db *db, int64_t image_id, const struct claim *c,
    const char *base_url, enum db_claim_end *out)
{
	char		 id[24], sel[24];
	const char	*params[] = { id, sel, (const char *)c->verifier,
			    base_url };
	int		 lengths[] = { 0, 0, CLAIM_VERIFIER_LEN, 0 };
	int		 formats[] = { 0, 0, 1, 0 };
	const char	*v;
	PGresult	*res;
	enum db_status	 rc;

	db_claim_keys(image_id, c, id, sel);
	rc = db_run(db, &db_st_claim_end, params, lengths, formats, &res);
	if (rc != DB_OK)
		return rc;
	v = PQntuples(res) == 1 ? PQgetvalue(res, 0, 0) : "";
	if (strcmp(v, "deleted") == 0)
		*out = DB_CLAIM_DELETED;
	else if (strcmp(v, "kept") == 0)
		*out = DB_CLAIM_KEPT;
	else if (strcmp(v, "no_image") == 0)
		*out = DB_CLAIM_NO_IMAGE;
	else
		*out = DB_CLAIM_NO_CLAIM;
	PQclear(res);
	return DB_OK;
}
