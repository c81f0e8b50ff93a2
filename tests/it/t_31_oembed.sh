# Links that travel: the image page's OpenGraph, Twitter and oEmbed
# discovery tags, and GET /oembed (oEmbed 1.0 "photo").  The tags are
# parsed out of the page and followed as a chat app would: og:image is
# fetched and must be at most 1280 px a side and 5 MB, the discovery
# link's JSON is checked, and maxwidth/maxheight pick each size.  Both
# stores, and a stack of its own with public_url.
. "$(dirname "$0")/lib.sh"
. "$TOP/stack/lighttpd.sh"

convert -size 3000x2000 plasma:fractal -seed 31 -quality 92 "$TMP/big.jpg"
convert -size 200x100 xc:none -fill red -draw 'circle 50,50 20,20' \
	"$TMP/tiny.png"

# up FILE TAG: uploads FILE made new by bytes after its end (a comment
# for the PNG); sets ID and TOKEN.
up() {
	case $1 in
	*.png) convert "$1" -set comment "t31 $STORE $2 $$" "$TMP/up.png"
		req -F "file=@$TMP/up.png;type=image/png" "$BASE/api/v1/images" ;;
	*) { cat "$1"; echo "t31-$STORE-$2-$$"; } >"$TMP/up.jpg"
		req -F "file=@$TMP/up.jpg;type=image/jpeg" "$BASE/api/v1/images" ;;
	esac
	ID=$(json .id) TOKEN=$(json .delete_token)
}

# meta NAME: the content of the page's <meta property|name="NAME">.
meta() {
	grep -Eo "<meta (property|name)=\"$1\" content=\"[^\"]*\"" "$BODY" |
		head -n 1 | sed 's/.*content="//; s/"$//'
}

# discovery: the href of the page's oEmbed link, &amp; unescaped.
discovery() {
	grep -o '<link rel="alternate" type="application/json+oembed" href="[^"]*"' \
		"$BODY" | head -n 1 | sed 's/.*href="//; s/"$//; s/&amp;/\&/g'
}

# dims FILE: WIDTHxHEIGHT of the first frame of an image file.
dims() {
	identify -format '%wx%h\n' "$1" 2>/dev/null | head -n 1
}

# oembed QUERY...: GET /oembed with each QUERY as a URL-encoded field.
oembed() {
	local a=() q
	for q in "$@"; do a+=(--data-urlencode "$q"); done
	req -G "${a[@]}" "$BASE/oembed"
}

# fetch_fits DESC URL TYPE WxH: URL answers 200, of TYPE and WxH, within
# a preview's limits (1280 px a side, 5 MB).
fetch_fits() {
	local w h
	req "$2"
	is "$store: $1: 200 $3" "$STATUS $(header content-type)" "200 $3"
	is "$store: $1: $4" "$(dims "$BODY")" "$4"
	IFS=x read -r w h <<<"$(dims "$BODY")"
	check "$store: $1: at most 1280 px a side" [ "${w:-9999}" -le 1280 -a \
		"${h:-9999}" -le 1280 ]
	check "$store: $1: at most 5 MB" [ "$(stat -c %s "$BODY")" -le 5000000 ]
}

# page_tags: the big photo's page before and after its variants.
page_tags() {
	local page og type w h href
	up "$TMP/big.jpg" page
	page=$BASE/$ID
	req "$page"
	is "$store: page 200" "$STATUS" 200
	og=$(meta og:image) type=$(meta og:image:type)
	w=$(meta og:image:width) h=$(meta og:image:height)
	is "$store: og:image is large before it is made, not the original" \
		"$og" "$BASE/i/$ID/large.jpg"
	is "$store: og:image:type, width, height" "$type $w $h" \
		"image/jpeg 1280 853"
	is "$store: twitter:image is og:image" "$(meta twitter:image)" "$og"
	is "$store: og:image:alt" "$(meta og:image:alt)" "Image $ID"
	is "$store: og:url" "$(meta og:url)" "$page"
	is "$store: twitter:card" "$(meta twitter:card)" summary_large_image
	href=$(discovery)
	like "$store: the discovery link names /oembed of the page" "$href" \
		"^$BASE/oembed\\?url=[^&]+&format=json$"
	check "$store: ... with a title" grep -q \
		"type=\"application/json+oembed\" href=\"[^\"]*\" title=\"Image $ID\"" \
		"$BODY"
	req "$href"
	is "$store: discovery: 200 JSON" "$STATUS $(header content-type)" \
		"200 application/json"
	is "$store: discovery: type photo 1.0" "$(json '.type + " " + .version')" \
		"photo 1.0"
	is "$store: discovery: url, width, height are og:image's" \
		"$(json '"\(.url) \(.width) \(.height)"')" "$og $w $h"
	is "$store: discovery: title, provider" \
		"$(json '"\(.title)|\(.provider_name)|\(.provider_url)"')" \
		"Image $ID|imghost|$BASE/"
	is "$store: discovery: the small thumbnail" \
		"$(json '"\(.thumbnail_url) \(.thumbnail_width) \(.thumbnail_height)"')" \
		"$BASE/i/$ID/small.jpg 320 213"
	is "$store: discovery: not cached while the variants are made" \
		"$(json '.cache_age // "none"') $(header cache-control)" \
		"none no-cache"
	is "$store: discovery: any origin may read it" \
		"$(header access-control-allow-origin)" "*"
	is "$store: discovery: each header once" "$(dup_headers)" ""
	run_resizer --once 2>>"$TMP/resize.log"
	fetch_fits "og:image" "$og" "$type" "${w}x$h"
	req "$page"
	is "$store: og:image once made: the same large" "$(meta og:image)" "$og"
	req "$href"
	is "$store: discovery once made: cache_age" \
		"$(json .cache_age) $(header cache-control)" \
		"86400 public, max-age=86400"
	fetch_fits "oEmbed thumbnail" "$(json .thumbnail_url)" image/jpeg 320x213
}

