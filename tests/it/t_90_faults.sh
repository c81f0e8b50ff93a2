# Faults: the database or the store goes away and comes back; the app
# says which part is down and recovers by itself, without a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/images.sh"

make_images "$TMP/img"

# fresh_png NAME: a new image, bytes no upload has had.
fresh_png() {
	convert -size 90x60 plasma:fractal -seed $RANDOM "$TMP/$1.png"
	echo "$TMP/$1.png"
}

health() {
	req "$1/healthz"
}
healthy() {
	health "$1"
	[ "$STATUS" = 200 ]
}

# Images to delete while a part is down (API.md: a DELETE then answers
# 503 with Retry-After and deletes nothing half-way).
for store in fs s3; do
	use_store $store
	f=$(fresh_png del-$store)
	req -F "file=@$f" "$BASE/api/v1/images"
	eval "del_id_$store=\$(json .id) del_tok_$store=\$(json .delete_token)"
done
# del_image STORE: DELETE that store's image with its token.
del_image() {
	local id tok
	eval "id=\$del_id_$1 tok=\$del_tok_$1"
	req -X DELETE -H "Authorization: Bearer $tok" "$BASE/api/v1/images/$id"
}

pg_stop "$PG_DIR"
for store in fs s3; do
	use_store $store
	del_image $store
	is "$store: database down: DELETE 503 with Retry-After" \
		"$STATUS $(json .error.code) $([ -n "$(header retry-after)" ] &&
		echo set)" "503 unavailable set"
done
health "$FS_URL"
is "database down: /healthz is 503" "$STATUS" 503
is "database down: named" "$(json .database)" down
is "database down: the store still ok" "$(json .store)" ok
check "database down: Retry-After set" [ -n "$(header retry-after)" ]
is "database down: each header once" "$(dup_headers)" ""
for store in fs s3; do
	use_store $store
	f=$(fresh_png down-$store)
	req -F "file=@$f" "$BASE/api/v1/images"
	is "$store: database down: upload 503" "$STATUS $(json .error.code)" \
		"503 unavailable"
	check "$store: database down: upload says Retry-After" \
		[ -n "$(header retry-after)" ]
done
pg_start "$PG_DIR" "-c fsync=off" >/dev/null
wait_for "database back: /healthz 200 again without a restart" 10 \
	healthy "$FS_URL"
wait_for "database back: both app processes reconnect" 10 \
	bash -c "for i in 1 2 3 4 5 6; do
		curl -sf -o /dev/null '$FS_URL/healthz' || exit 1; done"
for store in fs s3; do
	use_store $store
	is "$store: the failed upload left no row" "$(psql_q "SELECT count(*)
		FROM images WHERE sha256 = decode('$(sha256sum "$TMP/down-$store.png" |
		cut -d' ' -f1)', 'hex')")" 0
	req -F "file=@$TMP/down-$store.png" "$BASE/api/v1/images"
	is "$store: database back: the same upload 201" "$STATUS" 201
	eval "id=\$del_id_$store"
	is "$store: database back: the DELETE changed nothing" \
		"$(psql_q "SELECT count(*) FROM claims
		WHERE image_id = $(id_int "$id")")" 1
done

rgw_pause "$RGW_DIR"
health "$S3_URL"
is "S3 down: /healthz is 503" "$STATUS" 503
is "S3 down: store named" "$(json .store)" down
is "S3 down: the database still ok" "$(json .database)" ok
use_store s3
f=$(fresh_png s3down)
req -F "file=@$f" "$BASE/api/v1/images"
is "S3 down: upload 503" "$STATUS $(json .error.code)" "503 unavailable"
is "S3 down: no row written" "$(psql_q "SELECT count(*) FROM images
	WHERE sha256 = decode('$(sha256sum "$f" | cut -d' ' -f1)', 'hex')")" 0
req "$BASE/i/zzzzzzzz.jpg"
is "S3 down: serving says 503" "$STATUS" 503
del_image s3
is "S3 down: DELETE 503 with Retry-After" "$STATUS $([ -n "$(header \
	retry-after)" ] && echo set)" "503 set"
is "S3 down: the DELETE changed nothing" "$(psql_q "SELECT count(*) FROM
	claims c JOIN images i ON i.id = c.image_id
	WHERE i.id = $(id_int "$del_id_s3")")" 1
rgw_resume "$RGW_DIR" >/dev/null
wait_for "S3 back: /healthz 200 again without a restart" 20 \
	healthy "$S3_URL"
req -F "file=@$f" "$BASE/api/v1/images"
is "S3 back: the same upload 201" "$STATUS" 201
req "$(json .url)"
check "S3 back: and it is served" cmp -s "$BODY" "$f"
for store in fs s3; do
	use_store $store
	del_image $store
	is "$store: all back: the DELETE retried: 204" "$STATUS" 204
	eval "id=\$del_id_$store"
	req "$BASE/i/$id.png"
	is "$store: and the image is gone" "$STATUS" 404
done

# No row anywhere points at a missing blob.
for store in fs s3; do
	use_store $store
	bad=0 n=0
	for url in $(psql_q "$(public_urls_sql)"); do
		n=$((n + 1))
		code=$(curl -s -o /dev/null -w '%{http_code}' -I "$BASE$url")
		[ "$code" = 200 ] || { bad=$((bad + 1)); echo "$url: $code" >&2; }
	done
	is "$store: all $n images' originals are served" "$bad" 0
done
