# Makes the test images with ImageMagick into $1: one of each kind an
# image host meets.  Sourced by the tests that upload.
make_images() {
	local d=$1
	mkdir -p "$d"
	[ -s "$d/photo.jpg" ] && return 0
	convert -size 800x600 plasma:fractal -seed 1 -quality 85 "$d/photo.jpg"
	convert -size 640x480 gradient:blue-yellow -interlace Plane \
		"$d/progressive.jpg"
	convert -size 300x200 xc:orange -colorspace CMYK "$d/cmyk.jpg"
	convert -size 200x100 xc:none -fill red -draw 'circle 50,50 20,20' \
		"$d/alpha.png"
	convert -delay 10 -size 40x30 xc:red xc:green xc:blue "$d/anim.gif"
	convert -size 500x400 gradient:red-blue "$d/image.webp"
	# EXIF orientation 6: stored 64x48, displayed 48x64.
	# (convert -orient writes no EXIF orientation in ImageMagick 6.9.11.)
	convert -size 64x48 xc:green "$d/rotated.jpg"
	exiftool -q -overwrite_original -Orientation#=6 "$d/rotated.jpg"
	head -c 33 "$d/alpha.png" >"$d/bare.png"
	echo "just some text, not an image" >"$d/text.txt"
	printf 'push graphic-context\nviewbox 0 0 640 480\npop graphic-context\n' \
		>"$d/tragick.jpg"
	: >"$d/empty.jpg"
}
