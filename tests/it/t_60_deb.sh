# The Debian package: make deb builds it (kept while the tree is the
# same), lintian finds no error, and apt installs, upgrades, removes and
# purges it in a scratch root: an overlay of this machine's / in a mount
# namespace of the test's own, whose changes (the packages, the user, the
# database) vanish with it, so the machine and a re-run are unaffected
# and nothing needs the network.  No systemd runs there (nor here: PID 1
# is not systemd), so the maintainer scripts run their no-systemd path,
# and the test starts the installed programs the way the units would:
# their ExecStart= as User=, with Environment=, on a free loopback port
# written into the installed lighttpd.conf instead of port 80.
. "$(dirname "$0")/lib.sh"

R=$TMP/root
if [ -z "${T60_INSIDE:-}" ]; then
	for c in dpkg-buildpackage lintian unshare; do
		command -v "$c" >/dev/null && continue
		skip "no $c (./check installs debhelper and lintian: DEPS_TEST)"
		exit 0
	done
	if [ "$(id -u)" -ne 0 ]; then
		skip "not root: no scratch root for the install"
		exit 0
	fi
	start=$(date +%s)
	deb=$(make -s -C "$TOP" deb 2>"$TMP/build.err")
	check "make deb builds the package" [ -f "$deb" ]
	[ -f "$deb" ] || { cat "$TMP/build.err" >&2; exit 0; }
	echo "t_60: make deb took $(($(date +%s) - start)) s" >&2
	like "named imghost_<version>_amd64.deb" "$(basename "$deb")" \
		'^imghost_[0-9][^_]*_amd64\.deb$'
	lintian --fail-on error --no-tag-display-limit "$deb" >"$TMP/lintian" 2>&1
	check "lintian finds no error" [ $? -eq 0 ]
	is "lintian: no errors listed" "$(grep -c '^E:' "$TMP/lintian")" 0
	deps=$(dpkg-deb -f "$deb" Depends)
	for d in libmagickwand-6.q16-6 libpq5 lighttpd lighttpd-modules-lua \
	    'postgresql | postgresql-client'; do
		like "Depends names $d" "$deps" "(^|, )$d( |,|$)"
	done
	is "/etc/imghost.conf is a conffile" \
		"$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles |
		grep -c '^/etc/imghost.conf$')" 1
	# Without systemd here, what the scripts would do under it is read.
	like "remove stops the units, an upgrade none (prerm)" \
		"$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./prerm | tr -d '\\\n')" \
		'"\$1" = remove .*deb-systemd-invoke stop imghost-lighttpd.service'
	like "an upgrade reloads lighttpd (postinst)" \
		"$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./postinst | tr -d '\\\n')" \
		'try-reload-or-restart[[:space:]]+imghost-lighttpd.service'
	T60_INSIDE=1 T60_DEB=$deb exec unshare -m --propagation private \
		bash "$0"
fi

# In the mount namespace: the scratch root.
U=$TMP/upper
mkdir -p "$R" "$U"
if ! mount -t tmpfs -o size=4g tmpfs "$U" || ! mkdir "$U/up" "$U/work" ||
    ! mount -t overlay overlay \
    -o "lowerdir=/,upperdir=$U/up,workdir=$U/work" "$R"; then
	skip "no overlay of / here (mount refused): no scratch root"
	exit 0
fi
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount -t tmpfs tmpfs "$R/run"
mkdir -m 1777 "$R/run/lock"
mount -t tmpfs tmpfs "$R/tmp"
in_root() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
# What runs in the root ends with the test: every process whose root it is.
in_root_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$R" ] && echo "${p#/proc/}"
	done
}
cleanup() {
	local p
	cp -r "$R/var/log/imghost" "$TMP/var-log-imghost" 2>/dev/null
	rm -rf "$R/run/systemd"	# pg_ctlcluster would ask systemctl
	in_root runuser -u postgres -- dropdb --if-exists imghost 2>/dev/null
	in_root runuser -u postgres -- dropuser --if-exists imghost 2>/dev/null
	in_root pg_ctlcluster "$pgv" main stop -m fast 2>/dev/null
	p=$(in_root_pids)
	[ -z "$p" ] || kill -KILL $p 2>/dev/null
	sleep 0.2
}
trap cleanup EXIT
# apt and dpkg start no service of a package here (as stack/deps.sh).
printf '#!/bin/sh\nexit 101\n' >"$R/usr/sbin/policy-rc.d"
chmod 0755 "$R/usr/sbin/policy-rc.d"
apt_in() {
	in_root apt-get -y -q -o Dpkg::Use-Pty=0 "$@" >>"$TMP/apt.log" 2>&1
}

