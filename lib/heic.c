/*
 * HEIC/HEIF and AVIF decoded by libheif into a MagickWand.  libheif
 * applies the container's irot and imir itself, so the wand is upright
 * and carries no orientation; an ICC profile (colr "prof" or "rICC")
 * goes onto the wand, an nclx colour description is what libheif
 * converts to RGB by, taken as sRGB.  10- and 12-bit images come out
 * as 8 bits: everything made from them is 8-bit JPEG, PNG or WebP.
 *
 * The memory of a decode: libheif's planes (1.5 bytes a pixel at 4:2:0,
 * more with alpha or 4:4:4) and its interleaved RGB(A) (3 or 4), then
 * ImageMagick's pixel cache (8 bytes a pixel in Q16 RGBA), which spills
 * to disk past its memory limit (lib/img_policy.c).  The dimensions
 * were checked against max_side and max_pixels from the boxes before.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libheif/heif.h>

#include "heic.h"

/* Copies libheif's message into why. */
static void
heic_why(struct heif_error e, const char *what, char *why, size_t whysz)
{
	(void)snprintf(why, whysz, "%s: %s", what,
	    e.message != NULL ? e.message : "libheif refuses it");
}

/*
 * Reads buf's boxes into a new context and finds the primary image.
 * 0 with both set (the caller frees them), or -1 with why set.
 */
static int
heic_open(const void *buf, size_t len, long max_side,
    struct heif_context **ctx, struct heif_image_handle **h, char *why,
    size_t whysz)
{
	struct heif_error	 e;

	*h = NULL;
	if ((*ctx = heif_context_alloc()) == NULL) {
		(void)snprintf(why, whysz, "out of memory");
		return -1;
	}
	if (max_side > 0 && max_side < INT32_MAX)
		heif_context_set_maximum_image_size_limit(*ctx, (int)max_side);
	e = heif_context_read_from_memory_without_copy(*ctx, buf, len, NULL);
	if (e.code != heif_error_Ok) {
		heic_why(e, "read", why, whysz);
		goto fail;
	}
	e = heif_context_get_primary_image_handle(*ctx, h);
	if (e.code != heif_error_Ok) {
		heic_why(e, "primary image", why, whysz);
		goto fail;
	}
	return 0;
fail:
	heif_context_free(*ctx);
	*ctx = NULL;
	return -1;
}

int
heic_check(const void *buf, size_t len, long max_side, int *alpha,
    char *why, size_t whysz)
{
	struct heif_context	*ctx;
	struct heif_image_handle *h;

	if (heic_open(buf, len, max_side, &ctx, &h, why, whysz) == -1)
		return -1;
	*alpha = heif_image_handle_has_alpha_channel(h) != 0;
	heif_image_handle_release(h);
	heif_context_free(ctx);
	return 0;
}

/* Puts the handle's ICC profile, if it has one, on the wand. */
static void
heic_icc(struct heif_image_handle *h, MagickWand *w)
{
	enum heif_color_profile_type	 t;
	struct heif_error		 e;
	unsigned char			*icc;
	size_t				 n;

	t = heif_image_handle_get_color_profile_type(h);
	if (t != heif_color_profile_type_prof &&
	    t != heif_color_profile_type_rICC)
		return;
	if ((n = heif_image_handle_get_raw_color_profile_size(h)) == 0 ||
	    (icc = malloc(n)) == NULL)
		return;
	e = heif_image_handle_get_raw_color_profile(h, icc);
	if (e.code == heif_error_Ok)
		(void)MagickSetImageProfile(w, "icc", icc, n);
	MagickClearException(w);
	free(icc);
}

/* The interleaved pixels of img, row after row, into a new wand. */
static MagickWand *
heic_to_wand(const struct heif_image *img, int alpha, char *why,
    size_t whysz)
{
	const uint8_t	*px;
	MagickWand	*w;
	PixelWand	*bg;
	int		 stride, width, height, y, ok;

	px = heif_image_get_plane_readonly(img, heif_channel_interleaved,
	    &stride);
	width = heif_image_get_width(img, heif_channel_interleaved);
	height = heif_image_get_height(img, heif_channel_interleaved);
	if (px == NULL || width <= 0 || height <= 0) {
		(void)snprintf(why, whysz, "decode: no pixels");
		return NULL;
	}
	w = NewMagickWand();
	bg = NewPixelWand();
	ok = PixelSetColor(bg, alpha ? "none" : "black") &&
	    MagickNewImage(w, width, height, bg) &&
	    MagickSetImageDepth(w, 8);
	for (y = 0; ok && y < height; y++)
		ok = MagickImportImagePixels(w, 0, y, width, 1,
		    alpha ? "RGBA" : "RGB", CharPixel, px + (size_t)y * stride);
	DestroyPixelWand(bg);
	if (!ok) {
		(void)snprintf(why, whysz, "decode: out of memory");
		DestroyMagickWand(w);
		return NULL;
	}
	return w;
}

MagickWand *
heic_decode(const void *buf, size_t len, long max_side, char *why,
    size_t whysz)
{
	struct heif_context		*ctx;
	struct heif_image_handle	*h;
	struct heif_decoding_options	*opt;
	struct heif_image		*img = NULL;
	struct heif_error		 e;
	MagickWand			*w = NULL;
	int				 alpha;

	if (heic_open(buf, len, max_side, &ctx, &h, why, whysz) == -1)
		return NULL;
	alpha = heif_image_handle_has_alpha_channel(h) != 0;
	if ((opt = heif_decoding_options_alloc()) == NULL) {
		(void)snprintf(why, whysz, "out of memory");
		goto out;
	}
	opt->convert_hdr_to_8bit = 1;
	e = heif_decode_image(h, &img, heif_colorspace_RGB, alpha ?
	    heif_chroma_interleaved_RGBA : heif_chroma_interleaved_RGB, opt);
	heif_decoding_options_free(opt);
	if (e.code != heif_error_Ok) {
		heic_why(e, "decode", why, whysz);
		goto out;
	}
	if ((w = heic_to_wand(img, alpha, why, whysz)) != NULL)
		heic_icc(h, w);
out:
	heif_image_release(img);
	heif_image_handle_release(h);
	heif_context_free(ctx);
	return w;
}
