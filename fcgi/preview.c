/*
 * Which image a link preview names.  Every size is made for every
 * image: size_fit() never upscales, so an original smaller than a box
 * has that variant at its own dimensions, and a box's variant always
 * exists once the job is done.  Naming a variant before it is made is
 * right: its URL waits for the resizer (serve.c), or stands in the
 * original with a 307 when it cannot.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "img.h"
#include "preview.h"
#include "size.h"

void
preview_url(const char *base, const char *id, const struct db_image *img,
    int s, int webp, char *buf, size_t sz)
{
	int	 n;

	if (s < 0)
		n = snprintf(buf, sz, "%s/i/%s.%s", base, id,
		    img_ext(img_type_of(img->type)));
	else
		n = snprintf(buf, sz, "%s/i/%s/%s.%s", base, id,
		    size_list[s].name, webp ? "webp" :
		    img_ext(img_type_of(img->variant_type)));
	if (n < 0 || (size_t)n >= sz)
		buf[0] = '\0';
}

void
preview_dims(const struct db_image *img, int s, long *w, long *h)
{
	if (s < 0) {
		*w = img->width;
		*h = img->height;
	} else
		size_fit(img->width, img->height, size_list[s].box, w, h);
}

const char *
preview_mime(const struct db_image *img, int s)
{
	return img_mime(img_type_of(s < 0 ? img->type : img->variant_type));
}

int
preview_all_ready(const int ready[])
{
	int	 s;

	for (s = 0; size_list[s].name != NULL; s++)
		if (!(ready[s] & 1))
			return 0;
	return 1;
}

/* The largest size whose dimensions fit maxw x maxh; the smallest if none. */
static int
preview_fit(const struct db_image *img, long maxw, long maxh)
{
	long	 w, h;
	int	 s;

	for (s = 0; size_list[s].name != NULL; s++)
		continue;
	while (s-- > 0) {
		preview_dims(img, s, &w, &h);
		if (w <= maxw && h <= maxh)
			return s;
	}
	return 0;
}

/*
 * The original instead of variant s: when it has more pixels and fits
 * (and, for a preview's default, is light enough); when it is the same
 * picture, light, and s is not made yet (the original answers at once);
 * or when s is not made and never will be (its URL would stand the
 * original in anyway).
 */
int
preview_pick(const struct db_image *img, const int ready[], int pending,
    long maxw, long maxh)
{
	int	 dflt = maxw <= 0 && maxh <= 0, s;
	int	 light = img->bytes <= PREVIEW_MAX_BYTES;
	long	 w, h;

	if (dflt) {
		for (s = 0; size_list[s].name != NULL; s++)
			maxw = maxh = size_list[s].box;
	}
	if (maxw <= 0)
		maxw = LONG_MAX;
	if (maxh <= 0)
		maxh = LONG_MAX;
	s = preview_fit(img, maxw, maxh);
	preview_dims(img, s, &w, &h);
	if (img->width <= maxw && img->height <= maxh &&
	    img->width * img->height > w * h && (light || !dflt))
		return -1;
	if (!(ready[s] & 1) && (!pending ||
	    (light && img->width == w && img->height == h)))
		return -1;
	return s;
}
