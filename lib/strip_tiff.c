/*
 * TIFF files: location out in place, so that every offset in the file
 * (strips, tiles, IFDs, the ICC profile) holds and the pixels are the
 * bytes they were.  A TIFF file is itself the TIFF structure that EXIF
 * is, so its GPS IFDs are blanked by strip_exif_blank_gps(); the XMP
 * packet of IFD0 (tag 700) keeps its length, its location properties
 * overwritten with spaces by strip_xmp().
 *
 * FIXME: the IPTC-IIM (tag 33723) and Photoshop resources (34377) of
 * IFD0 are left as they are: lib/strip_iptc.c leaves datasets out,
 * which shortens them, and only a rewrite of the entry's count (and,
 * for the resources, the sizes inside them) would keep the file whole.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctr.h"
#include "strip.h"
#include "strip_int.h"

#define STRIP_TIFF_XMP		700	/* XMLPacket */
#define STRIP_TIFF_BYTE		1
#define STRIP_TIFF_UNDEFINED	7
/* Passes until nothing changes; real files need one (and one to see). */
#define STRIP_TIFF_PASSES	4

/* Blanks the location of IFD0's XMP packet in p; 1 when some went. */
static int
strip_tiff_xmp(unsigned char *p, size_t n)
{
	struct ctr_ifd_ent	 e;
	uint32_t		 ifd0;
	int			 be;

	if (!ctr_tiff_hdr(p, n, &be, &ifd0) ||
	    !ctr_ifd_entry(p, n, be, ifd0, STRIP_TIFF_XMP, &e))
		return 0;
	if (e.type != STRIP_TIFF_BYTE && e.type != STRIP_TIFF_UNDEFINED)
		return 0;
	/* Four bytes or fewer sit in the entry: no packet is that short. */
	if (e.count <= 4 || e.val > n || e.count > n - e.val)
		return 0;
	return strip_xmp(p + e.val, e.count) > 0;
}

/*
 * One pass over p: the XMP first, then the GPS IFDs, whose zeros then
 * win where a hostile file lays the two over each other.
 */
static void
strip_tiff_pass(unsigned char *p, size_t n)
{
	(void)strip_tiff_xmp(p, n);
	(void)strip_exif_blank_gps(p, n);
}

/*
 * A copy of the TIFF file buf[0..len) of the same length with its GPS
 * IFDs and XMP location blanked: STRIP_DONE with the malloc'd copy in
 * *out (the caller frees it), STRIP_UNCHANGED (and *out NULL) when
 * there was none, STRIP_NOMEM.  What comes out is stripped for good: a
 * pass over it changes nothing.  A real file gets there in one pass;
 * one whose structures overlap so that each pass uncovers more is
 * STRIP_BAD.
 */
enum strip_status
strip_tiff(const unsigned char *buf, size_t len, unsigned char **out,
    size_t *outlen)
{
	unsigned char	*p = NULL, *q = NULL, *t;
	int		 i;

	*out = NULL;
	*outlen = 0;
	if (len == 0)
		return STRIP_UNCHANGED;
	if ((p = malloc(len)) == NULL || (q = malloc(len)) == NULL)
		goto nomem;
	memcpy(p, buf, len);
	for (i = 0; i < STRIP_TIFF_PASSES; i++) {
		memcpy(q, p, len);
		strip_tiff_pass(q, len);
		if (memcmp(q, p, len) == 0)
			break;
		t = p;
		p = q;
		q = t;
	}
	free(q);
	if (i == 0 || i == STRIP_TIFF_PASSES) {
		free(p);
		return i == 0 ? STRIP_UNCHANGED : STRIP_BAD;
	}
	*out = p;
	*outlen = len;
	return STRIP_DONE;
nomem:
	free(p);
	return STRIP_NOMEM;
}
