/*
 * Image probing.  The type comes from the magic bytes alone.  A walk of the
 * format's container (markers, chunks or blocks, never pixel data) then
 * proves that image data follows the header and reads the dimensions the
 * header claims, so nothing over the limits reaches a decoder.  Last,
 * ImageMagick pings the bytes (headers only, no pixel decode) for the
 * dimensions, frame count and EXIF orientation it will act on later.
 *
 * WebP is the exception: ImageMagick 6's WebP coder decodes every pixel
 * even when pinging (coders/webp.c calls WebPDecode unconditionally, and
 * before any resource check): 250 ms and 48 MB for a 12 MP picture.
 * WebP dimensions and frames therefore come from the container walk
 * alone.  FIXME: linking libwebpdemux (WebPGetFeatures, WebPDemux) would
 * replace img_walk_webp's header reading with the library's own.
 *
 * HEIC and AVIF are not ImageMagick's (lib/heic.c): their dimensions and
 * orientation come from the walk of their meta box (lib/bmff.c), and
 * libheif reads the boxes, decoding nothing, to say it takes them.  A
 * TIFF is pinged for its first page alone; its pages are the walk's.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wand/MagickWand.h>

#include "conf.h"
#include "ctr.h"
#include "heic.h"
#include "img.h"
#include "img_policy.h"
#include "img_walk.h"
#include "log.h"

/*
 * An animation's pixels, coalesced into whole frames the size of its
 * canvas, as a share of max_pixels: frames x canvas may not exceed
 * max_pixels / 8 (12.5 MP by default).  A still image of max_pixels is
 * read once, and scaled once, row after row, which the disk cache does
 * in seconds; the frames of an animation are walked a dozen times
 * (coalescing, three scalings, layer optimisation, quantization, two
 * encoders) and only stay affordable in memory.  The resizer holds two
 * sets of them at once (the decoded or scaled frames beside the
 * coalesced ones, the GIF's optimised layers beside the frames), at 8
 * bytes a pixel: 2 x 12.5 MP x 8 = 200 MB, inside IMG_MEMORY.  Measured
 * (docs/OPERATIONS.md): 300x300 x 138 frames takes 0.9 s of CPU and
 * 120 MB; 500x500 x 100 frames (25 MP) spilled to disk and took 6.6 s
 * and 19 s of wall time, 300x300 x 1000 frames over 120 s.
 */
#define IMG_COALESCED_SHARE	8

/*
 * ImageMagick's coder names, and the file name prefixes that force them;
 * a TIFF's first page alone.  NULL where ImageMagick does not ping it.
 */
static const char *const img_coders[] = {
	NULL, "JPEG", "PNG", "GIF", "WEBP", NULL, NULL, "TIFF", "BMP",
};
static const char *const img_forced[] = {
	NULL, "JPEG:", "PNG:", "GIF:", "WEBP:", NULL, NULL, "TIFF:ping[0]",
	"BMP:",
};

/* IMG_TOO_BIG if w x h breaks a limit of c, else IMG_OK. */
static enum img_status
img_over(const struct conf *c, long w, long h)
{
	long long	 side = c->max_side;

	if (img_side_cap >= 0 && img_side_cap < side)
		side = img_side_cap;
	if (w > side || h > side || (long long)w * h > c->max_pixels)
		return IMG_TOO_BIG;
	return IMG_OK;
}

/*
 * The pixels an animation of n frames on a canvas of cw x ch costs the
 * resizer: each frame counted at the canvas size it is coalesced to, or
 * at its own size when it is larger (each is decoded at that size).
 * A still image is not coalesced: img_over() checks it alone.
 * IMG_TOO_BIG past max_pixels / IMG_COALESCED_SHARE, else IMG_OK.
 */
static enum img_status
img_coalesced_over(const struct conf *c, long long *total, long long frame,
    long cw, long ch)
{
	long long	 canvas = (long long)cw * ch;

	*total += frame > canvas ? frame : canvas;
	return *total > c->max_pixels / IMG_COALESCED_SHARE ? IMG_TOO_BIG :
	    IMG_OK;
}

