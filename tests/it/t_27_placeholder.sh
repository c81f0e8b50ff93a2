# The placeholder of API.md: null until the variants are made, then the
# ThumbHash of the image, the same bytes the reference npm package makes
# of the small variant scaled as the resizer scales it.  Both stores.
. "$(dirname "$0")/lib.sh"
deps_npm "$TOP/tests/thumbhash" >/dev/null || fail "npm ci in tests/thumbhash"

convert -size 480x320 plasma:fractal -seed 27 -quality 90 "$TMP/photo.jpg"
# Not symmetric: terms that are zero but for rounding may come out one
# step apart from the reference's (lib/thumbhash.c, t_thumbhash).
convert -size 200x300 plasma:fractal -seed 28 \( -size 200x300 \
	gradient:white-black -swirl 90 \) -alpha off -compose CopyOpacity \
	-composite PNG32:"$TMP/alpha.png"

# reference FILE: the reference's base64 of FILE scaled as the resizer
# scales its small variant (to fit 100 px, Triangle filter).
reference() {
	local wh
	wh=$(convert "$1" -filter Triangle -resize 100x100 -format '%w %h' info:)
	convert "$1" -filter Triangle -resize 100x100 -depth 8 rgba:"$TMP/px"
	node "$TOP/tests/thumbhash/ref.js" "$TMP/px" $wh | cut -d' ' -f2
}

# close A B: two base64 hashes of the same length whose nibbles differ
# by one at most, in four places at most.  The reference is fed pixels
# scaled by convert(1), which rounds Q16 to 8 bits a step apart from
# MagickExportImagePixels() here and there (t_thumbhash compares the
# encoders byte for byte on the same pixels).
close() {
	python3 - "$1" "$2" <<'PY'
import base64, sys
a, b = (base64.b64decode(x) for x in sys.argv[1:3])
n = [(x >> s & 15, y >> s & 15) for x, y in zip(a, b) for s in (0, 4)]
far = [p for p in n if abs(p[0] - p[1]) > 1]
near = [p for p in n if p[0] != p[1]]
ok = len(a) == len(b) and not far and len(near) <= 4
if not ok:
    print("# %s against %s" % tuple(sys.argv[1:3]))
sys.exit(0 if ok else 1)
PY
}

for store in fs s3; do
	use_store $store
	for name in photo.jpg alpha.png; do
		req -F "file=@$TMP/$name" "$BASE/api/v1/images"
		id=$(json .id) small=$(json .variants.small.url)
		is "$store $name: null before the variants" \
			"$(json .placeholder)" null
		run_resizer --once 2>>"$TMP/resize.log"
		req "$BASE/api/v1/images/$id"
		ph=$(json .placeholder)
		like "$store $name: base64 once made" "$ph" \
			'^[A-Za-z0-9+/]{20,36}={0,2}$'
		req "$small"
		cp "$BODY" "$TMP/small-$store-$name"
		check "$store $name: the reference's hash of the small variant" \
			close "$ph" "$(reference "$TMP/small-$store-$name")"
	done
	# hasAlpha is the top bit of the 24-bit header: bit 7 of byte 2.
	is "$store alpha.png: the hash says it has alpha" \
		"$(base64 -d <<<"$ph" | od -An -tu1 -j2 -N1 | tr -d ' ')" \
		"$(( $(base64 -d <<<"$ph" | od -An -tu1 -j2 -N1) | 128 ))"
done
