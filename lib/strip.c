/*
 * Location metadata out of originals.  The containers are walked by hand
 * (their framing is a few lines each) and copied segment by segment; only
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
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libexif/exif-data.h>
#include <md5.h>
#include <zlib.h>

#include "ctr.h"
#include "strip.h"

/* A JPEG segment's payload: 65535 less the two length bytes. */
#define STRIP_JPEG_SEG_MAX	65533
#define STRIP_XMP_JPEG		"http://ns.adobe.com/xap/1.0/"	/* and NUL */
#define STRIP_XMP_JPEG_EXT	"http://ns.adobe.com/xmp/extension/"
#define STRIP_XMP_PNG		"XML:com.adobe.xmp"		/* and NUL */
#define STRIP_IRB		"Photoshop 3.0"			/* and NUL */
#define STRIP_IRB_IPTC		0x0404	/* Photoshop resource: IPTC-IIM */
#define STRIP_IRB_DIGEST	0x0425	/* Photoshop resource: its MD5 */
#define STRIP_IRB_EXIF		0x0422	/* Photoshop resource: EXIF */
#define STRIP_IRB_XMP		0x0424	/* Photoshop resource: XMP */

/* The output, grown as segments are appended, and the call's budget. */
struct strip_out {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;
	int		 nomem;		/* an append failed; p is incomplete */
	size_t		 budget;	/* what inflating may still yield */
	int		 over;		/* the budget ran out */
	z_stream	 z;		/* one inflater, reset for each chunk */
	int		 zinit;		/* z is initialised */
};

/*
 * XMP properties that say where a photo was taken, under the namespaces'
 * conventional prefixes (strip_ns maps other prefixes a packet binds to
 * them).  With prefix set, any property whose name starts so
 * ("exif:GPSLatitude").
 */
static const struct {
	const char	*name;
	int		 prefix;
} strip_props[] = {
	{ "exif:GPS", 1 },
	{ "exifEX:GPS", 1 },
	{ "drone-dji:Gps", 1 },
	/* Not XMP, but ImageMagick names PNG text chunks so. */
	{ "xmp:GPS", 1 },
	{ "photoshop:City", 0 },
	{ "photoshop:State", 0 },
	{ "photoshop:Country", 0 },
	{ "Iptc4xmpCore:Location", 0 },
	{ "Iptc4xmpCore:CountryCode", 0 },
	{ "Iptc4xmpExt:LocationShown", 0 },
	{ "Iptc4xmpExt:LocationCreated", 0 },
};

/* The namespaces of strip_props, and their conventional prefixes. */
static const struct {
	const char	*uri;
	const char	*prefix;
} strip_ns[] = {
	{ "http://ns.adobe.com/exif/1.0/", "exif" },
	{ "http://cipa.jp/exif/1.0/", "exifEX" },
	{ "http://www.dji.com/drone-dji/1.0/", "drone-dji" },
	{ "http://ns.adobe.com/photoshop/1.0/", "photoshop" },
	{ "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/", "Iptc4xmpCore" },
	{ "http://iptc.org/std/Iptc4xmpExt/2008-02-29/", "Iptc4xmpExt" },
};

/* Other prefixes one packet binds to the namespaces of strip_ns. */
#define STRIP_ALIAS_MAX	16
#define STRIP_ALIAS_LEN	32
struct strip_alias {
	char		 name[STRIP_ALIAS_MAX][STRIP_ALIAS_LEN];
	const char	*conv[STRIP_ALIAS_MAX];	/* the conventional one */
	size_t		 n;
};

