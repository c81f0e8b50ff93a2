# Uploads by url from a remote that answers slowly (issue 15, item 3),
# and what a refused one says (item 10).  A fetch holds its FastCGI
# process until it ends, so: a fetch ends after 10 s, or after 5 s under
# 1 KiB/s; at most url_upload_concurrency (2) run at once on a node, and
# past them an upload by url gets 503 with Retry-After at once; and all
# var.fcgi_procs processes run, so the others keep serving.  Each store
# has a stack of its own (lighttpd + app, database imghost_slow_STORE)
# with the slow server on its url_upload_allow list.  Only loopback is
# ever contacted.
. "$(dirname "$0")/lib.sh"
. "$TOP/stack/lighttpd.sh"

K=2		# url_upload_concurrency's default
# The image server: a file, a redirect, a body that trickles a byte a
# second, one that comes at 2 KiB/s (over the minimum rate, so only the
# 10 s limit ends it).  Each request's path is written to SEEN as it
# starts.  It ends itself after DEADLINE seconds whatever happens, and
# each slow body after at most 20 s.  slow.py PORT DIR SEEN DEADLINE
cat >"$TMP/slow.py" <<'EOF'
import http.server, os, signal, sys, time, urllib.parse

signal.alarm(int(sys.argv[4]))

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        path, _, query = self.path.partition("?")
        with open(sys.argv[3], "a") as f:
            f.write(self.path + "\n")
        try:
            if path == "/redir":
                self.send_response(302)
                self.send_header("Location", urllib.parse.unquote(query))
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path in ("/trickle", "/steady"):
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(b"\x89PNG\r\n\x1a\n")
                self.wfile.flush()
                for _ in range(20 * (1 if path == "/trickle" else 4)):
                    if path == "/trickle":
                        time.sleep(1)
                        self.wfile.write(b"\0")
                    else:
                        time.sleep(0.25)
                        self.wfile.write(b"\0" * 512)
                    self.wfile.flush()
            else:
                f = os.path.join(sys.argv[2], os.path.basename(path))
                data = open(f, "rb").read() if os.path.isfile(f) else b""
                self.send_response(200 if data else 404)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
        except OSError:
            pass

class S(http.server.ThreadingHTTPServer):
    daemon_threads = True

S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF

pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	lighttpd_stop "$TMP/slow_fs"
	lighttpd_stop "$TMP/slow_s3"
}
trap cleanup EXIT

files=$TMP/files seen=$TMP/seen
mkdir -p "$files"
: >"$seen"
convert -size 60x40 plasma:fractal -seed 153 "$files/img.png"
SP=$(free_port)
python3 "$TMP/slow.py" "$SP" "$files" "$seen" 300 &
pids+=($!)
SLOW=http://127.0.0.1:$SP
wait_for "the slow server answers" 10 curl -sf -o /dev/null "$SLOW/img.png"

# stack STORE PORT: a lighttpd + app of its own on that store, with its
# own database, the slow server allowed.
stack() {
	local name=slow_$1 port=$2
	local url=${PG_URL/dbname=imghost/dbname=imghost_$name}
	createdb -h "$(pg_sockdir "$PG_DIR")" -U postgres "imghost_$name" &&
	IMGHOST_DATABASE_URL=$url "$TOP/imghost-resize" --migrate \
		--sql-dir "$TOP/sql" >/dev/null || return 1
	(
		export IMGHOST_DATABASE_URL="$url" \
			IMGHOST_URL_UPLOAD_ALLOW="127.0.0.1:$SP"
		if [ "$1" = fs ]; then
			export IMGHOST_STORE=fs \
				IMGHOST_FS_ROOT="$TMP/$name/store"
		else
			export IMGHOST_STORE=s3 \
				IMGHOST_S3_ENDPOINT="$RGW_ENDPOINT" \
				IMGHOST_S3_BUCKET="$RGW_BUCKET" \
				IMGHOST_S3_REGION="$RGW_REGION" \
				IMGHOST_S3_ACCESS_KEY="$RGW_ACCESS_KEY" \
				IMGHOST_S3_SECRET_KEY="$RGW_SECRET_KEY"
		fi
		lighttpd_start "$TOP" "$TMP/$name" "$port" "$TMP/$name/store"
	)
}

# procs DIR: the app processes of the lighttpd of that stack (its
# children by PID, so no other clone's processes count).
procs() {
	pgrep -P "$(cat "$1/run/lighttpd.pid")" -x imghost-fcgi
}

# want_procs DIR: var.fcgi_procs of that stack's lighttpd.conf.
want_procs() {
	sed -n 's/^var.fcgi_procs[\t ]*=[\t ]*\([0-9]*\).*/\1/p' \
		"$1/lighttpd.conf"
}

# seen TAG: how many requests the slow server has had for ...?TAG.
seen() {
	grep -c "?$1\$" "$seen"
}

# For wait_for, which runs its command again and again: seen TAG at
# least N times; at most N of bg running; N app processes in DIR.
seen_ge() { [ "$(seen "$1")" -ge "$2" ]; }
inflight_le() { [ "$(inflight)" -le "$1" ]; }
procs_are() { [ "$(procs "$1" | wc -l)" -eq "$2" ]; }

