/*
 * The image types taken: what the magic bytes say, and their names in
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
	"image/avif", "image/heic", "image/tiff", "image/bmp",
};
static const char *const img_exts[] = {
	NULL, "jpg", "png", "gif", "webp", "avif", "heic", "tif", "bmp",
};
static const char *const img_names[] = {
	NULL, "jpeg", "png", "gif", "webp", "avif", "heic", "tiff", "bmp",
};

/*
 * The ISO BMFF brands of HEIF files (ISO/IEC 23008-12) and of AVIF.  An
 * AVIF file names "mif1" too, so its own brands are looked for first.
 */
static const char *const img_avif_brands[] = { "avif", "avis", NULL };
static const char *const img_heic_brands[] = {
	"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", NULL,
};

/* 1 when the ftyp box at p[0..n) names one of brands. */
static int
img_ftyp_names(const uint8_t *p, size_t n, const char *const *brands)
{
	size_t	 off;
	int	 i;

	for (i = 0; brands[i] != NULL; i++) {
		if (memcmp(p + 8, brands[i], 4) == 0)
			return 1;
		/* Compatible brands follow the minor version. */
		for (off = 16; off + 4 <= n; off += 4)
			if (memcmp(p + off, brands[i], 4) == 0)
				return 1;
	}
	return 0;
}

/* An ISO BMFF file: its first box is "ftyp", read as far as it goes. */
static enum img_type
img_sniff_bmff(const uint8_t *p, size_t len)
{
	size_t	 n;

	if (len < 16 || memcmp(p + 4, "ftyp", 4) != 0)
		return IMG_NONE;
	n = ((size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 |
	    p[3]);
	if (n < 16 || n > len)
		return IMG_NONE;
	if (img_ftyp_names(p, n, img_avif_brands))
		return IMG_AVIF;
	if (img_ftyp_names(p, n, img_heic_brands))
		return IMG_HEIC;
	return IMG_NONE;
}

/*
 * "BM", and a DIB header of one of the sizes Windows and OS/2 wrote,
 * since two bytes alone would take text that starts "BM".
 */
static int
img_sniff_bmp(const uint8_t *p, size_t len)
{
	uint32_t	 dib;

	if (len < 18 || p[0] != 'B' || p[1] != 'M')
		return 0;
	dib = (uint32_t)p[14] | (uint32_t)p[15] << 8 | (uint32_t)p[16] << 16 |
	    (uint32_t)p[17] << 24;
	return dib == 12 || dib == 40 || dib == 52 || dib == 56 ||
	    dib == 64 || dib == 108 || dib == 124;
}

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
	/* Classic TIFF only: BigTIFF ("II+") is not taken. */
	if (len >= 8 && (memcmp(p, "II*\0", 4) == 0 ||
	    memcmp(p, "MM\0*", 4) == 0))
		return IMG_TIFF;
	if (img_sniff_bmp(p, len))
		return IMG_BMP;
	return img_sniff_bmff(p, len);
}

static int
img_valid(enum img_type t)
{
	return t > IMG_NONE && t <= IMG_LAST;
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
	for (t = IMG_JPEG; t <= IMG_LAST; t++)
		if (strcmp(name, img_exts[t]) == 0 ||
		    strcmp(name, img_names[t]) == 0)
			return t;
	return IMG_NONE;
}

int
img_kept_as_sent(enum img_type t)
{
	return t == IMG_HEIC || t == IMG_TIFF || t == IMG_BMP;
}

enum img_type
img_variant_type(enum img_type t, int alpha)
{
	if (t == IMG_AVIF || img_kept_as_sent(t))
		return alpha ? IMG_PNG : IMG_JPEG;
	return t;
}
