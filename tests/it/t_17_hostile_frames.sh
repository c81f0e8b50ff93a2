# Frames times canvas, and the edges of the limits (issue 15, items 4
# and 5).  An animation whose frames, coalesced onto its canvas, hold
# more than max_pixels / 8 is refused at upload from its headers; the
# resizer, given one anyway (a row put in directly), refuses it before
# decoding; what the upload accepts, the resizer makes variants of,
# within its memory: the largest image of each format at the side and
# pixel limits (on stacks of their own with lowered limits, so that the
# walk is quick), and once at the defaults (16384 x 6103, a 100 MP
# PNG; 8000 x 8000 grey, which Debian's policy.xml made fail), with one
# pixel past each limit refused.
. "$(dirname "$0")/lib.sh"
. "$TOP/stack/lighttpd.sh"

img=$TMP/img
mkdir -p "$img"
touch "$TMP/stamp"
secs=120 rss_mb=350
if ldd "$TOP/imghost-resize" 2>/dev/null | grep -q libasan; then
	secs=400 rss_mb=900
fi

# gif W H N FILE: a GIF with a W x H screen and N frames of one pixel,
# written here (convert takes minutes over a thousand frames): 23 KB
# for the issue's 300 x 300 x 1000.
gif() {
	python3 - "$@" <<'EOF'
import struct, sys
w, h, n, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
head = (b'GIF89a' + struct.pack('<HH', w, h) + b'\x80\x00\x00' +
	b'\xff\x00\x00\x00\x00\x00')
frame = (b'\x21\xf9\x04\x00\x01\x00\x00\x00,' +
	struct.pack('<HHHH', 0, 0, 1, 1) + b'\x00\x02\x02\x44\x01\x00')
open(out, 'wb').write(head + frame * n + b';')
EOF
}

# png W H TYPE FILE: a one-colour 8-bit PNG (TYPE 0 grey, 2 RGB), which
# zlib makes small whatever its size.
png() {
	python3 - "$@" <<'EOF'
import struct, sys, zlib
w, h, ct, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def chunk(t, b):
	return (struct.pack('>I', len(b)) + t + b +
		struct.pack('>I', zlib.crc32(t + b) & 0xffffffff))
row = b'\0' + (b'\x80' if ct == 0 else b'\x33\x66\xaa') * w
c = zlib.compressobj(9)
z = b''.join([c.compress(row) for _ in range(h)] + [c.flush()])
open(out, 'wb').write(b'\x89PNG\r\n\x1a\n' +
	chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, ct, 0, 0, 0)) +
	chunk(b'IDAT', z) + chunk(b'IEND', b''))
EOF
}

# upload FILE: sets STATUS, BODY, and ID (empty unless 201 or 200).
upload() {
	req -H 'Accept: application/json' -F "file=@$1" "$BASE/api/v1/images"
	ID=
	case $STATUS in 200 | 201) ID=$(json .id) ;; esac
}

# refused DESC FILE: the upload answers 422 bad_image.
refused() {
	upload "$2"
	is "$STORE: $1: 422" "$STATUS" 422
	is "$STORE: $1: bad_image" "$(json .error.code)" bad_image
}

