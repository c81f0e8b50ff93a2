/*
 * The meta box of HEIF and AVIF files (ISO/IEC 23008-12), walked with
 * lib/ctr.c's box iterator: the handler, the primary item, the items
 * (iinf), where their bytes are (iloc), their properties (ipco, ipma)
 * and references (iref).  Every count is bounded twice: by the bytes
 * that are there, since each entry is read from them, and by the fixed
 * caps of bmff.h, past which a file is refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmff.h"
#include "ctr.h"
#include "img_walk.h"

/* The auxC types of an alpha plane: MPEG-B's (AVIF) and HEVC's. */
#define BMFF_ALPHA_CICP	"urn:mpeg:mpegB:cicp:systems:auxiliary:alpha"
#define BMFF_ALPHA_HEVC	"urn:mpeg:hevc:2015:auxid:1"

/*
 * A reader of p[off..end).  Reading past end sets bad and yields zeros,
 * so a parser reads on and checks once.
 */
struct bmff_rd {
	const uint8_t	*p;
	size_t		 off;
	size_t		 end;
	int		 bad;
};

static struct bmff_rd
bmff_rd_of(const uint8_t *p, const struct ctr_seg *s)
{
	struct bmff_rd	 r = { p, s->data, s->data + s->dlen, 0 };

	return r;
}

/*
 * The next n (0..8) bytes, big-endian; n == 0 reads nothing, as iloc's
 * fields of size 0 do.
 */
static uint64_t
bmff_rd(struct bmff_rd *r, size_t n)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (r->bad || r->end - r->off < n) {
		r->bad = 1;
		r->off = r->end;
		return 0;
	}
	for (i = 0; i < n; i++)
		v = v << 8 | r->p[r->off + i];
	r->off += n;
	return v;
}

/* Skips a NUL-terminated string; its start, or bad if it has no NUL. */
static size_t
bmff_rd_str(struct bmff_rd *r)
{
	const uint8_t	*z;
	size_t		 at = r->off;

	if (r->bad || (z = memchr(r->p + r->off, 0, r->end - r->off)) ==
	    NULL) {
		r->bad = 1;
		r->off = r->end;
		return at;
	}
	r->off = (size_t)(z - r->p) + 1;
	return at;
}

/* A full box's version; its flags in *flags when asked. */
static unsigned
bmff_rd_full(struct bmff_rd *r, uint32_t *flags)
{
	unsigned	 v = (unsigned)bmff_rd(r, 1);
	uint32_t	 f = (uint32_t)bmff_rd(r, 3);

	if (flags != NULL)
		*flags = f;
	return v;
}

/* 1 when the box's type is t. */
static int
bmff_is(const struct ctr_seg *s, const char *t)
{
	return memcmp(s->tag, t, 4) == 0;
}

static int
bmff_item_cmp(const void *a, const void *b)
{
	uint32_t	 x = ((const struct bmff_item *)a)->id;
	uint32_t	 y = ((const struct bmff_item *)b)->id;

	return x < y ? -1 : x > y;
}

/* Points into b; valid until b is parsed again or freed. */
struct bmff_item *
bmff_item(struct bmff *b, uint32_t id)
{
	struct bmff_item	 key;

	key.id = id;
	return bsearch(&key, b->items, b->nitems, sizeof(b->items[0]),
	    bmff_item_cmp);
}

/*
 * One infe.  Versions 0 and 1 (before HEIF) give no item type and are
 * kept as items of none; version 2 has 16-bit ids, 3 32-bit.  A mime
 * item's content encoding may be left out.
 */
static int
bmff_infe(const uint8_t *p, const struct ctr_seg *s, struct bmff_item *it)
{
	struct bmff_rd	 r = bmff_rd_of(p, s);
	unsigned	 v;
	size_t		 at;

	memset(it, 0, sizeof(*it));
	v = bmff_rd_full(&r, NULL);
	it->id = (uint32_t)bmff_rd(&r, v == 3 ? 4 : 2);
	(void)bmff_rd(&r, 2);		/* protection index */
	if (v < 2)
		return r.bad ? -1 : 0;
	if (!r.bad && r.end - r.off >= 4)
		memcpy(it->type, p + r.off, 4);
	(void)bmff_rd(&r, 4);
	(void)bmff_rd_str(&r);		/* name */
	if (memcmp(it->type, "mime", 4) == 0) {
		at = bmff_rd_str(&r);
		it->xmp = !r.bad && strcmp((const char *)p + at,
		    "application/rdf+xml") == 0;
		if (!r.bad && r.off < r.end) {
			at = bmff_rd_str(&r);
			it->encoded = p[at] != '\0';
		}
	}
	return r.bad ? -1 : 0;
}

