/*
 * Still WebP originals decoded by libwebp itself, scaled while decoding,
 * so the resizer's memory stays bounded whatever the picture's size.
 */
#ifndef WEBP_H
#define WEBP_H

#include <stddef.h>

#include <wand/MagickWand.h>

enum webp_status {
	WEBP_OK,	/* decoded into *out */
	WEBP_ANIMATED,	/* an animation: left to ImageMagick's coder */
	WEBP_BAD,	/* libwebp or ImageMagick refused it; err says why */
};

/*
 * Decodes the still WebP in buf, scaled down (never up) to fit a box x
 * box square, into a new wand in *out (the caller destroys it), with the
 * container's ICC profile attached as ImageMagick's coder would; its
 * full size goes into *width and *height.  Nothing is allocated unless
 * WEBP_OK.
 */
enum webp_status webp_decode(const void *buf, size_t len, long box,
	    MagickWand **out, long *width, long *height, char *err,
	    size_t errsz);

#endif
