# Serving: headers, conditional and range requests, the 307 fallback.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/images.sh"

img=$TMP/img
make_images "$img"

for store in fs s3; do
	use_store $store
	req -F "file=@$img/photo.jpg" "$BASE/api/v1/images"
	id=$(json .id) size=$(stat -c %s "$img/photo.jpg")
	orig=$BASE/i/$id.jpg

	req "$orig"
	is "$store: GET original 200" "$STATUS" 200
	is "$store: Content-Type" "$(header content-type)" image/jpeg
	is "$store: nosniff" "$(header x-content-type-options)" nosniff
	is "$store: immutable caching" "$(header cache-control)" \
		"public, max-age=31536000, immutable"
	etag=$(header etag) lastmod=$(header last-modified)
	like "$store: a strong ETag" "$etag" '^"[^"]+"$'
	like "$store: Last-Modified" "$lastmod" 'GMT$'
	is "$store: Content-Length" "$(header content-length)" "$size"

	req "$BASE/i/$id/original.jpg"
	check "$store: the long form serves the same bytes" \
		cmp -s "$BODY" "$img/photo.jpg"

	req -I "$orig"
	is "$store: HEAD 200" "$STATUS" 200
	is "$store: HEAD has the length" "$(header content-length)" "$size"
	# curl -I writes the headers as the body: nothing may follow them.
	is "$store: HEAD has no body" \
		"$(tail -c 4 "$BODY" | od -An -tx1 | tr -d ' \n')" 0d0a0d0a

	req -H "If-None-Match: $etag" "$orig"
	is "$store: If-None-Match gives 304" "$STATUS" 304
	check "$store: 304 has no body" [ ! -s "$BODY" ]
	req -H "If-Modified-Since: $lastmod" "$orig"
	is "$store: If-Modified-Since gives 304" "$STATUS" 304
	req -H 'If-None-Match: "other"' "$orig"
	is "$store: another ETag gives 200" "$STATUS" 200

	req -H "Range: bytes=100-199" "$orig"
	is "$store: Range gives 206" "$STATUS" 206
	is "$store: Content-Range" "$(header content-range)" \
		"bytes 100-199/$size"
	check "$store: the right 100 bytes" cmp -s "$BODY" \
		<(tail -c +101 "$img/photo.jpg" | head -c 100)
	# (With the fs store lighttpd sends the 200 and the app the 206.)
	is "$store: the 206 names the blob as the 200 does" "$(header etag)" \
		"$etag"
	is "$store: and so does its 304" "$(req -H "If-None-Match: $etag" \
		-H "Range: bytes=0-1" "$orig"; echo "$STATUS")" 304
	req -H "Range: bytes=100-199" -H "If-Range: $etag" "$orig"
	is "$store: If-Range with its ETag: 206" "$STATUS" 206
	req -H "Range: bytes=100-199" -H 'If-Range: "other"' "$orig"
	is "$store: If-Range with another ETag: the whole blob" \
		"$STATUS $(stat -c %s "$BODY")" "200 $size"
	req -H "Range: bytes=100-199" -H "If-Range: $lastmod" "$orig"
	is "$store: If-Range with its Last-Modified: 206" "$STATUS" 206
	req -H "Range: bytes=100-199" \
		-H "If-Range: Thu, 01 Jan 2004 00:00:00 GMT" "$orig"
	is "$store: If-Range with another date: the whole blob" "$STATUS" 200
	req -H "Range: bytes=-10" "$orig"
	is "$store: suffix range" "$STATUS $(stat -c %s "$BODY")" "206 10"
	req -H "Range: bytes=99999999-" "$orig"
	is "$store: unsatisfiable range 416" "$STATUS" 416
	is "$store: 416 says the size" "$(header content-range)" \
		"bytes */$size"

	for v in small medium large; do
		for ext in jpg webp; do
			req "$BASE/i/$id/$v.$ext"
			is "$store: $v.$ext not made yet: 307" "$STATUS" 307
			is "$store: $v.$ext: to the original" \
				"$(header location)" "$orig"
			is "$store: $v.$ext: not cached" \
				"$(header cache-control)" no-store
		done
	done
	for path in "$id/small.png" "$id.png" "$id/original.webp" \
	    "$id/huge.jpg" "$id/small.exe" "zzzzzzzz.jpg" "$id" \
	    "short.jpg"; do
		req --path-as-is "$BASE/i/$path"
		is "$store: /i/$path is 404" "$STATUS" 404
	done
	req "$BASE/_store/${id:0:2}/${id:2:2}/$id/original.jpg"
	is "$store: the store is reached only through /i/" "$STATUS" 404
	# Dot segments are refused before any rewrite reaches the store.
	req --path-as-is "$BASE/i/$id/../$id.jpg"
	is "$store: /i/$id/../$id.jpg is refused" "$STATUS" 404

	req "$BASE/api/v1/images/$id"
	is "$store: metadata 200" "$STATUS" 200
	is "$store: metadata id" "$(json .id)" "$id"
	is "$store: variants not ready" \
		"$(json '[.variants[].ready] | map(tostring) | join(",")')" \
		"false,false,false"
	req "$BASE/api/v1/images/zzzzzzzz"
	is "$store: unknown id metadata 404" "$STATUS" 404
	is "$store: 404 is JSON" "$(json .error.code)" not_found
done
