/*
 * Probing's container walks: markers, chunks or blocks, never pixel
 * data, through the readers of lib/ctr.c.  Each proves that image data
 * follows the header and reads the dimensions (and, for WebP, the
 * frames and EXIF) the header claims, before any decoder runs.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bmff.h"
#include "ctr.h"
#include "img.h"
#include "img_walk.h"

/* SOF0..SOF15, less DHT (C4), JPG (C8) and DAC (CC). */
static int
img_jpeg_sof(int m)
{
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/*
 * JPEG: the segments up to the first scan.  libjpeg's ping stops at SOF and
 * answers with the dimensions even when nothing follows, and a full read
 * then paints the missing scan grey without a warning, so the walk itself
 * asks for a frame header, a complete scan header, and one byte of scan.
 */
static int
img_walk_jpeg(const uint8_t *p, size_t len, struct img_hdr *h)
{
	struct ctr_it	 it = { p, len, 2, 0 };
	struct ctr_seg	 s;
	int		 sof = 0;

	while (ctr_jpeg_next(&it, &s) == CTR_SEG) {
		if (img_jpeg_sof(s.marker) && !sof) {
			if (s.dlen < 6)
				return -1;
			sof = 1;
			h->height = ctr_be16(p + s.data + 1);
			h->width = ctr_be16(p + s.data + 3);
		}
		if (s.marker == 0xda)
			return sof && s.end < len ? 0 : -1;
	}
	return -1;	/* EOI, or the end, before a scan */
}

/*
 * PNG: IHDR first, then every chunk up to a complete IEND, with an IDAT of
 * at least one byte on the way.  Ping reads only up to the first IDAT's
 * header, but ImageMagick's full read refuses a PNG that lacks any byte of
 * IEND, so a truncated PNG is refused here rather than stored unresizable.
 */
static int
img_walk_png(const uint8_t *p, size_t len, struct img_hdr *h)
{
	struct ctr_it	 it = { p, len, 8, 0 };
	struct ctr_seg	 s;
	int		 idat = 0;

	if (len < 33 || ctr_be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4))
		return -1;
	h->width = ctr_be32(p + 16);
	h->height = ctr_be32(p + 20);
	while (ctr_png_next(&it, &s) == CTR_SEG) {
		if (memcmp(s.tag, "IEND", 4) == 0)
			return idat ? 0 : -1;
		if (memcmp(s.tag, "IDAT", 4) == 0 && s.dlen > 0)
			idat = 1;
	}
	return -1;
}

/*
 * GIF: the blocks up to the first image, which must carry a non-empty LZW
 * sub-block.  ImageMagick's ping walks the rest and reports truncated
 * frames as a corrupt-image error.  The header dimensions are the larger of
 * the logical screen and the first frame, for the early limit check only.
 */
static int
img_walk_gif(const uint8_t *p, size_t len, struct img_hdr *h)
{
	size_t	 off = 13, ct;

	if (len < 13)
		return -1;
	h->width = ctr_le16(p + 6);
	h->height = ctr_le16(p + 8);
	if (p[10] & 0x80)
		off += 3 << ((p[10] & 7) + 1);
	while (off < len) {
		if (p[off] == 0x21) {
			if ((off = ctr_gif_blocks(p, len, off + 2)) == 0)
				return -1;
			continue;
		}
		if (p[off] != 0x2c || len - off < 10)
			return -1;	/* trailer or junk before an image */
		if ((long)ctr_le16(p + off + 5) > h->width)
			h->width = ctr_le16(p + off + 5);
		if ((long)ctr_le16(p + off + 7) > h->height)
			h->height = ctr_le16(p + off + 7);
		ct = p[off + 9] & 0x80 ? 3 << ((p[off + 9] & 7) + 1) : 0;
		off += 10 + ct;
		/* The LZW code size, a sub-block length, one byte of it. */
		return off < len && len - off >= 3 && p[off + 1] != 0 ? 0 : -1;
	}
	return -1;
}

/*
 * A VP8 or VP8L chunk's bitstream header: 0 with the dimensions, -1 if
 * it is not followed by data, 1 if the chunk is no bitstream (ALPH).
 */
