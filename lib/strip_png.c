/*
 * PNG: the chunks copied or changed, text chunks (tEXt, zTXt, iTXt and
 * ImageMagick's raw profiles) without location, eXIf without GPS, and
 * the inflation budget every compressed chunk draws from.
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "ctr.h"
#include "strip.h"
#include "strip_int.h"


static void
strip_png_chunk(struct strip_out *o, const char *type, const void *a,
    size_t alen, const void *b, size_t blen)
{
	unsigned char	 hdr[8], crc[4];
	uLong		 c;

	ctr_wr32(hdr, alen + blen, 1);
	memcpy(hdr + 4, type, 4);
	/* crc32() with a NULL buffer gives 0, whatever it is passed. */
	c = crc32(0, hdr + 4, 4);
	if (alen > 0)
		c = crc32(c, a, alen);
	if (blen > 0)
		c = crc32(c, b, blen);
	ctr_wr32(crc, c, 1);
	strip_put(o, hdr, 8);
	strip_put(o, a, alen);
	strip_put(o, b, blen);
	strip_put(o, crc, 4);
}

/* Readies o's inflater for a new stream; -1 (o->nomem set) if it cannot. */
static int
strip_z_reset(struct strip_out *o)
{
	if (o->zinit)
		return inflateReset(&o->z) == Z_OK ? 0 : -1;
	memset(&o->z, 0, sizeof(o->z));
	if (inflateInit(&o->z) != Z_OK) {
		o->nomem = 1;
		return -1;
	}
	o->zinit = 1;
	return 0;
}

/*
 * Makes room for at least one more byte after got in *buf, up to lim
 * bytes in all; the room in *cap.  -1 (o->nomem set) on ENOMEM.
 */
static int
strip_z_grow(struct strip_out *o, unsigned char **buf, size_t *cap,
    size_t got, size_t lim)
{
	unsigned char	*nb;
	size_t		 ncap;

	if (got < *cap)
		return 0;
	ncap = *cap == 0 ? 4096 : *cap * 2;
	if (ncap > lim)
		ncap = lim;
	/* One more for the NUL strip_xmp's callers may want after it. */
	if ((nb = realloc(*buf, ncap + 1)) == NULL) {
		o->nomem = 1;
		return -1;
	}
	*buf = nb;
	*cap = ncap;
	return 0;
}

/*
 * Inflates the zlib stream of n bytes at p, drawing what it yields from
 * o's budget.  With keep, returns the text, malloc'd, *outlen bytes, that
 * the caller frees; without, only counts it (through a small buffer) and
 * returns NULL.  NULL too when the stream is broken or cut short, on
 * ENOMEM (o->nomem) and past the budget (o->over): inflate stops there,
 * having yielded at most the budget and one byte, whatever the ratio.
 */
static unsigned char *
strip_inflate(struct strip_out *o, const unsigned char *p, size_t n,
    int keep, size_t *outlen)
{
	unsigned char	 scratch[16384], *buf = NULL;
	size_t		 cap = 0, got = 0, lim = o->budget + 1, room;
	int		 rc = Z_OK;

	*outlen = 0;
	if (n > UINT_MAX || strip_z_reset(o) == -1)
		return NULL;
	o->z.next_in = p;
	o->z.avail_in = n;
	while (rc == Z_OK && got < lim) {
		if (keep && strip_z_grow(o, &buf, &cap, got, lim) == -1)
			break;
		o->z.next_out = keep ? buf + got : scratch;
		room = keep ? cap - got : sizeof(scratch);
		if (room > lim - got)
			room = lim - got;
		o->z.avail_out = room > UINT_MAX ? UINT_MAX : room;
		rc = inflate(&o->z, Z_NO_FLUSH);
		got += room - o->z.avail_out;
	}
	if (got > o->budget)
		o->over = 1;
	o->budget -= got > o->budget ? o->budget : got;
	if (rc != Z_STREAM_END || got >= lim || !keep) {
		free(buf);
		return NULL;
	}
	*outlen = got;
	return buf;
}

/*
 * Deflates the n bytes at p into at most max bytes, always with the same
 * settings (level 9, a 32 KiB window, zlib's default memory level and
 * strategy), so the same text gives the same bytes.  Returns them
 * malloc'd, *outlen bytes, or NULL when they do not fit in max (or on
 * ENOMEM, o->nomem set).  FIXME: another zlib may deflate otherwise
 * (the output is only stable for one zlib): an upload whose chunks were
 * recompressed before a zlib upgrade is not found a duplicate after it.
 * Storing the deflate blocks uncompressed would not depend on zlib, but
 * would be larger than what was sent.
 */
