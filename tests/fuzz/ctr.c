/*
 * libFuzzer harness for the container walkers (lib/ctr.c and probing's
 * walks, lib/img_walk.c).  The input is a whole file.  Whatever it is,
 * no walker may read past it, and what they answer must lie inside it:
 * the end of a GIF sub-block run, a WebP's EXIF chunk, the dimensions
 * the headers give (never negative), the same answer twice, and every
 * segment an iterator returns is ordered and inside the input, each one
 * after the last, so a walk always ends.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctr.h"
#include "img_type.h"
#include "img_walk.h"

static void
fuzz_walk(const uint8_t *d, size_t n, enum img_type t)
{
	struct img_hdr	 a, b;
	int		 ra, rb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ra = img_walk(d, n, t, &a);
	rb = img_walk(d, n, t, &b);
	if (ra != rb || memcmp(&a, &b, sizeof(a)) != 0)
		__builtin_trap();
	if (ra == 0 && (a.width < 0 || a.height < 0 || a.frames < 0))
		__builtin_trap();
	if (a.exif != NULL && (a.exif < d || a.exif_len > n ||
	    (size_t)(a.exif - d) > n - a.exif_len))
		__builtin_trap();
}

static void
fuzz_tiff(const uint8_t *d, size_t n)
{
	uint32_t	 ifd0, v, next;
	int		 be;

	if (!ctr_tiff_hdr(d, n, &be, &ifd0))
		return;
	(void)ctr_ifd_find(d, n, be, ifd0, 0x8825, &v);
	next = ctr_ifd_next(d, n, be, ifd0);
	if (next != 0)
		(void)ctr_ifd_find(d, n, be, next, 0x0112, &v);
}

typedef enum ctr_step (*fuzz_next)(struct ctr_it *, struct ctr_seg *);

static void
fuzz_iter(const uint8_t *d, size_t n, size_t off, fuzz_next next)
{
	struct ctr_it	 it = { d, n, off, 0 };
	struct ctr_seg	 s;
	size_t		 last = off, steps = 0;

	while (next(&it, &s) == CTR_SEG) {
		if (s.from != last || s.from > s.at || s.at >= s.data ||
		    s.data > s.data + s.dlen || s.data + s.dlen > s.end ||
		    s.end > n || s.end <= last || it.off != s.end)
			__builtin_trap();
		if (s.tag != NULL && (s.tag < d + s.at || s.tag + 4 > d + s.end))
			__builtin_trap();
		last = s.end;
		if (++steps > n)
			__builtin_trap();
	}
	if (it.off != last)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 end, off;
	int	 t;

	for (t = IMG_JPEG; t <= IMG_WEBP; t++)
		fuzz_walk(data, size, t);
	/* Where each format's first segment starts; the callers check. */
	if (size >= 12) {
		fuzz_iter(data, size, 2, ctr_jpeg_next);
		fuzz_iter(data, size, 8, ctr_png_next);
		fuzz_iter(data, size, 12, ctr_riff_next);
	}
	fuzz_tiff(data, size);
	if (size > 6)
		fuzz_tiff(data + 6, size - 6);
	for (off = 0; off < size && off < 16; off++) {
		end = ctr_gif_blocks(data, size, off);
		if (end != 0 && (end <= off || end > size || data[end - 1]))
			__builtin_trap();
	}
	return 0;
}