# fetch_bg NAME URL: an upload by url in the background; its status and
# time go to $TMP/NAME.out, its headers to $TMP/NAME.hdr; its PID is
# added to bg.
bg=()
fetch_bg() {
	curl -s -o "$TMP/$1.body" -D "$TMP/$1.hdr" --max-time 30 \
		-w '%{http_code} %{time_total}\n' -F "url=$2" \
		"$U/api/v1/images" >"$TMP/$1.out" &
	bg+=($!)
}

# inflight: how many of bg are still running.
inflight() {
	local p n=0
	for p in "${bg[@]}"; do kill -0 "$p" 2>/dev/null && n=$((n + 1)); done
	echo $n
}

# lat N CURL-ARGS...: N requests one after another; prints "p50 p99 bad"
# (milliseconds; bad: answers that were not 2xx or 3xx, or timed out).
lat() {
	local n=$1 i
	shift
	for i in $(seq "$n"); do
		curl -s -o /dev/null --max-time 5 \
			-w '%{http_code} %{time_total}\n' "$@"
	done | sort -k2,2g | awk '{ if ($1 !~ /^[23]/) bad++; t[NR] = $2 * 1000 }
		END { i99 = int(NR * 0.99); if (i99 < NR * 0.99) i99++
			printf "%.1f %.1f %d\n", t[int((NR + 1) / 2)], t[i99],
				bad }'
}

# figures WHEN: the latency of /healthz, an image, the API and an upload
# (a duplicate: the whole body read, checked, hashed, looked up) on the
# current stack, printed and kept in $TMP/latency.txt; sets LAT_BAD to
# the number of failed requests and LAT_MAX to the worst p99 (ms).
figures() {
	local when=$1 what r
	LAT_BAD=0 LAT_MAX=0
	for what in healthz image api upload; do
		case $what in
		healthz) r=$(lat 30 "$U/healthz") ;;
		image) r=$(lat 30 "$U/i/$id.png") ;;
		api) r=$(lat 30 "$U/api/v1/images/$id") ;;
		upload) r=$(lat 15 -F "file=@$files/img.png" \
			"$U/api/v1/images") ;;
		esac
		set -- $r
		printf '%s, %s %-7s p50 %6.1f ms  p99 %6.1f ms  failed %d\n' \
			"$store" "$when" "$what" "$1" "$2" "$3" |
			tee -a "$TMP/latency.txt"
		LAT_BAD=$((LAT_BAD + $3))
		LAT_MAX=$(awk -v a="$LAT_MAX" -v b="$2" \
			'BEGIN { print (b > a ? b : a) }')
	done
}