static unsigned char *
strip_deflate(struct strip_out *o, const unsigned char *p, size_t n,
    size_t max, size_t *outlen)
{
	z_stream	 z;
	unsigned char	*b;
	int		 rc;

	if (n > UINT_MAX || max > UINT_MAX || max == 0)
		return NULL;
	if ((b = malloc(max)) == NULL) {
		o->nomem = 1;
		return NULL;
	}
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK) {
		free(b);
		o->nomem = 1;
		return NULL;
	}
	z.next_in = p;
	z.avail_in = n;
	z.next_out = b;
	z.avail_out = max;
	rc = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	if (rc == Z_STREAM_END)
		return b;
	free(b);
	return NULL;
}

/* What a PNG text chunk (tEXt, zTXt or iTXt) holds. */
struct strip_text {
	const unsigned char	*kw;	/* the keyword, kwlen bytes */
	size_t			 kwlen;
	size_t			 hlen;	/* the bytes before the text */
	const unsigned char	*text;
	size_t			 len;
	int			 z;	/* the text is zlib-compressed */
};

/* Splits the data of a text chunk of the given type; -1 if malformed. */
static int
strip_text_parse(const unsigned char *type, const unsigned char *d,
    size_t n, struct strip_text *t)
{
	const unsigned char	*p, *end = d + n;

	if ((p = memchr(d, '\0', n)) == NULL)
		return -1;
	t->kw = d;
	t->kwlen = p - d;
	t->z = 0;
	p++;
	if (memcmp(type, "zTXt", 4) == 0) {
		if (end - p < 1)
			return -1;
		t->z = 1;
		p++;
	} else if (memcmp(type, "iTXt", 4) == 0) {
		/* Flag, method, language tag, translated keyword. */
		if (end - p < 2)
			return -1;
		t->z = p[0] != 0;
		p += 2;
		if ((p = memchr(p, '\0', end - p)) == NULL ||
		    (p = memchr(p + 1, '\0', end - p - 1)) == NULL)
			return -1;
		p++;
	}
	t->hlen = p - d;
	t->text = p;
	t->len = end - p;
	return 0;
}

static int
strip_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Decodes ImageMagick's "Raw profile type" text, "\n<type>\n<length>\n"
 * and the bytes in hexadecimal, white space anywhere; NULL if malformed.
 */
static unsigned char *
strip_raw_decode(const unsigned char *p, size_t n, size_t *len)
{
	unsigned char	*b;
	size_t		 i = 0, want = 0, got = 0;
	int		 hi = -1, v;

	/* The type's line may hold spaces ("IPTC profile"). */
	while (i < n && isspace(p[i]))
		i++;
	while (i < n && p[i] != '\n')
		i++;
	while (i < n && isspace(p[i]))
		i++;
	if (i >= n || !isdigit(p[i]))
		return NULL;
	for (; i < n && isdigit(p[i]); i++)
		if ((want = want * 10 + (p[i] - '0')) > n / 2)
			return NULL;
	if ((b = malloc(want + 1)) == NULL)
		return NULL;
	for (; i < n && got < want; i++) {
		if (isspace(p[i]))
			continue;
		if ((v = strip_hex(p[i])) == -1)
			break;
		if (hi == -1)
			hi = v;
		else {
			b[got++] = hi << 4 | v;
			hi = -1;
		}
	}
	if (got == want) {
		*len = want;
		return b;
	}
	free(b);
	return NULL;
}

/* Encodes bytes as ImageMagick writes a raw profile, 36 bytes a line. */
static unsigned char *
strip_raw_encode(const unsigned char *type, size_t tlen,
    const unsigned char *p, size_t n, size_t *len)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		*b, *o;
	size_t			 i;
	int			 h;

	if (tlen > 64 || n > (SIZE_MAX - 128) / 3 ||
	    (b = malloc(tlen + 32 + 3 * n)) == NULL)
		return NULL;
	o = b;
	*o++ = '\n';
	memcpy(o, type, tlen);
	o += tlen;
	h = snprintf((char *)o, 24, "\n%8zu\n", n);
	o += h;
	for (i = 0; i < n; i++) {
		if (i % 36 == 0)
			*o++ = '\n';
		*o++ = hex[p[i] >> 4];
		*o++ = hex[p[i] & 15];
	}
	*o++ = '\n';
	*len = o - b;
	return b;
}

/*
 * A raw profile (ImageMagick keeps EXIF and XMP so in PNG text chunks)
 * without location: 1 with the new text in *out, 0 when it has none or
 * cannot be read.
 */
