# ./serve comes up on $PORT, answers /healthz, and SIGTERM stops it all.
. "$(dirname "$0")/lib.sh"

port=$(free_port)
state=$TMP/var
# ./serve takes its database from its own cluster, not the suite's.
env -u IMGHOST_DATABASE_URL -u IMGHOST_CONF PORT=$port \
	STATE_DIR="$state" setsid "$TOP/serve" >"$TMP/serve.log" 2>&1 &
pid=$!

healthy() {
	req "http://127.0.0.1:$port/healthz"
	[ "$STATUS" = 200 ]
}
wait_for "./serve answers /healthz with 200 on \$PORT" 120 healthy
# /healthz answers as soon as lighttpd is up, a moment before ./serve
# has started its resizer and printed the URL.
wait_for "it printed its URL" 10 \
	grep -q "http://127.0.0.1:$port/" "$TMP/serve.log"
is "with the fs store" "$(json .store_driver)" fs
check "the store lives under its state dir" [ -d "$state/store" ]

kill -TERM "$pid"
wait "$pid"
is "SIGTERM ends ./serve with status 0" "$?" 0
# (pgrep never matches itself; a bash -c around it would match.)
none_left() {
	! pgrep "$@" >/dev/null
}
check "no process of it is left" none_left -f "$state"
check "no orphaned FastCGI process is left" \
	none_left -P 1 -f "^$TOP/imghost-fcgi"
