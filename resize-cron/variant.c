/*
 * Making the variants of one image (API.md, "Sizes").  The image is
 * decoded once, oriented, converted to sRGB when it is CMYK, and stripped
 * of everything but its ICC profile (lib/prep.c); then large is scaled
 * from it, medium from large and small from medium, and each is encoded
 * in the variants' format (lib/img_type.c) and, unless that is WebP, as
 * a WebP twin.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wand/MagickWand.h>

#include "heic.h"
#include "prep.h"
#include "size.h"
#include "variant.h"
#include "webp.h"

#define VARIANT_WEBP_QUALITY	80
/*
 * libwebp's effort, 0-6 (its default 4).  2 takes a third less CPU for
 * every variant than 4, for WebP files 3-6% larger at the same quality
 * (measured on four kinds of picture at q80); at 4, a 2-core machine
 * could not keep up with 10 uploads a second and the time to variants
 * went from 0.18 s to 1.13 s (bench/run).
 */
#define VARIANT_WEBP_METHOD	"2"

/* The coder name ImageMagick knows a type by, or NULL. */
static const char *
variant_coder(enum img_type type)
{
	switch (type) {
	case IMG_JPEG:
		return "JPEG";
	case IMG_PNG:
		return "PNG";
	case IMG_GIF:
		return "GIF";
	case IMG_WEBP:
		return "WEBP";
	default:
		return NULL;
	}
}

/*
 * Puts "what: msg" into err, msg cut before the " `file' @ module/line"
 * that ImageMagick 6 appends.  A message cut short by errsz is still a
 * message, so truncation is fine.
 */
static void
variant_err(char *err, size_t errsz, const char *what, const char *msg)
{
	const char	*end;
	int		 n;

	if (msg == NULL || *msg == '\0')
		msg = "failed";
	if ((end = strstr(msg, " `")) == NULL)
		end = msg + strlen(msg);
	n = end - msg > 512 ? 512 : (int)(end - msg);
	(void)snprintf(err, errsz, "%s: %.*s", what, n, msg);
}

/* Puts what ImageMagick says went wrong in w into err, after what. */
static void
variant_wand_err(MagickWand *w, const char *what, char *err, size_t errsz)
{
	ExceptionType	 severity;
	char		*desc;

	desc = MagickGetException(w, &severity);
	variant_err(err, errsz, what, desc);
	MagickRelinquishMemory(desc);
}

/* The side of the largest box in size_list. */
static long
variant_largest_box(void)
{
	const struct size	*s;
	long			 box = 0;

	for (s = size_list; s->name != NULL; s++)
		if (s->box > box)
			box = s->box;
	return box;
}

/* The shorter side of the JPEG in buf, from its header; 0 if unknown. */
static long
variant_jpeg_short_side(const void *buf, size_t len)
{
	MagickWand	*p;
	long		 w = 0, h = 0;

	if ((p = NewMagickWand()) == NULL)
		return 0;
	if (MagickSetFormat(p, "JPEG") && MagickPingImageBlob(p, buf, len)) {
		w = (long)MagickGetImageWidth(p);
		h = (long)MagickGetImageHeight(p);
	}
	DestroyMagickWand(p);
	return w < h ? w : h;
}

/*
 * Asks libjpeg to decode at 1/2, 1/4 or 1/8 scale where that still
 * leaves both sides at least the largest box.  ImageMagick takes the
 * smallest scale at which width and height both stay at or above the
 * hint, so a square hint is right whatever the orientation, and a
 * 4000x3000 photo decodes at 2000x1500: a quarter of the pixels and the
 * memory.  (A hint of twice the box would leave it at full size.)  The
 * image is pinged first because below the hint ImageMagick does not
 * stop at 1/1 but asks libjpeg to upscale: 600x400 would come out
 * 1200x800.
 */
static int
variant_jpeg_hint(MagickWand *w, const void *buf, size_t len)
{
	char	 hint[64];
	long	 box;
	int	 n;

	box = variant_largest_box();
	if (variant_jpeg_short_side(buf, len) < 2 * box)
		return 0;
	n = snprintf(hint, sizeof(hint), "%ldx%ld", box, box);
	if (n < 0 || (size_t)n >= sizeof(hint))
		return -1;
	return MagickSetOption(w, "jpeg:size", hint) ? 0 : -1;
}

/*
 * Whether a warning says the data stopped early, in libjpeg's words
 * (JWRN_JPEG_EOF, JWRN_HIT_MARKER): it then fills the rest of the
 * picture with grey, and a variant of that is not the image.  Other
 * warnings ("extraneous bytes before marker", say) are common in
 * cameras' files and harmless.
 */
