/*
 * The image types taken and their names (lib/img_type.c).
 */
#ifndef IMG_TYPE_H
#define IMG_TYPE_H

#include <stddef.h>

enum img_type {
	IMG_NONE = 0,	/* not one we take */
	IMG_JPEG,
	IMG_PNG,
	IMG_GIF,
	IMG_WEBP,
	IMG_AVIF,	/* browsers show it: stored and served as uploaded */
	IMG_HEIC,	/* HEIC, HEIF: kept as sent, shown by a display copy */
	IMG_TIFF,	/* kept as sent, shown by a display copy */
	IMG_BMP,	/* kept as sent, shown by a display copy */
};
#define IMG_LAST	IMG_BMP

/* The type the first bytes say, or IMG_NONE. */
enum img_type	 img_sniff(const void *buf, size_t len);

/* "image/jpeg", "jpg", "jpeg" (the SQL enum); NULL for IMG_NONE. */
const char	*img_mime(enum img_type);
const char	*img_ext(enum img_type);
const char	*img_name(enum img_type);
/* The type of a name as img_name() gives it or an extension; IMG_NONE. */
enum img_type	 img_type_of(const char *name);

/*
 * 1 for the types browsers do not show (HEIC, TIFF, BMP): the upload
 * keeps the file as sent under "upload" and makes a display copy.
 */
int		 img_kept_as_sent(enum img_type);
/*
 * The format of the variants of an original of type t: its own, but
 * JPEG (PNG when alpha is set) for an AVIF, which is not encoded here.
 */
enum img_type	 img_variant_type(enum img_type t, int alpha);

#endif
