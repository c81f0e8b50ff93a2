# The s3 store's read cache (lib/cache.h): an app node on the s3 stack's
# database and bucket with cache_dir set.  The first GET of a blob makes
# a copy; later ones are sent by lighttpd from it (X-Sendfile) with the
# same headers, without the store; a copy is checked again after
# cache_recheck seconds, so a takedown reaches every node; while the store
# is down a copy stands in; cache-trim keeps the directory in size.
. "$(dirname "$0")/lib.sh"
. "$TOP/stack/lighttpd.sh"

use_store s3
trap 'lighttpd_stop "$TMP/a"; lighttpd_stop "$TMP/dead"' EXIT
CACHE=$TMP/a/cache

# node DIR PORT [KEY=VALUE...]: an app node on the s3 stack, with a cache.
node() {
	local dir=$1 port=$2
	shift 2
	( resizer_env
	  export IMGHOST_CONF=/dev/null IMGHOST_CACHE_DIR=$dir/cache \
		IMGHOST_CACHE_RECHECK=2 "$@"
	  lighttpd_start "$TOP" "$dir" "$port" "$dir/store" )
}
A_PORT=$(free_port)
node "$TMP/a" "$A_PORT"
check "a node with a read cache starts" [ $? -eq 0 ]
A=http://127.0.0.1:$A_PORT

# upload N: uploads a new JPEG through the node; sets ID and FILE.
upload() {
	FILE=$TMP/$1.jpg
	convert -size 320x240 plasma:fractal -seed "$((RANDOM + $1))" \
		-quality 80 "$FILE"
	req -F "file=@$FILE" "$A/api/v1/images"
	ID=$(json .id)
}
copy_of() { echo "$CACHE/${1:0:2}/${1:2:2}/$1/original.jpg"; }
hits() {
	curl -s "$A/metrics" | awk '$1 == "imghost_cache_hits_total" { print $2 }'
}

# ------------------------------------------------ the first GET makes a copy
upload 1
is "upload through the cached node" "$STATUS" 201
id1=$ID file1=$FILE
req "$A/i/$id1.jpg"
is "first GET: 200" "$STATUS" 200
check "first GET: the uploaded bytes" cmp -s "$BODY" "$file1"
etag=$(header etag) lastmod=$(header last-modified)
like "first GET: a strong ETag" "$etag" '^"[^"]+"$'
check "first GET left a whole copy" cmp -s "$(copy_of "$id1")" "$file1"
check "no fill left behind" \
	[ -z "$(find "$CACHE" -name '.fill-*' | head -n 1)" ]

# ------------------------------------------------ later GETs come from it
h0=$(hits)
req "$A/i/$id1.jpg"
is "cached GET: 200" "$STATUS" 200
check "cached GET: the same bytes" cmp -s "$BODY" "$file1"
is "cached GET: the same ETag" "$(header etag)" "$etag"
is "cached GET: the same Last-Modified" "$(header last-modified)" "$lastmod"
is "cached GET: Content-Type" "$(header content-type)" image/jpeg
is "cached GET: Content-Length" "$(header content-length)" \
	"$(stat -c %s "$file1")"
is "cached GET: immutable" "$(header cache-control)" \
	"public, max-age=31536000, immutable"
is "cached GET: nosniff" "$(header x-content-type-options)" nosniff
is "cached GET: each header once" "$(dup_headers)" ""
is "cached GET: counted as a hit" "$(hits)" "$((h0 + 1))"
# The proof that the copy is what is sent: change it, same size.
# cp -p both ways: the copy's mtime is the blob's Last-Modified.
cp -p "$(copy_of "$id1")" "$TMP/saved"
printf 'XXXX' | dd of="$(copy_of "$id1")" bs=1 seek=100 conv=notrunc \
	2>/dev/null
req "$A/i/$id1.jpg"
check "cached GET: sent from the copy" \
	[ "$(dd if="$BODY" bs=1 skip=100 count=4 2>/dev/null)" = XXXX ]
cp -p "$TMP/saved" "$(copy_of "$id1")"
is "the restored copy has the blob's time" \
	"$(stat -c %Y "$(copy_of "$id1")")" "$(date -d "$lastmod" +%s)"

req -H "If-None-Match: $etag" "$A/i/$id1.jpg"
is "cached: If-None-Match answers 304" "$STATUS" 304
req -H "If-Modified-Since: $lastmod" "$A/i/$id1.jpg"
is "cached: If-Modified-Since answers 304" "$STATUS" 304
req -I "$A/i/$id1.jpg"
is "cached: HEAD 200" "$STATUS" 200
is "cached: HEAD Content-Length" "$(header content-length)" \
	"$(stat -c %s "$file1")"
