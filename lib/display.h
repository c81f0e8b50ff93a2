/*
 * The display copy of an upload that browsers do not show (lib/display.c).
 */
#ifndef DISPLAY_H
#define DISPLAY_H

#include <stddef.h>

#include "img_type.h"

struct conf;

struct display {
	unsigned char	*data;		/* malloc'd, the caller frees it */
	size_t		 len;
	enum img_type	 type;		/* IMG_JPEG, or IMG_PNG with alpha */
	long		 width;		/* upright */
	long		 height;
};

/*
 * Decodes buf, a HEIC, TIFF (its first page) or BMP whose headers were
 * checked against c's limits, and makes its display copy in out: turned
 * upright, CMYK converted to sRGB, every profile but ICC left out, JPEG
 * at the variants' quality or PNG when it has alpha.  0, or -1 with why
 * set: the decoder refuses it.
 */
int		 display_make(const void *buf, size_t len, enum img_type t,
		    const struct conf *c, struct display *out, char *why,
		    size_t whysz);

#endif
