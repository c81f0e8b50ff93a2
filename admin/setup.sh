#!/bin/sh
# imghost-admin setup: what an installed imghost needs besides its files,
# run as root by the Debian package's postinst on every install and
# upgrade, and by hand after make install.  Each step is skipped when
# already done:
#
#	the system user (sysusers.d) and its directories (tmpfiles.d);
#	with a local PostgreSQL and a local database_url, the role and the
#	database, owned by the role, reached by the imghost user through the
#	socket (peer authentication);
#	the migrations, applied as the imghost user.
#
#	imghost-admin setup [--no-database]
#
# --no-database: the role and the database are the operator's (a remote
# server, or one set up by hand); the migrations are still applied.
# make install writes this build's paths in for the /usr/local ones.
set -eu
conf=${IMGHOST_CONF:-/etc/imghost.conf}
admin=/usr/local/bin/imghost-admin
user=imghost
mkdb=yes

case ${1:-} in
--no-database) mkdb=no ;;
"") ;;
*) echo "usage: imghost-admin setup [--no-database]" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "imghost-admin setup: run it as root" >&2; exit 1; }

# The user and the directories.
if command -v systemd-sysusers >/dev/null 2>&1; then
	systemd-sysusers /usr/local/lib/sysusers.d/imghost.conf
elif ! id "$user" >/dev/null 2>&1; then
	useradd --system --user-group --home-dir /var/lib/imghost \
	    --shell /usr/sbin/nologin --comment "imghost image host" "$user"
fi
if command -v systemd-tmpfiles >/dev/null 2>&1; then
	systemd-tmpfiles --create /usr/local/lib/tmpfiles.d/imghost.conf
fi
# The configuration holds the S3 secret: the programs' group reads it.
if [ -f "$conf" ] && [ "$(stat -c %U:%G:%a "$conf")" != "root:$user:640" ] &&
    ! dpkg-statoverride --list "$conf" >/dev/null 2>&1; then
	chown "root:$user" "$conf" && chmod 0640 "$conf"
fi

# setup_key KEY: the value of KEY in database_url (key=value form).
setup_key() {
	sed -n 's/^[[:space:]]*database_url[[:space:]]*=[[:space:]]*//p' "$conf" |
	    tr ' ' '\n' | sed -n "s/^$1=//p" | tail -n 1
}

# The role and the database, when PostgreSQL is here and the
# configuration names it through the socket.
setup_db() {
	local url host db role
	url=$(sed -n 's/^[[:space:]]*database_url[[:space:]]*=[[:space:]]*//p' "$conf" | tail -n 1)
	case $url in
	*://*) echo "imghost-admin setup: database_url is a URI: the database is yours to create"; return 0 ;;
	esac
	host=$(setup_key host)
	case $host in
	"" | /* | localhost) ;;
	*) echo "imghost-admin setup: the database is on $host: not created here"; return 0 ;;
	esac
	db=$(setup_key dbname); db=${db:-$user}
	role=$(setup_key user); role=${role:-$user}
	if ! command -v psql >/dev/null 2>&1 || ! id postgres >/dev/null 2>&1; then
		echo "imghost-admin setup: no local PostgreSQL: create role $role and database $db yourself"
		return 0
	fi
	if ! runuser -u postgres -- psql -XqAt -c 'SELECT 1' >/dev/null 2>&1; then
		echo "imghost-admin setup: the local PostgreSQL does not answer: start it, then run imghost-admin setup again" >&2
		return 1
	fi
	# psql's :"var" quotes the names, as read from standard input.
	runuser -u postgres -- psql -XqAt -v ON_ERROR_STOP=1 -v role="$role" \
	    -v db="$db" <<'SQL' >/dev/null
SELECT format('CREATE ROLE %I LOGIN', :'role')
	WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
	WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
	echo "imghost-admin setup: PostgreSQL role $role and database $db are there"
}

[ "$mkdb" = no ] || setup_db || exit 1
# The migrations, as the user the programs run as.
runuser -u "$user" -- env IMGHOST_CONF="$conf" "$admin" migrate
