# imghost-admin: migrate, stats, takedown, requeue, rebuild and gc, each
# on both stores.
. "$(dirname "$0")/lib.sh"

admin() {
	( resizer_env; exec "$TOP/imghost-admin" "$@" )
}

absent() {
	! blob_exists "$1"
}

# plant KEY FILE: writes a blob behind the application's back.
plant() {
	if [ "$STORE" = fs ]; then
		mkdir -p "$OUT/fs/store/${1:0:2}/${1:2:2}/${1%%/*}"
		cp "$2" "$OUT/fs/store/${1:0:2}/${1:2:2}/$1"
	else
		s3_req PUT "$1" "$2" >/dev/null
	fi
}

# upload FILE: uploads it to the current stack; prints the id.
upload() {
	req -F "file=@$1" "$BASE/api/v1/images"
	json .id
}

# stat NAME: a line of the last `admin stats`.
stat() {
	awk -v k="$1" '$1 == k { print $2 }' "$TMP/stats"
}

# ------------------------------------------------------------- migrate
url="host=$(pg_sockdir "$PG_DIR") user=postgres dbname=admin_test"
psql -qX "$PG_URL" -c "DROP DATABASE IF EXISTS admin_test" \
	-c "CREATE DATABASE admin_test"
IMGHOST_DATABASE_URL=$url "$TOP/imghost-admin" stats >"$TMP/out" 2>&1
check "stats refuses an unmigrated database" [ $? -eq 1 ]
check "and says to migrate" grep -q "imghost-admin migrate" "$TMP/out"
n=$(ls "$TOP"/sql/[0-9]*.sql | wc -l)
out=$(IMGHOST_DATABASE_URL=$url "$TOP/imghost-admin" migrate \
	--sql-dir "$TOP/sql" 2>/dev/null)
is "migrate applies every migration" "$out" \
	"applied $n migrations, schema version $n"
out=$(IMGHOST_DATABASE_URL=$url "$TOP/imghost-admin" migrate \
	--sql-dir "$TOP/sql" 2>/dev/null)
is "migrate twice is a no-op" "$out" "applied 0 migrations, schema version $n"
is "each migration recorded once" \
	"$(psql -qAtX "$url" -c 'SELECT count(*) FROM schema_migrations')" "$n"
IMGHOST_DATABASE_URL=$url "$TOP/imghost-resize" --check
check "the resizer accepts what admin migrated" [ $? -eq 0 ]
IMGHOST_DATABASE_URL=$url "$TOP/imghost-admin" stats >/dev/null
check "stats works on an empty database" [ $? -eq 0 ]
psql -qX "$PG_URL" -c "DROP DATABASE admin_test"
"$TOP/imghost-admin" frobnicate >/dev/null 2>&1
is "an unknown subcommand is a usage error" $? 2

