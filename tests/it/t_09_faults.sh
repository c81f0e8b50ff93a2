# Faults: the database or the store goes away and comes back; the app
# says which part is down and recovers by itself, without a restart.
. "$(dirname "$0")/lib.sh"

health() {
	req "$1/healthz"
}
healthy() {
	health "$1"
	[ "$STATUS" = 200 ]
}

pg_stop "$PG_DIR"
health "$FS_URL"
is "database down: /healthz is 503" "$STATUS" 503
is "database down: named" "$(json .database)" down
is "database down: the store still ok" "$(json .store)" ok
check "database down: Retry-After set" [ -n "$(header retry-after)" ]
pg_start "$PG_DIR" "-c fsync=off" >/dev/null
wait_for "database back: /healthz 200 again without a restart" 10 \
	healthy "$FS_URL"
wait_for "database back: both app processes reconnect" 10 \
	bash -c "for i in 1 2 3 4 5 6; do
		curl -sf -o /dev/null '$FS_URL/healthz' || exit 1; done"

rgw_pause "$RGW_DIR"
health "$S3_URL"
is "S3 down: /healthz is 503" "$STATUS" 503
is "S3 down: store named" "$(json .store)" down
is "S3 down: the database still ok" "$(json .database)" ok
rgw_resume "$RGW_DIR" >/dev/null
wait_for "S3 back: /healthz 200 again without a restart" 20 \
	healthy "$S3_URL"
