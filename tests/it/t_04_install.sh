# make install honours DESTDIR and installs programs, SQL and examples.
. "$(dirname "$0")/lib.sh"

dest=$TMP/dest
make -s -C "$TOP" install DESTDIR="$dest" >"$TMP/out" 2>&1
check "make install DESTDIR succeeds" [ $? -eq 0 ]
for f in bin/imghost-fcgi bin/imghost-resize bin/imghost-admin; do
	check "installs $f" [ -x "$dest/usr/local/$f" ]
done
# Every migration of the tree, so a new one cannot be left out of
# Makefile.am's list (004 was, and an installed resizer lacked it).
for f in $(cd "$TOP" && ls sql/*.sql) examples/lighttpd.conf \
    examples/imghost.conf.example; do
	check "installs share/imghost/$f" [ -s "$dest/usr/local/share/imghost/$f" ]
done
check "installs nothing outside DESTDIR" \
	[ -z "$(find "$dest" -mindepth 1 -maxdepth 1 ! -name usr)" ]

# What a running system needs, under DESTDIR, with this build's paths.
usr=$dest/usr/local
for f in lib/systemd/system/imghost-lighttpd.service \
    lib/systemd/system/imghost-resize.service \
    lib/systemd/system/imghost-resize-once.service \
    lib/systemd/system/imghost-resize-once.timer \
    lib/systemd/system/imghost-cache-trim.service \
    lib/systemd/system/imghost-cache-trim.timer \
    lib/sysusers.d/imghost.conf lib/tmpfiles.d/imghost.conf \
    etc/logrotate.d/imghost etc/imghost/lighttpd.conf etc/imghost.conf \
    share/imghost/examples/apache-imghost.conf \
    share/imghost/examples/imghost-resize.crontab \
    share/doc/imghost/OPERATIONS.md; do
	check "installs $f" [ -s "$usr/$f" ]
done
is "units run the installed resizer" \
	"$(grep -ho 'ExecStart=[^ ]*' "$usr"/lib/systemd/system/imghost-resize*.service |
	sort -u)" "ExecStart=/usr/local/bin/imghost-resize"
is "units read the installed configuration" \
	"$(grep -ho 'IMGHOST_CONF=.*' "$usr"/lib/systemd/system/*.service | sort -u)" \
	"IMGHOST_CONF=/usr/local/etc/imghost.conf"
lua=$(sed -n 's/^var.headers_lua[[:space:]]*=[[:space:]]*"\(.*\)".*/\1/p' \
	"$usr/etc/imghost/lighttpd.conf")
is "the installed lighttpd.conf names the installed header script" \
	"$lua" /usr/local/share/imghost/lighttpd-headers.lua
check "which is installed" [ -s "$dest$lua" ]
tls=$(sed -n 's/^var.tls_conf[[:space:]]*=[[:space:]]*"\(.*\)".*/\1/p' \
	"$usr/etc/imghost/lighttpd.conf")
is "the installed lighttpd.conf names the installed HTTPS include" \
	"$tls" /usr/local/share/imghost/lighttpd-tls.conf
check "the HTTPS include is installed" [ -s "$dest$tls" ]
check "and left off" grep -qx '#include var.tls_conf' \
	"$usr/etc/imghost/lighttpd.conf"
for f in certbot-hook dehydrated-hook; do
	check "installs share/imghost/$f, executable" \
		[ -x "$usr/share/imghost/$f" ]
done
check "and so is the icon" [ -s "$usr/share/imghost/static/favicon.ico" ]
like "imghost-admin setup's script runs the installed imghost-admin" \
	"$(grep '^admin=' "$usr/libexec/imghost/setup")" '^admin=/usr/local/bin/imghost-admin$'
like "and makes the user from the installed sysusers.d file" \
	"$(grep 'systemd-sysusers /' "$usr/libexec/imghost/setup")" \
	'systemd-sysusers /usr/local/lib/sysusers.d/imghost.conf$'
like "the installed Apache configuration names the installed app" \
	"$(grep -c '/usr/local/bin/imghost-fcgi\|<Directory /usr/local/bin>' \
	"$usr/share/imghost/apache-imghost.conf")" '^2$'
like "lighttpd unit runs the installed lighttpd.conf" \
	"$(grep '^ExecStart=' "$usr/lib/systemd/system/imghost-lighttpd.service")" \
	' -f /usr/local/etc/imghost/lighttpd.conf$'

# A configuration already there is kept by a second install.
echo "# mine" >>"$usr/etc/imghost.conf"
make -s -C "$TOP" install DESTDIR="$dest" >/dev/null 2>&1
check "a reinstall keeps the operator's imghost.conf" \
	grep -q '^# mine$' "$usr/etc/imghost.conf"

# The system user and the directories, made in a scratch root.
root=$TMP/root
mkdir -p "$root/etc"
check "sysusers.d creates the imghost user" \
	systemd-sysusers --root="$root" "$usr/lib/sysusers.d/imghost.conf"
like "a system user with no shell" "$(grep '^imghost:' "$root/etc/passwd")" \
	'^imghost:x:[0-9]{1,3}:[0-9]+:.*:/var/lib/imghost:/usr/sbin/nologin$'
check "tmpfiles.d makes the metrics directory" \
	systemd-tmpfiles --root="$root" --create "$usr/lib/tmpfiles.d/imghost.conf"
check "owned by imghost" [ "$(stat -c %u "$root/var/lib/imghost/metrics")" = \
	"$(grep '^imghost:' "$root/etc/passwd" | cut -d: -f3)" ]

# logrotate takes the file and rotates (the user swapped for one that
# exists here).
mkdir -p "$TMP/logs"
echo line >"$TMP/logs/access.log"
sed -e "s|/var/log/imghost|$TMP/logs|" -e 's/imghost imghost/root root/' \
	"$usr/etc/logrotate.d/imghost" >"$TMP/logrotate.conf"
logrotate -d -s "$TMP/lr.state" "$TMP/logrotate.conf" >"$TMP/lr.out" 2>&1
check "logrotate accepts the configuration" [ $? -eq 0 ]
logrotate -f -s "$TMP/lr.state" "$TMP/logrotate.conf" 2>"$TMP/lr.err"
check "logrotate rotates the logs" [ -s "$TMP/logs/access.log.1" ]

# The crontab line: five time fields, a user, the resizer.
check "crontab line is well-formed" grep -Eq \
	'^(\S+ ){5}imghost flock -n \S+ /usr/local/bin/imghost-resize --once --metrics-file \S+\.prom$' \
	"$usr/share/imghost/examples/imghost-resize.crontab"

# An install under a real prefix: the units verify against its binaries,
# and lighttpd runs the installed app from the installed lighttpd.conf.
pfx=$TMP/pfx
make -s -C "$TOP" install prefix="$pfx" >"$TMP/pfx.out" 2>&1
check "make install prefix=... succeeds" [ $? -eq 0 ]
units=("$pfx"/lib/systemd/system/imghost-*)
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify passes the units" \
		systemd-analyze verify "${units[@]}"
else
	for u in "${units[@]}"; do
		check "$(basename "$u") has its sections" grep -q \
			'^\[\(Service\|Timer\)\]' "$u"
	done
fi
conf=$pfx/etc/imghost/lighttpd.conf
is "lighttpd.conf names the installed app" \
	"$(sed -n 's/^var.fcgi_app\t*= *//p' "$conf")" "\"$pfx/bin/imghost-fcgi\""
is "lighttpd.conf names the installed header script" \
	"$(sed -n 's/^var.headers_lua\t*= *"\([^"]*\)".*/\1/p' "$conf")" \
	"$pfx/share/imghost/lighttpd-headers.lua"
# HTTPS turned on as docs/OPERATIONS.md says: lighttpd takes the
# installed include (a self-signed certificate in place of certbot's).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-days 2 -subj /CN=localhost -keyout "$TMP/key.pem" \
	-out "$TMP/cert.pem" 2>/dev/null
sed -e 's|^#include var.tls_conf$|include var.tls_conf|' \
    -e "s|^var.tls_cert\t*=.*|var.tls_cert = \"$TMP/cert.pem\"|" \
    -e "s|^var.tls_key\t*=.*|var.tls_key = \"$TMP/key.pem\"|" \
    "$conf" >"$TMP/tls.conf"
check "lighttpd takes it with HTTPS turned on" \
	lighttpd -tt -f "$TMP/tls.conf"
port=$(free_port)
run=$TMP/run
mkdir -p "$run/run" "$run/log" "$run/store"
sed -e "s|^var.port\t*=.*|var.port = $port|" \
    -e "s|^var.bind\t*=.*|var.bind = \"127.0.0.1\"|" \
    -e "s|^var.store_root\t*=.*|var.store_root = \"$run/store\"|" \
    -e "s|^var.rundir\t*=.*|var.rundir = \"$run/run\"|" \
    -e "s|^var.logdir\t*=.*|var.logdir = \"$run/log\"|" \
    "$conf" >"$run/lighttpd.conf"
# The programs were built for configure's prefix; the key says where
# this install's static files are, as a --prefix build would know.
IMGHOST_CONF=/dev/null IMGHOST_STATIC_DIR=$pfx/share/imghost/static \
IMGHOST_DATABASE_URL=$FS_DB \
IMGHOST_FS_ROOT=$run/store \
	lighttpd -D -f "$run/lighttpd.conf" >"$run/log/stderr.log" 2>&1 &
lpid=$!
trap 'kill $lpid 2>/dev/null' EXIT
up() { curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; }
wait_for "the installed app answers /healthz" 10 up
req "http://127.0.0.1:$port/"
css=$(grep -o '/static/app\.[0-9a-f]\{8\}\.css' "$BODY" | head -n 1)
like "the installed app fingerprints the installed CSS" "$css" '^/static/'
req "http://127.0.0.1:$port$css"
check "the app serves it from the installed share/imghost/static" \
	cmp -s "$BODY" "$pfx/share/imghost/static/app.css"
kill $lpid
wait $lpid 2>/dev/null
trap - EXIT
