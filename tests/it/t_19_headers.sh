# Raw response headers of every kind of answer, on both stores: each
# header at most once, the year-long immutable policy on stored blobs
# and fingerprinted files alone, and stand-ins and errors never kept.
# Then errors by Accept: HTML for a browser's address bar on every path,
# JSON for API clients.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/images.sh"

make_images "$TMP/img"
IMMUTABLE="public, max-age=31536000, immutable"
BROWSER="text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

admin() {
	( resizer_env; exec "$TOP/imghost-admin" "$@" )
}

# answer WHAT STATUS POLICY: checks the last req answered STATUS, with
# each header once and the caching POLICY: "blob" (the immutable one),
# "stand-in" (no-store and no other caching header), or "not-kept"
# (no-store or no-cache, never the year).
answer() {
	local what="$STORE: $1" cc
	is "$what: status" "$STATUS" "$2"
	is "$what: each header once" "$(dup_headers)" ""
	cc=$(header cache-control)
	case $3 in
	blob)
		is "$what: immutable" "$cc" "$IMMUTABLE"
		is "$what: nosniff" "$(header x-content-type-options)" nosniff
		;;
	stand-in)
		is "$what: no-store" "$cc" no-store
		is "$what: no other caching header" "$(grep -cE \
			'^(expires|etag|last-modified|age):' "$HEADERS")" 0
		;;
	not-kept)
		like "$what: not kept ($cc)" "$cc" '^no-(store|cache)$'
		;;
	esac
}

# raw_head PORT REQUEST: sends REQUEST (a printf format) as it is; the
# answer's headers go to HEADERS (names lower-cased), its status to STATUS.
raw_head() {
	HEADERS=$TMP/headers
	printf "$2" >"$TMP/raw-req"
	timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; cat >&3;
		sed -e '/^\r\$/q' <&3" <"$TMP/raw-req" | tr -d '\r' >"$TMP/raw"
	STATUS=$(head -n 1 "$TMP/raw" | awk '{ print $2 }')
	awk -F': ' '{ printf "%s: %s\n", tolower($1), $2 }' "$TMP/raw" >"$HEADERS"
}

for store in fs s3; do
	use_store $store
	convert -size 300x200 "gradient:rgb(9,${#store}0,40)-rgb(250,1,$RANDOM)" \
		"$TMP/$store.jpg"
	req -F "file=@$TMP/$store.jpg" "$BASE/api/v1/images"
	answer "upload" 201 not-kept
	id=$(json .id)
	req -F "file=@$TMP/$store.jpg" "$BASE/api/v1/images"
	answer "the same upload again" 200 not-kept
	req "$BASE/api/v1/images/$id"
	answer "metadata" 200 not-kept

	req "$BASE/i/$id.jpg"
	answer "the original" 200 blob
	check "$store: the original, byte for byte" cmp -s "$BODY" "$TMP/$store.jpg"
	etag=$(header etag)
	req -I "$BASE/i/$id.jpg"
	answer "HEAD of the original" 200 blob
	req -H "If-None-Match: $etag" "$BASE/i/$id.jpg"
	answer "If-None-Match" 304 blob
	req -r 0-9 "$BASE/i/$id.jpg"
	answer "a Range" 206 blob
	req -r 99999999- "$BASE/i/$id.jpg"
	answer "a Range outside it" 416 not-kept
	req "$BASE/i/$id/small.jpg"
	answer "a variant not made yet" 307 stand-in
	req -I "$BASE/i/$id/large.webp"
	answer "HEAD of a variant not made yet" 307 stand-in
	run_resizer --once 2>>"$TMP/resize.log"
	req "$BASE/i/$id/small.jpg"
	answer "a variant" 200 blob
	req "$BASE/i/$id/small.png"
	answer "a variant in a format it has not" 404 not-kept
	req "$BASE/i/zzzzzzzz.jpg"
	answer "an unknown id under /i/" 404 not-kept
	req "$BASE/i/zzzzzzzz/medium.webp"
	answer "an unknown id's variant" 404 not-kept
	req "$BASE/no/such/page"
	answer "an unknown page" 404 not-kept
	req "$BASE/.git/config"
	answer "a dotfile" 404 not-kept
	req --data-binary "" "$BASE/api/v1/images/$id"
	answer "POST on the metadata" 405 not-kept
	is "$store: and says what it allows" "$(header allow)" "GET, HEAD, DELETE"
	req -F "file=@$TMP/img/text.txt" "$BASE/api/v1/images"
	answer "text" 415 not-kept
	req -F "file=@$TMP/img/bare.png" "$BASE/api/v1/images"
	answer "a bare PNG header" 422 not-kept
	raw_head "${BASE##*:}" 'POST /api/v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 40000000\r\n\r\n'
	answer "a declared length over the limit" 413 not-kept
	req "$BASE/$id"
	answer "the image page" 200 not-kept
	req "$BASE/"
	answer "the upload page" 200 not-kept

	css=$(grep -o '/static/app\.[0-9a-f]*\.css' "$BODY")
	req "$BASE$css"
	answer "the fingerprinted CSS" 200 blob
	cp "$BODY" "$TMP/css"
	etag=$(header etag)
	req -H "If-None-Match: $etag" "$BASE$css"
	answer "the fingerprinted CSS again" 304 blob
	stale=${css%.*.css}.0badf00d.css
	req "$BASE$stale"
	is "$store: an earlier build's CSS name: today's CSS" \
		"$STATUS $(cmp -s "$BODY" "$TMP/css" && echo same)" "200 same"
	is "$store: ... not to be kept" "$(header cache-control)" no-cache
	req "$BASE/favicon.ico"
	is "$store: /favicon.ico" "$STATUS $(header content-type)" "200 image/x-icon"
	is "$store: /favicon.ico: each header once" "$(dup_headers)" ""
	is "$store: /favicon.ico: kept a day, not a year" \
		"$(header cache-control)" "public, max-age=86400"

	convert -size 30x20 "xc:rgb(3,${#store},99)" "$TMP/gone-$store.png"
	req -F "file=@$TMP/gone-$store.png" "$BASE/api/v1/images"
	gone=$(json .id)
	admin takedown -- "$gone" >/dev/null 2>&1
	req "$BASE/i/$gone.png"
	answer "a taken-down original" 410 not-kept
	req "$BASE/i/$gone/small.png"
	answer "a taken-down variant" 410 not-kept
