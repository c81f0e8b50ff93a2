/*
 * bmff: ISO BMFF boxes (ctr_box_next) on a table of headers; bmff_walk
 * on HEIC and AVIF files made at test time by convert(1) and heif-enc(1)
 * (dimensions, one frame, alpha or not), on truncations, and on files
 * built here around a real AV1 item (irot and imir in every combination,
 * each decoded by libheif's heif-convert and compared with what the
 * EXIF orientation the walk gives would make of the plain file; an
 * ispe at the limits; extents past the end; no ftyp, meta or handler);
 * and strip_location on HEIC and AVIF files that exiftool gave GPS, an
 * XMP City and an orientation: same length, exiftool finds no location
 * and the same orientation afterwards, and the pixels decode the same.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bmff.h"
#include "ctr.h"
#include "img_walk.h"
#include "strip.h"
#include "scratch.h"
#include "tap.h"

/* ---- building boxes ---- */

static void
put(struct buf *b, const void *p, size_t n)
{
	if ((b->p = realloc(b->p, b->len + n + 1)) == NULL)
		err(1, NULL);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put_n(struct buf *b, uint64_t v, size_t n)
{
	uint8_t	 x[8];
	size_t	 i;

	for (i = 0; i < n; i++)
		x[i] = v >> (8 * (n - 1 - i));
	put(b, x, n);
}

/* Opens a box (a full box when v >= 0); box_end() writes its size. */
static size_t
box(struct buf *b, const char *type, int v)
{
	size_t	 at = b->len;

	put_n(b, 0, 4);
	put(b, type, 4);
	if (v >= 0)
		put_n(b, (uint32_t)v << 24, 4);
	return at;
}

static void
box_end(struct buf *b, size_t at)
{
	size_t	 n = b->len - at;

	b->p[at] = n >> 24;
	b->p[at + 1] = n >> 16;
	b->p[at + 2] = n >> 8;
	b->p[at + 3] = n;
}

/* What a built AVIF has; zeros and NULLs make a plain one. */
struct mk {
	uint32_t		 w, h;
	int			 rot;		/* irot angle + 1; 0: none */
	int			 mir;		/* imir axis + 1; 0: none */
	int			 mir_first;	/* imir before irot in ipma */
	int			 alpha;		/* an alpha item refers to it */
	const char		*aux_urn;	/* its auxC type */
	int			 no_ftyp, no_meta, no_ispe, past;
	const char		*hdlr;
	uint32_t		 pitm;		/* 0: item 1 */
	const struct buf	*av1c;		/* the av1C box */
	const struct buf	*data;		/* the item's bytes */
	const uint8_t		*exif;		/* an Exif item 3's payload */
	size_t			 exif_len;
	int			 exif_split;	/* in two extents */
	int			 xmp_whole;	/* XMP items of the whole file */
};

/*
 * An Exif item's payload: the offset of the TIFF header past "Exif\0\0",
 * then a big-endian TIFF of IFD0 with Orientation 6 and the GPS pointer,
 * and a GPS IFD with GPSLatitudeRef "N" and GPSLatitude 52/1 30/1 7/1.
 */
static const uint8_t exif_gps[4 + 6 + 92] = {
	0, 0, 0, 6, 'E', 'x', 'i', 'f', 0, 0,
	'M', 'M', 0, 42, 0, 0, 0, 8,
	0, 2,
	0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0,
	0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38,
	0, 0, 0, 0,
	0, 2,
	0, 1, 0, 2, 0, 0, 0, 2, 'N', 0, 0, 0,
	0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 68,
	0, 0, 0, 0,
	0, 0, 0, 52, 0, 0, 0, 1, 0, 0, 0, 30, 0, 0, 0, 1,
	0, 0, 0, 7, 0, 0, 0, 1,
};

/* The same without GPS, and with no "Exif\0\0": IFD0, Orientation 6. */
static const uint8_t exif_plain[4 + 26] = {
	0, 0, 0, 0,
	'I', 'I', 42, 0, 8, 0, 0, 0,
	1, 0,
	0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0,
	0, 0, 0, 0,
};

static const uint8_t fake_av1c[] = {
	0, 0, 0, 12, 'a', 'v', '1', 'C', 0x81, 0, 0x0c, 0,
};
static const uint8_t fake_data[] = { 0x12, 0, 0x0a, 6, 1, 2, 3, 4 };

/* ipco: av1C 1, ispe 2, irot 3, imir 4, auxC 5. */
static void
mk_iprp(struct buf *b, const struct mk *m)
{
	size_t	 iprp, ipco, x;
	int	 n;

	iprp = box(b, "iprp", -1);
	ipco = box(b, "ipco", -1);
	if (m->av1c != NULL)
		put(b, m->av1c->p, m->av1c->len);
	else
		put(b, fake_av1c, sizeof(fake_av1c));
	x = box(b, "ispe", 0);
	put_n(b, m->w, 4);
	put_n(b, m->h, 4);
	box_end(b, x);
	x = box(b, "irot", -1);
	put_n(b, m->rot > 0 ? m->rot - 1 : 0, 1);
	box_end(b, x);
	x = box(b, "imir", -1);
	put_n(b, m->mir > 0 ? m->mir - 1 : 0, 1);
	box_end(b, x);
	x = box(b, "auxC", 0);
	put(b, m->aux_urn, strlen(m->aux_urn) + 1);
	box_end(b, x);
	box_end(b, ipco);
	x = box(b, "ipma", 0);
	put_n(b, m->alpha ? 2 : 1, 4);
	put_n(b, 1, 2);
	n = 1 + !m->no_ispe + (m->rot > 0) + (m->mir > 0);
	put_n(b, n, 1);
	put_n(b, 0x81, 1);
	if (!m->no_ispe)
		put_n(b, 0x02, 1);
	if (m->mir > 0 && m->mir_first)
		put_n(b, 0x84, 1);
	if (m->rot > 0)
		put_n(b, 0x83, 1);
	if (m->mir > 0 && !m->mir_first)
		put_n(b, 0x84, 1);
	if (m->alpha) {
		put_n(b, 2, 2);
		put_n(b, 3, 1);
		put(b, "\x81\x02\x85", 3);
	}
	box_end(b, x);
	box_end(b, iprp);
}

/* One infe, version 2. */
static void
mk_infe(struct buf *b, uint32_t id, const char *type)
{
	size_t	 x = box(b, "infe", 2);

	put_n(b, id, 2);
	put_n(b, 0, 2);
	put(b, type, 4);
	put(b, "", 1);
	box_end(b, x);
}

/*
 * ftyp, meta (hdlr, pitm, iloc v0 with 4-byte fields, iinf, iprp, iref
 * when alpha), mdat.  Both items' bytes are the one extent in mdat.
 */
static struct buf
mk_avif(const struct mk *m)
{
	struct buf	 b = { NULL, 0 };
	size_t		 meta, x, e, offat[4], rel[4], mdat, half;
	const uint8_t	*d = m->data != NULL ? m->data->p : fake_data;
	size_t		 dlen = m->data != NULL ? m->data->len :
			    sizeof(fake_data);
	int		 i, ne = 0, items = m->alpha ? 2 : 1;

	if (!m->no_ftyp) {
		x = box(&b, "ftyp", -1);
		put(&b, "avif\0\0\0\0avifmif1miaf", 20);
		box_end(&b, x);
	}
	if (!m->no_meta) {
		meta = box(&b, "meta", 0);
		x = box(&b, "hdlr", 0);
		put_n(&b, 0, 4);
		put(&b, m->hdlr != NULL ? m->hdlr : "pict", 4);
		put(&b, "\0\0\0\0\0\0\0\0\0\0\0\0", 13);
		box_end(&b, x);
		x = box(&b, "pitm", 0);
		put_n(&b, m->pitm != 0 ? m->pitm : 1, 2);
		box_end(&b, x);
		x = box(&b, "iloc", 0);
		put_n(&b, 0x44, 1);
		put_n(&b, 0x00, 1);
		put_n(&b, items + (m->exif != NULL) + m->xmp_whole, 2);
		for (i = 0; i < m->xmp_whole; i++) {
			put_n(&b, 10 + i, 2);
			put_n(&b, 0, 2);
			put_n(&b, 1, 2);
			put_n(&b, 0, 8);	/* offset 0, length 0: all */
		}
		for (i = 0; i < items; i++) {
			put_n(&b, i + 1, 2);
			put_n(&b, 0, 2);
			put_n(&b, 1, 2);
			offat[ne] = b.len;
			rel[ne++] = m->past ? dlen + m->exif_len : 0;
			put_n(&b, 0, 4);
			put_n(&b, dlen, 4);
		}
		if (m->exif != NULL) {
			half = m->exif_split ? m->exif_len / 2 : m->exif_len;
			put_n(&b, 3, 2);
			put_n(&b, 0, 2);
			put_n(&b, m->exif_split ? 2 : 1, 2);
			offat[ne] = b.len;
			rel[ne++] = dlen;
			put_n(&b, 0, 4);
			put_n(&b, half, 4);
			if (m->exif_split) {
				offat[ne] = b.len;
				rel[ne++] = dlen + half;
				put_n(&b, 0, 4);
				put_n(&b, m->exif_len - half, 4);
			}
		}
		box_end(&b, x);
		x = box(&b, "iinf", 0);
		put_n(&b, items + (m->exif != NULL) + m->xmp_whole, 2);
		mk_infe(&b, 1, "av01");
		for (i = 0; i < m->xmp_whole; i++) {
			e = box(&b, "infe", 2);
			put_n(&b, 10 + i, 2);
			put_n(&b, 0, 2);
			put(&b, "mime", 4);
			put(&b, "", 1);
			put(&b, "application/rdf+xml", 20);
			box_end(&b, e);
		}
		if (m->alpha)
			mk_infe(&b, 2, "av01");
		if (m->exif != NULL)
			mk_infe(&b, 3, "Exif");
		box_end(&b, x);
		mk_iprp(&b, m);
		if (m->alpha) {
			x = box(&b, "iref", 0);
			put_n(&b, 14, 4);
			put(&b, "auxl", 4);
			put_n(&b, 2, 2);
			put_n(&b, 1, 2);
			put_n(&b, 1, 2);
			box_end(&b, x);
		}
		box_end(&b, meta);
	}
	mdat = box(&b, "mdat", -1);
	put(&b, d, dlen);
	if (m->exif != NULL)
		put(&b, m->exif, m->exif_len);
	box_end(&b, mdat);
	for (i = 0; i < ne; i++) {
		x = mdat + 8 + rel[i];
		b.p[offat[i]] = x >> 24;
		b.p[offat[i] + 1] = x >> 16;
		b.p[offat[i] + 2] = x >> 8;
		b.p[offat[i] + 3] = x;
	}
	return b;
}

static int
walk(const struct buf *b, struct img_hdr *h)
{
	memset(h, 0, sizeof(*h));
	return img_walk(b->p, b->len, img_sniff(b->p, b->len), h);
}

/* ---- boxes ---- */

struct box_case {
	const char	*name;
	const uint8_t	*p;
	size_t		 len;
	enum ctr_step	 want;
	size_t		 data, dlen;
};

static void
test_boxes(void)
{
	static const uint8_t small[] = { 0, 0, 0, 10, 'f', 'r', 'e', 'e',
	    'a', 'b' };
	static const uint8_t large[] = { 0, 0, 0, 1, 'm', 'd', 'a', 't',
	    0, 0, 0, 0, 0, 0, 0, 18, 'x', 'y' };
	static const uint8_t huge[] = { 0, 0, 0, 1, 'm', 'd', 'a', 't',
	    0, 0, 0, 1, 0, 0, 0, 18, 'x', 'y' };
	static const uint8_t toend[] = { 0, 0, 0, 0, 'm', 'd', 'a', 't',
	    1, 2, 3 };
	static const uint8_t past[] = { 0, 0, 0, 12, 'f', 'r', 'e', 'e',
	    'a', 'b' };
	static const uint8_t under[] = { 0, 0, 0, 7, 'f', 'r', 'e', 'e' };
	static const uint8_t under64[] = { 0, 0, 0, 1, 'm', 'd', 'a', 't',
	    0, 0, 0, 0, 0, 0, 0, 15, 'x' };
	static const uint8_t cut64[] = { 0, 0, 0, 1, 'm', 'd', 'a', 't',
	    0, 0, 0, 0 };
	static const uint8_t cut[] = { 0, 0, 0, 8, 'f', 'r', 'e' };
	static const struct box_case cases[] = {
		{ "32-bit size", small, sizeof(small), CTR_SEG, 8, 2 },
		{ "64-bit size", large, sizeof(large), CTR_SEG, 16, 2 },
		{ "64-bit size over 4 GB", huge, sizeof(huge), CTR_BAD, 0, 0 },
		{ "size 0: to the end", toend, sizeof(toend), CTR_SEG, 8, 3 },
		{ "past the end", past, sizeof(past), CTR_BAD, 0, 0 },
		{ "shorter than its header", under, sizeof(under), CTR_BAD,
		    0, 0 },
		{ "64-bit size under 16", under64, sizeof(under64), CTR_BAD,
		    0, 0 },
		{ "64-bit size cut off", cut64, sizeof(cut64), CTR_BAD, 0, 0 },
		{ "header cut off", cut, sizeof(cut), CTR_BAD, 0, 0 },
		{ "nothing", small, 0, CTR_END, 0, 0 },
	};
	struct ctr_it	 it;
	struct ctr_seg	 s;
	enum ctr_step	 st;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		it.p = cases[i].p;
		it.len = cases[i].len;
		it.off = 0;
		it.done = 0;
		st = ctr_box_next(&it, &s);
		if (cases[i].want != CTR_SEG) {
			ok(st == cases[i].want && it.off == 0, "box: %s",
			    cases[i].name);
			continue;
		}
		ok(st == CTR_SEG && s.at == 0 && s.data == cases[i].data &&
		    s.dlen == cases[i].dlen && s.end == cases[i].len &&
		    memcmp(s.tag, cases[i].p + 4, 4) == 0 &&
		    it.off == cases[i].len &&
		    ctr_box_next(&it, &s) == CTR_END, "box: %s",
		    cases[i].name);
	}
}

