# Hostile input: payloads that want something run or fetched, bombs,
# broken and endless bodies, absurd headers.  Each gets its API.md status
# quickly, nothing runs, the app's memory stays bounded, no temporary
# file is left, and the service still serves afterwards.  (t_12 has the
# plain error table: text, an empty part, no boundary, a part without its
# end, the 411 and 413 rows.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostile.sh"

h=$TMP/h mark=$TMP/mark
mkdir -p "$mark"
: >"$mark/victim"
# A payload that ran would fetch this prefix from the fs stack: lighttpd's
# access log shows it.
probe=$FS_URL/hostile-probe
make_hostile_seeds "$h"
make_hostile "$h" "$probe" "$mark"
# Files older than this are not the app's (the unit tests run
# ImageMagick without a policy and leave some).
touch "$TMP/stamp"

# Bounds.  A sanitizer build is slower and several times bigger.
secs=10 rss_mb=200
if ldd "$TOP/imghost-fcgi" 2>/dev/null | grep -q libasan; then
	secs=30 rss_mb=900
fi

# fcgi_pids DIR: the app processes lighttpd of stack DIR runs.
fcgi_pids() {
	pgrep -P "$(cat "$1/run/lighttpd.pid")" -f imghost-fcgi
}

# peak_rss_mb DIR: the largest VmHWM of the stack's app processes, in MB.
peak_rss_mb() {
	local p max=0 kb
	for p in $(fcgi_pids "$1"); do
		kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		[ "${kb:-0}" -gt "$max" ] && max=$kb
	done
	echo $((max / 1024))
}

# up FILE [CURL-ARGS...]: uploads FILE as the multipart field "file",
# within the time bound.
up() {
	local f=$1
	shift
	req --max-time "$secs" -F "file=@$f;type=image/jpeg" "$@" \
		"$BASE/api/v1/images"
	[ "$STATUS" != 201 ] || created=$((created + 1))
}

# expect DESC STATUS CODE: the last answer's status and error code.
expect() {
	is "$store: $1" "$STATUS $(json .error.code)" "$2 $3"
}

# not_in FILE STRING: FILE exists and does not hold STRING.
not_in() {
	[ -f "$1" ] && ! grep -q -- "$2" "$1"
}

# raw PORT SECS: sends stdin as it is, prints the status line's code.
raw() {
	timeout "$2" bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; cat >&3;
		head -n 1 <&3" 2>/dev/null | awk '{ print $2 }'
}

# trickle: bodies that trickle in, a byte every two seconds, then stop.
# One more than the app has processes (var.fcgi_procs): when
# lighttpd streamed bodies to the app, these held every process for as
# long as they kept sending, and uploads and the API waited (79 s,
# measured).  lighttpd buffers them now, and lets each go after its
# read-idle time (60 s) once it stops.
trickle() {
	local t0 pids=() took k n
	n=$(sed -n 's/^var.fcgi_procs[\t ]*=[\t ]*\([0-9]*\).*/\1/p' \
		"$dir/lighttpd.conf")
	n=$((${n:-2} + 1))
	t0=$(date +%s)
	for k in $(seq "$n"); do
		{
			printf 'POST /api/v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n'
			head -c 100 "$h/photo.jpg"
			for i in 1 2 3 4 5; do sleep 2; printf x; done
		} | timeout 120 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port;
			cat >&3; cat <&3 >'$TMP/trickle.$k'" &
		pids+=($!)
	done
	sleep 3
	req --max-time "$secs" "$BASE/api/v1/images/$known_id"
	is "$store: while $n bodies trickle, the API answers" "$STATUS" 200
	up "$h/small.jpg"
	like "$store: while $n bodies trickle, an upload is answered" \
		"$STATUS" '^20[01]$'
	wait "${pids[@]}"
	took=$(($(date +%s) - t0))
	check "$store: stalled bodies are let go in ${took} s (<= 85)" \
		[ "$took" -le 85 ]
	like "$store: a stalled upload gets no success" \
		"$(head -n 1 "$TMP/trickle.1" | tr -d '\r')" \
		'^(HTTP/1.1 4[0-9][0-9] .*)?$'
	req --max-time "$secs" "$BASE/api/v1/images/$known_id"
	is "$store: after them, the API answers" "$STATUS" 200
}

