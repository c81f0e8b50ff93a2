/*
 * Location out of HEIF and AVIF files, in place: the items' bytes are
 * found through iloc offsets (lib/bmff.c), which must hold, so nothing
 * moves and the copy has the input's length.
 *
 *	Exif	an item of a 32-bit offset, then the TIFF structure at that
 *		offset (often after "Exif\0\0"): its GPS IFDs are emptied
 *		in place (strip_exif_blank_gps).
 *	XMP	a "mime" item of type application/rdf+xml: its location
 *		properties become spaces (strip_xmp).
 *
 * Only an item in one extent of the file or the idat is changed.  An
 * Exif item with GPS in any other form is refused (STRIP_BAD), and so
 * are Exif and XMP items that overlap into more bytes than the file
 * has; a compressed or split XMP item is left as it is.
 * FIXME: a content-encoded (deflate) or multi-extent XMP item keeps its
 * location; inflating it would tell, but it cannot shrink back in place.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmff.h"
#include "ctr.h"
#include "strip.h"
#include "strip_int.h"

/*
 * Passes over the items until one changes nothing: items may share
 * bytes, and blanking one can change what another says.  A pass looks
 * at no more bytes than the file has, so that a thousand items that
 * each claim all of it cannot make the work a thousand times the file.
 */
#define STRIP_BMFF_ROUNDS	4

/* Where the TIFF structure of an Exif item's payload x[0..n) starts. */
static int
strip_bmff_tiff(const unsigned char *x, size_t n, size_t *at)
{
	uint32_t	 o;

	if (n < 4 || (o = ctr_be32(x)) > n - 4)
		return 0;
	*at = 4 + (size_t)o;
	if (n - *at >= 6 && memcmp(x + *at, "Exif\0\0", 6) == 0)
		*at += 6;
	return 1;
}

/*
 * 1 when the Exif item, in extents that cannot be blanked in place, has
 * GPS: its extents joined, no longer than the file (else 1, since what
 * it says cannot be read).  -1 when out of memory.
 */
static int
strip_bmff_split_gps(const struct bmff *b, const struct bmff_item *it)
{
	unsigned char	*x;
	size_t		 i, off, n, total = 0, at;
	int		 gps;

	for (i = 0; i < it->next; i++) {
		if (bmff_extent_at(b, it, i, &off, &n) == -1)
			return 0;	/* not in this file: unreadable */
		if (n > b->len - total)
			return 1;
		total += n;
	}
	if ((x = malloc(total + 1)) == NULL)
		return -1;
	for (total = 0, i = 0; i < it->next; i++) {
		(void)bmff_extent_at(b, it, i, &off, &n);
		memcpy(x + total, b->p + off, n);
		total += n;
	}
	gps = strip_bmff_tiff(x, total, &at) &&
	    strip_exif_has_gps(x + at, total - at);
	free(x);
	return gps;
}

/*
 * Applies one item's blanking to c[off..off+n), and says in *changed
 * whether any byte moved; a copy of the region tells.
 */
static enum strip_status
strip_bmff_region(unsigned char *c, size_t off, size_t n, int exif,
    int *changed)
{
	unsigned char	*was;
	size_t		 at;

	if (exif && (!strip_bmff_tiff(c + off, n, &at) ||
	    !strip_exif_has_gps(c + off + at, n - at)))
		return STRIP_DONE;
	if ((was = malloc(n + 1)) == NULL)
		return STRIP_NOMEM;
	memcpy(was, c + off, n);
	if (exif)
		(void)strip_exif_blank_gps(c + off + at, n - at);
	else
		(void)strip_xmp(c + off, n);
	if (memcmp(was, c + off, n) != 0)
		*changed = 1;
	free(was);
	return STRIP_DONE;
}

/* The bytes of an item's extents in this file, at most the file's. */
static size_t
strip_bmff_size(const struct bmff *b, const struct bmff_item *it)
{
	size_t	 i, off, n, total = 0;

	for (i = 0; i < it->next; i++)
		if (bmff_extent_at(b, it, i, &off, &n) == 0)
			total += n < b->len - total ? n : b->len - total;
	return total;
}

/*
 * One item of the copy c: an Exif or XMP item blanked in place.  *left
 * is what the pass may still look at.
 */
static enum strip_status
strip_bmff_item(const struct bmff *b, const struct bmff_item *it,
    unsigned char *c, int *changed, size_t *left)
{
	size_t	 off, n;
	int	 exif = memcmp(it->type, "Exif", 4) == 0, gps;

	if (!exif && (!it->xmp || it->encoded))
		return STRIP_DONE;
	if ((n = strip_bmff_size(b, it)) > *left)
		return STRIP_BAD;
	*left -= n;
	if (it->next == 1 && bmff_extent_at(b, it, 0, &off, &n) == 0)
		return strip_bmff_region(c, off, n, exif, changed);
	if (!exif)
		return STRIP_DONE;
	if ((gps = strip_bmff_split_gps(b, it)) == -1)
		return STRIP_NOMEM;
	return gps ? STRIP_BAD : STRIP_DONE;
}

/* Rounds over the items of b on c until one changes nothing. */
static enum strip_status
strip_bmff_rounds(const struct bmff *b, unsigned char *c)
{
	enum strip_status	 st;
	size_t			 i, left;
	int			 round, changed = 1;

	for (round = 0; round < STRIP_BMFF_ROUNDS && changed; round++) {
		changed = 0;
		left = b->len;
		for (i = 0; i < b->nitems; i++)
			if ((st = strip_bmff_item(b, &b->items[i], c,
			    &changed, &left)) != STRIP_DONE)
				return st;
	}
	return changed ? STRIP_BAD : STRIP_DONE;
}

/*
 * A file whose meta box does not hold together is refused: where its
 * Exif is cannot be known, and probing refuses it anyway.
 */
enum strip_status
strip_bmff(const unsigned char *buf, size_t len, unsigned char **out,
    size_t *outlen)
{
	struct bmff		*b;
	unsigned char		*c = NULL;
	enum strip_status	 st = STRIP_NOMEM;

	*out = NULL;
	*outlen = 0;
	if ((b = malloc(sizeof(*b))) == NULL)
		return STRIP_NOMEM;
	if (bmff_parse(buf, len, b) != BMFF_OK) {
		st = STRIP_BAD;
		goto fail;
	}
	if ((c = malloc(len + 1)) == NULL)
		goto fail;
	memcpy(c, buf, len);
	if ((st = strip_bmff_rounds(b, c)) != STRIP_DONE)
		goto fail;
	if (memcmp(c, buf, len) == 0) {
		st = STRIP_UNCHANGED;
		goto fail;
	}
	free(b);
	*out = c;
	*outlen = len;
	return STRIP_DONE;
fail:
	free(c);
	free(b);
	return st;
}
