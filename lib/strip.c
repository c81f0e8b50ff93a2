/*
 * Location metadata out of originals.  The containers are walked with
 * the iterators of lib/ctr.c and copied segment by segment; only
 * the segments that carry location change:
 *
 *	EXIF	(JPEG APP1, PNG eXIf, WebP EXIF) is loaded by libexif, its
 *		GPS IFD emptied, and saved again, which also drops the GPS
 *		pointer.  Only a block that points to a GPS IFD is rewritten.
 *	XMP	(JPEG APP1, PNG iTXt, WebP "XMP ") keeps its length: the
 *		location properties are overwritten with spaces, which XML
 *		allows between attributes and between elements.
 *
 * Everything is bounded by the input: a length that runs past the end
 * stops the walk and the rest is copied as it is.  The output depends on
 * the input alone, so the same upload always hashes the same.
 *
 * What metadata expands to is bounded too, by one budget a call: every
 * compressed PNG chunk a decoder would inflate (zTXt, a compressed iTXt,
 * iCCP) is counted first, without keeping its text, and inflating stops
 * once the count passes the budget (STRIP_TOO_BIG); the packets of
 * extended XMP in JPEG draw their full lengths from it as well.  A text
 * chunk that changes is written back in its own form, compressed when it
 * was, and never larger than it was: one that would grow is left out.
 *
 * This file owns the driver and the JPEG, WebP and GIF walks;
 * strip_out.c the output buffer; strip_png.c the PNG chunks and the inflation budget,
 * strip_tiff.c TIFF files, in place; strip_exif.c, strip_xmp.c and
 * strip_iptc.c what each strips.
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


#include "ctr.h"
#include "img_type.h"
#include "strip.h"
#include "strip_int.h"

/* ---- JPEG ---- */

/*
 * Extended XMP: a packet over 64 KiB goes on in APP1 segments, each with
 * the GUID of the packet (32 bytes), its full length and the chunk's
 * offset in it (4 bytes each), then the chunk.  exiftool joins them, so
 * they are joined here too: a property split between two chunks does not
 * escape.  Their places in the output are noted while walking.
 */
#define STRIP_EXT_MAX	64
struct strip_ext {
	size_t	 at[STRIP_EXT_MAX];	/* where the GUID was copied to */
	size_t	 len[STRIP_EXT_MAX];	/* from there to the segment's end;
					   0 once done */
	size_t	 n;
};

/*
 * Copies chunk j, when it is of chunk i's packet, from the output into
 * the packet buf (or, with back set, from buf back into the output).
 */
static void
strip_ext_chunk(struct strip_out *o, const struct strip_ext *e, size_t i,
    size_t j, unsigned char *buf, size_t full, int back)
{
	unsigned char	*c = o->p + e->at[j];
	size_t		 dl;
	uint32_t	 off;

	if (e->len[j] == 0 || memcmp(c, o->p + e->at[i], 32) != 0)
		return;
	dl = e->len[j] - 40;
	off = ctr_rd32(c + 36, 1);
	if (off > full || dl > full - off)
		return;
	if (back)
		memcpy(c + 40, buf + off, dl);
	else
		memcpy(buf + off, c + 40, dl);
}

/* Blanks each chunk of chunk i's packet on its own. */
static void
strip_ext_alone(struct strip_out *o, const struct strip_ext *e, size_t i)
{
	size_t	 j;

	for (j = i; j < e->n; j++)
		if (e->len[j] != 0 &&
		    memcmp(o->p + e->at[j], o->p + e->at[i], 32) == 0)
			strip_xmp(o->p + e->at[j] + 40, e->len[j] - 40);
}

/* Joins the chunks of chunk i's packet of full bytes and blanks it. */
static void
strip_ext_join(struct strip_out *o, const struct strip_ext *e, size_t i,
    size_t full)
{
	unsigned char	*buf;
	size_t		 j;

	if ((buf = calloc(1, full)) == NULL) {
		o->nomem = 1;
		return;
	}
	for (j = i; j < e->n; j++)
		strip_ext_chunk(o, e, i, j, buf, full, 0);
	if (strip_xmp(buf, full) > 0)
		for (j = i; j < e->n; j++)
			strip_ext_chunk(o, e, i, j, buf, full, 1);
	free(buf);
}

/*
 * Joins the chunks of each packet, blanks it, and puts them back.  A
 * packet longer than the whole file cannot be all in it: its chunks are
 * blanked one by one, with no buffer of the length it claims.  The
 * others draw their lengths from the budget, so many packets that each
 * claim most of the file cannot make the work many times the file.
 */
