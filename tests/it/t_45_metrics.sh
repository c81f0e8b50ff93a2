# GET /metrics: the counters move by what was done, across the FastCGI
# processes, in valid Prometheus text; the queue gauges agree with
# PostgreSQL; the resizer's textfile counts its jobs.
. "$(dirname "$0")/lib.sh"

# scrape FILE: GET /metrics of $BASE into FILE; 0 when it answered 200.
scrape() {
	req "$BASE/metrics"
	cp "$BODY" "$1"
	[ "$STATUS" = 200 ]
}

# val FILE SERIES: the value of one series ('name{labels}' exactly), or
# "missing".
val() {
	awk -v s="$2" '$1 == s { print $2; found = 1 }
		END { if (!found) print "missing" }' "$1"
}

# delta SERIES: its value in after minus before.
delta() {
	awk -v a="$(val "$TMP/after" "$1")" -v b="$(val "$TMP/before" "$1")" \
		'BEGIN { if (a == "missing" || b == "missing") print "missing"
			else print a - b }'
}

# valid_exposition FILE: each line is a HELP or TYPE line, or a sample
# of a family announced by TYPE before it, as the text format says.
valid_exposition() {
	awk '
	function fail(why) { print FILENAME ":" NR ": " why ": " $0; bad = 1 }
	/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/ { next }
	/^# TYPE / {
		if ($0 !~ /^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$/)
			fail("bad TYPE")
		if ($3 in type) fail("TYPE twice")
		type[$3] = $4
		next
	}
	/^#/ { fail("stray comment"); next }
	{
		if ($0 !~ /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*\})? (-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|[-+]Inf|NaN)$/) {
			fail("bad sample")
			next
		}
		name = $1
		sub(/\{.*/, "", name)
		fam = name
		if (!(fam in type)) sub(/_(bucket|sum|count)$/, "", fam)
		if (!(fam in type)) fail("no TYPE for " name)
		else if (type[fam] == "histogram" && name == fam)
			fail("histogram sample without suffix")
		else if (type[fam] == "counter" && fam !~ /_total$/)
			fail("counter not named _total")
		if ($1 in seen) fail("series twice")
		seen[$1] = 1
		n++
	}
	END { if (n == 0) { print "no samples"; bad = 1 }; exit bad }
	' "$1"
}

# buckets_monotonic FILE ROUTE: the latency buckets of ROUTE only grow,
# and +Inf equals _count.
buckets_monotonic() {
	awk -v r="route=\"$2\"" '
	index($1, "imghost_http_request_duration_seconds_bucket{" r ",") == 1 {
		if ($2 + 0 < prev) bad = 1
		prev = $2 + 0
		if ($1 ~ /le="\+Inf"/) inf = $2
	}
	$1 == "imghost_http_request_duration_seconds_count{" r "}" { cnt = $2 }
	END { exit (bad || inf == "" || inf != cnt) }' "$1"
}

for store in fs s3; do
	use_store $store
	scrape "$TMP/m-$store"
	is "$store: /metrics answers 200" "$STATUS" 200
	like "$store: Prometheus text content type" \
		"$(header content-type)" '^text/plain; version=0\.0\.4'
	check "$store: the exposition is valid" valid_exposition "$TMP/m-$store"
done

# applog: the app's lines so far (lighttpd hands its stderr on).
applog() {
	cat "$OUT/s3/log/stderr.log" "$OUT/s3/log/error.log" 2>/dev/null |
		grep 'imghost-fcgi\['
}

# Everything below on s3, where every image request reaches the app (with
# fs lighttpd serves what exists itself, which the app never sees).  The
# jobs of earlier tests (some fail for good) would blur the counts below.
use_store s3
psql_q "DELETE FROM resize_jobs" >/dev/null
for i in 1 2 3; do
	convert -size $((40 + i))x30 "plasma:fractal" -seed $((RANDOM + i)) \
		"$TMP/u$i.png"
done
size_sum=$(($(stat -c %s "$TMP/u1.png") + $(stat -c %s "$TMP/u2.png") +
	$(stat -c %s "$TMP/u3.png") + $(stat -c %s "$TMP/u1.png")))

scrape "$TMP/before"
applog >"$TMP/log.before"
# Three new uploads and one of the same bytes again, as raw bodies so
# the bytes read are exactly the files'.
for f in u1 u2 u3 u1; do
	req --data-binary "@$TMP/$f.png" -H 'Content-Type: image/png' \
		"$BASE/api/v1/images"
	echo "$STATUS $(json .id)" >>"$TMP/uploads"
done
like "three 201 and one 200" "$(cut -d' ' -f1 "$TMP/uploads" | tr '\n' ' ')" \
	'^201 201 201 200 $'
id1=$(head -n 1 "$TMP/uploads" | cut -d' ' -f2)
# Two views of an original, a 404 for an unknown image, five 404s
# elsewhere, a page and a health check.
req "$BASE/i/$id1.png"
req "$BASE/i/$id1.png"
check "the view is the upload" cmp -s "$BODY" "$TMP/u1.png"
req "$BASE/i/AAAAAAAA.png"
is "an unknown image is 404" "$STATUS" 404
for p in /nope /x/y /api/v2 /_fallback /metrics/x; do
	req "$BASE$p"
