/*
 * img: sniffing and names; the ImageMagick policy img_init() applies (it
 * must bite, shown against a control process without it); and img_probe()
 * on real images made by convert(1) at test time, on crafted headers over
 * the limits, on bare headers, truncations and impostors.  Each probe's
 * time is printed as a TAP comment; nothing asserts on it.
 */
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wand/MagickWand.h>

#include "conf.h"
#include "img.h"
#include "scratch.h"
#include "tap.h"

static const char mvg[] =
	"push graphic-context\n"
	"viewbox 0 0 640 480\n"
	"fill 'url(https://example.com/x.jpg)'\n"
	"pop graphic-context\n";
/* A harmless MVG that any unrestricted ImageMagick draws. */
static const char mvg_plain[] =
	"push graphic-context\nviewbox 0 0 4 4\nfill red\n"
	"rectangle 0 0 3 3\npop graphic-context\n";
static const char svg[] =
	"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"4\" height=\"4\">"
	"<rect width=\"4\" height=\"4\" fill=\"red\"/></svg>";

/* A big-endian TIFF with one IFD entry: Orientation (0x112) = 6. */
static const uint8_t exif_tiff[26] = {
	'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1,
	0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0,
	0, 0, 0, 0,
};

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* alen bytes of a, then blen of b, in a new buffer. */
static struct buf
cat(const void *a, size_t alen, const void *b, size_t blen)
{
	struct buf	 r;

	r.len = alen + blen;
	if ((r.p = malloc(r.len + 1)) == NULL)
		err(1, NULL);
	memcpy(r.p, a, alen);
	if (blen > 0)
		memcpy(r.p + alen, b, blen);
	return r;
}

static uint8_t *
be32(uint8_t *q, uint32_t v)
{
	q[0] = v >> 24;
	q[1] = v >> 16;
	q[2] = v >> 8;
	q[3] = v;
	return q + 4;
}

static uint8_t *
le32(uint8_t *q, uint32_t v)
{
	q[0] = v;
	q[1] = v >> 8;
	q[2] = v >> 16;
	q[3] = v >> 24;
	return q + 4;
}

