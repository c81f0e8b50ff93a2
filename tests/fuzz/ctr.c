/*
 * libFuzzer harness for the container walkers (lib/ctr.c and probing's
 * walks, lib/img_walk.c).  The input is a whole file.  Whatever it is,
 * no walker may read past it, and what they answer must lie inside it:
 * the end of a GIF sub-block run, a WebP's EXIF chunk, the dimensions
 * the headers give (never negative), the same answer twice, and every
 * segment an iterator returns is ordered and inside the input, each one
 * after the last, so a walk always ends.  ISO BMFF boxes are walked at
 * the top and inside each top-level box; what lib/bmff.c reads of a
 * HEIF meta box names extents inside the input, an orientation of 0..8,
 * and dimensions of at most 65535 when the walk takes the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmff.h"
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
	if (a.orient < 0 || a.orient > 8 || (a.alpha != 0 && a.alpha != 1))
		__builtin_trap();
	if (ra == 0 && (t == IMG_AVIF || t == IMG_HEIC) && (a.frames != 1 ||
	    a.width > 65535 || a.height > 65535))
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

/* Every extent bmff_extent_at() gives of every item lies in d[0..n). */
static void
fuzz_bmff(const uint8_t *d, size_t n)
{
	static struct bmff	 b;
	size_t			 i, j, off, len;

	if (bmff_parse(d, n, &b) != BMFF_OK)
		return;
	if (b.nitems > BMFF_ITEMS_MAX || b.next > BMFF_EXTENTS_MAX ||
	    b.ntiles > BMFF_TILES_MAX || b.nprops > BMFF_PROPS_MAX)
		__builtin_trap();
	for (i = 0; i < b.nitems; i++) {
		if (b.items[i].orient < 0 || b.items[i].orient > 8 ||
		    (i > 0 && b.items[i].id <= b.items[i - 1].id))
			__builtin_trap();
		for (j = 0; j < b.items[i].next; j++)
			if (bmff_extent_at(&b, &b.items[i], j, &off, &len) == 0 &&
			    (off > n || len > n - off))
				__builtin_trap();
	}
}

/* The boxes at the top, and inside each of them (past a full box's 4). */
static void
fuzz_boxes(const uint8_t *d, size_t n)
{
	struct ctr_it	 it = { d, n, 0, 0 };
	struct ctr_seg	 s;

	fuzz_iter(d, n, 0, ctr_box_next);
	while (ctr_box_next(&it, &s) == CTR_SEG) {
		fuzz_iter(d, s.data + s.dlen, s.data, ctr_box_next);
		if (s.dlen >= 4)
			fuzz_iter(d, s.data + s.dlen, s.data + 4,
			    ctr_box_next);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 end, off;
	int	 t;

	for (t = IMG_JPEG; t <= IMG_HEIC; t++)
		fuzz_walk(data, size, t);
	fuzz_boxes(data, size);
	fuzz_bmff(data, size);
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
