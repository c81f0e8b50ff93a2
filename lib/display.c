/*
 * Display copies: what browsers are shown of a HEIC, TIFF or BMP, made
 * within the upload request (API.md, "Formats taken").  The file as sent
 * is kept beside it; the resizer makes the variants from the copy, which
 * is upright and stripped already, as from any JPEG or PNG original.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wand/MagickWand.h>

#include "conf.h"
#include "display.h"
#include "heic.h"
#include "prep.h"

/* Copies the wand's message into why, before " `file' @ module/line". */
static void
display_wand_why(MagickWand *w, const char *what, char *why, size_t whysz)
{
	ExceptionType	 sev;
	char		*desc;

	desc = MagickGetException(w, &sev);
	(void)snprintf(why, whysz, "%s: %.*s", what,
	    desc != NULL ? (int)strcspn(desc, "`") : 0, desc != NULL ?
	    desc : "");
	MagickRelinquishMemory(desc);
	MagickClearException(w);
}

/*
 * ImageMagick's TIFF or BMP coder, forced by the file name's prefix; a
 * TIFF's first page only ("[0]"), its Photoshop layers and EXIF unread.
 */
static MagickWand *
display_decode_im(const void *buf, size_t len, enum img_type t, char *why,
    size_t whysz)
{
	MagickWand	*w;
	int		 ok;

	w = NewMagickWand();
	if (t == IMG_TIFF)
		ok = MagickSetFilename(w, "TIFF:upload[0]") &&
		    MagickSetOption(w, "tiff:ignore-layers", "true") &&
		    MagickSetOption(w, "tiff:exif-properties", "false");
	else
		ok = MagickSetFilename(w, "BMP:upload");
	if (!ok || !MagickReadImageBlob(w, buf, len) ||
	    MagickGetExceptionType(w) >= ErrorException ||
	    MagickGetNumberImages(w) == 0) {
		display_wand_why(w, "decode", why, whysz);
		DestroyMagickWand(w);
		return NULL;
	}
	/* Whatever the coder read past the first page goes. */
	while (MagickGetNumberImages(w) > 1) {
		MagickSetLastIterator(w);
		if (!MagickRemoveImage(w))
			break;
	}
	MagickResetIterator(w);
	return w;
}

/*
 * The variants' settings: progressive 4:2:0 JPEG, or PNG.  The file
 * name goes, since the "TIFF:" of the read would pick the encoder.
 */
static int
display_settings(MagickWand *w, enum img_type t)
{
	static const double	 yuv420[] = { 2, 1, 1 };

	if (!MagickSetFilename(w, "") || !MagickSetImageFilename(w, "") ||
	    !MagickSetImageDepth(w, 8))
		return 0;
	if (t == IMG_PNG)
		return MagickSetImageFormat(w, "PNG") &&
		    MagickSetImageCompressionQuality(w, PREP_PNG_QUALITY);
	return MagickSetImageFormat(w, "JPEG") &&
	    MagickSetImageCompressionQuality(w, PREP_JPEG_QUALITY) &&
	    MagickSetSamplingFactors(w, 3, yuv420) &&
	    MagickSetImageInterlaceScheme(w, JPEGInterlace);
}

/* Encodes w's image as the display copy into out; -1 with why set. */
static int
display_encode(MagickWand *w, struct display *out, char *why, size_t whysz)
{
	unsigned char		*blob;
	size_t			 len;

	out->type = MagickGetImageAlphaChannel(w) ? IMG_PNG : IMG_JPEG;
	if (!display_settings(w, out->type) ||
	    (blob = MagickGetImageBlob(w, &len)) == NULL || len == 0) {
		display_wand_why(w, "encode", why, whysz);
		return -1;
	}
	out->data = malloc(len);
	if (out->data != NULL) {
		memcpy(out->data, blob, len);
		out->len = len;
	}
	MagickRelinquishMemory(blob);
	if (out->data == NULL) {
		(void)snprintf(why, whysz, "encode: out of memory");
		return -1;
	}
	out->width = (long)MagickGetImageWidth(w);
	out->height = (long)MagickGetImageHeight(w);
	return 0;
}

int
display_make(const void *buf, size_t len, enum img_type t,
    const struct conf *c, struct display *out, char *why, size_t whysz)
{
	MagickWand	*w;
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	if (t == IMG_HEIC)
		w = heic_decode(buf, len, c->max_side, why, whysz);
	else if (t == IMG_TIFF || t == IMG_BMP)
		w = display_decode_im(buf, len, t, why, whysz);
	else {
		(void)snprintf(why, whysz, "no display copy for this type");
		return -1;
	}
	if (w == NULL)
		return -1;
	MagickResetIterator(w);
	if (!MagickNextImage(w) || prep_frames(w) == -1)
		display_wand_why(w, "prepare", why, whysz);
	else {
		MagickResetIterator(w);
		(void)MagickNextImage(w);
		rc = display_encode(w, out, why, whysz);
	}
	DestroyMagickWand(w);
	return rc;
}