/* ---- real files ---- */

static void
test_made(void)
{
	static const struct {
		const char	*file;
		long		 w, h;
		int		 alpha;
	} made[] = {
		{ "plasma.heic", 64, 48, 0 },
		{ "plasma.avif", 64, 48, 0 },
		{ "alpha.heic", 32, 24, 1 },
		{ "alpha.avif", 32, 24, 1 },
		{ "opaque.heic", 32, 24, 0 },
		{ "opaque.avif", 32, 24, 0 },
	};
	struct img_hdr	 h;
	struct buf	 b, t;
	size_t		 i;
	int		 r;

	scratch_sh("convert -size 64x48 plasma:fractal plasma.heic && "
	    "convert -size 64x48 plasma:fractal plasma.avif");
	scratch_sh("convert -size 32x24 xc:none -fill red -draw "
	    "'rectangle 4,4 20,16' PNG32:alpha.png && "
	    "convert -size 32x24 xc:blue PNG24:opaque.png");
	scratch_sh("for f in alpha opaque; do heif-enc -q 50 $f.png -o $f.heic && "
	    "heif-enc -q 50 $f.png -o $f.avif; done >/dev/null");
	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		b = scratch_read(made[i].file);
		r = walk(&b, &h);
		ok(r == 0 && h.width == made[i].w &&
		    h.height == made[i].h && h.frames == 1 &&
		    h.alpha == made[i].alpha && h.orient == 0,
		    "%s: %ldx%ld, %ld frame, alpha %d, orientation %d",
		    made[i].file, h.width, h.height, h.frames, h.alpha,
		    h.orient);
		/* Cut in the mdat: the item's bytes are not all there. */
		t = b;
		t.len = b.len - 10;
		ok(walk(&t, &h) == -1, "%s cut in its mdat is refused",
		    made[i].file);
		t.len = 40;
		ok(walk(&t, &h) == -1, "%s cut in its meta is refused",
		    made[i].file);
		free(b.p);
	}
}