/* iinf: a count (not trusted: the infe boxes are), then infe boxes. */
static enum bmff_status
bmff_iinf(struct bmff *b, const struct ctr_seg *s)
{
	struct bmff_rd	 r = bmff_rd_of(b->p, s);
	struct ctr_it	 it;
	struct ctr_seg	 e;
	enum ctr_step	 st;
	size_t		 i;
	unsigned	 v;

	v = bmff_rd_full(&r, NULL);
	(void)bmff_rd(&r, v == 0 ? 2 : 4);
	if (r.bad)
		return BMFF_BAD;
	it.p = b->p;
	it.len = r.end;
	it.off = r.off;
	it.done = 0;
	while ((st = ctr_box_next(&it, &e)) == CTR_SEG) {
		if (!bmff_is(&e, "infe"))
			continue;
		if (b->nitems == BMFF_ITEMS_MAX ||
		    bmff_infe(b->p, &e, &b->items[b->nitems]) == -1)
			return BMFF_BAD;
		b->nitems++;
	}
	if (st != CTR_END)
		return BMFF_BAD;
	qsort(b->items, b->nitems, sizeof(b->items[0]), bmff_item_cmp);
	/* Ids are unique (23008-12, 9.3.1): two answers would be a guess. */
	for (i = 1; i < b->nitems; i++)
		if (b->items[i].id == b->items[i - 1].id)
			return BMFF_BAD;
	return BMFF_OK;
}

/* 1 for a field size iloc allows: 0, 4 or 8 bytes. */
static int
bmff_iloc_size(unsigned n)
{
	return n == 0 || n == 4 || n == 8;
}

/*
 * One iloc entry's extents, kept for the item when it is known and has
 * none yet, else read and dropped.
 */
static enum bmff_status
bmff_iloc_extents(struct bmff *b, struct bmff_rd *r, struct bmff_item *it,
    const unsigned sz[3])
{
	size_t		 first = b->next, n, j;

	n = (size_t)bmff_rd(r, 2);
	for (j = 0; j < n && !r->bad; j++) {
		if (b->next == BMFF_EXTENTS_MAX)
			return BMFF_BAD;
		(void)bmff_rd(r, sz[2]);	/* extent index */
		b->ext[b->next].off = bmff_rd(r, sz[0]);
		b->ext[b->next].len = bmff_rd(r, sz[1]);
		b->next++;
	}
	if (r->bad)
		return BMFF_BAD;
	if (it == NULL || it->located) {
		b->next = first;
		return BMFF_OK;
	}
	it->ext = first;
	it->next = n;
	return BMFF_OK;
}

/*
 * iloc, versions 0 to 2: the sizes of the offset, length, base offset
 * and (1, 2) extent index fields, then per item its construction method
 * (1, 2), data reference, base offset and extents.
 */
static enum bmff_status
bmff_iloc(struct bmff *b, const struct ctr_seg *s)
{
	struct bmff_rd		 r = bmff_rd_of(b->p, s);
	struct bmff_item	*it;
	unsigned		 v, sz[3], bsz, x;
	uint64_t		 count, i, base;
	uint32_t		 id;
	int			 method;

	if ((v = bmff_rd_full(&r, NULL)) > 2)
		return BMFF_BAD;
	x = (unsigned)bmff_rd(&r, 1);
	sz[0] = x >> 4;
	sz[1] = x & 15;
	x = (unsigned)bmff_rd(&r, 1);
	bsz = x >> 4;
	sz[2] = v >= 1 ? x & 15 : 0;
	if (!bmff_iloc_size(sz[0]) || !bmff_iloc_size(sz[1]) ||
	    !bmff_iloc_size(bsz) || !bmff_iloc_size(sz[2]))
		return BMFF_BAD;
	count = bmff_rd(&r, v < 2 ? 2 : 4);
	for (i = 0; i < count && !r.bad; i++) {
		id = (uint32_t)bmff_rd(&r, v < 2 ? 2 : 4);
		method = v >= 1 ? (int)(bmff_rd(&r, 2) & 15) : 0;
		(void)bmff_rd(&r, 2);		/* data reference index */
		base = bmff_rd(&r, bsz);
		if ((it = bmff_item(b, id)) != NULL && !it->located) {
			it->method = method;
			it->base = base;
		}
		if (bmff_iloc_extents(b, &r, it, sz) != BMFF_OK)
			return BMFF_BAD;
		if (it != NULL)
			it->located = 1;
	}
	return r.bad ? BMFF_BAD : BMFF_OK;
}

