/*
 * Location metadata out of an original, without touching the pixels: the
 * EXIF GPS IFD, the XMP location properties and the IPTC-IIM place
 * datasets of JPEG, PNG and WebP files, the XMP of GIF, and the GPS IFDs
 * and XMP of TIFF files and of HEIF and AVIF items (emptied in place, so
 * every offset holds), wherever exiftool would find them (API.md,
 * "Privacy").  Everything else,
 * orientation and colour profiles included, is kept byte for byte.
 */
#ifndef STRIP_H
#define STRIP_H

#include <stddef.h>

enum strip_status {
	STRIP_UNCHANGED = 0,	/* no location found: store the input as is */
	STRIP_DONE,		/* *out holds the copy without location */
	STRIP_BAD,		/* location found that cannot be taken out:
				   EXIF that libexif cannot rewrite without
				   it, or over a JPEG segment's 64 KiB */
	STRIP_NOMEM,		/* out of memory */
	STRIP_TOO_BIG,		/* the metadata inflates to more than the
				   budget: a decompression bomb */
};

/*
 * Looks at buf (of any type; BMP has nothing to change) and,
 * when it carries location data, returns STRIP_DONE with a malloc'd copy
 * in *out of *outlen bytes that the caller frees.  On any other status
 * *out is NULL.  The same input always gives the same output, never
 * larger than the input where only text chunks change.  Lengths in the
 * input are never trusted: a truncated or malformed container is walked
 * as far as it holds together and the rest is copied as it is.
 *
 * budget bounds the bytes the call may inflate, summed over every
 * compressed PNG chunk (opened or not: what strip_inflate_check()
 * counts), plus the lengths of the extended XMP packets of a JPEG that
 * it joins; past it, STRIP_TOO_BIG, and inflating stops there.  So the
 * memory the call takes is at most about the input, the budget and the
 * output.
 */
enum strip_status strip_location(const unsigned char *buf, size_t len,
		    size_t budget, unsigned char **out, size_t *outlen);

/*
 * STRIP_TOO_BIG when the compressed chunks of a PNG (zTXt, compressed
 * iTXt, iCCP: what a decoder inflates) inflate, all together, to more
 * than budget bytes; else STRIP_UNCHANGED (or STRIP_NOMEM).  Counts
 * through a small buffer and stops at the budget.  For a buffer that is
 * not stripped but will be decoded.
 */
enum strip_status strip_inflate_check(const unsigned char *buf, size_t len,
		    size_t budget);

/*
 * Blanks the location properties of an XMP packet in place with spaces,
 * so the packet keeps its length and stays well-formed XML.  Returns the
 * number of properties blanked.
 */
size_t		strip_xmp(unsigned char *xmp, size_t len);

/*
 * 1 when the EXIF block (a TIFF header, optionally after "Exif\0\0")
 * points to a GPS IFD from its first IFD, else 0.
 */
int		strip_exif_has_gps(const unsigned char *p, size_t n);

#endif