static void
strip_jpeg_ext(struct strip_out *o, struct strip_ext *e)
{
	size_t		 i, j, full;

	for (i = 0; i < e->n && !o->nomem && !o->over; i++) {
		if (e->len[i] == 0)
			continue;
		full = ctr_rd32(o->p + e->at[i] + 32, 1);
		if (full == 0 || full > o->len)
			strip_ext_alone(o, e, i);
		else if (full > o->budget) {
			o->over = 1;
			return;
		} else {
			o->budget -= full;
			strip_ext_join(o, e, i, full);
		}
		/* Done with this packet; i, the GUID's holder, last. */
		for (j = e->n - 1; j > i; j--)
			if (e->len[j] != 0 && memcmp(o->p + e->at[j],
			    o->p + e->at[i], 32) == 0)
				e->len[j] = 0;
		e->len[i] = 0;
	}
}

/* An APP1 segment: EXIF without GPS, XMP blanked, else as it is. */
static enum strip_status
strip_jpeg_app1(struct strip_out *o, const unsigned char *seg, size_t len,
    struct strip_ext *ext)
{
	const unsigned char	*pl = seg + 4;
	unsigned char		*x, hdr[4];
	size_t			 plen = len - 4, xlen;
	enum strip_status	 st;

	if (plen >= sizeof(STRIP_XMP_JPEG) &&
	    memcmp(pl, STRIP_XMP_JPEG, sizeof(STRIP_XMP_JPEG)) == 0) {
		strip_put_xmp(o, seg, len, 4 + sizeof(STRIP_XMP_JPEG));
		return STRIP_DONE;
	}
	if (plen >= sizeof(STRIP_XMP_JPEG_EXT) + 40 &&
	    memcmp(pl, STRIP_XMP_JPEG_EXT, sizeof(STRIP_XMP_JPEG_EXT)) == 0) {
		if (ext->n == STRIP_EXT_MAX) {
			/* Beyond what is followed: blanked on its own. */
			strip_put_xmp(o, seg, len,
			    4 + sizeof(STRIP_XMP_JPEG_EXT) + 40);
			return STRIP_DONE;
		}
		ext->at[ext->n] = o->len + 4 + sizeof(STRIP_XMP_JPEG_EXT);
		ext->len[ext->n++] = plen - sizeof(STRIP_XMP_JPEG_EXT);
		strip_put(o, seg, len);
		return STRIP_DONE;
	}
	if (!strip_exif_hdr(pl, plen)) {
		strip_put(o, seg, len);
		return STRIP_DONE;
	}
	if ((st = strip_exif(pl, plen, &x, &xlen)) == STRIP_UNCHANGED) {
		strip_put(o, seg, len);
		return STRIP_DONE;
	}
	if (st != STRIP_DONE)
		return st;
	if (xlen > STRIP_JPEG_SEG_MAX) {
		free(x);
		return STRIP_BAD;
	}
	hdr[0] = 0xff;
	hdr[1] = 0xe1;
	hdr[2] = (xlen + 2) >> 8;
	hdr[3] = (xlen + 2) & 0xff;
	strip_put(o, hdr, 4);
	strip_put(o, x, xlen);
	free(x);
	return STRIP_DONE;
}

/* A Photoshop APP13 without the IPTC datasets that name a place. */
static enum strip_status
strip_jpeg_app13(struct strip_out *o, const unsigned char *seg, size_t len)
{
	const unsigned char	*pl = seg + 4;
	struct strip_out	 t;
	unsigned char		 hdr[4];
	size_t			 plen = len - 4;
	int			 changed;

	if (plen < sizeof(STRIP_IRB) ||
	    memcmp(pl, STRIP_IRB, sizeof(STRIP_IRB)) != 0) {
		strip_put(o, seg, len);
		return STRIP_DONE;
	}
	memset(&t, 0, sizeof(t));
	strip_put(&t, pl, sizeof(STRIP_IRB));
	changed = strip_irb(&t, pl + sizeof(STRIP_IRB),
	    plen - sizeof(STRIP_IRB));
	if (!changed || t.nomem || t.len > STRIP_JPEG_SEG_MAX) {
		free(t.p);
		if (t.nomem)
			return STRIP_NOMEM;
		if (changed)
			return STRIP_BAD;
		strip_put(o, seg, len);
		return STRIP_DONE;
	}
	hdr[0] = 0xff;
	hdr[1] = 0xed;
	hdr[2] = (t.len + 2) >> 8;
	hdr[3] = (t.len + 2) & 0xff;
	strip_put(o, hdr, 4);
	strip_put(o, t.p, t.len);
	free(t.p);
	return STRIP_DONE;
}