/* ---- built files ---- */

static void
test_built(void)
{
	struct mk	 m;
	struct img_hdr	 h;
	struct buf	 b;
	int		 r;

	memset(&m, 0, sizeof(m));
	m.w = 64;
	m.h = 48;
	m.aux_urn = "urn:mpeg:mpegB:cicp:systems:auxiliary:alpha";
	b = mk_avif(&m);
	ok(walk(&b, &h) == 0 && h.width == 64 && h.height == 48 &&
	    h.frames == 1 && h.orient == 0 && h.alpha == 0,
	    "built: plain AVIF");
	free(b.p);

	m.alpha = 1;
	b = mk_avif(&m);
	ok(walk(&b, &h) == 0 && h.alpha == 1, "built: alpha item (MPEG-B)");
	free(b.p);
	m.aux_urn = "urn:mpeg:hevc:2015:auxid:1";
	b = mk_avif(&m);
	ok(walk(&b, &h) == 0 && h.alpha == 1, "built: alpha item (HEVC)");
	free(b.p);
	m.aux_urn = "urn:mpeg:hevc:2015:auxid:2";
	b = mk_avif(&m);
	ok(walk(&b, &h) == 0 && h.alpha == 0, "built: a depth item is no "
	    "alpha");
	free(b.p);
	m.alpha = 0;
	m.aux_urn = "urn:mpeg:mpegB:cicp:systems:auxiliary:alpha";

	m.w = m.h = 65000;
	b = mk_avif(&m);
	r = walk(&b, &h);
	ok(r == 0 && h.width == 65000 && h.height == 65000,
	    "built: ispe 65000x65000 is read as it is (img.c's limits)");
	free(b.p);
	m.w = 70000;
	b = mk_avif(&m);
	ok(walk(&b, &h) == -1, "built: ispe over 65535 is refused");
	free(b.p);
	m.w = 64;
	m.h = 48;

	m.past = 1;
	b = mk_avif(&m);
	ok(walk(&b, &h) == -1, "built: an extent past the end is refused");
	free(b.p);
	m.past = 0;
	m.no_ftyp = 1;
	b = mk_avif(&m);
	ok(walk(&b, &h) == -1 && img_sniff(b.p, b.len) == IMG_NONE &&
	    bmff_walk(b.p, b.len, &h) == -1, "built: no ftyp is refused");
	free(b.p);
	m.no_ftyp = 0;
	m.no_meta = 1;
	b = mk_avif(&m);
	ok(walk(&b, &h) == -1, "built: no meta is refused");
	free(b.p);
	m.no_meta = 0;
	m.hdlr = "vide";
	b = mk_avif(&m);
	ok(walk(&b, &h) == -1, "built: a handler other than pict is refused");
	free(b.p);
	m.hdlr = NULL;
	m.no_ispe = 1;
	b = mk_avif(&m);
	ok(walk(&b, &h) == -1, "built: a primary without ispe is refused");
	free(b.p);
	m.no_ispe = 0;
	m.pitm = 7;
	b = mk_avif(&m);
	ok(walk(&b, &h) == -1, "built: a primary that is no item is refused");
	free(b.p);
}

