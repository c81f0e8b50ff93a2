# Every row of the error table that an upload can hit, on both stores.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/images.sh"

img=$TMP/img
make_images "$img"

# raw_request PORT: sends stdin as a raw HTTP request, prints the status.
raw_request() {
	timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1; cat >&3;
		head -n 1 <&3" | awk '{ print $2 }'
}

for store in fs s3; do
	use_store $store
	rows=$(psql_q "SELECT count(*) FROM images")

	req -F "file=@$img/text.txt" "$BASE/api/v1/images"
	is "$store: text is 415" "$STATUS $(json .error.code)" \
		"415 unsupported_type"
	req -F "file=@$img/tragick.jpg;type=image/jpeg" "$BASE/api/v1/images"
	is "$store: MVG named .jpg is 415" "$STATUS" 415
	req -F "file=@$img/bare.png" "$BASE/api/v1/images"
	is "$store: a bare PNG header is 422" "$STATUS $(json .error.code)" \
		"422 bad_image"
	req -F "file=@$img/empty.jpg" "$BASE/api/v1/images"
	is "$store: an empty file part is 400" "$STATUS $(json .error.code)" \
		"400 bad_request"
	req -F "name=x" "$BASE/api/v1/images"
	is "$store: no file field is 400" "$STATUS" 400
	req -H "Content-Type: multipart/form-data" --data-binary "junk" \
		"$BASE/api/v1/images"
	is "$store: multipart without a boundary is 400" "$STATUS" 400
	req -H "Content-Type: multipart/form-data; boundary=xx" \
		--data-binary $'--xx\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc' \
		"$BASE/api/v1/images"
	is "$store: a part that never ends is 400" "$STATUS" 400
	req -H "Content-Type: image/png" --data-binary "" "$BASE/api/v1/images"
	is "$store: an empty body is 400" "$STATUS" 400
	req "$BASE/api/v1/images"
	is "$store: GET on the upload URL is 405" "$STATUS" 405
	is "$store: 405 Allow" "$(header allow)" POST
	req -X DELETE "$BASE/i/zzzzzzzz.jpg"
	is "$store: DELETE on an image is 405" "$STATUS" 405

	status=$(printf 'POST /api/v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\nContent-Length: 40000000\r\n\r\n' |
		raw_request "${BASE##*:}")
	is "$store: 413 from the declared length, no body sent" "$status" 413
	status=$(printf 'POST /api/v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 34000000\r\n\r\n' |
		raw_request "${BASE##*:}")
	is "$store: multipart 413 from the declared length" "$status" 413
	status=$(printf 'POST /api/v1/images HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n\r\n' |
		raw_request "${BASE##*:}")
	is "$store: no length is 411" "$status" 411

	req -H "Content-Type: image/jpeg" --data-binary "@$img/photo.jpg" \
		"$BASE/api/v1/images"
	like "$store: a raw body upload works" "$STATUS" '^20[01]$'
	is "$store: and keeps the type" "$(json .type)" image/jpeg

	is "$store: failed uploads left no row" \
		"$(psql_q "SELECT count(*) FROM images")" $((rows + 1))
	if [ $store = fs ]; then
		check "$store: and no temporary file" \
			[ -z "$(find "$OUT/fs/store" -name '.tmp.*')" ]
	fi
done

# A lower limit, through a configuration the app reads at start: a
# declared length over it is refused; one under it is read.
