# Purge jobs, the resizer's side of deleting an image (API.md,
# "Ownership and deletion"): a claim ended by claim_end() queues one; the
# resizer sweeps every blob and runs purge_command with the deleted URLs,
# retrying a failing command with a backoff; a resizer that was making
# the image's variants when it was deleted leaves no blob behind.  On
# both stores.  The claims are made with psql: the HTTP side is tested
# through the API elsewhere.
. "$(dirname "$0")/lib.sh"

admin() {
	( resizer_env; exec "$TOP/imghost-admin" "$@" )
}

# purge_resizer CMD ARGS...: imghost-resize with purge_command CMD, one
# worker, so --metrics-file is the file named.
purge_resizer() {
	local cmd=$1
	shift
	( resizer_env; export IMGHOST_PURGE_COMMAND=$cmd
	  exec "$TOP/imghost-resize" --workers 1 "$@" )
}

# blobs_left ID EXT: how many blobs of the image the store still holds:
# every key it could have (HEAD, or the fs file), and whatever a
# listing under ID/ finds (imghost-admin gc --dry-run names each).
blobs_left() {
	local n=0 k s f
	for s in original small medium large; do
		for f in "$2" webp; do
			k=$1/$s.$f
			blob_exists "$k" && n=$((n + 1))
		done
	done
	k=$(admin gc --dry-run --older-than 0 --prefix "$1/" 2>/dev/null |
		grep -c '^would delete')
	echo $((n + k))
}

# end_claim ID BASE: gives the image one claim (only that one) and ends
# it with claim_end(), as the last DELETE would; prints its answer.
end_claim() {
	local i
	i=$(id_int "$1")
	psql_q "DELETE FROM claims WHERE image_id = $i;
		INSERT INTO claims (image_id, selector, verifier)
		VALUES ($i, 4242, decode(repeat('ab', 32), 'hex'))" >/dev/null
	psql_q "SELECT claim_end($i, 4242, decode(repeat('ab', 32), 'hex'),
		'$2')"
}

# want_urls BASE ID EXT: the URLs purge_command should get, one a line.
want_urls() {
	local s
	echo "$1/$2"
	echo "$1/i/$2.$3"
	echo "$1/i/$2/original.$3"
	for s in small medium large; do
		echo "$1/i/$2/$s.$3"
		[ "$3" = webp ] || echo "$1/i/$2/$s.webp"
	done
}

# A purge_command that writes its arguments, one a line, and a line
# "--" after them, to $TMP/purged; it fails with status 3 the first time
# after $TMP/fail-once was created.
cat >"$TMP/purge-cmd" <<EOF
#!/bin/sh
if [ -e "$TMP/fail-once" ]; then
	rm -f "$TMP/fail-once"
	echo "cdn says no" >&2
	exit 3
fi
for u in "\$@"; do echo "\$u"; done >>"$TMP/purged"
echo -- >>"$TMP/purged"
echo "purge-cmd ran with \$# URLs"
EOF
chmod +x "$TMP/purge-cmd"

