# Uploads by url, against image servers of our own on loopback.  A stack
# of its own (lighttpd + app, database imghost_url) has one of them on
# its url_upload_allow list; the shared stacks have none.  Only loopback
# is ever contacted.
. "$(dirname "$0")/lib.sh"
. "$TOP/stack/lighttpd.sh"

# The image server: files from a directory, redirects, an endless body,
# a slow one, and 404s.  srv.py HOST PORT DIR
cat >"$TMP/srv.py" <<'EOF'
import http.server, os, socket, sys, time, urllib.parse

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def head(self, code, kind, length=None, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", kind)
        if length is not None:
            self.send_header("Content-Length", str(length))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()

    def do_GET(self):
        path, _, query = self.path.partition("?")
        try:
            if path == "/redir":
                self.head(302, "text/plain", 0,
                          [("Location", urllib.parse.unquote(query))])
            elif path == "/endless":
                self.head(200, "image/png")
                self.wfile.write(b"\x89PNG\r\n\x1a\n")
                while True:
                    self.wfile.write(b"\0" * 65536)
            elif path == "/slow":
                self.head(200, "image/png")
                self.wfile.write(b"\x89PNG\r\n\x1a\n")
                for _ in range(60):
                    time.sleep(1)
                    self.wfile.write(b"\0")
                    self.wfile.flush()
            else:
                f = os.path.join(sys.argv[3], os.path.basename(path))
                if not os.path.isfile(f):
                    self.head(404, "text/plain", 0)
                    return
                data = open(f, "rb").read()
                self.head(200, "application/octet-stream", len(data))
                self.wfile.write(data)
        except OSError:
            pass

class S(http.server.ThreadingHTTPServer):
    daemon_threads = True
    address_family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET

S((sys.argv[1], int(sys.argv[2])), H).serve_forever()
EOF

pids=()
cleanup() {
	local p
	lighttpd_stop "$TMP/url"
	lighttpd_stop "$TMP/off"
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT

files=$TMP/files
mkdir -p "$files"
convert -size 60x40 plasma:fractal -seed 151 "$files/img.png"
convert -size 60x40 plasma:fractal -seed 152 -quality 90 "$files/gps.jpg"
exiftool -q -q -overwrite_original -GPSLatitude=52.5 -GPSLatitudeRef=N \
	-Orientation#=6 "$files/gps.jpg"
echo "not an image" >"$files/text.txt"

# serve HOST PORT: starts an image server and waits for it.
serve() {
	python3 "$TMP/srv.py" "$1" "$2" "$files" &
	pids+=($!)
	local h=$1
	[[ $h == *:* ]] && h="[$h]"
	wait_for "image server on $h:$2" 10 curl -sf -o /dev/null \
		"http://$h:$2/img.png"
}
A=$(free_port)
B=$(free_port)
C=$(free_port)
serve 127.0.0.1 "$A"
serve 127.0.0.1 "$B"
have_v6=0
serve ::1 "$C" && have_v6=1
OK=http://127.0.0.1:$A

# stack NAME PORT VAR=VALUE...: a lighttpd + app of its own, with its own
# database and store, and the IMGHOST_* settings given.
stack() {
	local name=$1 port=$2 url=${PG_URL/dbname=imghost/dbname=imghost_$1}
	shift 2
	createdb -h "$(pg_sockdir "$PG_DIR")" -U postgres "imghost_$name" &&
	IMGHOST_DATABASE_URL=$url "$TOP/imghost-resize" --migrate \
		--sql-dir "$TOP/sql" >/dev/null || return 1
	(
		export IMGHOST_DATABASE_URL="$url" IMGHOST_STORE=fs \
			IMGHOST_FS_ROOT="$TMP/$name/store" "$@"
		lighttpd_start "$TOP" "$TMP/$name" "$port" "$TMP/$name/store"
	)
}
UP=$(free_port)
check "a stack with 127.0.0.1:$A allowed starts" stack url "$UP" \
	IMGHOST_URL_UPLOAD_ALLOW="127.0.0.1:$A" IMGHOST_MAX_UPLOAD_BYTES=1M
U=http://127.0.0.1:$UP
DB=${PG_URL/dbname=imghost/dbname=imghost_url}

# post_url URL: an upload by url as a multipart form field.
post_url() {
	req -F "url=$1" "$U/api/v1/images"
}

post_url "$OK/img.png"
is "allowed: 201" "$STATUS" 201
id=$(json .id)
req "$U/i/$id.png"
check "allowed: the stored bytes are the server's" cmp -s "$BODY" \
	"$files/img.png"

# A password or a token in the url is the uploader's secret: the log
# names the fetch without them.
post_url "http://someone:pa55word@127.0.0.1:$A/img.png?token=t0ken"
is "with a password and a query: the same image" "$(json .id)" "$id"
check "the log has neither the password nor the query" \
	bash -c "! grep -q 'pa55word\|t0ken' '$TMP/url/log/stderr.log'"
check "the log names the fetch" \
	grep -q "fetch http://127.0.0.1:$A/img.png: ok" "$TMP/url/log/stderr.log"

req -H 'Content-Type: application/json' \
	--data "{\"url\": \"$OK/gps.jpg\"}" "$U/api/v1/images"
is "JSON body: 201" "$STATUS" 201
req "$U/i/$(json .id).jpg"
cp "$BODY" "$TMP/got.jpg"
is "JSON body: fetched photo lost its GPS" \
	"$(exiftool -q -q -s -s -s -gps:all "$TMP/got.jpg")" ""
is "JSON body: and kept its orientation" \
	"$(exiftool -s -s -s -n -Orientation "$TMP/got.jpg")" 6

req --data-urlencode "url=$OK/img.png" "$U/api/v1/images"
is "form body: 200, the same image" "$STATUS $(json .id)" "200 $id"
post_url "$OK/redir?$OK/img.png"
is "redirect to an allowed port: followed" "$STATUS $(json .id)" "200 $id"
r3="$OK/redir?$OK/redir?$OK/redir?$OK/img.png"
post_url "$r3"
is "three redirects: followed" "$STATUS $(json .id)" "200 $id"
post_url "$OK/redir?$r3"
is "four redirects: bad_url" "$STATUS $(json .error.code)" "400 bad_url"

rows=$(psql_q "SELECT count(*) FROM images")
post_url "http://127.0.0.1:$B/img.png"
is "same server off the allow list: bad_url" \
	"$STATUS $(json .error.code)" "400 bad_url"
like "and the message says why" "$(json .error.message)" internal
post_url "$OK/redir?http://127.0.0.1:$B/img.png"
is "redirect to a loopback port not allowed: bad_url" \
	"$STATUS $(json .error.code)" "400 bad_url"
post_url "$OK/redir?http://[::1]:$C/img.png"
is "redirect to [::1]: bad_url" "$STATUS $(json .error.code)" "400 bad_url"
[ $have_v6 = 0 ] || check "while [::1]:$C does answer" curl -sf -o /dev/null \
	"http://[::1]:$C/img.png"
post_url "$OK/redir?http://169.254.169.254/latest/meta-data/"
is "redirect to the metadata service: bad_url" \
	"$STATUS $(json .error.code)" "400 bad_url"
post_url "ftp://127.0.0.1:$A/img.png"
is "ftp://: bad_url" "$STATUS $(json .error.code)" "400 bad_url"
post_url "file:///etc/passwd"
is "file://: bad_url" "$STATUS $(json .error.code)" "400 bad_url"
post_url "$OK/redir?file:///etc/passwd"
is "redirect to file://: bad_url" "$STATUS $(json .error.code)" "400 bad_url"
post_url "not a url"
is "malformed: bad_url" "$STATUS $(json .error.code)" "400 bad_url"
post_url "$OK/missing.png"
is "a 404 there: bad_url" "$STATUS $(json .error.code)" "400 bad_url"
like "naming the status" "$(json .error.message)" 404
post_url "$OK/text.txt"
is "not an image: 415" "$STATUS $(json .error.code)" "415 unsupported_type"
req -H 'Content-Type: application/json' --data '{"link": "x"}' \
	"$U/api/v1/images"
is "JSON without url: bad_request" "$STATUS $(json .error.code)" \
	"400 bad_request"

t0=$(date +%s)
post_url "$OK/endless"
is "endless body: too_large at 1M" "$STATUS $(json .error.code)" \
	"413 too_large"
check "endless body: ended within 10 s" [ $(($(date +%s) - t0)) -le 10 ]
t0=$(date +%s)
post_url "$OK/slow"
t=$(($(date +%s) - t0))
is "slow body: bad_url" "$STATUS $(json .error.code)" "400 bad_url"
like "slow body: given up" "$(json .error.message)" "under 1024 bytes/s"
check "slow body: after 5 s under the minimum rate ($t s)" \
	[ "$t" -ge 4 -a "$t" -le 9 ]
is "failures left no row" "$(psql_q "SELECT count(*) FROM images")" "$rows"

# The shared stacks have no allow list: loopback is refused.
use_store fs
req -F "url=$OK/img.png" "$BASE/api/v1/images"
is "no allow list: loopback refused" "$STATUS $(json .error.code)" \
	"400 bad_url"

# url_upload and strip_location off.
OP=$(free_port)
check "a stack with url_upload and strip_location off starts" stack off \
	"$OP" IMGHOST_URL_UPLOAD=no IMGHOST_STRIP_LOCATION=no \
	IMGHOST_URL_UPLOAD_ALLOW="127.0.0.1:$A"
req -F "url=$OK/img.png" "http://127.0.0.1:$OP/api/v1/images"
is "url_upload = no: bad_url" "$STATUS $(json .error.code)" "400 bad_url"
like "saying it is off" "$(json .error.message)" "turned off"
req -F "file=@$files/gps.jpg" "http://127.0.0.1:$OP/api/v1/images"
is "strip_location = no: 201" "$STATUS" 201
req "http://127.0.0.1:$OP/i/$(json .id).jpg"
check "strip_location = no: stored with its GPS, byte for byte" \
	cmp -s "$BODY" "$files/gps.jpg"
