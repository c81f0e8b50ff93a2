# Originals lose their location, and nothing else: photos made here with
# GPS, orientation and XMP location (exiftool) come back without GPS or
# XMP location, with the orientation, with the same pixels; a photo
# without location comes back byte for byte; dedup still holds.
. "$(dirname "$0")/lib.sh"

# tagged FILE: GPS, orientation 6, XMP location and a creator.
tagged() {
	exiftool -q -q -overwrite_original -GPSLatitude=52.5 \
		-GPSLatitudeRef=N -GPSLongitude=13.4 -GPSLongitudeRef=E \
		-GPSAltitude=34 -Orientation#=6 -XMP:GPSLatitude=52.5N \
		-XMP-photoshop:City=Berlin -XMP-photoshop:Country=Germany \
		-XMP-iptcCore:Location=Home -XMP-dc:Creator=Someone "$1"
	# IPTC-IIM: APP13 in JPEG, a raw profile in PNG, none in WebP.
	case $1 in *.webp) return ;; esac
	exiftool -q -q -overwrite_original -IPTC:City=Berlin \
		-IPTC:Sub-location=Kreuzberg -IPTC:Province-State=Berlin \
		-IPTC:Country-PrimaryLocationName=Germany -IPTC:By-line=Someone \
		"$1"
}

# location FILE: every tag exiftool finds whose name speaks of a place
# (GPS*, City, Country, Location, and the PNG text chunks ImageMagick
# names "exif:GPSLatitude" and "photoshop:City"), one a line.
location() {
	exiftool -q -q -a -G1 -s "$1" |
		grep -iE '^\[[^]]*\] *[a-z]*(gps|city|country|location|state)'
}

# pixels_differ A B: the count of pixels that differ, from compare(1).
pixels_differ() {
	compare -quiet -metric AE "$1" "$2" null: 2>&1 >/dev/null |
		cut -d' ' -f1
}

for ext in jpg png webp; do
	f=$TMP/gps.$ext
	convert -size 120x90 plasma:fractal -seed 14 -quality 90 "$f"
	tagged "$f"
done
check "exiftool wrote the location" test -n "$(location "$TMP/gps.jpg")"
# ImageMagick turning a geotagged JPEG into PNG: eXIf, a zTXt raw XMP
# profile and tEXt chunks named after the tags ("exif:GPSLatitude").
convert "$TMP/gps.jpg" "$TMP/im.png"
check "ImageMagick's PNG has the location" test -n "$(location "$TMP/im.png")"
# Junk bytes before the EXIF segment: libjpeg skips them, exiftool too.
python3 - "$TMP/gps.jpg" "$TMP/junk.jpg" <<'EOF'
import sys
d = open(sys.argv[1], "rb").read()
cut = 4 + int.from_bytes(d[4:6], "big")
open(sys.argv[2], "wb").write(d[:cut] + b"junk" + d[cut:])
EOF
check "the junk JPEG has the location" test -n "$(location "$TMP/junk.jpg")"
# GIF takes XMP alone (an application extension).
convert -size 60x40 plasma:fractal -seed 16 "$TMP/gps.gif"
exiftool -q -q -overwrite_original -XMP:GPSLatitude=52.5N \
	-XMP-photoshop:City=Berlin -XMP-dc:Creator=Someone "$TMP/gps.gif"
check "exiftool wrote the GIF's location" test -n "$(location "$TMP/gps.gif")"
convert -size 100x70 plasma:fractal -seed 15 "$TMP/plain.jpg"
exiftool -q -q -overwrite_original -Orientation#=6 -XMP-dc:Creator=Someone \
	"$TMP/plain.jpg"

for store in fs s3; do
	use_store $store
	for name in gps.jpg gps.png gps.webp im.png junk.jpg; do
		f=$TMP/$name ext=${name#*.}
		req -F "file=@$f" "$BASE/api/v1/images"
		is "$store $name: 201" "$STATUS" 201
		id=$(json .id)
		# The probe reads the orientation of JPEG alone.
		[ $name != gps.jpg ] || is "$store $name: displayed rotated, 90x120" \
			"$(json .width)x$(json .height)" 90x120
		got=$TMP/got-$store-$name
		req "$BASE/i/$id.$ext"
		cp "$BODY" "$got"
		is "$store $name: served" "$STATUS" 200
		is "$store $name: no location left" "$(location "$got")" ""
		is "$store $name: orientation kept" \
			"$(exiftool -s -s -s -n -Orientation "$got")" 6
		is "$store $name: other XMP kept" \
			"$(exiftool -s -s -s -XMP-dc:Creator "$got")" Someone
		[ $ext = webp ] || is "$store $name: other IPTC kept" \
			"$(exiftool -s -s -s -IPTC:By-line "$got")" Someone
		is "$store $name: exiftool -validate finds no new fault" \
			"$(exiftool -validate -warning -error -a -s -s -s "$got" |
				sort | grep -vxFf <(exiftool -validate \
				-warning -error -a -s -s -s "$f" | sort))" ""
		is "$store $name: same pixels" "$(pixels_differ "$f" "$got")" 0
		req "$BASE/api/v1/images/$id"
		is "$store $name: sha256 of what is stored" "$(json .sha256)" \
			"$(sha256sum "$got" | cut -d' ' -f1)"
		is "$store $name: bytes of what is stored" "$(json .bytes)" \
			"$(stat -c %s "$got")"
		# ImageMagick's raw profiles too: compressed again, as sent
		# (issue 15: they were written back uncompressed, larger).
		check "$store $name: smaller than uploaded" \
			test "$(stat -c %s "$got")" -lt "$(stat -c %s "$f")"

		req -F "file=@$f" "$BASE/api/v1/images"
		is "$store $name: same upload again, 200" "$STATUS" 200
		is "$store $name: same upload again, same id" "$(json .id)" "$id"
	done

	req -F "file=@$TMP/gps.gif" "$BASE/api/v1/images"
	is "$store gif: 201" "$STATUS" 201
	req "$BASE/i/$(json .id).gif"
	cp "$BODY" "$TMP/got-$store.gif"
	is "$store gif: no location left" "$(location "$TMP/got-$store.gif")" ""
	is "$store gif: other XMP kept" \
		"$(exiftool -s -s -s -XMP-dc:Creator "$TMP/got-$store.gif")" Someone
	is "$store gif: same pixels" \
		"$(pixels_differ "$TMP/gps.gif" "$TMP/got-$store.gif")" 0
	is "$store gif: same length" "$(stat -c %s "$TMP/got-$store.gif")" \
		"$(stat -c %s "$TMP/gps.gif")"

	req -H 'Content-Type: image/jpeg' --data-binary "@$TMP/plain.jpg" \
		"$BASE/api/v1/images"
	is "$store plain: 201" "$STATUS" 201
	req "$BASE/i/$(json .id).jpg"
	check "$store plain: byte for byte" cmp -s "$BODY" "$TMP/plain.jpg"
done
