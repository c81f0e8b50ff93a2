# The resizer meets the hostile corpus: rows and jobs put in directly
# (as a store written by an older version, or by hand, could hold them),
# the blobs put in the store under the rows' keys.  One run of --once
# marks each job failed with a reason, runs nothing, exits normally, and
# still makes the variants of the good jobs queued beside them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostile.sh"

h=$TMP/h mark=$TMP/mark
mkdir -p "$mark"
: >"$mark/victim"
probe=$FS_URL/hostile-resize-probe
make_hostile_seeds "$h"
make_hostile "$h" "$probe" "$mark"
# Files older than this are not the resizer's (the unit tests run
# ImageMagick without a policy and leave some).
touch "$TMP/stamp"

secs=120 rss_mb=200
if ldd "$TOP/imghost-resize" 2>/dev/null | grep -q libasan; then
	secs=300 rss_mb=600
fi

# The blob, the row type it is filed under.
cases="tragick.mvg:jpeg tragick.msl:jpeg ephemeral.jpg:jpeg script.svg:png
	write.ps:jpeg write.eps:gif random.bin:webp gifjs.gif:gif
	bomb.png:png bomb-short.png:png pixels.png:png huge.jpg:jpeg
	frames.gif:gif bare.jpg:jpeg bare.gif:gif bare.webp:webp
	random.jpg:jpeg random.png:png cut.png:png photo.png:jpeg
	missing:png"

# new_id: a random id, as lib/id.c draws them (but from $RANDOM: these
# rows only live in the test).
new_id() {
	local a=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_
	local i s=
	for i in 1 2 3 4 5 6 7 8; do s+=${a:RANDOM % 64:1}; done
	echo "$s"
}

# put_blob KEY FILE: writes FILE into the current store under KEY.
put_blob() {
	if [ "$STORE" = fs ]; then
		mkdir -p "$OUT/fs/store/${1:0:2}/${1:2:2}/${1%%/*}"
		cp "$2" "$OUT/fs/store/${1:0:2}/${1:2:2}/$1"
	else
		curl -sf -o /dev/null --aws-sigv4 "aws:amz:$RGW_REGION:s3" \
			--user "$RGW_ACCESS_KEY:$RGW_SECRET_KEY" -X PUT \
			-H "x-amz-content-sha256: $(sha256sum <"$2" | cut -d' ' -f1)" \
			--data-binary "@$2" "$RGW_ENDPOINT/$RGW_BUCKET/$1"
	fi
}

# del_blobs ID: removes what put_blob stored for ID.
del_blobs() {
	local k
	if [ "$STORE" = fs ]; then
		rm -rf "$OUT/fs/store/${1:0:2}/${1:2:2}/$1"
		return
	fi
	for k in jpg png gif webp; do
		curl -s -o /dev/null --aws-sigv4 "aws:amz:$RGW_REGION:s3" \
			--user "$RGW_ACCESS_KEY:$RGW_SECRET_KEY" -X DELETE \
			-H "x-amz-content-sha256: $(printf '' | sha256sum |
			cut -d' ' -f1)" "$RGW_ENDPOINT/$RGW_BUCKET/$1/original.$k"
	done
}

ext_of() {
	case $1 in jpeg) echo jpg ;; *) echo "$1" ;; esac
}

