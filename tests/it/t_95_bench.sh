# Each benchmark once at a tiny size, to prove it still runs and still
# measures: a figure and a ratio on every line, no failed request.  No
# timing is asserted here; the figures are for bench/RESULTS.md.
. "$(dirname "$0")/lib.sh"

"$TOP/bench/run" --tiny >"$TMP/run.txt" 2>"$TMP/run.err"
is "bench/run --tiny exits 0" "$?" 0
num='[0-9]+(\.[0-9]+)?'
for row in "fs original" "fs variant" "s3 original"; do
	line=$(grep "^$row" "$TMP/run.txt")
	like "bench/run: $row: two rates, a ratio, two p99s, a ratio, 0 failed" \
		"$line" "^$row.* $num +$num +${num}x +$num +$num +${num}x +0$"
done
for store in fs s3; do
	like "bench/run: $store uploads at saturation, none failed" \
		"$(grep "$store store: .* saturation" "$TMP/run.txt")" \
		"[1-9][0-9]* uploads/s at saturation, p99 $num ms, 0 non-2xx"
	like "bench/run: $store upload latency at 30/s" \
		"$(grep "$store store at 30/s" "$TMP/run.txt")" "p50 $num ms, p99 $num ms"
done
ttv=$(sed -n 's/.*10 uploads\/s: p50 [0-9.]* s, p99 \([0-9.]*\) s.*/\1/p' \
	"$TMP/run.txt")
check "bench/run: time to variants measured ($ttv s)" \
	awk -v t="${ttv:-99}" 'BEGIN { exit !(t > 0 && t < 60) }'
like "bench/run: every image got its variants" \
	"$(grep '^time to variants' "$TMP/run.txt")" ", 3 of 3 images"
like "bench/run: peak RSS of app and resizer" \
	"$(grep '^peak RSS' "$TMP/run.txt")" "app [1-9][0-9]* MB a process, resizer [1-9][0-9]* MB"
# By the PIDs bench/run's resizer had: a pattern matched the resizer of
# any ./serve on the machine.
pids=$(cat "$TOP/bench/out/run/resizer.pids" 2>/dev/null)
check "bench/run recorded its resizer's PIDs ($pids)" [ -n "$pids" ]
left=
for p in $pids; do
	[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$TOP/imghost-resize" ] &&
		left+=" $p"
done
is "bench/run leaves no resizer running" "$left" ""

"$TOP/bench/resize" --tiny >"$TMP/resize.txt" 2>"$TMP/resize.err"
is "bench/resize --tiny exits 0" "$?" 0
like "bench/resize: ours against libvips in-process, with a ratio" \
	"$(grep '^total' "$TMP/resize.txt")" "^total +$num +$num +$num"
like "bench/resize: peak RSS" "$(grep '^peak RSS' "$TMP/resize.txt")" \
	"$num MB"

"$TOP/bench/soak" --tiny >"$TMP/soak.txt" 2>"$TMP/soak.err"
is "bench/soak --tiny exits 0 (no 5xx)" "$?" 0
check "bench/soak: 0 5xx" grep -q '^0 5xx: ok$' "$TMP/soak.txt"
for m in upload view; do
	like "bench/soak: $m rate and latency percentiles" \
		"$(grep "^$m " "$TMP/soak.txt")" "^$m +$num/s .*[0-9]"
done
for when in start end; do
	like "bench/soak: RSS of the app at the $when" \
		"$(grep "^$when .*imghost-fcgi" "$TMP/soak.txt" | head -n 1)" \
		"^$when +[^ ]*imghost-fcgi +[0-9]+ +$num +$num$"
	check "bench/soak: RSS of a resizer worker at the $when" \
		grep -q "^$when .*imghost-resize worker" "$TMP/soak.txt"
done
# A worker kept the notifications of the uploads made during a backlog
# and grew by about 300 kB a job: past 150 MB within 20 s of this load.
hwm=$(awk '$1 == "end" && /imghost-resize worker/ && $NF > m { m = $NF }
	END { printf "%d", m }' "$TMP/soak.txt")
# Under AddressSanitizer (tests/sanitize) its quarantine of freed memory
# and shadow take a worker past 300 MB: no bound is meant for that build.
if grep -q -- '-fsanitize=address' "$TOP/Makefile"; then
	skip "bench/soak: resizer workers peak at $hwm MB under ASan, not bounded"
else
	check "bench/soak: resizer workers peak under 100 MB ($hwm MB)" \
		[ "${hwm:-0}" -gt 0 -a "${hwm:-0}" -lt 100 ]
fi