/*
 * An animated WebP's frames on its canvas, from the walk (WebP only: the
 * walk has already checked that every frame lies on the canvas).
 */
static enum img_status
img_webp_coalesced_over(const struct conf *c, const struct img_hdr *h)
{
	long long	 total = 0;
	long		 i;

	for (i = 0; h->frames > 1 && i < h->frames; i++)
		if (img_coalesced_over(c, &total, 0, h->width, h->height) !=
		    IMG_OK)
			return IMG_TOO_BIG;
	return IMG_OK;
}

/*
 * Copies an ImageMagick message onto one printable line, cut to fit: it is
 * only ever logged, so a cut message is no error.
 */
static void
img_oneline(char *dst, size_t dstsz, const char *src)
{
	size_t	 i;

	for (i = 0; i + 1 < dstsz && src != NULL && src[i] != '\0'; i++)
		dst[i] = src[i] < 0x20 || src[i] == 0x7f ? ' ' : src[i];
	dst[i] = '\0';
}

/*
 * Maps the wand's exception after a failed or doubtful ping and puts its
 * message in why.  Resource-limit errors (the frame count reaching the
 * list-length limit, say) are IMG_TOO_BIG; everything else is IMG_BAD.
 */
static enum img_status
img_wand_status(MagickWand *w, char *why, size_t whysz)
{
	ExceptionType	 sev;
	char		*desc;

	desc = MagickGetException(w, &sev);
	if (desc != NULL && *desc != '\0')
		img_oneline(why, whysz, desc);
	else
		img_oneline(why, whysz, "ImageMagick refuses it");
	MagickRelinquishMemory(desc);
	MagickClearException(w);
	return sev == ResourceLimitError || sev == ResourceLimitFatalError ?
	    IMG_TOO_BIG : IMG_BAD;
}

/*
 * The frames' sides, checked one by one: a GIF frame may be larger than
 * the logical screen, and each is decoded at its own size.  Then, for an
 * animation, the frames together on the canvas cw x ch.  Says which
 * limit in why.
 */
static enum img_status
img_frames_over(MagickWand *w, const struct conf *c, size_t n, long cw,
    long ch, char *why, size_t whysz)
{
	size_t		 i, pw, ph;
	ssize_t		 px, py;
	long		 fw, fh;
	long long	 total = 0;

	for (i = 0; i < n; i++) {
		if (!MagickSetIteratorIndex(w, (ssize_t)i) ||
		    !MagickGetImagePage(w, &pw, &ph, &px, &py))
			return IMG_BAD;
		fw = (long)MagickGetImageWidth(w);
		fh = (long)MagickGetImageHeight(w);
		if (img_over(c, fw, fh) != IMG_OK ||
		    img_over(c, (long)pw, (long)ph) != IMG_OK) {
			img_oneline(why, whysz, "a frame is over the limits");
			return IMG_TOO_BIG;
		}
		if (n > 1 && img_coalesced_over(c, &total, (long long)fw * fh,
		    cw, ch) != IMG_OK) {
			/* Numbers only: the line cannot be cut. */
			(void)snprintf(why, whysz, "%zu frames of %ld x %ld: "
			    "over the coalesced pixel budget", n, cw, ch);
			return IMG_TOO_BIG;
		}
	}
	return MagickSetIteratorIndex(w, 0) ? IMG_OK : IMG_BAD;
}

/*
 * Pings buf with the decoder forced to t, and fills out's dimensions (the
 * GIF logical screen where it has one, else the first image), frames and
 * the EXIF orientation in *orient.  On failure, says why in why.
 */
static enum img_status
img_ping(const void *buf, size_t len, enum img_type t, const struct conf *c,
    struct img_info *out, int *orient, char *why, size_t whysz)
{
	MagickWand	*w;
	enum img_status	 st = IMG_BAD;
	char		*fmt = NULL;
	size_t		 n, pw, ph;
	ssize_t		 px, py;

