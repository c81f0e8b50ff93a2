/*
 * TIFF and BMP: probing's container walks (img_walk()) on real files
 * made by convert(1) and exiftool(1) at test time, and on hostile ones
 * built here byte by byte (10000 pages, IFDs past the end, IFD loops,
 * BMP heights of INT32_MIN and -70000, a pixel offset past the end),
 * those also through img_check_headers() and the default limits;
 * and the location stripper on a TIFF with GPS and XMP: same length,
 * no GPS nor City left for exiftool, Orientation and pixels unchanged;
 * and on one built here with IPTC-NAA and Photoshop resources (IPTC,
 * its digest, EXIF with GPS, XMP): places gone, the rest and every
 * size kept, the digest current, nothing exiftool warns of.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lcms2.h>
#include <md5.h>

#include "conf.h"
#include "img.h"
#include "img_type.h"
#include "img_walk.h"
#include "strip.h"
#include "scratch.h"
#include "tap.h"

/* img_walk() of p as the type its magic says, h cleared first. */
static int
walk(const uint8_t *p, size_t n, struct img_hdr *h)
{
	memset(h, 0, sizeof(*h));
	return img_walk(p, n, img_sniff(p, n), h);
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- files made by the real tools ---- */

/* What the walk must say of a file convert(1) makes. */
static const struct {
	const char	*file;
	const char	*args;
	long		 w, h, frames;
	int		 orient, alpha;
} made[] = {
	{ "one.tif", "a.png", 40, 30, 1, 1, 0 },
	{ "be.tif", "a.png -define tiff:endian=msb", 40, 30, 1, 1, 0 },
	{ "lzw.tif", "a.png -compress lzw", 40, 30, 1, 1, 0 },
	{ "zip.tif", "a.png -compress zip", 40, 30, 1, 1, 0 },
	{ "tiled.tif", "a.png -define tiff:tile-geometry=16x16", 40, 30, 1,
	    1, 0 },
	{ "alpha.tif", "-size 40x30 xc:none -fill red -draw "
	    "'circle 20,15 20,5'", 40, 30, 1, 1, 1 },
	{ "multi.tif", "a.png b.png c.png", 40, 30, 3, 1, 0 },
	{ "b24.bmp", "a.png -type truecolor BMP3:b24.bmp #", 40, 30, 1, 0,
	    0 },
	{ "b32.bmp", "alpha.tif", 40, 30, 1, 0, 1 },
	{ "rle8.bmp", "a.png -colors 16 -type palette -compress RLE "
	    "BMP3:rle8.bmp #", 40, 30, 1, 0, 0 },
	{ "os2.bmp", "rose: BMP2:os2.bmp #", 70, 46, 1, 0, 0 },
};

static void
test_made(void)
{
	struct img_hdr	 h;
	struct buf	 b;
	size_t		 i;
	int		 r;

	scratch_sh("convert -size 40x30 plasma: -depth 8 a.png && "
	    "convert -size 40x30 gradient: -depth 8 b.png && "
	    "convert -size 40x30 xc:blue c.png");
	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		scratch_sh("convert %s -depth 8 %s", made[i].args, made[i].file);
		b = scratch_read(made[i].file);
		r = walk(b.p, b.len, &h);
		ok(r == 0 && h.width == made[i].w &&
		    h.height == made[i].h && h.frames == made[i].frames &&
		    h.orient == made[i].orient && h.alpha == made[i].alpha,
		    "%s: %ld x %ld, %ld frames, orientation %d, alpha %d",
		    made[i].file, h.width, h.height, h.frames, h.orient,
		    h.alpha);
		/* Any other type's walk refuses it. */
		ok(img_walk(b.p, b.len, img_sniff(b.p, b.len) == IMG_TIFF ?
		    IMG_BMP : IMG_TIFF, &h) == -1, "%s: not the other type",
		    made[i].file);
		free(b.p);
	}
	b = scratch_read("be.tif");
	ok(b.len > 2 && b.p[0] == 'M' && b.p[1] == 'M', "be.tif is big-endian");
	free(b.p);

	scratch_sh("cp one.tif or6.tif && exiftool -q -overwrite_original "
	    "-Orientation=6 -n or6.tif");
	b = scratch_read("or6.tif");
	r = walk(b.p, b.len, &h);
	ok(r == 0 && h.orient == 6 && h.width == 40 &&
	    h.height == 30, "exiftool's Orientation 6: orient %d", h.orient);
	free(b.p);
}