# A local PostgreSQL, as Debian's postgresql package leaves it, on its
# socket alone (no TCP port shared with this machine).
pgv=$(in_root pg_lsclusters -h 2>/dev/null | awk '$2 == "main" { print $1; exit }')
if [ -z "$pgv" ]; then
	pgv=$(ls "$R/usr/lib/postgresql" 2>/dev/null | sort -n | tail -n 1)
	[ -n "$pgv" ] && in_root pg_createcluster "$pgv" main >/dev/null 2>&1
fi
if [ -z "$pgv" ]; then
	skip "no postgresql package here (./check installs it: DEPS_RUN)"
	exit 0
fi
echo "listen_addresses = ''" >>"$R/etc/postgresql/$pgv/main/postgresql.conf"
install -d -o postgres -g postgres -m 2775 "$R/run/postgresql"
check "the scratch root's PostgreSQL starts" in_root pg_ctlcluster "$pgv" main start

# The maintainer scripts' systemd path, with a systemctl that records
# what it is asked, says a unit is enabled when its link is there and
# presets as systemd's default does (enable), and starts nothing:
# so the scripts start, reload, restart and stop what they should.
mkdir -p "$R/run/systemd/system"
cat >"$R/usr/bin/systemctl" <<'STUB'
#!/bin/sh
# t_60_deb: records its verb and units in /run/systemctl.log.
verb= args=
for a in "$@"; do
	case $a in
	-*) ;;
	*) if [ -z "$verb" ]; then verb=$a; else args="$args $a"; fi ;;
	esac