mkdir -p "$TMP/img"
for store in fs s3; do
	use_store $store
	if [ $store = fs ]; then
		ext=png cdn=https://cdn.example
		# A trailing slash on the base gives no "//" in the URLs.
		base_arg=$cdn/
	else
		ext=jpg cdn=http://other.example:8080 base_arg=$cdn
	fi
	convert -size 300x200 "gradient:rgb(9,${#store}0,1)-rgb(1,2,200)" \
		"$TMP/img/$store-a.$ext"
	req -F "file=@$TMP/img/$store-a.$ext" "$BASE/api/v1/images"
	a=$(json .id)
	ai=$(id_int "$a")
	run_resizer --once 2>>"$TMP/resize.log"
	is "$store: an image with its variants" "$(blobs_left "$a" "$ext")" 7

	# ----------------------------------------------- the purge job
	is "$store: claim_end of the last claim deletes the image" \
		"$(end_claim "$a" "$base_arg")" deleted
	is "$store: and queues its purge job" "$(psql_q "SELECT state,
		attempts, base_url FROM purge_jobs WHERE image_id = $ai")" \
		"queued|0|$base_arg"
	admin stats >"$TMP/stats"
	is "$store: stats: a queued purge job" \
		"$(awk '$1 == "purge_jobs_queued" { print $2 }' "$TMP/stats")" 1
	: >"$TMP/purged"
	purge_resizer "$TMP/purge-cmd" --once --metrics-file \
		"$TMP/$store.prom" 2>"$TMP/$store-purge.log"
	is "$store: the resizer ends the purge job" \
		"$(psql_q "SELECT count(*) FROM purge_jobs")" 0
	is "$store: no blob of the image is left" "$(blobs_left "$a" "$ext")" 0
	is "$store: purge_command got the deleted URLs" \
		"$(cat "$TMP/purged")" "$(want_urls "$cdn" "$a" "$ext"; echo --)"
	check "$store: its output is in the log" \
		grep -q "purge-cmd ran with 9 URLs" "$TMP/$store-purge.log"
	check "$store: the job is logged" \
		grep -q "purge $a: purged" "$TMP/$store-purge.log"
	is "$store: metrics: a purge job done" "$(awk \
		'/^imghost_resize_purge_jobs_done_total/ { print $2 }' \
		"$TMP/$store.prom")" 1
	req "$BASE/i/$a/small.webp"
	is "$store: its variant answers 404" "$STATUS" 404
	req "$BASE/i/$a.$ext"
	is "$store: its original too" "$STATUS" 404

	# -------------------------------- a failing command, retried
	convert -size 90x60 "xc:rgb(7,${#store}1,9)" "$TMP/img/$store-b.$ext"
	req -F "file=@$TMP/img/$store-b.$ext" "$BASE/api/v1/images"
	b=$(json .id)
	bi=$(id_int "$b")
	run_resizer --once 2>>"$TMP/resize.log"
	end_claim "$b" "$cdn" >/dev/null
	touch "$TMP/fail-once"
	: >"$TMP/purged"
	purge_resizer "$TMP/purge-cmd" --once --metrics-file \
		"$TMP/$store.prom" 2>"$TMP/$store-fail.log"
	is "$store: a failed purge_command puts the job back" \
		"$(psql_q "SELECT state, attempts, run_after > now()
		FROM purge_jobs WHERE image_id = $bi")" "queued|1|t"
	is "$store: with its exit status as the error" \
		"$(psql_q "SELECT last_error FROM purge_jobs")" \
		"purge_command exited with status 3"
	check "$store: the failure is logged" grep -q \
		"purge $b: attempt 1: purge_command exited with status 3" \
		"$TMP/$store-fail.log"
	check "$store: with what the command said" \
		grep -q "cdn says no" "$TMP/$store-fail.log"
	is "$store: metrics: a failed purge attempt" "$(awk \
		'/^imghost_resize_purge_jobs_failed_total/ { print $2 }' \
		"$TMP/$store.prom")" 1
	is "$store: the app's /metrics shows it retrying" "$(curl -s \
		"$BASE/metrics" | awk '$1 == "imghost_purge_jobs{state=\"retrying\"}" \
		{ print $2 }')" 1
	purge_resizer "$TMP/purge-cmd" --once 2>>"$TMP/$store-fail.log"
	is "$store: within its backoff it is not run again" \
		"$(psql_q "SELECT attempts FROM purge_jobs")" 1
	psql_q "UPDATE purge_jobs SET run_after = now()" >/dev/null
	purge_resizer "$TMP/purge-cmd" --once --metrics-file \
		"$TMP/$store.prom" 2>>"$TMP/$store-fail.log"
	is "$store: after the backoff the retry succeeds" \
		"$(psql_q "SELECT count(*) FROM purge_jobs")" 0
	is "$store: and gives the command the URLs" "$(cat "$TMP/purged")" \
		"$(want_urls "$cdn" "$b" "$ext"; echo --)"
	is "$store: metrics: the counters carry on" "$(awk \
		'/^imghost_resize_purge_jobs_(done|failed)_total/ { print $2 }' \
		"$TMP/$store.prom" | paste -sd' ')" "2 1"
	is "$store: no blob of it is left" "$(blobs_left "$b" "$ext")" 0

	# A job whose claimer died (its connection is gone) is taken at
	# once, lease or not; one on its last attempt is marked failed.
	psql_q "INSERT INTO purge_jobs (image_id, type, selector, verifier,
		base_url, state, attempts, run_after, claimed_by) VALUES
		(1, 'png', 1, '\\x00', 'http://x', 'running', 1,
		 now() + interval '1 hour', 2147483646),
		(2, 'png', 1, '\\x00', 'http://x', 'running', 16,
		 now() + interval '1 hour', 2147483646)" >/dev/null
	purge_resizer "" --once 2>>"$TMP/$store-fail.log"
	is "$store: an orphaned purge job is done at once; a spent one fails" \
		"$(psql_q "SELECT image_id, state, last_error FROM purge_jobs")" \
		"2|failed|its resizer stopped during each attempt"
	is "$store: requeue puts a failed purge job back" "$(admin requeue)" \
		"requeued 0 failed jobs and 1 failed purge job"
	is "$store: queued afresh" "$(psql_q "SELECT state, attempts,
		last_error IS NULL FROM purge_jobs")" "queued|0|t"
	psql_q "DELETE FROM purge_jobs" >/dev/null

	# ----------------------------------------------- the race
	# A resizer (one process, to stop it) is making the variants when
	# the last claim ends, and another resizer runs the purge job before
	# the first has written anything: the first finds the image gone
	# when it records its variants, and sweeps what it wrote.
	convert -size 6000x4000 "gradient:rgb(3,${#store}2,3)-rgb(90,9,7)" \
		"$TMP/img/$store-big.png"
	req -F "file=@$TMP/img/$store-big.png" "$BASE/api/v1/images"
	e=$(json .id)
	ei=$(id_int "$e")
	( resizer_env; exec "$TOP/imghost-resize" --workers 1 --once ) \
		2>"$TMP/$store-race.log" &
	pid=$!
	running() {
		[ "$(psql_q "SELECT state FROM resize_jobs
			WHERE image_id = $ei")" = running ]
	}
	wait_for "$store: race: a resizer claims a big image" 20 running
	kill -STOP $pid
	is "$store: race: its last claim ends meanwhile" \
		"$(end_claim "$e" "$cdn")" deleted
	is "$store: race: the job went with the image" \
		"$(psql_q "SELECT count(*) FROM resize_jobs WHERE image_id = $ei")" 0
	purge_resizer "" --once 2>"$TMP/$store-race2.log"
	is "$store: race: another resizer ends the purge job" \
		"$(psql_q "SELECT count(*) FROM purge_jobs")" 0
	check "$store: race: and says so" \
		grep -q "purge $e: purged" "$TMP/$store-race2.log"
	kill -CONT $pid
	wait $pid
	is "$store: race: the first resizer ends well" $? 0
	# Stopped as it read the row, or as it resized: either way it
	# must see the image gone.
	check "$store: race: it saw the image gone" grep -qE \
		"resize $e: (deleted or taken down meanwhile: its blobs swept|the image is gone: job dropped)" \
		"$TMP/$store-race.log"
	check "$store: race: without an error in the log" \
		bash -c "! grep -q 'error' '$TMP/$store-race.log'"
	is "$store: race: no blob of the image is left" \
		"$(blobs_left "$e" png)" 0
	is "$store: race: no variant row either" \
		"$(psql_q "SELECT count(*) FROM variants WHERE image_id = $ei")" 0
	admin gc --older-than 0 --dry-run >"$TMP/out" 2>&1
	check "$store: race: imghost-admin gc finds nothing of it" \
		bash -c "! grep -qe '$e' '$TMP/out'"
done