/*
 * The EXIF orientations as the matrices that take a stored pixel's
 * (x, y), y down, to where it is shown: (a x + b y, c x + d y).
 */
static const int8_t bmff_orient_m[9][4] = {
	{ 0, 0, 0, 0 },
	{ 1, 0, 0, 1 },		/* 1: as stored */
	{ -1, 0, 0, 1 },	/* 2: mirrored left to right */
	{ -1, 0, 0, -1 },	/* 3: turned 180 */
	{ 1, 0, 0, -1 },	/* 4: mirrored top to bottom */
	{ 0, 1, 1, 0 },		/* 5: transposed */
	{ 0, -1, 1, 0 },	/* 6: turned 90 clockwise */
	{ 0, -1, -1, 0 },	/* 7: transversed */
	{ 0, 1, -1, 0 },	/* 8: turned 90 anticlockwise */
};

/* The orientation of doing o, then t (both EXIF values, 0 as 1). */
static int
bmff_orient_then(int o, int t)
{
	const int8_t	*m = bmff_orient_m[o == 0 ? 1 : o];
	const int8_t	*n = bmff_orient_m[t];
	int8_t		 r[4];
	int		 i;

	r[0] = n[0] * m[0] + n[1] * m[2];
	r[1] = n[0] * m[1] + n[1] * m[3];
	r[2] = n[2] * m[0] + n[3] * m[2];
	r[3] = n[2] * m[1] + n[3] * m[3];
	for (i = 1; i <= 8; i++)
		if (memcmp(r, bmff_orient_m[i], 4) == 0)
			return i;
	return 1;	/* not reached: the eight are a group */
}

/*
 * irot turns anticlockwise by 90 degrees times its angle.  imir's axis
 * 0 mirrors top to bottom and 1 left to right: so libheif 1.15 does it
 * (heif_transform_mirror_direction_vertical is 0), and t_bmff shows its
 * decoding agrees.  libheif applies them in the order the item's ipma
 * lists them, and so does this.
 */
static void
bmff_transform(struct bmff_item *it, const uint8_t *d, int rot)
{
	static const int	 rots[4] = { 1, 8, 3, 6 };

	it->orient = bmff_orient_then(it->orient, rot ? rots[d[0] & 3] :
	    (d[0] & 1) ? 2 : 4);
}

/* What one associated property says of the item. */
static enum bmff_status
bmff_apply(struct bmff *b, struct bmff_item *it, const struct bmff_prop *pr)
{
	struct ctr_seg	 s;
	struct bmff_rd	 r;
	size_t		 at;
	const char	*urn;

	s.data = pr->data;
	s.dlen = pr->dlen;
	r = bmff_rd_of(b->p, &s);
	if (memcmp(b->p + pr->at + 4, "ispe", 4) == 0) {
		(void)bmff_rd_full(&r, NULL);
		it->width = (uint32_t)bmff_rd(&r, 4);
		it->height = (uint32_t)bmff_rd(&r, 4);
		it->ispe = !r.bad;
		if (it->width > 65535 || it->height > 65535)
			b->big = 1;
	} else if (memcmp(b->p + pr->at + 4, "irot", 4) == 0 ||
	    memcmp(b->p + pr->at + 4, "imir", 4) == 0) {
		if (pr->dlen < 1)
			return BMFF_BAD;
		bmff_transform(it, b->p + pr->data,
		    memcmp(b->p + pr->at + 4, "irot", 4) == 0);
	} else if (memcmp(b->p + pr->at + 4, "auxC", 4) == 0) {
		(void)bmff_rd_full(&r, NULL);
		at = bmff_rd_str(&r);
		urn = (const char *)b->p + at;
		if (!r.bad && (strcmp(urn, BMFF_ALPHA_CICP) == 0 ||
		    strcmp(urn, BMFF_ALPHA_HEVC) == 0))
			it->alpha_aux = 1;
	}
	return r.bad ? BMFF_BAD : BMFF_OK;
}