static int
variant_cut_short(const char *reason)
{
	static const char *const	 cut[] = {
		"Premature end of JPEG file",
		"premature end of data segment",
	};
	size_t				 i;

	for (i = 0; reason != NULL && i < sizeof(cut) / sizeof(cut[0]); i++)
		if (strstr(reason, cut[i]) != NULL)
			return 1;
	return 0;
}

/*
 * Whether ImageMagick 6's decoder failed although the read "succeeded":
 * it leaves its errors and warnings on the images, not the wand (a JPEG
 * it cannot decode comes back as a 0x0 image).  Sets err when so.
 */
static int
variant_decode_failed(MagickWand *w, char *err, size_t errsz)
{
	ExceptionInfo	*e;
	int		 bad;

	if ((e = AcquireExceptionInfo()) == NULL) {
		(void)snprintf(err, errsz, "decode: out of memory");
		return 1;
	}
	MagickResetIterator(w);
	GetImageException(GetImageFromMagickWand(w), e);
	bad = e->severity >= ErrorException || variant_cut_short(e->reason);
	if (bad)
		variant_err(err, errsz, "decode", e->reason);
	else if (MagickGetImageWidth(w) == 0 || MagickGetImageHeight(w) == 0) {
		bad = 1;
		(void)snprintf(err, errsz, "decode: no pixels");
	}
	DestroyExceptionInfo(e);
	return bad;
}

/*
 * Decodes buf with the coder of type forced, so no other decoder sees
 * it.  Returns a wand the caller destroys, or NULL with err set.
 */
static MagickWand *
variant_decode(const void *buf, size_t len, enum img_type type, char *err,
    size_t errsz)
{
	MagickWand	*w;
	const char	*coder;

	if ((coder = variant_coder(type)) == NULL) {
		(void)snprintf(err, errsz, "decode: not a known image type");
		return NULL;
	}
	if ((w = NewMagickWand()) == NULL) {
		(void)snprintf(err, errsz, "decode: out of memory");
		return NULL;
	}
	if (!MagickSetFormat(w, coder) ||
	    (type == IMG_JPEG && variant_jpeg_hint(w, buf, len) == -1) ||
	    !MagickReadImageBlob(w, buf, len)) {
		variant_wand_err(w, "decode", err, errsz);
		goto fail;
	}
	if (variant_decode_failed(w, err, errsz))
		goto fail;
	return w;
fail:
	DestroyMagickWand(w);
	return NULL;
}

/*
 * Decodes buf as variant_decode() does, but a still WebP through
 * webp_decode(), scaled on decoding to twice the largest box (so large is
 * still made by the same Lanczos filter, from 2560 pixels at most):
 * ImageMagick's coder would hold the full-size picture twice, once
 * outside its memory limit.  The original's size goes into *width and
 * *height, or 0 when it is the wand's.
 */
static MagickWand *
variant_decode_any(const void *buf, size_t len, enum img_type type,
    long *width, long *height, char *err, size_t errsz)
{
	MagickWand	*w;

	*width = *height = 0;
	/* ImageMagick 6 would drop its alpha (lib/heic.c). */
	if (type == IMG_AVIF)
		return heic_decode(buf, len, 0, err, errsz);
	if (type == IMG_WEBP) {
		switch (webp_decode(buf, len, 2 * variant_largest_box(), &w,
		    width, height, err, errsz)) {
		case WEBP_OK:
			return w;
		case WEBP_BAD:
			return NULL;
		case WEBP_ANIMATED:
			*width = *height = 0;
			break;
		}
	}
	return variant_decode(buf, len, type, err, errsz);
}

/*
 * Makes the decoded image ready to scale: an animation coalesced into
 * whole frames, every frame upright, sRGB or ICC-tagged, stripped.
 * Consumes w; returns the wand to go on with, or NULL with err set.
 */
static MagickWand *
variant_prepare(MagickWand *w, char *err, size_t errsz)
{
	MagickWand	*c;

	if (MagickGetNumberImages(w) > 1) {
		if ((c = MagickCoalesceImages(w)) == NULL) {
			variant_wand_err(w, "coalesce", err, errsz);
			DestroyMagickWand(w);
			return NULL;
		}
		DestroyMagickWand(w);
		w = c;
	}
	if (prep_frames(w) == -1) {
		variant_wand_err(w, "prepare", err, errsz);
		DestroyMagickWand(w);
		return NULL;
	}
	MagickResetIterator(w);
	return w;
}

