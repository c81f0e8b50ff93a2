/*
 * Location metadata out of an original, without touching the pixels: the
 * EXIF GPS IFD, the XMP location properties and the IPTC-IIM place
 * datasets of JPEG, PNG and WebP files, and the XMP of GIF, wherever
 * exiftool would find them (API.md, "Privacy").  Everything else,
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
};

/*
 * Looks at buf (of any type; only JPEG, PNG, WebP and GIF are changed) and,
 * when it carries location data, returns STRIP_DONE with a malloc'd copy
 * in *out of *outlen bytes that the caller frees.  On any other status
 * *out is NULL.  The same input always gives the same output.  Lengths in
 * the input are never trusted: a truncated or malformed container is
 * walked as far as it holds together and the rest is copied as it is.
 */
enum strip_status strip_location(const unsigned char *buf, size_t len,
		    unsigned char **out, size_t *outlen);

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