/* ---- orientation ---- */

/* What convert(1) does to show a file of each EXIF orientation. */
static const char *const orient_op[9] = {
	NULL, "", "-flop", "-rotate 180", "-flip", "-transpose",
	"-rotate 90", "-transverse", "-rotate 270",
};

/* Finds the av1C box and item 1's bytes of a real AVIF. */
static void
av1_parts(const struct buf *f, struct buf *av1c, struct buf *data)
{
	static struct bmff	 b;
	struct bmff_item	*it;
	size_t			 i, off, n;

	if (bmff_parse(f->p, f->len, &b) != BMFF_OK ||
	    (it = bmff_item(&b, b.primary)) == NULL || it->next != 1 ||
	    bmff_extent_at(&b, it, 0, &off, &n) == -1)
		errx(1, "plasma.avif: no single-extent primary item");
	data->p = NULL;
	data->len = 0;
	put(data, f->p + off, n);
	for (i = 0; i < b.nprops; i++)
		if (memcmp(f->p + b.props[i].at + 4, "av1C", 4) == 0) {
			av1c->p = NULL;
			av1c->len = 0;
			put(av1c, f->p + b.props[i].at,
			    b.props[i].data + b.props[i].dlen - b.props[i].at);
			return;
		}
	errx(1, "plasma.avif: no av1C");
}

