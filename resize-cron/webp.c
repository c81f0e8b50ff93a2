/*
 * Still WebP, decoded with libwebp instead of ImageMagick 6's coder,
 * which has libwebp decode every pixel into a buffer of its own (4 bytes
 * a pixel, outside ImageMagick's memory limit) before copying them into
 * the pixel cache: 403 MB of resident memory for a 100 MP picture.
 * Here libwebp scales while it decodes (WebPDecoderConfig's use_scaling)
 * into a buffer at most box x box, which ImageMagick then takes in.
 * Animations keep ImageMagick's path: their frames x canvas budget
 * (lib/img.c, IMG_COALESCED_SHARE) already bounds them.
 */
#include <stdio.h>
#include <string.h>

#include <webp/decode.h>
#include <webp/demux.h>

#include "size.h"
#include "webp.h"

/* Attaches the container's ICCP chunk, if any, as the "icc" profile. */
static int
webp_icc(MagickWand *w, const void *buf, size_t len)
{
	WebPData		 data = { buf, len };
	WebPDemuxer		*dmux;
	WebPChunkIterator	 it;
	int			 rc = 0;

	if ((dmux = WebPDemux(&data)) == NULL)
		return 0;
	if (WebPDemuxGetChunk(dmux, "ICCP", 1, &it)) {
		if (!MagickSetImageProfile(w, "icc", it.chunk.bytes,
		    it.chunk.size))
			rc = -1;
		WebPDemuxReleaseChunkIterator(&it);
	}
	WebPDemuxDelete(dmux);
	return rc;
}

/* Hands the decoded pixels to a new wand; NULL on failure. */
static MagickWand *
webp_to_wand(const WebPDecBuffer *o, int alpha)
{
	MagickWand	*w;

	if ((w = NewMagickWand()) == NULL)
		return NULL;
	if (!MagickConstituteImage(w, (size_t)o->width, (size_t)o->height,
	    alpha ? "RGBA" : "RGB", CharPixel, o->u.RGBA.rgba)) {
		DestroyMagickWand(w);
		return NULL;
	}
	return w;
}

enum webp_status
webp_decode(const void *buf, size_t len, long box, MagickWand **out,
    long *width, long *height, char *err, size_t errsz)
{
	WebPDecoderConfig	 cfg;
	VP8StatusCode		 st;
	long			 sw, sh;
	int			 alpha;

	*out = NULL;
	if (!WebPInitDecoderConfig(&cfg)) {
		(void)snprintf(err, errsz, "decode: libwebp version mismatch");
		return WEBP_BAD;
	}
	if ((st = WebPGetFeatures(buf, len, &cfg.input)) != VP8_STATUS_OK) {
		(void)snprintf(err, errsz, "decode: not a WebP libwebp reads"
		    " (status %d)", (int)st);
		return WEBP_BAD;
	}
	if (cfg.input.has_animation)
		return WEBP_ANIMATED;
	*width = cfg.input.width;
	*height = cfg.input.height;
	size_fit(*width, *height, box, &sw, &sh);
	alpha = cfg.input.has_alpha;
	cfg.output.colorspace = alpha ? MODE_RGBA : MODE_RGB;
	if (sw != *width || sh != *height) {
		cfg.options.use_scaling = 1;
		cfg.options.scaled_width = (int)sw;
		cfg.options.scaled_height = (int)sh;
	}
	if ((st = WebPDecode(buf, len, &cfg)) != VP8_STATUS_OK) {
		(void)snprintf(err, errsz, "decode: libwebp failed (status %d)",
		    (int)st);
		WebPFreeDecBuffer(&cfg.output);
		return WEBP_BAD;
	}
	*out = webp_to_wand(&cfg.output, alpha);
	WebPFreeDecBuffer(&cfg.output);
	if (*out == NULL || webp_icc(*out, buf, len) == -1) {
		(void)snprintf(err, errsz, "decode: out of memory");
		if (*out != NULL)
			DestroyMagickWand(*out);
		*out = NULL;
		return WEBP_BAD;
	}
	return WEBP_OK;
}