done
is "other paths are 404" "$STATUS" 404
req "$BASE/$id1"
req "$BASE/healthz"
scrape "$TMP/after"
applog | diff "$TMP/log.before" - | sed -n 's/^> //p' >"$TMP/log.new"
is "404s are not logged" "$(grep -c -e 404 -e AAAAAAAA -e /nope -e /x/y \
	"$TMP/log.new")" 0
is "each new upload logged once, with its id" \
	"$(grep -c "upload [A-Za-z0-9_-]\{8\}: png" "$TMP/log.new")" 3

is "uploads counted" "$(delta imghost_uploads_total)" 3
is "dedup hits counted" "$(delta imghost_upload_dedup_hits_total)" 1
is "bytes read counted" "$(delta imghost_http_received_bytes_total)" \
	"$size_sum"
is "bytes sent counted" "$(delta imghost_http_sent_bytes_total)" \
	$((2 * $(stat -c %s "$TMP/u1.png")))
is "upload 2xx counted" \
	"$(delta 'imghost_http_requests_total{route="upload",code="2xx"}')" 4
is "image 2xx counted" \
	"$(delta 'imghost_http_requests_total{route="image",code="2xx"}')" 2
is "image 404 counted" \
	"$(delta 'imghost_http_requests_total{route="image",code="4xx"}')" 1
is "other 404s counted" \
	"$(delta 'imghost_http_requests_total{route="other",code="4xx"}')" 5
is "page counted" \
	"$(delta 'imghost_http_requests_total{route="page",code="2xx"}')" 1
is "health counted" \
	"$(delta 'imghost_http_requests_total{route="health",code="2xx"}')" 1
is "the first scrape counted in the second" \
	"$(delta 'imghost_http_requests_total{route="metrics",code="2xx"}')" 1
is "no 5xx" "$(delta 'imghost_http_requests_total{route="upload",code="5xx"}')" 0
is "upload latency histogram counted" \
	"$(delta 'imghost_http_request_duration_seconds_count{route="upload"}')" 4
check "upload latency buckets grow to +Inf = count" \
	buckets_monotonic "$TMP/after" upload
check "other latency buckets grow to +Inf = count" \
	buckets_monotonic "$TMP/after" other
like "upload latency sum moved" \
	"$(delta 'imghost_http_request_duration_seconds_sum{route="upload"}')" \
	'^0\.0*[1-9]|^[1-9]'
check "the exposition is valid after traffic" valid_exposition "$TMP/after"

# The gauges are what PostgreSQL says (no resizer runs meanwhile).
for st in queued running failed; do
	is "queue gauge $st matches psql" \
		"$(val "$TMP/after" "imghost_resize_queue_jobs{state=\"$st\"}")" \
		"$(psql_q "SELECT count(*) FROM resize_jobs WHERE state = '$st'")"
done
age=$(val "$TMP/after" imghost_resize_queue_oldest_seconds)
pg_age=$(psql_q "SELECT coalesce(extract(epoch FROM now() - min(created_at)),
	0) FROM resize_jobs WHERE state <> 'failed'")
check "oldest job age matches psql ($age vs $pg_age)" \
	awk -v a="$age" -v b="$pg_age" 'BEGIN { exit !(a - b < 2 && b - a < 2) }'
is "database up" "$(val "$TMP/after" imghost_db_up)" 1

# Requests land on both FastCGI processes, and each counts into the
# same file: a burst of parallel requests is counted in full.
scrape "$TMP/before"
for i in $(seq 40); do
	curl -s -o /dev/null "$BASE/healthz" &
done
wait
scrape "$TMP/after"
is "40 parallel requests all counted" \
	"$(delta 'imghost_http_requests_total{route="health",code="2xx"}')" 40
check "the processes share one metrics file" \
	[ -s "$OUT/s3/run/imghost-fcgi.metrics" ]

# Store and database errors: S3 paused, then PostgreSQL stopped.
scrape "$TMP/before"
rgw_pause "$RGW_DIR"
req "$BASE/i/$id1.png"
is "a view with S3 down is 503" "$STATUS" 503
rgw_resume "$RGW_DIR" >/dev/null
scrape "$TMP/after"
check "store errors counted" [ "$(delta imghost_store_errors_total)" -ge 1 ]
is "the store failure logged once, with the image and the cause" \
	"$(applog | grep -c "GET /i/$id1.png: s3: HEAD $id1/original.png: .*connect")" 1
is "the 503 counted" \
	"$(delta 'imghost_http_requests_total{route="image",code="5xx"}')" 1

scrape "$TMP/before"
pg_stop "$PG_DIR"
req "$BASE/api/v1/images/$id1"
is "metadata with PostgreSQL down is 503" "$STATUS" 503
scrape "$TMP/down"
is "/metrics still answers with PostgreSQL down" "$STATUS" 200
is "and says the database is down" "$(val "$TMP/down" imghost_db_up)" 0
is "and leaves the queue gauges out" \
	"$(val "$TMP/down" 'imghost_resize_queue_jobs{state="queued"}')" missing
