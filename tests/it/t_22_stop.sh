# A resizer stopped in every way: SIGTERM, SIGINT, SIGKILL of the
# parent, SIGKILL of a worker, --once running out of work, the database
# going away.  Afterwards no process of it is left, and no job stays
# claimed by a process that no longer exists: a resizer started next
# takes every job at once, without waiting out a lease (120 s).
. "$(dirname "$0")/lib.sh"

n=6
mkdir -p "$TMP/img"
# Big enough that a resizer is caught in the middle of a job.
for i in $(seq $n); do
	echo "-size 2400x1800 plasma:fractal -seed $((220 + i)) $TMP/img/$i.jpg"
done | while read -r args; do convert $args; done

# tree PID: the PID and those of its children (a resizer and its workers).
tree() {
	echo "$1"
	pgrep -P "$1"
}

# alive PID...: those of the PIDs that still run imghost-resize.
alive() {
	local p
	for p in "$@"; do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$TOP/imghost-resize" ] &&
			echo "$p"
	done
}

gone() {
	[ -z "$(alive "$@")" ]
}

# requeue: a fresh job for each of this test's images.
requeue() {
	psql_q "DELETE FROM resize_jobs;
		INSERT INTO resize_jobs (image_id) SELECT id FROM images
		WHERE id IN ($ids)" >/dev/null
}

working() {
	[ "$(psql_q "SELECT count(*) FROM resize_jobs
		WHERE state = 'running'")" -ge 1 ]
}

# start ARGS...: a resizer in the background; sets pid.
start() {
	( resizer_env; exec "$TOP/imghost-resize" "$@" ) \
		2>>"$TMP/resize-$STORE.log" &
	pid=$!
}

# after WAY: the resizer is stopped; nothing of it is left and a new
# --once does every job that is left, lease or not.
after() {
	wait_for "$STORE: $1: no resizer process is left" 10 gone $procs
	( resizer_env; exec timeout 120 "$TOP/imghost-resize" --once \
		--workers 1 ) 2>>"$TMP/resize-$STORE.log"
	is "$STORE: $1: no job is left claimed" \
		"$(psql_q "SELECT count(*) FROM resize_jobs")" 0
}

for store in fs s3; do
	use_store $store
	# Jobs other tests left (failing ones among them) would blur it.
	psql_q "DELETE FROM resize_jobs" >/dev/null
	ids=
	for i in $(seq $n); do
		{ cat "$TMP/img/$i.jpg"; echo "$store"; } >"$TMP/img/$store-$i.jpg"
		req -F "file=@$TMP/img/$store-$i.jpg" "$BASE/api/v1/images"
		ids+="$(psql_q "SELECT id FROM images WHERE sha256 = decode('$(
			sha256sum <"$TMP/img/$store-$i.jpg" | cut -d' ' -f1)',
			'hex')"),"
	done
	ids=${ids%,}
	is "$store: $n images of its own" "$(psql_q "SELECT count(*)
		FROM images WHERE id IN ($ids)")" $n
	[ $store = fs ] && one=${ids%%,*}

	for sig in TERM INT; do
		requeue
		start --workers 2 --loop
		wait_for "$store: SIG$sig: the resizer is at work" 30 working
		procs=$(tree $pid)
		kill -$sig $pid
		wait $pid
		is "$store: SIG$sig: the resizer exits 0" $? 0
		after "SIG$sig"
	done

	requeue
	start --workers 2 --loop
	wait_for "$store: SIGKILL: the resizer is at work" 30 working
	procs=$(tree $pid)
	kill -KILL $pid
	wait $pid 2>/dev/null
	after "SIGKILL of the parent"

	requeue
	start --workers 2 --loop
	wait_for "$store: a worker's SIGKILL: the resizer is at work" 30 working
	procs=$(tree $pid)
	kill -KILL "$(pgrep -P $pid | head -n 1)"
	# The replacement, and the other worker, do the rest.
	idle() {
		[ "$(psql_q "SELECT count(*) FROM resize_jobs")" = 0 ]
	}
	wait_for "$store: a worker's SIGKILL: its job is done by another within 60 s" \
		60 idle
	procs=$(tree $pid)
	kill -TERM $pid
	wait $pid
	after "SIGKILL of a worker"

	requeue
	start --workers 2 --once
	procs=$(tree $pid)
	wait $pid
	is "$store: --once: exits 0" $? 0
	is "$store: --once: does every job" \
		"$(psql_q "SELECT count(*) FROM resize_jobs")" 0
	after "--once"

	# The database goes away under a --once at work: its workers stop,
	# and what they held is taken at once after the restart.
	requeue
	start --workers 2 --once
	wait_for "$store: the database goes: the resizer is at work" 30 working
	procs=$(tree $pid)
	pg_stop "$PG_DIR"
	wait $pid
	check "$store: the database goes: --once stops with an error" [ $? -ne 0 ]
	pg_start "$PG_DIR" "-c fsync=off -c synchronous_commit=off" >/dev/null
	after "the database went away"
done

use_store fs
# A job whose resizer stopped during its last attempt is not taken again:
# an image that kills its worker each time ends failed, with why.
psql_q "DELETE FROM resize_jobs;
	INSERT INTO resize_jobs (image_id, state, attempts, run_after)
	VALUES ($one, 'running', 5, now() + interval '1 minute')" >/dev/null
run_resizer --once --workers 1 2>>"$TMP/resize-fs.log"
is "a job orphaned on its last attempt is marked failed" \
	"$(psql_q "SELECT state || ' ' || last_error FROM resize_jobs")" \
	"failed its resizer stopped during each attempt"

# A statement that fails is an attempt, not a job left claimed for a
# lease: recording the variants, and reading the image's row.
psql_q "CREATE FUNCTION t22_refuse() RETURNS trigger LANGUAGE plpgsql
	AS \$\$ BEGIN RAISE EXCEPTION 't22 refuses'; END \$\$;
	CREATE TRIGGER t22_refuse BEFORE INSERT ON variants
	FOR EACH ROW EXECUTE FUNCTION t22_refuse();
	DELETE FROM resize_jobs;
	INSERT INTO resize_jobs (image_id) VALUES ($one)" >/dev/null
run_resizer --once --workers 1 2>>"$TMP/resize-fs.log"
is "the variants cannot be recorded: the attempt failed, the job waits" \
	"$(psql_q "SELECT state || ' ' || attempts || ' ' || last_error
	FROM resize_jobs")" "queued 1 record the variants: database error"
psql_q "DROP TRIGGER t22_refuse ON variants; DROP FUNCTION t22_refuse();
	ALTER TABLE images RENAME COLUMN width TO t22_width;
	UPDATE resize_jobs SET run_after = now()" >/dev/null
run_resizer --once --workers 1 2>>"$TMP/resize-fs.log"
psql_q "ALTER TABLE images RENAME COLUMN t22_width TO width" >/dev/null
is "the image's row cannot be read: the attempt failed, the job waits" \
	"$(psql_q "SELECT state || ' ' || attempts || ' ' || last_error
	FROM resize_jobs")" "queued 2 read the image row: database error"
psql_q "DELETE FROM resize_jobs" >/dev/null
