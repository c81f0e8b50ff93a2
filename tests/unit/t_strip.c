/*
 * strip: JPEG, PNG and WebP files assembled here byte by byte around an
 * EXIF block with Orientation 6 and a GPS IFD, an XMP packet with
 * location, and an ICC profile.  The location must go, the rest must
 * stay byte for byte; files without location come back unchanged; the
 * same input gives the same output; truncations and garbage are safe.
 */
#include <sys/resource.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libexif/exif-data.h>
#include <md5.h>
#define ZLIB_CONST
#include <zlib.h>

#include "strip.h"
#include "tap.h"

struct buf {
	unsigned char	*p;
	size_t		 len;
};

/* The budget of a call, as the upload gives it: max_upload_bytes. */
#define BUDGET	(32 << 20)

/*
 * A big-endian TIFF: IFD0 with Orientation = 6 and the GPS pointer; the
 * GPS IFD with GPSLatitudeRef "N" and GPSLatitude 52/1 30/1 7/1.
 */
static const unsigned char tiff_gps[92] = {
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

/* The same without GPS: IFD0 with Orientation = 6 alone. */
static const unsigned char tiff_plain[26] = {
	'I', 'I', 42, 0, 8, 0, 0, 0,
	1, 0,
	0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0,
	0, 0, 0, 0,
};

static const char xmp_loc[] =
	"<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>\n"
	"<x:xmpmeta xmlns:x='adobe:ns:meta/'>\n"
	"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n"
	" <rdf:Description rdf:about=''\n"
	"  xmlns:exif='http://ns.adobe.com/exif/1.0/'\n"
	"  xmlns:photoshop='http://ns.adobe.com/photoshop/1.0/'\n"
	"  xmlns:dc='http://purl.org/dc/elements/1.1/'\n"
	"  exif:GPSLatitude='52,30.1167N'\n"
	"  exif:GPSLongitude=\"13,22.5E\"\n"
	"  photoshop:City='Berlin'>\n"
	"  <photoshop:Country>Germany</photoshop:Country>\n"
	"  <Iptc4xmpExt:LocationShown><rdf:Bag><rdf:li rdf:parseType="
	"'Resource'><Iptc4xmpExt:City>Berlin</Iptc4xmpExt:City></rdf:li>"
	"</rdf:Bag></Iptc4xmpExt:LocationShown>\n"
	"  <dc:creator>Someone</dc:creator>\n"
	" </rdf:Description>\n"
	"</rdf:RDF>\n"
	"</x:xmpmeta>\n"
	"<?xpacket end='w'?>";

static const char xmp_plain[] =
	"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF><rdf:Description "
	"dc:title='exif:GPSLatitude is a tag' xmp:Rating='5'>"
	"<dc:creator>Someone</dc:creator></rdf:Description></rdf:RDF>"
	"</x:xmpmeta>";

/* Words that must not survive in a stripped XMP packet. */
static const char *const xmp_gone[] = {
	"GPSLatitude", "GPSLongitude", "Berlin", "Germany", "LocationShown",
	"52,30", "13,22",
};

static void
put(struct buf *b, const void *p, size_t n)
{
	if ((b->p = realloc(b->p, b->len + n + 1)) == NULL)
		abort();
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put_be16(struct buf *b, unsigned v)
{
	unsigned char	 x[2] = { v >> 8, v & 0xff };

	put(b, x, 2);
}

static void
put_be32(struct buf *b, uint32_t v)
{
	unsigned char	 x[4] = { v >> 24, v >> 16, v >> 8, v };

	put(b, x, 4);
}

static void
put_le32(struct buf *b, uint32_t v)
{
	unsigned char	 x[4] = { v, v >> 8, v >> 16, v >> 24 };

	put(b, x, 4);
}

static void
jpeg_seg(struct buf *b, int marker, const void *h, size_t hl, const void *p,
    size_t pl)
{
	put_be16(b, 0xff00 | marker);
	put_be16(b, 2 + hl + pl);
	put(b, h, hl);
	put(b, p, pl);
}

/* The scan and what follows: must come out the same. */
static const unsigned char jpeg_tail[] = {
	0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0, 0x12, 0x34, 0xff, 0x00, 0x56,
	0xff, 0xe1, 0, 4, 0xaa, 0xbb, 0xff, 0xd9, 'x', 'y',
};

static struct buf
make_jpeg(const void *tiff, size_t tl, const char *xmp)
{
	struct buf	 b = { NULL, 0 };
	unsigned char	 icc[40];

	put(&b, "\xff\xd8", 2);
	jpeg_seg(&b, 0xe0, "JFIF\0\1\1\0\0\1\0\1\0\0", 14, NULL, 0);
	jpeg_seg(&b, 0xe1, "Exif\0\0", 6, tiff, tl);
	memset(icc, 0x5a, sizeof(icc));
	jpeg_seg(&b, 0xe2, "ICC_PROFILE\0\1\1", 14, icc, sizeof(icc));
	/* Fill bytes before a marker are legal, and kept. */
	put(&b, "\xff\xff", 2);
	jpeg_seg(&b, 0xe1, "http://ns.adobe.com/xap/1.0/", 29, xmp,
	    strlen(xmp));
	jpeg_seg(&b, 0xdb, "\0\1\2\3", 4, NULL, 0);
	put(&b, jpeg_tail, sizeof(jpeg_tail));
	return b;
}

static void
png_chunk(struct buf *b, const char *type, const void *p, size_t n)
{
	uLong	 c = crc32(0, (const Bytef *)type, 4);

	if (n > 0)
		c = crc32(c, p, n);

	put_be32(b, n);
	put(b, type, 4);
	put(b, p, n);
	put_be32(b, c);
}

static struct buf
make_png(const void *tiff, size_t tl, const char *xmp, int compress)
{
	struct buf	 b = { NULL, 0 }, t = { NULL, 0 };
	unsigned char	 ihdr[13] = { 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0 };
	unsigned char	 z[4096];
	uLongf		 zl = sizeof(z);

	put(&b, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(&b, "IHDR", ihdr, 13);
	png_chunk(&b, "iCCP", "sRGB\0\0\x78\x9c", 8);
	png_chunk(&b, "eXIf", tiff, tl);
	put(&t, "XML:com.adobe.xmp\0", 18);
	put(&t, compress ? "\1\0" : "\0\0", 2);
	put(&t, "\0\0", 2);
	if (compress) {
		if (compress2(z, &zl, (const Bytef *)xmp, strlen(xmp), 9) !=
		    Z_OK)
			abort();
		put(&t, z, zl);
	} else
		put(&t, xmp, strlen(xmp));
	png_chunk(&b, "iTXt", t.p, t.len);
	png_chunk(&b, "IDAT", "\x78\x9c\x63\x60\0\0\0\2\0\1", 10);
	png_chunk(&b, "IEND", NULL, 0);
	free(t.p);
	return b;
}

static void
riff_chunk(struct buf *b, const char *cc, const void *p, size_t n)
{
	put(b, cc, 4);
	put_le32(b, n);
	put(b, p, n);
	if (n & 1)
		put(b, "", 1);
}

static struct buf
make_webp(const void *tiff, size_t tl, const char *xmp, int exifhdr)
{
	struct buf	 b = { NULL, 0 }, e = { NULL, 0 };
	unsigned char	 vp8x[10] = { 0x2c, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

	put(&b, "RIFF\0\0\0\0WEBP", 12);
	riff_chunk(&b, "VP8X", vp8x, sizeof(vp8x));
	riff_chunk(&b, "ICCP", "profile", 7);
	riff_chunk(&b, "VP8L", "\x2f\0\0\0\0\x07\0", 7);
	if (exifhdr)
		put(&e, "Exif\0\0", 6);
	put(&e, tiff, tl);
	riff_chunk(&b, "EXIF", e.p, e.len);
	riff_chunk(&b, "XMP ", xmp, strlen(xmp));
	b.p[4] = (b.len - 8) & 0xff;
	b.p[5] = (b.len - 8) >> 8;
	free(e.p);
	return b;
}

/* Checks an EXIF block: no GPS IFD, Orientation 6. */
static int
exif_ok(const unsigned char *p, size_t n)
{
	unsigned char	*in;
	ExifData	*d;
	ExifEntry	*e;
	int		 ok = 0;

	if (strip_exif_has_gps(p, n))
		return 0;
	if ((in = malloc(n + 6)) == NULL)
		abort();
	memcpy(in, "Exif\0\0", 6);
	memcpy(in + 6, p, n);
	/* libexif wants the header, once. */
	if (n >= 6 && memcmp(p, "Exif\0\0", 6) == 0)
		d = exif_data_new_from_data(p, n);
	else
		d = exif_data_new_from_data(in, n + 6);
	e = exif_content_get_entry(d->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
	ok = d->ifd[EXIF_IFD_GPS]->count == 0 && e != NULL &&
	    exif_get_short(e->data, exif_data_get_byte_order(d)) == 6;
	exif_data_unref(d);
	free(in);
	return ok;
}

static int
has(const unsigned char *p, size_t n, const char *s)
{
	return memmem(p, n, s, strlen(s)) != NULL;
}

static int
xmp_clean(const unsigned char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < sizeof(xmp_gone) / sizeof(xmp_gone[0]); i++)
		if (has(p, n, xmp_gone[i]))
			return 0;
	return has(p, n, "<dc:creator>Someone</dc:creator>");
}

/* Inflates the n bytes of zlib at p into b; 0 if broken. */
static int
inflate_all(const unsigned char *p, size_t n, struct buf *b)
{
	unsigned char	 o[65536];
	z_stream	 z;
	int		 rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		abort();
	z.next_in = p;
	z.avail_in = n;
	do {
		z.next_out = o;
		z.avail_out = sizeof(o);
		rc = inflate(&z, Z_NO_FLUSH);
		put(b, o, sizeof(o) - z.avail_out);
	} while (rc == Z_OK);
	inflateEnd(&z);
	return rc == Z_STREAM_END;
}

/* Every chunk's CRC is right and the walk ends at IEND, the last bytes. */
static int
png_valid(const unsigned char *p, size_t n)
{
	size_t		 i = 8, l;
	uint32_t	 crc;

	while (n - i >= 12) {
		l = (size_t)p[i] << 24 | p[i + 1] << 16 | p[i + 2] << 8 |
		    p[i + 3];
		if (l > n - i - 12)
			return 0;
		crc = (uint32_t)p[i + 8 + l] << 24 | p[i + 9 + l] << 16 |
		    p[i + 10 + l] << 8 | p[i + 11 + l];
		if (crc != crc32(0, p + i + 4, l + 4))
			return 0;
		if (memcmp(p + i + 4, "IEND", 4) == 0)
			return i + 12 + l == n;
		i += 12 + l;
	}
	return 0;
}

/* The payload of the first chunk of type cc (PNG when png, else RIFF). */
static const unsigned char *
chunk(const unsigned char *p, size_t n, const char *cc, int png,
    size_t *len)
{
	size_t	 i = png ? 8 : 12, l;

	while (n - i >= 8) {
		if (png)
			l = (size_t)p[i] << 24 | p[i + 1] << 16 |
			    p[i + 2] << 8 | p[i + 3];
		else
			l = (size_t)p[i + 7] << 24 | p[i + 6] << 16 |
			    p[i + 5] << 8 | p[i + 4];
		if (l > n - i - 8)
			return NULL;
		if (memcmp(p + i + (png ? 4 : 0), cc, 4) == 0) {
			*len = l;
			return p + i + 8;
		}
		i += 8 + l + (png ? 4 : l & 1);
	}
	return NULL;
}

/* The payload of the JPEG APP1 whose payload starts with hdr. */
static const unsigned char *
app1(const unsigned char *p, size_t n, const char *hdr, size_t hl,
    size_t *len)
{
	size_t	 i = 2, l;

	while (i + 4 <= n && p[i] == 0xff) {
		if (p[i + 1] == 0xff) {
			i++;
			continue;
		}
		if (p[i + 1] == 0xda)
			break;
		l = p[i + 2] << 8 | p[i + 3];
		if (p[i + 1] == 0xe1 && l - 2 >= hl &&
		    memcmp(p + i + 4, hdr, hl) == 0) {
			*len = l - 2 - hl;
			return p + i + 4 + hl;
		}
		i += 2 + l;
	}
	return NULL;
}

/* Strips twice: checks the status, and that both outputs agree. */
static enum strip_status
strip2(const struct buf *in, struct buf *out)
{
	enum strip_status	 a, b;
	unsigned char		*p2;
	size_t			 l2;

	a = strip_location(in->p, in->len, BUDGET, &out->p, &out->len);
	b = strip_location(in->p, in->len, BUDGET, &p2, &l2);
	ok(a == b && out->len == l2 && (l2 == 0 ||
	    memcmp(out->p, p2, l2) == 0), "the same input, the same output");
	free(p2);
	return a;
}

static void
test_jpeg(void)
{
	struct buf			 in, out;
	const unsigned char		*x;
	size_t				 xl;

	in = make_jpeg(tiff_gps, sizeof(tiff_gps), xmp_loc);
	ok(strip2(&in, &out) == STRIP_DONE, "jpeg: location found");
	x = app1(out.p, out.len, "Exif\0\0", 6, &xl);
	ok(x != NULL && exif_ok(x, xl), "jpeg: EXIF without GPS, Orientation 6");
	ok(memmem(out.p, out.len, tiff_gps + 68, 24) == NULL,
	    "jpeg: the latitude's bytes are gone");
	x = app1(out.p, out.len, "http://ns.adobe.com/xap/1.0/", 29, &xl);
	ok(x != NULL && xl == strlen(xmp_loc) && xmp_clean(x, xl),
	    "jpeg: XMP without location, same length, creator kept");
	ok(has(out.p, out.len, "ICC_PROFILE"), "jpeg: ICC segment kept");
	ok(memcmp(out.p + out.len - sizeof(jpeg_tail), jpeg_tail,
	    sizeof(jpeg_tail)) == 0, "jpeg: scan and trailer unchanged");
	ok(out.len < in.len, "jpeg: smaller (%zu < %zu)", out.len, in.len);
	free(in.p);
	free(out.p);

	in = make_jpeg(tiff_plain, sizeof(tiff_plain), xmp_plain);
	ok(strip2(&in, &out) == STRIP_UNCHANGED && out.p == NULL,
	    "jpeg: no location, unchanged");
	free(in.p);

	/* Junk before the EXIF segment: decoders and exiftool skip it. */
	in.p = NULL;
	in.len = 0;
	put(&in, "\xff\xd8", 2);
	jpeg_seg(&in, 0xe0, "JFIF\0\1\1\0\0\1\0\1\0\0", 14, NULL, 0);
	put(&in, "junk\xff\0junk", 10);
	jpeg_seg(&in, 0xe1, "Exif\0\0", 6, tiff_gps, sizeof(tiff_gps));
	put(&in, jpeg_tail, sizeof(jpeg_tail));
	ok(strip2(&in, &out) == STRIP_DONE, "jpeg junk: location found");
	ok(has(out.p, out.len, "junk\xff") &&
	    memmem(out.p, out.len, tiff_gps + 68, 24) == NULL,
	    "jpeg junk: junk kept, GPS gone");
	free(in.p);
	free(out.p);
}

static void
test_png(int compress)
{
	struct buf		 in, out, t;
	const unsigned char	*x, *y;
	size_t			 xl, yl;

	in = make_png(tiff_gps, sizeof(tiff_gps), xmp_loc, compress);
	ok(png_valid(in.p, in.len), "png%d: the input is valid", compress);
	ok(strip2(&in, &out) == STRIP_DONE, "png%d: location found",
	    compress);
	ok(png_valid(out.p, out.len), "png%d: every CRC right", compress);
	x = chunk(out.p, out.len, "eXIf", 1, &xl);
	ok(x != NULL && exif_ok(x, xl) && x[0] == 'M',
	    "png%d: eXIf without GPS, Orientation 6, no Exif header", compress);
	x = chunk(out.p, out.len, "iTXt", 1, &xl);
	if (compress) {
		memset(&t, 0, sizeof(t));
		y = chunk(in.p, in.len, "iTXt", 1, &yl);
		ok(x != NULL && y != NULL && xl > 22 && x[18] == 1 &&
		    x[19] == 0 && xl <= yl && inflate_all(x + 22, xl - 22, &t) &&
		    t.len == strlen(xmp_loc) && xmp_clean(t.p, t.len),
		    "png1: XMP without location, compressed again, "
		    "%zu bytes, no more than %zu", xl, yl);
		free(t.p);
	} else
		ok(x != NULL && xl == 22 + strlen(xmp_loc) && x[18] == 0 &&
		    xmp_clean(x, xl), "png0: XMP without location, "
		    "uncompressed, the same length");
	ok(out.len <= in.len, "png%d: no larger (%zu <= %zu)", compress,
	    out.len, in.len);
	ok(has(out.p, out.len, "iCCP") &&
	    has(out.p, out.len, "IDAT\x78\x9c\x63\x60"),
	    "png%d: iCCP and IDAT kept", compress);
	free(in.p);
	free(out.p);

	in = make_png(tiff_plain, sizeof(tiff_plain), xmp_plain, compress);
	ok(strip2(&in, &out) == STRIP_UNCHANGED,
	    "png%d: no location, unchanged", compress);
	free(in.p);
}

static void
test_webp(int exifhdr)
{
	struct buf		 in, out;
	const unsigned char	*x;
	size_t			 xl;

	in = make_webp(tiff_gps, sizeof(tiff_gps), xmp_loc, exifhdr);
	ok(strip2(&in, &out) == STRIP_DONE, "webp%d: location found",
	    exifhdr);
	ok(out.len > 12 && (size_t)(out.p[4] | out.p[5] << 8 |
	    out.p[6] << 16 | (uint32_t)out.p[7] << 24) == out.len - 8,
	    "webp%d: RIFF size is the new length", exifhdr);
	x = chunk(out.p, out.len, "EXIF", 0, &xl);
	ok(x != NULL && exif_ok(x, xl) &&
	    (memcmp(x, "Exif\0\0", 6) == 0) == exifhdr,
	    "webp%d: EXIF without GPS, Orientation 6, header as it was",
	    exifhdr);
	x = chunk(out.p, out.len, "XMP ", 0, &xl);
	ok(x != NULL && xmp_clean(x, xl), "webp%d: XMP without location",
	    exifhdr);
	x = chunk(out.p, out.len, "VP8X", 0, &xl);
	ok(x != NULL && x[0] == 0x2c, "webp%d: VP8X flags kept", exifhdr);
	ok(chunk(out.p, out.len, "VP8L", 0, &xl) != NULL &&
	    chunk(out.p, out.len, "ICCP", 0, &xl) != NULL,
	    "webp%d: image and ICC chunks still found", exifhdr);
	free(in.p);
	free(out.p);

	in = make_webp(tiff_plain, sizeof(tiff_plain), xmp_plain, exifhdr);
	ok(strip2(&in, &out) == STRIP_UNCHANGED,
	    "webp%d: no location, unchanged", exifhdr);
	free(in.p);
}

/* A GIF with a global colour table, XMP, a comment and one image. */
static struct buf
make_gif(const char *xmp)
{
	struct buf	 b = { NULL, 0 };
	unsigned char	 trailer[258];
	int		 i;

	put(&b, "GIF89a\1\0\1\0\x80\0\0", 13);
	put(&b, "\xff\0\0\0\0\0", 6);
	put(&b, "\x21\xff\x0bXMP DataXMP", 14);
	put(&b, xmp, strlen(xmp));
	trailer[0] = 1;
	for (i = 0; i < 256; i++)
		trailer[1 + i] = 255 - i;
	trailer[257] = 0;
	put(&b, trailer, sizeof(trailer));
	put(&b, "\x21\xfe\x05hello\0", 9);
	put(&b, "\x2c\0\0\0\0\1\0\1\0\0\x02\x02\x44\x01\0", 15);
	put(&b, "\x3b", 1);
	return b;
}

static void
test_gif(void)
{
	struct buf		 in, out;
	const unsigned char	*x;

	in = make_gif(xmp_loc);
	ok(strip2(&in, &out) == STRIP_DONE && out.len == in.len,
	    "gif: location found, same length");
	x = out.p + 13 + 6 + 14;
	ok(out.p != NULL && xmp_clean(x, strlen(xmp_loc)),
	    "gif: XMP without location");
	ok(out.p != NULL && memcmp(out.p + in.len - 283, in.p + in.len - 283,
	    283) == 0 && memcmp(out.p, in.p, 33) == 0,
	    "gif: trailer, comment and image unchanged");
	free(in.p);
	free(out.p);
	in = make_gif(xmp_plain);
	ok(strip2(&in, &out) == STRIP_UNCHANGED, "gif: no location, unchanged");
	free(in.p);
}

/* One extended XMP segment: GUID, full length, offset, the chunk. */
static void
ext_seg(struct buf *b, const char *guid, const char *xmp, size_t off,
    size_t n)
{
	struct buf	 h = { NULL, 0 };

	put(&h, "http://ns.adobe.com/xmp/extension/", 35);
	put(&h, guid, 32);
	put_be32(&h, strlen(xmp));
	put_be32(&h, off);
	jpeg_seg(b, 0xe1, h.p, h.len, xmp + off, n);
	free(h.p);
}

/* Extended XMP whose location property is split between two segments. */
static void
test_ext_xmp(void)
{
	static const char g1[] = "0123456789ABCDEF0123456789ABCDEF";
	static const char g2[] = "FEDCBA9876543210FEDCBA9876543210";
	static const char other[] = "<x><photoshop:City>Rome"
	    "</photoshop:City></x>";
	struct buf	 in = { NULL, 0 }, out, j = { NULL, 0 };
	size_t		 i, l, half = strstr(xmp_loc, "52,30") - xmp_loc;
	const unsigned char *p;

	put(&in, "\xff\xd8", 2);
	jpeg_seg(&in, 0xe1, "http://ns.adobe.com/xap/1.0/", 29, xmp_plain,
	    strlen(xmp_plain));
	/* The second chunk first: offsets, not order, count. */
	ext_seg(&in, g1, xmp_loc, half, strlen(xmp_loc) - half);
	ext_seg(&in, g2, other, 0, strlen(other));
	ext_seg(&in, g1, xmp_loc, 0, half);
	put(&in, jpeg_tail, sizeof(jpeg_tail));
	ok(strip2(&in, &out) == STRIP_DONE && out.len == in.len,
	    "ext xmp: location found, same length");
	/* Join the g1 chunks of the output by their offsets. */
	j.p = calloc(1, strlen(xmp_loc) + 1);
	j.len = strlen(xmp_loc);
	for (i = 2; i + 4 <= out.len && out.p[i] == 0xff &&
	    out.p[i + 1] != 0xda; i += 2 + l) {
		l = out.p[i + 2] << 8 | out.p[i + 3];
		p = out.p + i + 4;
		if (memcmp(p, "http://ns.adobe.com/xmp/extension/", 35) == 0 &&
		    memcmp(p + 35, g1, 32) == 0)
			memcpy(j.p + ((size_t)p[71] << 24 | p[72] << 16 |
			    p[73] << 8 | p[74]), p + 75, l - 2 - 75);
	}
	ok(xmp_clean(j.p, j.len), "ext xmp: the joined packet is clean");
	ok(!has(out.p, out.len, "Rome"), "ext xmp: the other packet too");
	free(j.p);
	free(in.p);
	free(out.p);
}

/*
 * Places exiftool looks that a strict walk would miss: "Exif\0" with any
 * sixth byte, PNG chunks after IEND, WebP chunks past the RIFF size.
 */
static void
test_lenient(void)
{
	struct buf	 in = { NULL, 0 }, out, e = { NULL, 0 };
	const unsigned char *x;
	size_t		 xl, riff;

	put(&in, "\xff\xd8", 2);
	jpeg_seg(&in, 0xe1, "Exif\0\xff", 6, tiff_gps, sizeof(tiff_gps));
	put(&in, jpeg_tail, sizeof(jpeg_tail));
	ok(strip2(&in, &out) == STRIP_DONE &&
	    memmem(out.p, out.len, tiff_gps + 68, 24) == NULL,
	    "jpeg \"Exif\\0\\xff\": GPS gone");
	free(in.p);
	free(out.p);

	in.p = NULL;
	in.len = 0;
	put(&in, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(&in, "IHDR", "\0\0\0\1\0\0\0\1\x08\0\0\0\0", 13);
	png_chunk(&in, "zxIf", "\0\0\0\0\0x", 6);
	png_chunk(&in, "IEND", NULL, 0);
	png_chunk(&in, "eXIf", tiff_gps, sizeof(tiff_gps));
	ok(strip2(&in, &out) == STRIP_DONE &&
	    memmem(out.p, out.len, tiff_gps + 68, 24) == NULL &&
	    has(out.p, out.len, "IEND") && !has(out.p, out.len, "zxIf"),
	    "png eXIf after IEND: GPS gone; zxIf dropped");
	free(in.p);
	free(out.p);

	in = make_webp(tiff_plain, sizeof(tiff_plain), xmp_plain, 0);
	riff = in.len - 8;
	put(&e, tiff_gps, sizeof(tiff_gps));
	riff_chunk(&in, "EXIF", e.p, e.len);
	ok(strip2(&in, &out) == STRIP_DONE &&
	    (x = memmem(out.p, out.len, "EXIF", 4)) != NULL &&
	    memmem(out.p, out.len, tiff_gps + 68, 24) == NULL,
	    "webp EXIF past the RIFF size: GPS gone");
	xl = out.p[4] | out.p[5] << 8 | out.p[6] << 16 |
	    (size_t)out.p[7] << 24;
	ok(xl == riff, "webp: the RIFF size stays %zu (%zu)", riff, xl);
	free(in.p);
	free(out.p);
	free(e.p);
}

/* ImageMagick's way of writing a profile into PNG text. */
static void
raw_profile(struct buf *b, const char *type, const unsigned char *p,
    size_t n)
{
	char	 h[64];
	size_t	 i;

	snprintf(h, sizeof(h), "\n%s\n%8zu\n", type, n);
	put(b, h, strlen(h));
	for (i = 0; i < n; i++) {
		if (i % 36 == 0)
			put(b, "\n", 1);
		snprintf(h, sizeof(h), "%02x", p[i]);
		put(b, h, 2);
	}
	put(b, "\n", 1);
}

static void
ztxt(struct buf *png, const char *kw, const struct buf *text)
{
	struct buf	 t = { NULL, 0 };
	unsigned char	 z[8192];
	uLongf		 zl = sizeof(z);

	if (compress2(z, &zl, text->p, text->len, 9) != Z_OK)
		abort();
	put(&t, kw, strlen(kw) + 1);
	put(&t, "", 1);
	put(&t, z, zl);
	png_chunk(png, "zTXt", t.p, t.len);
	free(t.p);
}

/* The text chunk with keyword kw: its data after the keyword's NUL. */
static const unsigned char *
text_chunk(const unsigned char *p, size_t n, const char *kw, char *type,
    size_t *len)
{
	size_t	 i = 8, l, kl = strlen(kw) + 1;

	while (n - i >= 12) {
		l = (size_t)p[i] << 24 | p[i + 1] << 16 | p[i + 2] << 8 |
		    p[i + 3];
		if (l > n - i - 12)
			return NULL;
		if (l >= kl && memcmp(p + i + 8, kw, kl) == 0) {
			memcpy(type, p + i + 4, 4);
			*len = l - kl;
			return p + i + 8 + kl;
		}
		i += 12 + l;
	}
	return NULL;
}

/*
 * The text of the zTXt chunk with keyword kw, inflated into b; 0 when
 * there is none, it is not a zTXt, or it does not inflate.
 */
static int
ztxt_text(const unsigned char *p, size_t n, const char *kw, struct buf *b)
{
	const unsigned char	*x;
	char			 type[5] = "";
	size_t			 xl;

	memset(b, 0, sizeof(*b));
	return (x = text_chunk(p, n, kw, type, &xl)) != NULL &&
	    strcmp(type, "zTXt") == 0 && xl > 0 && x[0] == 0 &&
	    inflate_all(x + 1, xl - 1, b);
}

/* Decodes a raw profile's hex into b; 0 if malformed. */
static int
raw_decode(const unsigned char *p, size_t n, struct buf *b)
{
	size_t		 i, want;
	unsigned int	 v;
	char		 type[32];
	int		 used;

	if (sscanf((const char *)p, "\n%31s\n%zu\n%n", type, &want,
	    &used) != 2)
		return 0;
	for (i = used; i + 1 < n && b->len < want; i++) {
		if (p[i] == '\n')
			continue;
		if (sscanf((const char *)p + i, "%2x", &v) != 1)
			return 0;
		put(b, (unsigned char[]){ v }, 1);
		i++;
	}
	return b->len == want;
}

/* The chunks ImageMagick writes when it turns a geotagged JPEG to PNG. */
static void
test_png_im(void)
{
	struct buf	 in = { NULL, 0 }, out, t = { NULL, 0 }, e;
	unsigned char	 ihdr[13] = { 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0 };

	put(&in, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(&in, "IHDR", ihdr, 13);
	raw_profile(&t, "xmp", (const unsigned char *)xmp_loc,
	    strlen(xmp_loc));
	ztxt(&in, "Raw profile type xmp", &t);
	free(t.p);
	t.p = NULL;
	t.len = 0;
	e.p = NULL;
	e.len = 0;
	put(&e, "Exif\0\0", 6);
	put(&e, tiff_gps, sizeof(tiff_gps));
	raw_profile(&t, "exif", e.p, e.len);
	ztxt(&in, "Raw profile type exif", &t);
	free(t.p);
	free(e.p);
	png_chunk(&in, "IDAT", "\x78\x9c\x63\x60\0\0\0\2\0\1", 10);
	png_chunk(&in, "tEXt", "date:create\0" "2026-12-03", 22);
	png_chunk(&in, "tEXt", "exif:GPSLatitude\0" "52/1, 30/1, 0/1", 32);
	png_chunk(&in, "tEXt", "xmp:GPSLatitude\0" "52,30.0N", 24);
	png_chunk(&in, "tEXt", "photoshop:City\0" "Berlin", 21);
	png_chunk(&in, "tEXt", "Iptc4xmpCore:Location\0" "Home", 26);
	png_chunk(&in, "IEND", NULL, 0);

	ok(strip2(&in, &out) == STRIP_DONE, "png im: location found");
	ok(png_valid(out.p, out.len), "png im: every CRC right");
	ok(!has(out.p, out.len, "GPSLatitude") &&
	    !has(out.p, out.len, "photoshop:City") &&
	    !has(out.p, out.len, "Iptc4xmpCore:Location"),
	    "png im: location text chunks dropped");
	ok(has(out.p, out.len, "date:create"), "png im: other text kept");
	memset(&e, 0, sizeof(e));
	ok(ztxt_text(out.p, out.len, "Raw profile type exif", &t) &&
	    raw_decode(t.p, t.len, &e) && exif_ok(e.p, e.len),
	    "png im: raw exif profile still zTXt, without GPS, Orientation 6");
	free(e.p);
	free(t.p);
	memset(&e, 0, sizeof(e));
	ok(ztxt_text(out.p, out.len, "Raw profile type xmp", &t) &&
	    raw_decode(t.p, t.len, &e) && xmp_clean(e.p, e.len),
	    "png im: raw xmp profile still zTXt, without location");
	free(e.p);
	free(t.p);
	ok(out.len <= in.len, "png im: no larger (%zu <= %zu)", out.len,
	    in.len);
	free(in.p);
	free(out.p);
}

static void
iim(struct buf *b, int ds, const char *v, int extended)
{
	unsigned char	 h[3] = { 0x1c, 2, ds };

	put(b, h, 3);
	if (extended) {
		put_be16(b, 0x8002);
		put_be16(b, strlen(v));
	} else
		put_be16(b, strlen(v));
	put(b, v, strlen(v));
}

static void
irb(struct buf *b, unsigned id, const void *p, size_t n)
{
	put(b, "8BIM", 4);
	put_be16(b, id);
	put(b, "\0\0", 2);
	put_be32(b, n);
	put(b, p, n);
	if (n & 1)
		put(b, "", 1);
}

/* The Photoshop APP13 segment of a JPEG, its IPTC data and digest. */
static const unsigned char *
app13_iptc(const unsigned char *p, size_t n, size_t *len,
    const unsigned char **digest)
{
	const unsigned char	*iptc = NULL;
	size_t			 i = 2, l, j, sz;

	*digest = NULL;
	while (i + 4 <= n && p[i] == 0xff && p[i + 1] != 0xda) {
		l = p[i + 2] << 8 | p[i + 3];
		if (p[i + 1] != 0xed) {
			i += 2 + l;
			continue;
		}
		for (j = i + 4 + 14; j + 12 <= i + 2 + l;
		    j += 12 + sz + (sz & 1)) {
			sz = (size_t)p[j + 8] << 24 | p[j + 9] << 16 |
			    p[j + 10] << 8 | p[j + 11];
			if (p[j + 4] == 4 && p[j + 5] == 4) {
				iptc = p + j + 12;
				*len = sz;
			} else if (p[j + 4] == 4 && p[j + 5] == 0x25)
				*digest = p + j + 12;
		}
		return iptc;
	}
	return NULL;
}

static void
test_iptc(void)
{
	struct buf		 in = { NULL, 0 }, out, d = { NULL, 0 };
	struct buf		 seg = { NULL, 0 }, e, t;
	const unsigned char	*x, *dg;
	unsigned char		 md[16];
	size_t			 xl = 0;
	MD5_CTX			 ctx;

	iim(&d, 0, "\0\4", 0);
	iim(&d, 90, "Berlin", 0);
	iim(&d, 80, "Someone", 0);
	iim(&d, 101, "Germany", 0);
	iim(&d, 92, "Kreuzberg", 0);
	iim(&d, 95, "Bayern", 1);
	iim(&d, 116, "(c) me", 0);
	MD5Init(&ctx);
	MD5Update(&ctx, d.p, d.len);
	MD5Final(md, &ctx);
	put(&seg, "Photoshop 3.0", 14);
	irb(&seg, 0x03ed, "resolution", 10);
	irb(&seg, 0x0404, d.p, d.len);
	irb(&seg, 0x0425, md, 16);
	irb(&seg, 0x0422, tiff_gps, sizeof(tiff_gps));
	irb(&seg, 0x0424, xmp_loc, strlen(xmp_loc));
	put(&in, "\xff\xd8", 2);
	jpeg_seg(&in, 0xed, seg.p, seg.len, NULL, 0);
	jpeg_seg(&in, 0xdb, "\0\1\2\3", 4, NULL, 0);
	put(&in, jpeg_tail, sizeof(jpeg_tail));

	ok(strip2(&in, &out) == STRIP_DONE, "iptc: location found");
	x = app13_iptc(out.p, out.len, &xl, &dg);
	ok(x != NULL && !has(x, xl, "Berlin") && !has(x, xl, "Germany") &&
	    !has(x, xl, "Kreuzberg") && !has(x, xl, "Bayern"),
	    "iptc: City, Country, Sub-location, Province gone");
	ok(x != NULL && has(x, xl, "Someone") && has(x, xl, "(c) me") &&
	    xl == d.len - 4 * 5 - 6 - 7 - 9 - 6 - 2,
	    "iptc: the rest kept, %zu bytes", xl);
	if (x != NULL) {
		MD5Init(&ctx);
		MD5Update(&ctx, x, xl);
		MD5Final(md, &ctx);
	}
	ok(x != NULL && dg != NULL && memcmp(dg, md, 16) == 0,
	    "iptc: digest matches the new data");
	ok(has(out.p, out.len, "resolution"), "iptc: other resources kept");
	ok(memmem(out.p, out.len, tiff_gps + 68, 24) == NULL &&
	    has(out.p, out.len, "MM"), "irb: EXIF resource without GPS");
	ok((x = memmem(out.p, out.len, "<?xpacket begin", 15)) != NULL &&
	    xmp_clean(x, out.p + out.len - x),
	    "irb: XMP resource without location");
	ok(memcmp(out.p + out.len - sizeof(jpeg_tail), jpeg_tail,
	    sizeof(jpeg_tail)) == 0, "iptc: scan unchanged");
	free(in.p);
	free(out.p);

	/* The same in PNG, as ImageMagick and exiftool write it there. */
	in.p = NULL;
	in.len = 0;
	put(&in, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(&in, "IHDR", "\0\0\0\1\0\0\0\1\x08\0\0\0\0", 13);
	out.p = NULL;
	out.len = 0;
	raw_profile(&out, "IPTC profile", seg.p + 14, seg.len - 14);
	ztxt(&in, "Raw profile type iptc", &out);
	free(out.p);
	out.p = NULL;
	out.len = 0;
	raw_profile(&out, "iptc", d.p, d.len);
	ztxt(&in, "Raw profile type 8bim", &out);
	free(out.p);
	png_chunk(&in, "IEND", NULL, 0);
	ok(strip2(&in, &out) == STRIP_DONE && png_valid(out.p, out.len),
	    "iptc png: location found, CRCs right");
	memset(&e, 0, sizeof(e));
	ok(ztxt_text(out.p, out.len, "Raw profile type iptc", &t) &&
	    raw_decode(t.p, t.len, &e) && has(e.p, e.len, "Someone") &&
	    !has(e.p, e.len, "Berlin") && has(e.p, e.len, "8BIM"),
	    "iptc png: resources without City");
	free(e.p);
	free(t.p);
	memset(&e, 0, sizeof(e));
	ok(ztxt_text(out.p, out.len, "Raw profile type 8bim", &t) &&
	    raw_decode(t.p, t.len, &e) && has(e.p, e.len, "Someone") &&
	    !has(e.p, e.len, "Germany") && e.p[0] == 0x1c,
	    "iptc png: bare IIM without Country");
	free(e.p);
	free(t.p);
	ok(out.len <= in.len, "iptc png: no larger (%zu <= %zu)", out.len,
	    in.len);
	free(in.p);
	free(out.p);
	free(seg.p);
	free(d.p);
}

/* strip_xmp() on a table of packets: what must go and what must stay. */
static void
test_xmp(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} t[] = {
		{ "<a exif:GPSAltitude='1'/>", "<a                     />" },
		{ "<a\texif:GPSAltitude = \"1\" b='2'/>",
		  "<a\t                       b='2'/>" },
		{ "<exif:GPSVersionID>2.3</exif:GPSVersionID>x",
		  "                                          x" },
		{ "<exif:GPSVersionID rdf:resource='>'/>y",
		  "                                     y" },
		{ "<photoshop:State>CA</photoshop:State >",
		  "                                      " },
		/*
		 * Two attributes without a space between them (found by
		 * the fuzzer): the second went only on a second pass, so
		 * a stored file kept it.
		 */
		{ "<a exif:GPSLatitude='1'photoshop:City='x'/>",
		  "<a                                       />" },
		{ "<exif:GPSAltitude>1</exif:GPSAltitude><exif:GPSSpeed>2</exif:GPSSpeed>",
		  "                                                                      " },
		/* Not properties: other names, no '<' or space before. */
		{ "<photoshop:Cityscape>1</photoshop:Cityscape>",
		  "<photoshop:Cityscape>1</photoshop:Cityscape>" },
		{ "<a b='xexif:GPSLatitude=1'/>",
		  "<a b='xexif:GPSLatitude=1'/>" },
		{ "<a exif:GPSLatitude/>", "<a exif:GPSLatitude/>" },
		/* Namespaces bound to other prefixes. */
		{ "<r xmlns:e='http://ns.adobe.com/exif/1.0/'><e:GPSLatitude>1</e:GPSLatitude></r>",
		  "<r xmlns:e='http://ns.adobe.com/exif/1.0/'>                                </r>" },
		{ "<r xmlns:ps = \"http://ns.adobe.com/photoshop/1.0/\" ps:City='x'/>",
		  "<r xmlns:ps = \"http://ns.adobe.com/photoshop/1.0/\"            />" },
		{ "<r xmlns:e='http://other/'><e:GPSLatitude>1</e:GPSLatitude></r>",
		  "<r xmlns:e='http://other/'><e:GPSLatitude>1</e:GPSLatitude></r>" },
		/* Never closed: all the rest goes. */
		{ "<a><exif:GPSLatitude>1 <b>2</b>",
		  "<a>                            " },
		{ "<a exif:GPSLatitude='1", "<a                    " },
	};
	char	 buf[256];
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		strlcpy(buf, t[i].in, sizeof(buf));
		strip_xmp((unsigned char *)buf, strlen(buf));
		ok(strcmp(buf, t[i].want) == 0, "xmp: \"%s\" -> \"%s\"",
		    t[i].in, buf);
	}
}

/* Every truncation and many corruptions: no crash, no read past the end. */
static void
test_garbage(void)
{
	struct buf		 in[3], out;
	unsigned char		*p;
	size_t			 i, j, k, bad = 0;
	enum strip_status	 st;

	in[0] = make_jpeg(tiff_gps, sizeof(tiff_gps), xmp_loc);
	in[1] = make_png(tiff_gps, sizeof(tiff_gps), xmp_loc, 1);
	in[2] = make_webp(tiff_gps, sizeof(tiff_gps), xmp_loc, 0);
	srandom(1);
	for (k = 0; k < 3; k++) {
		for (i = 0; i <= in[k].len; i++) {
			/* An exact-size copy, so ASan sees any overread. */
			if ((p = malloc(i + 1)) == NULL)
				abort();
			memcpy(p, in[k].p, i);
			st = strip_location(p, i, BUDGET, &out.p, &out.len);
			bad += st != STRIP_DONE && st != STRIP_UNCHANGED;
			free(out.p);
			for (j = 0; j < 8 && i > 0; j++)
				p[random() % i] = random();
			st = strip_location(p, i, BUDGET, &out.p, &out.len);
			free(out.p);
			free(p);
		}
		free(in[k].p);
	}
	ok(bad == 0, "truncations: never an error, only DONE or UNCHANGED");
	ok(strip_location((const unsigned char *)"\xff\xd8\xff\xe1\xff\xff",
	    6, BUDGET, &out.p, &out.len) == STRIP_UNCHANGED,
	    "jpeg: a segment longer than the file, unchanged");
	ok(strip_location((const unsigned char *)"GIF89a", 6, BUDGET, &out.p,
	    &out.len) == STRIP_UNCHANGED, "gif: unchanged");
	ok(!strip_exif_has_gps((const unsigned char *)"MM\0*\xff\xff\xff\xff",
	    8), "exif: IFD0 past the end is no GPS");
}

/* ---- The inflation budget (issue 15, items 1 and 2) ---- */

#define KIB	1024
#define MIB	(1024 * 1024)

/* A text of n bytes: the XMP with location (loc) or without, then spaces. */
static void
padded_xmp(struct buf *b, int loc, size_t n)
{
	const char	*x = loc ? xmp_loc : xmp_plain;
	size_t		 l = strlen(x);

	memset(b, 0, sizeof(*b));
	put(b, x, l < n ? l : n);
	if (l >= n)
		return;
	/* At once: a byte at a time is quadratic under ASan's realloc. */
	if ((b->p = realloc(b->p, n + 1)) == NULL)
		abort();
	memset(b->p + l, ' ', n - l);
	b->len = n;
}

/* Deflates b at level 9 and appends it to c. */
static void
put_deflated(struct buf *c, const struct buf *b)
{
	uLongf		 zl = compressBound(b->len);
	unsigned char	*z;

	if ((z = malloc(zl)) == NULL ||
	    compress2(z, &zl, b->p, b->len, 9) != Z_OK)
		abort();
	put(c, z, zl);
	free(z);
}

/*
 * One chunk of a budget case: its type ("zTXt", "iTXt" compressed,
 * "iTXu" an uncompressed iTXt, "iCCP", "rawz" a zTXt raw XMP profile,
 * "rawt" a tEXt raw profile in one unbroken line of hex), keyword, what
 * its text inflates to, and whether it carries a location.
 */
struct bchunk {
	const char	*type;
	const char	*kw;
	size_t		 size;
	int		 loc;
};

/* Hex without line breaks: longer once ImageMagick's breaks are put. */
static void
raw_packed(struct buf *b, const struct buf *x)
{
	char	 h[64];
	size_t	 i;

	snprintf(h, sizeof(h), "\nxmp\n%8zu\n", x->len);
	put(b, h, strlen(h));
	for (i = 0; i < x->len; i++) {
		snprintf(h, sizeof(h), "%02x", x->p[i]);
		put(b, h, 2);
	}
	put(b, "\n", 1);
}

static void
bchunk_put(struct buf *png, const struct bchunk *c)
{
	struct buf	 d = { NULL, 0 }, x, r = { NULL, 0 };
	const char	*type = c->type;

	padded_xmp(&x, c->loc, c->size);
	put(&d, c->kw, strlen(c->kw) + 1);
	if (strcmp(type, "zTXt") == 0 || strcmp(type, "iCCP") == 0) {
		put(&d, "", 1);
		put_deflated(&d, &x);
	} else if (strcmp(type, "iTXt") == 0) {
		put(&d, "\1\0\0\0", 4);
		put_deflated(&d, &x);
	} else if (strcmp(type, "iTXu") == 0) {
		put(&d, "\0\0\0\0", 4);
		put(&d, x.p, x.len);
		type = "iTXt";
	} else if (strcmp(type, "rawz") == 0) {
		raw_profile(&r, "xmp", x.p, x.len);
		put(&d, "", 1);
		put_deflated(&d, &r);
		type = "zTXt";
	} else {
		raw_packed(&r, &x);
		put(&d, r.p, r.len);
		type = "tEXt";
	}
	png_chunk(png, type, d.p, d.len);
	free(r.p);
	free(x.p);
	free(d.p);
}

/* A 1x1 PNG with the chunks before IDAT, or after IEND with trailer. */
static struct buf
budget_png(const struct bchunk *c, size_t n, int trailer)
{
	struct buf	 b = { NULL, 0 };
	size_t		 i;

	put(&b, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(&b, "IHDR", "\0\0\0\1\0\0\0\1\x08\0\0\0\0", 13);
	for (i = 0; i < n && !trailer; i++)
		bchunk_put(&b, &c[i]);
	png_chunk(&b, "IDAT", "\x78\x9c\x63\x60\0\0\0\2\0\1", 10);
	png_chunk(&b, "IEND", NULL, 0);
	for (i = 0; i < n && trailer; i++)
		bchunk_put(&b, &c[i]);
	return b;
}

/* What a stripped PNG must hold: no location, the creator where kept. */
static int
budget_clean(const struct buf *out)
{
	struct buf	 t = { NULL, 0 };
	size_t		 i = 8, l;
	int		 clean = 1;

	while (clean && out->len - i >= 12) {
		l = (size_t)out->p[i] << 24 | out->p[i + 1] << 16 |
		    out->p[i + 2] << 8 | out->p[i + 3];
		if (l > out->len - i - 12)
			return 0;
		if (memcmp(out->p + i + 4, "zTXt", 4) == 0 ||
		    memcmp(out->p + i + 4, "iTXt", 4) == 0) {
			/* zTXt data after "kw\0\0", iTXt after "kw\0\1\0\0\0". */
			const unsigned char *d = out->p + i + 8;
			size_t	 k = strlen((const char *)d) + 1;
			int	 itxt = out->p[i + 4] == 'i';

			memset(&t, 0, sizeof(t));
			if (itxt && d[k] == 0)
				put(&t, d + k + 4, l - k - 4);
			else if (!inflate_all(d + k + (itxt ? 4 : 1),
			    l - k - (itxt ? 4 : 1), &t))
				clean = 0;
			clean = clean && !has(t.p, t.len, "52,30") &&
			    !has(t.p, t.len, "Berlin") &&
			    !has(t.p, t.len, "4265726c696e");
			free(t.p);
		}
		if (memcmp(out->p + i + 4, "tEXt", 4) == 0 &&
		    has(out->p + i + 8, l, "4265726c696e"))
			clean = 0;
		i += 12 + l;
	}
	return clean;
}

/*
 * A table of PNGs, each against a budget: what the chunks inflate to is
 * summed over every compressed chunk, opened by the stripper or not;
 * uncompressed text does not count; what changes is no larger.
 * "4265726c696e" is "Berlin" in a raw profile's hex.
 */
static void
test_budget(void)
{
	static const struct {
		const char		*desc;
		struct bchunk		 c[4];
		size_t			 n;
		int			 trailer;
		size_t			 budget;
		enum strip_status	 strip, check;
	} t[] = {
		{ "one zTXt XMP, half the budget",
		    { { "zTXt", "XML:com.adobe.xmp", 512 * KIB, 0 } }, 1, 0,
		    MIB, STRIP_UNCHANGED, STRIP_UNCHANGED },
		{ "three zTXt XMP, half the budget each",
		    { { "zTXt", "XML:com.adobe.xmp", 512 * KIB, 0 },
		      { "zTXt", "XML:com.adobe.xmp", 512 * KIB, 0 },
		      { "zTXt", "XML:com.adobe.xmp", 512 * KIB, 0 } }, 3, 0,
		    MIB, STRIP_TOO_BIG, STRIP_TOO_BIG },
		{ "a zTXt comment, never opened, over the budget",
		    { { "zTXt", "Comment", 2 * MIB, 0 } }, 1, 0,
		    MIB, STRIP_TOO_BIG, STRIP_TOO_BIG },
		{ "an iCCP over the budget",
		    { { "iCCP", "icc", 2 * MIB, 0 } }, 1, 0,
		    MIB, STRIP_TOO_BIG, STRIP_TOO_BIG },
		{ "a compressed iTXt XMP over the budget",
		    { { "iTXt", "XML:com.adobe.xmp", 2 * MIB, 0 } }, 1, 0,
		    MIB, STRIP_TOO_BIG, STRIP_TOO_BIG },
		{ "zTXt chunks after IEND count too",
		    { { "zTXt", "Comment", 768 * KIB, 0 },
		      { "zTXt", "Comment", 768 * KIB, 0 } }, 2, 1,
		    MIB, STRIP_TOO_BIG, STRIP_TOO_BIG },
		{ "exactly the budget",
		    { { "zTXt", "Comment", MIB, 0 } }, 1, 0,
		    MIB, STRIP_UNCHANGED, STRIP_UNCHANGED },
		{ "the budget and one byte",
		    { { "zTXt", "Comment", MIB + 1, 0 } }, 1, 0,
		    MIB, STRIP_TOO_BIG, STRIP_TOO_BIG },
		{ "an uncompressed iTXt over the budget inflates nothing",
		    { { "iTXu", "XML:com.adobe.xmp", 2 * MIB, 1 } }, 1, 0,
		    MIB, STRIP_DONE, STRIP_UNCHANGED },
		{ "a zTXt XMP with location, within the budget",
		    { { "zTXt", "XML:com.adobe.xmp", 900 * KIB, 1 } }, 1, 0,
		    MIB, STRIP_DONE, STRIP_UNCHANGED },
		{ "a compressed iTXt XMP with location, within",
		    { { "iTXt", "XML:com.adobe.xmp", 900 * KIB, 1 } }, 1, 0,
		    MIB, STRIP_DONE, STRIP_UNCHANGED },
		{ "two zTXt XMP with location, over",
		    { { "zTXt", "XML:com.adobe.xmp", 600 * KIB, 1 },
		      { "zTXt", "XML:com.adobe.xmp", 600 * KIB, 1 } }, 2, 0,
		    MIB, STRIP_TOO_BIG, STRIP_TOO_BIG },
		{ "a zTXt raw XMP profile with location",
		    { { "rawz", "Raw profile type xmp", 200 * KIB, 1 } }, 1, 0,
		    MIB, STRIP_DONE, STRIP_UNCHANGED },
		{ "a tEXt raw profile that would grow: dropped",
		    { { "rawt", "Raw profile type xmp", 4 * KIB, 1 },
		      { "zTXt", "Comment", 100, 0 } }, 2, 0,
		    MIB, STRIP_DONE, STRIP_UNCHANGED },
		{ "with location, under a zero budget",
		    { { "zTXt", "XML:com.adobe.xmp", 4 * KIB, 1 } }, 1, 0,
		    0, STRIP_TOO_BIG, STRIP_TOO_BIG },
		{ "location and a big comment, over",
		    { { "zTXt", "XML:com.adobe.xmp", 4 * KIB, 1 },
		      { "zTXt", "Comment", 2 * MIB, 0 } }, 2, 0,
		    MIB, STRIP_TOO_BIG, STRIP_TOO_BIG },
	};
	struct buf		 in, out, again;
	enum strip_status	 st, ck;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		in = budget_png(t[i].c, t[i].n, t[i].trailer);
		st = strip_location(in.p, in.len, t[i].budget, &out.p,
		    &out.len);
		ck = strip_inflate_check(in.p, in.len, t[i].budget);
		ok(st == t[i].strip && ck == t[i].check,
		    "budget: %s: strip %d (want %d), check %d (want %d)",
		    t[i].desc, st, t[i].strip, ck, t[i].check);
		ok(st == STRIP_DONE || out.p == NULL,
		    "budget: %s: no output unless done", t[i].desc);
		if (st == STRIP_DONE) {
			ok(out.len <= in.len && png_valid(out.p, out.len) &&
			    budget_clean(&out), "budget: %s: stored %zu <= "
			    "sent %zu, CRCs right, no location", t[i].desc,
			    out.len, in.len);
			ok(strip_location(out.p, out.len, t[i].budget,
			    &again.p, &again.len) == STRIP_UNCHANGED,
			    "budget: %s: stripped once for all", t[i].desc);
		}
		free(out.p);
		free(in.p);
	}
}

/* The CPU seconds this process has used. */
static double
cpu_secs(void)
{
	return (double)clock() / CLOCKS_PER_SEC;
}

/* The peak resident size of this process, in KiB. */
static long
peak_kib(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/*
 * One chunk at zlib's best ratio (about 1000:1): 1 MiB that inflates to
 * 1 GiB.  Against a 1 MiB budget, inflating stops at the budget: a
 * millisecond, not the second that inflating it all takes, and no
 * buffer of what it would inflate to.  Both the chunk the stripper
 * keeps (XMP) and one it only counts.
 */
static void
test_bomb(void)
{
	static const char *const kws[] = { "XML:com.adobe.xmp", "Comment" };
	struct buf	 in, out, d, x = { NULL, 0 };
	unsigned char	 zeros[65536], z[4096];
	z_stream	 zs;
	double		 t0;
	long		 kib;
	size_t		 i, k;
	int		 st;

	/* 1 GiB of spaces, deflated as it streams. */
	memset(zeros, ' ', sizeof(zeros));
	memset(&zs, 0, sizeof(zs));
	if (deflateInit(&zs, 9) != Z_OK)
		abort();
	for (i = 0; i <= 16384; i++) {
		zs.next_in = zeros;
		zs.avail_in = i < 16384 ? sizeof(zeros) : 0;
		do {
			zs.next_out = z;
			zs.avail_out = sizeof(z);
			st = deflate(&zs, i < 16384 ? Z_NO_FLUSH : Z_FINISH);
			put(&x, z, sizeof(z) - zs.avail_out);
		} while (zs.avail_out == 0);
	}
	deflateEnd(&zs);
	ok(st == Z_STREAM_END && x.len < 2 * MIB,
	    "bomb: 1 GiB deflates to %zu bytes", x.len);
	for (k = 0; k < 2; k++) {
		memset(&d, 0, sizeof(d));
		put(&d, kws[k], strlen(kws[k]) + 1);
		put(&d, "", 1);
		put(&d, x.p, x.len);
		memset(&in, 0, sizeof(in));
		put(&in, "\x89PNG\r\n\x1a\n", 8);
		png_chunk(&in, "IHDR", "\0\0\0\1\0\0\0\1\x08\0\0\0\0", 13);
		png_chunk(&in, "zTXt", d.p, d.len);
		png_chunk(&in, "IDAT", "\x78\x9c\x63\x60\0\0\0\2\0\1", 10);
		png_chunk(&in, "IEND", NULL, 0);
		kib = peak_kib();
		t0 = cpu_secs();
		st = strip_location(in.p, in.len, MIB, &out.p, &out.len);
		t0 = cpu_secs() - t0;
		ok(st == STRIP_TOO_BIG && t0 < 0.1,
		    "bomb %s: refused in %.3f s of CPU", kws[k], t0);
		t0 = cpu_secs();
		st = strip_inflate_check(in.p, in.len, MIB);
		t0 = cpu_secs() - t0;
		ok(st == STRIP_TOO_BIG && t0 < 0.1,
		    "bomb %s: the check refuses it in %.3f s", kws[k], t0);
		ok(peak_kib() - kib < 16 * 1024,
		    "bomb %s: the peak grew by %ld KiB", kws[k],
		    peak_kib() - kib);
		free(in.p);
		free(d.p);
	}
	free(x.p);
}

/*
 * Extended XMP packets draw their lengths from the budget: many packets
 * each claiming most of the file are refused, and one claiming more
 * than the file is blanked chunk by chunk, with no buffer of that size.
 */
static void
test_ext_budget(void)
{
	static const unsigned char pad[1024];
	struct buf	 in = { NULL, 0 }, out, h;
	char		 guid[33];
	size_t		 i, n = 40;
	long		 kib;

	put(&in, "\xff\xd8", 2);
	for (i = 0; i < n; i++) {
		snprintf(guid, sizeof(guid), "%032zu", i);
		memset(&h, 0, sizeof(h));
		put(&h, "http://ns.adobe.com/xmp/extension/", 35);
		put(&h, guid, 32);
		put_be32(&h, 60 * KIB);
		put_be32(&h, 0);
		jpeg_seg(&in, 0xe1, h.p, h.len, xmp_loc, strlen(xmp_loc));
		free(h.p);
	}
	/* Pad the file so that one packet's 60 KiB is within it. */
	for (i = 0; i < 64; i++)
		jpeg_seg(&in, 0xfe, NULL, 0, pad, sizeof(pad));
	put(&in, jpeg_tail, sizeof(jpeg_tail));
	ok(strip_location(in.p, in.len, 32 * MIB, &out.p, &out.len) ==
	    STRIP_DONE && out.len == in.len && !has(out.p, out.len, "Berlin"),
	    "ext budget: 40 packets of 60 KiB within 32 MiB: blanked");
	free(out.p);
	ok(strip_location(in.p, in.len, 1 * MIB, &out.p, &out.len) ==
	    STRIP_TOO_BIG && out.p == NULL,
	    "ext budget: 40 packets of 60 KiB over 1 MiB: refused");
	free(in.p);

	/* One packet that claims 4 GiB - 1 in a file of a few KiB. */
	memset(&in, 0, sizeof(in));
	put(&in, "\xff\xd8", 2);
	memset(&h, 0, sizeof(h));
	put(&h, "http://ns.adobe.com/xmp/extension/", 35);
	put(&h, "0123456789ABCDEF0123456789ABCDEF", 32);
	put_be32(&h, 0xffffffff);
	put_be32(&h, 0);
	jpeg_seg(&in, 0xe1, h.p, h.len, xmp_loc, strlen(xmp_loc));
	free(h.p);
	put(&in, jpeg_tail, sizeof(jpeg_tail));
	kib = peak_kib();
	ok(strip_location(in.p, in.len, 32 * MIB, &out.p, &out.len) ==
	    STRIP_DONE && out.len == in.len && xmp_clean(out.p, out.len),
	    "ext budget: a packet longer than the file, blanked alone");
	ok(peak_kib() - kib < 1024, "ext budget: and no buffer for it "
	    "(the peak grew by %ld KiB)", peak_kib() - kib);
	free(out.p);
	free(in.p);
}

int
main(void)
{
	test_jpeg();
	test_png(0);
	test_png(1);
	test_png_im();
	test_iptc();
	test_lenient();
	test_ext_xmp();
	test_gif();
	test_webp(0);
	test_webp(1);
	test_xmp();
	test_garbage();
	test_budget();
	test_bomb();
	test_ext_budget();
	return tap_done();
}