/* A real BMP with its height patched, the pixels as they were. */
static void
test_bmp_height(void)
{
	struct img_hdr	 h;
	struct buf	 b = scratch_read("b24.bmp");
	static const struct {
		int32_t	 height;
		int	 r;
		long	 want;
		const char	*what;
	} cases[] = {
		{ -30, 0, 30, "top-down (negative height)" },
		{ -70000, 0, 70000, "-70000: taken, the limits refuse it" },
		{ INT32_MIN, -1, 0, "INT32_MIN" },
		{ 0, -1, 0, "zero height" },
	};
	size_t		 i;
	int		 r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(b.p + 22, &cases[i].height, 4);	/* little-endian */
		r = walk(b.p, b.len, &h);
		ok(r == cases[i].r && (r != 0 || (h.height == cases[i].want &&
		    h.width == 40)), "BMP height %s: %d, %ld",
		    cases[i].what, r, h.height);
	}
	/* top-down pixels read as the same image, flipped. */
	memcpy(b.p + 22, &cases[0].height, 4);
	scratch_write("top.bmp", b.p, b.len);
	{
		char	 a[80], t[80];

		scratch_line(a, sizeof(a), "convert b24.bmp -flip rgb:- | md5sum");
		scratch_line(t, sizeof(t), "convert top.bmp rgb:- | md5sum");
		ok(strcmp(a, t) == 0, "ImageMagick reads the top-down BMP");
	}
	free(b.p);

	b = scratch_read("b24.bmp");
	memset(b.p + 18, 0xff, 4);	/* width -1 */
	ok(walk(b.p, b.len, &h) == -1, "BMP width -1");
	free(b.p);

	b = scratch_read("rle8.bmp");
	memcpy(b.p + 22, &cases[0].height, 4);
	ok(walk(b.p, b.len, &h) == -1, "top-down RLE8 BMP (not allowed)");
	free(b.p);

	b = scratch_read("b24.bmp");
	b.p[28] = 7;
	ok(walk(b.p, b.len, &h) == -1, "BMP of 7 bits a pixel");
	free(b.p);
	b = scratch_read("b24.bmp");
	b.p[30] = 4;	/* BI_JPEG */
	ok(walk(b.p, b.len, &h) == -1, "BMP with JPEG compression");
	free(b.p);
	b = scratch_read("b24.bmp");
	b.p[26] = 2;
	ok(walk(b.p, b.len, &h) == -1, "BMP of two planes");
	free(b.p);
}

/* The pixel data offset at or past the end, or inside the headers. */
static void
test_bmp_truncated(void)
{
	struct img_hdr	 h;
	struct buf	 b = scratch_read("b24.bmp");
	uint32_t	 off;
	size_t		 n;

	memcpy(&off, b.p + 10, 4);
	ok(walk(b.p, off + 1, &h) == 0, "BMP with one byte of pixels");
	ok(walk(b.p, off, &h) == -1, "BMP cut where the pixels start");
	for (n = 0; n < off; n += 7)
		if (walk(b.p, n, &h) != -1)
			break;
	ok(n >= off, "BMP cut anywhere in its headers: refused");
	off = b.len + 100;
	memcpy(b.p + 10, &off, 4);
	ok(walk(b.p, b.len, &h) == -1, "BMP offset past the end");
	off = 20;
	memcpy(b.p + 10, &off, 4);
	ok(walk(b.p, b.len, &h) == -1, "BMP offset inside its headers");
	free(b.p);
}

/* ---- TIFFs built here ---- */

