# The formats of API.md, "Formats taken", with files made here by the
# real tools: AVIF stored and served as uploaded, its variants JPEG (PNG
# with alpha) and WebP; HEIC, TIFF and BMP kept as sent under
# ID/upload.EXT, location removed losslessly, with a display copy made in
# the upload as the original; a duplicate makes no second copy; a
# deletion takes the file as sent too.  Both stores.
. "$(dirname "$0")/lib.sh"

f=$TMP/f
mkdir -p "$f"
convert -size 320x240 plasma:fractal -seed 25 "$f/src.png"
convert -size 200x150 xc:none -fill 'rgba(200,30,30,0.5)' \
	-draw 'circle 100,75 100,10' PNG32:"$f/alpha.png"
convert "$f/src.png" -quality 70 "$f/photo.heic"
convert "$f/src.png" -quality 60 "$f/photo.avif"
heif-enc -q 60 -A "$f/alpha.png" -o "$f/alpha.avif" >/dev/null
heif-enc -q 60 "$f/alpha.png" -o "$f/alpha.heic" >/dev/null
# 10 bits a sample, from a 16-bit gradient (x265; Debian 12's libaom
# asserts on 10-bit AVIF, so that has no file here).
convert -size 256x64 gradient:black-white -depth 16 PNG48:"$f/deep.png"
heif-enc -q 90 -b 10 "$f/deep.png" -o "$f/deep.heic" >/dev/null
convert "$f/src.png" -compress lzw "$f/photo.tif"
convert "$f/alpha.png" "$f/alpha.tif"
convert "$f/src.png" xc:red[320x240] xc:blue[320x240] "$f/pages.tif"
convert "$f/src.png" BMP3:"$f/photo.bmp"
# Location, and a TIFF turned a quarter by its orientation.
for x in photo.heic photo.avif photo.tif; do
	exiftool -q -q -overwrite_original -GPSLatitude=48.85 \
		-GPSLatitudeRef=N -GPSLongitude=2.35 -GPSLongitudeRef=E \
		-XMP-photoshop:City=Paris -XMP-dc:Creator=Someone "$f/$x"
done
exiftool -q -q -overwrite_original -Orientation#=6 "$f/photo.tif"

# A HEIC whose ispe says 6000 x 6000: within max_pixels, over
# max_display_pixels (32 MP), refused before it is decoded.
python3 - "$f/photo.heic" "$f/36mp.heic" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.index(b"ispe")
d[i + 8:i + 16] = struct.pack(">II", 6000, 6000)
open(sys.argv[2], "wb").write(d)
PY

# location FILE: the tags exiftool finds that speak of a place.
location() {
	exiftool -q -q -a -G1 -s "$1" |
		grep -iE '^\[[^]]*\] *[a-z]*(gps|city|country|location)'
}

# rgb FILE: the MD5 of the decoded pixels.
rgb() {
	convert "$1" -depth 8 rgba:- | md5sum | cut -d' ' -f1
}

check "exiftool wrote the HEIC's location" test -n "$(location "$f/photo.heic")"
check "exiftool wrote the TIFF's location" test -n "$(location "$f/photo.tif")"
check "exiftool wrote the AVIF's location" test -n "$(location "$f/photo.avif")"
is "heif-enc kept the alpha" "$(heif-info "$f/alpha.avif" |
	grep -c 'alpha channel: yes')" 1

# up NAME: uploads $f/NAME; sets ID and TOKEN, and keeps the JSON for
# upj FILTER.
up() {
	req -F "file=@$f/$1" "$BASE/api/v1/images"
	cp "$BODY" "$TMP/up.json"
	ID=$(json .id) TOKEN=$(json .delete_token)
}
upj() {
	jq -r "$1" <"$TMP/up.json"
}

# gone KEY: the current store has no such blob.
gone() {
	! blob_exists "$1"
}

