# The pages: upload page, image page, ShareX config, HTML errors, static
# files; first with curl, then in headless Chromium (tests/browser).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/images.sh"
. "$TOP/stack/lighttpd.sh"

img=$TMP/img
make_images "$img"
# Other tests upload the same images; these pages need new ones.
for f in progressive.jpg rotated.jpg photo.jpg; do
	convert "$img/$f" -set comment "t_30 $$ $RANDOM" "$img/new-$f"
	mv "$img/new-$f" "$img/$f"
done
# A HEIC for the upload card's thumbnail, which Chromium cannot show.
heif-enc -q 50 "$img/photo.jpg" -o "$img/photo.heic" >/dev/null 2>&1 ||
	skip "no heif-enc: the HEIC upload card is not tried"
CSP="default-src 'none'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

# no_inline: the last body has no inline script or style to allow.
no_inline() {
	! grep -Eiq '<script>|<script [^>]*>[^<]|<style|style=|[[:space:]]on[a-z]+=' \
		"$BODY"
}

# one_line REGEX: the last body, its lines joined, matches the extended REGEX.
one_line() {
	tr -d '\n' <"$BODY" | grep -Eq "$1"
}

# absent REGEX: the last body has no match of the extended REGEX.
absent() {
	! grep -Eq "$1" "$BODY"
}

# static_ok KIND URL FILE TYPE: a fingerprinted static file is served.
static_ok() {
	req "$BASE$2"
	is "$store: $1 200" "$STATUS" 200
	is "$store: $1 type" "$(header content-type)" "$4"
	is "$store: $1 cached for a year" "$(header cache-control)" \
		"public, max-age=31536000, immutable"
	check "$store: $1 is static/$3" cmp -s "$BODY" "$TOP/static/$3"
	like "$store: $1 name carries its hash" "$2" \
		"\\.$(sha256sum "$TOP/static/$3" | cut -c1-8)\\."
}

upload_page() {
	req "$BASE/"
	is "$store: GET / 200" "$STATUS" 200
	is "$store: GET / is HTML" "$(header content-type)" \
		"text/html; charset=utf-8"
	is "$store: GET / CSP" "$(header content-security-policy)" "$CSP"
	check "$store: GET / has no inline script or style" no_inline
	check "$store: the no-JS form posts a file to /" grep -q \
		'<form [^>]*method="post" action="/" enctype="multipart/form-data"' \
		"$BODY"
	check "$store: the field is called file" grep -q 'type="file" id="file" name="file"' "$BODY"
	check "$store: ... and not required (a url may stand for it)" \
		absent '<input type="file"[^>]* required'
	check "$store: the form has an upload-by-url field" grep -q \
		'<input type="url" id="url" name="url"' "$BODY"
	check "$store: ... inside the form, before its no-JS button" \
		one_line 'name="url".*class="button nojs">Upload</button>'

	css=$(grep -o '/static/app\.[0-9a-f]*\.css' "$BODY")
	js=$(grep -o '/static/app\.[0-9a-f]*\.js' "$BODY")
	static_ok "CSS" "$css" app.css "text/css; charset=utf-8"
	static_ok "JS" "$js" app.js "text/javascript; charset=utf-8"
	req "$BASE/static/app.css"
	is "$store: a static name without its hash is 404" "$STATUS" 404
	req "$BASE/_static/app.css"
	is "$store: /_static/ is not reachable directly" "$STATUS" 404
	req -I "$BASE/"
	is "$store: HEAD / 200" "$STATUS" 200
	is "$store: HEAD / has no body" \
		"$(tail -c 4 "$BODY" | od -An -tx1 | tr -d ' \n')" 0d0a0d0a
	req -X PUT "$BASE/"
	is "$store: PUT / 405" "$STATUS $(header allow)" "405 GET, HEAD, POST"
}

sharex() {
	req "$BASE/sharex.sxcu"
	is "$store: sharex 200" "$STATUS" 200
	like "$store: sharex is an attachment" \
		"$(header content-disposition)" '^attachment; filename="[^"]+\.sxcu"$'
	check "$store: sharex is JSON" jq -e . "$BODY" >/dev/null
	is "$store: sharex RequestURL" "$(json .RequestURL)" \
		"$BASE/api/v1/images"
	is "$store: sharex fields" "$(json '[.DestinationType, .RequestMethod, .Body, .FileFormName, .URL, .ThumbnailURL] | join(" ")')" \
		"ImageUploader POST MultipartFormData file {json:url} {json:variants.small.url}"
}