static int
img_webp_vp8(const uint8_t *p, const struct ctr_seg *s, long *w, long *h)
{
	const uint8_t	*d = p + s->data;
	uint32_t	 v;

	if (memcmp(s->tag, "VP8 ", 4) == 0) {
		/* A key frame's tag, start code, 14-bit sides. */
		if (s->dlen <= 10 || (d[0] & 1) || d[3] != 0x9d ||
		    d[4] != 0x01 || d[5] != 0x2a)
			return -1;
		*w = ctr_le16(d + 6) & 0x3fff;
		*h = ctr_le16(d + 8) & 0x3fff;
		return 0;
	}
	if (memcmp(s->tag, "VP8L", 4) == 0) {
		/* Signature, 14-bit sides less one, version 0. */
		if (s->dlen <= 5 || d[0] != 0x2f || ((v = ctr_le32(d + 1))
		    >> 29) != 0)
			return -1;
		*w = (v & 0x3fff) + 1;
		*h = (v >> 14 & 0x3fff) + 1;
		return 0;
	}
	return 1;
}

/*
 * Finds the first VP8 or VP8L chunk in p[off..len), skipping others,
 * and reads its dimensions.  Returns -1 if there is none or its header
 * is not followed by data.
 */
static int
img_webp_bits(const uint8_t *p, size_t len, size_t off, long *w, long *h)
{
	struct ctr_it	 it = { p, len, off, 0 };
	struct ctr_seg	 s;
	int		 r;

	while (ctr_riff_next(&it, &s) == CTR_SEG)
		if ((r = img_webp_vp8(p, &s, w, h)) != 1)
			return r;
	return -1;
}

/*
 * One ANMF chunk's payload: the frame's rectangle must lie on the canvas
 * and match its bitstream, as libwebp's demuxer demands.
 */
static int
img_webp_frame(const uint8_t *d, size_t n, const struct img_hdr *h)
{
	long	 x, y, fw, fh, bw, bh;

	if (n < 16)
		return -1;
	x = 2 * (long)ctr_le24(d);
	y = 2 * (long)ctr_le24(d + 3);
	fw = (long)ctr_le24(d + 6) + 1;
	fh = (long)ctr_le24(d + 9) + 1;
	if (x + fw > h->width || y + fh > h->height)
		return -1;
	if (img_webp_bits(d, n, 16, &bw, &bh) == -1)
		return -1;
	return bw == fw && bh == fh ? 0 : -1;
}

/* The chunks after VP8X: ANMF frames when animated, and EXIF. */
static int
img_webp_chunks(struct ctr_it *it, struct img_hdr *h, int flags)
{
	struct ctr_seg	 s;
	enum ctr_step	 st;

	while ((st = ctr_riff_next(it, &s)) == CTR_SEG) {
		if (memcmp(s.tag, "ANMF", 4) == 0 && (flags & 0x02)) {
			if (img_webp_frame(it->p + s.data, s.dlen, h) == -1)
				return -1;
			h->frames++;
		}
		if (memcmp(s.tag, "EXIF", 4) == 0 && (flags & 0x08)) {
			h->exif = it->p + s.data;
			h->exif_len = s.dlen;
		}
	}
	return st == CTR_END && h->frames > 0 ? 0 : -1;
}

/*
 * WebP: the RIFF chunks.  ImageMagick refuses a RIFF whose declared size is
 * not all there, and so does this.  A simple file is one VP8 or VP8L chunk;
 * an extended one (VP8X) has a canvas and either one bitstream of the same
 * size or, animated, ANMF frames on it.
 */
static int
img_walk_webp(const uint8_t *p, size_t len, struct img_hdr *h)
{
	struct ctr_it	 it = { p, 0, 12, 0 };
	struct ctr_seg	 s;
	uint32_t	 n;
	long		 bw, bh;
	int		 flags;

	if (len < 20 || (n = ctr_le32(p + 4)) < 12 || n > len - 8)
		return -1;
	it.len = 8 + (size_t)n;
	if (ctr_riff_next(&it, &s) != CTR_SEG)
		return -1;
	if (memcmp(s.tag, "VP8X", 4) != 0) {
		h->frames = 1;
		return img_webp_vp8(p, &s, &h->width, &h->height) == 0 ? 0 :
		    -1;
	}
	if (s.dlen < 10)
		return -1;
	flags = p[s.data];
	h->width = (long)ctr_le24(p + s.data + 4) + 1;
	h->height = (long)ctr_le24(p + s.data + 7) + 1;
	if (!(flags & 0x02)) {
		h->frames = 1;
		if (img_webp_bits(p, it.len, it.off, &bw, &bh) == -1)
			return -1;
		if (bw != h->width || bh != h->height)
			return -1;
	}
	return img_webp_chunks(&it, h, flags);
}