req -H "Range: bytes=10-19" "$A/i/$id1.jpg"
is "cached: Range answers 206" "$STATUS" 206
check "cached: Range bytes" cmp -s "$BODY" \
	<(dd if="$file1" bs=1 skip=10 count=10 2>/dev/null)

# A Range of a blob with no copy makes none; HEAD neither.
upload 2
id2=$ID file2=$FILE
req -H "Range: bytes=0-9" "$A/i/$id2.jpg"
is "uncached Range: 206" "$STATUS" 206
req -I "$A/i/$id2.jpg"
check "neither a Range nor a HEAD makes a copy" [ ! -e "$(copy_of "$id2")" ]
req "$A/i/$id2.jpg"
check "a whole GET does" cmp -s "$(copy_of "$id2")" "$file2"

# ------------------------------------------------ the store down
# A node whose store is unreachable, sharing the first node's copies.
DEAD_PORT=$(free_port)
mkdir -p "$TMP/dead"
ln -sfn "$CACHE" "$TMP/dead/cache"
node "$TMP/dead" "$DEAD_PORT" \
	IMGHOST_S3_ENDPOINT="http://127.0.0.1:$(free_port)"
D=http://127.0.0.1:$DEAD_PORT
req "$D/i/$id1.jpg"
is "store down: a fresh copy is served" "$STATUS" 200
check "store down: its bytes" cmp -s "$BODY" "$file1"
sleep 2.5
req "$D/i/$id1.jpg"
is "store down: a copy due for a check stands in" "$STATUS" 200
upload 3
req "$D/i/$ID.jpg"
is "store down: no copy, 503" "$STATUS" 503
lighttpd_stop "$TMP/dead"

# ------------------------------------------------ takedown
admin() { ( resizer_env; exec "$TOP/imghost-admin" "$@" ) }
# Taken down elsewhere: this node finds out at its next check.
admin takedown --reason test -- "$id1" >"$TMP/takedown.out" 2>&1
check "takedown of a cached image" [ $? -eq 0 ]
sleep 2.5
req "$A/i/$id1.jpg"
is "after the check: 410" "$STATUS" 410
check "after the check: the copy is gone" [ ! -e "$(copy_of "$id1")" ]
# Taken down on this node: its copy goes at once.
( export IMGHOST_CACHE_DIR=$CACHE; admin takedown -- "$id2" ) \
	>"$TMP/takedown.out" 2>&1
check "takedown on the node drops the copy" [ ! -e "$(copy_of "$id2")" ]
req "$A/i/$id2.jpg"
is "takedown on the node: 410 at once" "$STATUS" 410

# ------------------------------------------------ cache-trim
ids=()
for i in 4 5 6 7 8; do
	upload "$i"
	req "$A/i/$ID.jpg"
	ids+=("$ID")
	sleep 1.1	# ctime, the order of the trim, has seconds here
done
total=$(find "$CACHE" -type f ! -name '.*' -printf '%s\n' |
	awk '{ s += $1 } END { print s }')
mkdir -p "$CACHE/ab/cd/abcdEFGH"
touch -d '2 hours ago' "$CACHE/ab/cd/abcdEFGH/.fill-old"
touch "$CACHE/ab/cd/abcdEFGH/.fill-new"
max=$((total / 2))
( export IMGHOST_CACHE_DIR=$CACHE IMGHOST_CACHE_MAX_BYTES=$max
  exec "$TOP/imghost-admin" cache-trim ) >"$TMP/trim.out" 2>&1
check "cache-trim runs" [ $? -eq 0 ]
left=$(find "$CACHE" -type f ! -name '.*' -printf '%s\n' |
	awk '{ s += $1 } END { print s + 0 }')
check "cache-trim: at most 90% of cache_max_bytes left ($left of $max)" \
	[ "$left" -le $((max / 10 * 9)) -a "$left" -gt 0 ]
check "cache-trim: the copy checked last stays" [ -e "$(copy_of "${ids[4]}")" ]
check "cache-trim: the copy checked first goes" [ ! -e "$(copy_of "${ids[0]}")" ]
check "cache-trim: an old fill goes" [ ! -e "$CACHE/ab/cd/abcdEFGH/.fill-old" ]
check "cache-trim: a fill under way stays" [ -e "$CACHE/ab/cd/abcdEFGH/.fill-new" ]
req "$A/i/${ids[0]}.jpg"
is "a trimmed copy: served from the store" "$STATUS" 200
check "a trimmed copy: made again" [ -e "$(copy_of "${ids[0]}")" ]