done

use_store s3
rgw_pause "$RGW_DIR"
req "$BASE/i/$id/medium.jpg"
answer "the store down" 503 not-kept
check "s3: the store down: Retry-After" [ -n "$(header retry-after)" ]
rgw_resume "$RGW_DIR" >/dev/null

# ------------------------------------------------ errors by Accept
for store in fs s3; do
	use_store $store
	for path in /abcdefg /abcdefgh/ /no/such/page /i/zzzzzzzz.jpg \
	    /i/zzzzzzzz/small.webp /api/v1/images/zzzzzzzz /.git/config \
	    /static/nope.css /static/nope.00000000.css; do
		req -H "Accept: $BROWSER" "$BASE$path"
		is "$store: a browser at $path: 404" "$STATUS" 404
		like "$store: a browser at $path: an HTML page" \
			"$(header content-type)" '^text/html'
		check "$store: a browser at $path: that says what happened" \
			grep -q '<h1>Nothing here</h1>' "$BODY"
		req "$BASE$path"
		is "$store: curl at $path: JSON" \
			"$STATUS $(header content-type) $(json .error.code)" \
			"404 application/json not_found"
	done
	req -H "Accept: application/json" "$BASE/abcdefg"
	is "$store: Accept: application/json: JSON" "$(json .error.code)" not_found
	req -H "Accept: */*" "$BASE/abcdefg"
	is "$store: Accept: */*: JSON" "$(json .error.code)" not_found
	req -H "Accept: application/json, text/html;q=0.5" "$BASE/abcdefg"
	is "$store: JSON preferred to HTML: JSON" "$(json .error.code)" not_found
	req -H "Accept: text/html;q=0" "$BASE/abcdefg"
	is "$store: text/html refused (q=0): JSON" "$(json .error.code)" not_found
	req -H "Accept: $BROWSER" -X PUT "$BASE/api/v1/images/zzzzzzzz"
	is "$store: a browser's 405: HTML, with Allow" \
		"$STATUS $(header allow) $(header content-type)" \
		"405 GET, HEAD, DELETE text/html; charset=utf-8"
	req -H "Accept: $BROWSER" "$BASE/i/zzzzzzzz/small.png"
	is "$store: a browser at a missing variant: HTML" \
		"$(header content-type)" "text/html; charset=utf-8"
done
use_store s3
req -H "Accept: $BROWSER" "$BASE/i/$gone.png"
is "a browser at a taken-down image: 410 HTML" \
	"$STATUS $(header content-type)" "410 text/html; charset=utf-8"
check "which speaks to someone who followed a link" \
	grep -q 'link' "$BODY"
check "not to an uploader" bash -c "! grep -qi 'uploaded again' '$BODY'"
req -H "Accept: $BROWSER" -F "file=@$TMP/gone-s3.png" "$BASE/"
is "the upload form with taken-down bytes: 410 HTML" \
	"$STATUS $(header content-type)" "410 text/html; charset=utf-8"
check "which tells the uploader" grep -qi 'uploaded again' "$BODY"
req "$BASE/"
check "pages name the icon" grep -q '<link rel="icon" href="/favicon.ico">' "$BODY"