	w = NewMagickWand();
	/*
	 * MagickSetFormat() alone is only a hint: ImageMagick 6 still picks
	 * the coder from the bytes.  The "PNG:" file name prefix forces it.
	 */
	if (!MagickSetFormat(w, img_coders[t]) ||
	    !MagickSetFilename(w, img_forced[t]) ||
	    !MagickPingImageBlob(w, buf, len) ||
	    MagickGetExceptionType(w) >= ErrorException) {
		st = img_wand_status(w, why, whysz);
		goto out;
	}
	img_oneline(why, whysz, "no image in the ping");
	if ((n = MagickGetNumberImages(w)) == 0 ||
	    !MagickSetIteratorIndex(w, 0))
		goto out;
	/* The coder that answered must be the one forced. */
	fmt = MagickGetImageFormat(w);
	/* The BMP coder names a BMP by its version: "BMP3". */
	if (fmt == NULL || (strcmp(fmt, img_coders[t]) != 0 &&
	    (t != IMG_BMP || strncmp(fmt, "BMP", 3) != 0))) {
		img_oneline(why, whysz, "another coder answered");
		goto out;
	}
	out->frames = (long)n;
	out->width = (long)MagickGetImageWidth(w);
	out->height = (long)MagickGetImageHeight(w);
	if (t == IMG_GIF && MagickGetImagePage(w, &pw, &ph, &px, &py) &&
	    pw > 0 && ph > 0) {
		out->width = (long)pw;
		out->height = (long)ph;
	}
	*orient = (int)MagickGetImageOrientation(w);
	st = img_frames_over(w, c, n, out->width, out->height, why, whysz);
out:
	MagickRelinquishMemory(fmt);
	DestroyMagickWand(w);
	return st;
}

/*
 * The EXIF orientation ImageMagick would find in a WebP's EXIF chunk: it
 * reads one only when it starts "Exif\0\0", which the WebP specification
 * does not ask for, so most WebP files have none as far as it is concerned.
 * Asked of ImageMagick's own EXIF parser, on a one-pixel image.
 */
static int
img_exif_orientation(const uint8_t *exif, size_t len)
{
	MagickWand	*w;
	PixelWand	*bg;
	char		*v;
	int		 o = 0;

	w = NewMagickWand();
	bg = NewPixelWand();
	if (MagickNewImage(w, 1, 1, bg) &&
	    MagickSetImageProfile(w, "exif", exif, len) &&
	    (v = MagickGetImageProperty(w, "exif:Orientation")) != NULL) {
		o = (int)strtonum(v, 1, 8, NULL);
		MagickRelinquishMemory(v);
	}
	DestroyPixelWand(bg);
	DestroyMagickWand(w);
	return o;
}

/* Dimensions and frames from the container walk alone (WebP, HEIF). */
static void
img_from_hdr(const struct img_hdr *h, struct img_info *out, int *orient)
{
	out->width = h->width;
	out->height = h->height;
	out->frames = h->frames;
	out->alpha = h->alpha;
	*orient = h->orient;
	if (h->exif != NULL && h->frames == 1)
		*orient = img_exif_orientation(h->exif, h->exif_len);
}

/*
 * HEIC and AVIF: the walk's dimensions and orientation (irot, imir),
 * and libheif's reading of the boxes, which decodes nothing, for the
 * alpha channel it will decode.
 */
static enum img_status
img_from_heif(const void *buf, size_t len, const struct img_hdr *h,
    const struct conf *c, struct img_info *out, int *orient, char *why,
    size_t whysz)
{
	img_from_hdr(h, out, orient);
	return heic_check(buf, len, c->max_side, &out->alpha, why,
	    whysz) == 0 ? IMG_OK : IMG_BAD;
}

/*
 * The checks of the headers alone, walked into h: the magic, the
 * dimensions, the frame count and a WebP's frames x canvas.  Nothing is
 * decoded or inflated.  IMG_OK, or the status with why filled.
 */
