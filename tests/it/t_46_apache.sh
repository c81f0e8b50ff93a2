# The Apache 2.4 mod_fcgid example (examples/apache-imghost.conf) runs the
# app: a private Apache on a free port with the example's virtual host,
# against the fs stack's database and store.  ./check installs apache2
# and mod_fcgid; without them (tests/run alone) it is counted as skipped.
. "$(dirname "$0")/lib.sh"

apache=/usr/sbin/apache2
mods=/usr/lib/apache2/modules
if [ ! -x "$apache" ] || [ ! -f "$mods/mod_fcgid.so" ]; then
	skip "no apache2 with mod_fcgid (./check installs both)"
	exit 0
fi
# Apache runs the app as nobody, who must reach the app, this test's
# directory and the database's socket: not so in a clone under a private
# directory such as root's 0700 home, whose cluster's socket is root's
# alone (stack/pg.sh).
for p in "$TOP/imghost-fcgi" "$TMP" "$(pg_sockdir "$(realpath -m "$PG_DIR")")"; do
	[ "$(id -u)" -eq 0 ] || break
	runuser -u nobody -- test -x "$p" 2>/dev/null && continue
	skip "nobody (Apache's user) cannot reach $p"
	exit 0
done
use_store fs
IMMUTABLE="public, max-age=31536000, immutable"
port=$(free_port)
d=$TMP/apache
mkdir -p "$d/logs" "$d/fcgid" "$d/store"
chmod 0777 "$d/fcgid" "$d/store"
# An image in the fs stack, whose store the Apache host then serves.
convert -size 64x48 plasma:fractal -seed 46 "$TMP/a.jpg"
req -H 'Content-Type: image/jpeg' --data-binary "@$TMP/a.jpg" "$BASE/api/v1/images"
is "the image is uploaded to the fs stack" "$STATUS" 201
id=$(json .id)
# Apache will not run as root: its processes are nobody's, so the store
# and the app must be readable and searchable by all.
cp -r "$OUT/fs/store/." "$d/store/" 2>/dev/null
chmod -R a+rwX "$d/store"
sed -e "s|<VirtualHost \*:80>|<VirtualHost *:$port>|" \
    -e "s|/var/lib/imghost/store|$d/store|g" \
    -e "s|/usr/local/bin/imghost-fcgi|$TOP/imghost-fcgi|g" \
    -e "s|/usr/local/bin|$TOP|g" \
    -e "s|FcgidInitialEnv IMGHOST_CONF /etc/imghost.conf|FcgidInitialEnv IMGHOST_CONF /dev/null\n\tFcgidInitialEnv IMGHOST_DATABASE_URL \"$FS_DB\"\n\tFcgidInitialEnv IMGHOST_FS_ROOT $d/store\n\tFcgidInitialEnv IMGHOST_STATIC_DIR $TOP/static|" \
    "$TOP/examples/apache-imghost.conf" >"$d/vhost.conf"
cat >"$d/httpd.conf" <<CONF
ServerRoot $d
PidFile $d/httpd.pid
Listen 127.0.0.1:$port
ServerName 127.0.0.1
User nobody
Group nogroup
ErrorLog $d/logs/error.log
LogLevel warn
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule authz_host_module $mods/mod_authz_host.so
LoadModule alias_module $mods/mod_alias.so
LoadModule rewrite_module $mods/mod_rewrite.so
LoadModule headers_module $mods/mod_headers.so
LoadModule mime_module $mods/mod_mime.so
LoadModule fcgid_module $mods/mod_fcgid.so
TypesConfig /etc/mime.types
FcgidIPCDir $d/fcgid
FcgidProcessTableFile $d/fcgid/shm
<Directory />
	Require all denied
</Directory>
Include $d/vhost.conf
CONF
check "apache2 -t takes the example" "$apache" -t -f "$d/httpd.conf"
"$apache" -f "$d/httpd.conf" -DFOREGROUND 2>>"$d/logs/stderr.log" &
apid=$!
trap 'kill -TERM $apid 2>/dev/null; wait $apid 2>/dev/null' EXIT
base=http://127.0.0.1:$port
up() { curl -sf -o /dev/null "$base/healthz"; }
wait_for "Apache with the app answers /healthz" 20 up
req "$base/healthz"
is "healthz names the database" "$(json .database)" ok
req "$base/nope"
is "an unknown path is the app's 404" "$(json .error.code)" not_found
req "$base/api/v1/images/AAAAAAAA"
is "the API goes to the app by REQUEST_URI" "$(json .error.code)" not_found
req "$base/i/$id.jpg"
is "an existing original is served" "$STATUS" 200
check "byte for byte" cmp -s "$BODY" "$TMP/a.jpg"
like "with its type" "$(header content-type)" '^image/jpeg'
is "as a file, immutable" "$(header cache-control)" \
	"public, max-age=31536000, immutable"
is "an original: each header once" "$(dup_headers)" ""
req "$base/i/$id/small.jpg"
is "a variant not made yet falls back to the app's 307" "$STATUS" 307
is "the 307: each header once" "$(dup_headers)" ""
is "the 307: no-store" "$(header cache-control)" no-store
is "the 307: no other caching header" \
	"$(grep -cE '^(expires|etag|last-modified):' "$HEADERS")" 0
req "$base/i/zzzzzzzz.jpg"
is "a missing blob: the app's 404, each header once" "$STATUS $(dup_headers)" "404 "
is "a missing blob: not kept" "$(header cache-control)" no-store
req -H "Accept: text/html,*/*;q=0.8" "$base/no/such/page"
is "a browser gets the HTML 404" "$STATUS $(header content-type)" \
	"404 text/html; charset=utf-8"
req "$base/$(grep -o 'static/app\.[0-9a-f]*\.css' <(curl -s "$base/"))"
is "the fingerprinted CSS: immutable, each header once" \
	"$STATUS $(header cache-control) $(dup_headers)" "200 $IMMUTABLE "
req "$base/api/v1/images/$id"
is "the API answers from the app" "$(json .id)" "$id"
req "$base/metrics"
is "/metrics from loopback" "$STATUS" 200
check "in the text format" grep -q '^# TYPE imghost_http_requests_total counter' "$BODY"
check "mod_fcgid's processes share the counters beside their sockets" \
	[ -s "$d/fcgid/imghost-fcgi.metrics" ]
like "and count what the app answered" \
	"$(awk '$1 == "imghost_http_requests_total{route=\"image\",code=\"3xx\"}" { print $2 }' "$BODY")" '^[1-9]'
req "$base/./healthz" --path-as-is
is "dot segments refused: the app's 404" "$STATUS $(json .error.code)" \
	"404 not_found"
kill -TERM $apid
wait $apid 2>/dev/null
trap - EXIT
