# HTTPS on a host of its own: lighttpd.conf with its TLS include turned
# on as docs/OPERATIONS.md tells an operator (var.tls_* lines set, the
# "#" of "include var.tls_conf" removed), self-signed certificates for
# localhost laid out as certbot keeps them, a database and an fs store
# of its own.  Plain HTTP is redirected to HTTPS but for the ACME
# challenges; uploads and views go over HTTP/2; every link handed out
# is https; HSTS on HTTPS alone; TLS 1.1 refused; the renewal hooks let
# lighttpd read the key and reload it into the new certificate.
. "$(dirname "$0")/lib.sh"
. "$TOP/stack/lighttpd.sh"

dir=$TMP/tls
trap 'lighttpd_stop "$dir"' EXIT
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)
while [ "$HTTPS_PORT" = "$HTTP_PORT" ]; do HTTPS_PORT=$(free_port); done
H=http://127.0.0.1:$HTTP_PORT
S=https://localhost:$HTTPS_PORT
LE=$TMP/letsencrypt
LIVE=$LE/live/localhost
# Self-signed, the certificate is its own CA: curl trusts what is live.
CERT=$LIVE/fullchain.pem

check "as shipped, lighttpd.conf leaves HTTPS off" \
	grep -qx '#include var.tls_conf' "$TOP/lighttpd.conf"

# systemctl, for the hooks: records what it is asked, and its "reload
# imghost-lighttpd" is the unit's ExecReload (SIGUSR1) to the test's
# lighttpd, when it runs.
mkdir -p "$TMP/bin"
cat >"$TMP/bin/systemctl" <<SH
#!/bin/sh
echo "\$*" >>"$TMP/systemctl.log"
[ "\$*" = "reload imghost-lighttpd" ] || exit 1
[ -f "$dir/run/lighttpd.pid" ] || exit 0
kill -USR1 "\$(cat "$dir/run/lighttpd.pid")"
SH
chmod +x "$TMP/bin/systemctl"
# The group lighttpd reads the key as (imghost on a real machine).
if [ "$(id -u)" = 0 ]; then GROUP=nogroup; else GROUP=$(id -gn); fi

# issue N: certificate N for localhost, as certbot writes it (root's
# alone: directories 0700, the key 0600; live/ links to archive/), then
# certbot's deploy hook.
issue() {
	local a=$LE/archive/localhost
	mkdir -p "$a" "$LIVE"
	chmod 700 "$LE/archive" "$LE/live" "$a"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-days 2 -subj "/CN=localhost/O=issue $1" \
		-addext subjectAltName=DNS:localhost \
		-keyout "$a/privkey$1.pem" -out "$a/fullchain$1.pem" \
		2>>"$TMP/openssl.log" || return 1
	chmod 600 "$a/privkey$1.pem"
	ln -sfn "../../archive/localhost/fullchain$1.pem" "$LIVE/fullchain.pem"
	ln -sfn "../../archive/localhost/privkey$1.pem" "$LIVE/privkey.pem"
	: >"$TMP/systemctl.log"
	PATH=$TMP/bin:$PATH IMGHOST_GROUP=$GROUP RENEWED_LINEAGE=$LIVE \
		"$TOP/examples/certbot-hook"
}
issue 1
check "certificate 1, and certbot's hook on it" [ $? -eq 0 ]
is "the hook: the key readable by lighttpd's group" \
	"$(stat -L -c '%a %G' "$LIVE/privkey.pem")" "640 $GROUP"
is "and the directories to it" \
	"$(stat -c '%a %G' "$LE/live" "$LE/archive" "$LE/archive/localhost" |
	sort -u)" "750 $GROUP"
is "the hook reloads lighttpd" "$(cat "$TMP/systemctl.log")" \
	"reload imghost-lighttpd"

DB=${PG_URL/dbname=imghost/dbname=imghost_tls}
createdb -h "$(pg_sockdir "$PG_DIR")" -U postgres imghost_tls &&
IMGHOST_DATABASE_URL=$DB "$TOP/imghost-resize" --migrate \
	--sql-dir "$TOP/sql" >/dev/null
check "a database of its own, migrated" \
	[ "$(psql_q "SELECT count(*) FROM images")" = 0 ]

# start: lighttpd on dir/lighttpd.conf, the app on the test's database.
start() {
	(
		export IMGHOST_CONF=/dev/null IMGHOST_DATABASE_URL=$DB \
			IMGHOST_STORE=fs IMGHOST_FS_ROOT=$dir/store
		lighttpd_run "$dir" "$HTTP_PORT"
	)
}

