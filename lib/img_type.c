/*
 * The four image types: what the magic bytes say, and their names in
 * MIME types, file extensions, the SQL enum and URLs.  The one place
 * that lists them, below probing (lib/img.c) and the container walks
 * (lib/img_walk.c), which both ask it.
 */
#include <stdint.h>
#include <string.h>

#include "img_type.h"

/* Indexed by enum img_type. */
static const char *const img_mimes[] = {
	NULL, "image/jpeg", "image/png", "image/gif", "image/webp",
};
static const char *const img_exts[] = { NULL, "jpg", "png", "gif", "webp" };
static const char *const img_names[] = {
	NULL, "jpeg", "png", "gif", "webp",
};
/* The type the magic bytes say; buf may be NULL when len is 0. */
enum img_type
img_sniff(const void *buf, size_t len)
{
	const uint8_t	*p = buf;

	if (len >= 3 && memcmp(p, "\xff\xd8\xff", 3) == 0)
		return IMG_JPEG;
	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return IMG_PNG;
	if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0))
		return IMG_GIF;
	if (len >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return IMG_WEBP;
	return IMG_NONE;
}

static int
img_valid(enum img_type t)
{
	return t > IMG_NONE && t <= IMG_WEBP;
}

/* A static string, or NULL for IMG_NONE. */
const char *
img_mime(enum img_type t)
{
	return img_valid(t) ? img_mimes[t] : NULL;
}

/* A static string, or NULL for IMG_NONE. */
const char *
img_ext(enum img_type t)
{
	return img_valid(t) ? img_exts[t] : NULL;
}

/* A static string, or NULL for IMG_NONE. */
const char *
img_name(enum img_type t)
{
	return img_valid(t) ? img_names[t] : NULL;
}

/*
 * Exact, lower-case matches only: the names come from our own URLs and
 * SQL enum, which never spell them otherwise.
 */
enum img_type
img_type_of(const char *name)
{
	int	 t;

	if (name == NULL)
		return IMG_NONE;
	if (strcmp(name, "jpeg") == 0)
		return IMG_JPEG;
	for (t = IMG_JPEG; t <= IMG_WEBP; t++)
		if (strcmp(name, img_exts[t]) == 0)
			return t;
	return IMG_NONE;
}