# share_codes SIZE W H EXT: the last page's chips and share codes are
# of that size, with no script to put them (the no-JS HTML).
share_codes() {
	local u="$BASE/i/$id/$1.$4" p="$BASE/$id" q='&quot;'
	check "$store: $1: its chip is the current one" grep -Eq \
		"<a class=\"chip\" href=\"/$id\\?size=$1\" aria-current=\"true\"" \
		"$BODY"
	is "$store: $1: one chip is current" \
		"$(grep -o 'aria-current="true"' "$BODY" | wc -l)" 1
	check "$store: $1: Page is the page" grep -q \
		"id=\"l-page\" data-code=\"page\" readonly value=\"$p\"" "$BODY"
	check "$store: $1: Direct is its URL" grep -q \
		"id=\"l-direct\" data-code=\"direct\" readonly value=\"$u\"" "$BODY"
	check "$store: $1: Markdown" grep -qF \
		"readonly value=\"[![Image $id]($u)]($p)\"" "$BODY"
	check "$store: $1: BBCode" grep -qF \
		"readonly value=\"[url=$p][img]$u[/img][/url]\"" "$BODY"
	check "$store: $1: HTML with width, height and alt" grep -qF \
		"readonly value=\"&lt;a href=$q$p$q&gt;&lt;img src=$q$u$q width=$q$2$q height=$q$3$q alt=${q}Image $id$q&gt;&lt;/a&gt;\"" \
		"$BODY"
}

image_page() {
	local id
	req -F "file=@$img/progressive.jpg" "$BASE/api/v1/images"
	id=$(json .id)
	req "$BASE/$id"
	is "$store: GET /{id} 200" "$STATUS" 200
	is "$store: /{id} is HTML" "$(header content-type)" \
		"text/html; charset=utf-8"
	is "$store: /{id} CSP" "$(header content-security-policy)" "$CSP"
	check "$store: /{id} has no inline script or style" no_inline
	check "$store: og:image: the original while large is not made" grep -q \
		"<meta property=\"og:image\" content=\"$BASE/i/$id.jpg\">" "$BODY"
	check "$store: og:url" grep -q \
		"<meta property=\"og:url\" content=\"$BASE/$id\">" "$BODY"
	check "$store: twitter:card" grep -q \
		'<meta name="twitter:card" content="summary_large_image">' "$BODY"
	like "$store: <picture> has the WebP <source> first" \
		"$(grep -o '<picture[^>]*><[a-z]* [^>]*>' "$BODY")" \
		"<picture id=\"picture\"><source id=\"webp\" type=\"image/webp\" srcset=\"$BASE/i/$id/large.webp\">"
	check "$store: the <img> is the large JPEG" grep -q \
		"<img id=\"image\" src=\"$BASE/i/$id/large.jpg\" width=\"640\" height=\"480\"" "$BODY"
	for s in small medium large original; do
		check "$store: a size chip links ?size=$s" grep -q \
			"<a class=\"chip\" href=\"/$id?size=$s\"" "$BODY"
	done
	check "$store: a link to the original" grep -q \
		"href=\"$BASE/i/$id.jpg\">Open the original" "$BODY"
	check "$store: dimensions and type" grep -q \
		'<dd>640 × 480</dd>.*<dd>JPEG</dd>' "$BODY"
	check "$store: the page has an <h1>" grep -q "<h1>Image $id</h1>" "$BODY"
	share_codes large 640 480 jpg
	check "$store: copy buttons say what they copy" one_line \
		'>Copy link</button>.*>Copy URL</button>.*>Copy Markdown</button>.*>Copy BBCode</button>.*>Copy HTML</button>'

	check "$store: a Share button, hidden until the script sees navigator.share" \
		grep -q '<button type="button" class="button" id="share" hidden>' "$BODY"
	check "$store: no placeholder before the variants" \
		absent 'data-placeholder='
	run_resizer --once 2>>"$TMP/resize.log"
	req "$BASE/$id"
	check "$store: og:image: the large variant once made" grep -q \
		"<meta property=\"og:image\" content=\"$BASE/i/$id/large.jpg\">" "$BODY"
	cp "$BODY" "$TMP/page.html"
	req "$BASE/api/v1/images/$id"
	ph=$(json .placeholder)
	like "$store: the API has the placeholder, a base64 ThumbHash" "$ph" \
		'^[A-Za-z0-9+/]{20,}={0,2}$'
	check "$store: ... and the <img> carries it for the script to paint" \
		grep -q "<img id=\"image\" [^>]* data-placeholder=\"$ph\">" \
		"$TMP/page.html"
	# The browser test paints this one.
	eval "PH_$store=\$id"
	req "$BASE/$id?size=small"
	check "$store: ?size=small shows small" grep -q \
		"<img id=\"image\" src=\"$BASE/i/$id/small.jpg\"" "$BODY"
	share_codes small 320 240 jpg
	req "$BASE/$id?size=medium"
	share_codes medium 640 480 jpg
	req "$BASE/$id?size=original"
	check "$store: ?size=original: the JPEG alone, no WebP source" \
		grep -q "<picture id=\"picture\"><img id=\"image\" src=\"$BASE/i/$id.jpg\"" "$BODY"
	req "$BASE/$id?size=%3Cscript%3E&x=<b>"
	check "$store: a query is never echoed" absent '<script>|<b>|%3Cscript'
	# lighttpd refuses most such hosts itself (400); api_base_url() the rest.
	for h in '<script>alert(1)</script>' 'x"><script>alert(1)</script>' \
	    "x'onload=alert(1)" 'a_b<b>'; do
		req -H "Host: $h" "$BASE/$id"
		like "$store: Host $h: page or 400" "$STATUS" '^(200|400)$'
		check "$store: Host $h: never in the page unescaped" \
			absent "<script>alert|'onload|<b>"
	done
	req -I "$BASE/$id"
	is "$store: HEAD /{id} 200 with no body" "$STATUS $(tail -c 4 "$BODY" | od -An -tx1 | tr -d ' \n')" "200 0d0a0d0a"
	req -d x "$BASE/$id"
	is "$store: POST /{id} 405" "$STATUS" 405
}