# ------------------------------------------------ before HTTPS is on
# As shipped, plain HTTP, and the ACME challenges served already: the
# first certificate is had before HTTPS can be turned on.
lighttpd_conf "$TOP" "$dir" "$HTTP_PORT" "$dir/store"
start
check "lighttpd starts as shipped" [ $? -eq 0 ]
acme=$dir/acme/.well-known/acme-challenge
mkdir -p "$acme"
echo "tok3n.thumbprint" >"$acme/tok3n_Abc-9"
req "$H/healthz"
is "HTTPS off: plain HTTP answers, no redirect" \
	"$STATUS $(header location)" "200 "
req "$H/.well-known/acme-challenge/tok3n_Abc-9"
is "HTTPS off: an ACME challenge is served" "$STATUS" 200
check "from the webroot, byte for byte" cmp -s "$BODY" "$acme/tok3n_Abc-9"
req "$H/.well-known/acme-challenge/missing"
is "HTTPS off: a challenge that is not there: the app's 404" \
	"$STATUS $(json .error.code)" "404 not_found"
req -H "Accept: text/html" "$H/.well-known/acme-challenge/missing"
is "in HTML for a browser" "$STATUS $(header content-type)" \
	"404 text/html; charset=utf-8"
req "$H/.well-known/acme-challenge/a.b"
is "HTTPS off: no other file of the webroot" \
	"$STATUS $(json .error.code)" "404 not_found"
echo secret >"$dir/acme/.well-known/x"
req "$H/.well-known/x"
is "HTTPS off: nor of /.well-known" \
	"$STATUS $(json .error.code)" "404 not_found"
req "$H/.git/config"
is "HTTPS off: a dotfile is still the app's 404" \
	"$STATUS $(json .error.code)" "404 not_found"
lighttpd_stop "$dir"

# ------------------------------------------------ HTTPS turned on
# The operator's step: the site's name, the include line; and here the
# port, not 443, so in var.tls_url too, and certbot's tree in TMP.
lighttpd_conf "$TOP" "$dir" "$HTTP_PORT" "$dir/store"
sed -i -e "s|^var.tls_host\t*=.*|var.tls_host = \"localhost\"|" \
    -e "s|^var.tls_port\t*=.*|var.tls_port = $HTTPS_PORT|" \
    -e "s|^var.tls_url\t*=.*|var.tls_url = \"$S\"|" \
    -e "s|\"/etc/letsencrypt/|\"$LE/|" \
    -e 's|^#include var.tls_conf$|include var.tls_conf|' "$dir/lighttpd.conf"
is "the certificate where certbot keeps it" \
	"$(lighttpd -p -f "$dir/lighttpd.conf" 2>&1 | grep -o 'ssl\.p[a-z]*  *= .*' |
	tr -s ' ')" "ssl.pemfile = \"$LIVE/fullchain.pem\"
ssl.privkey = \"$LIVE/privkey.pem\""
check "the tree's lighttpd-tls.conf is what it includes" \
	grep -qx "var.tls_conf = \"$TOP/lighttpd-tls.conf\"" "$dir/lighttpd.conf"
start
check "lighttpd starts with HTTPS on" [ $? -eq 0 ]
up() { curl -sf --cacert "$CERT" -o /dev/null "$S/healthz"; }
wait_for "the app answers over HTTPS" 20 up

