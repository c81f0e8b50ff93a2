/*
 * HEIC/HEIF and AVIF through libheif (lib/heic.c): ImageMagick 6.9.11's
 * coder reads them through libheif too, but drops the alpha channel.
 */
#ifndef HEIC_H
#define HEIC_H

#include <stddef.h>

#include <wand/MagickWand.h>

/*
 * 0 when libheif takes buf's structure and finds a primary image of
 * at most max_side a side, with its alpha in *alpha; -1 with why set.
 * Parses the boxes only: nothing is decoded.
 */
int		 heic_check(const void *buf, size_t len, long max_side,
		    int *alpha, char *why, size_t whysz);

/*
 * Decodes buf's primary image, turned as its irot and imir say, to 8-bit
 * RGB or RGBA with its ICC profile.  A wand the caller destroys, or NULL
 * with why set.
 */
MagickWand	*heic_decode(const void *buf, size_t len, long max_side,
		    char *why, size_t whysz);

#endif
