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
 * A copy of the TIFF file buf[0..len) of the same length with its GPS
 * IFDs and XMP location blanked: STRIP_DONE with the malloc'd copy in
 * *out (the caller frees it), STRIP_UNCHANGED (and *out NULL) when
 * there was none, STRIP_NOMEM.
 */
enum strip_status
strip_tiff(const unsigned char *buf, size_t len, unsigned char **out,
    size_t *outlen)
{
	unsigned char	*p;
	int		 changed;

	*out = NULL;
	*outlen = 0;
	if (len == 0)
		return STRIP_UNCHANGED;
	if ((p = malloc(len)) == NULL)
		return STRIP_NOMEM;
	memcpy(p, buf, len);
	changed = strip_exif_blank_gps(p, len) > 0;
	changed |= strip_tiff_xmp(p, len);
	/* An IFD already empty, a packet already blank: nothing new. */
	if (!changed || memcmp(p, buf, len) == 0) {
		free(p);
		return STRIP_UNCHANGED;
	}
	*out = p;
	*outlen = len;
	return STRIP_DONE;
}
