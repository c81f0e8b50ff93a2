# Helpers for the integration tests.  Sourced by each tests/it/t_*.sh,
# which tests/run starts with TOP, OUT, RESULTS, FS_URL, S3_URL, PG_URL,
# PG_DIR, RGW_DIR and the RGW_* keys in the environment.

TEST=$(basename "$0" .sh)
TMP=$OUT/$TEST
mkdir -p "$TMP"
. "$TOP/stack/deps.sh"
. "$TOP/stack/pg.sh"
. "$TOP/stack/rgw.sh"

pass() { echo "PASS: $TEST: $*" >>"$RESULTS"; }
fail() { echo "FAIL: $TEST: $*" | tee -a "$RESULTS" >&2; }

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
	STATUS=$(curl -s -o "$BODY" -D "$TMP/headers.raw" -w '%{http_code}' \
		--max-time 30 "$@")
	tr -d '\r' <"$TMP/headers.raw" |
		awk -F': ' '{ printf "%s: %s\n", tolower($1), $2 }' >"$HEADERS"
}

# header NAME: the value of a header of the last req.
header() {
	grep -i "^$1: " "$HEADERS" | head -n 1 | cut -d' ' -f2-
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

# psql_q SQL: runs SQL against the test database, unaligned, tuples only.
psql_q() {
	psql -qAtX "$PG_URL" -c "$1"
}
