# Configuration errors stop start-up with a message naming the key.
. "$(dirname "$0")/lib.sh"

# run_prog PROG: runs a program with the test database; output in $TMP/out.
run_prog() {
	env IMGHOST_DATABASE_URL="$PG_URL" "$@" >"$TMP/out" 2>&1
}

for prog in imghost-resize imghost-fcgi; do
	run_prog env IMGHOST_STOER=fs "$TOP/$prog" --check </dev/null
	rc=$?
	check "$prog: unknown environment key stops start-up" [ $rc -ne 0 ]
	check "$prog: the message names it" grep -q stoer "$TMP/out"

	run_prog env IMGHOST_MAX_SIDE=huge "$TOP/$prog" --check </dev/null
	rc=$?
	check "$prog: bad value stops start-up" [ $rc -ne 0 ]
	check "$prog: the message names key and value" \
		grep -q "max_side: 'huge'" "$TMP/out"

	printf 'store = fs\nbogus_key = 1\n' >"$TMP/bad.conf"
	run_prog env IMGHOST_CONF="$TMP/bad.conf" "$TOP/$prog" --check </dev/null
	rc=$?
	check "$prog: unknown key in the file stops start-up" [ $rc -ne 0 ]
	check "$prog: the message names file, line and key" \
		grep -q "bad.conf:2: unknown key 'bogus_key'" "$TMP/out"

	run_prog env IMGHOST_STORE=s3 "$TOP/$prog" --check </dev/null
	rc=$?
	check "$prog: s3 without an endpoint stops start-up" [ $rc -ne 0 ]
	check "$prog: the message names s3_endpoint" \
		grep -q s3_endpoint "$TMP/out"
done

printf 'store = fs\nfs_root = %s\n' "$TMP/store" >"$TMP/good.conf"
run_prog env IMGHOST_CONF="$TMP/good.conf" "$TOP/imghost-resize" --check
check "a good file starts the resizer" [ $? -eq 0 ]