/* zlib's CRC-32, bit by bit: the test has no zlib of its own. */
static uint32_t
crc32_png(const uint8_t *p, size_t n)
{
	uint32_t	 c = 0xffffffff;
	int		 k;

	while (n-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320 ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

/* Appends one PNG chunk at q: length, type, data, CRC. */
static uint8_t *
png_chunk(uint8_t *q, const char *type, const uint8_t *d, uint32_t n)
{
	uint8_t	*t;

	q = be32(q, n);
	t = q;
	memcpy(q, type, 4);
	if (n > 0)
		memcpy(q + 4, d, n);
	q += 4 + n;
	return be32(q, crc32_png(t, 4 + n));
}

enum png_idat {
	PNG_NO_IDAT,		/* IHDR, then IEND */
	PNG_EMPTY_IDAT,		/* an IDAT of length 0 */
	PNG_FULL_IDAT,		/* zero rows, stored deflate: decodes */
	PNG_TOKEN_IDAT,		/* a few bytes: for headers never decoded */
};

/* An 8-bit RGB PNG of w x h, as idat says, with or without IEND. */
static struct buf
png_make(uint32_t w, uint32_t h, enum png_idat idat, int iend)
{
	struct buf	 b;
	uint8_t		 ihdr[13], *z, *q, *zq;
	size_t		 raw = 0, i, blk;
	uint32_t	 a = 1, s = 0;

	if (idat == PNG_FULL_IDAT)
		raw = (size_t)h * (1 + 3 * (size_t)w);
	if ((z = calloc(1, raw + raw / 65535 * 5 + 64)) == NULL ||
	    (b.p = malloc(raw + raw / 65535 * 5 + 256)) == NULL)
		err(1, NULL);
	zq = z;
	*zq++ = 0x78;
	*zq++ = 0x01;
	if (idat == PNG_FULL_IDAT) {
		/* Stored blocks of zeros, then the Adler-32 of the rows. */
		for (i = 0; i < raw || i == 0; i += blk) {
			blk = raw - i > 65535 ? 65535 : raw - i;
			*zq++ = i + blk == raw;
			*zq++ = blk & 0xff;
			*zq++ = blk >> 8;
			*zq++ = ~blk & 0xff;
			*zq++ = (~blk >> 8) & 0xff;
			zq += blk;
			if (blk == 0)
				break;
		}
		for (i = 0; i < raw; i++)
			s = (s + a) % 65521;
		zq = be32(zq, s << 16 | a);
	} else if (idat == PNG_TOKEN_IDAT)
		zq += 6;
	be32(ihdr, w);
	be32(ihdr + 4, h);
	memcpy(ihdr + 8, "\x08\x02\x00\x00\x00", 5);
	q = b.p;
	memcpy(q, "\x89PNG\r\n\x1a\n", 8);
	q = png_chunk(q + 8, "IHDR", ihdr, 13);
	if (idat == PNG_EMPTY_IDAT)
		q = png_chunk(q, "IDAT", NULL, 0);
	else if (idat != PNG_NO_IDAT)
		q = png_chunk(q, "IDAT", z, (uint32_t)(zq - z));
	if (iend)
		q = png_chunk(q, "IEND", NULL, 0);
	b.len = (size_t)(q - b.p);
	free(z);
	return b;
}

/* The offset of the first JPEG marker m (FF m) in b, or 0. */
static size_t
jpeg_find(const struct buf *b, uint8_t m)
{
	size_t	 i;

	for (i = 2; i + 1 < b->len; i++)
		if (b->p[i] == 0xff && b->p[i + 1] == m)
			return i;
	return 0;
}

/* A copy of a JPEG whose SOF0 claims w x h. */
static struct buf
jpeg_sof(const struct buf *src, uint16_t w, uint16_t h)
{
	struct buf	 b = cat(src->p, src->len, NULL, 0);
	size_t		 sof = jpeg_find(src, 0xc0);

	if (sof == 0)
		errx(1, "no SOF0");
	b.p[sof + 5] = h >> 8;
	b.p[sof + 6] = h & 0xff;
	b.p[sof + 7] = w >> 8;
	b.p[sof + 8] = w & 0xff;
	return b;
}

/* A JPEG with an EXIF APP1 (Orientation 6) right after SOI. */
static struct buf
jpeg_exif(const struct buf *src)
{
	uint8_t		 app1[4 + 6 + sizeof(exif_tiff)];
	struct buf	 b, r;

	memcpy(app1, "\xff\xe1", 2);
	app1[2] = 0;
	app1[3] = 2 + 6 + sizeof(exif_tiff);
	memcpy(app1 + 4, "Exif\0\0", 6);
	memcpy(app1 + 10, exif_tiff, sizeof(exif_tiff));
	b = cat(src->p, 2, app1, sizeof(app1));
	r = cat(b.p, b.len, src->p + 2, src->len - 2);
	free(b.p);
	return r;
}

/*
 * An extended WebP: VP8X (EXIF flag, w x h), the VP8 chunk of a simple
 * lossy WebP of that size, and an EXIF chunk holding exif.
 */
static struct buf
webp_exif(const struct buf *simple, uint32_t w, uint32_t h,
    const uint8_t *exif, uint32_t exiflen)
{
	struct buf	 b;
	uint8_t		*q;
	size_t		 vp8 = simple->len - 12;

	if ((b.p = malloc(64 + vp8 + exiflen)) == NULL)
		err(1, NULL);
	q = b.p;
	memcpy(q, "RIFF", 4);
	q = le32(q + 4, (uint32_t)(4 + 18 + vp8 + 8 + exiflen + (exiflen & 1)));
	memcpy(q, "WEBPVP8X", 8);
	q = le32(q + 8, 10);
	memcpy(q, "\x08\0\0\0", 4);
	q += 4;
	/* The canvas sides less one, 24 bits each. */
	q[0] = (w - 1) & 0xff;
	q[1] = (w - 1) >> 8;
	q[2] = (w - 1) >> 16;
	q[3] = (h - 1) & 0xff;
	q[4] = (h - 1) >> 8;
	q[5] = (h - 1) >> 16;
	q += 6;
	memcpy(q, simple->p + 12, vp8);
	q += vp8;
	memcpy(q, "EXIF", 4);
	q = le32(q + 4, exiflen);
	memcpy(q, exif, exiflen);
	q += exiflen;
	if (exiflen & 1)
		*q++ = 0;
	b.len = (size_t)(q - b.p);
	return b;
}

/* A RIFF/WEBP holding the chunks in body, its size field right. */
static struct buf
webp_riff(const void *body, size_t len)
{
	uint8_t		 h[12];

	memcpy(h, "RIFF", 4);
	le32(h + 4, (uint32_t)(4 + len));
	memcpy(h + 8, "WEBP", 4);
	return cat(h, 12, body, len);
}

/*
 * A GIF of n frames of fw x fh on a sw x sh logical screen, written here
 * (convert(1) takes minutes over a thousand frames).  Each frame's image
 * data is one pixel's: enough for a ping, which never decodes it.
 */
static struct buf
gif_canvas(size_t n, uint16_t sw, uint16_t sh, uint16_t fw, uint16_t fh)
{
	uint8_t		 head[] = "GIF89a\x01\0\x01\0\x80\0\0"
	    "\xff\0\0\0\0\0";
	uint8_t		 frame[] = "\x21\xf9\x04\0\x01\0\0\0"
	    ",\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0";
	struct buf	 b;
	size_t		 i, hl = sizeof(head) - 1, fl = sizeof(frame) - 1;

	head[6] = sw & 0xff, head[7] = sw >> 8;
	head[8] = sh & 0xff, head[9] = sh >> 8;
	frame[13] = fw & 0xff, frame[14] = fw >> 8;
	frame[15] = fh & 0xff, frame[16] = fh >> 8;
	b.len = hl + n * fl + 1;
	if ((b.p = malloc(b.len)) == NULL)
		err(1, NULL);
	memcpy(b.p, head, hl);
	for (i = 0; i < n; i++)
		memcpy(b.p + hl + i * fl, frame, fl);
	b.p[b.len - 1] = ';';
	return b;
}

/* A GIF of n 1x1 frames. */
static struct buf
gif_frames(size_t n)
{
	return gif_canvas(n, 1, 1, 1, 1);
}

static enum img_status
probe(const char *what, const struct buf *b, enum img_type t,
    const struct conf *c, struct img_info *info)
{
	enum img_status	 st;
	double		 t0;

	t0 = now_ms();
	st = img_probe(b->p, b->len, t, c, info);
	printf("# probe %s (%zu bytes): %.2f ms\n", what, b->len,
	    now_ms() - t0);
	return st;
}

static const char *
status_name(enum img_status st)
{
	return st == IMG_OK ? "OK" : st == IMG_BAD ? "BAD" :
	    st == IMG_TOO_BIG ? "TOO_BIG" : "?";
}

/* Probes b as its sniffed type and checks the status. */
static void
expect(const char *what, const struct buf *b, const struct conf *c,
    enum img_status want)
{
	struct img_info	 info;
	enum img_status	 st;

	st = probe(what, b, img_sniff(b->p, b->len), c, &info);
	ok(st == want, "%s: %s (want %s)", what, status_name(st),
	    status_name(want));
}

/* Probes b and checks type, sides and frames. */
static void
expect_ok(const char *what, const struct buf *b, const struct conf *c,
    enum img_type type, long w, long h, long frames)
{
	struct img_info	 info;
	enum img_status	 st;

	st = probe(what, b, img_sniff(b->p, b->len), c, &info);
	ok(st == IMG_OK && info.type == type && info.width == w &&
	    info.height == h && info.frames == frames,
	    "%s: %s, %s %ldx%ld, %ld frames (want %s %ldx%ld, %ld)", what,
	    status_name(st), img_name(info.type), info.width, info.height,
	    info.frames, img_name(type), w, h, frames);
}

/* ImageMagick on its own, in a process that never ran img_init(). */
static int
im_read_blob(const char *forced, const char *data)
{
	MagickWand		*w = NewMagickWand();
	MagickBooleanType	 r;

	if (forced != NULL)
		MagickSetFilename(w, forced);
	r = MagickReadImageBlob(w, data, strlen(data));
	DestroyMagickWand(w);
	return r == MagickTrue;
}

static int
im_read(const char *spec)
{
	MagickWand		*w = NewMagickWand();
	MagickBooleanType	 r;

	r = MagickReadImage(w, spec);
	DestroyMagickWand(w);
	return r == MagickTrue;
}

/* Whether a fresh ImageMagick, without our policy, decodes data. */
static int
control_decodes(const char *forced, const char *data)
{
	pid_t	 pid;
	int	 status;

	fflush(stdout);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		MagickWandGenesis();
		_exit(im_read_blob(forced, data) ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) == -1)
		err(1, "waitpid");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void
test_control(void)
{
	static const struct {
		const char	*forced, *data;
	} c[] = { { "MVG:", mvg_plain }, { "SVG:", svg }, { NULL, svg } };
	size_t	 i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (control_decodes(c[i].forced, c[i].data))
			ok(1, "control: without img_init, ImageMagick "
			    "decodes %s", c[i].forced ? c[i].forced :
			    "SVG by its bytes");
		else
			ok(1, "control: %s # SKIP the system policy "
			    "already refuses it", c[i].forced ? c[i].forced :
			    "SVG by its bytes");
	}
}

static void
test_sniff(void)
{
	static const struct {
		const char	*bytes;
		size_t		 len;
		enum img_type	 want;
	} t[] = {
		{ "\xff\xd8\xff\xe0\0\x10JFIF", 10, IMG_JPEG },
		{ "\xff\xd8\xff", 3, IMG_JPEG },
		{ "\xff\xd8", 2, IMG_NONE },
		{ "\xff\xd8\xfe", 3, IMG_NONE },
		{ "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16, IMG_PNG },
		{ "\x89PNG\r\n\x1a\n", 8, IMG_PNG },
		{ "\x89PNG\r\n\x1a", 7, IMG_NONE },
		{ "\x89PNG\n\r\x1a\n", 8, IMG_NONE },
		{ "GIF87a", 6, IMG_GIF },
		{ "GIF89a\x01\0\x01\0", 10, IMG_GIF },
		{ "GIF88a", 6, IMG_NONE },
		{ "GIF89", 5, IMG_NONE },
		{ "gif89a", 6, IMG_NONE },
		{ "RIFF\x24\0\0\0WEBPVP8 ", 16, IMG_WEBP },
		{ "RIFF\0\0\0\0WEBP", 12, IMG_WEBP },
		{ "RIFF\0\0\0\0WEB", 11, IMG_NONE },
		{ "RIFF\x24\0\0\0WAVEfmt ", 16, IMG_NONE },
		{ "RIFX\x24\0\0\0WEBP", 12, IMG_NONE },
		{ "", 0, IMG_NONE },
		{ "BM\x36\0\0\0", 6, IMG_NONE },
		{ "II*\0\x08\0\0\0", 8, IMG_TIFF },
		{ "MM\0*\0\0\0\x08", 8, IMG_TIFF },
		{ "II+\0\x08\0\0\0", 8, IMG_NONE },
		{ "II*\0\x08", 5, IMG_NONE },
		{ "BM\x36\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0", 18, IMG_BMP },
		{ "BM\x36\0\0\0\0\0\0\0\x1a\0\0\0\x0c\0\0\0", 18, IMG_BMP },
		{ "BM\x36\0\0\0\0\0\0\0\x36\0\0\0\x29\0\0\0", 18, IMG_NONE },
		{ "BM is not a bitmap", 18, IMG_NONE },
		{ "\0\0\0\x18" "ftypheic\0\0\0\0mif1heic", 24, IMG_HEIC },
		{ "\0\0\0\x18" "ftypmif1\0\0\0\0mif1heix", 24, IMG_HEIC },
		{ "\0\0\0\x1c" "ftypavif\0\0\0\0avifmif1miaf", 28, IMG_AVIF },
		{ "\0\0\0\x18" "ftypmif1\0\0\0\0mif1avif", 24, IMG_AVIF },
		{ "\0\0\0\x18" "ftypisom\0\0\0\0isommp41", 24, IMG_NONE },
		{ "\0\0\0\x18" "ftypheic\0\0\0\0mif1", 20, IMG_NONE },
		{ "\0\0\0\x08" "ftypheic\0\0\0\0", 16, IMG_NONE },
		{ "%PDF-1.4\n", 9, IMG_NONE },
		{ "%!PS-Adobe-3.0", 14, IMG_NONE },
		{ "\0\0\0\x0cjP  \r\n\x87\n", 12, IMG_NONE },
		{ mvg, sizeof(mvg) - 1, IMG_NONE },
		{ svg, sizeof(svg) - 1, IMG_NONE },
		{ "<?xml version=\"1.0\"?><image>", 28, IMG_NONE },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ok(img_sniff(t[i].bytes, t[i].len) == t[i].want,
		    "sniff #%zu (%zu bytes) is %s", i, t[i].len,
		    t[i].want ? img_name(t[i].want) : "none");
	ok(img_sniff(NULL, 0) == IMG_NONE, "sniff of nothing is none");
}

static void
test_names(void)
{
	static const struct {
		enum img_type	 t;
		const char	*mime, *ext, *name;
	} n[] = {
		{ IMG_JPEG, "image/jpeg", "jpg", "jpeg" },
		{ IMG_PNG, "image/png", "png", "png" },
		{ IMG_GIF, "image/gif", "gif", "gif" },
		{ IMG_WEBP, "image/webp", "webp", "webp" },
		{ IMG_AVIF, "image/avif", "avif", "avif" },
		{ IMG_HEIC, "image/heic", "heic", "heic" },
		{ IMG_TIFF, "image/tiff", "tif", "tiff" },
		{ IMG_BMP, "image/bmp", "bmp", "bmp" },
	};
	static const char *none[] = { "", "JPG", "Jpeg", "jpe", "TIFF", "heif",
	    "svg", "mvg", "jpeg ", "image/jpeg" };
	size_t	 i;

	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		ok(strcmp(img_mime(n[i].t), n[i].mime) == 0 &&
		    strcmp(img_ext(n[i].t), n[i].ext) == 0 &&
		    strcmp(img_name(n[i].t), n[i].name) == 0,
		    "%s: %s, .%s", n[i].name, n[i].mime, n[i].ext);
		ok(img_type_of(n[i].name) == n[i].t &&
		    img_type_of(n[i].ext) == n[i].t,
		    "img_type_of(\"%s\") and (\"%s\")", n[i].name, n[i].ext);
	}
	ok(img_mime(IMG_NONE) == NULL && img_ext(IMG_NONE) == NULL &&
	    img_name(IMG_NONE) == NULL && img_name(99) == NULL,
	    "no names for IMG_NONE or out of range");
	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		ok(img_type_of(none[i]) == IMG_NONE, "img_type_of(\"%s\") "
		    "is none", none[i]);
	ok(img_type_of(NULL) == IMG_NONE, "img_type_of(NULL) is none");
}

/* The policy in effect, as ImageMagick lists it; diagnostics too. */
static int
policy_listed(void)
{
	ExceptionInfo	*e = AcquireExceptionInfo();
	char		*text = NULL, *ours, *line, *save = NULL;
	size_t		 len = 0;
	FILE		*f;
	int		 found;

	if ((f = open_memstream(&text, &len)) == NULL)
		err(1, "open_memstream");
	ListPolicyInfo(f, e);
	fclose(f);
	DestroyExceptionInfo(e);
	ours = strstr(text, "Path: [user-policy]");
	found = ours != NULL && strstr(ours, "pattern: @*") != NULL &&
	    strstr(ours, "pattern: {JPEG,JPG,PNG,GIF,WEBP}") != NULL;
	for (line = ours ? strtok_r(ours, "\n", &save) : NULL; line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	free(text);
	return found;
}

static void
test_policy(void)
{
	static const struct {
		const char	*forced, *data, *what;
	} blobs[] = {
		{ "MVG:", mvg, "MVG with a url() fill" },
		{ "MVG:", mvg_plain, "plain MVG" },
		{ "SVG:", svg, "SVG" },
		{ NULL, svg, "SVG found by its bytes" },
		{ "MSL:", "<?xml version=\"1.0\"?><image><read "
		    "filename=\"xc:red\"/></image>", "MSL" },
		{ "TEXT:", "hello", "TEXT" },
	};
	static const char *types[] = { "JPEG", "PNG", "GIF", "WEBP" };
	char		 spec[512], msl[512];
	size_t		 i, n;
	MagickWand	*w;
	unsigned char	*out;

	printf("# policy: MagickSetSecurityPolicy() with an XML policymap, "
	    "checked by IsRightsAuthorized(); limits: "
	    "MagickSetResourceLimit()\n");
	for (i = 0; i < sizeof(blobs) / sizeof(blobs[0]); i++)
		ok(!im_read_blob(blobs[i].forced, blobs[i].data),
		    "policy refuses a %s blob", blobs[i].what);
	scratch_sh("convert -size 4x4 xc:red red.png && cp red.png eph.png && "
	    "echo %s/red.png > list.txt", scratch_dir());
	ok(im_read(scratch_path("red.png")), "a PNG read by its path still works");
	snprintf(spec, sizeof(spec), "@%s", scratch_path("list.txt"));
	ok(!im_read(spec), "policy refuses \"@file\" (a list naming a PNG)");
	ok(!im_read("@/etc/passwd"), "policy refuses @/etc/passwd");
	ok(!im_read("text:/etc/passwd"), "policy refuses text:/etc/passwd");
	snprintf(spec, sizeof(spec), "ephemeral:%s", scratch_path("eph.png"));
	ok(!im_read(spec) && access(scratch_path("eph.png"), F_OK) == 0,
	    "policy refuses ephemeral: (and the file stays)");
	snprintf(msl, sizeof(msl), "<?xml version=\"1.0\"?><image><read "
	    "filename=\"%s/red.png\"/><write filename=\"%s/msl.png\"/>"
	    "</image>", scratch_dir(), scratch_dir());
	scratch_write("x.msl", msl, strlen(msl));
	snprintf(spec, sizeof(spec), "msl:%s", scratch_path("x.msl"));
	ok(!im_read(spec) && access(scratch_path("msl.png"), F_OK) == -1,
	    "policy refuses msl: (and nothing is written)");
	snprintf(spec, sizeof(spec), "|touch %s", scratch_path("piped"));
	ok(!im_read(spec) && access(scratch_path("piped"), F_OK) == -1,
	    "policy refuses a |command");
	ok(policy_listed(), "our rules are listed as [user-policy]");

	/* The resizer writes the four formats: the policy must allow it. */
	w = NewMagickWand();
	if (!MagickReadImage(w, scratch_path("red.png")))
		errx(1, "red.png");
	for (i = 0; i < 4; i++) {
		out = NULL;
		n = 0;
		if (MagickSetImageFormat(w, types[i]))
			out = MagickGetImageBlob(w, &n);
		ok(out != NULL && img_sniff(out, n) == (enum img_type)(i + 1),
		    "policy lets ImageMagick write %s", types[i]);
		MagickRelinquishMemory(out);
	}
	DestroyMagickWand(w);

	printf("# limits: thread %llu, memory %llu, map %llu, disk %llu, "
	    "width %llu, height %llu, area %llu, list-length %llu\n",
	    (unsigned long long)MagickGetResourceLimit(ThreadResource),
	    (unsigned long long)MagickGetResourceLimit(MemoryResource),
	    (unsigned long long)MagickGetResourceLimit(MapResource),
	    (unsigned long long)MagickGetResourceLimit(DiskResource),
	    (unsigned long long)MagickGetResourceLimit(WidthResource),
	    (unsigned long long)MagickGetResourceLimit(HeightResource),
	    (unsigned long long)MagickGetResourceLimit(AreaResource),
	    (unsigned long long)MagickGetResourceLimit(ListLengthResource));
	ok(MagickGetResourceLimit(ThreadResource) == 1, "one thread");
	ok(MagickGetResourceLimit(ListLengthResource) == 1001,
	    "list-length is max_frames + 1 (it refuses at the limit)");
	ok(MagickGetResourceLimit(WidthResource) <= 16384 &&
	    MagickGetResourceLimit(HeightResource) <= 16384,
	    "width and height at most max_side");
	ok(MagickGetResourceLimit(TimeResource) == MagickResourceInfinity,
	    "no time limit (over it ImageMagick 6 calls _exit)");
}

/* Images convert(1) makes, and what img_probe() must say of them. */
static const struct made {
	const char	*file;
	const char	*args;
	enum img_type	 type;
	long		 width, height, frames;
} made[] = {
	{ "plasma.jpg", "-size 64x48 plasma:", IMG_JPEG, 64, 48, 1 },
	{ "cmyk.jpg", "-size 64x48 plasma: -colorspace CMYK", IMG_JPEG,
	    64, 48, 1 },
	{ "progressive.jpg", "-size 64x48 plasma: -interlace Plane",
	    IMG_JPEG, 64, 48, 1 },
	{ "gray.jpg", "-size 64x48 gradient: -colorspace Gray", IMG_JPEG,
	    64, 48, 1 },
	{ "photo.jpg", "-size 1000x750 plasma: -quality 85", IMG_JPEG,
	    1000, 750, 1 },
	{ "12mp.jpg", "-size 4000x3000 gradient: -quality 85", IMG_JPEG,
	    4000, 3000, 1 },
	{ "gradient.png", "-size 64x48 gradient:", IMG_PNG, 64, 48, 1 },
	{ "alpha.png", "-size 64x48 xc:none", IMG_PNG, 64, 48, 1 },
	{ "palette.png", "-size 64x48 plasma: -colors 16", IMG_PNG, 64, 48, 1 },
	{ "adam7.png", "-size 64x48 plasma: -interlace PNG", IMG_PNG,
	    64, 48, 1 },
	{ "12mp.png", "-size 4000x3000 gradient: -depth 8", IMG_PNG,
	    4000, 3000, 1 },
	{ "side100.png", "-size 100x50 xc:red", IMG_PNG, 100, 50, 1 },
	{ "side101.png", "-size 101x50 xc:red", IMG_PNG, 101, 50, 1 },
	{ "pixels5100.png", "-size 100x51 xc:red", IMG_PNG, 100, 51, 1 },
	{ "still.gif", "-size 20x10 xc:red", IMG_GIF, 20, 10, 1 },
	{ "anim.gif", "-delay 10 -size 32x32 xc:red xc:blue xc:green",
	    IMG_GIF, 32, 32, 3 },
	{ "screen.gif", "-size 10x10 xc:red -repage 40x30+5+5", IMG_GIF,
	    40, 30, 1 },
	{ "six.gif", "-delay 10 -size 8x8 xc:red xc:blue xc:red xc:blue "
	    "xc:red xc:blue", IMG_GIF, 8, 8, 6 },
	{ "lossy.webp", "-size 64x48 plasma:", IMG_WEBP, 64, 48, 1 },
	{ "lossless.webp", "-size 40x30 plasma: -define webp:lossless=true",
	    IMG_WEBP, 40, 30, 1 },
	{ "alpha.webp", "-size 40x30 xc:none -fill red -draw "
	    "'rectangle 0 0 9 9'", IMG_WEBP, 40, 30, 1 },
	{ "anim.webp", "-delay 10 -size 32x32 xc:red xc:blue -loop 0",
	    IMG_WEBP, 32, 32, 2 },
	{ "six.webp", "-delay 10 -size 8x8 xc:red xc:blue xc:red xc:blue "
	    "xc:red xc:blue -loop 0", IMG_WEBP, 8, 8, 6 },
	{ "6mp.webp", "-size 3000x2000 gradient:", IMG_WEBP, 3000, 2000, 1 },
};

/* What identify(1), outside our policy, says of a file's orientation. */
static int
identify_says(const char *file, const char *want)
{
	char	 cmd[512], got[64] = "";
	FILE	*p;

	snprintf(cmd, sizeof(cmd), "identify -format '%%[orientation]' %s",
	    scratch_path(file));
	if ((p = popen(cmd, "r")) == NULL)
		err(1, "popen");
	if (fgets(got, sizeof(got), p) == NULL)
		*got = '\0';
	pclose(p);
	printf("# identify %s: %s\n", file, got);
	return strcmp(got, want) == 0;
}

static void
test_made(const struct conf *c)
{
	struct buf	 b, plain, x;
	size_t		 i;
	uint8_t		 prefixed[6 + sizeof(exif_tiff)];

	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		scratch_sh("convert %s %s", made[i].args, made[i].file);
	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		if (strncmp(made[i].file, "side", 4) == 0 ||
		    strncmp(made[i].file, "pixels", 6) == 0)
			continue;
		b = scratch_read(made[i].file);
		ok(img_sniff(b.p, b.len) == made[i].type, "%s sniffs as %s",
		    made[i].file, img_name(made[i].type));
		expect_ok(made[i].file, &b, c, made[i].type, made[i].width,
		    made[i].height, made[i].frames);
		free(b.p);
	}

	/* EXIF orientation 6 (RightTop): displayed turned a quarter. */
	plain = scratch_read("plasma.jpg");
	x = jpeg_exif(&plain);
	scratch_write("exif6.jpg", x.p, x.len);
	ok(identify_says("exif6.jpg", "RightTop"), "identify: exif6.jpg "
	    "is RightTop");
	expect_ok("exif6.jpg", &x, c, IMG_JPEG, 48, 64, 1);
	free(x.p);
	free(plain.p);

	/*
	 * WebP: ImageMagick reads the orientation only from an EXIF chunk
	 * that starts "Exif\0\0", so convert's own (a bare TIFF, as the WebP
	 * specification has it) leaves the picture upright.  Probe agrees
	 * with identify either way.
	 */
	scratch_sh("convert exif6.jpg exif6.webp");
	ok(identify_says("exif6.webp", "Undefined"), "identify: exif6.webp "
	    "has no orientation");
	x = scratch_read("exif6.webp");
	expect_ok("exif6.webp (bare TIFF EXIF)", &x, c, IMG_WEBP, 64, 48, 1);
	free(x.p);
	plain = scratch_read("lossy.webp");
	memcpy(prefixed, "Exif\0\0", 6);
	memcpy(prefixed + 6, exif_tiff, sizeof(exif_tiff));
	x = webp_exif(&plain, 64, 48, prefixed, sizeof(prefixed));
	scratch_write("exif6x.webp", x.p, x.len);
	ok(identify_says("exif6x.webp", "RightTop"), "identify: "
	    "exif6x.webp is RightTop");
	expect_ok("exif6x.webp (\"Exif\\0\\0\" EXIF)", &x, c, IMG_WEBP,
	    48, 64, 1);
	free(x.p);
	free(plain.p);
}

/*
 * An animation's frames x canvas against max_pixels / 8 (issue 15: a
 * 23 KB GIF of 1000 one-pixel frames on a 300x300 screen cost the
 * resizer 880 MB).  Each frame counts the canvas, or its own size when
 * that is larger; a still image counts only against max_pixels.
 */
static const struct coalesced_case {
	const char	*what;
	long long	 max_pixels;
	size_t		 frames;
	uint16_t	 sw, sh, fw, fh;
	enum img_status	 want;
} coalesced_cases[] = {
	{ "300x300 screen, 1000 1x1 frames (the issue's)", 100000000,
	    1000, 300, 300, 1, 1, IMG_TOO_BIG },
	{ "300x300 screen, 138 frames: 12.42 MP, under 12.5", 100000000,
	    138, 300, 300, 1, 1, IMG_OK },
	{ "300x300 screen, 139 frames: 12.51 MP, over 12.5", 100000000,
	    139, 300, 300, 1, 1, IMG_TOO_BIG },
	{ "4000x4000 screen, 2 frames: 32 MP", 100000000,
	    2, 4000, 4000, 1, 1, IMG_TOO_BIG },
	{ "4000x4000 screen, 1 frame: a still of 16 MP", 100000000,
	    1, 4000, 4000, 1, 1, IMG_OK },
	{ "10x10 screen, 10 frames, max_pixels 8000", 8000,
	    10, 10, 10, 1, 1, IMG_OK },
	{ "10x10 screen, 11 frames, max_pixels 8000", 8000,
	    11, 10, 10, 1, 1, IMG_TOO_BIG },
	{ "10x10 screen, 2 frames of 22x22, max_pixels 8000", 8000,
	    2, 10, 10, 22, 22, IMG_OK },
	{ "10x10 screen, 3 frames of 22x22, max_pixels 8000", 8000,
	    3, 10, 10, 22, 22, IMG_TOO_BIG },
	{ "1x1 screen, 1000 frames, max_pixels 8000", 8000,
	    1000, 1, 1, 1, 1, IMG_OK },
	{ "1x1 screen, 1001 frames, max_pixels 8008 (max_frames first)",
	    8008, 1001, 1, 1, 1, 1, IMG_TOO_BIG },
	{ "one 100x80 frame, max_pixels 8000", 8000,
	    1, 100, 80, 1, 1, IMG_OK },
};

static void
test_coalesced(const struct conf *defaults)
{
	struct conf	 c = *defaults;
	struct buf	 b;
	size_t		 i;
	const struct coalesced_case *k;

	for (i = 0; i < sizeof(coalesced_cases) / sizeof(coalesced_cases[0]);
	    i++) {
		k = &coalesced_cases[i];
		c.max_pixels = k->max_pixels;
		b = gif_canvas(k->frames, k->sw, k->sh, k->fw, k->fh);
		expect(k->what, &b, &c, k->want);
		free(b.p);
	}
	/* six.webp: 6 frames of 8x8, 384 pixels, from the walk alone. */
	b = scratch_read("six.webp");
	c.max_pixels = 384 * 8;
	expect("6-frame 8x8 WebP, max_pixels 3072", &b, &c, IMG_OK);
	c.max_pixels = 384 * 8 - 1;
	expect("6-frame 8x8 WebP, max_pixels 3071", &b, &c, IMG_TOO_BIG);
	free(b.p);
	b = scratch_read("six.gif");
	c.max_pixels = 384 * 8;
	expect("6-frame 8x8 GIF, max_pixels 3072", &b, &c, IMG_OK);
	c.max_pixels = 384 * 8 - 1;
	expect("6-frame 8x8 GIF, max_pixels 3071", &b, &c, IMG_TOO_BIG);
	free(b.p);
}

static void
test_limits(const struct conf *defaults)
{
	struct conf	 c = *defaults;
	struct buf	 b, jpg;
	long long	 cap;

	b = png_make(3, 2, PNG_FULL_IDAT, 1);
	expect_ok("crafted 3x2 PNG", &b, defaults, IMG_PNG, 3, 2, 1);
	free(b.p);
	b = png_make(30000, 30000, PNG_TOKEN_IDAT, 1);
	expect("PNG header claiming 30000x30000", &b, defaults, IMG_TOO_BIG);
	free(b.p);
	b = png_make(100000, 1, PNG_TOKEN_IDAT, 1);
	expect("PNG header claiming 100000x1", &b, defaults, IMG_TOO_BIG);
	free(b.p);
	/*
	 * The decoder's own limits are the contract's, whatever a policy.xml
	 * says (Debian's caps the sides at 16000 and the disk at 1 GiB).
	 */
	cap = (long long)MagickGetResourceLimit(WidthResource);
	ok(cap == defaults->max_side, "ImageMagick's width limit is "
	    "max_side: %lld", cap);
	cap = (long long)MagickGetResourceLimit(HeightResource);
	ok(cap == defaults->max_side, "ImageMagick's height limit is "
	    "max_side: %lld", cap);
	cap = (long long)MagickGetResourceLimit(DiskResource);
	ok(cap >= 20 * defaults->max_pixels, "ImageMagick's disk limit "
	    "holds two max_pixels images at 10 bytes a pixel: %lld", cap);
	cap = (long long)MagickGetResourceLimit(MemoryResource);
	ok(cap == 256 * 1024 * 1024, "ImageMagick's memory limit is "
	    "256 MiB: %lld", cap);
	cap = (long long)MagickGetResourceLimit(MapResource);
	ok(cap == 0, "ImageMagick maps no file into memory: %lld", cap);
	b = png_make(16001, 1, PNG_FULL_IDAT, 1);
	expect("16001x1 PNG (over Debian's policy.xml width)", &b, defaults,
	    IMG_OK);
	free(b.p);
	b = png_make(16384, 1, PNG_FULL_IDAT, 1);
	expect("16384x1 PNG", &b, defaults, IMG_OK);
	free(b.p);
	b = png_make(1, 16384, PNG_FULL_IDAT, 1);
	expect("1x16384 PNG", &b, defaults, IMG_OK);
	free(b.p);
	b = png_make(16385, 1, PNG_FULL_IDAT, 1);
	expect("16385x1 PNG", &b, defaults, IMG_TOO_BIG);
	free(b.p);
	b = png_make(1, 16385, PNG_FULL_IDAT, 1);
	expect("1x16385 PNG", &b, defaults, IMG_TOO_BIG);
	free(b.p);

	jpg = scratch_read("plasma.jpg");
	b = jpeg_sof(&jpg, 65000, 65000);
	expect("JPEG whose SOF claims 65000x65000", &b, defaults,
	    IMG_TOO_BIG);
	free(b.p);
	b = jpeg_sof(&jpg, 64, 0);
	expect("JPEG whose SOF claims a height of 0", &b, defaults, IMG_BAD);
	free(b.p);
	free(jpg.p);

	c.max_frames = 5;
	b = scratch_read("six.gif");
	expect("6-frame GIF, max_frames 5", &b, &c, IMG_TOO_BIG);
	free(b.p);
	b = scratch_read("six.webp");
	expect("6-frame WebP, max_frames 5", &b, &c, IMG_TOO_BIG);
	free(b.p);
	/* ImageMagick's list-length limit (max_frames + 1) answers first. */
	b = gif_frames(1000);
	expect_ok("1000-frame GIF, max_frames 1000", &b, defaults, IMG_GIF,
	    1, 1, 1000);
	free(b.p);
	b = gif_frames(1001);
	expect("1001-frame GIF, max_frames 1000", &b, defaults, IMG_TOO_BIG);
	free(b.p);
	b = gif_frames(100000);
	expect("100000-frame GIF, max_frames 1000", &b, defaults,
	    IMG_TOO_BIG);
	free(b.p);

	test_coalesced(defaults);

	c = *defaults;
	c.max_side = 100;
	b = scratch_read("side100.png");
	expect_ok("100x50, max_side 100", &b, &c, IMG_PNG, 100, 50, 1);
	free(b.p);
	b = scratch_read("side101.png");
	expect("101x50, max_side 100", &b, &c, IMG_TOO_BIG);
	free(b.p);
	/* A frame wider than the GIF's logical screen is checked too. */
	scratch_sh("convert -size 200x10 xc:red bigframe.gif");
	b = scratch_read("bigframe.gif");
	b.p[6] = 10, b.p[7] = 0, b.p[8] = 10, b.p[9] = 0;
	expect("GIF: 10x10 screen, 200x10 frame, max_side 100", &b, &c,
	    IMG_TOO_BIG);
	free(b.p);
	b = scratch_read("exif6.jpg");
	c.max_side = 63;
	expect("JPEG 64x48 turned, max_side 63", &b, &c, IMG_TOO_BIG);
	free(b.p);

	c = *defaults;
	c.max_pixels = 5000;
	b = scratch_read("side100.png");
	expect_ok("100x50, max_pixels 5000", &b, &c, IMG_PNG, 100, 50, 1);
	free(b.p);
	b = scratch_read("pixels5100.png");
	expect("100x51, max_pixels 5000", &b, &c, IMG_TOO_BIG);
	free(b.p);
}

/* Bytes that are not an image, or not all of one. */
static void
test_bad(const struct conf *c)
{
	struct buf	 jpg, png, gif, webp, b;
	size_t		 sos, i, k;
	uint32_t	 x = 2463534242u;
	uint8_t		 junk[4000], body[64];
	static const char *magic[] = { "\xff\xd8\xff", "\x89PNG\r\n\x1a\n",
	    "GIF89a", "RIFF\x98\x0f\0\0WEBP" };
	static const size_t mlen[] = { 3, 8, 6, 12 };
	struct img_info	 info;

	jpg = scratch_read("plasma.jpg");
	png = scratch_read("gradient.png");
	gif = scratch_read("anim.gif");
	webp = scratch_read("lossy.webp");

	/* Bare headers. */
	b = cat(jpg.p, 20, NULL, 0);
	expect("first 20 bytes of a JPEG", &b, c, IMG_BAD);
	free(b.p);
	b = cat(jpg.p, 100, NULL, 0);
	expect("first 100 bytes of a JPEG", &b, c, IMG_BAD);
	free(b.p);
	b = cat(jpg.p, jpeg_find(&jpg, 0xc4), NULL, 0);
	expect("JPEG cut after its SOF", &b, c, IMG_BAD);
	free(b.p);
	sos = jpeg_find(&jpg, 0xda);
	b = cat(jpg.p, sos + 2 + (jpg.p[sos + 2] << 8 | jpg.p[sos + 3]),
	    NULL, 0);
	expect("JPEG cut right after its scan header", &b, c, IMG_BAD);
	free(b.p);
	b = cat("\xff\xd8\xff\xd9", 4, NULL, 0);
	expect("JPEG: SOI, EOI", &b, c, IMG_BAD);
	free(b.p);
	b = cat(png.p, 20, NULL, 0);
	expect("first 20 bytes of a PNG", &b, c, IMG_BAD);
	free(b.p);
	b = cat(png.p, 33, NULL, 0);
	expect("PNG signature and IHDR only", &b, c, IMG_BAD);
	free(b.p);
	b = cat(png.p, 100, NULL, 0);
	expect("first 100 bytes of a PNG", &b, c, IMG_BAD);
	free(b.p);
	b = png_make(64, 48, PNG_NO_IDAT, 1);
	expect("PNG: IHDR, IEND", &b, c, IMG_BAD);
	free(b.p);
	b = png_make(64, 48, PNG_EMPTY_IDAT, 1);
	expect("PNG: IHDR, empty IDAT, IEND", &b, c, IMG_BAD);
	free(b.p);
	b = cat(gif.p, 13, NULL, 0);
	expect("GIF header and screen only", &b, c, IMG_BAD);
	free(b.p);
	b = cat("GIF89a\x01\0\x01\0\0\0\0;", 14, NULL, 0);
	expect("GIF: screen, trailer", &b, c, IMG_BAD);
	free(b.p);
	b = cat("GIF89a\x01\0\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\0;",
	    25, NULL, 0);
	expect("GIF: an image with no data", &b, c, IMG_BAD);
	free(b.p);
	memcpy(body, webp.p + 12, 18);
	le32(body + 4, 10);
	b = webp_riff(body, 18);
	expect("WebP: VP8 frame header only", &b, c, IMG_BAD);
	free(b.p);
	memcpy(body, "VP8X\x0a\0\0\0\0\0\0\0\x3f\0\0\x2f\0\0", 18);
	b = webp_riff(body, 18);
	expect("WebP: VP8X only", &b, c, IMG_BAD);
	free(b.p);
	memcpy(body, "VP8X\x0a\0\0\0\x02\0\0\0\x3f\0\0\x2f\0\0"
	    "ANIM\x06\0\0\0\0\0\0\0\0\0", 32);
	b = webp_riff(body, 32);
	expect("WebP: animation with no frames", &b, c, IMG_BAD);
	free(b.p);

	/* Truncated. ImageMagick decodes a JPEG's first half (grey below). */
	b = cat(jpg.p, jpg.len / 2, NULL, 0);
	expect("JPEG cut in half (decodes)", &b, c, IMG_OK);
	free(b.p);
	b = cat(png.p, png.len - 1, NULL, 0);
	expect("PNG short of its last byte", &b, c, IMG_BAD);
	free(b.p);
	b = cat(png.p, png.len - 20, NULL, 0);
	expect("PNG cut in its IDAT", &b, c, IMG_BAD);
	free(b.p);
	b = cat(gif.p, gif.len - 40, NULL, 0);
	expect("GIF cut in its last frame", &b, c, IMG_BAD);
	free(b.p);
	b = cat(webp.p, webp.len - 1, NULL, 0);
	expect("WebP short of its last byte", &b, c, IMG_BAD);
	free(b.p);

	/* The right magic, then noise. */
	for (i = 0; i < 4; i++) {
		for (k = 0; k < sizeof(junk); k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			junk[k] = x;
		}
		b = cat(magic[i], mlen[i], junk, sizeof(junk) - mlen[i]);
		expect(i == 0 ? "JPEG magic, then noise" : i == 1 ?
		    "PNG magic, then noise" : i == 2 ? "GIF magic, then noise" :
		    "WebP magic, then noise", &b, c, IMG_BAD);
		free(b.p);
	}

	/* Scripts: not images, whatever their first bytes say. */
	b = cat(mvg, sizeof(mvg) - 1, NULL, 0);
	ok(img_sniff(b.p, b.len) == IMG_NONE, "MVG sniffs as none");
	ok(probe("MVG as PNG", &b, IMG_PNG, c, &info) == IMG_BAD,
	    "MVG probed as PNG is bad");
	free(b.p);
	b = cat(svg, sizeof(svg) - 1, NULL, 0);
	ok(img_sniff(b.p, b.len) == IMG_NONE, "SVG sniffs as none");
	free(b.p);
	for (i = 0; i < 4; i++) {
		b = cat(magic[i], mlen[i], i == 2 ? svg : mvg,
		    i == 2 ? sizeof(svg) - 1 : sizeof(mvg) - 1);
		expect(i == 0 ? "JPEG magic, then MVG" : i == 1 ?
		    "PNG magic, then MVG" : i == 2 ? "GIF magic, then SVG" :
		    "WebP magic, then MVG", &b, c, IMG_BAD);
		free(b.p);
	}

	/* Wrong or no type, nothing at all. */
	ok(probe("PNG as JPEG", &png, IMG_JPEG, c, &info) == IMG_BAD &&
	    info.type == IMG_JPEG, "PNG bytes probed as JPEG are bad");
	ok(probe("GIF as WebP", &gif, IMG_WEBP, c, &info) == IMG_BAD,
	    "GIF bytes probed as WebP are bad");
	ok(probe("PNG as none", &png, IMG_NONE, c, &info) == IMG_BAD,
	    "IMG_NONE is bad");
	b.p = NULL;
	b.len = 0;
	ok(probe("nothing", &b, IMG_PNG, c, &info) == IMG_BAD &&
	    info.width == 0 && info.frames == 0, "no bytes are bad");
	free(jpg.p);
	free(png.p);
	free(gif.p);
	free(webp.p);
}

int
main(void)
{
	struct conf	 c;
	struct rusage	 ru;

	scratch_init("t_img");
	conf_defaults(&c);
	test_control();
	test_sniff();
	test_names();
	img_init(&c);
	test_policy();
	test_made(&c);
	test_limits(&c);
	test_bad(&c);
	img_done();
	getrusage(RUSAGE_SELF, &ru);
	printf("# peak RSS %ld KB\n", ru.ru_maxrss);
	ok(ru.ru_maxrss < 256 * 1024, "peak memory under 256 MB");
	conf_free(&c);
	scratch_done();
	return tap_done();
}
