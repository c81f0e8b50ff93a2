# A private PostgreSQL cluster in a directory.  Sourced.
#
# PostgreSQL refuses to run as root, so root runs it as the "postgres"
# account that Debian's package creates.  The socket lives in a short
# directory under /tmp: a Unix socket path must fit in 107 bytes.

pg_bindir() {
	ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1
}

# pg_as CMD...: runs CMD as the cluster's owner.
pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_sockdir() {
	echo "/tmp/imghost-pg.$(printf %s "$1" | cksum | cut -d' ' -f1)"
}

# pg_start DIR [EXTRA-POSTGRES-OPTIONS]: starts (creating on first use)
# the cluster in DIR, creates database imghost, sets PG_URL.
pg_start() {
	local dir sock bin
	dir=$(realpath -m "$1") sock=$(pg_sockdir "$dir") bin=$(pg_bindir)
	mkdir -p "$dir" "$sock"
	[ "$(id -u)" -ne 0 ] || chown postgres: "$dir" "$sock"
	if ! pg_as test -w "$dir"; then
		echo "pg: $dir is not writable by $(pg_as id -un)" >&2
		return 1
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		pg_as "$bin/initdb" -D "$dir/data" -A trust -U postgres \
			-E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || return 1
	fi
	pg_as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
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
	pg_as "$(pg_bindir)/pg_ctl" -D "$dir/data" -m fast -w -s stop \
		>/dev/null 2>&1 || true
}
