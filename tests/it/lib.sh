# Helpers for the integration tests.  Sourced by each tests/it/t_*.sh,
# which tests/run starts with TOP, OUT, RESULTS, FS_URL, S3_URL, PG_URL,
# PG_DIR, RGW_DIR and the RGW_* keys in the environment.  The fs and the
# s3 stacks each have their own database, FS_DB and S3_DB.

TEST=$(basename "$0" .sh)
TMP=$OUT/$TEST
mkdir -p "$TMP"
. "$TOP/stack/deps.sh"
. "$TOP/stack/pg.sh"
. "$TOP/stack/rgw.sh"

pass() { echo "PASS: $TEST: $*" >>"$RESULTS"; }
fail() { echo "FAIL: $TEST: $*" | tee -a "$RESULTS" >&2; }
# skip REASON: records that a test, or a part of one, did not run and
# why; tests/run counts these apart from passes and failures.
skip() { echo "SKIP: $TEST: $*" | tee -a "$RESULTS" >&2; }

# check DESC CMD...: passes when CMD succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

# is DESC GOT WANT: passes when the two strings are equal.
is() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', want '$3'"; fi
}

# like DESC GOT REGEX: passes when GOT matches the extended regex.
like() {
	if [[ $2 =~ $3 ]]; then pass "$1"; else fail "$1: '$2' !~ /$3/"; fi
}

# req CURL-ARGS...: one request; sets STATUS, BODY (a file) and HEADERS
# (a file, header names lower-cased).
req() {
	BODY=$TMP/body HEADERS=$TMP/headers
	rm -f "$BODY"
	STATUS=$(curl -s -o "$BODY" -D "$TMP/headers.raw" -w '%{http_code}' \
		--max-time 30 "$@")
	touch "$BODY"
	# Split at the first ": " only: a value may hold one (a CSP's
	# "data: blob:").
	tr -d '\r' <"$TMP/headers.raw" | awk '{
		i = index($0, ": ")
		if (i == 0)
			printf "%s: \n", tolower($0)
		else
			printf "%s: %s\n", tolower(substr($0, 1, i - 1)),
			    substr($0, i + 2)
	}' >"$HEADERS"
}

# header NAME: the value of a header of the last req.
header() {
	grep -i "^$1: " "$HEADERS" | head -n 1 | cut -d' ' -f2-
}

# dup_headers: the names of the last req's headers that came more than
# once (API.md: every response carries each header once).
dup_headers() {
	grep -v '^http/' "$HEADERS" | cut -d: -f1 | grep -v '^$' | sort |
		uniq -d | paste -sd' ' -
}

# json FILTER: applies a jq filter to the last body.
json() {
	jq -r "$1" <"$BODY" 2>/dev/null
}

# wait_for DESC SECONDS CMD...: retries CMD until it succeeds or time is up.
wait_for() {
	local desc=$1 n=$(($2 * 10))
	shift 2
	while [ "$n" -gt 0 ]; do
		"$@" && { pass "$desc"; return 0; }
		sleep 0.1
		n=$((n - 1))
	done
	fail "$desc: not within the time allowed"
	return 1
}

# use_store fs|s3: points BASE and DB at that store's stack.
use_store() {
	STORE=$1
	if [ "$1" = fs ]; then BASE=$FS_URL DB=$FS_DB; else BASE=$S3_URL DB=$S3_DB; fi
}

# psql_q SQL: runs SQL against the current store's database (use_store).
psql_q() {
	psql -qAtX "${DB:-$PG_URL}" -c "$1"
}

# public_urls_sql: SQL listing "/i/{id}.{ext}" of every image, the bigint
# id turned back into its 8 characters (lib/id.c).
public_urls_sql() {
	cat <<'SQL'
SELECT '/i/' || (SELECT string_agg(substr(
	'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
	((id >> (42 - 6 * i)) & 63)::int + 1, 1), '' ORDER BY i)
	FROM generate_series(0, 7) i) || '.' ||
	CASE type WHEN 'jpeg' THEN 'jpg' ELSE type::text END
FROM images
SQL
}

# id_int ID: the bigint the database keeps for an id (lib/id.c).
id_int() {
	local a=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_
	local i v=0 c p
	for i in 0 1 2 3 4 5 6 7; do
		c=${1:i:1} p=${a%%"$c"*}
		v=$((v * 64 + ${#p}))
	done
	echo "$v"
}

# s3_req METHOD KEY [FILE]: a signed request to the RGW; prints the status.
s3_req() {
	local sha=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	local args=(-X "$1")
	[ "$1" = HEAD ] && args=(-I)
	[ -n "${3:-}" ] && { args=(-T "$3"); sha=UNSIGNED-PAYLOAD; }
	curl -s -o /dev/null -w '%{http_code}' "${args[@]}" \
		--aws-sigv4 "aws:amz:$RGW_REGION:s3" \
		--user "$RGW_ACCESS_KEY:$RGW_SECRET_KEY" \
		-H "x-amz-content-sha256: $sha" "$RGW_ENDPOINT/$RGW_BUCKET/$2"
}

# blob_exists KEY: whether the current store holds the blob.
blob_exists() {
	if [ "$STORE" = fs ]; then
		[ -f "$OUT/fs/store/${1:0:2}/${1:2:2}/$1" ]
	else
		[ "$(s3_req HEAD "$1")" = 200 ]
	fi
}

# resizer_env: exports the keys that point imghost-resize at the current
# store's stack.  Use it in a subshell: ( resizer_env; exec ... ) & makes
# $! the resizer's own PID, for signals.
resizer_env() {
	export IMGHOST_DATABASE_URL="$DB" IMGHOST_STORE=$STORE
	if [ "$STORE" = fs ]; then
		export IMGHOST_FS_ROOT="$OUT/fs/store"
	else
		export IMGHOST_S3_ENDPOINT="$RGW_ENDPOINT" \
			IMGHOST_S3_BUCKET="$RGW_BUCKET" \
			IMGHOST_S3_REGION="$RGW_REGION" \
			IMGHOST_S3_ACCESS_KEY="$RGW_ACCESS_KEY" \
			IMGHOST_S3_SECRET_KEY="$RGW_SECRET_KEY"
	fi
}

# run_resizer ARGS...: imghost-resize against the current store's stack.
run_resizer() {
	( resizer_env; exec "$TOP/imghost-resize" "$@" )
}