for store in fs s3; do
	dir=$TMP/slow_$store
	port=$(free_port)
	check "$store: a stack with the slow server allowed starts" \
		stack "$store" "$port"
	U=http://127.0.0.1:$port
	N=$(want_procs "$dir")

	# (b) lighttpd.conf asks for var.fcgi_procs processes: all run.
	is "$store: var.fcgi_procs ($N) app processes run" \
		"$(procs "$dir" | wc -l)" "$N"
	check "$store: more processes than fetch slots ($N > $K)" \
		[ "${N:-0}" -gt "$K" ]

	req -F "file=@$files/img.png" "$U/api/v1/images"
	like "$store: an image to view is stored" "$STATUS" '^20[01]$'
	id=$(json .id)

	figures "no fetch in flight:  "
	is "$store: without fetches, every request answered" "$LAT_BAD" 0

	# N uploads by url at once of a body that comes at 2 KiB/s for
	# 20 s: K are fetched, held to the 10 s limit; the others are
	# refused at once.
	bg=()
	t0=$(date +%s)
	for i in $(seq "$N"); do fetch_bg "steady$i" "$SLOW/steady?$store-a"; done
	wait_for "$store: $K of $N slow fetches reach the remote" 5 \
		seen_ge "$store-a" "$K"
	wait_for "$store: the $((N - K)) past them are answered" 5 \
		inflight_le "$K"
	sleep 0.5
	is "$store: the remote saw $K fetches, no more" "$(seen "$store-a")" "$K"
	is "$store: $K are in flight" "$(inflight)" "$K"
	busy=0 quick=0 retry=0
	for i in $(seq "$N"); do
		read -r code secs <"$TMP/steady$i.out" 2>/dev/null || continue
		[ "$code" = 503 ] || continue
		busy=$((busy + 1))
		awk -v s="$secs" 'BEGIN { exit !(s < 1) }' &&
			quick=$((quick + 1))
		grep -qi '^retry-after: [1-9]' "$TMP/steady$i.hdr" &&
			grep -q '"unavailable"' "$TMP/steady$i.body" &&
			retry=$((retry + 1))
	done
	is "$store: $((N - K)) fetches past $K got 503" "$busy" $((N - K))
	is "$store: each within 1 s" "$quick" $((N - K))
	is "$store: each unavailable, with Retry-After" "$retry" $((N - K))
	req --max-time 1 "$U/healthz"
	is "$store: while $K fetches run, /healthz answers within 1 s" \
		"$STATUS" 200
	req --max-time 2 -F "file=@$files/img.png" "$U/api/v1/images"
	is "$store: while $K fetches run, an upload answers within 2 s" \
		"$STATUS" 200
	figures "$K slow fetches held:"
	is "$store: with $K fetches in flight, every request answered" \
		"$LAT_BAD" 0
	check "$store: and the worst p99 is under 1 s ($LAT_MAX ms)" \
		awk -v m="$LAT_MAX" 'BEGIN { exit !(m < 1000) }'
	is "$store: the figures were taken while $K fetches ran" \
		"$(inflight)" "$K"
	wait "${bg[@]}"
	t=$(($(date +%s) - t0))
	held=0
	for i in $(seq "$N"); do
		read -r code secs <"$TMP/steady$i.out" 2>/dev/null || continue
		[ "$code" = 400 ] && grep -q 'took over 10 s' \
			"$TMP/steady$i.body" && held=$((held + 1))
	done
	is "$store: the $K held ones: bad_url, over 10 s" "$held" "$K"
	check "$store: ended by the 10 s limit (${t} s)" [ "$t" -ge 9 -a "$t" -le 16 ]

	# A byte a second: given up after 5 s under 1 KiB/s.
	bg=()
	t0=$(date +%s)
	for i in $(seq "$K"); do fetch_bg "trickle$i" "$SLOW/trickle?$store-b"; done
	wait "${bg[@]}"
	t=$(($(date +%s) - t0))
	n=0
	for i in $(seq "$K"); do
		grep -q '^400 ' "$TMP/trickle$i.out" &&
			grep -q 'under 1024 bytes/s for 5 s' "$TMP/trickle$i.body" &&
			n=$((n + 1))
	done
	is "$store: $K trickling fetches: bad_url, too slow" "$n" "$K"
	check "$store: given up before the 10 s limit (${t} s)" \
		[ "$t" -ge 4 -a "$t" -le 9 ]
	is "$store: nothing of them stored" \
		"$(psql -qAtX "${PG_URL/dbname=imghost/dbname=imghost_slow_$store}" \
		-c 'SELECT count(*) FROM images')" 1

	# A process that dies holding a slot lets it go: the kernel drops
	# a flock() with the process.
	bg=()
	t0=$(date +%s)
	for i in $(seq "$K"); do fetch_bg "kill$i" "$SLOW/steady?$store-c"; done
	wait_for "$store: $K more fetches reach the remote" 5 \
		seen_ge "$store-c" "$K"
	holders=()
	for p in $(procs "$dir"); do
		ls -l "/proc/$p/fd" 2>/dev/null | grep -q 'imghost-fcgi\.fetch\.' &&
			holders+=("$p")
	done
	is "$store: $K app processes hold a slot's lock file" "${#holders[@]}" "$K"
	req -F "url=$SLOW/img.png" "$U/api/v1/images"
	is "$store: meanwhile, a fetch past them: 503" "$STATUS" 503
	kill -9 "${holders[@]}" 2>/dev/null
	wait "${bg[@]}"
	wait_for "$store: lighttpd starts the killed ones again" 5 \
		procs_are "$dir" "$N"
	req --max-time 5 -F "url=$SLOW/img.png" "$U/api/v1/images"
	is "$store: once those processes are killed, a fetch runs" \
		"$STATUS" 200
	t=$(($(date +%s) - t0))
	check "$store: before their fetches' 10 s were up (${t} s)" [ "$t" -le 8 ]

	# (c) A refusal names no address: not the one a name resolved to,
	# nor one a redirect led to.  The log keeps it for the operator.
	for u in "http://localhost:$(free_port)/x.png" \
	    "http://127.0.0.1:$(free_port)/x.png" \
	    "$SLOW/redir?http://localhost:1/x.png" \
	    "$SLOW/redir?http://[::ffff:7f00:1]:1/x.png"; do
		req -F "url=$u" "$U/api/v1/images"
		msg=$(json .error.message)
		is "$store: $u: bad_url" "$STATUS $(json .error.code)" \
			"400 bad_url"
		is "$store: $u: says an internal address, naming none" \
			"$msg" "the url leads to an internal address"
	done
	check "$store: the log names the address refused" \
		grep -Eq 'leads to an internal address \((::1|127\.0\.0\.1)\)' \
		"$dir/log/stderr.log"
done

# The shared stacks: all their processes run too, and with no allow
# list a loopback url is refused without naming its address.
for store in fs s3; do
	use_store $store
	dir=$OUT/$store
	is "shared $store: var.fcgi_procs app processes run" \
		"$(procs "$dir" | wc -l)" "$(want_procs "$dir")"
	req -F "url=http://localhost:$SP/img.png" "$BASE/api/v1/images"
	is "shared $store: localhost refused without its address" \
		"$STATUS $(json .error.message)" \
		"400 the url leads to an internal address"
done
echo "latency figures: $TMP/latency.txt"
