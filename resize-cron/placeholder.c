/*
 * An image's placeholder (API.md: a ThumbHash, painted while the image
 * loads) from the variant the resizer has just encoded and still holds:
 * the smallest, in the variants' own format (its WebP twin otherwise).
 * It is decoded (320 px a side at most), its first frame scaled to fit
 * THUMBHASH_SIDE_MAX, and those RGBA pixels are hashed: under 5 ms.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wand/MagickWand.h>

#include "log.h"
#include "placeholder.h"
#include "size.h"

/* The smallest size's variant, not WebP where there is one; or NULL. */
static const struct variant *
placeholder_source(const struct variant *out, size_t n)
{
	const struct variant	*webp = NULL;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (strcmp(out[i].size, size_list[0].name) != 0)
			continue;
		if (out[i].format != IMG_WEBP)
			return &out[i];
		webp = &out[i];
	}
	return webp;
}

/* Decodes v with its own coder forced ("PNG:"); NULL on failure. */
static MagickWand *
placeholder_decode(const struct variant *v)
{
	MagickWand	*w;
	char		 name[16];
	size_t		 i;

	if (snprintf(name, sizeof(name), "%s:", img_name(v->format)) >=
	    (int)sizeof(name))
		return NULL;
	for (i = 0; name[i] != '\0'; i++)
		name[i] = toupper((unsigned char)name[i]);
	w = NewMagickWand();
	if (!MagickSetFilename(w, name) ||
	    !MagickReadImageBlob(w, v->data, v->len) ||
	    MagickGetNumberImages(w) == 0) {
		DestroyMagickWand(w);
		return NULL;
	}
	MagickResetIterator(w);
	(void)MagickNextImage(w);
	return w;
}

int
placeholder_make(const struct variant *out, size_t n,
    uint8_t hash[THUMBHASH_MAX], size_t *len)
{
	const struct variant	*v;
	MagickWand		*w = NULL;
	unsigned char		*px = NULL;
	long			 tw, th;
	int			 rc = -1;

	*len = 0;
	if ((v = placeholder_source(out, n)) == NULL ||
	    (w = placeholder_decode(v)) == NULL)
		goto done;
	size_fit((long)MagickGetImageWidth(w), (long)MagickGetImageHeight(w),
	    THUMBHASH_SIDE_MAX, &tw, &th);
	if ((px = malloc((size_t)tw * th * 4)) == NULL ||
	    !MagickResizeImage(w, tw, th, TriangleFilter, 1.0) ||
	    !MagickExportImagePixels(w, 0, 0, tw, th, "RGBA", CharPixel, px))
		goto done;
	rc = thumbhash_encode(px, (int)tw, (int)th, hash, len);
done:
	if (rc == -1)
		log_warnx("no placeholder: the small variant would not decode "
		    "or scale");
	free(px);
	if (w != NULL)
		DestroyMagickWand(w);
	return rc;
}