static void
le16(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void
le32(uint8_t *p, uint32_t v)
{
	le16(p, v);
	le16(p + 2, v >> 16);
}

/* One entry of a single SHORT or LONG value. */
static void
entry(uint8_t *e, uint16_t tag, uint16_t type, uint32_t v)
{
	le16(e, tag);
	le16(e + 2, type);
	le32(e + 4, 1);
	le32(e + 8, v);
}

#define IFD_LEN	(2 + 5 * 12 + 4)
#define IFD_AT(i)	(10 + (uint32_t)IFD_LEN * (i))

/*
 * A little-endian TIFF of 1 x 1 pages: the header, the one byte of
 * pixels all pages share, and pages IFDs chained one after the other.
 * Returns its length; *b is malloc'd.
 */
static size_t
tiff_chain(uint8_t **b, size_t pages)
{
	size_t	 i, n = IFD_AT(pages);
	uint8_t	*p, *d;

	if ((p = calloc(1, n)) == NULL)
		err(1, NULL);
	memcpy(p, "II*\0", 4);
	le32(p + 4, IFD_AT(0));
	p[8] = 0x80;
	for (i = 0; i < pages; i++) {
		d = p + IFD_AT(i);
		le16(d, 5);
		entry(d + 2, 256, 3, 1);
		entry(d + 14, 257, 4, 1);
		entry(d + 26, 262, 3, 1);	/* BlackIsZero */
		entry(d + 38, 273, 4, 8);
		entry(d + 50, 279, 3, 1);
		le32(d + 62, i + 1 < pages ? IFD_AT(i + 1) : 0);
	}
	*b = p;
	return n;
}

/* Makes the IFD of page i point to off. */
static void
tiff_next(uint8_t *p, size_t i, uint32_t off)
{
	le32(p + IFD_AT(i) + 62, off);
}

static void
test_tiff_pages(void)
{
	struct img_hdr	 h;
	uint8_t		*p;
	size_t		 n;
	double		 t0, ms;
	int		 r;

	n = tiff_chain(&p, 1);
	ok(walk(p, n, &h) == 0 && h.width == 1 && h.height == 1 &&
	    h.frames == 1 && h.orient == 0 && h.alpha == 0,
	    "built TIFF of one page");
	scratch_write("built.tif", p, n);
	free(p);
	{
		char	 id[80];

		scratch_line(id, sizeof(id), "identify -format %%wx%%h built.tif "
		    "2>/dev/null");
		ok(strcmp(id, "1x1") == 0, "identify reads the built TIFF: %s",
		    id);
	}

	n = tiff_chain(&p, 10000);
	t0 = now_ms();
	r = walk(p, n, &h);
	ms = now_ms() - t0;
	ok(r == 0 && h.frames == 10000,
	    "TIFF of 10000 pages: %ld frames (in %.1f ms)", h.frames, ms);
	scratch_write("pages10000.tif", p, n);
	free(p);

	n = tiff_chain(&p, 70000);
	r = walk(p, n, &h);
	ok(r == 0 && h.frames == 65536,
	    "TIFF of 70000 pages: counted to the cap, %ld", h.frames);
	free(p);
}

static void
test_tiff_hostile(void)
{
	struct img_hdr	 h;
	uint8_t		*p;
	size_t		 n;
	double		 t0, ms;
	int		 r;

	n = tiff_chain(&p, 3);
	le32(p + 4, n + 100);
	ok(walk(p, n, &h) == -1, "TIFF IFD0 past the end");
	le32(p + 4, n - 4);
	ok(walk(p, n, &h) == -1, "TIFF IFD0 running past the end");
	le32(p + 4, IFD_AT(0));
	ok(walk(p, n, &h) == 0 && h.frames == 3, "TIFF of 3 pages");
	tiff_next(p, 1, n + 100);
	ok(walk(p, n, &h) == -1, "TIFF chained IFD past the end");
	tiff_next(p, 1, n - 20);
	ok(walk(p, n, &h) == -1, "TIFF chained IFD running past the end");
	ok(walk(p, n - 1, &h) == -1, "TIFF cut in its last IFD");
	tiff_next(p, 1, IFD_AT(2));
	tiff_next(p, 2, IFD_AT(0));
	ok(walk(p, n, &h) == -1, "TIFF IFD loop back to IFD0");
	tiff_next(p, 2, IFD_AT(2));
	ok(walk(p, n, &h) == -1, "TIFF IFD pointing to itself");
	free(p);

	/* A long loop far down the chain: caught, in linear time. */
	n = tiff_chain(&p, 30000);
	tiff_next(p, 29999, IFD_AT(20000));
	t0 = now_ms();
	r = walk(p, n, &h);
	ms = now_ms() - t0;
	ok(r == -1, "TIFF loop of 10000 IFDs after 20000 (%.1f ms)", ms);
	free(p);

	n = tiff_chain(&p, 1);
	le32(p + IFD_AT(0) + 2 + 8, 0);
	ok(walk(p, n, &h) == -1, "TIFF of width 0");
	le32(p + IFD_AT(0) + 2 + 8, 1);
	le16(p + IFD_AT(0) + 2, 999);
	ok(walk(p, n, &h) == -1, "TIFF without ImageWidth");
	le16(p + IFD_AT(0) + 2, 256);
	le32(p + IFD_AT(0) + 38 + 8, n);
	ok(walk(p, n, &h) == -1, "TIFF strip offset at the end");
	le32(p + IFD_AT(0) + 38 + 8, 8);
	le32(p + IFD_AT(0) + 50 + 8, 0);
	ok(walk(p, n, &h) == -1, "TIFF strip of 0 bytes");
	le32(p + IFD_AT(0) + 50 + 8, n);
	ok(walk(p, n, &h) == -1, "TIFF strip running past the end");
	le32(p + IFD_AT(0) + 50 + 8, 1);
	ok(walk(p, n, &h) == 0, "control: the built TIFF again");
	le16(p + IFD_AT(0) + 38, 999);
	ok(walk(p, n, &h) == -1, "TIFF without StripOffsets");
	free(p);
}

/*
 * The hostile files of issue 18, through img_check_headers() with the
 * default limits: each refused from its headers alone, the ones that
 * lie as IMG_BAD, the ones too big as IMG_TOO_BIG.
 */
static void
test_limits(void)
{
	struct conf	 c;
	struct buf	 b;
	uint8_t		*p;
	size_t		 n;
	int32_t		 ht = -70000;
	enum img_status	 st;

	conf_defaults(&c);
	n = tiff_chain(&p, 10000);
	st = img_check_headers(p, n, IMG_TIFF, &c);
	ok(st == IMG_TOO_BIG, "TIFF of 10000 pages, max_frames %ld: %d",
	    (long)c.max_frames, st);
	le32(p + 4, n + 8);
	st = img_check_headers(p, n, IMG_TIFF, &c);
	ok(st == IMG_BAD, "TIFF IFD0 past the end: bad (%d)", st);
	free(p);
	n = tiff_chain(&p, (size_t)c.max_frames);
	st = img_check_headers(p, n, IMG_TIFF, &c);
	ok(st == IMG_OK, "TIFF of max_frames pages: %d", st);
	free(p);

	b = scratch_read("b24.bmp");
	memcpy(b.p + 22, &ht, 4);
	st = img_check_headers(b.p, b.len, IMG_BMP, &c);
	ok(st == IMG_TOO_BIG, "BMP of height -70000: too big (%d)", st);
	ht = INT32_MIN;
	memcpy(b.p + 22, &ht, 4);
	st = img_check_headers(b.p, b.len, IMG_BMP, &c);
	ok(st == IMG_BAD, "BMP of height INT32_MIN: bad (%d)", st);
	free(b.p);
	conf_free(&c);
}

/* Real multi-strip files: the first of several counts, out of line. */
static void
test_tiff_strips(void)
{
	struct img_hdr	 h;
	struct buf	 b;

	scratch_sh("convert -size 40x300 plasma: -depth 8 -define "
	    "tiff:rows-per-strip=8 strips.tif");
	b = scratch_read("strips.tif");
	ok(walk(b.p, b.len, &h) == 0 && h.height == 300,
	    "TIFF of 38 strips");
	/* Cut before the first strip's end: refused. */
	ok(walk(b.p, 200, &h) == -1, "TIFF cut in its first strip");
	free(b.p);
}

/* ---- stripping ---- */

/* An sRGB ICC profile by lcms2, srgb.icc, for a TIFF to carry. */
static void
make_icc(void)
{
	cmsHPROFILE	 icc;

	if ((icc = cmsCreate_sRGBProfile()) == NULL ||
	    !cmsSaveProfileToFile(icc, scratch_path("srgb.icc")))
		errx(1, "lcms2: no sRGB profile");
	cmsCloseProfile(icc);
}

/*
 * A TIFF made with an ICC profile by convert, and GPS, XMP City and
 * Orientation 6 by exiftool.
 */
static void
test_strip_one(const char *name, const char *args)
{
	char		 a[128], s[128], file[64];
	struct buf	 b;
	uint8_t		*out, *again;
	size_t		 outlen, againlen;
	enum strip_status st;
	struct img_hdr	 h1, h2;

	scratch_sh("convert a.png %s -depth 8 -profile srgb.icc %s.tif && exiftool -q "
	    "-overwrite_original -GPSLatitude=48.85 -GPSLatitudeRef=N "
	    "-GPSLongitude=2.35 -GPSLongitudeRef=E -XMP:City=Paris "
	    "-Orientation=6 -n %s.tif", args, name, name);
	scratch_line(a, sizeof(a), "exiftool -s -s -s -GPSLatitude -n %s.tif", name);
	ok(strcmp(a, "48.85") == 0, "%s: control: exiftool wrote GPS: %s",
	    name, a);
	snprintf(file, sizeof(file), "%s.tif", name);
	b = scratch_read(file);
	st = strip_location(b.p, b.len, 1 << 20, &out, &outlen);
	ok(st == STRIP_DONE && outlen == b.len, "%s: TIFF (%c%c) with GPS and "
	    "XMP: stripped (%d), %zu bytes of %zu", name, b.p[0], b.p[1], st,
	    outlen, b.len);
	if (st != STRIP_DONE) {
		free(b.p);
		return;
	}
	scratch_write("stripped.tif", out, outlen);
	scratch_line(s, sizeof(s), "exiftool -q -q -s -gps:all -xmp:City "
	    "stripped.tif | wc -l");
	ok(strcmp(s, "0") == 0, "%s: exiftool finds no GPS, no City: %s lines",
	    name, s);
	scratch_line(s, sizeof(s), "exiftool -s -s -s -Orientation -n "
	    "stripped.tif");
	ok(strcmp(s, "6") == 0, "%s: Orientation kept: %s", name, s);
	scratch_line(a, sizeof(a), "exiftool -b -ICC_Profile srgb.icc | md5sum");
	scratch_line(s, sizeof(s), "exiftool -b -ICC_Profile stripped.tif | md5sum");
	/* Not the MD5 of nothing: the profile is there. */
	ok(strncmp(a, "d41d8cd98f00b204e9800998ecf8427e", 32) != 0 &&
	    strcmp(a, s) == 0, "%s: ICC profile kept", name);
	scratch_line(a, sizeof(a), "convert %s.tif rgb:- | md5sum", name);
	scratch_line(s, sizeof(s), "convert stripped.tif rgb:- | md5sum");
	ok(*a != '\0' && strcmp(a, s) == 0, "%s: pixels unchanged", name);
	ok(walk(b.p, b.len, &h1) == 0 && walk(out, outlen, &h2) == 0 &&
	    memcmp(&h1, &h2, sizeof(h1)) == 0,
	    "%s: the walk says the same of both", name);
	ok(strip_location(out, outlen, 1 << 20, &again, &againlen) ==
	    STRIP_UNCHANGED && again == NULL,
	    "%s: stripping it again: unchanged", name);
	free(out);
	free(b.p);
}

static void
test_strip(void)
{
	struct buf	 b;
	uint8_t		*out;
	size_t		 outlen;

	make_icc();
	test_strip_one("x", "");
	test_strip_one("xbe", "-define tiff:endian=msb");
	b = scratch_read("one.tif");
	ok(strip_location(b.p, b.len, 1 << 20, &out, &outlen) ==
	    STRIP_UNCHANGED && out == NULL, "TIFF without location: unchanged");
	free(b.p);
	b = scratch_read("b24.bmp");
	ok(strip_location(b.p, b.len, 1 << 20, &out, &outlen) ==
	    STRIP_UNCHANGED && out == NULL, "BMP: unchanged");
	free(b.p);
}

/* Appends n bytes to p[*len], growing nothing: the caller sized p. */
static void
put(uint8_t *p, size_t *len, const void *d, size_t n)
{
	memcpy(p + *len, d, n);
	*len += n;
}

/* A Photoshop resource of id with an empty name, padded to even. */
static void
put_res(uint8_t *p, size_t *len, unsigned id, const void *d, size_t n)
{
	uint8_t	 h[12] = { '8', 'B', 'I', 'M', id >> 8, id & 0xff, 0, 0,
		    n >> 24, n >> 16, n >> 8, n };

	put(p, len, h, 12);
	put(p, len, d, n);
	if (n & 1)
		put(p, len, "", 1);
}

/*
 * IIM datasets: record version, Keywords "kw", City "Paris", Country
 * "France" (two bytes of record and dataset, two of length, the data).
 */
static const uint8_t iim[] =
	"\x1c\x02\x00\x00\x02\x00\x04"
	"\x1c\x02\x19\x00\x02kw"
	"\x1c\x02\x5a\x00\x05Paris"
	"\x1c\x02\x65\x00\x06" "France";

/* An EXIF TIFF (big-endian): IFD0 with the GPS pointer; GPSLatitudeRef. */
static const uint8_t exif_gps[] = {
	'M', 'M', 0, 42, 0, 0, 0, 8,
	0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0,
	0, 1, 0, 1, 0, 2, 0, 0, 0, 2, 'N', 0, 0, 0, 0, 0, 0, 0,
};

static const char xmp_city[] =
	"<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>"
	"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf="
	"'http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description "
	"rdf:about='' xmlns:photoshop='http://ns.adobe.com/photoshop/1.0/' "
	"xmlns:dc='http://purl.org/dc/elements/1.1/' photoshop:City='Paris' "
	"dc:format='image/tiff'/></rdf:RDF></x:xmpmeta>"
	"<?xpacket end='w'?>";

/*
 * A 1 x 1 TIFF whose IFD0 has IPTC-NAA (type LONG, as exiftool writes
 * it) and Photoshop resources: the IPTC digest, the IPTC, EXIF, XMP.
 * Returns its length; p must hold 4096 bytes.
 */
static size_t
tiff_irb(uint8_t *p)
{
	uint8_t		 ifd[2 + 7 * 12 + 4], irb[2048], md[16], iim36[36];
	size_t		 len = 0, irblen = 0, iptcat, irbat;
	MD5_CTX		 ctx;

	/* The same IPTC in both places, as writers keep it. */
	memset(iim36, 0, sizeof(iim36));
	memcpy(iim36, iim, sizeof(iim) - 1);
	MD5Init(&ctx);
	MD5Update(&ctx, iim36, sizeof(iim36));
	MD5Final(md, &ctx);
	put_res(irb, &irblen, 0x0425, md, 16);
	put_res(irb, &irblen, 0x0404, iim36, sizeof(iim36));
	put_res(irb, &irblen, 0x0422, exif_gps, sizeof(exif_gps));
	put_res(irb, &irblen, 0x0424, xmp_city, sizeof(xmp_city) - 1);

	iptcat = 10 + sizeof(ifd);
	irbat = iptcat + 36;	/* iim, zero-padded to 36: 9 LONGs */
	memset(ifd, 0, sizeof(ifd));
	le16(ifd, 7);
	entry(ifd + 2, 256, 3, 1);
	entry(ifd + 14, 257, 4, 1);
	entry(ifd + 26, 262, 3, 1);
	entry(ifd + 38, 273, 4, 8);
	entry(ifd + 50, 279, 3, 1);
	entry(ifd + 62, 33723, 4, iptcat);
	le32(ifd + 62 + 4, 9);
	entry(ifd + 74, 34377, 7, irbat);
	le32(ifd + 74 + 4, irblen);

	memset(p, 0, 4096);
	put(p, &len, "II*\0\x0a\0\0\0\x80\0", 10);
	put(p, &len, ifd, sizeof(ifd));
	put(p, &len, iim36, sizeof(iim36));
	put(p, &len, irb, irblen);
	return len;
}

static void
test_strip_irb(void)
{
	char		 s[256];
	uint8_t		 p[4096], *out;
	size_t		 n, outlen;
	enum strip_status st;

	n = tiff_irb(p);
	scratch_write("irb.tif", p, n);
	scratch_line(s, sizeof(s), "exiftool -q -q -a -s -s -s -City "
	    "-Country-PrimaryLocationName -GPSLatitudeRef irb.tif | "
	    "tr '\\n' ' '");
	ok(strcmp(s, "Paris Paris Paris France France North ") == 0,
	    "control: exiftool finds the places of the built TIFF: %s", s);
	scratch_line(s, sizeof(s), "exiftool -a -warning irb.tif | wc -l");
	ok(strcmp(s, "0") == 0, "control: and warns of nothing");
	st = strip_location(p, n, 1 << 20, &out, &outlen);
	ok(st == STRIP_DONE && outlen == n, "IPTC and Photoshop: stripped "
	    "(%d), %zu bytes of %zu", st, outlen, n);
	if (st != STRIP_DONE)
		return;
	scratch_write("irb-stripped.tif", out, outlen);
	ok(memcmp(out, p, 10 + 2 + 7 * 12 + 4) == 0,
	    "header and IFD0 as they were");
	scratch_line(s, sizeof(s), "exiftool -q -q -a -s -s -s -City "
	    "-Country-PrimaryLocationName -gps:all irb-stripped.tif | "
	    "wc -l");
	ok(strcmp(s, "0") == 0, "exiftool finds no place: %s lines", s);
	scratch_line(s, sizeof(s), "exiftool -q -q -a -s -s -s -Keywords "
	    "-XMP:Format irb-stripped.tif | tr '\\n' ' '");
	ok(strcmp(s, "kw kw image/tiff ") == 0, "the rest kept: %s", s);
	scratch_line(s, sizeof(s), "exiftool -a -warning irb-stripped.tif | "
	    "wc -l");
	ok(strcmp(s, "0") == 0, "exiftool warns of nothing: %s lines", s);
	scratch_line(s, sizeof(s), "exiftool -q -q -s -s -s -IPTCDigest "
	    "-CurrentIPTCDigest irb-stripped.tif | uniq | wc -l");
	ok(strcmp(s, "1") == 0, "the IPTC digest is current");
	free(out);
}

/*
 * A little-endian TIFF of pages 1 x 1 pages of six entries, the sixth
 * PlanarConfiguration, or (on the last page, or on all with all set)
 * tag of type, count and value; then extra bytes of the caller at
 * *extra_at.  Returns its length; *b is malloc'd.
 */
static size_t
tiff_pages(uint8_t **b, size_t pages, int all, uint16_t tag, uint16_t type,
    uint32_t count, size_t extra, size_t *extra_at)
{
	size_t	 i, ifdlen = 2 + 6 * 12 + 4, n;
	uint8_t	*p, *d;

	*extra_at = 10 + ifdlen * pages;
	n = *extra_at + extra;
	if ((p = calloc(1, n)) == NULL)
		err(1, NULL);
	memcpy(p, "II*\0\x0a\0\0\0\x80\0", 10);
	for (i = 0; i < pages; i++) {
		d = p + 10 + ifdlen * i;
		le16(d, 6);
		entry(d + 2, 256, 3, 1);
		entry(d + 14, 257, 4, 1);
		entry(d + 26, 262, 3, 1);
		entry(d + 38, 273, 4, 8);
		entry(d + 50, 279, 3, 1);
		if (all || i + 1 == pages) {
			entry(d + 62, tag, type, *extra_at);
			le32(d + 62 + 4, count);
		} else
			entry(d + 62, 284, 3, 1);
		le32(d + 74, i + 1 < pages ? 10 + ifdlen * (i + 1) : 0);
	}
	*b = p;
	return n;
}

/*
 * A GPS IFD of 16000 entries that each claim the same 4 MiB of values:
 * blanking them one by one would zero 64 GB; the values zeroed are
 * bounded by the file, so it is fast, and the GPS is gone all the same.
 */
static void
test_strip_gps_bomb(void)
{
	uint8_t		*p, *out, *g;
	size_t		 n, at, outlen, i, nent = 16000, vlen = 4 << 20;
	enum strip_status st;
	double		 t0, ms;

	n = tiff_pages(&p, 1, 0, 34853, 4, 1, 2 + 12 * nent + 4 + vlen, &at);
	g = p + at;
	le16(g, nent);
	for (i = 0; i < nent; i++) {
		le16(g + 2 + 12 * i, 1 + i % 30);
		le16(g + 2 + 12 * i + 2, 1);
		le32(g + 2 + 12 * i + 4, vlen);
		le32(g + 2 + 12 * i + 8, at + 2 + 12 * nent + 4);
	}
	memset(g + 2 + 12 * nent + 4, 'N', vlen);
	t0 = now_ms();
	st = strip_location(p, n, 1 << 20, &out, &outlen);
	ms = now_ms() - t0;
	ok(st == STRIP_DONE && ms < 1000 && out[at] == 0 && out[at + 1] == 0,
	    "GPS IFD of 16000 entries on 4 MiB each: emptied (%d) in %.1f ms",
	    st, ms);
	free(out);
	free(p);
}

/* Location on the third page only, where exiftool finds it too. */
static void
test_strip_pages(void)
{
	char		 s[256];
	uint8_t		*p, *out;
	size_t		 n, at, outlen;
	enum strip_status st;
	double		 t0, ms;
	/* A GPS IFD of GPSLatitudeRef "N". */
	static const uint8_t	 gps[] = { 1, 0, 1, 0, 2, 0, 2, 0, 0, 0, 'N',
		0, 0, 0, 0, 0, 0, 0 };

	n = tiff_pages(&p, 3, 0, 34853, 4, 1, sizeof(gps), &at);
	memcpy(p + at, gps, sizeof(gps));
	scratch_write("gps3.tif", p, n);
	scratch_line(s, sizeof(s), "exiftool -q -q -s -s -s -GPSLatitudeRef "
	    "gps3.tif");
	ok(strcmp(s, "North") == 0, "control: exiftool finds the GPS of "
	    "page 3: %s", s);
	st = strip_location(p, n, 1 << 20, &out, &outlen);
	ok(st == STRIP_DONE && outlen == n, "GPS on page 3: stripped (%d)",
	    st);
	if (st == STRIP_DONE) {
		scratch_write("gps3-stripped.tif", out, outlen);
		scratch_line(s, sizeof(s), "exiftool -q -q -s -gps:all "
		    "gps3-stripped.tif | wc -l");
		ok(strcmp(s, "0") == 0, "exiftool finds no GPS: %s lines", s);
	}
	free(out);
	free(p);

	n = tiff_pages(&p, 3, 0, 700, 1, sizeof(xmp_city) - 1,
	    sizeof(xmp_city) - 1, &at);
	memcpy(p + at, xmp_city, sizeof(xmp_city) - 1);
	st = strip_location(p, n, 1 << 20, &out, &outlen);
	ok(st == STRIP_DONE && memmem(out, outlen, "Paris", 5) == NULL &&
	    memmem(out, outlen, "image/tiff", 10) != NULL,
	    "XMP City on page 3: blanked (%d)", st);
	free(out);
	free(p);

	/*
	 * 20000 pages, each pointing at one XMP block of 64 KiB: far more
	 * than the file holds, refused, fast.
	 */
	n = tiff_pages(&p, 20000, 1, 700, 1, 65536, 65536, &at);
	memcpy(p + at, xmp_city, sizeof(xmp_city) - 1);
	t0 = now_ms();
	st = strip_location(p, n, 1 << 20, &out, &outlen);
	ms = now_ms() - t0;
	ok(st == STRIP_BAD && out == NULL && ms < 1000, "20000 pages on one "
	    "XMP block: refused (%d) in %.1f ms", st, ms);
	free(p);
	test_strip_gps_bomb();
}

int
main(void)
{
	scratch_init("t_tiff");
	test_made();
	test_bmp_height();
	test_bmp_truncated();
	test_tiff_pages();
	test_tiff_hostile();
	test_tiff_strips();
	test_limits();
	test_strip();
	test_strip_irb();
	test_strip_pages();
	if (getenv("T_TIFF_KEEP") == NULL)
		scratch_done();
	return tap_done();
}