/*
 * Each irot angle with and without each imir axis, irot first as
 * writers put them, and two with imir first: the orientation the walk
 * gives, and whether libheif's own decoding matches it.
 */
static void
test_orient(void)
{
	static const struct {
		int	 rot, mir, mir_first, want;
	} cases[] = {
		{ 1, 0, 0, 1 }, { 2, 0, 0, 8 }, { 3, 0, 0, 3 }, { 4, 0, 0, 6 },
		{ 0, 1, 0, 4 }, { 0, 2, 0, 2 },
		{ 1, 1, 0, 4 }, { 2, 1, 0, 5 }, { 3, 1, 0, 2 }, { 4, 1, 0, 7 },
		{ 1, 2, 0, 2 }, { 2, 2, 0, 7 }, { 3, 2, 0, 4 }, { 4, 2, 0, 5 },
		{ 2, 2, 1, 5 }, { 4, 1, 1, 5 },
	};
	struct buf	 f, av1c, data, b;
	struct img_hdr	 h;
	struct mk	 m;
	char		 want[64];
	size_t		 i;
	int		 r;

	f = scratch_read("plasma.avif");
	av1_parts(&f, &av1c, &data);
	memset(&m, 0, sizeof(m));
	m.w = 64;
	m.h = 48;
	m.aux_urn = "";
	m.av1c = &av1c;
	m.data = &data;
	b = mk_avif(&m);
	scratch_write("o0.avif", b.p, b.len);
	free(b.p);
	scratch_sh("heif-convert o0.avif o0.png >/dev/null");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.rot = cases[i].rot;
		m.mir = cases[i].mir;
		m.mir_first = cases[i].mir_first;
		b = mk_avif(&m);
		r = walk(&b, &h);
		ok(r == 0 && h.orient == cases[i].want &&
		    h.width == 64 && h.height == 48,
		    "irot %d imir %d%s: orientation %d (want %d)",
		    m.rot - 1, m.mir - 1, m.mir_first ? " (imir first)" : "",
		    h.orient, cases[i].want);
		scratch_write("o.avif", b.p, b.len);
		free(b.p);
		snprintf(want, sizeof(want), "%s", scratch_out("convert o0.png %s "
		    "rgb:- | md5sum", orient_op[h.orient < 1 ? 1 : h.orient]));
		scratch_sh("rm -f o.png && heif-convert o.avif o.png >/dev/null");
		ok(strcmp(want, scratch_out("convert o.png rgb:- | md5sum")) == 0,
		    "  libheif shows it as convert %s does",
		    orient_op[h.orient < 1 ? 1 : h.orient]);
	}
	free(av1c.p);
	free(data.p);
	free(f.p);
}

