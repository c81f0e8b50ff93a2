# The job queue: many resizers at once, a killed one, a hopeless image,
# a loop that outlives a PostgreSQL restart.
. "$(dirname "$0")/lib.sh"

use_store fs
n=100
mkdir -p "$TMP/many"
# n distinct small PNGs in one ImageMagick run (one colour each).
colours=()
for i in $(seq $n); do
	colours+=("xc:rgb($((i % 256)),$((i * 7 % 256)),$((i * 13 % 256)))")
done
convert -size 48x32 "${colours[@]}" +adjoin "$TMP/many/%03d.png"
for f in "$TMP"/many/*.png; do
	curl -s -o /dev/null -w '%{http_code}\n' -F "file=@$f" \
		"$BASE/api/v1/images"
done | sort | uniq -c >"$TMP/codes"
like "$n distinct uploads, all 201" "$(cat "$TMP/codes")" "^ *$n 201$"
is "$n jobs queued" "$(psql_q "SELECT count(*) FROM resize_jobs")" $n

before=$(psql_q "SELECT count(*) FROM variants")
for i in 1 2 3 4; do
	( resizer_env; exec "$TOP/imghost-resize" --once ) 2>"$TMP/r$i.log" &
done
wait
is "four resizers at once: every job done" \
	"$(psql_q "SELECT count(*) FROM resize_jobs")" 0
is "every image has its six variants" \
	"$(psql_q "SELECT count(*) FROM variants")" $((before + n * 6))
done_once=$(cat "$TMP"/r?.log | grep -c ' variants$')
is "each job done exactly once" "$done_once" $n
check "the work was shared" [ "$(grep -l ' variants$' "$TMP"/r?.log |
	wc -l)" -ge 2 ]

# A resizer that hangs holding a job (a psql session that claimed it and
# sleeps): the job is not taken while the lease holds; when the lease
# runs out another finishes it, though the holder is still there.
convert -size 2000x1500 plasma:fractal -seed 7 "$TMP/big.jpg"
req -F "file=@$TMP/big.jpg" "$BASE/api/v1/images"
bigid=$(json .id)
psql -qAtX "$DB" -c "UPDATE resize_jobs SET state = 'running',
	attempts = 1, run_after = now() + interval '3 seconds',
	claimed_by = pg_backend_pid()" -c "SELECT pg_sleep(30)" \
	>/dev/null 2>&1 &
holder=$!
held() {
	[ "$(psql_q "SELECT state FROM resize_jobs")" = running ]
}
wait_for "a live session holds the job" 10 held
run_resizer --once 2>/dev/null
is "a leased job is not taken while the lease holds" \
	"$(psql_q "SELECT count(*) FROM resize_jobs")" 1
sleep 3.2
run_resizer --once 2>/dev/null
is "after the lease, another resizer finishes it" \
	"$(psql_q "SELECT count(*) FROM resize_jobs")" 0
kill $holder
wait $holder 2>/dev/null
req "$BASE/i/$bigid/large.jpg"
is "and its variants are served" "$STATUS" 200

# The same with a real SIGKILL in the middle of the work: with S3 down
# the resizer hangs on to the job, retrying the read, when it is killed.
use_store s3
req -F "file=@$TMP/big.jpg" "$BASE/api/v1/images"
s3id=$(json .id)
rgw_pause "$RGW_DIR"
( resizer_env; exec "$TOP/imghost-resize" --lease 2 --loop ) \
	2>"$TMP/killed.log" &
pid=$!
claimed() {
	[ "$(psql_q "SELECT state FROM resize_jobs")" = running ]
}
wait_for "the job is claimed" 10 claimed
kill -KILL $pid
wait $pid 2>/dev/null
rgw_resume "$RGW_DIR" >/dev/null
sleep 2.2
run_resizer --once 2>/dev/null
is "a job whose resizer was SIGKILLed is finished by another" \
	"$(psql_q "SELECT count(*) FROM resize_jobs")" 0
req "$BASE/i/$s3id/medium.webp"
is "and its variants are served" "$STATUS" 200
use_store fs

# An image that always fails: marked failed after the attempts, with its
# error; the variant URLs keep falling back to the original.
printf 'not a png at all' >"$TMP/garbage"
convert -size 30x30 xc:red "$TMP/victim.png"
req -F "file=@$TMP/victim.png" "$BASE/api/v1/images"
vid=$(json .id)
cp "$TMP/garbage" "$OUT/fs/store/${vid:0:2}/${vid:2:2}/$vid/original.png"
for i in 1 2 3 4 5 6; do
	psql_q "UPDATE resize_jobs SET run_after = now()" >/dev/null
	run_resizer --once 2>>"$TMP/fail.log"
done
is "a hopeless job is marked failed after 5 attempts" \
	"$(psql_q "SELECT state, attempts FROM resize_jobs")" "failed|5"
like "its error is kept" "$(psql_q "SELECT last_error FROM resize_jobs")" \
	'decode'
check "the resizer logged each attempt" grep -q "attempt 5" "$TMP/fail.log"
req "$BASE/i/$vid/small.png"
is "its variants still fall back to the original" "$STATUS" 307
psql_q "DELETE FROM resize_jobs" >/dev/null

# A --loop resizer outlives a PostgreSQL restart and is woken by NOTIFY.
( resizer_env; exec "$TOP/imghost-resize" --loop ) 2>"$TMP/loop.log" &
loop=$!
listening() {
	grep -q 'listening for jobs' "$TMP/loop.log"
}
wait_for "the loop starts" 10 listening
pg_stop "$PG_DIR"
sleep 1
pg_start "$PG_DIR" "-c fsync=off" >/dev/null
convert -size 50x40 xc:navy "$TMP/after.png"
req -F "file=@$TMP/after.png" "$BASE/api/v1/images"
aid=$(json .id)
ready() {
	req "$BASE/api/v1/images/$aid"
	[ "$(json .variants.small.ready)" = true ]
}
wait_for "after a PostgreSQL restart the loop makes new variants" 20 ready
kill -TERM $loop
wait $loop
is "the loop stops cleanly on SIGTERM" "$?" 0

# --workers: one resizer, several worker processes sharing the queue; a
# worker that dies is replaced, SIGTERM stops them all, SIGKILL to the
# parent takes the workers with it.
( resizer_env; exec "$TOP/imghost-resize" --workers 3 --loop ) \
	2>"$TMP/workers.log" &
sup=$!
three_workers() {
	[ "$(pgrep -P $sup -c)" = 3 ]
}
wait_for "--workers 3 starts three worker processes" 10 three_workers
victim=$(pgrep -P $sup | head -n 1)
kill -KILL "$victim"
replaced() {
	three_workers && ! pgrep -P $sup | grep -qx "$victim"
}
wait_for "a killed worker is replaced" 10 replaced
check "its death is logged with the signal" \
	grep -q "worker $victim killed by signal 9" "$TMP/workers.log"
for i in 1 2 3 4 5 6; do
	convert -size "$((60 + i))x40" xc:teal "$TMP/w$i.png"
	req -F "file=@$TMP/w$i.png" "$BASE/api/v1/images"
	wids="${wids:-} $(json .id)"
done
all_ready() {
	local id
	for id in $wids; do
		req "$BASE/api/v1/images/$id"
		[ "$(json '[.variants[].ready] | all')" = true ] || return 1
	done
}
wait_for "the workers make every variant" 30 all_ready
is "each job was done once" \
	"$(psql_q "SELECT count(*) FROM resize_jobs")" 0
workers=$(pgrep -P $sup)
kill -TERM $sup
wait $sup
is "SIGTERM stops the resizer and its workers cleanly" "$?" 0
check "no worker is left" bash -c "! ps -o pid= -p '$(echo $workers | tr ' ' ,)' >/dev/null"
( resizer_env; exec "$TOP/imghost-resize" --workers 2 --loop ) \
	2>>"$TMP/workers.log" &
sup=$!
two_workers() {
	[ "$(pgrep -P $sup -c)" = 2 ]
}
wait_for "--workers 2 starts two" 10 two_workers
workers=$(pgrep -P $sup)
kill -KILL $sup
wait $sup 2>/dev/null
gone() {
	! ps -o pid= -p "$(echo $workers | tr ' ' ,)" >/dev/null
}
wait_for "SIGKILL to the resizer takes its workers with it" 5 gone
