/*
 * IPTC-IIM and Photoshop image resources (IRB): the datasets that name
 * a place left out, the EXIF and XMP resources stripped, the IPTC
 * digest made to match again.
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <md5.h>

#include "ctr.h"
#include "strip.h"
#include "strip_int.h"

/* IPTC-IIM datasets that name a place, all in record 2. */
static int
strip_iim_location(unsigned int record, unsigned int dataset)
{
	static const unsigned char	 places[] = {
		26,	/* Content Location Code */
		27,	/* Content Location Name */
		90,	/* City */
		92,	/* Sub-location */
		95,	/* Province/State */
		100,	/* Country/Primary Location Code */
		101,	/* Country/Primary Location Name */
	};

	return record == 2 && memchr(places, dataset, sizeof(places)) != NULL;
}

/*
 * Appends the IPTC-IIM datasets of p without the location ones.  Returns
 * how many were left out, or -1 when the datasets do not hold together.
 */
long
strip_iim(struct strip_out *o, const unsigned char *p, size_t n)
{
	size_t	 i = 0, hl, dl, k, j;
	long	 dropped = 0;

	while (i < n) {
		/* Zeros after the last dataset pad the resource: kept. */
		if (p[i] != 0x1c) {
			strip_put(o, p + i, n - i);
			break;
		}
		if (n - i < 5)
			return -1;
		hl = 5;
		dl = (size_t)p[i + 3] << 8 | p[i + 4];
		if (dl & 0x8000) {
			/* Extended: the length is in the next k bytes. */
			if ((k = dl & 0x7fff) > 4 || n - i - 5 < k)
				return -1;
			for (dl = 0, j = 0; j < k; j++)
				dl = dl << 8 | p[i + 5 + j];
			hl += k;
		}
		if (dl > n - i - hl)
			return -1;
		if (strip_iim_location(p[i + 1], p[i + 2]))
			dropped++;
		else
			strip_put(o, p + i, hl + dl);
		i += hl + dl;
	}
	return dropped;
}

static void
strip_md5(const unsigned char *p, size_t n, unsigned char md[16])
{
	MD5_CTX	 ctx;

	MD5Init(&ctx);
	MD5Update(&ctx, p, n);
	MD5Final(md, &ctx);
}

/* Where the IPTC data and its digest are in a rewritten APP13. */
struct strip_irb {
	const unsigned char	*old;		/* the IPTC data as it was */
	size_t			 oldlen;
	size_t			 at;		/* its copy in the output */
	size_t			 len;
	size_t			 digest;	/* the digest's data, or 0 */
};

/* The IPTC resource without places; 1 when some went. */
static int
strip_irb_iptc(struct strip_out *t, const unsigned char *r, size_t hl,
    size_t size, size_t total, struct strip_irb *irb)
{
	unsigned char	 sz[4];
	size_t		 at = t->len;

	strip_put(t, r, hl + 4);
	if (strip_iim(t, r + hl + 4, size) <= 0) {
		/* Nothing to drop, or unreadable: as it was. */
		t->len = at;
		strip_put(t, r, total);
		return 0;
	}
	irb->old = r + hl + 4;
	irb->oldlen = size;
	irb->at = at + hl + 4;
	irb->len = t->len - irb->at;
	if (!t->nomem) {
		ctr_wr32(sz, irb->len, 1);
		memcpy(t->p + at + hl, sz, 4);
	}
	if (irb->len & 1)
		strip_put(t, "", 1);
	return 1;
}

/*
 * The EXIF resource without GPS; 1 when it changed.  One whose GPS
 * cannot be taken out is left out whole.
 */
static int
strip_irb_exif(struct strip_out *t, const unsigned char *r, size_t hl,
    size_t size, size_t total)
{
	unsigned char	*x, sz[4];
	size_t		 xlen;

	switch (strip_exif(r + hl + 4, size, &x, &xlen)) {
	case STRIP_UNCHANGED:
		strip_put(t, r, total);
		return 0;
	case STRIP_DONE:
		break;
	case STRIP_BAD:
		return 1;
	case STRIP_NOMEM:
	case STRIP_TOO_BIG:	/* EXIF inflates nothing: never so */
		t->nomem = 1;
		return 0;
	}
	strip_put(t, r, hl);
	ctr_wr32(sz, xlen, 1);
	strip_put(t, sz, 4);
	strip_put(t, x, xlen);
	if (xlen & 1)
		strip_put(t, "", 1);
	free(x);
	return 1;
}

/*
 * One Photoshop resource, the places out of its IPTC, EXIF or XMP; 1 when
 * it changed.
 */
static int
strip_irb_resource(struct strip_out *t, const unsigned char *r, size_t hl,
    size_t size, size_t total, struct strip_irb *irb)
{
	unsigned int	 id = r[4] << 8 | r[5];
	size_t		 at = t->len;

	if (memcmp(r, "8BIM", 4) != 0) {
		strip_put(t, r, total);
		return 0;
	}
	switch (id) {
	case STRIP_IRB_IPTC:
		return strip_irb_iptc(t, r, hl, size, total, irb);
	case STRIP_IRB_EXIF:
		return strip_irb_exif(t, r, hl, size, total);
	case STRIP_IRB_DIGEST:
		if (size == 16)
			irb->digest = at + hl + 4;
		break;
	case STRIP_IRB_XMP:
		strip_put(t, r, total);
		return !t->nomem && strip_xmp(t->p + at + hl + 4, size) > 0;
	}
	strip_put(t, r, total);
	return 0;
}

/*
 * Appends Photoshop resources (each a signature, an id, a Pascal name
 * padded to even, a size, the data padded to even) without the IPTC
 * datasets that name a place; 1 when some went.  The IPTC digest, when
 * it matched the old data, is made to match the new, so readers do not
 * take the IPTC for stale.
 */
int
strip_irb(struct strip_out *t, const unsigned char *p, size_t n)
{
	struct strip_irb	 irb;
	unsigned char		 md[16];
	size_t			 i, hl, size, total;
	int			 changed = 0;

	memset(&irb, 0, sizeof(irb));
	for (i = 0; n - i >= 12; i += total) {
		hl = 6 + ((1 + (size_t)p[i + 6] + 1) & ~(size_t)1);
		if (n - i < hl + 4)
			break;
		size = ctr_rd32(p + i + hl, 1);
		if (size > n - i - hl - 4)
			break;
		total = hl + 4 + size + (size & 1);
		if (total > n - i)
			total = n - i;
		changed |= strip_irb_resource(t, p + i, hl, size, total, &irb);
	}
	strip_put(t, p + i, n - i);
	if (!changed || t->nomem || irb.digest == 0 ||
	    irb.digest + 16 > t->len)
		return changed;
	strip_md5(irb.old, irb.oldlen, md);
	if (memcmp(t->p + irb.digest, md, 16) == 0) {
		strip_md5(t->p + irb.at, irb.len, md);
		memcpy(t->p + irb.digest, md, 16);
	}
	return changed;
}