# kept NAME EXT MIME TYPE WxH: an upload kept as sent, shown as TYPE.
kept() {
	local name=$1 ext=$2 mime=$3 type=$4 dims=$5 got
	up "$name"
	is "$STORE $name: 201" "$STATUS" 201
	is "$STORE $name: shown as $type, $dims, one frame" \
		"$(upj '"\(.type) \(.width)x\(.height) \(.frames)"')" \
		"$type $dims 1"
	is "$STORE $name: upload_type" "$(upj .upload_type)" "$mime"
	is "$STORE $name: upload_url" "$(upj .upload_url)" \
		"$BASE/i/$ID/upload.$ext"
	got=$TMP/got-$STORE-$name
	req "$BASE/i/$ID/upload.$ext"
	cp "$BODY" "$got"
	is "$STORE $name: the file as sent is served" \
		"$STATUS $(header content-type)" "200 $mime"
	is "$STORE $name: no location left in it" "$(location "$got")" ""
	is "$STORE $name: its length is unchanged" "$(stat -c %s "$got")" \
		"$(stat -c %s "$f/$name")"
	is "$STORE $name: its pixels are unchanged" "$(rgb "$got")" \
		"$(rgb "$f/$name")"
	is "$STORE $name: sha256 is of the file as stored" "$(upj .sha256)" \
		"$(sha256sum <"$got" | cut -d' ' -f1)"
	req "$(upj .url)"
	cp "$BODY" "$got.shown"
	is "$STORE $name: the display copy" "$STATUS $(header content-type) $(
		identify -format '%wx%h' "$got.shown")" \
		"200 $type ${dims}"
	is "$STORE $name: the display copy has no orientation left" \
		"$(exiftool -s -s -s -n -Orientation "$got.shown")" ""
	is "$STORE $name: nor any location" "$(location "$got.shown")" ""
}