static void
strip_put(struct strip_out *o, const void *p, size_t n)
{
	unsigned char	*np;
	size_t		 cap;

	if (o->nomem || n == 0)
		return;
	if (n > SIZE_MAX / 2 - o->len) {
		o->nomem = 1;
		return;
	}
	if (o->len + n > o->cap) {
		cap = (o->len + n) + (o->len + n) / 2 + 256;
		if ((np = realloc(o->p, cap)) == NULL) {
			o->nomem = 1;
			return;
		}
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

/* ---- XMP ---- */

static int
strip_namechar(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
}

/*
 * The length of the location property name at p, or 0.  conv, when not
 * NULL, is the conventional prefix that the alias at p, of alen bytes
 * and its ':', stands for.
 */
static size_t
strip_prop_match(const unsigned char *p, size_t n, const char *conv,
    size_t alen)
{
	const char	*name;
	size_t		 i, l, skip = 0;

	for (i = 0; i < sizeof(strip_props) / sizeof(strip_props[0]); i++) {
		name = strip_props[i].name;
		if (conv != NULL) {
			/* Compare the local names after the prefixes. */
			skip = strlen(conv);
			if (strncmp(name, conv, skip) != 0 || name[skip] != ':')
				continue;
			name += skip + 1;
			skip = alen + 1;
		}
		l = strlen(name);
		if (l > n - skip || memcmp(p + skip, name, l) != 0)
			continue;
		l += skip;
		if (strip_props[i].prefix)
			while (l < n && strip_namechar(p[l]))
				l++;
		else if (l < n && strip_namechar(p[l]))
			continue;
		return l;
	}
	return 0;
}

static size_t
strip_prop_at(const unsigned char *p, size_t n)
{
	return strip_prop_match(p, n, NULL, 0);
}

/* As strip_prop_at(), and under the aliases of a. */
static size_t
strip_prop_alias_at(const unsigned char *p, size_t n,
    const struct strip_alias *a)
{
	size_t	 i, l, r;

	if ((r = strip_prop_at(p, n)) != 0)
		return r;
	for (i = 0; i < a->n; i++) {
		l = strlen(a->name[i]);
		if (l + 1 < n && memcmp(p, a->name[i], l) == 0 && p[l] == ':' &&
		    (r = strip_prop_match(p, n, a->conv[i], l)) != 0)
			return r;
	}
	return 0;
}

/* Notes the binding "xmlns:PFX='URI'" at p when URI is in strip_ns. */
static void
strip_alias_add(const unsigned char *p, size_t n, struct strip_alias *a)
{
	const unsigned char	*q;
	size_t			 l, j, k;

	for (l = 0; l < n && strip_namechar(p[l]) && p[l] != ':'; l++)
		continue;
	if (l == 0 || l >= STRIP_ALIAS_LEN || a->n == STRIP_ALIAS_MAX)
		return;
	for (j = l; j < n && isspace(p[j]); j++)
		continue;
	if (j >= n || p[j++] != '=')
		return;
	while (j < n && isspace(p[j]))
		j++;
	if (j >= n || (p[j] != '"' && p[j] != '\'') ||
	    (q = memchr(p + j + 1, p[j], n - j - 1)) == NULL)
		return;
	for (k = 0; k < sizeof(strip_ns) / sizeof(strip_ns[0]); k++) {
		if ((size_t)(q - p - j - 1) != strlen(strip_ns[k].uri) ||
		    memcmp(p + j + 1, strip_ns[k].uri, q - p - j - 1) != 0 ||
		    (strlen(strip_ns[k].prefix) == l &&
		    memcmp(p, strip_ns[k].prefix, l) == 0))
			continue;
		memcpy(a->name[a->n], p, l);
		a->name[a->n][l] = '\0';
		a->conv[a->n++] = strip_ns[k].prefix;
		return;
	}
}

/* Finds the prefixes the packet binds to location namespaces. */
static void
strip_alias_find(const unsigned char *p, size_t n, struct strip_alias *a)
{
	const unsigned char	*x = p, *end = p + n;

	a->n = 0;
	while ((x = memmem(x, end - x, "xmlns:", 6)) != NULL) {
		x += 6;
		strip_alias_add(x, end - x, a);
	}
}

/* The index just past the '>' ending the tag that starts at i, or n. */
static size_t
strip_tag_end(const unsigned char *p, size_t n, size_t i)
{
	unsigned char	 q = 0;

	for (; i < n; i++) {
		if (q != 0) {
			if (p[i] == q)
				q = 0;
		} else if (p[i] == '"' || p[i] == '\'')
			q = p[i];
		else if (p[i] == '>')
			return i + 1;
	}
	return n;
}

/* The index just past "</name>" at or after i, or n when there is none. */
static size_t
strip_close_end(const unsigned char *p, size_t n, size_t i,
    const unsigned char *name, size_t nl)
{
	size_t	 j;

	for (; i + 2 + nl <= n; i++) {
		if (p[i] != '<' || p[i + 1] != '/' ||
		    memcmp(p + i + 2, name, nl) != 0)
			continue;
		j = i + 2 + nl;
		while (j < n && isspace(p[j]))
			j++;
		if (j < n && p[j] == '>')
			return j + 1;
	}
	return n;
}

/*
 * An element <name ...>...</name> starting at i (p[i] is '<'): the index
 * past its end, or n when it never ends (then all the rest goes).
 */
static size_t
strip_element_end(const unsigned char *p, size_t n, size_t i, size_t nl)
{
	size_t	 end = strip_tag_end(p, n, i + 1 + nl);

	if (end >= 2 && p[end - 2] == '/' && p[end - 1] == '>')
		return end;
	return strip_close_end(p, n, end, p + i + 1, nl);
}

/*
 * An attribute name="value" whose name starts at i: the index past the
 * closing quote, or 0 when what follows the name is no attribute value.
 */
static size_t
strip_attr_end(const unsigned char *p, size_t n, size_t i, size_t nl)
{
	const unsigned char	*q;
	size_t			 j = i + nl;

	while (j < n && isspace(p[j]))
		j++;
	if (j >= n || p[j] != '=')
		return 0;
	j++;
	while (j < n && isspace(p[j]))
		j++;
	if (j >= n || (p[j] != '"' && p[j] != '\''))
		return 0;
	q = memchr(p + j + 1, p[j], n - j - 1);
	return q == NULL ? n : (size_t)(q - p) + 1;
}

size_t
strip_xmp(unsigned char *p, size_t n)
{
	struct strip_alias	 a;
	size_t			 i, nl, end, count = 0;

	strip_alias_find(p, n, &a);
	for (i = 1; i < n; i++) {
		/* A name starts after '<' or a space, with a letter. */
		if ((p[i - 1] != '<' && !isspace(p[i - 1])) ||
		    !isalpha(p[i]) ||
		    (nl = strip_prop_alias_at(p + i, n - i, &a)) == 0)
			continue;
		if (p[i - 1] == '<')
			end = strip_element_end(p, n, --i, nl);
		else if (isspace(p[i - 1]))
			end = strip_attr_end(p, n, i, nl);
		else
			continue;
		if (end == 0)
			continue;
		memset(p + i, ' ', end - i);
		count++;
		/*
		 * On at end itself, which follows a space now: a property
		 * right after the quote that closed this one ("'1'exif:")
		 * is found in this pass, not only in the next one.
		 */
		i = end - 1;
	}
	return count;
}

/*
 * Appends the n bytes at p, then blanks the location in the copy's bytes
 * from skip on (the XMP after its header).
 */
static void
strip_put_xmp(struct strip_out *o, const unsigned char *p, size_t n,
    size_t skip)
{
	size_t	 at = o->len;

	strip_put(o, p, n);
	if (!o->nomem && skip < n)
		strip_xmp(o->p + at + skip, n - skip);
}

/* ---- EXIF ---- */

/*
 * 1 when p starts with the "Exif\0\0" header.  exiftool takes any sixth
 * byte, so this does too.
 */
static int
strip_exif_hdr(const unsigned char *p, size_t n)
{
	return n >= 6 && memcmp(p, "Exif\0", 5) == 0;
}

int
strip_exif_has_gps(const unsigned char *p, size_t n)
{
	uint32_t	 ifd0, sub, v;
	int		 be;

	if (strip_exif_hdr(p, n)) {
		p += 6;
		n -= 6;
	}
	if (!ctr_tiff_hdr(p, n, &be, &ifd0))
		return 0;
	/* Where readers look: IFD0, and the Exif IFD and IFD1 besides. */
	if (ctr_ifd_find(p, n, be, ifd0, EXIF_TAG_GPS_INFO_IFD_POINTER, &v))
		return 1;
	if (ctr_ifd_find(p, n, be, ifd0, EXIF_TAG_EXIF_IFD_POINTER, &sub) &&
	    ctr_ifd_find(p, n, be, sub, EXIF_TAG_GPS_INFO_IFD_POINTER, &v))
		return 1;
	sub = ctr_ifd_next(p, n, be, ifd0);
	return sub != 0 &&
	    ctr_ifd_find(p, n, be, sub, EXIF_TAG_GPS_INFO_IFD_POINTER, &v);
}

/* Loads and saves EXIF with libexif, the GPS IFD emptied; NULL on ENOMEM. */
static unsigned char *
strip_exif_save(const unsigned char *in, size_t n, unsigned int *slen)
{
	ExifData	*d;
	ExifContent	*gps;
	unsigned char	*s = NULL;

	if ((d = exif_data_new()) == NULL)
		return NULL;
	/* Load and save everything as it is, no "fixing" to the spec. */
	exif_data_unset_option(d, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
	exif_data_unset_option(d, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_set_option(d, EXIF_DATA_OPTION_DONT_CHANGE_MAKER_NOTE);
	exif_data_load_data(d, in, n);
	gps = d->ifd[EXIF_IFD_GPS];
	while (gps->count > 0)
		exif_content_remove_entry(gps, gps->entries[0]);
	/* An empty GPS IFD is not written, nor the pointer to it. */
	exif_data_save_data(d, &s, slen);
	exif_data_unref(d);
	return s;
}

/*
 * Rewrites an EXIF block (TIFF, with or without "Exif\0\0" before it)
 * without its GPS IFD.  STRIP_UNCHANGED when it has none; STRIP_DONE with
 * a malloc'd block in the same form in *out.
 */
static enum strip_status
strip_exif(const unsigned char *p, size_t n, unsigned char **out,
    size_t *outlen)
{
	unsigned char	*in, *s;
	unsigned int	 slen = 0;
	size_t		 hdr;

	*out = NULL;
	if (!strip_exif_has_gps(p, n))
		return STRIP_UNCHANGED;
	if (n > UINT_MAX - 6)
		return STRIP_BAD;
	/* libexif wants the header; PNG and WebP usually leave it out. */
	hdr = strip_exif_hdr(p, n) ? 0 : 6;
	if ((in = malloc(n + hdr)) == NULL)
		return STRIP_NOMEM;
	memcpy(in, "Exif\0\0", hdr);
	memcpy(in + hdr, p, n);
	in[5] = '\0';
	s = strip_exif_save(in, n + hdr, &slen);
	free(in);
	if (s == NULL || slen < 6)
		goto nomem;
	memmove(s, s + hdr, slen - hdr);
	*outlen = slen - hdr;
	/* What libexif could not read is gone; check all of it went. */
	if (strip_exif_has_gps(s, *outlen)) {
		free(s);
		return STRIP_BAD;
	}
	*out = s;
	return STRIP_DONE;
nomem:
	free(s);
	return STRIP_NOMEM;
}

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
static long
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
static int
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
	struct strip_ext	 ext;
	size_t			 i = 2, m, seg;
	enum strip_status	 st;

	ext.n = 0;
	strip_put(o, b, 2);
	while (i < n) {
		/*
		 * Junk where a marker should be: decoders skip to the next
		 * 0xff, and exiftool reads the segments after it, so the
		 * walk goes on there too.
		 */
		if (b[i] != 0xff) {
			for (m = i; m < n && b[m] != 0xff; m++)
				continue;
			strip_put(o, b + i, m - i);
			i = m;
			continue;
		}
		/* Fill bytes before a marker are kept, to stay byte-exact. */
		for (m = i; m < n && b[m] == 0xff; m++)
			continue;
		if (m >= n || b[m] == 0xda || b[m] == 0xd9)
			break;
		/* Standalone markers, and 0xff 0x00, which is no marker. */
		if (b[m] == 0x00 || b[m] == 0x01 ||
		    (b[m] >= 0xd0 && b[m] <= 0xd7)) {
			strip_put(o, b + i, m + 1 - i);
			i = m + 1;
			continue;
		}
		if (n - m < 3)
			break;
		seg = (size_t)b[m + 1] << 8 | b[m + 2];
		if (seg < 2 || seg > n - m - 1)
			break;
		strip_put(o, b + i, m - 1 - i);
		if (b[m] == 0xe1) {
			if ((st = strip_jpeg_app1(o, b + m - 1, seg + 2,
			    &ext)) != STRIP_DONE)
				return st;
		} else if (b[m] == 0xed) {
			if ((st = strip_jpeg_app13(o, b + m - 1, seg + 2)) !=
			    STRIP_DONE)
				return st;
		} else
			strip_put(o, b + m - 1, seg + 2);
		i = m + 1 + seg;
	}
	strip_put(o, b + i, n - i);
	strip_jpeg_ext(o, &ext);
	return STRIP_DONE;
}

/* ---- PNG ---- */

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
	o->z.next_in = (unsigned char *)p;
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
	z.next_in = (unsigned char *)p;
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
	if (blen >= 4 && memcmp(b, "8BIM", 4) == 0) {
		memset(&irb, 0, sizeof(irb));
		if ((changed = strip_irb(&irb, b, blen)) && !irb.nomem) {
			free(b);
			b = irb.p;
			blen = irb.len;
		} else {
			changed = 0;
			free(irb.p);
		}
	} else if (blen > 0 && b[0] == 0x1c) {
		/* Bare IPTC-IIM, as ImageMagick's "iptc" profile. */
		memset(&irb, 0, sizeof(irb));
		if ((changed = strip_iim(&irb, b, blen) > 0) && !irb.nomem) {
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
static void
strip_png_count(struct strip_out *o, const unsigned char *b, size_t n)
{
	const unsigned char	*z;
	size_t			 i = 8, dlen, zlen, got;

	while (n - i >= 12 && !o->over && !o->nomem) {
		dlen = ctr_rd32(b + i, 1);
		if (dlen > n - i - 12)
			break;
		if (strip_png_zdata(b + i, dlen, &z, &zlen))
			(void)strip_inflate(o, z, zlen, 0, &got);
		i += dlen + 12;
	}
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
static enum strip_status
strip_png(const unsigned char *b, size_t n, struct strip_out *o)
{
	size_t			 i = 8, dlen, budget = o->budget;
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
	while (n - i >= 12) {
		dlen = ctr_rd32(b + i, 1);
		if (dlen > n - i - 12)
			break;
		if ((st = strip_png_one(o, b + i, dlen)) != STRIP_DONE)
			return st;
		i += dlen + 12;
	}
	strip_put(o, b + i, n - i);
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
	size_t			 i = 12, csz, total, before;
	size_t			 riffend = (size_t)ctr_rd32(b + 4, 0) + 8;
	int64_t			 nriff, delta = 0;
	enum strip_status	 st;

	strip_put(o, b, 12);
	/* exiftool reads chunks past the RIFF size too: so does this. */
	while (n - i >= 8) {
		csz = ctr_rd32(b + i + 4, 0);
		if (csz > n - i - 8)
			break;
		total = 8 + csz + (csz & 1);
		if (total > n - i)
			total = n - i;
		before = o->len;
		if ((st = strip_webp_chunk(o, b + i, csz, total)) !=
		    STRIP_DONE)
			return st;
		if (i < riffend)
			delta += (int64_t)(o->len - before) - (int64_t)total;
		i += total;
	}
	strip_put(o, b + i, n - i);
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

static int
strip_is_png(const unsigned char *buf, size_t len)
{
	return len >= 8 && memcmp(buf, "\x89PNG\r\n\x1a\n", 8) == 0;
}

/* An empty output and its budget. */
static void
strip_out_init(struct strip_out *o, size_t budget)
{
	memset(o, 0, sizeof(*o));
	/* So that the budget and one more byte is a size. */
	o->budget = budget > SIZE_MAX / 2 ? SIZE_MAX / 2 : budget;
}

static void
strip_out_done(struct strip_out *o)
{
	if (o->zinit)
		inflateEnd(&o->z);
	o->zinit = 0;
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