# bounds: maxwidth and maxheight pick the largest size that fits.
bounds() {
	local page=$BASE/$ID q url
	for q in "maxwidth=400 small 320x213" "maxwidth=700 medium 640x427" \
	    "maxheight=900 large 1280x853" "maxwidth=1280 large 1280x853" \
	    "maxwidth=2999 large 1280x853" "maxwidth=3000 original 3000x2000" \
	    "maxwidth=5000&maxheight=1999 large 1280x853" \
	    "maxwidth=639&maxheight=5000 small 320x213" \
	    "maxwidth=100 small 320x213"; do
		# shellcheck disable=SC2086 # "query size dims", meant to split
		set -- $q
		if [ "$2" = original ]; then url=$BASE/i/$ID.jpg
		else url=$BASE/i/$ID/$2.jpg; fi
		req "$BASE/oembed?url=$(jq -rn --arg u "$page" '$u|@uri')&format=json&$1"
		is "$store: $1: $2" "$(json '"\(.url) \(.width)x\(.height)"')" \
			"$url $3"
		req "$url"
		is "$store: $1: $2 is $3" "$(dims "$BODY")" "$3"
	done
}

# tiny: a 200x100 PNG is its own preview until its variants are made.
tiny() {
	local og
	up "$TMP/tiny.png" tiny
	req "$BASE/$ID"
	og=$(meta og:image)
	is "$store: a small PNG: og:image is the original before its variants" \
		"$og $(meta og:image:type) $(meta og:image:width)x$(meta og:image:height)" \
		"$BASE/i/$ID.png image/png 200x100"
	fetch_fits "small PNG og:image" "$og" image/png 200x100
	oembed "url=$BASE/$ID" format=json
	is "$store: a small PNG: oEmbed the same" \
		"$(json '"\(.url) \(.width)x\(.height) \(.thumbnail_url) \(.thumbnail_width)x\(.thumbnail_height)"')" \
		"$og 200x100 $BASE/i/$ID/small.png 200x100"
	run_resizer --once 2>>"$TMP/resize.log"
	req "$BASE/$ID"
	og=$(meta og:image)
	is "$store: a small PNG once made: og:image is large, at its own size" \
		"$og $(meta og:image:width)x$(meta og:image:height)" \
		"$BASE/i/$ID/large.png 200x100"
	fetch_fits "small PNG large" "$og" image/png 200x100
	oembed "url=$BASE/$ID" format=json maxwidth=150
	is "$store: a small PNG, maxwidth under it: the smallest there is" \
		"$(json '"\(.url) \(.width)x\(.height)"')" \
		"$BASE/i/$ID/small.png 200x100"
	oembed "url=$BASE/$ID" format=json maxwidth=250
	is "$store: a small PNG, maxwidth over it: large, its own size" \
		"$(json '"\(.url) \(.width)x\(.height)"')" \
		"$BASE/i/$ID/large.png 200x100"
}

