# As root, ./serve from a clone in a private (0700) directory whose path
# has a space in it, as a clone in root's own home is: the postgres
# account cannot reach it, so PostgreSQL runs in a user namespace
# (stack/pg.sh) and lighttpd reaches the app through a link without the
# space (stack/lighttpd.sh).  It comes up on its own cluster in the
# clone's ./var, takes an upload, Ctrl-C stops all of it, and the next
# run finds the image again.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: $TEST: needs root" | tee -a "$RESULTS" >&2
	exit 0
fi
private="$TMP/private dir"
clone="$private/im ghost"
mkdir -p "$clone"
chmod 0700 "$private"
# The built tree as it is now (a git clone would miss uncommitted work);
# the copy's make finds nothing to do, its files keeping their mtimes.
tar -C "$TOP" --exclude=./.git --exclude=./tests/out --exclude=./var \
	-cf - . | tar -C "$clone" -xf -
unreachable() {
	! runuser -u postgres -- test -x "$1"
}
check "the postgres account cannot reach the copy" unreachable "$clone"

# start_serve: ./serve of the copy, in a session of its own, with SIGINT
# at its default (a background job of a script ignores it, a terminal's
# foreground job does not); sets PID.
start_serve() {
	env -u IMGHOST_DATABASE_URL -u IMGHOST_CONF -u IMGHOST_STATIC_DIR \
		-u IMGHOST_FS_ROOT -u STATE_DIR --default-signal=INT \
		PORT="$port" setsid "$clone/serve" >>"$TMP/serve.log" 2>&1 &
	PID=$!
}

healthy() {
	req "http://127.0.0.1:$port/healthz"
	[ "$STATUS" = 200 ]
}

# up: true once /healthz answers 200, within 120 s, while ./serve runs.
up() {
	local i
	for i in $(seq 1200); do
		healthy && return 0
		alive "$PID" || break
		sleep 0.1
	done
	tail -n 20 "$TMP/serve.log" >&2
	return 1
}

# alive PID...: true when one of the PIDs runs (a zombie does not).
alive() {
	local p
	for p in "$@"; do
		case $(ps -o stat= -p "$p" 2>/dev/null) in
		'' | Z*) ;;
		*) return 0 ;;
		esac
	done
	return 1
}

# none_alive PID...: true when none runs; shows those that do.
none_alive() {
	alive "$@" || return 0
	ps -o pid,stat,args -p "$(echo "$@" | tr ' ' ,)" >&2
	return 1
}

# its_pids: the PIDs of ./serve's session and of its PostgreSQL (which
# pg_ctl starts in a session of its own).
its_pids() {
	local pm
	ps -o pid= -s "$PID"
	pm=$(head -n 1 "$clone/var/pg/data/postmaster.pid" 2>/dev/null) || return 0
	echo "$pm"
	ps -o pid= --ppid "$pm"
}

# ctrl_c: SIGINT to ./serve's process group, as a terminal's Ctrl-C;
# returns its exit status, or 124 when it was still running 30 s later
# (and is then stopped with SIGKILL).
ctrl_c() {
	local i
	kill -INT -- "-$PID" 2>/dev/null
	for i in $(seq 300); do
		alive "$PID" || break
		sleep 0.1
	done
	if alive "$PID"; then
		kill -KILL -- "-$PID"
		wait "$PID"
		return 124
	fi
	wait "$PID"
}

port=$(free_port)
start_serve
check "./serve from a 0700 path with a space answers /healthz" up
is "with the fs store" "$(json .store_driver)" fs
check "its cluster is in the copy's ./var/pg" \
	[ -f "$clone/var/pg/data/PG_VERSION" ]
is "the cluster's files are root's" "$(stat -c %U "$clone/var/pg/data")" root
is "the private directory is still 0700" "$(stat -c %a "$private")" 700
sock=$(pg_sockdir "$(realpath -m "$clone/var/pg")")
is "its socket directory is root's alone" "$(stat -c '%U %a' "$sock")" \
	"root 700"

convert -size 40x30 plasma:fractal -seed 5 "$TMP/a.png"
req -H 'Content-Type: image/png' --data-binary "@$TMP/a.png" \
	"http://127.0.0.1:$port/api/v1/images"
is "an upload is taken" "$STATUS" 201
id=$(json .id)
req "http://127.0.0.1:$port/i/$id.png"
is "the image is served" "$STATUS" 200
check "byte for byte" cmp -s "$BODY" "$TMP/a.png"
check "from the copy's ./var/store" \
	[ -n "$(find "$clone/var/store" -name original.png)" ]

pids=$(its_pids)
check "its processes are known (serve, lighttpd, app, resizer, postgres)" \
	[ "$(echo $pids | wc -w)" -ge 5 ]
link=$(cat "$clone/var/lighttpd/run/top.link" 2>/dev/null)
check "the app is reached through a link without the space" \
	[ -L "$link/top" ]
ctrl_c
is "Ctrl-C ends ./serve with status 0" "$?" 0
check "nothing of it is left running" none_alive $pids
check "the link is gone" [ ! -e "$link" ]
check "PostgreSQL is down" [ ! -e "$clone/var/pg/data/postmaster.pid" ]

start_serve
check "a second run comes up on the same state" up
req "http://127.0.0.1:$port/i/$id.png"
is "and serves the image of the first" "$STATUS" 200
pids=$(its_pids)
ctrl_c
check "and Ctrl-C stops it too" none_alive $pids
rm -rf "$sock"

# Where the kernel refuses the user namespace (some containers), it says
# what to do instead, and creates nothing.
mkdir -p "$TMP/bin"
printf '#!/bin/sh\necho "unshare: unshare failed: Operation not permitted" >&2\nexit 1\n' \
	>"$TMP/bin/unshare"
chmod +x "$TMP/bin/unshare"
msg=$(PATH="$TMP/bin:$PATH" bash -c '. "$1/stack/pg.sh" && pg_start "$2"' \
	_ "$TOP" "$private/refused/pg" 2>&1)
is "without user namespaces pg_start fails" "$?" 1
like "and names STATE_DIR as the way out" "$msg" 'set STATE_DIR'
check "and makes no cluster" [ ! -e "$private/refused/pg/data" ]
rm -rf "$(pg_sockdir "$(realpath -m "$private/refused/pg")")"