# resize NAME [VAR=VALUE...]: one --once run of the resizer on the
# current stack, timed; checks it exits normally within $secs and under
# $rss_mb, and prints its figures.
resize() {
	local name=$1 t0 rc took rss
	shift
	t0=$(date +%s)
	( resizer_env; [ $# = 0 ] || export "$@"; exec timeout "$secs" /usr/bin/time \
		-f '%M %U %S' -o "$TMP/time-$name" "$TOP/imghost-resize" \
		--once ) 2>"$TMP/resize-$name.log"
	rc=$?
	took=$(($(date +%s) - t0))
	is "$STORE: $name: the resizer exits normally" "$rc" 0
	check "$STORE: $name: within $took s (< $secs s)" \
		[ "$took" -lt "$secs" ]
	rss=$(($(tail -n 1 "$TMP/time-$name" | cut -d' ' -f1) / 1024))
	echo "# $STORE $name: resizer peak RSS ${rss} MB, user+sys" \
		"$(tail -n 1 "$TMP/time-$name" | cut -d' ' -f2,3) s, $took s"
	check "$STORE: $name: resizer peak RSS $rss MB (< $rss_mb MB)" \
		[ "$rss" -lt "$rss_mb" ]
}

# variants DESC ID N: the image has its N variants and the small one
# is served.
variants() {
	is "$STORE: $1: $3 variants" "$(psql_q "SELECT count(*) FROM variants
		WHERE image_id = $(id_int "$2")")" "$3"
	is "$STORE: $1: its job is done" "$(psql_q "SELECT count(*) FROM
		resize_jobs WHERE image_id = $(id_int "$2")")" 0
	req "$BASE/i/$2/small.webp"
	is "$STORE: $1: small.webp served" "$STATUS" 200
}

# Frames x canvas at the defaults: 100 MP / 8 = 12.5 MP.
gif 300 300 1000 "$img/issue.gif"
gif 4000 4000 6 "$img/canvas4000.gif"
gif 300 300 138 "$img/edge138.gif"
gif 300 300 139 "$img/past139.gif"
# The defaults' edges: 16384 x 6103 is 99.99 MP.
png 16384 6103 2 "$img/p16384x6103.png"
png 8000 8000 0 "$img/grey8000.png"
png 16385 1 2 "$img/p16385x1.png"
png 1 16385 2 "$img/p1x16385.png"
png 16384 6104 2 "$img/p16384x6104.png"

for store in fs s3; do
	use_store $store
	refused "the issue's GIF, 1000 frames of 300x300 (23 KB)" \
		"$img/issue.gif"
	refused "6 frames of 4000x4000" "$img/canvas4000.gif"
	refused "139 frames of 300x300 (12.51 MP)" "$img/past139.gif"
	refused "16385x1 PNG" "$img/p16385x1.png"
	refused "1x16385 PNG" "$img/p1x16385.png"
	refused "16384x6104 PNG (100.007 MP)" "$img/p16384x6104.png"
	upload "$img/edge138.gif"
	is "$store: 138 frames of 300x300 (12.42 MP): 201" "$STATUS" 201
	edge=$ID

	# The issue's GIF as a row put in directly, as an older version
	# would have accepted it: refused before decoding, on every try.
	issue=$(id_int AAAAFrms)
	[ $store = fs ] || issue=$(id_int AAAAFrmt)
	psql_q "INSERT INTO images (id, bytes, width, height, type, sha256)
		VALUES ($issue, $(stat -c %s "$img/issue.gif"), 300, 300, 'gif',
		decode(md5('$store-frames') || md5('$store-frames2'), 'hex'))" \
		>/dev/null
	psql_q "INSERT INTO resize_jobs (image_id, attempts) VALUES ($issue, 4)" \
		>/dev/null
	if [ $store = fs ]; then
		id=AAAAFrms
		mkdir -p "$OUT/fs/store/AA/AA/$id"
		cp "$img/issue.gif" "$OUT/fs/store/AA/AA/$id/original.gif"
	else
		id=AAAAFrmt
		curl -sf -o /dev/null --aws-sigv4 "aws:amz:$RGW_REGION:s3" \
			--user "$RGW_ACCESS_KEY:$RGW_SECRET_KEY" -X PUT \
			-H "x-amz-content-sha256: $(sha256sum <"$img/issue.gif" |
			cut -d' ' -f1)" --data-binary "@$img/issue.gif" \
			"$RGW_ENDPOINT/$RGW_BUCKET/$id/original.gif" ||
			fail "$store: could not store the issue's GIF"
	fi
	resize frames
	variants "138 frames of 300x300" "$edge" 6
	is "$store: the issue's GIF, put in directly: failed, not decoded" \
		"$(psql_q "SELECT state || ' ' || (last_error LIKE
		'will not decode%') FROM resize_jobs WHERE image_id = $issue")" \
		"failed true"
	psql_q "DELETE FROM images WHERE id = $issue" >/dev/null
	if [ $store = fs ]; then
		rm -rf "$OUT/fs/store/AA/AA/$id"
	else
		curl -s -o /dev/null --aws-sigv4 "aws:amz:$RGW_REGION:s3" \
			--user "$RGW_ACCESS_KEY:$RGW_SECRET_KEY" -X DELETE \
			-H "x-amz-content-sha256: $(printf '' | sha256sum |
			cut -d' ' -f1)" "$RGW_ENDPOINT/$RGW_BUCKET/$id/original.gif"
	fi
done

# At the defaults, once on each store: 100 MP at 16384 a side (fs), and
# the issue's 8000 x 8000, grey (s3), which needs the disk cache to hold
# two copies of 10 bytes a pixel (Debian's 1 GiB did not).
use_store fs
upload "$img/p16384x6103.png"
is "fs: 16384x6103 PNG (99.99 MP): 201" "$STATUS" 201
big=$ID
resize p16384x6103
variants "16384x6103 PNG" "$big" 6
req "$BASE/i/$big/large.png"
is "fs: 16384x6103: large.png is 1280 x 477" \
	"$(identify -format '%w %h' "$BODY" 2>/dev/null)" "1280 477"
