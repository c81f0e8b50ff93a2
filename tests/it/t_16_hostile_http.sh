# Hostile requests that lighttpd itself sees first: every one gets the
# contract's status and its JSON error (HTML for a browser), never
# lighttpd's own page; methods other than GET and HEAD never reach a
# blob; no alias of a blob's URL is served.
. "$(dirname "$0")/lib.sh"

BROWSER="text/html,application/xhtml+xml,*/*;q=0.8"

# raw PORT REQUEST: sends REQUEST (a printf format) as it is; sets
# STATUS, HEADERS (names lower-cased) and BODY of the answer.
raw() {
	HEADERS=$TMP/headers BODY=$TMP/body
	printf "$2" >"$TMP/raw-req"
	timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; cat >&3; cat <&3" \
		<"$TMP/raw-req" >"$TMP/raw"
	tr -d '\r' <"$TMP/raw" | sed -n '1,/^$/p' >"$TMP/raw-head"
	tr -d '\r' <"$TMP/raw" | sed -e '1,/^$/d' >"$BODY"
	STATUS=$(head -n 1 "$TMP/raw-head" | awk '{ print $2 }')
	awk -F': ' 'NR > 1 { printf "%s: %s\n", tolower($1), $2 }' \
		"$TMP/raw-head" >"$HEADERS"
}

# contract WHAT STATUS CODE: the last answer is the app's JSON error.
contract() {
	is "$STORE: $1" "$STATUS $(header content-type) $(json .error.code)" \
		"$2 application/json $3"
	is "$STORE: $1: each header once" "$(dup_headers)" ""
}

for store in fs s3; do
	use_store $store
	port=${BASE##*:}
	convert -size 40x30 "xc:rgb(7,${#store}1,77)" "$TMP/$store.png"
	req -F "file=@$TMP/$store.png" "$BASE/api/v1/images"
	id=$(json .id)

	raw "$port" 'POST /api/v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nConnection: close\r\n\r\n'
	contract "no length: 411" 411 length_required
	raw "$port" 'POST /api/v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n'
	contract "Transfer-Encoding: gzip: 400" 400 bad_request
	raw "$port" 'POST /api/v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 36000000\r\nConnection: close\r\n\r\n'
	contract "a length over lighttpd's own limit: 413" 413 too_large
	raw "$port" 'GET /i/../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
	contract "a dot segment: 404" 404 not_found
	raw "$port" 'GET /.git/config HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
	contract "/.git/config: 404" 404 not_found
	raw "$port" 'GET / HTTP/1.1\r\nHost: x\r\nX: \001\r\nConnection: close\r\n\r\n'
	contract "a control character in a header: 400" 400 bad_request
	raw "$port" "GET /no/such HTTP/1.1\r\nHost: x\r\nAccept: $BROWSER\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n"
	is "$store: a browser's bad request: an HTML page" \
		"$STATUS $(header content-type)" "400 text/html; charset=utf-8"

	for m in POST PUT OPTIONS DELETE PATCH; do
		for u in "/i/$id.png" "/i/$id/small.png"; do
			req -X $m --data-binary '' "$BASE$u"
			is "$store: $m $u: 405" "$STATUS $(json .error.code)" \
				"405 method_not_allowed"
			is "$store: $m $u: Allow" "$(header allow)" "GET, HEAD"
			check "$store: $m $u: no image bytes" \
				bash -c "! grep -q PNG '$BODY'"
		done
	done
	req "$BASE/i/$id.png"
	is "$store: GET of the blob still 200" "$STATUS" 200

	# One URL for each blob: %-encoded letters of the id are another
	# path, which no blob has.
	enc="%$(printf '%s' "${id:0:1}" | od -An -tx1 | tr -d ' ')${id:1}"
	req --path-as-is "$BASE/i/$enc.png"
	is "$store: /i/$enc.png (an encoded alias) is 404" "$STATUS" 404
	req --path-as-is "$BASE/i/$enc/small.png"
	is "$store: its variant too" "$STATUS" 404
	req --path-as-is "$BASE/%69/$id.png"
	is "$store: an encoded /i/ too" "$STATUS" 404
done

# Without public_url a Host header names the links only when it is the
# loopback; any other names the address the request came in on.
for store in fs s3; do
	use_store $store
	port=${BASE##*:}
	convert -size 41x30 "xc:rgb(8,${#store}2,78)" "$TMP/host-$store.png"
	req -H "Host: evil.example" -F "file=@$TMP/host-$store.png" \
		"$BASE/api/v1/images"
	hid=$(json .id)
	is "$store: a foreign Host: the JSON's links" "$(json '.url, .page_url,
		.variants.small.url' | cut -d/ -f1-3 | sort -u)" \
		"http://127.0.0.1:$port"
	is "$store: a foreign Host: Location" "$(header location)" \
		"http://127.0.0.1:$port/$hid"
	req -H "Host: evil.example" "$BASE/i/$hid/small.png"
	is "$store: a foreign Host: the stand-in's Location" \
		"$(header location)" "http://127.0.0.1:$port/i/$hid.png"
	req -H "Host: evil.example" "$BASE/$hid"
	check "$store: a foreign Host: the page names no foreign link" \
		bash -c "! grep -q evil.example '$BODY'"
	req -H "Host: evil.example" "$BASE/sharex.sxcu"
	like "$store: a foreign Host: ShareX's RequestURL" \
		"$(json .RequestURL)" "^http://127.0.0.1:$port/"
	req -H "Host: localhost:$port" "$BASE/api/v1/images/$hid"
	like "$store: a loopback Host names the links" "$(json .url)" \
		"^http://localhost:$port/i/"
done
