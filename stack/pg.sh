# A private PostgreSQL cluster in a directory.  Sourced.
#
# PostgreSQL refuses to run as root, so root runs it as the "postgres"
# account that Debian's package creates, in one of two ways (pg_mode).
# Where that account can reach the directory, as that account (runuser):
# the cluster's files are its own.  Where it cannot (a clone in root's
# 0700 home), in a user namespace that maps root to the account's uid
# (unshare): PostgreSQL sees a uid that is not 0, the kernel checks its
# file access as root's, and the files stay in the directory, root's.  No
# directory's permissions change for it.  The socket lives in a short
# directory under /tmp: a Unix socket path must fit in 107 bytes.

pg_bindir() {
	ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1
}

# pg_mode DIR: prints how DIR's cluster runs: "self" (not root),
# "runuser" or "userns".  A cluster keeps the way it was made (the owner
# of its data directory); a new one is the postgres account's where that
# account can reach DIR.
pg_mode() {
	if [ "$(id -u)" -ne 0 ]; then
		echo self
	elif [ -d "$1/data" ]; then
		[ "$(stat -c %U "$1/data")" = postgres ] && echo runuser ||
			echo userns
	elif runuser -u postgres -- test -x "$1" 2>/dev/null; then
		echo runuser
	else
		echo userns
	fi
}

# pg_as DIR CMD...: runs CMD as DIR's cluster owner (pg_mode).
pg_as() {
	local dir=$1
	shift
	case $(pg_mode "$dir") in
	self) "$@" ;;
	runuser) runuser -u postgres -- "$@" ;;
	userns) unshare --user --map-user="$(id -u postgres)" \
		--map-group="$(id -g postgres)" -- "$@" ;;
	esac
}

pg_sockdir() {
	echo "/tmp/imghost-pg.$(printf %s "$1" | cksum | cut -d' ' -f1)"
}

# pg_sockdir_own DIR SOCK: gives the socket directory to the cluster's
# owner.  In a user namespace the server has root's access to files, so
# only root may connect: its socket directory is root's alone.
pg_sockdir_own() {
	case $(pg_mode "$1") in
	runuser) chown postgres: "$1" "$2" ;;
	userns) chown 0:0 "$2" && chmod 0700 "$2" ;;
	esac
}

# pg_usable DIR: true when DIR's cluster owner can write DIR; says what
# to do otherwise.
pg_usable() {
	if [ "$(pg_mode "$1")" = userns ] && ! pg_as "$1" true 2>/dev/null; then
		echo "pg: the postgres account cannot reach $1, and this" \
			"machine refuses the user namespace (unshare --user)" \
			"that would run PostgreSQL there as root; set STATE_DIR" \
			"for ./serve (STATE_DIR=/var/tmp/imghost ./serve), or" \
			"TEST_OUT for ./check, to a directory that postgres" \
			"can reach" >&2
		return 1
	fi
	pg_as "$1" test -w "$1" && return 0
	echo "pg: $1 is not writable by $(pg_as "$1" id -un)" >&2
	return 1
}

# pg_start DIR [EXTRA-POSTGRES-OPTIONS]: starts (creating on first use)
# the cluster in DIR, creates database imghost, sets PG_URL.
pg_start() {
	local dir sock bin
	dir=$(realpath -m "$1") sock=$(pg_sockdir "$dir") bin=$(pg_bindir)
	mkdir -p "$dir" "$sock"
	pg_sockdir_own "$dir" "$sock" && pg_usable "$dir" || return 1
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		pg_as "$dir" "$bin/initdb" -D "$dir/data" -A trust -U postgres \
			-E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || return 1
	fi
	pg_as "$dir" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
		-o "-k $sock -c listen_addresses='' ${2:-}" start || {
		tail -n 20 "$dir/server.log" >&2
		return 1
	}
	PG_URL="host=$sock user=postgres dbname=imghost"
	psql -qAt "host=$sock user=postgres dbname=postgres" -c \
		"SELECT 1 FROM pg_database WHERE datname = 'imghost'" |
		grep -q 1 ||
		createdb -h "$sock" -U postgres imghost
}

# pg_stop DIR: stops the cluster (fast shutdown); fine if it is down.
pg_stop() {
	local dir
	dir=$(realpath -m "$1")
	[ -f "$dir/data/postmaster.pid" ] || return 0
	pg_as "$dir" "$(pg_bindir)/pg_ctl" -D "$dir/data" -m fast -w -s stop \
		>/dev/null 2>&1 || true
}
