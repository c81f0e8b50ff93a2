/*
 * TIFF files: location out in place, so that every offset in the file
 * (strips, tiles, IFDs, the ICC profile) holds and the pixels are the
 * bytes they were.  A TIFF file is itself the TIFF structure that EXIF
 * is, so its GPS IFDs are blanked by strip_exif_blank_gps(); the XMP
 * packet of IFD0 (tag 700) keeps its length, its location properties
 * overwritten with spaces by strip_xmp().  The IPTC-IIM (tag 33723) and
 * the Photoshop resources (34377) of IFD0 lose their place datasets
 * through strip_iim() of lib/strip_iptc.c; what it gives back is
 * shorter and is written over the old bytes, zeros after it, which IIM
 * readers take for padding, so every size stays as it was.  The
 * resources are walked here, not by strip_irb(), which shortens them:
 * zeros after the last resource are an error to readers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <md5.h>

#include "ctr.h"
#include "strip.h"
#include "strip_int.h"

#define STRIP_TIFF_XMP		700	/* XMLPacket */
#define STRIP_TIFF_IPTC		33723	/* IPTC-NAA */
#define STRIP_TIFF_IRB		34377	/* Photoshop */
#define STRIP_TIFF_BYTE		1
#define STRIP_TIFF_ASCII	2
#define STRIP_TIFF_LONG		4
#define STRIP_TIFF_UNDEFINED	7
/* Passes until nothing changes; real files need one (and one to see). */
#define STRIP_TIFF_PASSES	4

/*
 * Where the bytes of IFD0's tag lie in p[0..n), out of line: 1 with
 * them in p[*at..*at + *len), else 0.  XMP is BYTE or UNDEFINED, IPTC
 * BYTE, UNDEFINED or (by exiftool and Photoshop) LONG, the bytes as
 * they are; what readers take, this takes, and ASCII too.
 */
static int
strip_tiff_block(const unsigned char *p, size_t n, uint16_t tag,
    size_t *at, size_t *len)
{
	struct ctr_ifd_ent	 e;
	uint32_t		 ifd0;
	size_t			 sz;
	int			 be;

	if (!ctr_tiff_hdr(p, n, &be, &ifd0) ||
	    !ctr_ifd_entry(p, n, be, ifd0, tag, &e))
		return 0;
	if (e.type == STRIP_TIFF_BYTE || e.type == STRIP_TIFF_ASCII ||
	    e.type == STRIP_TIFF_UNDEFINED)
		sz = 1;
	else if (e.type == STRIP_TIFF_LONG)
		sz = 4;
	else
		return 0;
	if (e.count <= 4 / sz || e.val > n || (n - e.val) / sz < e.count)
		return 0;
	*at = e.val;
	*len = sz * e.count;
	return 1;
}

/* Blanks the location of IFD0's XMP packet in place. */
static void
strip_tiff_xmp(unsigned char *p, size_t n)
{
	size_t	 at, len;

	if (strip_tiff_block(p, n, STRIP_TIFF_XMP, &at, &len))
		(void)strip_xmp(p + at, len);
}

/*
 * IPTC-IIM datasets at d[0..n) without places, in place: the shorter
 * copy strip_iim() makes over the old bytes, zeros after it, which IIM
 * readers take for padding.  1 when some went, -1 on ENOMEM, else 0.
 */
static int
strip_tiff_iim(unsigned char *d, size_t n)
{
	struct strip_out	 t;
	long			 dropped;
	int			 r = 0;

	memset(&t, 0, sizeof(t));
	dropped = strip_iim(&t, d, n);
	if (t.nomem)
		r = -1;
	else if (dropped > 0 && t.len <= n) {
		memcpy(d, t.p, t.len);
		memset(d + t.len, 0, n - t.len);
		r = 1;
	}
	free(t.p);
	return r;
}

static void
strip_tiff_md5(const unsigned char *p, size_t n, unsigned char md[16])
{
	MD5_CTX	 ctx;

	MD5Init(&ctx);
	MD5Update(&ctx, p, n);
	MD5Final(md, &ctx);
}

/*
 * One Photoshop resource's data d[0..n), in place: the IPTC without
 * places (its size kept, zeros after the datasets), the EXIF's GPS IFD
 * and the XMP's location blanked.  The IPTC's digest resource, when it
 * matched, is made to match again.  -1 on ENOMEM, else 0.
 */