/* ipco: each box inside is a property, numbered from 1. */
static enum bmff_status
bmff_ipco(struct bmff *b, const struct ctr_seg *s)
{
	struct ctr_it	 it = { b->p, s->data + s->dlen, s->data, 0 };
	struct ctr_seg	 e;
	enum ctr_step	 st;

	while ((st = ctr_box_next(&it, &e)) == CTR_SEG) {
		if (b->nprops == BMFF_PROPS_MAX)
			return BMFF_BAD;
		b->props[b->nprops].at = e.at;
		b->props[b->nprops].data = e.data;
		b->props[b->nprops].dlen = e.dlen;
		b->nprops++;
	}
	return st == CTR_END ? BMFF_OK : BMFF_BAD;
}

/*
 * ipma: per item, its properties by index (7 bits, or 15 when flags
 * bit 0 is set; the top bit says essential).  Index 0 is none; one past
 * the properties there are is a lie, as libheif takes it.
 */
static enum bmff_status
bmff_ipma(struct bmff *b, const struct ctr_seg *s)
{
	struct bmff_rd		 r = bmff_rd_of(b->p, s);
	struct bmff_item	*it;
	uint32_t		 flags, count, i, id, n, j, idx;
	unsigned		 v;

	v = bmff_rd_full(&r, &flags);
	count = (uint32_t)bmff_rd(&r, 4);
	for (i = 0; i < count && !r.bad; i++) {
		id = (uint32_t)bmff_rd(&r, v < 1 ? 2 : 4);
		n = (uint32_t)bmff_rd(&r, 1);
		it = bmff_item(b, id);
		for (j = 0; j < n && !r.bad; j++) {
			idx = (uint32_t)bmff_rd(&r, flags & 1 ? 2 : 1) &
			    (flags & 1 ? 0x7fff : 0x7f);
			if (idx == 0 || r.bad)
				continue;
			if (idx > b->nprops)
				return BMFF_BAD;
			if (it != NULL && bmff_apply(b, it,
			    &b->props[idx - 1]) != BMFF_OK)
				return BMFF_BAD;
		}
	}
	return r.bad ? BMFF_BAD : BMFF_OK;
}

/* iprp: the ipco first, then every ipma, whatever their order. */
static enum bmff_status
bmff_iprp(struct bmff *b, const struct ctr_seg *s)
{
	struct ctr_it	 it = { b->p, s->data + s->dlen, s->data, 0 };
	struct ctr_seg	 e;
	enum ctr_step	 st;
	int		 ipco = 0;

	while ((st = ctr_box_next(&it, &e)) == CTR_SEG)
		if (bmff_is(&e, "ipco") && !ipco++ &&
		    bmff_ipco(b, &e) != BMFF_OK)
			return BMFF_BAD;
	if (st != CTR_END)
		return BMFF_BAD;
	it.off = s->data;
	while (ctr_box_next(&it, &e) == CTR_SEG)
		if (bmff_is(&e, "ipma") && bmff_ipma(b, &e) != BMFF_OK)
			return BMFF_BAD;
	return BMFF_OK;
}

/* 1 when the item is the primary's alpha plane. */
static int
bmff_is_alpha(const struct bmff_item *it)
{
	return it != NULL && it->auxl_primary && it->alpha_aux;
}

/*
 * One reference box of iref: from an item to ref_count others.  The
 * first pass marks the auxiliary items of the primary (auxl); the
 * second takes the tiles (dimg) of the primary and of its alpha plane,
 * which libheif decodes with it.
 */
static enum bmff_status
bmff_ref(struct bmff *b, const struct ctr_seg *s, size_t idsz, int pass)
{
	struct bmff_rd		 r = bmff_rd_of(b->p, s);
	struct bmff_item	*it;
	uint32_t		 from, to, n, i;
	int			 tiles;

	from = (uint32_t)bmff_rd(&r, idsz);
	n = (uint32_t)bmff_rd(&r, 2);
	it = bmff_item(b, from);
	tiles = pass == 1 && bmff_is(s, "dimg") &&
	    (from == b->primary || bmff_is_alpha(it));
	for (i = 0; i < n && !r.bad; i++) {
		to = (uint32_t)bmff_rd(&r, idsz);
		if (r.bad)
			break;
		if (pass == 0 && bmff_is(s, "auxl") && to == b->primary &&
		    it != NULL)
			it->auxl_primary = 1;
		if (tiles) {
			if (b->ntiles == BMFF_TILES_MAX)
				return BMFF_BAD;
			b->tiles[b->ntiles++] = to;
		}
	}
	return r.bad ? BMFF_BAD : BMFF_OK;
}