done
echo "$verb$args" >>/run/systemctl.log
case $verb in
is-enabled)
	for u in $args; do
		ls /etc/systemd/system/*.wants/"$u" >/dev/null 2>&1 || exit 1
	done
	echo enabled ;;
is-active) exit 3 ;;
preset)	# the default preset: enable, by the unit's [Install] WantedBy=
	for u in $args; do
		for w in $(sed -n 's/^WantedBy=//p' "/lib/systemd/system/$u"); do
			mkdir -p "/etc/systemd/system/$w.wants"
			ln -sf "/lib/systemd/system/$u" "/etc/systemd/system/$w.wants/$u"
		done
	done ;;
esac
exit 0
STUB
chmod 0755 "$R/usr/bin/systemctl"
# With it, a start of any package's service goes nowhere, and no
# policy-rc.d may stand in the way of deb-systemd-invoke.
rm -f "$R/usr/sbin/policy-rc.d"
calls() { cat "$R/run/systemctl.log" 2>/dev/null; : >"$R/run/systemctl.log"; }

# Install: the user, the directories, the database, the migrations.
cp "$T60_DEB" "$R/tmp/"
deb=/tmp/$(basename "$T60_DEB")
apt_in install "$deb"
check "apt install ./imghost_<version>_amd64.deb succeeds" [ $? -eq 0 ]
like "the postinst starts lighttpd, the trim timer and the loop resizer" \
	"$(calls | tr '\n' ' ')" \
	'daemon-reload .*start imghost-lighttpd.service imghost-cache-trim.timer imghost-resize.service'
is "dpkg has it installed" \
	"$(in_root dpkg-query -W -f '${Status}' imghost 2>/dev/null)" \
	"install ok installed"
like "the imghost system user" "$(grep '^imghost:' "$R/etc/passwd")" \
	'^imghost:x:[0-9]{1,3}:[0-9]+:.*:/var/lib/imghost:/usr/sbin/nologin$'
is "/etc/imghost.conf: root:imghost 0640" \
	"$(in_root stat -c %U:%G:%a /etc/imghost.conf)" root:imghost:640
is "the store directory is the user's" \
	"$(in_root stat -c %U /var/lib/imghost/store 2>/dev/null)" imghost
is "the local role and database were made" \
	"$(in_root runuser -u postgres -- psql -XqAt -c \
	"SELECT datname || ' ' || pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'imghost'")" \
	"imghost imghost"
psql_in() { in_root runuser -u imghost -- psql -XqAt -d imghost -c "$1"; }
nmig=$(ls "$R/usr/share/imghost/sql" | wc -l)
is "the migrations are applied" "$(psql_in 'SELECT count(*) FROM schema_migrations')" "$nmig"
is "the loop resizer is enabled (debconf's default)" \
	"$(readlink "$R/etc/systemd/system/multi-user.target.wants/imghost-resize.service")" \
	/lib/systemd/system/imghost-resize.service
check "so is lighttpd's unit" \
	[ -L "$R/etc/systemd/system/multi-user.target.wants/imghost-lighttpd.service" ]
check "not the timer" \
	[ ! -e "$R/etc/systemd/system/timers.target.wants/imghost-resize-once.timer" ]
check "the Apache configuration is in conf-available" \
	[ -s "$R/etc/apache2/conf-available/imghost.conf" ]
check "not enabled (a2enconf is the operator's)" \
	[ ! -e "$R/etc/apache2/conf-enabled/imghost.conf" ]
like "and names the installed app" \
	"$(grep -m 1 '^[[:space:]]*Alias /_app' "$R/etc/apache2/conf-available/imghost.conf")" \
	'/usr/bin/imghost-fcgi$'
# Enabled as OPERATIONS.md says, Apache takes it (apache2ctl -t).
if [ -x "$R/usr/sbin/apache2ctl" ] &&
    [ -f "$R/usr/lib/apache2/modules/mod_fcgid.so" ]; then
	in_root a2enmod -q fcgid rewrite headers >/dev/null 2>&1
	check "a2enconf imghost enables it" in_root a2enconf -q imghost
	apache_t() { in_root apache2ctl -t >"$TMP/apache.out" 2>&1; }
	check "Apache takes it (apache2ctl -t)" apache_t
	in_root a2disconf -q imghost >/dev/null 2>&1
else
	skip "no apache2 with mod_fcgid here: a2enconf not tried"
fi
# The lighttpd snippet, enabled in Debian's lighttpd as lighty-enable-mod
# does, passes lighttpd's own check.
in_root lighty-enable-mod imghost >"$TMP/lighty.out" 2>&1
check "lighty-enable-mod imghost enables the snippet" \
	[ -L "$R/etc/lighttpd/conf-enabled/50-imghost.conf" ]
check "Debian's lighttpd takes it (lighttpd -tt)" \
	in_root lighttpd -tt -f /etc/lighttpd/lighttpd.conf
in_root lighty-disable-mod imghost >/dev/null 2>&1

# The services, as the units run them.
port=$(free_port)
sed -i -e "s|^var.port\t*=.*|var.port = $port|" \
    -e "s|^var.bind\t*=.*|var.bind = \"127.0.0.1\"|" "$R/etc/imghost/lighttpd.conf"
unit_exec() {	# unit_exec UNIT: its ExecStart=
	sed -n 's/^ExecStart=//p' "$R/lib/systemd/system/$1"
}
unit_run() {	# unit_run UNIT LOG: runs it as User= with Environment=
	local u=$R/lib/systemd/system/$1 user env
	user=$(sed -n 's/^User=//p' "$u")
	env=$(sed -n 's/^Environment=//p' "$u")
	# RuntimeDirectory=, StateDirectory=, LogsDirectory=
	in_root install -d -o "$user" -g "$user" /run/imghost \
		/var/log/imghost /var/lib/imghost/metrics
	chroot "$R" setpriv --reuid="$user" --regid="$user" --init-groups \
		env -i PATH=/usr/bin:/bin $env sh -c "exec $(unit_exec "$1")" \
		>>"$2" 2>&1 &
}
is "the lighttpd unit runs the installed lighttpd.conf" \
	"$(unit_exec imghost-lighttpd.service)" \
	"/usr/sbin/lighttpd -D -f /etc/imghost/lighttpd.conf"
check "ExecStartPre= (lighttpd -tt) passes" \
	in_root $(sed -n 's/^ExecStartPre=//p' "$R/lib/systemd/system/imghost-lighttpd.service")
unit_run imghost-lighttpd.service "$TMP/lighttpd.log"
lpid=$!
unit_run imghost-resize.service "$TMP/resize.log"
rpid=$!
base=http://127.0.0.1:$port
up() { curl -sf -o /dev/null "$base/healthz"; }
wait_for "the installed service answers /healthz" 20 up
req "$base/healthz"
is "healthz: the database is reached" "$(json .database)" ok

convert -size 640x480 plasma:fractal -seed 60 "$TMP/a.png"
req -H 'Content-Type: image/png' --data-binary "@$TMP/a.png" "$base/api/v1/images"
is "an upload to the installed service is taken" "$STATUS" 201
id=$(json .id)
req "$base/i/$id.png"
is "and served" "$STATUS" 200
check "byte for byte" cmp -s "$BODY" "$TMP/a.png"
check "from the store of the package's configuration" \
	[ -f "$R/var/lib/imghost/store/${id:0:2}/${id:2:2}/$id/original.png" ]
small() { req "$base/i/$id/small.webp"; [ "$STATUS" = 200 ]; }
# Debian's ImageMagick 6 under the app's own policy (lib/img_policy.c).
wait_for "the installed resizer makes the WebP variant" 60 small
like "a WebP" "$(header content-type)" '^image/webp'
check "no ImageMagick policy warning in the resizer's log" \
	sh -c "! grep -qi 'policy' '$TMP/resize.log'"

calls >/dev/null
# dpkg-reconfigure to the timer and back: the chosen resizer's unit is
# the one enabled.
wants=$R/etc/systemd/system
reconf() {
	echo "imghost imghost/resizer select $1" | in_root debconf-set-selections &&
	in_root dpkg-reconfigure -fnoninteractive imghost >>"$TMP/apt.log" 2>&1
}
check "dpkg-reconfigure imghost to the timer" reconf timer
check "enables the timer" [ -L "$wants/timers.target.wants/imghost-resize-once.timer" ]
check "disables the loop" [ ! -e "$wants/multi-user.target.wants/imghost-resize.service" ]
like "the switch stops the loop and starts the timer" "$(calls | tr '\n' ' ')" \
	'stop imghost-resize.service .*start .*imghost-resize-once.timer'
check "and back to the loop" reconf loop
check "enables the loop" [ -L "$wants/multi-user.target.wants/imghost-resize.service" ]
check "disables the timer" [ ! -e "$wants/timers.target.wants/imghost-resize-once.timer" ]
like "the switch back stops the timer and starts the loop" "$(calls | tr '\n' ' ')" \
	'stop imghost-resize-once.timer .*start .*imghost-resize.service'

# An upgrade to a new version, with uploads going on throughout: the
# package as built, its version raised and a migration added, built
# again by dpkg-deb.  No acknowledged upload is lost; any refused gets
# 503 with Retry-After.
new=$TMP/new
rm -rf "$new"
dpkg-deb -R "$T60_DEB" "$new"
ver=$(sed -n 's/^Version: //p' "$new/DEBIAN/control")+t60
sed -i "s/^Version: .*/Version: $ver/" "$new/DEBIAN/control"
echo 'CREATE TABLE t60_upgrade (x integer);' \
	>"$new/usr/share/imghost/sql/900_t60_upgrade.sql"
