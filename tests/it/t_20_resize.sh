# The resizer: variants of every format, right sizes, no metadata.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/images.sh"

img=$TMP/img
make_images "$img"
exiftool -q -overwrite_original -GPSLatitude=48.8584 -GPSLatitudeRef=N \
	-GPSLongitude=2.2945 -GPSLongitudeRef=E -XMP:Creator=someone \
	-Orientation#=6 "$img/photo.jpg" >/dev/null

# fetch URL: GETs into $TMP/v; prints the status and what the image is.
fetch() {
	req "$1"
	cp "$BODY" "$TMP/v"
	echo "$STATUS $(identify -format '%m %wx%h %n\n' "$TMP/v" 2>/dev/null |
		head -n 1)"
}

# variants NAME EXT DIMS...: the three sizes of an uploaded image.
check_variants() {
	local name=$1 ext=$2 id
	shift 2
	req -F "file=@$img/$name" "$BASE/api/v1/images"
	id=$(json .id)
	run_resizer --once 2>>"$TMP/resize.log"
	is "$STORE $name: the job is done" \
		"$(psql_q "SELECT count(*) FROM resize_jobs")" 0
	for size in small medium large; do
		got=$(fetch "$BASE/i/$id/$size.$ext")
		is "$STORE $name: $size.$ext" "$got" "200 $1"
		if [ "$ext" != webp ]; then
			got=$(fetch "$BASE/i/$id/$size.webp")
			is "$STORE $name: $size.webp twin" "$got" \
				"200 WEBP ${1#* }"
		fi
		shift
	done
	req "$BASE/api/v1/images/$id"
	is "$STORE $name: the API says ready" \
		"$(json '[.variants[].ready] | map(tostring) | join(",")')" \
		"true,true,true"
}

for store in fs s3; do
	use_store $store
	# photo.jpg is 800x600 with orientation 6: displayed 600x800.
	check_variants photo.jpg jpg "JPEG 240x320 1" "JPEG 480x640 1" \
		"JPEG 600x800 1"
	check_variants anim.gif gif "GIF 40x30 3" "GIF 40x30 3" "GIF 40x30 3"
	check_variants alpha.png png "PNG 200x100 1" "PNG 200x100 1" \
		"PNG 200x100 1"
	check_variants image.webp webp "WEBP 320x256 1" "WEBP 500x400 1" \
		"WEBP 500x400 1"
	check_variants cmyk.jpg jpg "JPEG 300x200 1" "JPEG 300x200 1" \
		"JPEG 300x200 1"

	req -F "file=@$img/photo.jpg" "$BASE/api/v1/images"
	id=$(json .id)
	fetch "$BASE/i/$id/small.jpg" >/dev/null
	is "$store: no GPS in a variant" \
		"$(exiftool -s -s -s -GPSLatitude "$TMP/v")" ""
	is "$store: no XMP in a variant" \
		"$(exiftool -s -s -s -XMP:Creator "$TMP/v")" ""
	is "$store: no orientation left to apply" \
		"$(exiftool -s -s -s -n -Orientation "$TMP/v")" ""
	is "$store: JPEG variants are progressive" \
		"$(identify -format '%[interlace]' "$TMP/v")" JPEG
	is "$store: colour space sRGB" \
		"$(identify -format '%[colorspace]' "$TMP/v")" sRGB
	like "$store: no PNG variant of a JPEG" \
		"$(fetch "$BASE/i/$id/small.png")" '^404'

	req -F "file=@$img/alpha.png" "$BASE/api/v1/images"
	fetch "$BASE/i/$(json .id)/small.webp" >/dev/null
	like "$store: alpha kept in the WebP twin" \
		"$(identify -format '%A' "$TMP/v")" '^(True|Blend)'
done
