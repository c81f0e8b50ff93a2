# A variant asked for before it is made (a chat app fetching og:image a
# second after the paste): with a resizer there, its job goes first and
# the request waits for it, then gets the variant, not the original;
# with none, or one that is stuck, the original stands in as before (at
# once, or after the wait).  Both stores.
. "$(dirname "$0")/lib.sh"

convert -size 3000x2000 plasma:fractal -seed 26 -quality 92 "$TMP/big.jpg"

# up I: uploads the big photo made new by bytes after its end; sets ID.
up() {
	{ cat "$TMP/big.jpg"; echo "t26-$STORE-$1"; } >"$TMP/up.jpg"
	req -F "file=@$TMP/up.jpg;type=image/jpeg" "$BASE/api/v1/images"
	ID=$(json .id)
}

# timed URL: GETs URL; sets STATUS and MS, the milliseconds it took.
timed() {
	local t0
	t0=$(date +%s%N)
	req "$1"
	MS=$((($(date +%s%N) - t0) / 1000000))
}

# resizer_up: true once a resizer session began after $since (not the
# last one's, which may linger); a function, so wait_for asks each time.
resizer_up() {
	[ "$(psql_q "SELECT count(*) FROM pg_stat_activity
		WHERE application_name = 'imghost-resize'
		AND datname = current_database()
		AND backend_start > '$since'")" -gt 0 ]
}

# start_resizer: one --loop worker, connected; its PID in pid.
start_resizer() {
	since=$(psql_q "SELECT now()")
	( resizer_env; exec "$TOP/imghost-resize" --workers 1 --loop ) \
		2>>"$TMP/resize.log" &
	pid=$!
	wait_for "$STORE: the resizer is connected" 30 resizer_up
}

# metric NAME: its value on the current stack's /metrics.
metric() {
	curl -s "$BASE/metrics" | awk -v m="$1" '$1 == m { print $2 }'
}

for store in fs s3; do
	use_store $store

	# No resizer: the original stands in at once.
	up nobody
	timed "$BASE/i/$ID/large.jpg"
	is "$store: no resizer: 307 to the original" "$STATUS" 307
	check "$store: ... at once (${MS} ms)" [ "$MS" -lt 1000 ]

	# A backlog, then one asked for: it goes first and is waited for.
	for i in 1 2 3 4 5 6; do up "backlog-$i"; done
	made=$(metric imghost_variant_waits_made_total)
	start_resizer
	up asked
	asked=$ID
	timed "$BASE/i/$asked/large.jpg"
	is "$store: a resizer at work: the variant itself" \
		"$STATUS $(header content-type)" "200 image/jpeg"
	check "$store: ... within the wait (${MS} ms)" [ "$MS" -lt 6000 ]
	is "$store: ... counted as made in the wait" \
		"$(metric imghost_variant_waits_made_total)" $((made + 1))
	check "$store: the asked-for job went before the backlog" \
		[ "$(psql_q "SELECT count(*) FROM resize_jobs")" -gt 0 ]
	kill -TERM $pid
	wait $pid 2>/dev/null

	# A resizer that is there but stuck: the wait runs out, the
	# original stands in, and the request took the whole wait.
	start_resizer
	kill -STOP $pid
	up stuck
	vain=$(metric imghost_variant_waits_in_vain_total)
	timed "$BASE/i/$ID/medium.jpg"
	is "$store: a stuck resizer: 307 to the original" "$STATUS" 307
	check "$store: ... after the wait (${MS} ms)" \
		[ "$MS" -ge 5500 -a "$MS" -lt 9000 ]
	is "$store: ... counted as in vain" \
		"$(metric imghost_variant_waits_in_vain_total)" $((vain + 1))
	kill -CONT $pid
	kill -TERM $pid
	wait $pid 2>/dev/null
	psql_q "DELETE FROM resize_jobs" >/dev/null
done