/*
 * A copy of src with every frame scaled to width x height (the same
 * size, when it is already).  Returns a wand the caller destroys, or NULL
 * with err set.
 */
static MagickWand *
variant_scale(MagickWand *src, long width, long height, char *err,
    size_t errsz)
{
	MagickWand	*w;

	if ((w = CloneMagickWand(src)) == NULL) {
		(void)snprintf(err, errsz, "scale: out of memory");
		return NULL;
	}
	MagickResetIterator(w);
	while (MagickNextImage(w)) {
		if ((long)MagickGetImageWidth(w) == width &&
		    (long)MagickGetImageHeight(w) == height)
			continue;
		if (!MagickResizeImage(w, width, height, LanczosFilter, 1.0) ||
		    !MagickSetImagePage(w, width, height, 0, 0))
			goto fail;
	}
	MagickResetIterator(w);
	return w;
fail:
	variant_wand_err(w, "scale", err, errsz);
	DestroyMagickWand(w);
	return NULL;
}

/* The quality setting for format, as ImageMagick's encoders read it. */
static size_t
variant_quality(enum img_type format)
{
	switch (format) {
	case IMG_JPEG:
		return PREP_JPEG_QUALITY;
	case IMG_PNG:
		return PREP_PNG_QUALITY;
	case IMG_WEBP:
		return VARIANT_WEBP_QUALITY;
	default:
		return 0;
	}
}

/*
 * The settings the encoders read from the wand: progressive 4:2:0 JPEG,
 * lossy WebP (keeping alpha), never an interlaced PNG or GIF.
 */
static int
variant_set_wand_encoding(MagickWand *w, enum img_type format)
{
	static const double	 yuv420[] = { 2, 1, 1 };	/* 2x2,1x1,1x1 */

	if (!MagickSetFormat(w, variant_coder(format)) ||
	    !MagickSetCompressionQuality(w, variant_quality(format)) ||
	    !MagickSetInterlaceScheme(w,
	    format == IMG_JPEG ? JPEGInterlace : NoInterlace))
		return -1;
	switch (format) {
	case IMG_JPEG:
		return MagickSetSamplingFactors(w, 3, yuv420) ? 0 : -1;
	case IMG_WEBP:
		return MagickSetOption(w, "webp:method", VARIANT_WEBP_METHOD) &&
		    MagickSetOption(w, "webp:lossless", "false") ? 0 : -1;
	default:
		return 0;
	}
}

/* The same settings where the encoders read them from each frame. */
static int
variant_set_frame_encoding(MagickWand *w, enum img_type format)
{
	MagickResetIterator(w);
	while (MagickNextImage(w)) {
		if (!MagickSetImageFormat(w, variant_coder(format)) ||
		    !MagickSetImageCompressionQuality(w,
		    variant_quality(format)) ||
		    !MagickSetImageInterlaceScheme(w,
		    format == IMG_JPEG ? JPEGInterlace : NoInterlace))
			return -1;
		if (format == IMG_PNG && !MagickSetImageDepth(w, 8))
			return -1;
	}
	MagickResetIterator(w);
	return 0;
}

/*
 * A GIF's frames optimised back into layers (the coalesced frames would
 * be far larger), then brought to one palette of 256 colours for them
 * all.  Without dithering: ImageMagick 6 sets up a 128 MB colour cache
 * (memset, so resident) for each dithered quantization, and the GIF
 * encoder would quantize each frame of each size on its own: 0.15 s and
 * 128 MB a frame.  The WebP twin, which browsers take first, keeps every
 * colour anyway.
 */
static MagickWand *
variant_gif_layers(MagickWand *w)
{
	MagickWand	*e;

	if (MagickGetNumberImages(w) > 1)
		e = MagickOptimizeImageLayers(w);
	else
		e = CloneMagickWand(w);
	if (e == NULL)
		return NULL;
	if (!MagickQuantizeImages(e, 256, sRGBColorspace, 0, MagickFalse,
	    MagickFalse)) {
		DestroyMagickWand(e);
		return NULL;
	}
	return e;
}

/* What to encode as format: a copy of w, or a GIF's layers. */
static MagickWand *
variant_to_encode(MagickWand *w, enum img_type format)
{
	if (format == IMG_GIF)
		return variant_gif_layers(w);
	return CloneMagickWand(w);
}

/* Copies ImageMagick's blob into out->data, freeing the blob. */
static int
variant_take_blob(unsigned char *blob, size_t len, struct variant *out)
{
	if (blob == NULL || len == 0) {
		MagickRelinquishMemory(blob);
		return -1;
	}
	out->data = malloc(len);
	if (out->data != NULL) {
		memcpy(out->data, blob, len);
		out->len = len;
	}
	MagickRelinquishMemory(blob);
	return out->data != NULL ? 0 : -1;
}