/*
 * The markers up to the first scan; the scan data and what follows are
 * copied as they are.  FIXME: an APP1 after the first scan (no reader
 * looks there) or in an embedded MPF image is not looked at.
 */
static enum strip_status
strip_jpeg(const unsigned char *b, size_t n, struct strip_out *o)
{
	struct ctr_it		 it = { b, n, 2, 0 };
	struct ctr_seg		 s;
	struct strip_ext	 ext;
	enum strip_status	 st = STRIP_DONE;

	ext.n = 0;
	strip_put(o, b, 2);
	/*
	 * Junk, fill bytes and standalone markers between segments are
	 * copied as they are, to stay byte-exact.
	 */
	while (ctr_jpeg_next(&it, &s) == CTR_SEG) {
		strip_put(o, b + s.from, s.at - s.from);
		if (s.marker == 0xe1)
			st = strip_jpeg_app1(o, b + s.at, s.end - s.at, &ext);
		else if (s.marker == 0xed)
			st = strip_jpeg_app13(o, b + s.at, s.end - s.at);
		else
			strip_put(o, b + s.at, s.end - s.at);
		if (st != STRIP_DONE)
			return st;
	}
	strip_put(o, b + it.off, n - it.off);
	strip_jpeg_ext(o, &ext);
	return STRIP_DONE;
}

/* ---- WebP ---- */

/* One RIFF chunk of total bytes (header, payload, padding). */
static enum strip_status
strip_webp_chunk(struct strip_out *o, const unsigned char *c, size_t csz,
    size_t total)
{
	unsigned char		*x, hdr[8];
	size_t			 xlen;
	enum strip_status	 st;

	if (memcmp(c, "XMP ", 4) == 0) {
		strip_put_xmp(o, c, 8 + csz, 8);
		strip_put(o, c + 8 + csz, total - 8 - csz);
		return STRIP_DONE;
	}
	if (memcmp(c, "EXIF", 4) != 0 ||
	    (st = strip_exif(c + 8, csz, &x, &xlen)) == STRIP_UNCHANGED) {
		strip_put(o, c, total);
		return STRIP_DONE;
	}
	if (st != STRIP_DONE)
		return st;
	if (xlen > UINT32_MAX - 1) {
		free(x);
		return STRIP_BAD;
	}
	memcpy(hdr, "EXIF", 4);
	ctr_wr32(hdr + 4, xlen, 0);
	strip_put(o, hdr, 8);
	strip_put(o, x, xlen);
	if (xlen & 1)
		strip_put(o, "", 1);
	free(x);
	return STRIP_DONE;
}

/*
 * The chunks inside the RIFF size; no chunk is ever removed, so the VP8X
 * flags stay true.  The RIFF size changes by what the EXIF lost.
 */
static enum strip_status
strip_webp(const unsigned char *b, size_t n, struct strip_out *o)
{
	/* exiftool reads chunks past the RIFF size too: so does this. */
	struct ctr_it		 it = { b, n, 12, 0 };
	struct ctr_seg		 s;
	size_t			 before;
	size_t			 riffend = (size_t)ctr_rd32(b + 4, 0) + 8;
	int64_t			 nriff, delta = 0;
	enum strip_status	 st;

	strip_put(o, b, 12);
	while (ctr_riff_next(&it, &s) == CTR_SEG) {
		before = o->len;
		if ((st = strip_webp_chunk(o, b + s.at, s.dlen,
		    s.end - s.at)) != STRIP_DONE)
			return st;
		if (s.at < riffend)
			delta += (int64_t)(o->len - before) -
			    (int64_t)(s.end - s.at);
	}
	strip_put(o, b + it.off, n - it.off);
	if (o->nomem)
		return STRIP_NOMEM;
	nriff = (int64_t)riffend - 8 + delta;
	if (nriff < 0 || nriff > UINT32_MAX)
		return STRIP_BAD;
	ctr_wr32(o->p + 4, nriff, 0);
	return STRIP_DONE;
}

/* ---- GIF ---- */