# h2 CURL-ARGS...: req over HTTPS, trusting the test's certificate, with
# HTTP/2 offered; sets VERSION (curl's %{http_version}) as well.
h2() {
	req --http2 --cacert "$CERT" -w '%{http_code} %{http_version}' "$@"
	VERSION=${STATUS#* } STATUS=${STATUS%% *}
}
hsts() { header strict-transport-security; }

# ------------------------------------------------ plain HTTP
req "$H/"
is "http: the upload page is a 308" "$STATUS" 308
is "to the same page over https" "$(header location)" "$S/"
is "with no HSTS (it means nothing over http)" "$(hsts)" ""
req "$H/i/abcdefgh.jpg?x=1"
is "http: an image URL goes to the same path and query, not rewritten" \
	"$STATUS $(header location)" "308 $S/i/abcdefgh.jpg?x=1"
req "$H/api/v1/images/abcdefgh"
is "http: the API too" "$STATUS $(header location)" \
	"308 $S/api/v1/images/abcdefgh"
req "$H/metrics"
is "http: /metrics too" "$STATUS $(header location)" "308 $S/metrics"

req "$H/.well-known/acme-challenge/tok3n_Abc-9"
is "http: an ACME challenge is served, not redirected" \
	"$STATUS $(header location)" "200 "
check "from the webroot, byte for byte" cmp -s "$BODY" "$acme/tok3n_Abc-9"
is "with no HSTS" "$(hsts)" ""
req "$H/.well-known/acme-challenge/missing"
is "http: a challenge that is not there: the app's 404" \
	"$STATUS $(json .error.code)" "404 not_found"
req "$H/_error"
is "http: the error handler's own path is the app's, not redirected" \
	"$STATUS $(json .error.code)" "404 not_found"
req "$H/.well-known/acme-challenge/a.b"
is "http: any other path under it is redirected, as it is" \
	"$STATUS $(header location)" "308 $S/.well-known/acme-challenge/a.b"
req "$H/.well-known/x"
is "http: the rest of /.well-known too" "$STATUS $(header location)" \
	"308 $S/.well-known/x"
h2 "$S/.well-known/acme-challenge/tok3n_Abc-9"
is "https: the challenge is served there too" "$STATUS" 200

# ------------------------------------------------ HTTPS, HTTP/2
h2 "$S/healthz"
is "https: /healthz over HTTP/2" "$STATUS $VERSION" "200 2"
is "https: HSTS" "$(hsts)" "max-age=63072000"
is "https: each header once" "$(dup_headers)" ""

convert -size 640x480 plasma:fractal -seed 61 -quality 90 "$TMP/up.jpg"
h2 -F "file=@$TMP/up.jpg" "$S/api/v1/images"
is "https: an upload over HTTP/2" "$STATUS $VERSION" "201 2"
is "its answer carries HSTS" "$(hsts)" "max-age=63072000"
id=$(json .id)
like "an id" "$id" '^[A-Za-z0-9_-]{8}$'
is "the JSON's links are https, to this host" \
	"$(json '[.page_url, .url, .delete_url, .variants[].url,
		.variants[].webp_url] | map(startswith("'"$S"'/")) | unique')" \
	"[
  true
]"
is "the image's URL" "$(json .url)" "$S/i/$id.jpg"
is "the Location: the page, over https" "$(header location)" "$S/$id"

h2 "$S/i/$id.jpg"
is "https: the original over HTTP/2" "$STATUS $VERSION" "200 2"
check "byte for byte" cmp -s "$BODY" "$TMP/up.jpg"
is "with the blob's headers" "$(header cache-control)" \
	"public, max-age=31536000, immutable"
is "and HSTS" "$(hsts)" "max-age=63072000"
is "each header once" "$(dup_headers)" ""
h2 "$S/i/$id/small.jpg"
is "https: a variant not made yet: 307 to the original over https" \
	"$STATUS $(header location)" "307 $S/i/$id.jpg"

h2 "$S/$id"
is "https: the image page over HTTP/2" "$STATUS $VERSION" "200 2"
meta() { grep -o "<meta property=\"$1\" content=\"[^\"]*\"" "$BODY"; }
like "its og:url is https" "$(meta og:url)" \
	"content=\"$S/$id\""
like "its og:image is https" "$(meta og:image)" \
	"content=\"$S/i/$id"
is "no http:// link in it" "$(grep -c 'http://' "$BODY")" 0
h2 "$S/sharex.sxcu"
is "the ShareX file uploads over https" "$(json .RequestURL)" \
	"$S/api/v1/images"

# A Host that is not the loopback does not name the links; the scheme
# still comes from the socket.
h2 -H "Host: img.example.net" "$S/api/v1/images/$id"
is "a foreign Host: links to the socket's address, over https" \
	"$(json .url)" "https://127.0.0.1:$HTTPS_PORT/i/$id.jpg"

req --http1.1 --cacert "$CERT" -w '%{http_code} %{http_version}' "$S/i/$id.jpg"
is "HTTP/1.1 over TLS still answers" "$STATUS" "200 1.1"

# An upload sent to http:// lands over https as the same POST (308).
convert -size 64x48 "xc:rgb(6,1,$RANDOM)" "$TMP/follow.png"
STATUS=$(curl -s -o "$TMP/follow.json" -w '%{http_code} %{url_effective}' \
	-L --cacert "$CERT" -F "file=@$TMP/follow.png" "$H/api/v1/images")
is "an upload to http:// followed: created over https" "$STATUS" \
	"201 $S/api/v1/images"

