/*
 * TIFF files: location out in place, so that every offset in the file
 * (strips, tiles, IFDs, the ICC profile) holds and the pixels are the
 * bytes they were.  Every IFD of the chain (every page) is looked at,
 * as exiftool reads them all.  A TIFF file is itself the TIFF structure
 * that EXIF is, so the GPS IFDs of each page are blanked by
 * strip_exif_blank_gps_at() of lib/strip_exif.c;
 * the XMP packets (tag 700) keep their length, their location
 * properties overwritten with spaces by strip_xmp().  The IPTC-IIM
 * (tag 33723) and the Photoshop resources (34377) lose their place
 * datasets through strip_iim() of lib/strip_iptc.c; what it gives back
 * is shorter and is written over the old bytes, zeros after it, which
 * IIM readers take for padding, so every size stays as it was.  The
 * resources are walked here, not by strip_irb(), which shortens them:
 * zeros after the last resource are an error to readers.
 *
 * The IFDs and blocks of a real file do not overlap, so what a pass
 * scans is about the file's size; a hostile file can point many IFDs
 * at one large IFD or block, and a budget of a few times the size
 * bounds the work (past it, STRIP_BAD).
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
#define STRIP_TIFF_EXIF		34665	/* the Exif IFD */
#define STRIP_TIFF_GPS		34853	/* the GPS IFD */
#define STRIP_TIFF_BYTE		1
#define STRIP_TIFF_ASCII	2
#define STRIP_TIFF_LONG		4
#define STRIP_TIFF_UNDEFINED	7
/* Passes until nothing changes; real files need one (and one to see). */
#define STRIP_TIFF_PASSES	4
/* IFDs of a chain looked at; a longer one (a loop) is not followed. */
#define STRIP_TIFF_IFDS_MAX	65536

/* What one pass may still scan. */
struct strip_tiff_budget {
	size_t	 entries;	/* IFD entries */
	size_t	 bytes;		/* of XMP, IPTC and resource blocks */
};

/*
 * Where the bytes of the tag of the IFD at off lie in p[0..n), out of
 * line: 1 with them in p[*at..*at + *len), their length taken from the
 * budget, 0 when there are none, -1 past the budget.  XMP is BYTE or
 * UNDEFINED, IPTC BYTE, UNDEFINED or (by exiftool and Photoshop) LONG,
 * the bytes as they are; what readers take, this takes, and ASCII too.
 */
static int
strip_tiff_block(const unsigned char *p, size_t n, int be, uint32_t off,
    uint16_t tag, size_t *at, size_t *len, struct strip_tiff_budget *b)
{
	struct ctr_ifd_ent	 e;
	size_t			 sz;

	if (!ctr_ifd_entry(p, n, be, off, tag, &e))
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
	if (*len > b->bytes)
		return -1;
	b->bytes -= *len;
	return 1;
}

/*
 * Takes the entries of the IFD at off (those in the file) from the
 * budget: 0, or -1 past it.
 */
static int
strip_tiff_entries(const unsigned char *p, size_t n, int be, uint32_t off,
    struct strip_tiff_budget *b)
{
	size_t	 c;

