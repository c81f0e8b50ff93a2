/*
 * libFuzzer harness for probing's container walks (lib/img_walk.c),
 * the TIFF and BMP walks above all.  The input is a whole file, walked
 * as the type its magic says and as each type forced.  Whatever it is,
 * no walk may read past it (ASan), the same input gives the same
 * answer twice, and a walk that takes it says what lib/img.c relies
 * on: sides that are not negative, and for TIFF and BMP sides and
 * frames of at least 1, frames no more than the IFDs the file can
 * hold, an orientation of 0..8 and an alpha flag of 0 or 1.  The IFD
 * readers of lib/ctr.c are driven on their own too, over every value
 * of every entry a walk reads, where a walk reads only the first.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctr.h"
#include "img_type.h"
#include "img_walk.h"

static void
fuzz_check(const uint8_t *d, size_t n, enum img_type t,
    const struct img_hdr *h)
{
	(void)d;
	if (h->width < 0 || h->height < 0 || h->frames < 0)
		__builtin_trap();
	if (t != IMG_TIFF && t != IMG_BMP)
		return;
	if (h->width < 1 || h->height < 1 || h->frames < 1)
		__builtin_trap();
	/* An IFD is six bytes at least, at an offset of its own. */
	if (t == IMG_TIFF && (size_t)h->frames > n)
		__builtin_trap();
	if (t == IMG_BMP && (h->frames != 1 || h->orient != 0))
		__builtin_trap();
	if (h->orient < 0 || h->orient > 8 || (h->alpha != 0 &&
	    h->alpha != 1))
		__builtin_trap();
}

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
	if (ra != 0 && ra != -1)
		__builtin_trap();
	if (ra == 0)
		fuzz_check(d, n, t, &a);
}

/* Every value of IFD0's entries of the tags the walk reads, any type. */
static void
fuzz_ifd(const uint8_t *d, size_t n)
{
	static const uint16_t	 tags[] = { 256, 257, 273, 274, 279, 324,
		325, 338, 700, 33723, 34377 };
	struct ctr_ifd_ent	 e;
	uint32_t		 ifd0, i, v;
	size_t			 t;
	int			 be;

	if (!ctr_tiff_hdr(d, n, &be, &ifd0))
		return;
	for (t = 0; t < sizeof(tags) / sizeof(tags[0]); t++) {
		if (!ctr_ifd_entry(d, n, be, ifd0, tags[t], &e))
			continue;
		if (e.at > n || n - e.at < 4)
			__builtin_trap();
		/* A value past the count is never given. */
		if (ctr_ifd_uint(d, n, be, &e, e.count, &v))
			__builtin_trap();
		for (i = 0; i < e.count && i < 4096; i++)
			if (!ctr_ifd_uint(d, n, be, &e, i, &v))
				break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		*copy;
	int		 t;

	/* An exact copy, so that ASan sees any read past the end. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	fuzz_ifd(copy, size);
	fuzz_walk(copy, size, img_sniff(copy, size));
	for (t = IMG_NONE; t <= IMG_LAST; t++)
		fuzz_walk(copy, size, t);
	free(copy);
	return 0;
}
