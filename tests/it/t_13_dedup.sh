# The same bytes uploaded twice, or by many at once, share one id.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/images.sh"

img=$TMP/img
make_images "$img"

for store in fs s3; do
	use_store $store
	f=$TMP/unique-$store.png
	convert -size 120x90 "plasma:fractal" -seed $RANDOM "$f"

	req -F "file=@$f" "$BASE/api/v1/images"
	is "$store: first upload 201" "$STATUS" 201
	id=$(json .id)
	req -F "image=@$f" "$BASE/api/v1/images"
	is "$store: second upload 200" "$STATUS" 200
	is "$store: same id" "$(json .id)" "$id"
	is "$store: marked duplicate" "$(json .duplicate)" true
	is "$store: Location still the page" "$(header location)" "$BASE/$id"

	g=$TMP/racy-$store.png
	convert -size 130x90 "plasma:fractal" -seed $RANDOM "$g"
	for i in 1 2 3 4 5 6 7 8; do
		curl -s -o "$TMP/race.$i" -w '%{http_code}\n' \
			-F "file=@$g" "$BASE/api/v1/images" >"$TMP/code.$i" &
	done
	wait
	ids=$(cat "$TMP"/race.* | jq -r .id | sort -u)
	is "$store: 8 simultaneous uploads, one id" "$(echo "$ids" | wc -l)" 1
	is "$store: one 201, seven 200" \
		"$(cat "$TMP"/code.* | sort | uniq -c | awk '{print $1"x"$2}' |
			tr '\n' ' ')" "7x200 1x201 "
	is "$store: one row for it" "$(psql_q "SELECT count(*) FROM images
		WHERE sha256 = decode('$(sha256sum "$g" | cut -d' ' -f1)',
		'hex')")" 1
	req "$BASE/i/$ids.png"
	check "$store: and it is served" cmp -s "$BODY" "$g"
	rm -f "$TMP"/race.* "$TMP"/code.*
done
