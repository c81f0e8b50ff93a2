# Scale-out: two app nodes (two lighttpd + imghost-fcgi on their own
# ports) and two resizer loops against one PostgreSQL and one RGW.
# Uploads go alternately through both nodes; every job is done once, and
# every image and variant is served, byte for byte the same, by both.
. "$(dirname "$0")/lib.sh"
. "$TOP/stack/lighttpd.sh"

nimg=${SCALE_N:-30}
sock=$(pg_sockdir "$PG_DIR")
DB=${PG_URL/dbname=imghost/dbname=imghost_scale}
STORE=s3
createdb -h "$sock" -U postgres imghost_scale
IMGHOST_DATABASE_URL=$DB "$TOP/imghost-resize" --migrate \
	--sql-dir "$TOP/sql" >/dev/null
check "a database of its own, migrated" \
	[ "$(psql_q "SELECT count(*) FROM images")" = 0 ]

resizers=()
stop_all() {
	local p
	for p in "${resizers[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${resizers[@]}"; do
		wait "$p" 2>/dev/null
	done
	lighttpd_stop "$TMP/a"
	lighttpd_stop "$TMP/b"
}
trap stop_all EXIT

# node DIR PORT: one app node on the shared database and bucket.
node() {
	( resizer_env
	  export IMGHOST_CONF=/dev/null
	  lighttpd_start "$TOP" "$1" "$2" "$1/store" )
}
A_PORT=$(free_port)
node "$TMP/a" "$A_PORT"
check "node a starts" [ $? -eq 0 ]
B_PORT=$(free_port)
node "$TMP/b" "$B_PORT"
check "node b starts" [ $? -eq 0 ]
A=http://127.0.0.1:$A_PORT B=http://127.0.0.1:$B_PORT

for i in 1 2; do
	( resizer_env; exec "$TOP/imghost-resize" --loop \
		--metrics-file "$TMP/resizer$i.prom" ) 2>"$TMP/resizer$i.log" &
	resizers+=($!)
done
listening() {
	[ "$(grep -l 'listening for jobs' "$TMP"/resizer?.log | wc -l)" -eq 2 ]
}
wait_for "both resizer loops listen" 10 listening

# nimg distinct JPEGs, uploaded alternately through a and b, two at a time.
mkdir -p "$TMP/img"
for i in $(seq "$nimg"); do
	echo "-size 200x150 plasma:fractal -seed $i -quality 80 $TMP/img/$i.jpg"
done | while read -r args; do convert $args; done
# (wait names the uploads: a bare wait would wait for the resizers too.)
for i in $(seq "$nimg"); do
	[ $((i % 2)) = 1 ] && base=$A || base=$B
	curl -s -o "$TMP/img/$i.json" -w '%{http_code}\n' \
		-H 'Content-Type: image/jpeg' --data-binary "@$TMP/img/$i.jpg" \
		"$base/api/v1/images" &
	pair+=($!)
	if [ $((i % 2)) = 0 ] || [ "$i" = "$nimg" ]; then
		wait "${pair[@]}"
		pair=()
	fi
done >"$TMP/codes"
like "$nimg uploads through both nodes, all 201" \
	"$(sort "$TMP/codes" | uniq -c)" "^ *$nimg 201$"
is "$nimg images in the one database" "$(psql_q "SELECT count(*) FROM images")" "$nimg"

all_done() {
	[ "$(psql_q "SELECT count(*) FROM resize_jobs")" = 0 ] &&
	[ "$(psql_q "SELECT count(*) FROM variants")" = $((nimg * 6)) ]
}
wait_for "every variant made: $nimg images x 3 sizes x 2 formats" 120 all_done ||
	psql_q "SELECT state, attempts, last_error, run_after > now(), count(*)
		FROM resize_jobs GROUP BY 1, 2, 3, 4" >&2