/* TIFF tags the walk reads. */
#define IMG_TIFF_WIDTH		256
#define IMG_TIFF_LENGTH		257
#define IMG_TIFF_STRIPS		273
#define IMG_TIFF_ORIENT		274
#define IMG_TIFF_STRIPBYTES	279
#define IMG_TIFF_TILES		324
#define IMG_TIFF_TILEBYTES	325
#define IMG_TIFF_EXTRA		338

/*
 * Pages past this are not counted: the limit of frames is far below it,
 * and a chain that long is refused by that limit, whatever its length.
 */
#define IMG_TIFF_PAGES_MAX	(1L << 16)

/* 1 with the first SHORT or LONG value of tag in the IFD at off; 0. */
static int
img_tiff_uint(const uint8_t *p, size_t len, int be, uint32_t off,
    uint16_t tag, uint32_t *v)
{
	struct ctr_ifd_ent	 e;

	return ctr_ifd_entry(p, len, be, off, tag, &e) &&
	    ctr_ifd_uint(p, len, be, &e, 0, v);
}

/* 1 when the whole IFD at off, its entries and next offset, is there. */
static int
img_tiff_ifd_in(const uint8_t *p, size_t len, int be, uint32_t off)
{
	if (off < 8 || off > len || len - off < 2)
		return 0;
	return (len - off - 2) / 12 >= ctr_rd16(p + off, be) &&
	    len - off - 2 - 12 * (size_t)ctr_rd16(p + off, be) >= 4;
}

/*
 * The first strip (or tile) of the IFD at off must lie inside the file,
 * and hold a byte at least, as the first scan of a JPEG must.
 */
static int
img_tiff_data(const uint8_t *p, size_t len, int be, uint32_t off)
{
	uint32_t	 at, n;

	if ((!img_tiff_uint(p, len, be, off, IMG_TIFF_STRIPS, &at) ||
	    !img_tiff_uint(p, len, be, off, IMG_TIFF_STRIPBYTES, &n)) &&
	    (!img_tiff_uint(p, len, be, off, IMG_TIFF_TILES, &at) ||
	    !img_tiff_uint(p, len, be, off, IMG_TIFF_TILEBYTES, &n)))
		return -1;
	return n > 0 && at <= len && n <= len - at ? 0 : -1;
}

/*
 * The pages: IFDs chained from IFD0 by their next offsets, each wholly
 * inside the file.  A chain that comes back to an IFD is corrupt; it is
 * caught by Brent's method (the chain is compared with the IFD it stood
 * at after 1, 2, 4... steps), in constant memory and linear time.
 */
static long
img_tiff_pages(const uint8_t *p, size_t len, int be, uint32_t off)
{
	uint32_t	 saved = off;
	long		 n, power = 1, lam = 0;

	for (n = 1; n < IMG_TIFF_PAGES_MAX; n++) {
		if ((off = ctr_ifd_next(p, len, be, off)) == 0)
			return n;
		if (!img_tiff_ifd_in(p, len, be, off) || off == saved)
			return -1;
		if (++lam == power) {
			saved = off;
			power *= 2;
			lam = 0;
		}
	}
	return n;
}

/*
 * TIFF (classic): IFD0 gives the first page's sides, orientation and
 * extra samples, and must point to its image data; the chain of IFDs
 * gives the pages, which count as frames.
 */
static int
img_walk_tiff(const uint8_t *p, size_t len, struct img_hdr *h)
{
	uint32_t	 ifd0, w, l, v;
	int		 be;

	if (!ctr_tiff_hdr(p, len, &be, &ifd0) ||
	    !img_tiff_ifd_in(p, len, be, ifd0))
		return -1;
	if (!img_tiff_uint(p, len, be, ifd0, IMG_TIFF_WIDTH, &w) ||
	    !img_tiff_uint(p, len, be, ifd0, IMG_TIFF_LENGTH, &l) ||
	    w == 0 || l == 0 || w > INT32_MAX || l > INT32_MAX)
		return -1;
	h->width = w;
	h->height = l;
	if (img_tiff_uint(p, len, be, ifd0, IMG_TIFF_ORIENT, &v) &&
	    v >= 1 && v <= 8)
		h->orient = (int)v;
	/* 1: associated (premultiplied) alpha, 2: unassociated. */
	if (img_tiff_uint(p, len, be, ifd0, IMG_TIFF_EXTRA, &v) &&
	    (v == 1 || v == 2))
		h->alpha = 1;
	if (img_tiff_data(p, len, be, ifd0) == -1)
		return -1;
	return (h->frames = img_tiff_pages(p, len, be, ifd0)) == -1 ? -1 : 0;
}

