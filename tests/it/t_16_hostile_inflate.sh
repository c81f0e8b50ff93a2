# Hostile input, round two (issue 15, items 1 and 2): metadata that
# inflates to far more than was sent.  Such an upload is refused, 422
# bad_image, after a few milliseconds of the app's CPU, whatever chunk
# carries it and whether the location is stripped or not; within the
# budget (max_upload_bytes of inflated metadata a request), a location
# inside compressed chunks is taken out, and what is stored is never
# larger than what was sent, with the same pixels, the same bytes for
# the same upload, and the app's memory bounded.  On both stores, and
# on a stack of its own with strip_location = no.
. "$(dirname "$0")/lib.sh"
. "$TOP/stack/lighttpd.sh"

d=$TMP/files
mkdir -p "$d"
convert -size 64x48 plasma:fractal -seed 15 "$d/base.png"

# Files made from base.png with python's zlib: N chunks of a kind (ztxt,
# itxt: a compressed iTXt, iccp, raw: a zTXt raw XMP profile, ztxt-end:
# zTXt after IEND), each inflating to SIZE bytes: an XMP packet, with or
# without a location, then spaces.
python3 - "$d" <<'EOF'
import struct, sys, zlib
d = sys.argv[1]
base = open(d + "/base.png", "rb").read()
ihdr_end = 8 + 25

def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))

LOC = (b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf="
       b"'http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description "
       b"rdf:about='' xmlns:exif='http://ns.adobe.com/exif/1.0/' "
       b"xmlns:photoshop='http://ns.adobe.com/photoshop/1.0/' "
       b"xmlns:dc='http://purl.org/dc/elements/1.1/' "
       b"exif:GPSLatitude='52,30.1167N' exif:GPSLongitude='13,22.5E' "
       b"photoshop:City='Berlin'><dc:creator><rdf:Seq><rdf:li>Someone"
       b"</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF>"
       b"</x:xmpmeta>")
PLAIN = b"<x:xmpmeta xmlns:x='adobe:ns:meta/'></x:xmpmeta>"

def deflated(pkt, size):
    """pkt, then spaces up to size, deflated as it streams (no 1 GiB
    string in memory) at zlib's best ratio."""
    z = zlib.compressobj(9)
    out = [z.compress(pkt[:size])]
    rest, block = size - min(size, len(pkt)), b" " * (1 << 20)
    while rest > 0:
        n = min(rest, len(block))
        out.append(z.compress(block[:n]))
        rest -= n
    return b"".join(out) + z.flush()

def one(kind, size, loc, kw):
    pkt = LOC if loc else PLAIN
    if kind == "raw":
        # ImageMagick's form: the packet in hex, 36 bytes a line.
        hexd = pkt.hex().encode()
        pkt = b"\nxmp\n%8d\n" % len(pkt) + b"\n".join(
            hexd[i:i + 72] for i in range(0, len(hexd), 72)) + b"\n"
        kw = b"Raw profile type xmp"
    z = deflated(pkt, size)
    if kind == "itxt":
        return chunk(b"iTXt", kw + b"\0\1\0\0\0" + z)
    if kind == "iccp":
        return chunk(b"iCCP", b"icc\0\0" + z)
    return chunk(b"zTXt", kw + b"\0\0" + z)

def make(name, kind, n, size, kw=b"XML:com.adobe.xmp", loc=False):
    cs = one(kind, size, loc, kw) * n
    if kind == "ztxt-end":
        out = base + cs
    else:
        out = base[:ihdr_end] + cs + base[ihdr_end:]
    open(d + "/" + name, "wb").write(out)

M = 1 << 20
# The issue's file: 30 zTXt XMP of 16 MB each, 468 KB sent.
make("bomb30.png", "ztxt", 30, 16 * M)
# The same, named so that the stripper never opens them: ImageMagick
# inflates every zTXt when it pings.
make("comment30.png", "ztxt", 30, 16 * M, b"Comment")
make("itxt30.png", "itxt", 30, 16 * M)
make("iccp.png", "iccp", 1, 256 * M)
make("end30.png", "ztxt-end", 30, 16 * M, b"Comment")
# One chunk at zlib's best ratio: 1 MB that inflates to 1 GiB.
make("ratio.png", "ztxt", 1, 1024 * M)
# The issue's 48 MB case (3 x 16 MB with a location): over the budget.
make("gps3x16.png", "ztxt", 3, 16 * M, loc=True)
# Within the budget, with a location: stripped, and no larger.
make("gps2x4.png", "ztxt", 2, 4 * M, loc=True)
make("gps-itxt.png", "itxt", 1, 4 * M, loc=True)
make("gps-raw.png", "raw", 1, 2 * M, loc=True)
EOF

# location FILE: the tags exiftool finds that speak of a place.
location() {
	exiftool -q -q -a -G1 -s "$1" |
		grep -iE '^\[[^]]*\] *[a-z]*(gps|city|country|location|state)'
}

# pixels_differ A B: the count of pixels that differ, from compare(1).
pixels_differ() {
	compare -quiet -metric AE "$1" "$2" null: 2>&1 >/dev/null |
		cut -d' ' -f1
}

# A sanitizer build is slower and bigger.
cpu_max=30 rss_mb=200 wall_ms=2000
if ldd "$TOP/imghost-fcgi" 2>/dev/null | grep -q libasan; then
	cpu_max=150 rss_mb=900 wall_ms=10000
fi

# fcgi_pids DIR: the app processes lighttpd of stack DIR runs.
fcgi_pids() {
	pgrep -P "$(cat "$1/run/lighttpd.pid")" -f imghost-fcgi
}