for store in fs s3; do
	use_store $store
	# Two good images, queued the ordinary way.  (Jobs other tests left
	# are done by the same run; they are not counted.)
	good=()
	for s in 5 6; do
		[ $store = fs ] || s=$((s + 2))
		convert -size 900x700 plasma:fractal -seed "$s" \
			"$TMP/good-$s.jpg"
		req -F "file=@$TMP/good-$s.jpg" "$BASE/api/v1/images"
		good+=("$(json .id)")
	done
	is "$store: two good jobs queued" "$(psql_q "SELECT count(*) FROM
		resize_jobs WHERE image_id IN ($(id_int "${good[0]}"),
		$(id_int "${good[1]}"))")" 2
	ids=() n=0 mine=
	for c in $cases; do
		f=${c%%:*} type=${c##*:} id=$(new_id)
		ids+=("$id:$f") mine+="$(id_int "$id"),"
		psql_q "INSERT INTO images (id, bytes, width, height, type, sha256)
			VALUES ($(id_int "$id"), 1000, 100, 100, '$type',
			decode(md5('$id') || md5('$id$f'), 'hex'))" >/dev/null
		# The last try of five: one more failure marks it failed.
		# The first hostile job is on its first try instead.
		psql_q "INSERT INTO resize_jobs (image_id, attempts)
			VALUES ($(id_int "$id"), $([ $n = 0 ] && echo 0 || echo 4))" \
			>/dev/null
		[ "$f" = missing ] ||
			put_blob "$id/original.$(ext_of "$type")" "$h/$f" ||
			fail "$store: could not store $f"
		n=$((n + 1))
	done
	mine=${mine%,}
	is "$store: $n hostile jobs queued beside them" "$(psql_q "SELECT
		count(*) FROM resize_jobs WHERE image_id IN ($mine)")" "$n"

	t0=$(date +%s)
	# timeout signals the resizer itself: around /usr/bin/time, it
	# would kill time and leave the resizer running, an orphan.
	# (time's figure is the largest of its descendants, the workers.)
	( resizer_env; exec /usr/bin/time -f '%M' -o "$TMP/rss-$store" \
		timeout -k 10 "$secs" "$TOP/imghost-resize" --once ) \
		2>"$TMP/resize-$store.log"
	rc=$?
	took=$(($(date +%s) - t0))
	is "$store: the resizer exits normally" "$rc" 0
	check "$store: within ${took} s (< $secs s)" [ "$took" -lt "$secs" ]
	rss=$(($(tail -n 1 "$TMP/rss-$store") / 1024))
	check "$store: resizer peak RSS ${rss} MB (< $rss_mb MB)" \
		[ "$rss" -lt "$rss_mb" ]

	for g in "${good[@]}"; do
		is "$store: good job $g done" "$(psql_q "SELECT count(*) FROM
			resize_jobs WHERE image_id = $(id_int "$g")")" 0
		is "$store: good image $g has its variants" "$(psql_q "SELECT
			count(*) FROM variants WHERE image_id = $(id_int "$g")")" 6
		req "$BASE/i/$g/small.webp"
		is "$store: and they are served" "$STATUS" 200
	done
	first=1
	for x in "${ids[@]}"; do
		id=${x%%:*} f=${x#*:}
		row=$(psql_q "SELECT state, attempts, last_error <> ''
			FROM resize_jobs WHERE image_id = $(id_int "$id")")
		if [ $first = 1 ]; then
			# (Its backoff is a second or two: --once may have
			# tried it again meanwhile.)
			like "$store: $f on its first try: queued again, with why" \
				"$row" '^queued\|[1-4]\|t$'
			first=0
		else
			is "$store: $f: failed, with why" "$row" "failed|5|t"
		fi
		is "$store: $f: no variant row" "$(psql_q "SELECT count(*) FROM
			variants WHERE image_id = $(id_int "$id")")" 0
	done
	like "$store: the 65000x65000 JPEG is refused before decoding" \
		"$(psql_q "SELECT last_error FROM resize_jobs WHERE image_id =
		$(id_int "$(printf '%s\n' "${ids[@]}" | grep ':huge.jpg$' |
		cut -d: -f1)")")" '^will not decode'
	check "$store: no payload wrote a file" \
		[ -z "$(find "$mark" -mindepth 1 ! -name victim)" ]
	check "$store: the ephemeral: victim file is still there" \
		[ -e "$mark/victim" ]
	check "$store: no payload fetched a URL" bash -c \
		"! grep -q hostile-resize-probe '$OUT/fs/log/access.log'"
	if [ -n "${MAGICK_TEMPORARY_PATH:-}" ]; then
		check "$store: no ImageMagick temporary file" \
			[ -z "$(find "$MAGICK_TEMPORARY_PATH" -mindepth 1 \
			-newer "$TMP/stamp")" ]
	fi
	# These rows are not uploads: other tests check that every row's
	# blob is served.
	psql_q "DELETE FROM images WHERE id IN ($mine)" >/dev/null
	for x in "${ids[@]}"; do
		del_blobs "${x%%:*}"
	done
done