	if (off > n || n - off < 2)
		return 0;
	c = ctr_rd16(p + off, be);
	if (c > (n - off - 2) / 12)
		c = (n - off - 2) / 12;
	if (c > b->entries)
		return -1;
	b->entries -= c;
	return 0;
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
 * Photoshop resources at b[0..len) (each a signature, an id, a Pascal
 * name padded to even, a size, the data padded to even), each stripped
 * in place, so the block and every size in it hold.  The digest comes
 * before the IPTC in the files Photoshop writes; one after it is not
 * followed.  -1 on ENOMEM, else 0.
 */
static int
strip_tiff_irb(unsigned char *b, size_t len)
{
	unsigned char	*r, *digest = NULL;
	size_t		 i, hl, size, step;

	for (i = 0; len - i >= 12; i += step) {
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

/* The XMP, IPTC and Photoshop resources of the IFD at off, in place. */
static enum strip_status
strip_tiff_blocks(unsigned char *p, size_t n, int be, uint32_t off,
    struct strip_tiff_budget *b)
{
	size_t	 at, len;
	int	 r;

	if ((r = strip_tiff_block(p, n, be, off, STRIP_TIFF_XMP, &at, &len,
	    b)) == 1)
		(void)strip_xmp(p + at, len);
	if (r == -1)
		return STRIP_BAD;
	if ((r = strip_tiff_block(p, n, be, off, STRIP_TIFF_IPTC, &at, &len,
	    b)) == 1 && strip_tiff_iim(p + at, len) == -1)
		return STRIP_NOMEM;
	if (r == -1)
		return STRIP_BAD;
	if ((r = strip_tiff_block(p, n, be, off, STRIP_TIFF_IRB, &at, &len,
	    b)) == 1 && strip_tiff_irb(p + at, len) == -1)
		return STRIP_NOMEM;
	return r == -1 ? STRIP_BAD : STRIP_DONE;
}

/*
 * The GPS IFDs of the IFD at off and of its Exif IFD, whose entries are
 * taken from the budget first: -1 past it, else 0.
 */
static int
strip_tiff_gps(unsigned char *p, size_t n, int be, uint32_t off,
    struct strip_tiff_budget *b)
{
	uint32_t	 v;

	if (ctr_ifd_find(p, n, be, off, STRIP_TIFF_EXIF, &v) &&
	    strip_tiff_entries(p, n, be, v, b) == -1)
		return -1;
	(void)strip_exif_blank_gps_at(p, n, be, off, &b->bytes);
	return 0;
}

/*
 * Each IFD of the chain from IFD0: its blocks, or (gps set) its GPS
 * IFDs, its Exif IFD's and (again) the next IFD's, the values zeroed
 * drawn from the byte budget.
 */
static enum strip_status
strip_tiff_chain(unsigned char *p, size_t n, int gps,
    struct strip_tiff_budget *b)
{
	enum strip_status	 st;
	uint32_t		 off;
	long			 k;
	int			 be;

	if (!ctr_tiff_hdr(p, n, &be, &off))
		return STRIP_DONE;
	for (k = 0; off != 0 && k < STRIP_TIFF_IFDS_MAX; k++) {
		if (strip_tiff_entries(p, n, be, off, b) == -1)
			return STRIP_BAD;
		if (!gps && (st = strip_tiff_blocks(p, n, be, off, b)) !=
		    STRIP_DONE)
			return st;
		if (gps && strip_tiff_gps(p, n, be, off, b) == -1)
			return STRIP_BAD;
		off = ctr_ifd_next(p, n, be, off);
	}
	return STRIP_DONE;
}

/*
 * One pass over p: the blocks first, then the GPS IFDs, whose zeros
 * then win where a hostile file lays them over each other.  The budget
 * is what the IFDs and blocks of a file of n bytes can hold, twice
 * over, for each of the two walks.
 */
static enum strip_status
strip_tiff_pass(unsigned char *p, size_t n)
{
	struct strip_tiff_budget	 b;
	enum strip_status		 st;

	b.entries = 4 * (n / 12) + 64;
	b.bytes = 2 * n;
	if ((st = strip_tiff_chain(p, n, 0, &b)) != STRIP_DONE)
		return st;
	return strip_tiff_chain(p, n, 1, &b);
}

/*
 * A copy of the TIFF file buf[0..len) of the same length with the
 * location in its GPS IFDs, XMP, IPTC and Photoshop resources blanked:
 * STRIP_DONE with the malloc'd copy in *out (the caller frees it),
 * STRIP_UNCHANGED (and *out NULL) when there was none, STRIP_NOMEM.
 * What comes out is stripped for good: a pass over it changes nothing.
 * A real file gets there in one pass; one whose structures overlap so
 * that each pass uncovers more, or that passes the budget, is
 * STRIP_BAD.
 */
enum strip_status
strip_tiff(const unsigned char *buf, size_t len, unsigned char **out,
    size_t *outlen)
{
	unsigned char		*p = NULL, *q = NULL, *t;
	enum strip_status	 st = STRIP_NOMEM;
	int			 i;

	*out = NULL;
	*outlen = 0;
	if (len == 0)
		return STRIP_UNCHANGED;
	if ((p = malloc(len)) == NULL || (q = malloc(len)) == NULL)
		goto fail;
	memcpy(p, buf, len);
	for (i = 0; i < STRIP_TIFF_PASSES; i++) {
		memcpy(q, p, len);
		if ((st = strip_tiff_pass(q, len)) != STRIP_DONE)
			goto fail;
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
fail:
	free(p);
	free(q);
	return st;
}