# fcgi_ticks DIR: the CPU the stack's app processes used so far, in
# clock ticks (user and system, /proc/PID/stat fields 14 and 15).
fcgi_ticks() {
	local p sum=0 t
	for p in $(fcgi_pids "$1"); do
		t=$(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null)
		sum=$((sum + ${t:-0}))
	done
	echo "$sum"
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

# timed_up DIR FILE: uploads FILE to BASE; sets STATUS, BODY, MS (wall)
# and TICKS (the app's CPU for it).
timed_up() {
	local t0 c0
	c0=$(fcgi_ticks "$1")
	t0=$(date +%s%N)
	req -F "file=@$2;type=image/png" "$BASE/api/v1/images"
	MS=$((($(date +%s%N) - t0) / 1000000))
	# The work must not go on after the answer: let it show if it does.
	sleep 0.3
	TICKS=$(($(fcgi_ticks "$1") - c0))
}

# refused DIR LABEL FILE...: each FILE gets 422 bad_image, fast.
refused() {
	local dir=$1 label=$2 f
	shift 2
	for f in "$@"; do
		timed_up "$dir" "$d/$f"
		is "$label $f: 422 bad_image" \
			"$STATUS $(json .error.code)" "422 bad_image"
		check "$label $f: $TICKS ticks of the app's CPU (< $cpu_max)" \
			[ "$TICKS" -lt "$cpu_max" ]
		check "$label $f: answered in $MS ms (< $wall_ms)" \
			[ "$MS" -lt "$wall_ms" ]
		echo "$label $f: $(stat -c %s "$d/$f") bytes, $STATUS in $MS ms," \
			"$TICKS ticks" >>"$TMP/figures"
	done
}

bombs="bomb30.png comment30.png itxt30.png iccp.png end30.png ratio.png
gps3x16.png"
for store in fs s3; do
	use_store $store
	dir=$OUT/$store
	# shellcheck disable=SC2086 # the list is meant to split
	refused "$dir" "$store" $bombs
	like "$store: the message says why" "$(json .error.message)" \
		'inflates to more than [0-9]+ bytes'

	for f in gps2x4.png gps-itxt.png gps-raw.png; do
		check "$store $f: exiftool finds its location" \
			test -n "$(location "$d/$f")"
		timed_up "$dir" "$d/$f"
		is "$store $f: 201" "$STATUS" 201
		id=$(json .id) sha=$(json .sha256) bytes=$(json .bytes)
		echo "$store $f: $(stat -c %s "$d/$f") bytes sent, $bytes" \
			"stored, $STATUS in $MS ms, $TICKS ticks" >>"$TMP/figures"
		req "$BASE/i/$id.png"
		got=$TMP/got-$store-$f
		cp "$BODY" "$got"
		sent=$(stat -c %s "$d/$f") kept=$(stat -c %s "$got")
		check "$store $f: stored $kept <= sent $sent" \
			test "$kept" -le "$sent"
		is "$store $f: bytes is what is stored" "$bytes" \
			"$(stat -c %s "$got")"
		is "$store $f: sha256 of what is stored" "$sha" \
			"$(sha256sum "$got" | cut -d' ' -f1)"
		is "$store $f: no location left" "$(location "$got")" ""
		is "$store $f: same pixels" "$(pixels_differ "$d/base.png" "$got")" 0
		[ $f = gps-raw.png ] || is "$store $f: other XMP kept" \
			"$(exiftool -s -s -s -XMP-dc:Creator "$got")" Someone
		req -F "file=@$d/$f;type=image/png" "$BASE/api/v1/images"
		is "$store $f: the same upload, 200 and the same id" \
			"$STATUS $(json .id) $(json .sha256)" "200 $id $sha"
	done

	peak=$(peak_rss_mb "$dir")
	check "$store: the app's peak RSS is $peak MB (< $rss_mb)" \
		[ "$peak" -gt 0 ] && [ "$peak" -lt "$rss_mb" ]
	echo "$store: peak RSS $peak MB" >>"$TMP/figures"
	req --max-time 2 "$BASE/healthz"
	is "$store: still serving" "$STATUS" 200
done

# strip_location = no: nothing is stripped, but the decoder would still
# inflate every chunk, so the budget holds all the same.
use_store fs
port=$(free_port)
url=${PG_URL/dbname=imghost/dbname=imghost_nostrip}
ns=$TMP/nostrip
trap 'lighttpd_stop "$ns"' EXIT
createdb -h "$(pg_sockdir "$PG_DIR")" -U postgres imghost_nostrip &&
	IMGHOST_DATABASE_URL=$url "$TOP/imghost-resize" --migrate \
	--sql-dir "$TOP/sql" >/dev/null
( export IMGHOST_DATABASE_URL="$url" IMGHOST_STORE=fs \
	IMGHOST_FS_ROOT="$ns/store" IMGHOST_STRIP_LOCATION=no
  lighttpd_start "$TOP" "$ns" "$port" "$ns/store" )
check "a stack with strip_location = no starts" [ $? -eq 0 ]
BASE=http://127.0.0.1:$port
# shellcheck disable=SC2086 # the list is meant to split
refused "$ns" "no strip" $bombs
timed_up "$ns" "$d/gps2x4.png"
is "no strip gps2x4.png: 201" "$STATUS" 201
req "$BASE/i/$(json .id).png"
check "no strip gps2x4.png: stored byte for byte" \
	cmp -s "$BODY" "$d/gps2x4.png"
lighttpd_stop "$ns"
trap - EXIT
cat "$TMP/figures"