/* iref: version 0 has 16-bit item ids, 1 32-bit. */
static enum bmff_status
bmff_iref(struct bmff *b, const struct ctr_seg *s)
{
	struct bmff_rd	 r = bmff_rd_of(b->p, s);
	struct ctr_it	 it;
	struct ctr_seg	 e;
	enum ctr_step	 st;
	unsigned	 v;
	int		 pass;

	v = bmff_rd_full(&r, NULL);
	if (r.bad || !b->has_primary)
		return r.bad ? BMFF_BAD : BMFF_OK;
	for (pass = 0; pass < 2; pass++) {
		it.p = b->p;
		it.len = r.end;
		it.off = r.off;
		it.done = 0;
		while ((st = ctr_box_next(&it, &e)) == CTR_SEG)
			if (bmff_ref(b, &e, v == 0 ? 2 : 4, pass) != BMFF_OK)
				return BMFF_BAD;
		if (st != CTR_END)
			return BMFF_BAD;
	}
	return BMFF_OK;
}

/* hdlr: a full box, pre_defined, the handler type. */
static void
bmff_hdlr(struct bmff *b, const struct ctr_seg *s)
{
	b->pict = s->dlen >= 12 && memcmp(b->p + s->data + 8, "pict", 4) == 0;
}

/* pitm: version 0 has a 16-bit item id, 1 a 32-bit one. */
static enum bmff_status
bmff_pitm(struct bmff *b, const struct ctr_seg *s)
{
	struct bmff_rd	 r = bmff_rd_of(b->p, s);
	unsigned	 v;

	v = bmff_rd_full(&r, NULL);
	b->primary = (uint32_t)bmff_rd(&r, v == 0 ? 2 : 4);
	b->has_primary = !r.bad;
	return r.bad ? BMFF_BAD : BMFF_OK;
}

/* The boxes of meta, found first since their order is free. */
struct bmff_meta {
	struct ctr_seg	 hdlr, pitm, iinf, iloc, iprp, iref, idat;
	int		 has[7];
};

static enum bmff_status
bmff_meta_find(const uint8_t *p, const struct ctr_seg *s,
    struct bmff_meta *m)
{
	static const char	*names[7] = {
		"hdlr", "pitm", "iinf", "iloc", "iprp", "iref", "idat",
	};
	struct ctr_seg		*segs[7] = {
		&m->hdlr, &m->pitm, &m->iinf, &m->iloc, &m->iprp, &m->iref,
		&m->idat,
	};
	struct ctr_it		 it = { p, s->data + s->dlen, s->data + 4, 0 };
	struct ctr_seg		 e;
	enum ctr_step		 st;
	int			 i;

	memset(m->has, 0, sizeof(m->has));
	if (s->dlen < 4)
		return BMFF_BAD;
	while ((st = ctr_box_next(&it, &e)) == CTR_SEG)
		for (i = 0; i < 7; i++)
			if (bmff_is(&e, names[i]) && !m->has[i]++)
				*segs[i] = e;
	return st == CTR_END ? BMFF_OK : BMFF_BAD;
}

/* The top-level boxes: ftyp first, and the first meta. */
static enum bmff_status
bmff_top(const uint8_t *p, size_t len, struct ctr_seg *meta)
{
	struct ctr_it	 it = { p, len, 0, 0 };
	struct ctr_seg	 s;

	if (ctr_box_next(&it, &s) != CTR_SEG || !bmff_is(&s, "ftyp"))
		return BMFF_BAD;
	while (ctr_box_next(&it, &s) == CTR_SEG)
		if (bmff_is(&s, "meta")) {
			*meta = s;
			return BMFF_OK;
		}
	return BMFF_BAD;
}

/*
 * The items first, since iloc, ipma and iref name them; the primary
 * before iref, which is read for the primary's references alone.
 */
