# Faults in the middle of a stream of uploads (t_90 has one upload at a
# time against a part already down; t_21 a resizer killed while S3 is
# down).  radosgw, then PostgreSQL, go away while uploads keep coming and
# come back; a resizer is killed in the middle of its work; lighttpd is
# restarted under load.  Every upload answered 201 or 200 is then served
# byte-exact, every 503 says Retry-After and left no row, the app was not
# restarted, and no row points at a missing blob.
. "$(dirname "$0")/lib.sh"
. "$TOP/stack/lighttpd.sh"

# n distinct small PNGs in one ImageMagick run.
n=240
mkdir -p "$TMP/img"
colours=()
for i in $(seq $n); do
	colours+=("xc:rgb($((i % 251)),$((i * 7 % 253)),$((i * 13 % 255)))")
done
convert -size 64x48 "${colours[@]}" +adjoin "$TMP/img/%03d.png"
ls "$TMP"/img/*.png >"$TMP/all"

# take FIRST COUNT: COUNT images from the FIRST-th on, one a line; each
# stream takes its own, so each upload is new.
take() {
	sed -n "$(($1 + 1)),$(($1 + $2))p" "$TMP/all"
}

# stream LOG FILES...: uploads each file in turn, about 10 a second,
# appending "status retry-after id file" to LOG.
stream() {
	local log=$1 f out retry id
	shift
	for f in "$@"; do
		rm -f "$log.body"
		out=$(curl -s --max-time 20 -D - -o "$log.body" \
			-w '\n%{http_code}' -F "file=@$f" "$BASE/api/v1/images")
		retry=$(tr -d '\r' <<<"$out" | awk -F': ' \
			'tolower($1) == "retry-after" { print $2 }')
		id=$(jq -r '.id // "-"' 2>/dev/null <"$log.body")
		printf '%s %s %s %s\n' "$(tail -n 1 <<<"$out")" \
			"${retry:--}" "${id:--}" "$f" >>"$log"
		sleep 0.1
	done
}

fcgi_pids() {
	pgrep -P "$(cat "$OUT/$1/run/lighttpd.pid")" -f imghost-fcgi | sort |
		tr '\n' ' '
}

# judge NAME LOG: the answers of a stream through a fault.
judge() {
	local name=$1 log=$2 bad
	bad=$(awk '$1 != 201 && $1 != 200 && $1 != 503' "$log" | wc -l)
	is "$store: $name: every answer is 201, 200 or 503" "$bad" 0
	check "$store: $name: some uploads got 503" \
		grep -q '^503 ' "$log"
	is "$store: $name: every 503 says Retry-After" \
		"$(awk '$1 == 503 && $2 !~ /^[0-9]+$/' "$log" | wc -l)" 0
	check "$store: $name: uploads succeed again afterwards" \
		bash -c "tail -n 3 '$log' | grep -q '^201 '"
	bad=0
	while read -r code retry id f; do
		[ "$code" = 503 ] || continue
		[ "$(psql_q "SELECT count(*) FROM images WHERE sha256 =
			decode('$(sha256sum "$f" | cut -d' ' -f1)', 'hex')")" = 0 ] ||
			bad=$((bad + 1))
	done <"$log"
	is "$store: $name: a 503 left no row" "$bad" 0
}

# all_served LOG...: every upload answered 201 or 200 is served
# byte-exact (by the application, with a Range, or by lighttpd).
all_served() {
	local code retry id f bad=0 n=0
	while read -r code retry id f; do
		case $code in 200|201) ;; *) continue ;; esac
		n=$((n + 1))
		curl -s --max-time 10 -o "$TMP/got" "$BASE/i/$id.png" &&
			cmp -s "$TMP/got" "$f" || { bad=$((bad + 1)); echo "$id" >&2; }
	done < <(cat "$@")
	is "$store: all $n acknowledged uploads are served byte-exact" "$bad" 0
}

no_dangling_rows() {
	local url bad=0 n=0
	for url in $(psql_q "$(public_urls_sql)"); do
		n=$((n + 1))
		[ "$(curl -s -o /dev/null -w '%{http_code}' -I "$BASE$url")" = 200 ] ||
			bad=$((bad + 1))
	done
	is "$store: none of the $n rows points at a missing blob" "$bad" 0
}

# radosgw stops in the middle of a stream of uploads and comes back.
use_store s3
pids=$(fcgi_pids s3)
: >"$TMP/rgw.log"
stream "$TMP/rgw.log" $(take 0 60) &
s=$!
sleep 1.5
rgw_pause "$RGW_DIR"
sleep 2
rgw_resume "$RGW_DIR" >/dev/null
wait $s
judge "radosgw stopped mid-stream" "$TMP/rgw.log"
is "s3: the app was not restarted" "$(fcgi_pids s3)" "$pids"

# PostgreSQL stops in the middle of a stream, on both stores at once.
for store in fs s3; do
	use_store $store
	: >"$TMP/pg-$store.log"
	[ $store = fs ] && first=60 || first=110
	stream "$TMP/pg-$store.log" $(take $first 50) &
	eval "s_$store=$!"
	eval "pids_$store='$(fcgi_pids $store)'"
done
sleep 1.5
pg_stop "$PG_DIR"
sleep 2
pg_start "$PG_DIR" "-c fsync=off" >/dev/null
wait $s_fs $s_s3
for store in fs s3; do
	use_store $store
	judge "PostgreSQL stopped mid-stream" "$TMP/pg-$store.log"
	eval "want=\$pids_$store"
	is "$store: the app was not restarted" "$(fcgi_pids $store)" "$want"
done

# A resizer killed in the middle of making variants (not waiting on a
# store, as in t_21): the lease runs out and the job is done.
use_store fs
psql_q "DELETE FROM resize_jobs" >/dev/null
convert -size 5000x3500 plasma:fractal -seed 11 -quality 92 "$TMP/big.jpg"
req -F "file=@$TMP/big.jpg" "$BASE/api/v1/images"
bigid=$(json .id)
( resizer_env; exec "$TOP/imghost-resize" --lease 2 --loop ) \
	2>"$TMP/killed.log" &
r=$!
claimed() {
	[ "$(psql_q "SELECT state FROM resize_jobs")" = running ]
}
wait_for "a resizer claims the job" 10 claimed
sleep 0.3
kill -KILL $r
wait $r 2>/dev/null
is "the killed resizer finished nothing" \
	"$(psql_q "SELECT count(*) FROM variants WHERE image_id =
	(SELECT image_id FROM resize_jobs)")" 0
sleep 2.2
run_resizer --once 2>/dev/null
is "after the lease, the job is done by another resizer" \
	"$(psql_q "SELECT count(*) FROM resize_jobs")" 0
req "$BASE/i/$bigid/large.jpg"
is "and its variants are served" "$STATUS" 200

# lighttpd restarted under a stream of uploads: the uploads it cut off
# may fail, but nothing acknowledged is lost.
use_store fs
port=${FS_URL##*:}
: >"$TMP/lighttpd.log"
stream "$TMP/lighttpd.log" $(take 160 60) &
s=$!
sleep 1.5
lighttpd_stop "$OUT/fs"
( export IMGHOST_DATABASE_URL=$FS_DB IMGHOST_STORE=fs \
	IMGHOST_FS_ROOT=$OUT/fs/store IMGHOST_CONF=/dev/null
  lighttpd_start "$TOP" "$OUT/fs" "$port" "$OUT/fs/store" )
check "lighttpd is back" curl -sf -o /dev/null "$FS_URL/healthz"
wait $s
is "fs: lighttpd restart: every answer is 201, 200 or none" \
	"$(awk '$1 != 201 && $1 != 200 && $1 != "000"' "$TMP/lighttpd.log" |
	wc -l)" 0
check "fs: lighttpd restart: uploads succeed afterwards" \
	bash -c "tail -n 3 '$TMP/lighttpd.log' | grep -q '^201 '"

# After the whole matrix.
use_store fs
all_served "$TMP/pg-fs.log" "$TMP/lighttpd.log"
no_dangling_rows
use_store s3
all_served "$TMP/rgw.log" "$TMP/pg-s3.log"
no_dangling_rows
