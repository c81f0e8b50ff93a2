# Migrations: applied once, in order, safe twice and from two places at once.
. "$(dirname "$0")/lib.sh"

url="host=$(pg_sockdir "$PG_DIR") user=postgres dbname=migrate_test"
psql -qX "$PG_URL" -c "DROP DATABASE IF EXISTS migrate_test" \
	-c "CREATE DATABASE migrate_test"
migrate() {
	IMGHOST_DATABASE_URL=$url "$TOP/imghost-resize" --migrate \
		--sql-dir "$TOP/sql"
}

IMGHOST_DATABASE_URL=$url "$TOP/imghost-resize" --check >"$TMP/out" 2>&1
check "the resizer refuses an empty database" [ $? -ne 0 ]
check "and says to migrate" grep -q -- --migrate "$TMP/out"

# Two at once: the advisory lock makes one wait for the other.
migrate >"$TMP/a" 2>&1 &
migrate >"$TMP/b" 2>&1
wait $!
check "two concurrent migrations both succeed" [ $? -eq 0 ]
n=$(ls "$TOP"/sql/[0-9]*.sql | wc -l)
is "each migration recorded once" \
	"$(psql -qAtX "$url" -c 'SELECT count(*) FROM schema_migrations')" "$n"
like "one run applied them, the other none" "$(cat "$TMP/a" "$TMP/b")" \
	"applied 0 migrations"

migrate >"$TMP/c" 2>&1
like "a third run applies nothing" "$(cat "$TMP/c")" "^applied 0 migrations"
IMGHOST_DATABASE_URL=$url "$TOP/imghost-resize" --check
check "the resizer accepts the migrated schema" [ $? -eq 0 ]

tables=$(psql -qAtX "$url" -c "SELECT string_agg(tablename, ' ' ORDER BY
	tablename) FROM pg_tables WHERE schemaname = 'public'")
is "tables created" "$tables" \
	"admin_progress claims images purge_jobs resize_jobs schema_migrations tombstones variants"

# The schema holds what it says: dedup by hash, one variant per key.
psql -qX "$url" -c "INSERT INTO images (id, bytes, width, height, type,
	sha256) VALUES (1, 10, 1, 1, 'jpeg', sha256('a'))" 2>/dev/null
psql -qX "$url" -c "INSERT INTO images (id, bytes, width, height, type,
	sha256) VALUES (2, 10, 1, 1, 'jpeg', sha256('a'))" 2>/dev/null
check "a second image with the same sha256 is refused" [ $? -ne 0 ]
psql -qX "$url" -c "INSERT INTO variants (image_id, bytes, width, height,
	format, size) VALUES (1, 5, 1, 1, 'webp', 'small')"
psql -qX "$url" -c "INSERT INTO variants (image_id, bytes, width, height,
	format, size) VALUES (1, 5, 1, 1, 'webp', 'small')" 2>/dev/null
check "a second variant with the same image, size and format is refused" \
	[ $? -ne 0 ]
psql -qX "$url" -c "DELETE FROM images WHERE id = 1"
is "deleting an image deletes its variants" \
	"$(psql -qAtX "$url" -c 'SELECT count(*) FROM variants')" 0
psql -qX "$PG_URL" -c "DROP DATABASE migrate_test"