/* The BMP compressions ImageMagick reads: RGB, RLE8, RLE4, masks. */
#define IMG_BMP_RGB		0
#define IMG_BMP_RLE8		1
#define IMG_BMP_RLE4		2
#define IMG_BMP_BITFIELDS	3
#define IMG_BMP_ALPHABITFIELDS	6

static int
img_bmp_bits(uint32_t b)
{
	return b == 1 || b == 4 || b == 8 || b == 16 || b == 24 || b == 32;
}

/*
 * The DIB header of a Windows BMP (BITMAPINFOHEADER and its V2..V5
 * extensions; the file header is 14 bytes, so fields are at 14 + their
 * place in it): signed sides, a negative height for rows stored top
 * down, which run-length compression does not allow.
 */
static int
img_bmp_info(const uint8_t *p, uint32_t dib, struct img_hdr *h)
{
	int32_t		 w, ht;
	uint32_t	 bits, comp;

	w = (int32_t)ctr_le32(p + 18);
	ht = (int32_t)ctr_le32(p + 22);
	bits = ctr_le16(p + 28);
	comp = ctr_le32(p + 30);
	if (w <= 0 || ht == 0 || ht == INT32_MIN || ctr_le16(p + 26) != 1 ||
	    !img_bmp_bits(bits))
		return -1;
	if (comp != IMG_BMP_RGB && comp != IMG_BMP_RLE8 &&
	    comp != IMG_BMP_RLE4 && comp != IMG_BMP_BITFIELDS &&
	    comp != IMG_BMP_ALPHABITFIELDS)
		return -1;
	if ((comp == IMG_BMP_RLE8 || comp == IMG_BMP_RLE4) && ht < 0)
		return -1;
	h->width = w;
	h->height = ht < 0 ? -(long)ht : ht;
	/* V4 and V5 carry an alpha mask after the colour masks. */
	h->alpha = comp == IMG_BMP_ALPHABITFIELDS || (bits == 32 &&
	    dib >= 108 && ctr_le32(p + 66) != 0);
	return 0;
}

/*
 * BMP: the file header, whose pixel data offset must leave a byte of
 * pixels in the file after the headers, and the DIB header: OS/2's core
 * header of 16-bit sides, or Windows' info header.
 */
static int
img_walk_bmp(const uint8_t *p, size_t len, struct img_hdr *h)
{
	uint32_t	 dib, bits, at;

	if (len < 26)
		return -1;
	dib = ctr_le32(p + 14);
	at = ctr_le32(p + 10);
	if (dib > len - 14 || at < 14 + dib || at >= len)
		return -1;
	h->frames = 1;
	if (dib != 12)
		return dib >= 40 ? img_bmp_info(p, dib, h) : -1;
	bits = ctr_le16(p + 24);
	if (ctr_le16(p + 22) != 1 || !img_bmp_bits(bits))
		return -1;
	h->width = ctr_le16(p + 18);
	h->height = ctr_le16(p + 20);
	return h->width > 0 && h->height > 0 ? 0 : -1;
}

/*
 * Walks the container of p[0..len), whose magic must say t, into h:
 * 0 when image data follows the header, else -1.  Reads headers only.
 */
int
img_walk(const uint8_t *p, size_t len, enum img_type t, struct img_hdr *h)
{
	if (img_sniff(p, len) != t)
		return -1;
	switch (t) {
	case IMG_JPEG:
		return img_walk_jpeg(p, len, h);
	case IMG_PNG:
		return img_walk_png(p, len, h);
	case IMG_GIF:
		return img_walk_gif(p, len, h);
	case IMG_WEBP:
		return img_walk_webp(p, len, h);
	case IMG_HEIC:
	case IMG_AVIF:
		return bmff_walk(p, len, h);
	case IMG_TIFF:
		return img_walk_tiff(p, len, h);
	case IMG_BMP:
		return img_walk_bmp(p, len, h);
	default:
		return -1;
	}
}
