# The largest still WebP the upload accepts (10000 x 10000, 100 MP)
# gets its variants within the resizer's memory (issue 15): libwebp
# scales it while decoding (resize-cron/webp.c).  Through ImageMagick's
# coder it took 403 MB RSS and 4 s of CPU; now about 100 MB and 0.6 s.
. "$(dirname "$0")/lib.sh"

# IMG_MEMORY (256 MiB) plus 44 MB for the program, libraries and the
# encoders' buffers; measured at 100 MB.
rss_mb=300 secs=120
if ldd "$TOP/imghost-resize" 2>/dev/null | grep -q libasan; then
	rss_mb=900 secs=400
fi
convert -size 10000x10000 gradient:red-blue -quality 80 "$TMP/big.webp"

use_store fs
req -H 'Accept: application/json' -F "file=@$TMP/big.webp" \
	"$BASE/api/v1/images"
is "10000x10000 WebP (100 MP): 201" "$STATUS" 201
id=$(json .id)
( resizer_env; exec timeout "$secs" /usr/bin/time -f '%M %U %S' \
	-o "$TMP/time" "$TOP/imghost-resize" --once ) 2>"$TMP/resize.log"
is "the resizer exits normally" "$?" 0
rss=$(($(tail -n 1 "$TMP/time" | cut -d' ' -f1) / 1024))
echo "# 10000x10000 WebP: resizer peak RSS ${rss} MB, user+sys" \
	"$(tail -n 1 "$TMP/time" | cut -d' ' -f2,3) s"
check "resizer peak RSS $rss MB (< $rss_mb MB)" [ "$rss" -lt "$rss_mb" ]
is "3 variants" "$(psql_q "SELECT count(*) FROM variants WHERE
	image_id = $(id_int "$id")")" 3
for s in small:320 medium:640 large:1280; do
	req "$BASE/i/$id/${s%%:*}.webp"
	is "${s%%:*}.webp: 200" "$STATUS" 200
	is "${s%%:*}.webp decodes at ${s#*:} x ${s#*:}" \
		"$(identify -format '%w %h' "$BODY" 2>/dev/null)" \
		"${s#*:} ${s#*:}"
done