errors() {
	req "$BASE/zzzzzzzz"
	is "$store: unknown id 404" "$STATUS" 404
	is "$store: ... as HTML" "$(header content-type)" "text/html; charset=utf-8"
	is "$store: ... with the CSP" "$(header content-security-policy)" "$CSP"
	check "$store: ... friendly" grep -q '<h1>Nothing here</h1>' "$BODY"
	check "$store: ... with a way on" grep -q 'href="/">Upload an image' "$BODY"
	for p in /zzzzzzzz/whatever /zzzzzzz /zzzzzzzzz '/zzz%3Cb%3Ezz' /index.html; do
		req --path-as-is "$BASE$p"
		is "$store: $p 404" "$STATUS" 404
	done
	req "$BASE/api/v1/images/zzzzzzzz"
	is "$store: the API's 404 stays JSON" "$(json .error.code)" not_found
}

no_js_form() {
	local id
	req -F "file=@$img/cmyk.jpg" "$BASE/"
	# 201, or 200 where the browser test uploaded the same bytes first.
	like "$store: the no-JS form answers a page" \
		"$STATUS $(header content-type)" "^20[01] text/html; charset=utf-8$"
	id=$(grep -o 'href="/[A-Za-z0-9_-]\{8\}"' "$BODY" | head -n 1 |
		cut -c8-15)
	like "$store: ... that links the image page" "$id" '^[A-Za-z0-9_-]{8}$'
	check "$store: ... and gives the delete link" \
		grep -Eq "/$id/delete/[A-Za-z0-9_-]{32}" "$BODY"
	req "$BASE/api/v1/images/$id"
	is "$store: ... of the image just uploaded" "$(json .width)x$(json .height)" 300x200
	req -F "file=@$img/cmyk.jpg" "$BASE/"
	is "$store: the same image again: 200" "$STATUS" 200
	req -F "file=@$img/text.txt" "$BASE/"
	is "$store: no-JS text file: 415" "$STATUS" 415
	is "$store: ... as an HTML page" "$(header content-type)" "text/html; charset=utf-8"
	check "$store: ... that says what to do" grep -q 'Upload a JPEG, PNG, GIF, WebP, AVIF, HEIC/HEIF, TIFF or BMP image' "$BODY"
	req -F "file=@$img/empty.jpg" "$BASE/"
	is "$store: no-JS empty file: 400 HTML" "$STATUS $(header content-type)" \
		"400 text/html; charset=utf-8"
	req -F "file=@$img/bare.png" "$BASE/"
	is "$store: no-JS broken image: 422 HTML" "$STATUS $(header content-type)" \
		"422 text/html; charset=utf-8"
	# (photo.jpg is left for the browser test to upload as new.)
	req -F "file=@$img/rotated.jpg" "$BASE/api/v1/images"
	is "$store: the API still answers JSON" "$STATUS $(header content-type)" \
		"201 application/json"
}

