/*
 * Probing's container walks: markers, chunks or blocks, never pixel
 * data, through the readers of lib/ctr.c.  Each proves that image data
 * follows the header and reads the dimensions (and, for WebP, the
 * frames and EXIF) the header claims, before any decoder runs.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
	size_t	 off = 2, seg;
	int	 m, sof = 0;

	while (off < len) {
		/* Stray bytes between segments: libjpeg skips them too. */
		if (p[off] != 0xff) {
			off++;
			continue;
		}
		while (off < len && p[off] == 0xff)
			off++;
		if (off == len)
			break;
		m = p[off++];
		if (m == 0x00 || m == 0x01 || m == 0xd8 ||
		    (m >= 0xd0 && m <= 0xd7))
			continue;	/* no length follows these */
		if (m == 0xd9 || len - off < 2)
			return -1;	/* EOI or the end before a scan */
		seg = ctr_be16(p + off);
		if (seg < 2 || seg > len - off)
			return -1;
		if (img_jpeg_sof(m) && !sof) {
			if (seg < 8)
				return -1;
			sof = 1;
			h->height = ctr_be16(p + off + 3);
			h->width = ctr_be16(p + off + 5);
		}
		if (m == 0xda)
			return sof && seg < len - off ? 0 : -1;
		off += seg;
	}
	return -1;
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
	size_t		 off = 8;
	uint32_t	 n;
	int		 idat = 0;

	if (len < 33 || ctr_be32(p + 8) != 13 || memcmp(p + 12, "IHDR", 4))
		return -1;
	h->width = ctr_be32(p + 16);
	h->height = ctr_be32(p + 20);
	while (len - off >= 12) {
		n = ctr_be32(p + off);
		if (n > 0x7fffffff || n > len - off - 12)
			return -1;
		if (memcmp(p + off + 4, "IEND", 4) == 0)
			return idat ? 0 : -1;
		if (memcmp(p + off + 4, "IDAT", 4) == 0 && n > 0)
			idat = 1;
		off += 12 + (size_t)n;
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
 * Finds the first VP8 or VP8L chunk in [p, p + len), skipping others (ALPH),
 * and reads the dimensions from its bitstream header.  Returns -1 if there
 * is none or its header is not followed by data.
 */
static int
img_webp_bits(const uint8_t *p, size_t len, long *w, long *h)
{
	size_t		 off = 0;
	uint32_t	 n, v;
	const uint8_t	*d;

	while (len - off >= 8) {
		n = ctr_le32(p + off + 4);
		if (n > len - off - 8)
			return -1;
		d = p + off + 8;
		if (memcmp(p + off, "VP8 ", 4) == 0) {
			/* A key frame's tag, start code, 14-bit sides. */
			if (n <= 10 || (d[0] & 1) || d[3] != 0x9d ||
			    d[4] != 0x01 || d[5] != 0x2a)
				return -1;
			*w = ctr_le16(d + 6) & 0x3fff;
			*h = ctr_le16(d + 8) & 0x3fff;
			return 0;
		}
		if (memcmp(p + off, "VP8L", 4) == 0) {
			/* Signature, 14-bit sides less one, version 0. */
			if (n <= 5 || d[0] != 0x2f || ((v = ctr_le32(d + 1))
			    >> 29) != 0)
				return -1;
			*w = (v & 0x3fff) + 1;
			*h = (v >> 14 & 0x3fff) + 1;
			return 0;
		}
		off += 8 + (size_t)n;
		if ((n & 1) && off < len)
			off++;
	}
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
	if (img_webp_bits(d + 16, n - 16, &bw, &bh) == -1)
		return -1;
	return bw == fw && bh == fh ? 0 : -1;
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
	size_t		 end, off = 12;
	uint32_t	 n;
	long		 bw, bh;
	int		 flags;

	if (len < 20 || (n = ctr_le32(p + 4)) < 12 || n > len - 8)
		return -1;
	end = 8 + (size_t)n;
	if (memcmp(p + 12, "VP8X", 4) != 0) {
		if (memcmp(p + 12, "VP8 ", 4) != 0 &&
		    memcmp(p + 12, "VP8L", 4) != 0)
			return -1;
		h->frames = 1;
		return img_webp_bits(p + 12, end - 12, &h->width, &h->height);
	}
	if ((n = ctr_le32(p + 16)) < 10 || n > end - 20)
		return -1;
	flags = p[20];
	h->width = (long)ctr_le24(p + 24) + 1;
	h->height = (long)ctr_le24(p + 27) + 1;
	off = 20 + (size_t)n + (n & 1);
	if (!(flags & 0x02)) {
		h->frames = 1;
		if (off > end || img_webp_bits(p + off, end - off, &bw, &bh)
		    == -1)
			return -1;
		if (bw != h->width || bh != h->height)
			return -1;
	}
	for (; off <= end && end - off >= 8; off += 8 + (size_t)n + (n & 1)) {
		if ((n = ctr_le32(p + off + 4)) > end - off - 8)
			return -1;
		if (memcmp(p + off, "ANMF", 4) == 0 && (flags & 0x02)) {
			if (img_webp_frame(p + off + 8, n, h) == -1)
				return -1;
			h->frames++;
		}
		if (memcmp(p + off, "EXIF", 4) == 0 && (flags & 0x08)) {
			h->exif = p + off + 8;
			h->exif_len = n;
		}
	}
	return h->frames > 0 ? 0 : -1;
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
	default:
		return -1;
	}
}
