/*
 * The four image types and their names (lib/img_type.c).
 */
#ifndef IMG_TYPE_H
#define IMG_TYPE_H

#include <stddef.h>

enum img_type {
	IMG_NONE = 0,	/* not one of the four */
	IMG_JPEG,
	IMG_PNG,
	IMG_GIF,
	IMG_WEBP,
};

/* The type the first bytes say, or IMG_NONE. */
enum img_type	 img_sniff(const void *buf, size_t len);

/* "image/jpeg", "jpg", "jpeg" (the SQL enum); NULL for IMG_NONE. */
const char	*img_mime(enum img_type);
const char	*img_ext(enum img_type);
const char	*img_name(enum img_type);
/* The type of a name as img_name() gives it or an extension; IMG_NONE. */
enum img_type	 img_type_of(const char *name);

#endif