is "no job left, none failed" "$(psql_q "SELECT count(*) FROM resize_jobs")" 0
is "one row per variant" "$(psql_q "SELECT count(*) FROM (SELECT DISTINCT
	image_id, size, format FROM variants) v")" $((nimg * 6))

# Each job done exactly once: one "N variants" line per image, across
# both resizers, and none retried.
cat "$TMP"/resizer?.log | sed -n 's/.*: resize \([^:]*\): 6 variants$/\1/p' |
	sort >"$TMP/done"
is "$nimg jobs done in all" "$(wc -l <"$TMP/done")" "$nimg"
is "no image done twice" "$(uniq -d "$TMP/done" | wc -l)" 0
jq -r .id "$TMP"/img/*.json | sort >"$TMP/ids"
check "the jobs done are the images uploaded" cmp -s "$TMP/done" "$TMP/ids"
is "no attempt failed" "$(cat "$TMP"/resizer?.log | grep -c attempt)" 0
check "both resizers did some of the work" \
	[ "$(grep -l ' 6 variants$' "$TMP"/resizer?.log | wc -l)" -eq 2 ]

# Their textfiles add up to the jobs done.
sleep 1.1
# Each worker of each resizer (--workers, one per CPU) writes resizerN-W.prom.
sum=0
for f in "$TMP"/resizer[12]-*.prom; do
	w=$(basename "$f" .prom)
	v=$(awk -v s="imghost_resize_jobs_done_total{resizer=\"$w\"}" \
		'$1 == s { print $2 }' "$f")
	sum=$((sum + ${v:-0}))
done
is "the resizers' textfiles count $nimg jobs" "$sum" "$nimg"

# Every image and variant, from both nodes, byte for byte the same, and
# the original byte for byte the upload.
bad=0 served=0
for i in $(seq "$nimg"); do
	id=$(jq -r .id "$TMP/img/$i.json")
	for p in "$id.jpg" "$id/small.jpg" "$id/medium.jpg" "$id/large.jpg" \
	    "$id/small.webp" "$id/medium.webp" "$id/large.webp"; do
		ca=$(curl -s -o "$TMP/a.blob" -w '%{http_code}' "$A/i/$p")
		cb=$(curl -s -o "$TMP/b.blob" -w '%{http_code}' "$B/i/$p")
		if [ "$ca$cb" != 200200 ] || ! cmp -s "$TMP/a.blob" "$TMP/b.blob"
		then
			echo "$p: $ca $cb" >&2
			bad=$((bad + 1))
		fi
		served=$((served + 1))
	done
	curl -s -o "$TMP/o.blob" "$B/i/$id.jpg"
	cmp -s "$TMP/o.blob" "$TMP/img/$i.jpg" || bad=$((bad + 1))
done
is "$served blobs served the same by both nodes" "$bad" 0
req "$A/api/v1/images/$(jq -r .id "$TMP/img/2.json")"
is "node a tells of an image uploaded through b, variants ready" \
	"$(json .variants.large.ready)" true

# The same bytes through the other node: a duplicate, the same id.
req -H 'Content-Type: image/jpeg' --data-binary "@$TMP/img/1.jpg" \
	"$B/api/v1/images"
is "an image uploaded through a, again through b: 200" "$STATUS" 200
is "the same id" "$(json .id)" "$(jq -r .id "$TMP/img/1.json")"

# Each node counts its own uploads.
for x in a b; do
	[ $x = a ] && base=$A || base=$B
	req "$base/metrics"
	got=$(awk '$1 == "imghost_uploads_total" { print $2 }' "$BODY")
	is "node $x counted its $((nimg / 2)) uploads" "$got" $((nimg / 2))
done

stop_all
trap - EXIT
for i in 1 2; do
	check "resizer $i stopped on SIGTERM" \
		grep -q 'stopping on a signal' "$TMP/resizer$i.log"
done
check "nothing left running" \
	[ -z "$(pgrep -f "$TMP/a/lighttpd.conf|$TMP/b/lighttpd.conf")" ]
dropdb -h "$sock" -U postgres imghost_scale