(cd "$new" && md5sum usr/share/imghost/sql/900_t60_upgrade.sql) \
	>>"$new/DEBIAN/md5sums"
dpkg-deb -b --root-owner-group "$new" "$R/tmp/imghost_${ver}_amd64.deb" >/dev/null
# Distinct images, so none is taken as another's duplicate; at most 300,
# until the reload below is over.
rm -rf "$TMP/upgraded" "$TMP/up"
mkdir "$TMP/up"
: >"$TMP/uploads"
(
	i=0
	while [ "$i" -lt 300 ] && [ ! -e "$TMP/upgraded" ]; do
		i=$((i + 1))
		convert -size 32x32 "xc:rgb($((i % 256)),$((i / 256 * 60)),90)" \
			"$TMP/up/u$i.png"
		curl -s -o "$TMP/up/u$i.json" -D "$TMP/up/u$i.head" -w "%{http_code}\n" \
			--max-time 30 -H 'Content-Type: image/png' \
			--data-binary "@$TMP/up/u$i.png" "$base/api/v1/images" \
			>"$TMP/up/u$i.status"
		echo "$i" >>"$TMP/uploads"
	done
) &
upid=$!
apt_in install "/tmp/imghost_${ver}_amd64.deb"
check "apt upgrades to $ver" [ $? -eq 0 ]
c=$(calls | tr '\n' ' ')
like "the upgrade reloads lighttpd" "$c" 'try-reload-or-restart imghost-lighttpd.service'
like "and restarts the resizer" "$c" 'try-restart imghost-resize.service'
like "and starts what is enabled and not running" "$c" \
	'start imghost-lighttpd.service imghost-cache-trim.timer imghost-resize.service'
is "and stops nothing" "$(echo "$c" | grep -oE '(^| )stop [^ ]+')" ""
check "the loop is still the resizer enabled" \
	[ -L "$wants/multi-user.target.wants/imghost-resize.service" ]
