/*
 * The image a link names: its size's URL and dimensions, and the size
 * a link preview (og:image, oEmbed) names, so that it is at most 1280 px
 * a side and 5 MB and answers within seconds of the upload.
 */
#ifndef PREVIEW_H
#define PREVIEW_H

#include <stddef.h>

struct db_image;

/* Bytes over which an original is too heavy for a preview (API.md). */
#define PREVIEW_MAX_BYTES	(5LL * 1000 * 1000)

/*
 * Writes the URL of size s of img (a size_list index, -1: the
 * original) in its own format or, when webp, the WebP twin, into buf;
 * "" when it does not fit.  base as http_base_url(), id its 8 letters.
 */
void	preview_url(const char *base, const char *id,
	    const struct db_image *img, int s, int webp, char *buf, size_t sz);

/* The displayed dimensions of size s of img (-1: the original). */
void	preview_dims(const struct db_image *img, int s, long *w, long *h);

/* The MIME type of size s of img in its own format (-1: the original). */
const char *preview_mime(const struct db_image *img, int s);

/*
 * The size (index, -1 the original) to name for img in a box of
 * maxw x maxh (0: no bound on that side; both 0: a preview's default,
 * the largest size and at most PREVIEW_MAX_BYTES).  ready[] as
 * db_variants_ready() fills it; pending is 1 while img's resize job is
 * queued or running, so that a variant not made yet will be.
 */
int	preview_pick(const struct db_image *img, const int ready[],
	    int pending, long maxw, long maxh);

/* 1 when every size of img is made in its own format. */
int	preview_all_ready(const int ready[]);

#endif