static int
strip_tiff_resource(unsigned char *d, size_t n, unsigned int id,
    unsigned char **digest)
{
	unsigned char	 md[16];
	int		 r;

	switch (id) {
	case STRIP_IRB_IPTC:
		strip_tiff_md5(d, n, md);
		if ((r = strip_tiff_iim(d, n)) != 1)
			return r;
		if (*digest != NULL && memcmp(*digest, md, 16) == 0)
			strip_tiff_md5(d, n, *digest);
		*digest = NULL;		/* matched or not, done with */
		return 0;
	case STRIP_IRB_EXIF:
		(void)strip_exif_blank_gps(d, n);
		return 0;
	case STRIP_IRB_XMP:
		(void)strip_xmp(d, n);
		return 0;
	case STRIP_IRB_DIGEST:
		if (n == 16)
			*digest = d;
		return 0;
	}
	return 0;
}

/*
 * IFD0's Photoshop resources (each a signature, an id, a Pascal name
 * padded to even, a size, the data padded to even), each stripped in
 * place, so the block and every size in it hold.  The digest comes
 * before the IPTC in the files Photoshop writes; one after it is not
 * followed.  -1 on ENOMEM, else 0.
 */
static int
strip_tiff_irb(unsigned char *p, size_t n)
{
	unsigned char	*b, *r, *digest = NULL;
	size_t		 len, i, hl, size, step;

	if (!strip_tiff_block(p, n, STRIP_TIFF_IRB, &i, &len))
		return 0;
	for (b = p + i, i = 0; len - i >= 12; i += step) {
		r = b + i;
		hl = 6 + ((1 + (size_t)r[6] + 1) & ~(size_t)1);
		if (len - i < hl + 4)
			break;
		size = ctr_rd32(r + hl, 1);
		if (size > len - i - hl - 4)
			break;
		step = hl + 4 + size;
		if ((size & 1) && step < len - i)
			step++;
		if (memcmp(r, "8BIM", 4) == 0 && strip_tiff_resource(r + hl + 4,
		    size, ctr_rd16(r + 4, 1), &digest) == -1)
			return -1;
	}
	return 0;
}

/* IFD0's IPTC-NAA, in place.  -1 on ENOMEM, else 0. */
static int
strip_tiff_iptc(unsigned char *p, size_t n)
{
	size_t	 at, len;

	if (!strip_tiff_block(p, n, STRIP_TIFF_IPTC, &at, &len))
		return 0;
	return strip_tiff_iim(p + at, len) == -1 ? -1 : 0;
}

/*
 * One pass over p, -1 on ENOMEM: the XMP and IPTC first, then the GPS
 * IFDs, whose zeros then win where a hostile file lays them over each
 * other.
 */
static int
strip_tiff_pass(unsigned char *p, size_t n)
{
	strip_tiff_xmp(p, n);
	if (strip_tiff_iptc(p, n) == -1 || strip_tiff_irb(p, n) == -1)
		return -1;
	(void)strip_exif_blank_gps(p, n);
	return 0;
}

/*
 * A copy of the TIFF file buf[0..len) of the same length with its GPS
 * IFDs and XMP location blanked: STRIP_DONE with the malloc'd copy in
 * *out (the caller frees it), STRIP_UNCHANGED (and *out NULL) when
 * there was none, STRIP_NOMEM.  What comes out is stripped for good: a
 * pass over it changes nothing.  A real file gets there in one pass;
 * one whose structures overlap so that each pass uncovers more is
 * STRIP_BAD.
 */
enum strip_status
strip_tiff(const unsigned char *buf, size_t len, unsigned char **out,
    size_t *outlen)
{
	unsigned char	*p = NULL, *q = NULL, *t;
	int		 i;

	*out = NULL;
	*outlen = 0;
	if (len == 0)
		return STRIP_UNCHANGED;
	if ((p = malloc(len)) == NULL || (q = malloc(len)) == NULL)
		goto nomem;
	memcpy(p, buf, len);
	for (i = 0; i < STRIP_TIFF_PASSES; i++) {
		memcpy(q, p, len);
		if (strip_tiff_pass(q, len) == -1)
			goto nomem;
		if (memcmp(q, p, len) == 0)
			break;
		t = p;
		p = q;
		q = t;
	}
	free(q);
	if (i == 0 || i == STRIP_TIFF_PASSES) {
		free(p);
		return i == 0 ? STRIP_UNCHANGED : STRIP_BAD;
	}
	*out = p;
	*outlen = len;
	return STRIP_DONE;
nomem:
	free(p);
	free(q);
	return STRIP_NOMEM;
}