/* ---- stripping ---- */

static void
test_strip_one(const char *ext)
{
	struct buf		 b, t;
	struct img_hdr		 h;
	unsigned char		*out, *again;
	size_t			 outlen, againlen;
	enum strip_status	 st;
	char			 pix[64];

	scratch_sh("convert -size 64x48 plasma:fractal loc.%s && exiftool -q "
	    "-overwrite_original -GPSLatitude=48.85 -GPSLatitudeRef=N "
	    "-GPSLongitude=2.35 -GPSLongitudeRef=E -XMP:City=Paris "
	    "-Orientation=6 -n loc.%s", ext, ext);
	ok(strcmp(scratch_out("exiftool -s -s -s -GPSLatitude -n loc.%s", ext),
	    "48.85") == 0 && strcmp(scratch_out("exiftool -s -s -s -XMP:City "
	    "loc.%s", ext), "Paris") == 0, "%s: control: exiftool wrote GPS "
	    "and City", ext);
	b = scratch_read(ext[0] == 'h' ? "loc.heic" : "loc.avif");
	st = strip_location(b.p, b.len, 1 << 20, &out, &outlen);
	ok(st == STRIP_DONE && outlen == b.len, "%s: GPS and XMP: stripped, "
	    "same length (%zu)", ext, outlen);
	if (st != STRIP_DONE)
		return;
	scratch_write(ext[0] == 'h' ? "clean.heic" : "clean.avif", out, outlen);
	ok(*scratch_out("exiftool -s -s -s -gps:all -xmp:City clean.%s",
	    ext) == '\0', "%s: exiftool finds no GPS and no XMP City", ext);
	ok(strcmp(scratch_out("exiftool -s -s -s -Orientation -n clean.%s", ext),
	    "6") == 0, "%s: the EXIF orientation stays", ext);
	snprintf(pix, sizeof(pix), "%s",
	    scratch_out("convert loc.%s rgb:- | md5sum", ext));
	ok(strcmp(pix, scratch_out("convert clean.%s rgb:- | md5sum", ext)) == 0,
	    "%s: the pixels decode the same", ext);
	st = strip_location(out, outlen, 1 << 20, &again, &againlen);
	ok(st == STRIP_UNCHANGED && again == NULL,
	    "%s: stripping the output changes nothing", ext);
	ok(strcmp(scratch_out("exiftool -a -G1 clean.%s | grep -ci paris", ext),
	    "0") == 0, "%s: no Paris anywhere exiftool looks", ext);
	t.p = out;
	t.len = outlen;
	ok(walk(&t, &h) == 0 && h.width == 64, "%s: the output is still "
	    "taken", ext);
	free(out);
	free(b.p);

	scratch_sh("convert -size 64x48 plasma:fractal plain.%s && exiftool -q "
	    "-overwrite_original -Orientation=6 -n plain.%s", ext, ext);
	b = scratch_read(ext[0] == 'h' ? "plain.heic" : "plain.avif");
	st = strip_location(b.p, b.len, 1 << 20, &out, &outlen);
	ok(st == STRIP_UNCHANGED && out == NULL,
	    "%s: EXIF without GPS is left as it is", ext);
	free(b.p);
}