# forms: the url parameter in the forms of this host that name the page.
forms() {
	local id=$ID host=${BASE#http://} u
	for u in "$BASE/$id" "https://$host/$id" "$BASE/$id?size=small" \
	    "HTTP://${host^^}/$id" "$BASE/$id#x"; do
		oembed "url=$u" format=json
		is "$store: url $u: 200" "$STATUS $(json .title)" "200 Image $id"
	done
	req "$BASE/oembed?url=$BASE/$id&format=json"
	is "$store: url not percent-encoded: 200" "$STATUS" 200
	req "$BASE/oembed?url=$BASE/$id?size=medium&format=json"
	is "$store: url not encoded with ?size=: 200" "$STATUS" 200
	oembed "url=$BASE/$id"
	is "$store: format left out: JSON" "$STATUS $(json .type)" "200 photo"
	req -H "Host: localhost:${host#*:}" "$BASE/oembed?url=http://localhost:${host#*:}/$id"
	is "$store: a loopback Host's own form" "$STATUS $(json .url)" \
		"200 http://localhost:${host#*:}/i/$id/large.jpg"
}

# refused: everything else.
refused() {
	local id=$ID host=${BASE#http://} u
	for u in "http://evil.example/$id" "http://$host.evil.example/$id" \
	    "http://evil.example@$host/$id" "http://$host@evil.example/$id" \
	    "$BASE/zzzzzzzz" "$BASE/$id/" "$BASE/i/$id.jpg" "$BASE/${id}x" \
	    "$BASE/" "$BASE" "garbage" "" "ftp://$host/$id" "//$host/$id" \
	    "/$id" "$BASE/$id/delete/x"; do
		oembed "url=$u" format=json
		is "$store: url '$u': 404 not_found" \
			"$STATUS $(header content-type) $(json .error.code)" \
			"404 application/json not_found"
	done
	req -H "Host: evil.example" "$BASE/oembed?url=http://evil.example/$id"
	is "$store: a foreign Host does not make its URLs ours" "$STATUS" 404
	req "$BASE/oembed?url=%zz&format=json"
	is "$store: a malformed escape: 400" "$STATUS $(json .error.code)" \
		"400 bad_request"
	req "$BASE/oembed?format=json"
	is "$store: no url: 400" "$STATUS $(json .error.code)" "400 bad_request"
	for f in xml XML html; do
		oembed "url=$BASE/$id" "format=$f"
		is "$store: format=$f: 501" "$STATUS $(json .error.code)" \
			"501 not_implemented"
	done
	for m in maxwidth=abc maxwidth=0 maxwidth=-5 maxwidth= \
	    "maxwidth=1 0" maxheight=12px maxheight=99999999999; do
		oembed "url=$BASE/$id" format=json "$m"
		is "$store: $m: 400" "$STATUS $(json .error.code)" \
			"400 bad_request"
	done
	req -I -G --data-urlencode "url=$BASE/$id" "$BASE/oembed"
	is "$store: HEAD: 200 JSON, no body" \
		"$STATUS $(header content-type) $(tail -c 4 "$BODY" | od -An -tx1 | tr -d ' \n')" \
		"200 application/json 0d0a0d0a"
	req -X POST -d "url=$BASE/$id" "$BASE/oembed"
	is "$store: POST: 405" "$STATUS $(header allow)" "405 GET, HEAD"
	req -X DELETE -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/images/$id"
	is "$store: the image deleted" "$STATUS" 204
	oembed "url=$BASE/$id" format=json
	is "$store: a deleted image: 404" "$STATUS $(json .error.code)" \
		"404 not_found"
}

# counted: /oembed counts under the pages' route of /metrics.
counted() {
	local before
	metric() {
		curl -s "$BASE/metrics" |
			awk '$1 == "imghost_http_requests_total{route=\"page\",code=\"2xx\"}" { print $2 }'
	}
	before=$(metric)
	oembed "url=$BASE/$1" format=json
	# The count is made once the answer is sent: a moment after.
	wait_for "$store: counted as a page" 10 \
		test "$(metric)" = "$((${before:-0} + 1))"
}

for store in fs s3; do
	use_store $store
	page_tags
	bounds
	counted "$ID"
	forms
	refused
	tiny
done

# With public_url (a CDN host under a path), its pages are this host's,
# and so are the request's own; links name public_url.  The fs store:
# what is tested is the configuration, not the store.
use_store fs
port=$(free_port)
pub=https://img.example/p
ns=$TMP/pub
url=${PG_URL/dbname=imghost/dbname=imghost_t31pub}
trap 'lighttpd_stop "$ns"' EXIT
createdb -h "$(pg_sockdir "$PG_DIR")" -U postgres imghost_t31pub &&
	IMGHOST_DATABASE_URL=$url "$TOP/imghost-resize" --migrate \
	--sql-dir "$TOP/sql" >/dev/null
( export IMGHOST_DATABASE_URL="$url" IMGHOST_STORE=fs \
	IMGHOST_FS_ROOT="$ns/store" IMGHOST_PUBLIC_URL=$pub
  lighttpd_start "$TOP" "$ns" "$port" "$ns/store" )
check "a stack with public_url $pub starts" [ $? -eq 0 ]
BASE=http://127.0.0.1:$port store=public_url
up "$TMP/big.jpg" pub
is "public_url: the page URL is under it" "$(json .page_url)" "$pub/$ID"
req "$BASE/$ID"
is "public_url: the discovery link is under it" "$(discovery)" \
	"$pub/oembed?url=$(jq -rn --arg u "$pub/$ID" '$u|@uri')&format=json"
is "public_url: og:image too" "$(meta og:image)" "$pub/i/$ID/large.jpg"
for u in "$pub/$ID" "http://img.example/p/$ID" "$BASE/$ID"; do
	oembed "url=$u" format=json
	is "public_url: url $u: 200, links under public_url" \
		"$STATUS $(json .url) $(json .provider_url)" \
		"200 $pub/i/$ID/large.jpg $pub/"
done
for u in "https://img.example/$ID" "https://img.example/q/$ID" \
    "https://other.example/p/$ID" "https://img.example.evil/p/$ID"; do
	oembed "url=$u" format=json
	is "public_url: url $u: 404" "$STATUS" 404
done
lighttpd_stop "$ns"
trap - EXIT