/* The index past the run of GIF sub-blocks at i, or n. */
static size_t
strip_gif_blocks(const unsigned char *b, size_t n, size_t i)
{
	size_t	 end = ctr_gif_blocks(b, n, i);

	return end == 0 ? n : end;
}

/* The bytes of the colour table that a packed field announces. */
static size_t
strip_gif_table(unsigned char packed)
{
	return packed & 0x80 ? 3 * ((size_t)2 << (packed & 7)) : 0;
}

/*
 * A GIF's XMP is an application extension that holds the packet raw,
 * then a "magic trailer" (0x01 0xff 0xfe ... 0x00) that leads a reader
 * walking it as sub-blocks to its end, whatever the packet's bytes.  So
 * the packet is blanked in place in a copy, and the shape holds.
 */
static enum strip_status
strip_gif(const unsigned char *b, size_t n, struct strip_out *o)
{
	const unsigned char	*t;
	size_t			 i = 13, x;

	strip_put(o, b, n);
	if (o->nomem || n < 13)
		return STRIP_DONE;
	i += strip_gif_table(b[10]);
	while (i < n) {
		if (b[i] == 0x2c) {
			/* An image: descriptor, colour table, LZW data. */
			if (n - i < 11)
				break;
			i += 10 + strip_gif_table(b[i + 9]);
			i = strip_gif_blocks(b, n, i + 1);
			continue;
		}
		if (b[i] != 0x21 || n - i < 2)
			break;
		if (n - i >= 14 && b[i + 1] == 0xff && b[i + 2] == 11 &&
		    memcmp(b + i + 3, "XMP DataXMP", 11) == 0) {
			/*
			 * On past the trailer, not by the sub-block lengths:
			 * they are the packet's bytes, which blanking
			 * changes, and the walk must not.
			 */
			x = i + 14;
			t = memmem(b + x, n - x, "\x01\xff\xfe\xfd", 4);
			strip_xmp(o->p + x, (t == NULL ? b + n : t) - b - x);
			if (t == NULL || b + n - t < 258)
				break;
			i = t - b + 258;
			continue;
		}
		i = strip_gif_blocks(b, n, i + 2);
	}
	return STRIP_DONE;
}

static enum strip_status
strip_walk(const unsigned char *buf, size_t len, struct strip_out *o)
{
	if (len >= 3 && buf[0] == 0xff && buf[1] == 0xd8 && buf[2] == 0xff)
		return strip_jpeg(buf, len, o);
	if (strip_is_png(buf, len))
		return strip_png(buf, len, o);
	if (len >= 12 && memcmp(buf, "RIFF", 4) == 0 &&
	    memcmp(buf + 8, "WEBP", 4) == 0)
		return strip_webp(buf, len, o);
	if (len >= 6 && (memcmp(buf, "GIF87a", 6) == 0 ||
	    memcmp(buf, "GIF89a", 6) == 0))
		return strip_gif(buf, len, o);
	return STRIP_UNCHANGED;
}

enum strip_status
strip_location(const unsigned char *buf, size_t len, size_t budget,
    unsigned char **out, size_t *outlen)
{
	struct strip_out	 o;
	enum strip_status	 st;

	*out = NULL;
	*outlen = 0;
	/* In place, so that the iloc and IFD offsets hold. */
	switch (img_sniff(buf, len)) {
	case IMG_HEIC:
	case IMG_AVIF:
		return strip_bmff(buf, len, out, outlen);
	case IMG_TIFF:
		return strip_tiff(buf, len, out, outlen);
	default:
		break;
	}
	strip_out_init(&o, budget);
	st = strip_walk(buf, len, &o);
	strip_out_done(&o);
	if (st == STRIP_DONE && o.over)
		st = STRIP_TOO_BIG;
	if (st == STRIP_DONE && o.nomem)
		st = STRIP_NOMEM;
	if (st == STRIP_DONE && o.len == len && memcmp(o.p, buf, len) == 0)
		st = STRIP_UNCHANGED;
	if (st != STRIP_DONE) {
		free(o.p);
		return st;
	}
	*out = o.p;
	*outlen = o.len;
	return STRIP_DONE;
}

enum strip_status
strip_inflate_check(const unsigned char *buf, size_t len, size_t budget)
{
	struct strip_out	 o;

	strip_out_init(&o, budget);
	if (strip_is_png(buf, len))
		strip_png_count(&o, buf, len);
	strip_out_done(&o);
	if (o.over)
		return STRIP_TOO_BIG;
	return o.nomem ? STRIP_NOMEM : STRIP_UNCHANGED;
}
