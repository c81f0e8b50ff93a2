/*
 * Tombstones of images taken down by an operator (sql/002_tombstones.sql).
 * Both lookups run only after the images table had no row, so an image
 * that exists costs nothing here.
 */
#include <inttypes.h>
#include <stdio.h>

#include "db.h"

static const struct db_stmt db_st_tomb_id = {
	"SELECT 1 FROM tombstones WHERE image_id = $1 LIMIT 1", 1 };
static const struct db_stmt db_st_tomb_sha = {
	"SELECT 1 FROM tombstones WHERE sha256 = $1", 1 };

/* DB_OK when the statement found a row, DB_NOT_FOUND when not. */
static enum db_status
db_tombstone_found(struct db *db, const struct db_stmt *st,
    const char *const *params, const int *lengths, const int *formats)
{
	PGresult	*res;
	enum db_status	 rc;

	if ((rc = db_run(db, st, params, lengths, formats, &res)) != DB_OK)
		return rc;
	rc = PQntuples(res) > 0 ? DB_OK : DB_NOT_FOUND;
	PQclear(res);
	return rc;
}

enum db_status
db_tombstone_by_id(struct db *db, int64_t id)
{
	char		 v[24];
	const char	*params[] = { v };

	snprintf(v, sizeof(v), "%" PRId64, id);
	return db_tombstone_found(db, &db_st_tomb_id, params, NULL, NULL);
}

enum db_status
db_tombstone_by_sha256(struct db *db, const unsigned char *sha)
{
	const char	*params[] = { (const char *)sha };
	int		 lengths[] = { 32 }, formats[] = { 1 };

	return db_tombstone_found(db, &db_st_tomb_sha, params, lengths,
	    formats);
}
