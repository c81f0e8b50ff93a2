/*
 * Making the variants of one image: decoded once, then large, medium and
 * small each scaled from the one before, each encoded in the variants'
 * format and, unless that is WebP already, as a WebP twin.
 */
#ifndef VARIANT_H
#define VARIANT_H

#include <stddef.h>

#include "img.h"

/* One encoded variant; data is malloc'd, freed by variant_free(). */
struct variant {
	const char	*size;		/* a name from size_list ("small") */
	enum img_type	 format;
	unsigned char	*data;
	size_t		 len;
	long		 width;
	long		 height;
	long		 frames;
};

/* At most this many variants per image: every size in two formats. */
#define VARIANT_MAX	16

/*
 * Makes every variant of the image in buf (of the sniffed type) into
 * out[0..*n), in format (img_variant_type()) and as WebP twins.
 * Returns 0, or -1 with the reason in err (the image is
 * refused by the decoder, over a limit, or an encoder failed), in which
 * case out holds nothing.  img_init() must have run.
 */
int	variant_make_all(const void *buf, size_t len, enum img_type type,
	    enum img_type format, struct variant out[VARIANT_MAX], size_t *n, char *err,
	    size_t errsz);

/* Frees the data of out[0..n). */
void	variant_free(struct variant *out, size_t n);

#endif