static enum img_status
img_headers_over(const void *buf, size_t len, enum img_type t,
    const struct conf *c, struct img_hdr *h, char *why, size_t sz)
{
	enum img_status	 st;

	memset(h, 0, sizeof(*h));
	strlcpy(why, "no image data after the header", sz);
	if (img_name(t) == NULL || buf == NULL || img_walk(buf, len, t, h) == -1)
		return IMG_BAD;
	/* Numbers only: these lines cannot be cut. */
	if ((st = img_over(c, h->width, h->height)) != IMG_OK) {
		(void)snprintf(why, sz, "%ld x %ld: over the limits",
		    h->width, h->height);
		return st;
	}
	if (h->frames > c->max_frames) {
		(void)snprintf(why, sz, "%ld frames: over the limit",
		    h->frames);
		return IMG_TOO_BIG;
	}
	if (img_webp_coalesced_over(c, h) != IMG_OK) {
		(void)snprintf(why, sz, "%ld frames of %ld x %ld: over the "
		    "coalesced pixel budget", h->frames, h->width, h->height);
		return IMG_TOO_BIG;
	}
	return IMG_OK;
}

/*
 * The first checks of img_probe(), which runs them again on the bytes it
 * is given: the upload asks these of the bytes sent, before the stripper
 * inflates anything, and img_probe() of the bytes stored.
 */
enum img_status
img_check_headers(const void *buf, size_t len, enum img_type t,
    const struct conf *c)
{
	struct img_hdr	 h;
	enum img_status	 st;
	char		 why[128];

	if ((st = img_headers_over(buf, len, t, c, &h, why,
	    sizeof(why))) != IMG_OK)
		log_info("img_check_headers: %s, %zu bytes: %s",
		    img_name(t) != NULL ? img_name(t) : "none", len, why);
	return st;
}

/*
 * Returns IMG_OK with out filled, or IMG_BAD (wrong magic, no image data
 * after the header, or the decoder refuses it) or IMG_TOO_BIG with only
 * out->type set.  Needs img_init().  Logs the reason of a failure once.
 */
enum img_status
img_probe(const void *buf, size_t len, enum img_type t, const struct conf *c,
    struct img_info *out)
{
	struct img_hdr	 h;
	enum img_status	 st = IMG_BAD;
	char		 why[256] = "no image data after the header";
	int		 orient = 0;
	long		 tmp;

	memset(out, 0, sizeof(*out));
	out->type = t;
	/* Nothing over the limits reaches a decoder. */
	if ((st = img_headers_over(buf, len, t, c, &h, why,
	    sizeof(why))) != IMG_OK)
		goto fail;
	if (t == IMG_WEBP)
		img_from_hdr(&h, out, &orient);
	else if (t == IMG_HEIC || t == IMG_AVIF) {
		if ((st = img_from_heif(buf, len, &h, c, out, &orient, why,
		    sizeof(why))) != IMG_OK)
			goto fail;
	} else if ((st = img_ping(buf, len, t, c, out, &orient, why,
	    sizeof(why))) != IMG_OK)
		goto fail;
	/* A TIFF's pages, which the ping of the first alone did not count. */
	if (t == IMG_TIFF)
		out->frames = h.frames;
	st = IMG_BAD;
	if (out->width <= 0 || out->height <= 0) {
		img_oneline(why, sizeof(why), "no dimensions");
		goto fail;
	}
	if (out->frames > c->max_frames) {
		st = IMG_TOO_BIG;
		(void)snprintf(why, sizeof(why), "%ld frames: over the limit",
		    out->frames);
		goto fail;
	}
	/* LeftTop, RightTop, RightBottom, LeftBottom: turned a quarter. */
	if (orient >= LeftTopOrientation && orient <= LeftBottomOrientation) {
		tmp = out->width;
		out->width = out->height;
		out->height = tmp;
	}
	return IMG_OK;
fail:
	log_info("img_probe: %s, %zu bytes: %s", img_name(t) != NULL ?
	    img_name(t) : "none", len, why);
	memset(out, 0, sizeof(*out));
	out->type = t;
	return st;
}