mkdir -p "$TMP/img"
for store in fs s3; do
	use_store $store
	# Bytes of this test's own: an earlier test's images stay untouched.
	for i in 1 2 3 4; do
		convert -size 37x23 "xc:rgb($i,$((i * 40)),${#store}7)" \
			"$TMP/img/$store-$i.png"
	done
	a=$(upload "$TMP/img/$store-1.png")
	b=$(upload "$TMP/img/$store-2.png")
	c=$(upload "$TMP/img/$store-3.png")
	run_resizer --once 2>>"$TMP/resize.log"
	is "$store: the variants are made" \
		"$(psql_q "SELECT count(*) FROM variants WHERE image_id IN
		($(id_int "$a"), $(id_int "$b"), $(id_int "$c"))")" 18

	# ------------------------------------------------------- stats
	d=$(upload "$TMP/img/$store-4.png")	# stays queued a while
	sleep 1.1
	admin stats >"$TMP/stats"
	check "$store: stats succeeds" [ $? -eq 0 ]
	is "$store: stats: images" "$(stat images)" \
		"$(psql_q "SELECT count(*) FROM images")"
	is "$store: stats: image bytes" "$(stat image_bytes)" \
		"$(psql_q "SELECT sum(bytes) FROM images")"
	is "$store: stats: variants" "$(stat variants)" \
		"$(psql_q "SELECT count(*) FROM variants")"
	is "$store: stats: variant bytes" "$(stat variant_bytes)" \
		"$(psql_q "SELECT sum(bytes) FROM variants")"
	for s in queued running failed; do
		is "$store: stats: jobs $s" "$(stat jobs_$s)" \
			"$(psql_q "SELECT count(*) FROM resize_jobs
			WHERE state = '$s'")"
	done
	check "$store: stats: the oldest queued job is over a second old" \
		[ "$(stat oldest_queued_age)" -ge 1 ]
	is "$store: stats: tombstones" "$(stat tombstones)" \
		"$(psql_q "SELECT count(*) FROM tombstones")"
	is "$store: stats: claims" "$(stat claims)" \
		"$(psql_q "SELECT count(*) FROM claims")"
	for s in queued running failed; do
		is "$store: stats: purge jobs $s" "$(stat purge_jobs_$s)" \
			"$(psql_q "SELECT count(*) FROM purge_jobs
			WHERE state = '$s'")"
	done
	check "$store: stats: small tables are counted exactly" \
		[ "$(grep -c estimate "$TMP/stats")" -eq 0 ]
	# What the planner believes of a table of two billion rows.
	psql_q "UPDATE pg_class SET reltuples = 2e9
		WHERE oid IN ('images'::regclass, 'claims'::regclass)" >/dev/null
	admin stats >"$TMP/stats"
	is "$store: stats: a huge table is estimated, not scanned" \
		"$(grep '^images ' "$TMP/stats" | tr -s ' ')" \
		"images 2000000000 estimate"
	like "$store: stats: and so are its bytes" \
		"$(grep '^image_bytes ' "$TMP/stats" | tr -s ' ')" \
		"^image_bytes [0-9]+ estimate$"
	is "$store: stats: and the claims" \
		"$(grep '^claims ' "$TMP/stats" | tr -s ' ')" \
		"claims 2000000000 estimate"
	admin stats --exact >"$TMP/stats"
	is "$store: stats --exact counts anyway" "$(stat images)" \
		"$(psql_q "SELECT count(*) FROM images")"
	psql_q "ANALYZE images; ANALYZE claims" >/dev/null
	run_resizer --once 2>>"$TMP/resize.log"

	# ---------------------------------------------------- takedown
	keys="$a/original.png"
	for s in small medium large; do keys+=" $a/$s.png $a/$s.webp"; done
	for k in $keys; do
		blob_exists "$k" || fail "$store: $k missing before takedown"
	done
	req "$BASE/i/$a/small.webp"
	is "$store: before takedown the variant is served" "$STATUS" 200
	rows=$(psql_q "SELECT count(*) FROM images")
	admin takedown --reason "test" -- "$a" >"$TMP/out" 2>&1
	rc=$?
	check "$store: takedown succeeds ($(tr '\n' ' ' <"$TMP/out"))" [ $rc -eq 0 ]
	# lighttpd's stat cache may serve a blob it just served for a
	# second or two after it was deleted (fs store).
	answers_410() {
		req "$BASE$1"
		[ "$STATUS" = 410 ]
	}
	for u in "/i/$a.png" "/i/$a/original.png" "/i/$a/small.png" \
	    "/i/$a/small.webp" "/i/$a/large.webp" "/api/v1/images/$a"; do
		wait_for "$store: takedown: $u answers 410" 5 answers_410 "$u"
	done
	is "$store: takedown: the API error code" "$(json .error.code)" gone
	req "$BASE/$a"
	is "$store: takedown: the page answers 410" "$STATUS" 410
	left=0
	for k in $keys; do blob_exists "$k" && left=$((left + 1)); done
	is "$store: takedown: every blob gone from the store" "$left" 0
	ai=$(id_int "$a")
	is "$store: takedown: rows gone" "$(psql_q "SELECT
		(SELECT count(*) FROM images WHERE id = $ai) +
		(SELECT count(*) FROM variants WHERE image_id = $ai) +
		(SELECT count(*) FROM resize_jobs WHERE image_id = $ai)")" 0
	is "$store: takedown: a tombstone with the hash and the reason" \
		"$(psql_q "SELECT encode(sha256, 'hex') || ' ' || reason
		FROM tombstones WHERE image_id = $ai")" \
		"$(sha256sum "$TMP/img/$store-1.png" | cut -d' ' -f1) test"
	req -F "file=@$TMP/img/$store-1.png" "$BASE/api/v1/images"
	is "$store: the same bytes again: 410" "$STATUS" 410
	is "$store: the same bytes again: gone" "$(json .error.code)" gone
	is "$store: and no row came back" \
		"$(psql_q "SELECT count(*) FROM images")" $((rows - 1))
	req -H "Content-Type: image/png" --data-binary "@$TMP/img/$store-1.png" \
		"$BASE/api/v1/images"
	is "$store: the same bytes as a raw body: 410" "$STATUS" 410
	req "$BASE/i/$b.png"
	is "$store: another image's original still served" "$STATUS" 200
	req "$BASE/i/$b/small.webp"
	is "$store: and its variant" "$STATUS" 200
	req "$BASE/i/AAAAAAAA.png"
	is "$store: an id never used is still 404" "$STATUS" 404
	admin takedown -- "$a" >"$TMP/out" 2>&1
	check "$store: a second takedown is harmless" [ $? -eq 0 ]
	like "$store: and says so" "$(cat "$TMP/out")" "taken down already"
	admin takedown AAAAAAAA >/dev/null 2>&1
	is "$store: takedown of an unknown id fails" $? 1
	# One id in 64 starts with '-', which getopt takes for an option.
	admin takedown -AAAAAAA >"$TMP/out" 2>&1
	is "$store: an id that starts with '-' alone: usage" $? 2
	like "$store: ... which says to put it after --" "$(cat "$TMP/out")" \
		"goes after '--'"
	admin takedown -- -AAAAAAA >"$TMP/out" 2>&1
	is "$store: after --, it is an id (unknown here)" "$? $(cat "$TMP/out")" \
		"1 imghost-admin: -AAAAAAA: no such image"

	# A takedown while a resizer (one process, to stop it) makes the
	# variants: the resizer, stopped in the middle, finds the image gone
	# when it records them, and deletes the blobs it wrote.
	convert -size 6000x4000 "gradient:rgb(1,${#store},3)-rgb(200,9,7)" \
		"$TMP/img/$store-big.png"
	e=$(upload "$TMP/img/$store-big.png")
	ei=$(id_int "$e")
	( resizer_env; exec "$TOP/imghost-resize" --workers 1 --once ) \
		2>"$TMP/race.log" &
	pid=$!
	running() {
		[ "$(psql_q "SELECT state FROM resize_jobs
			WHERE image_id = $ei")" = running ]
	}
	wait_for "$store: race: a resizer claims a big image" 20 running
	kill -STOP $pid
	admin takedown -- "$e" >"$TMP/out" 2>&1
	like "$store: race: takedown says a resizer was at work" \
		"$(cat "$TMP/out")" "a resizer was making"
	kill -CONT $pid
	wait $pid
	check "$store: race: the resizer saw the takedown" \
		grep -q "taken down meanwhile" "$TMP/race.log"
	left=0
	for k in "$e/original.png" "$e"/{small,medium,large}.{png,webp}; do
		blob_exists "$k" && left=$((left + 1))
	done
	is "$store: race: and deleted what it had made" "$left" 0

	# ----------------------------------------------------- requeue
	bi=$(id_int "$b")
	psql_q "DELETE FROM variants WHERE image_id = $bi;
		INSERT INTO resize_jobs (image_id, state, attempts, last_error)
		VALUES ($bi, 'failed', 5, 'forced')" >/dev/null
	run_resizer --once 2>>"$TMP/resize.log"
	is "$store: the resizer leaves a failed job alone" \
		"$(psql_q "SELECT state FROM resize_jobs WHERE image_id = $bi")" \
		failed
	admin requeue --id "$c" >/dev/null 2>&1
	is "$store: requeue --id of an image without a failed job fails" $? 1
	out=$(admin requeue --id "$b")
	is "$store: requeue --id" "$out" "requeued 1 failed job"
	is "$store: requeued: queued, attempts reset, error cleared" \
		"$(psql_q "SELECT state::text || attempts || coalesce(last_error, '')
		FROM resize_jobs WHERE image_id = $bi")" queued0
	run_resizer --once 2>>"$TMP/resize.log"
	is "$store: the resizer makes a requeued job" \
		"$(psql_q "SELECT count(*) FROM variants WHERE image_id = $bi")" 6
	psql_q "INSERT INTO resize_jobs (image_id, state, attempts)
		VALUES ($bi, 'failed', 5)" >/dev/null
	failed=$(psql_q "SELECT count(*) FROM resize_jobs WHERE state = 'failed'")
	out=$(admin requeue)
	is "$store: requeue of all failed jobs" "$out" \
		"requeued $failed failed job$([ "$failed" -eq 1 ] || echo s)"
	is "$store: none failed left" "$(psql_q "SELECT count(*) FROM resize_jobs
		WHERE state = 'failed'")" 0
	run_resizer --once 2>>"$TMP/resize.log"

	# ----------------------------------------------------- rebuild
	# Jobs of earlier tests that fail for good would blur the counts.
	psql_q "DELETE FROM resize_jobs" >/dev/null
	n=$(psql_q "SELECT count(*) FROM images")
	t0=$(psql_q "SELECT now()")
	admin rebuild --batch 2 --max-batches 1 >"$TMP/out" 2>"$TMP/err"
	check "$store: rebuild --max-batches 1 succeeds" [ $? -eq 0 ]
	is "$store: one batch of 2 queued" \
		"$(psql_q "SELECT count(*) FROM resize_jobs")" 2
	like "$store: and says how to go on" "$(cat "$TMP/out")" "run it again"
	is "$store: progress recorded" "$(psql_q "SELECT done || ' ' ||
		(finished_at IS NULL) FROM admin_progress
		WHERE task = 'rebuild'")" "2 true"
	admin rebuild --batch 2 >"$TMP/out" 2>"$TMP/err"
	check "$store: rebuild resumes" grep -q "resuming after 2 images" \
		"$TMP/err"
	is "$store: and finishes without starting over" "$(cat "$TMP/out")" \
		"rebuild: done, $n images queued"
	like "$store: a count line on stderr when it is no tty" \
		"$(tail -n 1 "$TMP/err")" "^rebuild: $n of [0-9]+ images queued$"
	is "$store: every image has its job" \
		"$(psql_q "SELECT count(*) FROM resize_jobs")" "$n"
	# A resizer killed half way is the same as --max-batches: the
	# progress row moves with each batch, in the batch's statement.
	( resizer_env; exec "$TOP/imghost-admin" rebuild --batch 1 ) \
		>/dev/null 2>&1 &
	pid=$!
	sleep 0.3
	kill -KILL $pid 2>/dev/null
	wait $pid 2>/dev/null
	admin rebuild --batch 1 >"$TMP/out" 2>/dev/null
	is "$store: after a kill, the rebuild ends with every image once" \
		"$(psql_q "SELECT done FROM admin_progress
		WHERE task = 'rebuild'")" "$n"
	admin rebuild --batch 2 --max-batches 1 >/dev/null 2>&1
	admin rebuild --restart >"$TMP/out" 2>/dev/null
	is "$store: --restart begins again" "$(cat "$TMP/out")" \
		"rebuild: done, $n images queued"
	run_resizer --once 2>>"$TMP/resize.log"
	# Seen once in many runs: this --once stopped with 89 of 145 jobs
	# left, the first in id order, none of them failed.  Say what was
	# left, then give it a second pass, so that the rebuild's outcome
	# is still checked.
	left=$(psql_q "SELECT count(*) FROM resize_jobs
		WHERE state <> 'failed' AND last_error IS NULL")
	if [ "$left" != 0 ]; then
		echo "t_40: $store: --once left $left jobs (state, attempts," \
			"run_after - now(), locked):" >&2
		psql_q "SELECT j.state, j.attempts, j.run_after - now(),
			EXISTS (SELECT 1 FROM pg_locks l WHERE l.relation =
			'resize_jobs'::regclass AND l.pid <> pg_backend_pid())
			FROM resize_jobs j WHERE state <> 'failed' AND
			last_error IS NULL ORDER BY run_after LIMIT 5" >&2
		sleep 2
		run_resizer --once 2>>"$TMP/resize.log"
	fi
	is "$store: the resizers remake every image's variants" \
		"$(psql_q "SELECT count(*) FROM images i WHERE NOT EXISTS
		(SELECT 1 FROM variants v WHERE v.image_id = i.id AND
		v.created_at > '$t0') AND NOT EXISTS (SELECT 1 FROM
		resize_jobs j WHERE j.image_id = i.id AND
		j.last_error IS NOT NULL)")" 0

	# The throttle: no resizer, so a rebuild waits at the backlog limit.
	psql_q "DELETE FROM resize_jobs" >/dev/null
	( resizer_env; exec timeout 4 "$TOP/imghost-admin" rebuild --restart \
		--batch 1 --max-queued 2 ) >/dev/null 2>&1
	is "$store: rebuild waits while the backlog is at --max-queued" \
		"$?/$(psql_q "SELECT count(*) FROM resize_jobs")" 124/2
	( resizer_env; exec "$TOP/imghost-resize" --loop ) 2>>"$TMP/resize.log" &
	rpid=$!
	admin rebuild --batch 20 --max-queued 20 >"$TMP/out" 2>/dev/null
	is "$store: and goes on as the resizers work" "$(cat "$TMP/out")" \
		"rebuild: done, $n images queued"
	kill -TERM $rpid
	wait $rpid
	# On a terminal, a progress bar.
	( resizer_env; exec script -qec "$TOP/imghost-admin rebuild --restart \
		--max-queued 0" /dev/null ) >"$TMP/tty" 2>&1
	check "$store: a progress bar on a terminal" \
		grep -q "rebuild \[#*\] 100% $n/$n" "$TMP/tty"

	# ---------------------------------------------------------- gc
	echo orphan >"$TMP/orphan"
	plant GcOrphan/original.png "$TMP/orphan"
	plant GcOrphan/small.webp "$TMP/orphan"
	[ $store = s3 ] && s3_req PUT other-data/file.txt "$TMP/orphan" >/dev/null
	admin gc >"$TMP/out" 2>&1
	check "$store: gc succeeds" [ $? -eq 0 ]
	check "$store: gc leaves a young orphan" \
		blob_exists GcOrphan/original.png
	admin gc --dry-run --older-than 0 >"$TMP/out" 2>&1
	check "$store: gc --dry-run succeeds" [ $? -eq 0 ]
	check "$store: gc --dry-run names the orphan" \
		grep -q "^would delete GcOrphan/original.png" "$TMP/out"
	check "$store: and its variant" \
		grep -q "^would delete GcOrphan/small.webp" "$TMP/out"
	check "$store: and deletes nothing" blob_exists GcOrphan/original.png
	owned=$(grep '^would delete' "$TMP/out" | cut -c14-21 | sort -u |
		while read -r id; do echo "$(id_int "$id")"; done |
		paste -sd, -)
	is "$store: gc names no blob that has a row" \
		"$(psql_q "SELECT count(*) FROM images WHERE id IN ($owned)")" 0
	plant HcOrphan/original.jpg "$TMP/orphan"
	admin gc --older-than 0 --prefix Hc >"$TMP/out" 2>&1
	check "$store: gc --prefix deletes under the prefix" \
		absent HcOrphan/original.jpg
	check "$store: and nothing else" blob_exists GcOrphan/original.png
	admin gc --older-than 0 >"$TMP/out" 2>&1
	check "$store: gc --older-than 0 succeeds" [ $? -eq 0 ]
	check "$store: gc deletes the orphan" \
		grep -q "^deleted GcOrphan/original.png" "$TMP/out"
	check "$store: the orphan is gone" absent GcOrphan/original.png
	check "$store: its variant too" absent GcOrphan/small.webp
	if [ $store = s3 ]; then
		is "s3: gc leaves keys that are not image keys" \
			"$(s3_req HEAD other-data/file.txt)" 200
		s3_req DELETE other-data/file.txt >/dev/null
	fi
	missing=0
	while read -r u; do
		req -I "$BASE$u"
		[ "$STATUS" = 200 ] || missing=$((missing + 1))
	done < <(psql_q "$(public_urls_sql)")
	is "$store: after gc every image's original is still served" \
		"$missing" 0
	req "$BASE/i/$b/large.webp"
	is "$store: and the variants" "$STATUS" 200
done