static int
strip_raw_profile(const struct strip_text *t, const unsigned char *text,
    size_t len, unsigned char **out, size_t *outlen)
{
	const unsigned char	*type = t->kw + 17;
	struct strip_out	 irb;
	unsigned char		*b, *x = NULL;
	size_t			 blen, xlen, tlen = t->kwlen - 17, skip = 0;
	int			 changed = 0;

	if ((b = strip_raw_decode(text, len, &blen)) == NULL)
		return 0;
	if ((blen >= 4 && memcmp(b, "8BIM", 4) == 0) ||
	    (blen > 0 && b[0] == 0x1c)) {
		/* Photoshop resources, or bare IPTC-IIM ("iptc" profile). */
		memset(&irb, 0, sizeof(irb));
		changed = b[0] == 0x1c ? strip_iim(&irb, b, blen) > 0 :
		    strip_irb(&irb, b, blen);
		if (changed && !irb.nomem) {
			free(b);
			b = irb.p;
			blen = irb.len;
		} else {
			changed = 0;
			free(irb.p);
		}
	} else if (strip_exif_hdr(b, blen)) {
		if (strip_exif(b, blen, &x, &xlen) == STRIP_DONE) {
			free(b);
			b = x;
			blen = xlen;
			changed = 1;
		}
	} else {
		if (blen >= sizeof(STRIP_XMP_JPEG) &&
		    memcmp(b, STRIP_XMP_JPEG, sizeof(STRIP_XMP_JPEG)) == 0)
			skip = sizeof(STRIP_XMP_JPEG);
		if ((tlen == 3 && memcmp(type, "xmp", 3) == 0) || skip > 0)
			changed = strip_xmp(b + skip, blen - skip) > 0;
	}
	if (changed)
		*out = strip_raw_encode(type, tlen, b, blen, outlen);
	free(b);
	return changed && *out != NULL;
}

/*
 * Writes a text chunk back with new text, in its own form: the same type
 * and header, the text compressed again when it was compressed.  What
 * is written is never larger than what was read: new text that does not
 * fit in the old text's bytes leaves the chunk out, so the file cannot
 * grow with what its text inflates to (a location blanked in a packet
 * that inflates a thousandfold, say).
 */
static void
strip_png_text_put(struct strip_out *o, const unsigned char *chunk,
    const struct strip_text *t, const unsigned char *text, size_t len)
{
	unsigned char	*z = NULL;
	size_t		 zlen;

	if (t->z) {
		if ((z = strip_deflate(o, text, len, t->len, &zlen)) == NULL)
			return;
		text = z;
		len = zlen;
	} else if (len > t->len)
		return;
	strip_png_chunk(o, (const char *)chunk + 4, t->kw, t->hlen, text,
	    len);
	free(z);
}

/*
 * A text chunk: one whose keyword is a location property (ImageMagick
 * writes "exif:GPSLatitude" and "photoshop:City" so) is dropped; XMP
 * and raw profiles lose their location; one compressed beyond reading,
 * or past the budget, is dropped; the rest is copied.
 */
static void
strip_png_text(struct strip_out *o, const unsigned char *chunk, size_t dlen)
{
	struct strip_text	 t;
	unsigned char		*x, *nt = NULL;
	size_t			 xlen, ntlen = 0;
	int			 xmp, raw, changed;

	if (strip_text_parse(chunk + 4, chunk + 8, dlen, &t) == -1) {
		strip_put(o, chunk, dlen + 12);
		return;
	}
	if (t.kwlen > 0 && strip_prop_at(t.kw, t.kwlen) == t.kwlen)
		return;
	xmp = t.kwlen == sizeof(STRIP_XMP_PNG) - 1 &&
	    memcmp(t.kw, STRIP_XMP_PNG, t.kwlen) == 0;
	raw = t.kwlen > 17 && memcmp(t.kw, "Raw profile type ", 17) == 0;
	if (!xmp && !raw) {
		strip_put(o, chunk, dlen + 12);
		return;
	}
	if (t.z)
		x = strip_inflate(o, t.text, t.len, 1, &xlen);
	else if ((x = malloc(t.len + 1)) != NULL) {
		memcpy(x, t.text, t.len);
		xlen = t.len;
	}
	if (x == NULL) {
		o->nomem |= !t.z;
		return;
	}
	if (xmp)
		changed = strip_xmp(x, xlen) > 0;
	else
		changed = strip_raw_profile(&t, x, xlen, &nt, &ntlen);
	if (!changed)
		strip_put(o, chunk, dlen + 12);
	else if (xmp)
		strip_png_text_put(o, chunk, &t, x, xlen);
	else
		strip_png_text_put(o, chunk, &t, nt, ntlen);
	free(nt);
	free(x);
}

