# Delete tokens (API.md, "Ownership and deletion"): every upload, a
# duplicate too, gets its own claim; DELETE with its token ends it; the
# last claim's end deletes the image everywhere; the browser's delete
# link asks before it deletes.  Both stores.
. "$(dirname "$0")/lib.sh"

# blobs_left ID: how many blobs of the image the store still holds.
blobs_left() {
	local n=0 k
	if [ "$STORE" = fs ]; then
		find "$OUT/fs/store/${1:0:2}/${1:2:2}/$1" -type f 2>/dev/null |
			wc -l
		return
	fi
	for k in original.png small.png medium.png large.png small.webp \
	    medium.webp large.webp; do
		blob_exists "$1/$k" && n=$((n + 1))
	done
	echo $n
}

# del ID TOKEN: DELETE /api/v1/images/ID with the token.
del() {
	req -X DELETE -H "Authorization: Bearer $2" "$BASE/api/v1/images/$1"
}

# metric NAME: the value of a counter of the current stack's /metrics.
metric() {
	curl -s "$BASE/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

for store in fs s3; do
	use_store $store
	f=$TMP/del-$store.png
	convert -size 200x150 plasma:fractal -seed $RANDOM "$f"

	req -F "file=@$f" "$BASE/api/v1/images"
	is "$store: upload 201" "$STATUS" 201
	id=$(json .id) t1=$(json .delete_token)
	like "$store: a delete token of 32 id characters" "$t1" \
		'^[A-Za-z0-9_-]{32}$'
	is "$store: its delete_url" "$(json .delete_url)" "$BASE/$id/delete/$t1"
	req -F "file=@$f" "$BASE/api/v1/images"
	is "$store: the same bytes again: 200, duplicate" \
		"$STATUS $(json .id) $(json .duplicate)" "200 $id true"
	t2=$(json .delete_token)
	check "$store: the duplicate has a token of its own" \
		[ -n "$t2" -a "$t2" != "$t1" ]
	is "$store: two claims, stored as hashes" "$(psql_q "SELECT count(*),
		count(*) FILTER (WHERE verifier = sha256(convert_to(
		substr('$t1', 9), 'UTF8'))) FROM claims
		WHERE image_id = $(id_int "$id")")" "2|1"
	check "$store: no token in the table" [ -z "$(psql_q "SELECT 1 FROM
		claims WHERE position(convert_to('$t1', 'UTF8') in verifier) > 0
		OR encode(verifier, 'escape') LIKE '%${t1:8}%'")" ]
	req "$BASE/api/v1/images/$id"
	is "$store: GET has no token" "$(json 'has("delete_token"),
		has("delete_url")' | paste -sd' ')" "false false"
	check "$store: nor does the page" \
		bash -c "! curl -s '$BASE/$id' | grep -q -e '$t1' -e '$t2'"
	run_resizer --once >/dev/null 2>&1
	is "$store: resized: 7 blobs" "$(blobs_left "$id")" 7

	# What a DELETE without a live claim of this image gets.
	req -X DELETE "$BASE/api/v1/images/$id"
	is "$store: no token: 401" "$STATUS $(json .error.code)" \
		"401 unauthorized"
	is "$store: with WWW-Authenticate: Bearer" \
		"$(header www-authenticate)" "Bearer"
	req -X DELETE -H "Authorization: Basic $t1" "$BASE/api/v1/images/$id"
	is "$store: another scheme: 401" "$STATUS" 401
	del "$id" "not-a-token"
	is "$store: a malformed token: 403" "$STATUS $(json .error.code)" \
		"403 forbidden"
	del "$id" "${t1:0:8}AAAAAAAAAAAAAAAAAAAAAAAA"
	is "$store: the right selector, a wrong secret: 403" "$STATUS" 403
	del "$id" "AAAAAAAA${t1:8}"
	is "$store: a wrong selector: 403" "$STATUS" 403
	del "AAAAAAAA" "$t1"
	is "$store: an unknown id: 404" "$STATUS $(json .error.code)" \
		"404 not_found"
	is "$store: and both claims remain" "$(psql_q "SELECT count(*) FROM
		claims WHERE image_id = $(id_int "$id")")" 2

	ended=$(metric imghost_claims_ended_total)
	deleted=$(metric imghost_deletions_total)
	del "$id" "$t1"
	is "$store: the first claim ends: 204, no type" \
		"$STATUS $(header content-type)" "204 "
	req "$BASE/i/$id.png"
	is "$store: the other claim keeps the image" "$STATUS" 200
	del "$id" "$t1"
	is "$store: a used token: 403" "$STATUS" 403
	del "$id" "$t2"
	is "$store: the last claim ends: 204" "$STATUS" 204
	is "$store: metrics: two claims ended, one image deleted" \
		"$(($(metric imghost_claims_ended_total) - ended)) $(($(metric \
		imghost_deletions_total) - deleted))" "2 1"
	# At once: lighttpd keeps no stat cache (lighttpd.conf).
	for u in "/i/$id.png" "/i/$id/original.png" "/i/$id/small.png" \
	    "/i/$id/large.webp" "/api/v1/images/$id" "/$id"; do
		req "$BASE$u"
		is "$store: $u: 404 at once" "$STATUS" 404
	done
	is "$store: no blob left" "$(blobs_left "$id")" 0
	[ $store = fs ] && check "fs: nor the image's directory" \
		[ ! -e "$OUT/fs/store/${id:0:2}/${id:2:2}/$id" ]
	is "$store: no row left" "$(psql_q "SELECT (SELECT count(*) FROM images
		WHERE id = $(id_int "$id")) + (SELECT count(*) FROM claims
		WHERE image_id = $(id_int "$id")) + (SELECT count(*) FROM
		resize_jobs WHERE image_id = $(id_int "$id"))")" 0
	del "$id" "$t2"
	is "$store: the used token once more: 404" "$STATUS" 404
	req -F "file=@$f" "$BASE/api/v1/images"
	is "$store: the same bytes again: a new image" \
		"$STATUS $([ "$(json .id)" != "$id" ] && echo new)" "201 new"
	id2=$(json .id) t3=$(json .delete_token)

	# The browser's link: GET asks and changes nothing, POST deletes.
	req -H "Accept: text/html" "$BASE/$id2/delete/$t3"
	is "$store: the delete link: 200, a page" "$STATUS $(header \
		content-type)" "200 text/html; charset=utf-8"
	check "$store: with a form that posts to itself" grep -q \
		"<form method=\"post\" action=\"/$id2/delete/$t3\">" "$BODY"
	is "$store: sending no Referer" "$(header referrer-policy)" \
		no-referrer
	is "$store: kept by no cache" "$(header cache-control)" no-store
	req -I "$BASE/$id2/delete/$t3"
	req "$BASE/i/$id2.png"
	is "$store: GET and HEAD deleted nothing" "$STATUS" 200
	req "$BASE/$id2/delete/AAAAAAAA${t3:8}"
	is "$store: a wrong link: 403 page" "$STATUS $(header content-type)" \
		"403 text/html; charset=utf-8"
	req -d "" "$BASE/$id2/delete/$t3"
	is "$store: its POST: 200" "$STATUS" 200
	check "$store: a page that says so" grep -q "<h1>Deleted</h1>" "$BODY"
	req "$BASE/i/$id2.png"
	is "$store: and the image is gone" "$STATUS" 404
	req -d "" "$BASE/$id2/delete/$t3"
	is "$store: the link once more: 404" "$STATUS" 404

	# The last two claims ended at once delete the image once.
	g=$TMP/both-$store.png
	convert -size 90x90 plasma:fractal -seed $RANDOM "$g"
	req -F "file=@$g" "$BASE/api/v1/images"
	id=$(json .id) a=$(json .delete_token)
	req -F "file=@$g" "$BASE/api/v1/images"
	b=$(json .delete_token)
	deleted=$(metric imghost_deletions_total)
	curl -s -o /dev/null -w '%{http_code}\n' -X DELETE \
		-H "Authorization: Bearer $a" "$BASE/api/v1/images/$id" \
		>"$TMP/both.a" &
	curl -s -o /dev/null -w '%{http_code}\n' -X DELETE \
		-H "Authorization: Bearer $b" "$BASE/api/v1/images/$id" \
		>"$TMP/both.b" &
	wait
	is "$store: two DELETEs at once: both 204" \
		"$(cat "$TMP/both.a" "$TMP/both.b" | paste -sd' ')" "204 204"
	is "$store: one deletion" \
		"$(($(metric imghost_deletions_total) - deleted))" 1
	is "$store: and the image is gone" "$(blobs_left "$id")" 0

	# An upload of the same bytes racing the last DELETE ends on the old
	# image with a live claim, or on a new image: never on a row
	# without its original.
	bad=0
	for i in 1 2 3 4 5 6 7 8; do
		h=$TMP/race-$store-$i.png
		convert -size 80x60 plasma:fractal -seed $RANDOM "$h"
		req -F "file=@$h" "$BASE/api/v1/images"
		id=$(json .id) tok=$(json .delete_token)
		curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $tok" \
			"$BASE/api/v1/images/$id" &
		curl -s -o "$TMP/race.json" -F "file=@$h" \
			"$BASE/api/v1/images"
		wait
		nid=$(jq -r .id "$TMP/race.json")
		code=$(curl -s -o "$TMP/race.png" -w '%{http_code}' \
			"$BASE/i/$nid.png")
		claims=$(psql_q "SELECT count(*) FROM claims
			WHERE image_id = $(id_int "$nid")")
		if [ "$code" != 200 ] || ! cmp -s "$TMP/race.png" "$h" ||
		    [ "$claims" != 1 ]; then
			bad=$((bad + 1))
			echo "# race $i: $id -> $nid: $code, $claims claims" >&2
		fi
	done
	is "$store: 8 uploads racing the last DELETE: each served, one claim" \
		"$bad" 0
done

# Tokens are never logged by the app; a bearer token is in no log at all
# (a delete link is a URL, in lighttpd's access log as any other).
check "no token in the app's logs" bash -c "! grep -rqF -e '$t1' -e '$t2' \
	-e '$t3' --exclude=access.log '$OUT/fs/log' '$OUT/s3/log'"
check "no bearer token in the access logs" bash -c "! grep -rqF -e '$t1' \
	-e '$t2' '$OUT/fs/log' '$OUT/s3/log'"

# An image an operator took down answers 410 to a DELETE.
use_store fs
f=$TMP/taken.png
convert -size 70x70 plasma:fractal -seed $RANDOM "$f"
req -F "file=@$f" "$BASE/api/v1/images"
id=$(json .id) tok=$(json .delete_token)
( resizer_env; exec "$TOP/imghost-admin" takedown -- "$id" ) >/dev/null 2>&1
del "$id" "$tok"
is "taken down: DELETE 410" "$STATUS $(json .error.code)" "410 gone"

# Images stored before claims existed have none: nothing deletes them.
f=$TMP/old.png
convert -size 70x71 plasma:fractal -seed $RANDOM "$f"
req -F "file=@$f" "$BASE/api/v1/images"
id=$(json .id) tok=$(json .delete_token)
psql_q "DELETE FROM claims WHERE image_id = $(id_int "$id")"
del "$id" "$tok"
is "an image without claims: 403" "$STATUS" 403
req "$BASE/i/$id.png"
is "and it stays" "$STATUS" 200

# The upload page's form without a script shows the delete link once.
f=$TMP/form.png
convert -size 70x72 plasma:fractal -seed $RANDOM "$f"
req -H "Accept: text/html" -F "file=@$f" "$BASE/"
is "the form: 201 page" "$STATUS" 201
tok=$(grep -o '/delete/[A-Za-z0-9_-]*' "$BODY" | head -n 1 | cut -d/ -f3)
id=$(grep -o 'href="/[A-Za-z0-9_-]\{8\}"' "$BODY" | head -n 1 | cut -c8-15)
check "with a delete link" [ ${#tok} = 32 ]
del "$id" "$tok"
is "which deletes" "$STATUS" 204

req "$BASE/sharex.sxcu"
is "ShareX: DeletionURL" "$(json .DeletionURL)" '{json:delete_url}'