for store in fs s3; do
	use_store $store
	dir=$OUT/$store port=${BASE##*:}
	rows=$(psql_q "SELECT count(*) FROM images") created=0
	since=$(psql_q "SELECT now()")
	up "$h/photo.jpg"
	known=$(json .url) known_id=$(json .id)
	like "$store: a known image is stored first" "$STATUS" '^20[01]$'

	# Payloads that would run something: 415, whatever they are called.
	for f in tragick.mvg tragick-mvg.jpg tragick.msl tragick-msl.jpg \
	    ephemeral.jpg script.svg script-svg.png write.ps write.eps \
	    write-eps.gif random.bin; do
		up "$h/$f"
		expect "$f is refused by its magic bytes" 415 unsupported_type
	done
	req --max-time "$secs" -H "Content-Type: image/svg+xml" \
		--data-binary "@$h/script.svg" "$BASE/api/v1/images"
	expect "a raw SVG body" 415 unsupported_type
	req --max-time "$secs" -H "Content-Type: image/jpeg" \
		--data-binary "@$h/tragick.mvg" "$BASE/api/v1/images"
	expect "a raw MVG body said to be a JPEG" 415 unsupported_type

	# Bombs and lies about the size: 422 from the header, at once.
	for f in bomb.png bomb-short.png pixels.png huge.jpg frames.gif \
	    ispe.heic pages.tif tall.bmp; do
		t0=$(date +%s%N)
		up "$h/$f"
		ms=$((($(date +%s%N) - t0) / 1000000))
		expect "$f is over the limits" 422 bad_image
		check "$store: $f answered in ${ms} ms (< $((secs * 300)) ms)" \
			[ "$ms" -lt $((secs * 300)) ]
	done
	# Right magic bytes, nothing a decoder takes.
	for f in bare.jpg bare.gif bare.webp random.jpg random.png cut.png \
	    cut.gif gifjs.gif cut.heic ifd-past.tif intmin.bmp; do
		up "$h/$f"
		expect "$f is a bad image" 422 bad_image
	done
	# A truncated JPEG still decodes (grey at the end): taken or refused,
	# never a 5xx, and served as uploaded when taken.
	up "$h/half.jpg"
	like "$store: half a JPEG: 201 or 422" "$STATUS" '^(201|200|422)$'
	if [ "$STATUS" != 422 ]; then
		req --max-time "$secs" "$(json .url)"
		check "$store: half a JPEG, taken, is served as uploaded" \
			cmp -s "$BODY" "$h/half.jpg"
	fi
	# Polyglots are images: stored, and served as images, never sniffed.
	for f in jpeg-zip.jpg gif-js.gif html.png; do
		up "$h/$f"
		like "$store: polyglot $f is stored" "$STATUS" '^20[01]$'
		url=$(json .url)
		req --max-time "$secs" -H "Range: bytes=0-" "$url"
		check "$store: polyglot $f is served byte-exact" \
			cmp -s "$BODY" "$h/$f"
		like "$store: polyglot $f is served as an image" \
			"$(header content-type)" '^image/(jpeg|gif|png)$'
		is "$store: polyglot $f: nosniff" \
			"$(header x-content-type-options)" nosniff
	done

	# Broken multipart beyond t_12.
	hdrs=$TMP/hdrs
	{
		printf -- '--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
		for i in $(seq 20000); do printf 'X-Pad-%d: %0100d\r\n' "$i" 0; done
		printf '\r\nx\r\n--b--\r\n'
	} >"$hdrs"
	req --max-time "$secs" -H "Content-Type: multipart/form-data; boundary=b" \
		--data-binary "@$hdrs" "$BASE/api/v1/images"
	expect "2 MB of part headers" 400 bad_request
	{
		printf -- '--b\r\nContent-Disposition: form-data; name="file"; filename="'
		head -c 1000000 /dev/zero | tr '\0' a
		printf '"\r\n\r\nx\r\n--b--\r\n'
	} >"$hdrs"
	req --max-time "$secs" -H "Content-Type: multipart/form-data; boundary=b" \
		--data-binary "@$hdrs" "$BASE/api/v1/images"
	expect "a 1 MB part header line" 400 bad_request
	b=$(head -c 200 /dev/zero | tr '\0' b)
	req --max-time "$secs" -H "Content-Type: multipart/form-data; boundary=$b" \
		--data-binary $'--'"$b"$'\r\n\r\nx\r\n--'"$b"$'--\r\n' \
		"$BASE/api/v1/images"
	expect "a 200-character boundary" 400 bad_request
	{
		printf -- '--b\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\n'
		cat "$h/photo.jpg"
		head -c 3000000 /dev/zero
	} >"$hdrs"
	req --max-time "$secs" -H "Content-Type: multipart/form-data; boundary=b" \
		--data-binary "@$hdrs" "$BASE/api/v1/images"
	expect "a 3 MB part that never ends" 400 bad_request
	req --max-time "$secs" -H "Content-Type: multipart/form-data; boundary=b" \
		--data-binary $'--b--\r\n' "$BASE/api/v1/images"
	expect "only the closing boundary" 400 bad_request
	req --max-time "$secs" -H "Transfer-Encoding: chunked" \
		-H "Content-Type: multipart/form-data; boundary=b" \
		--data-binary "@$h/photo.jpg" "$BASE/api/v1/images"
	expect "a chunked body of junk" 400 bad_request
	# A chunked body is an upload like any other (API.md), however its
	# chunks arrive: lighttpd used to answer 411 when it had not all of
	# it yet.
	codes=$(for i in 1 2 3 4 5 6; do
		curl -s -o /dev/null -w '%{http_code} ' --max-time "$secs" \
			-H "Transfer-Encoding: chunked" -F "file=@$h/photo.png" \
			"$BASE/api/v1/images"
		curl -s -o /dev/null -w '%{http_code} ' --max-time "$secs" \
			-H "Transfer-Encoding: chunked" -H "Content-Type: image/png" \
			--data-binary "@$h/photo.png" "$BASE/api/v1/images"
	done)
	like "$store: chunked uploads, multipart and raw, all stored" \
		"$codes" '^20[01] (200 ){11}$'
	[[ $codes != 201* ]] || created=$((created + 1))

	# lighttpd's and the app's time limits do not depend on the store.
	[ $store = s3 ] || trickle

	# Absurd Range headers.
	size=$(stat -c %s "$h/photo.jpg")
	for r in "bytes=$size-" "bytes=-0" "bytes=99999999999-"; do
		req --max-time "$secs" -H "Range: $r" "$known"
		is "$store: Range $r: 416" "$STATUS $(json .error.code)" \
			"416 bad_range"
		is "$store: Range $r: Content-Range" "$(header content-range)" \
			"bytes */$size"
	done
	for r in "bytes=99999999999999999999999999-" "bytes=5-1" "bytes=x-y" \
	    "bytes=$(seq -s ',' 0 400 | sed 's/[0-9]*/&-&/g')" \
	    "lines=0-1" "bytes=--1"; do
		req --max-time "$secs" -H "Range: $r" "$known"
		is "$store: Range ${r:0:40}: 200, all of it" "$STATUS" 200
		check "$store: Range ${r:0:40}: the whole blob" \
			cmp -s "$BODY" "$h/photo.jpg"
	done
	req --max-time "$secs" -H "Range: bytes=-99999999999" "$known"
	is "$store: a suffix longer than the blob: 206 of it all" "$STATUS" 206
	check "$store: and the bytes are all there" cmp -s "$BODY" "$h/photo.jpg"

	# Oversized URLs and headers: refused by lighttpd or the app, 4xx.
	long=$(head -c 2000 /dev/zero | tr '\0' a)
	req --max-time "$secs" "$BASE/i/$long.jpg"
	expect "a 2 kB path, over the app's buffer" 404 not_found
	status=$({ printf 'GET /'; head -c 200000 /dev/zero | tr '\0' a;
		printf ' HTTP/1.1\r\nHost: x\r\n\r\n'; } | raw "$port" "$secs")
	like "$store: a 200 kB path: refused" "$status" '^(400|414|431)$'
	req --max-time "$secs" -H "X-Big: $(head -c 100000 /dev/zero | tr '\0' a)" \
		"$known"
	like "$store: a 100 kB header: refused" "$STATUS" '^(400|431)$'
	args=()
	for i in $(seq 2000); do args+=(-H "X-H$i: v"); done
	req --max-time "$secs" "${args[@]}" "$known"
	like "$store: 2000 headers: refused or served" "$STATUS" \
		'^(200|400|431)$'
	status=$(printf 'POST /api/v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 99999999999999999999999\r\n\r\n' |
		raw "$port" "$secs")
	like "$store: an absurd Content-Length: refused" "$status" '^(400|413)$'
	status=$(printf 'POST /api/v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: -5\r\n\r\n' |
		raw "$port" "$secs")
	like "$store: a negative Content-Length: refused" "$status" '^(400|411)$'

	# Afterwards: nothing ran, nothing left behind, memory bounded, and
	# the service still serves.
	check "$store: no payload wrote a file" \
		[ -z "$(find "$mark" -mindepth 1 ! -name victim)" ]
	check "$store: the ephemeral: victim file is still there" \
		[ -e "$mark/victim" ]
	check "$store: no payload fetched a URL" \
		not_in "$OUT/fs/log/access.log" hostile-probe
	check "$store: no temporary file in the store" \
		[ -z "$(find "$dir/store" -name '.tmp.*' 2>/dev/null)" ]
	if [ -n "${MAGICK_TEMPORARY_PATH:-}" ]; then
		check "$store: no ImageMagick temporary file" \
			[ -z "$(find "$MAGICK_TEMPORARY_PATH" -mindepth 1 \
			-newer "$TMP/stamp")" ]
	fi
	peak=$(peak_rss_mb "$dir")
	check "$store: app peak RSS ${peak} MB (< $rss_mb MB)" \
		[ "$peak" -gt 0 -a "$peak" -lt "$rss_mb" ]
	check "$store: all app processes are still the ones started" \
		[ "$(fcgi_pids "$dir" | wc -l)" -ge 1 ]
	req --max-time "$secs" "$known"
	is "$store: the known image is still served" "$STATUS" 200
	check "$store: byte-exact" cmp -s "$BODY" "$h/photo.jpg"
	is "$store: only the images that are images were stored" \
		"$(psql_q "SELECT count(*) FROM images")" \
		"$((rows + created))"
	bad=0
	for url in $(psql_q "$(public_urls_sql)"); do
		code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE$url")
		[ "$code" = 200 ] || bad=$((bad + 1))
	done
	is "$store: no row points at a missing blob" "$bad" 0
	# The resizer meets these in t_17; their jobs (one fails for good)
	# must not stay in the queue that later tests count.
	psql_q "DELETE FROM resize_jobs WHERE image_id IN (SELECT id FROM
		images WHERE created_at >= '$since')" >/dev/null
done