/*
 * Encodes w (width x height, the size called size) as format into out.
 * Returns 0, or -1 with err set and out->data NULL.
 */
static int
variant_encode(MagickWand *w, enum img_type format, const struct size *size,
    struct variant *out, char *err, size_t errsz)
{
	MagickWand	*e;
	unsigned char	*blob;
	size_t		 len = 0;

	memset(out, 0, sizeof(*out));
	if ((e = variant_to_encode(w, format)) == NULL) {
		variant_wand_err(w, "encode", err, errsz);
		return -1;
	}
	if (variant_set_wand_encoding(e, format) == -1 ||
	    variant_set_frame_encoding(e, format) == -1)
		goto fail;
	blob = MagickGetImagesBlob(e, &len);
	if (variant_take_blob(blob, len, out) == -1)
		goto fail;
	out->size = size->name;
	out->format = format;
	MagickResetIterator(w);
	out->width = (long)MagickGetImageWidth(w);
	out->height = (long)MagickGetImageHeight(w);
	out->frames = (long)MagickGetNumberImages(e);
	DestroyMagickWand(e);
	return 0;
fail:
	variant_wand_err(e, "encode", err, errsz);
	DestroyMagickWand(e);
	return -1;
}

/*
 * Encodes w in the original's format and, unless that is WebP, as a
 * WebP twin, appending to out[*n].
 */
static int
variant_encode_twins(MagickWand *w, enum img_type type,
    const struct size *size, struct variant *out, size_t *n, char *err,
    size_t errsz)
{
	if (*n + 2 > VARIANT_MAX) {
		(void)snprintf(err, errsz, "encode: more than %d variants",
		    VARIANT_MAX);
		return -1;
	}
	if (variant_encode(w, type, size, &out[*n], err, errsz) == -1)
		return -1;
	(*n)++;
	if (type == IMG_WEBP)
		return 0;
	if (variant_encode(w, IMG_WEBP, size, &out[*n], err, errsz) == -1)
		return -1;
	(*n)++;
	return 0;
}

/*
 * Scales and encodes every size, largest first, each scaled from the one
 * before so no step reads more pixels than it must.  size_list is
 * smallest first.  The sizes are fitted to width x height, the
 * original's (0: the decoded wand's), so a picture decoded scaled gets
 * the same sizes as before.
 */
static int
variant_scale_all(MagickWand *decoded, enum img_type type, long width,
    long height, struct variant *out, size_t *n, char *err, size_t errsz)
{
	const struct size	*s;
	MagickWand		*prev = decoded, *w;
	size_t			 i;
	long			 tw, th;
	int			 rc = 0;

	MagickResetIterator(decoded);
	if (width == 0 || height == 0) {
		width = (long)MagickGetImageWidth(decoded);
		height = (long)MagickGetImageHeight(decoded);
	}
	for (i = 0; size_list[i].name != NULL; i++)
		continue;
	while (rc == 0 && i-- > 0) {
		s = &size_list[i];
		size_fit(width, height, s->box, &tw, &th);
		if ((w = variant_scale(prev, tw, th, err, errsz)) == NULL) {
			rc = -1;
			break;
		}
		if (prev != decoded)
			DestroyMagickWand(prev);
		prev = w;
		rc = variant_encode_twins(w, type, s, out, n, err, errsz);
	}
	if (prev != decoded)
		DestroyMagickWand(prev);
	return rc;
}

int
variant_make_all(const void *buf, size_t len, enum img_type type,
    enum img_type format, struct variant out[VARIANT_MAX], size_t *n,
    char *err, size_t errsz)
{
	MagickWand	*w;
	long		 width, height;

	*n = 0;
	if ((w = variant_decode_any(buf, len, type, &width, &height, err,
	    errsz)) == NULL)
		goto fail;
	if ((w = variant_prepare(w, err, errsz)) == NULL)
		goto fail;
	if (variant_scale_all(w, format, width, height, out, n, err,
	    errsz) == -1)
		goto fail;
	DestroyMagickWand(w);
	return 0;
fail:
	if (w != NULL)
		DestroyMagickWand(w);
	variant_free(out, *n);
	*n = 0;
	return -1;
}

void
variant_free(struct variant *out, size_t n)
{
	size_t	 i;

	for (i = 0; out != NULL && i < n; i++) {
		free(out[i].data);
		out[i].data = NULL;
		out[i].len = 0;
	}
}