static void
test_strip(void)
{
	struct buf		 b;
	unsigned char		*out;
	size_t			 outlen;

	test_strip_one("heic");
	test_strip_one("avif");
	b = scratch_read("plasma.heic");
	ok(strip_location(b.p, b.len, 1 << 20, &out, &outlen) ==
	    STRIP_UNCHANGED, "heic without metadata is left as it is");
	b.len = 40;
	ok(strip_location(b.p, b.len, 1 << 20, &out, &outlen) == STRIP_BAD &&
	    out == NULL, "heic cut in its meta: refused");
	free(b.p);
}

/* Stripping built files with an Exif item; TIFF offsets and all. */
static void
test_strip_built(void)
{
	static const uint8_t	 lat[8] = { 0, 0, 0, 52, 0, 0, 0, 1 };
	static const uint8_t	 orient[8] = { 0x01, 0x12, 0, 3, 0, 0, 0, 1 };
	struct mk		 m;
	struct buf		 b;
	struct img_hdr		 h;
	unsigned char		*out;
	size_t			 outlen;
	enum strip_status	 st;

	memset(&m, 0, sizeof(m));
	m.w = 64;
	m.h = 48;
	m.aux_urn = "";
	m.exif = exif_gps;
	m.exif_len = sizeof(exif_gps);
	b = mk_avif(&m);
	ok(walk(&b, &h) == 0, "built Exif item: the file is taken");
	st = strip_location(b.p, b.len, 1 << 20, &out, &outlen);
	ok(st == STRIP_DONE && outlen == b.len &&
	    memmem(b.p, b.len, lat, 8) != NULL &&
	    memmem(out, outlen, lat, 8) == NULL &&
	    memmem(out, outlen, orient, 8) != NULL &&
	    memcmp(out, b.p, b.len - sizeof(exif_gps)) == 0,
	    "built Exif item with GPS: the GPS IFD blanked in place, "
	    "Orientation and all before the item kept");
	free(out);
	free(b.p);
	m.exif_split = 1;
	b = mk_avif(&m);
	st = strip_location(b.p, b.len, 1 << 20, &out, &outlen);
	ok(st == STRIP_BAD && out == NULL, "built Exif item with GPS in two "
	    "extents: refused");
	free(b.p);
	m.exif = exif_plain;
	m.exif_len = sizeof(exif_plain);
	b = mk_avif(&m);
	st = strip_location(b.p, b.len, 1 << 20, &out, &outlen);
	ok(st == STRIP_UNCHANGED && out == NULL, "built Exif item without "
	    "GPS in two extents: unchanged");
	free(b.p);
	m.exif_split = 0;
	b = mk_avif(&m);
	st = strip_location(b.p, b.len, 1 << 20, &out, &outlen);
	ok(st == STRIP_UNCHANGED && out == NULL, "built Exif item without "
	    "GPS: unchanged");
	free(b.p);
	m.exif = NULL;
	m.xmp_whole = 1;
	b = mk_avif(&m);
	st = strip_location(b.p, b.len, 1 << 20, &out, &outlen);
	ok(walk(&b, &h) == 0 && st == STRIP_UNCHANGED, "built XMP item of "
	    "the whole file, no location: unchanged");
	free(b.p);
	/* Each pass looks at no more bytes than the file has. */
	m.xmp_whole = 2;
	b = mk_avif(&m);
	st = strip_location(b.p, b.len, 1 << 20, &out, &outlen);
	ok(st == STRIP_BAD && out == NULL, "built XMP items that each "
	    "claim the whole file: refused");
	free(b.p);
}

int
main(void)
{
	scratch_init("t_bmff");
	test_boxes();
	test_made();
	test_built();
	test_orient();
	test_strip();
	test_strip_built();
	scratch_done();
	return tap_done();
}