/*
 * The zlib stream of a chunk that a decoder inflates (zTXt, a compressed
 * iTXt, iCCP), in *z and *zlen; 0 when the chunk has none.
 */
static int
strip_png_zdata(const unsigned char *c, size_t dlen,
    const unsigned char **z, size_t *zlen)
{
	struct strip_text	 t;
	const unsigned char	*p;

	if (memcmp(c + 4, "iCCP", 4) == 0) {
		/* A name, its NUL, the method byte, the stream. */
		if ((p = memchr(c + 8, '\0', dlen)) == NULL ||
		    (size_t)(p - c - 8) + 2 > dlen)
			return 0;
		*z = p + 2;
		*zlen = c + 8 + dlen - *z;
		return 1;
	}
	if ((memcmp(c + 4, "zTXt", 4) != 0 && memcmp(c + 4, "iTXt", 4) != 0) ||
	    strip_text_parse(c + 4, c + 8, dlen, &t) == -1 || !t.z)
		return 0;
	*z = t.text;
	*zlen = t.len;
	return 1;
}

/*
 * Counts what every compressed chunk of the PNG inflates to, against o's
 * budget, keeping none of it: o->over once the sum passes the budget.
 * The chunks are those the walk of strip_png() sees, after IEND too.
 */
void
strip_png_count(struct strip_out *o, const unsigned char *b, size_t n)
{
	struct ctr_it		 it = { b, n, 8, 0 };
	struct ctr_seg		 s;
	const unsigned char	*z;
	size_t			 zlen, got;

	while (!o->over && !o->nomem && ctr_png_next(&it, &s) == CTR_SEG)
		if (strip_png_zdata(b + s.at, s.dlen, &z, &zlen))
			(void)strip_inflate(o, z, zlen, 0, &got);
}

/* One PNG chunk of dlen data bytes, copied or changed into o. */
static enum strip_status
strip_png_one(struct strip_out *o, const unsigned char *c, size_t dlen)
{
	unsigned char		*x;
	size_t			 xlen;
	enum strip_status	 st;

	if (memcmp(c + 4, "tEXt", 4) == 0 || memcmp(c + 4, "zTXt", 4) == 0 ||
	    memcmp(c + 4, "iTXt", 4) == 0) {
		strip_png_text(o, c, dlen);
		return STRIP_DONE;
	}
	/*
	 * zxIf, and eXIf whose first byte 0 says compressed: a form
	 * proposed once and read by exiftool alone, dropped here.
	 */
	if (memcmp(c + 4, "zxIf", 4) == 0 ||
	    (memcmp(c + 4, "eXIf", 4) == 0 && dlen > 0 && c[8] == 0))
		return STRIP_DONE;
	if (memcmp(c + 4, "eXIf", 4) != 0 ||
	    (st = strip_exif(c + 8, dlen, &x, &xlen)) == STRIP_UNCHANGED) {
		strip_put(o, c, dlen + 12);
		return STRIP_DONE;
	}
	if (st != STRIP_DONE)
		return st;
	strip_png_chunk(o, "eXIf", x, xlen, NULL, 0);
	free(x);
	return STRIP_DONE;
}

/*
 * The chunks, copied or changed.  What they inflate to is counted first,
 * so a PNG over the budget is refused before any packet is inflated,
 * searched or compressed again.
 */
enum strip_status
strip_png(const unsigned char *b, size_t n, struct strip_out *o)
{
	struct ctr_it		 it = { b, n, 8, 0 };
	struct ctr_seg		 s;
	size_t			 budget = o->budget;
	enum strip_status	 st;

	strip_png_count(o, b, n);
	if (o->over)
		return STRIP_TOO_BIG;
	if (o->nomem)
		return STRIP_NOMEM;
	/* The walk inflates some of what was counted: a second guard. */
	o->budget = budget;
	strip_put(o, b, 8);
	/* exiftool reads chunks after IEND as a trailer: so does this. */
	while (ctr_png_next(&it, &s) == CTR_SEG)
		if ((st = strip_png_one(o, b + s.at, s.dlen)) != STRIP_DONE)
			return st;
	strip_put(o, b + it.off, n - it.off);
	return STRIP_DONE;
}


/* 1 when buf starts with the PNG signature. */
int
strip_is_png(const unsigned char *buf, size_t len)
{
	return len >= 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0;
}