enum bmff_status
bmff_parse(const uint8_t *p, size_t len, struct bmff *b)
{
	struct ctr_seg		 meta;
	struct bmff_meta	 m;

	memset(b, 0, sizeof(*b));
	b->p = p;
	b->len = len;
	if (bmff_top(p, len, &meta) != BMFF_OK ||
	    bmff_meta_find(p, &meta, &m) != BMFF_OK)
		return BMFF_BAD;
	if (m.has[0])
		bmff_hdlr(b, &m.hdlr);
	if (m.has[6]) {
		b->has_idat = 1;
		b->idat = m.idat.data;
		b->idat_len = m.idat.dlen;
	}
	if ((m.has[1] && bmff_pitm(b, &m.pitm) != BMFF_OK) ||
	    (m.has[2] && bmff_iinf(b, &m.iinf) != BMFF_OK) ||
	    (m.has[3] && bmff_iloc(b, &m.iloc) != BMFF_OK) ||
	    (m.has[4] && bmff_iprp(b, &m.iprp) != BMFF_OK) ||
	    (m.has[5] && bmff_iref(b, &m.iref) != BMFF_OK))
		return BMFF_BAD;
	return BMFF_OK;
}

/* An extent's length 0 means the rest of the file, or of the idat. */
int
bmff_extent_at(const struct bmff *b, const struct bmff_item *it, size_t i,
    size_t *off, size_t *len)
{
	const struct bmff_extent	*e;
	uint64_t			 lo, span, start, n;

	if (!it->located || i >= it->next)
		return -1;
	e = &b->ext[it->ext + i];
	if (it->method == 0) {
		lo = 0;
		span = b->len;
	} else if (it->method == 1 && b->has_idat) {
		lo = b->idat;
		span = b->idat_len;
	} else
		return -1;
	if (it->base > span || e->off > span - it->base)
		return -1;
	start = it->base + e->off;
	n = e->len == 0 ? span - start : e->len;
	if (n > span - start)
		return -1;
	*off = (size_t)(lo + start);
	*len = (size_t)n;
	return 0;
}

/* 0 when every extent of it lies in the file and they hold a byte. */
static int
bmff_item_whole(const struct bmff *b, const struct bmff_item *it)
{
	size_t	 i, off, n;
	int	 any = 0;

	if (it == NULL || !it->located || it->next == 0)
		return -1;
	for (i = 0; i < it->next; i++) {
		if (bmff_extent_at(b, it, i, &off, &n) == -1)
			return -1;
		any |= n > 0;
	}
	return any ? 0 : -1;
}

/*
 * 1 when an alpha plane refers to the primary; -1 when one has not all
 * its bytes in the file, since libheif then fails the whole image.
 */
static int
bmff_alpha(const struct bmff *b)
{
	size_t	 i;
	int	 alpha = 0;

	for (i = 0; i < b->nitems; i++) {
		if (!bmff_is_alpha(&b->items[i]))
			continue;
		if (bmff_item_whole(b, &b->items[i]) == -1)
			return -1;
		alpha = 1;
	}
	return alpha;
}

/* The checks of a parsed file; b is the caller's. */
static int
bmff_check(struct bmff *b, struct img_hdr *h)
{
	struct bmff_item	*pr;
	size_t			 i;
	int			 alpha;

	if (!b->pict || !b->has_primary || b->big ||
	    (pr = bmff_item(b, b->primary)) == NULL || !pr->ispe ||
	    bmff_item_whole(b, pr) == -1)
		return -1;
	if ((alpha = bmff_alpha(b)) == -1)
		return -1;
	/* A grid or an overlay is made of its tiles: all must be there. */
	if ((memcmp(pr->type, "grid", 4) == 0 ||
	    memcmp(pr->type, "iovl", 4) == 0) && b->ntiles == 0)
		return -1;
	for (i = 0; i < b->ntiles; i++)
		if (bmff_item_whole(b, bmff_item(b, b->tiles[i])) == -1)
			return -1;
	h->width = pr->width;
	h->height = pr->height;
	h->frames = 1;
	h->orient = pr->orient;
	h->alpha = alpha;
	return 0;
}

/*
 * The primary item's, as libheif decodes it; the caller's limits then
 * apply to the dimensions.  h is left alone on -1.
 */
int
bmff_walk(const uint8_t *p, size_t len, struct img_hdr *h)
{
	struct bmff	*b;
	int		 r = -1;

	if ((b = malloc(sizeof(*b))) == NULL)
		return -1;
	if (bmff_parse(p, len, b) == BMFF_OK)
		r = bmff_check(b, h);
	free(b);
	return r;
}