check "not the timer" [ ! -e "$wants/timers.target.wants/imghost-resize-once.timer" ]
is "dpkg has $ver" "$(in_root dpkg-query -W -f '${Version}' imghost)" "$ver"
is "the upgrade applied the new migration" \
	"$(psql_in "SELECT count(*) FROM schema_migrations WHERE version = 900")" 1
is "/etc/imghost.conf still root:imghost 0640" \
	"$(in_root stat -c %U:%G:%a /etc/imghost.conf)" root:imghost:640
# What the postinst does under systemd: reload lighttpd (ExecReload=,
# SIGUSR1: a graceful restart with the new app), restart the resizer.
old=$(pgrep -P "$lpid" | sort | paste -sd' ')
at=$(wc -l <"$TMP/uploads")
kill -USR1 "$lpid"
kill -TERM "$rpid"
wait "$rpid"
unit_run imghost-resize.service "$TMP/resize.log"
rpid=$!
fresh() {
	local now
	now=$(pgrep -P "$lpid" | sort | paste -sd' ')
	[ -n "$now" ] && [ "$now" != "$old" ] && up
}
wait_for "lighttpd restarts its FastCGI processes on the reload" 20 fresh
# A few more uploads to the new app, then the loop stops.
sleep 1
touch "$TMP/upgraded"
wait "$upid"
n=$(wc -l <"$TMP/uploads")
check "uploads went on through the apt upgrade and the reload" [ "$n" -gt "$at" ]
ok=0 bad=
for i in $(seq 1 "$n"); do
	s=$(cat "$TMP/up/u$i.status")
	case $s in
	201)
		uid=$(jq -r .id "$TMP/up/u$i.json")
		req "$base/i/$uid.png"
		if [ "$STATUS" = 200 ] && cmp -s "$BODY" "$TMP/up/u$i.png"; then
			ok=$((ok + 1))
		else
			bad="$bad $i:lost"
		fi ;;
	503)
		grep -qi '^retry-after:' "$TMP/up/u$i.head" || bad="$bad $i:503-no-retry" ;;
	*) bad="$bad $i:$s" ;;
	esac
done
echo "t_60: $n uploads through the upgrade, $ok acknowledged and kept" >&2
is "uploads through the upgrade: 201 and kept, or 503 with Retry-After" "$bad" ""
check "most were taken" [ "$ok" -ge $((n / 2)) ]

# Remove: stops (the prerm, under systemd) and keeps the data.
kill -TERM "$rpid" "$lpid"
wait "$rpid" "$lpid" 2>/dev/null
apt_in remove imghost
check "apt remove succeeds" [ $? -eq 0 ]
like "the prerm stops the units" "$(calls | tr '\n' ' ')" \
	'stop imghost-lighttpd.service imghost-resize.service'
check "the programs are gone" [ ! -e "$R/usr/bin/imghost-fcgi" ]
check "the configuration stays" [ -f "$R/etc/imghost.conf" ]
check "the store stays" \
	[ -f "$R/var/lib/imghost/store/${id:0:2}/${id:2:2}/$id/original.png" ]
is "the database stays" "$(psql_in 'SELECT count(*) > 0 FROM images')" t

# Installed again after the remove: set up again, and started.
apt_in install "/tmp/imghost_${ver}_amd64.deb"
check "apt installs it again" [ $? -eq 0 ]
like "and the postinst starts the units again" "$(calls | tr '\n' ' ')" \
	'start imghost-lighttpd.service imghost-cache-trim.timer imghost-resize.service'

# Purge: the configuration goes, and the message says what is left.
apt_in purge imghost
check "apt purge succeeds" [ $? -eq 0 ]
check "/etc/imghost.conf is gone" [ ! -e "$R/etc/imghost.conf" ]
check "/etc/imghost is gone" [ ! -e "$R/etc/imghost" ]
is "and its statoverride" \
	"$(in_root dpkg-statoverride --list /etc/imghost.conf)" ""
check "the purge names what it leaves" \
	grep -q 'Left in place.*hold users' <(tr '\n' ' ' <"$TMP/apt.log")
check "the store is never dropped" \
	[ -f "$R/var/lib/imghost/store/${id:0:2}/${id:2:2}/$id/original.png" ]
is "nor the database" "$(psql_in 'SELECT count(*) > 0 FROM images')" t
like "dpkg has forgotten it" \
	"$(in_root dpkg-query -W -f '${Status}' imghost 2>/dev/null)" \
	'^(|unknown ok not-installed)$'