check "the exposition is valid with the database down" \
	valid_exposition "$TMP/down"
pg_start "$PG_DIR" "-c fsync=off" >/dev/null
scrape "$TMP/after"
check "database errors counted" [ "$(delta imghost_db_errors_total)" -ge 2 ]
is "the database failure logged once, with the request and the cause" \
	"$(applog | grep -c "GET /api/v1/images/$id1: db: connect: .*failed")" 1
is "every app line is one event: time, program, level" \
	"$(applog | grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z imghost-fcgi\[[0-9]+\]: (info|warning|error): ')" 0

# The resizer's textfile: as many jobs done as there were queued.
prom=$TMP/textfile/imghost-resize.prom
mkdir -p "$TMP/textfile"
queued=$(psql_q "SELECT count(*) FROM resize_jobs WHERE state = 'queued'
	AND run_after <= now()")
check "jobs are waiting ($queued)" [ "$queued" -ge 3 ]
t0=$(date +%s)
run_resizer --once --workers 1 --metrics-file "$prom" 2>"$TMP/resize.log"
check "the textfile is written" [ -s "$prom" ]
check "the textfile is valid" valid_exposition "$prom"
lbl='resizer="imghost-resize"'
is "jobs done counted" "$(val "$prom" "imghost_resize_jobs_done_total{$lbl}")" \
	"$queued"
is "as the log says" "$(grep -c ' variants$' "$TMP/resize.log")" "$queued"
is "each job's line names its image" \
	"$(grep -cE 'resize [A-Za-z0-9_-]{8}: 6 variants$' "$TMP/resize.log")" "$queued"
is "no failures" "$(val "$prom" "imghost_resize_jobs_failed_total{$lbl}")" 0
is "duration histogram counted each job" \
	"$(val "$prom" "imghost_resize_duration_seconds_count{$lbl}")" "$queued"
is "+Inf bucket = count" \
	"$(val "$prom" "imghost_resize_duration_seconds_bucket{$lbl,le=\"+Inf\"}")" \
	"$queued"
like "duration sum is positive" \
	"$(val "$prom" "imghost_resize_duration_seconds_sum{$lbl}")" '^0\.0*[1-9]|^[1-9]'
last=$(val "$prom" "imghost_resize_last_run_timestamp_seconds{$lbl}")
check "last run time is now ($last)" \
	[ "${last%.*}" -ge "$t0" -a "${last%.*}" -le "$(date +%s)" ]
check "no temporary file left" \
	[ "$(ls "$TMP/textfile" | wc -l)" -eq 1 ]

# A second run carries the counters on, and counts a failure.
convert -size 33x22 xc:teal "$TMP/victim.png"
req --data-binary "@$TMP/victim.png" -H 'Content-Type: image/png' \
	"$BASE/api/v1/images"
vid=$(json .id)
# The row says GIF: the resizer looks for an original.gif that is not
# in the store, and the attempt fails.
psql_q "UPDATE images SET type = 'gif' WHERE sha256 =
	decode('$(sha256sum "$TMP/victim.png" | cut -d' ' -f1)', 'hex')" >/dev/null
convert -size 34x22 xc:olive "$TMP/ok.png"
req --data-binary "@$TMP/ok.png" -H 'Content-Type: image/png' \
	"$BASE/api/v1/images"
run_resizer --once --workers 1 --metrics-file "$prom" 2>>"$TMP/resize.log"
is "the second run adds to the first" \
	"$(val "$prom" "imghost_resize_jobs_done_total{$lbl}")" $((queued + 1))
is "a failed attempt is counted" \
	"$(val "$prom" "imghost_resize_jobs_failed_total{$lbl}")" 1
is "and logged once with its image and cause" \
	"$(grep -c "resize $vid: attempt 1: read $vid/original.gif: not_found" \
	"$TMP/resize.log")" 1
is "the histogram carries on too" \
	"$(val "$prom" "imghost_resize_duration_seconds_count{$lbl}")" \
	$((queued + 2))
# The row made to lie is put right, so later tests find no row that
# points at a missing blob.
psql_q "UPDATE images SET type = 'png' WHERE sha256 =
	decode('$(sha256sum "$TMP/victim.png" | cut -d' ' -f1)', 'hex')" >/dev/null
psql_q "DELETE FROM resize_jobs WHERE state <> 'running'" >/dev/null

# Only the scraper's network reads /metrics (var.metrics_from, which
# the test stacks set to 127.0.0.1/32): another address gets a 404.
for store in fs s3; do
	use_store $store
	req --interface 127.0.0.2 "$BASE/metrics"
	is "$store: /metrics from outside var.metrics_from: 404" \
		"$STATUS $(json .error.code)" "404 not_found"
	check "$store: and no counter in it" \
		bash -c "! grep -q imghost_ '$BODY'"
	req --interface 127.0.0.2 "$BASE/healthz"
	is "$store: /healthz from there still answers" "$STATUS" 200
done