use_store s3
upload "$img/grey8000.png"
is "s3: 8000x8000 grey PNG (64 MP): 201" "$STATUS" 201
big=$ID
resize grey8000
variants "8000x8000 grey PNG" "$big" 6
if [ -n "${MAGICK_TEMPORARY_PATH:-}" ]; then
	check "no disk cache file left in MAGICK_TEMPORARY_PATH" \
		[ -z "$(find "$MAGICK_TEMPORARY_PATH" -mindepth 1 \
		-newer "$TMP/stamp")" ]
fi
check "no resource policy directory left in /tmp" \
	[ -z "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name 'imghost-magick.*' \
	-newer "$TMP/stamp")" ]

# The edges of each format, on stacks of their own with a 2000 px side
# and 1.5 MP: the budget of an animation is then 187500 pixels.
lim="IMGHOST_MAX_SIDE=2000 IMGHOST_MAX_PIXELS=1500000"

# edge_stack NAME PORT: a lighttpd + app with $lim, its own database,
# and the store NAME (fs, or s3 in the shared bucket: ids do not meet).
edge_stack() {
	local url=${PG_URL/dbname=imghost/dbname=imghost_edge_$1}
	createdb -h "$(pg_sockdir "$PG_DIR")" -U postgres "imghost_edge_$1" &&
	IMGHOST_DATABASE_URL=$url "$TOP/imghost-resize" --migrate \
		--sql-dir "$TOP/sql" >/dev/null || return 1
	(
		STORE=$1 DB=$url
		resizer_env
		export $lim IMGHOST_FS_ROOT="$TMP/edge-$1/store"
		lighttpd_start "$TOP" "$TMP/edge-$1" "$2" "$TMP/edge-$1/store"
	)
}

# The largest of each format: 2000 x 750, both limits at once.
for f in jpg png gif webp; do
	convert -size 2000x750 plasma:fractal -seed 7 "$img/edge.$f"
	convert -size 2001x10 xc:red "$img/wide.$f"
	convert -size 10x2001 xc:red "$img/tall.$f"
	# 1501 x 1000: a side well inside, one row of pixels too many.
	convert -size 1501x1000 xc:red "$img/pixels.$f"
done
# Animations at the budget: 3 frames of 250 x 250 = 187500; then 4.
convert -delay 10 -size 250x250 xc:red xc:green xc:blue "$img/anim3.gif"
convert -delay 10 -size 250x250 xc:red xc:green xc:blue xc:white \
	"$img/anim4.gif"
convert "$img/anim3.gif" -loop 0 "$img/anim3.webp"
convert "$img/anim4.gif" -loop 0 "$img/anim4.webp"

for store in fs s3; do
	port=$(free_port)
	if ! edge_stack $store "$port"; then
		fail "$store: a stack with a 2000 px side and 1.5 MP starts"
		continue
	fi
	pass "$store: a stack with a 2000 px side and 1.5 MP starts"
	STORE=$store BASE=http://127.0.0.1:$port
	DB=${PG_URL/dbname=imghost/dbname=imghost_edge_$store}
	ids=()
	for f in jpg png gif webp; do
		upload "$img/edge.$f"
		is "$store: 2000x750 .$f (the side and pixel limits): 201" \
			"$STATUS" 201
		ids+=("$ID:$f")
		refused "2001x10 .$f" "$img/wide.$f"
		refused "10x2001 .$f" "$img/tall.$f"
		refused "1501x1000 .$f" "$img/pixels.$f"
	done
	for f in gif webp; do
		upload "$img/anim3.$f"
		is "$store: 3 frames of 250x250 .$f (the budget): 201" \
			"$STATUS" 201
		ids+=("$ID:anim-$f")
		refused "4 frames of 250x250 .$f" "$img/anim4.$f"
	done
	# The edge stacks' resizer has the same limits.  The fs stack's
	# store is its own: resizer_env's is the main stack's.
	if [ $store = fs ]; then
		resize "edge" $lim IMGHOST_FS_ROOT="$TMP/edge-fs/store"
	else
		resize "edge" $lim
	fi
	for x in "${ids[@]}"; do
		case ${x#*:} in *webp) n=3 ;; *) n=6 ;; esac
		variants "edge ${x#*:}" "${x%%:*}" "$n"
	done
	lighttpd_stop "$TMP/edge-$store"
done