for store in fs s3; do
	use_store $store
	rows=$(psql_q "SELECT count(*) FROM images")

	kept photo.heic heic image/heic image/jpeg 320x240
	heic_id=$ID heic_etag=$(curl -sI "$BASE/i/$ID.jpg" | tr -d '\r' |
		awk -F': ' 'tolower($1) == "etag" { print $2 }')
	is "$store photo.heic: the variants are JPEG" \
		"$(upj .variants.small.url)" "$BASE/i/$ID/small.jpg"
	kept alpha.heic heic image/heic image/png 200x150
	kept deep.heic heic image/heic image/jpeg 256x64
	like "$store deep.heic: 10 bits shown as 8, the gradient kept" \
		"$(compare -metric RMSE "$TMP/got-$store-deep.heic.shown" \
		"$f/deep.png" null: 2>&1 | sed 's/.*(\(.*\))/\1/')" '^0\.0[0-4]'
	kept photo.tif tif image/tiff image/jpeg 240x320
	is "$store photo.tif: the orientation stays in the file as sent" \
		"$(exiftool -s -s -s -n -Orientation "$TMP/got-$store-photo.tif")" 6
	kept alpha.tif tif image/tiff image/png 200x150
	kept pages.tif tif image/tiff image/jpeg 320x240
	kept photo.bmp bmp image/bmp image/jpeg 320x240
	bmp_id=$ID bmp_token=$TOKEN
	check "$store photo.bmp: the file as sent is byte for byte" \
		cmp -s "$TMP/got-$store-photo.bmp" "$f/photo.bmp"

	# AVIF is shown as it is.
	up photo.avif
	is "$store photo.avif: 201, as AVIF" \
		"$STATUS $(json '"\(.type) \(.width)x\(.height) \(.upload_url)"')" \
		"201 image/avif 320x240 null"
	avif_id=$ID
	is "$store photo.avif: JPEG variants" "$(json .variants.large.url)" \
		"$BASE/i/$ID/large.jpg"
	req "$(upj .url)"
	cp "$BODY" "$TMP/avif-$store"
	is "$store photo.avif: served as AVIF" "$STATUS $(header content-type)" \
		"200 image/avif"
	is "$store photo.avif: no location left" \
		"$(location "$TMP/avif-$store")" ""
	is "$store photo.avif: same pixels" "$(rgb "$TMP/avif-$store")" \
		"$(rgb "$f/photo.avif")"
	up alpha.avif
	alpha_id=$ID
	is "$store alpha.avif: PNG variants" "$(json .variants.small.url)" \
		"$BASE/i/$ID/small.png"
	req "$BASE/i/$ID/small.jpg"
	is "$store alpha.avif: no JPEG of it" "$STATUS" 404
	req "$BASE/i/$ID/upload.avif"
	is "$store alpha.avif: no upload URL" "$STATUS" 404

	# The resizer makes the variants of them all.
	run_resizer --once 2>>"$TMP/resize.log"
	is "$store: the jobs are done" \
		"$(psql_q "SELECT count(*) FROM resize_jobs")" 0
	for v in "$heic_id/medium.jpg JPEG 320x240 False" \
	    "$heic_id/small.webp WEBP 320x240 False" \
	    "$avif_id/small.jpg JPEG 320x240 False" \
	    "$alpha_id/small.png PNG 200x150 True" \
	    "$alpha_id/large.webp WEBP 200x150 True"; do
		set -- $v
		req "$BASE/i/$1"
		is "$store $1: $2 $3, alpha $4" "$STATUS $(identify -format \
			'%m %wx%h %A' "$BODY" 2>/dev/null)" "200 $2 $3 $4"
	done
	req "$BASE/i/$alpha_id/small.png"
	like "$store alpha.avif: its small PNG is see-through at a corner" \
		"$(convert "$BODY" -format '%[fx:p{0,0}.a]' info:)" '^0(\.0*)?$'
	req "$BASE/api/v1/images/$heic_id"
	is "$store photo.heic: the API says ready, and where the file is" \
		"$(json '"\([.variants[].ready] | all) \(.upload_type)"')" \
		"true image/heic"

	# The same bytes again: the same image, no second display copy.
	up photo.heic
	is "$store photo.heic again: 200, the same id" \
		"$STATUS $(json .duplicate) $ID" "200 true $heic_id"
	is "$store photo.heic again: the display copy is the first one" \
		"$(curl -sI "$BASE/i/$ID.jpg" | tr -d '\r' |
		awk -F': ' 'tolower($1) == "etag" { print $2 }')" "$heic_etag"

	# The page links the file as sent.
	req "$BASE/$heic_id"
	check "$store: the page links the HEIC as sent" \
		grep -q "href=\"$BASE/i/$heic_id/upload.heic\" download" "$BODY"

	# Deleting takes the file as sent with it.
	up photo.bmp
	is "$store photo.bmp again: a duplicate" "$STATUS $ID" "200 $bmp_id"
	req -X DELETE -H "Authorization: Bearer $bmp_token" \
		"$BASE/api/v1/images/$bmp_id"
	is "$store photo.bmp: one claim ended" "$STATUS" 204
	check "$store photo.bmp: the other keeps the file as sent" \
		blob_exists "$bmp_id/upload.bmp"
	req -X DELETE -H "Authorization: Bearer $TOKEN" \
		"$BASE/api/v1/images/$bmp_id"
	is "$store photo.bmp: the last claim ended" "$STATUS" 204
	check "$store photo.bmp: the file as sent is gone" \
		gone "$bmp_id/upload.bmp"
	check "$store photo.bmp: the display copy is gone" \
		gone "$bmp_id/original.jpg"
	req "$BASE/i/$bmp_id/upload.bmp"
	is "$store photo.bmp: its URL answers 404" "$STATUS" 404

	up 36mp.heic
	is "$store: a 36 MP HEIC is over max_display_pixels" \
		"$STATUS $(json .error.code)" "422 bad_image"
	like "$store: the 422 says why" "$(json .error.message)" \
		'HEIC, TIFF or BMP'

	# What is not taken says what is.
	printf 'II+\0\x08\0\0\0\0\0\0\0' >"$TMP/bigtiff.tif"
	req -F "file=@$TMP/bigtiff.tif" "$BASE/api/v1/images"
	is "$store: a BigTIFF is not taken" "$STATUS $(json .error.code)" \
		"415 unsupported_type"
	like "$store: the 415 lists the formats taken" \
		"$(json .error.message)" 'AVIF, HEIC/HEIF, TIFF or BMP'
	is "$store: eight images stored, the deleted one gone" \
		"$(psql_q "SELECT count(*) FROM images")" $((rows + 8))
done