# ------------------------------------------------ protocol versions
curl -sv --cacert "$CERT" -o /dev/null "$S/healthz" 2>"$TMP/v13.log"
check "TLS 1.3 by default" grep -q 'SSL connection using TLSv1.3' "$TMP/v13.log"
curl -s --cacert "$CERT" --tlsv1.2 --tls-max 1.2 -o /dev/null "$S/healthz"
check "TLS 1.2 is taken" [ $? -eq 0 ]
curl -sv --cacert "$CERT" --tlsv1.1 --tls-max 1.1 \
	--ciphers 'DEFAULT:@SECLEVEL=0' -o /dev/null "$S/healthz" 2>"$TMP/v11.log"
check "TLS 1.1 is refused" [ $? -ne 0 ]
if grep -q 'TLSv1.1 (OUT), TLS handshake, Client hello' "$TMP/v11.log"; then
	check "by the server (a protocol version alert)" \
		grep -q 'alert protocol version' "$TMP/v11.log"
else
	skip "this curl does not offer TLS 1.1: the refusal may be its own"
fi
curl -s --cacert "$CERT" --tlsv1.2 --tls-max 1.2 \
	--ciphers ECDHE-ECDSA-AES128-GCM-SHA256 -o /dev/null "$S/healthz"
check "TLS 1.2 with an AEAD suite is taken" [ $? -eq 0 ]
curl -s --cacert "$CERT" --tlsv1.2 --tls-max 1.2 \
	--ciphers ECDHE-ECDSA-AES128-SHA -o /dev/null "$S/healthz" 2>/dev/null
check "TLS 1.2 with a CBC suite is refused" [ $? -ne 0 ]

# ------------------------------------------------ renewal
pid=$(cat "$dir/run/lighttpd.pid")
issue 2
check "certificate 2, and certbot's hook on it" [ $? -eq 0 ]
renewed() {
	curl -sf --cacert "$CERT" -o /dev/null "$S/healthz" &&
	! curl -sf --cacert "$LE/archive/localhost/fullchain1.pem" \
		-o /dev/null "$S/healthz" 2>/dev/null
}
wait_for "the hook's reload: lighttpd serves certificate 2, not 1" 30 renewed
is "the same lighttpd (a graceful restart)" \
	"$(cat "$dir/run/lighttpd.pid")" "$pid"
check "still running" kill -0 "$pid"
h2 "$S/i/$id.jpg"
is "the image over HTTP/2 after it" "$STATUS $VERSION $(hsts)" \
	"200 2 max-age=63072000"
req "$H/"
is "and plain HTTP still redirected" "$STATUS" 308

# ------------------------------------------------ dehydrated's hook
dh=$TMP/dehydrated/certs/localhost
mkdir -p "$dh"
chmod 700 "$TMP/dehydrated/certs" "$dh"
cp "$LE/archive/localhost/privkey2.pem" "$dh/privkey-1700000000.pem"
chmod 600 "$dh/privkey-1700000000.pem"
ln -sfn privkey-1700000000.pem "$dh/privkey.pem"
dehydrated_hook() {
	: >"$TMP/systemctl.log"
	PATH=$TMP/bin:$PATH IMGHOST_GROUP=$GROUP "$TOP/examples/dehydrated-hook" "$@"
}
# What dehydrated sends to see that a hook ignores what it does not know.
dehydrated_hook \
	this_hookscript_is_broken__dehydrated_is_working_fine__please_ignore_unknown_hooks_in_your_script
check "dehydrated's hook: nothing to do for a step not its own" \
	[ $? -eq 0 ] && [ ! -s "$TMP/systemctl.log" ]
dehydrated_hook deploy_cert localhost "$dh/privkey.pem" "$dh/cert.pem" \
	"$dh/fullchain.pem" "$dh/chain.pem" 1700000000
check "dehydrated's hook on deploy_cert" [ $? -eq 0 ]
is "the key readable by lighttpd's group" \
	"$(stat -L -c '%a %G' "$dh/privkey.pem")" "640 $GROUP"
is "and the directories to it" \
	"$(stat -c '%a %G' "$TMP/dehydrated/certs" "$dh" | sort -u)" "750 $GROUP"
is "it reloads lighttpd" "$(cat "$TMP/systemctl.log")" "reload imghost-lighttpd"
wait_for "which is up again" 30 up

lighttpd_stop "$dir"
check "lighttpd is stopped" bash -c "! curl -s -o /dev/null '$H/'"
trap - EXIT