# A stack of its own that may fetch images from the fs stack (its
# url_upload_allow), for uploads by url from the page: the shared
# stacks refuse loopback addresses.
UP=$(free_port)
U=http://127.0.0.1:$UP
url_db=${PG_URL/dbname=imghost/dbname=imghost_pageurl}
url_stack() {
	createdb -h "$(pg_sockdir "$PG_DIR")" -U postgres imghost_pageurl &&
	IMGHOST_DATABASE_URL=$url_db "$TOP/imghost-resize" --migrate \
		--sql-dir "$TOP/sql" >/dev/null || return 1
	(
		export IMGHOST_DATABASE_URL="$url_db" IMGHOST_STORE=fs \
			IMGHOST_FS_ROOT="$TMP/url/store" \
			IMGHOST_URL_UPLOAD_ALLOW="${FS_URL#http://}"
		lighttpd_start "$TOP" "$TMP/url" "$UP" "$TMP/url/store"
	)
}
trap 'lighttpd_stop "$TMP/url"' EXIT

# The upload page's url field without a script: the form posts an empty
# file part and the url, as a browser does.
url_form() {
	local id src=$FS_URL/i/$PH_fs.jpg
	req -H 'Accept: text/html' -F 'file=@/dev/null;filename=' \
		-F "url=$src" "$U/"
	is "url form: an address alone uploads, 201 HTML" \
		"$STATUS $(header content-type)" "201 text/html; charset=utf-8"
	check "url form: ... saying so" grep -q '<h1>Uploaded</h1>' "$BODY"
	id=$(grep -o 'href="/[A-Za-z0-9_-]\{8\}"' "$BODY" | head -n 1 |
		cut -c8-15)
	check "url form: ... with its share codes on this host" grep -q \
		"id=\"l-direct\" data-code=\"direct\" readonly value=\"$U/i/$id.jpg\"" \
		"$BODY"
	req "$U/i/$id.jpg"
	check "url form: ... of the bytes at the address" cmp -s "$BODY" \
		"$img/progressive.jpg"
	req -H 'Accept: text/html' -F 'file=@/dev/null;filename=' \
		-F "url=http://127.0.0.1:1/x.png" "$U/"
	is "url form: an address that gives nothing: 400 HTML" \
		"$STATUS $(header content-type)" "400 text/html; charset=utf-8"
	check "url form: ... that says to check the address" grep -q \
		"check the image&#39;s address\|check the image's address" "$BODY"
	req -H 'Accept: text/html' -F 'file=@/dev/null;filename=' -F 'url=' \
		"$U/"
	is "url form: neither a file nor an address: 400" "$STATUS" 400
}

for store in fs s3; do
	use_store $store
	upload_page
	sharex
	image_page
	errors
	no_js_form
done
if check "a stack that may fetch from the fs stack starts" url_stack; then
	url_form
else
	U=
fi

# The browser: Debian's chromium, driven by playwright-core from npm.
browser_ready() {
	[ -x /usr/bin/chromium ] || deps_install chromium nodejs || return 1
	command -v node >/dev/null || return 1
	# playwright-core, and the reference ThumbHash decoder the
	# placeholder's pixels are held to; again when the lock changes.
	deps_npm "$TOP/tests/browser"
}

if browser_ready; then
	pass "headless Chromium and playwright-core are ready"
	for store in fs s3; do
		use_store $store
		# The uploads by url run once, on the stack made for them.
		[ $store = fs ] && u=$U || u=
		eval "ph=\$PH_$store"
		timeout 240 node "$TOP/tests/browser/pages.js" "$BASE" $store \
			"$img" "$TMP" "$ph" "$u" "${u:+$FS_URL/i/$PH_fs.jpg}" ||
			fail "$store: the browser test exited with status $?"
	done
else
	fail "headless Chromium and playwright-core are ready"
fi
