# Upload and serve, on both stores, as API.md says.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/images.sh"

img=$TMP/img
make_images "$img"

# upload BASE FILE: multipart upload; sets STATUS, BODY, ID.
upload() {
	req -F "file=@$2" "$1/api/v1/images"
	ID=$(json .id)
}

# check_upload STORE BASE NAME TYPE W H FRAMES
check_upload() {
	local store=$1 base=$2 f=$img/$3 got
	upload "$base" "$f"
	is "$store $3: 201 Created" "$STATUS" 201
	like "$store $3: a well-formed id" "$ID" '^[A-Za-z0-9_-]{8}$'
	is "$store $3: type" "$(json .type)" "$4"
	is "$store $3: dimensions and frames" \
		"$(json '"\(.width)x\(.height) \(.frames)"')" "$5x$6 $7"
	is "$store $3: bytes" "$(json .bytes)" "$(stat -c %s "$f")"
	is "$store $3: sha256" "$(json .sha256)" \
		"$(sha256sum "$f" | cut -d' ' -f1)"
	is "$store $3: not a duplicate" "$(json .duplicate)" false
	is "$store $3: Location is the page" "$(header location)" \
		"$base/$ID"
	is "$store $3: page_url" "$(json .page_url)" "$base/$ID"
	is "$store $3: variants listed" \
		"$(json '.variants | keys | join(" ")')" "large medium small"
	is "$store $3: a job queued" "$(psql_q "SELECT count(*) FROM
		resize_jobs WHERE image_id = (SELECT id FROM images WHERE
		sha256 = decode('$(json .sha256)', 'hex'))")" 1
	got=$TMP/got
	curl -s -o "$got" "$(json .url)"
	check "$store $3: the original served byte for byte" cmp -s "$f" "$got"
}

for store in fs s3; do
	use_store $store
	base=$BASE
	check_upload $store "$base" photo.jpg image/jpeg 800 600 1
	check_upload $store "$base" progressive.jpg image/jpeg 640 480 1
	check_upload $store "$base" cmyk.jpg image/jpeg 300 200 1
	check_upload $store "$base" alpha.png image/png 200 100 1
	check_upload $store "$base" anim.gif image/gif 40 30 3
	check_upload $store "$base" image.webp image/webp 500 400 1
	check_upload $store "$base" rotated.jpg image/jpeg 48 64 1
done
