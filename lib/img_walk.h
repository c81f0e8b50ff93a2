/*
 * The container walks of probing (lib/img_walk.c), shared with lib/img.c.
 */
#ifndef IMG_WALK_H
#define IMG_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "img_type.h"

/* What a container walk learns before any decoder runs. */
struct img_hdr {
	long		 width;		/* as stored, before EXIF rotation */
	long		 height;
	long		 frames;	/* WebP, TIFF pages, HEIF 1; 0: ask the decoder */
	const uint8_t	*exif;		/* WebP only: the EXIF chunk, or NULL */
	size_t		 exif_len;
	int orient;	/* EXIF orientation 1..8 the container says; 0: none */
	int alpha;	/* the container says the image has an alpha channel */
};

int		 img_walk(const uint8_t *, size_t, enum img_type,
		    struct img_hdr *);

#endif
