/*
 * Variants: real images made with convert (and exiftool) at test time,
 * every output decoded again and checked from its bytes: format, sizes,
 * frames, progressive JPEG, no EXIF/XMP/GPS, ICC kept, CMYK made sRGB,
 * orientation applied, alpha and animation kept; broken input refused.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lcms2.h>
#include <wand/MagickWand.h>

#include "conf.h"
#include "img.h"
#include "variant.h"
#include "tap.h"

/* One expected size: the name and the dimensions of its first frame. */
struct want {
	const char	*size;
	long		 width;
	long		 height;
};

static char	 dir[] = "/tmp/t_variant.XXXXXX";

static const char *const type_names[] = {
	"none", "JPEG", "PNG", "GIF", "WEBP",
};

/* Runs a shell command in dir; returns its exit status. */
static int __attribute__((format(printf, 1, 2)))
sh(const char *fmt, ...)
{
	char	 cmd[2048], full[2300];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && { %s; } >/dev/null 2>&1",
	    dir, cmd);
	return system(full);
}

/* The file name in dir, read whole; free() it. */
static unsigned char *
slurp(const char *name, size_t *len)
{
	char		 path[256];
	FILE		*f;
	unsigned char	*buf;
	long		 n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) == -1 || (buf = malloc(n)) == NULL) {
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, n, f);
	fclose(f);
	return buf;
}

/* Writes len bytes to the file name in dir. */
static int
spill(const char *name, const void *buf, size_t len)
{
	char	 path[256];
	FILE	*f;
	int	 rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
	return fclose(f) == 0 ? rc : -1;
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Makes the variants of the file name in dir, printing the time taken. */
static int
make(const char *name, enum img_type type, struct variant *v, size_t *n,
    char *err, size_t errsz)
{
	unsigned char	*buf;
	size_t		 len;
	double		 t;
	int		 rc;

	*n = 0;
	if ((buf = slurp(name, &len)) == NULL) {
		snprintf(err, errsz, "cannot read %s", name);
		return -1;
	}
	t = now();
	rc = variant_make_all(buf, len, type, img_variant_type(type, 0), v, n,
	    err, errsz);
	printf("# %s (%zu bytes): %.3f s for %zu variants\n", name, len,
	    now() - t, *n);
	free(buf);
	return rc;
}

/* The variant's bytes decoded by whatever coder they say they are for. */
static MagickWand *
readback(const struct variant *v)
{
	MagickWand	*w;

	if ((w = NewMagickWand()) == NULL)
		return NULL;
	if (!MagickReadImageBlob(w, v->data, v->len) ||
	    MagickGetNumberImages(w) == 0) {
		DestroyMagickWand(w);
		return NULL;
	}
	MagickResetIterator(w);
	MagickNextImage(w);
	return w;
}

/* Whether the decoded format is type. */
static int
format_is(MagickWand *w, enum img_type type)
{
	char	*f;
	int	 same;

	f = MagickGetImageFormat(w);
	same = f != NULL && strcmp(f, type_names[type]) == 0;
	MagickRelinquishMemory(f);
	return same;
}

/*
 * How many properties match pattern, once ImageMagick has been asked
 * for "exif:*", which parses the EXIF profile into properties.
 */
static size_t
count_properties(MagickWand *w, const char *pattern)
{
	char	**names;
	size_t	  i, n = 0;

	MagickRelinquishMemory(MagickGetImageProperty(w, "exif:*"));
	names = MagickGetImageProperties(w, pattern, &n);
	for (i = 0; names != NULL && i < n; i++)
		MagickRelinquishMemory(names[i]);
	MagickRelinquishMemory(names);
	return n;
}

static int
has_profile(MagickWand *w, const char *name)
{
	unsigned char	*p;
	size_t		 len = 0;

	p = MagickGetImageProfile(w, name, &len);
	MagickRelinquishMemory(p);
	return p != NULL && len > 0;
}

/* Nothing private left: no EXIF, XMP, IPTC, GPS or comment. */
static int
is_clean(MagickWand *w)
{
	return !has_profile(w, "exif") && !has_profile(w, "xmp") &&
	    !has_profile(w, "iptc") && !has_profile(w, "8bim") &&
	    count_properties(w, "exif:*") == 0 &&
	    count_properties(w, "comment") == 0;
}

/* The colour at x, y as 0..1 red, green, blue, alpha. */
static void
pixel(MagickWand *w, long x, long y, double c[4])
{
	PixelWand	*p;

	p = NewPixelWand();
	MagickGetImagePixelColor(w, x, y, p);
	c[0] = PixelGetRed(p);
	c[1] = PixelGetGreen(p);
	c[2] = PixelGetBlue(p);
	c[3] = PixelGetAlpha(p);
	DestroyPixelWand(p);
}

/* The variant of that size and format, or NULL. */
static const struct variant *
find(const struct variant *v, size_t n, const char *size,
    enum img_type format)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].size, size) == 0 && v[i].format == format)
			return &v[i];
	return NULL;
}

/* Checks one variant from its bytes; returns it decoded, or NULL. */
static MagickWand *
check_one(const char *name, const struct variant *v, enum img_type format,
    const struct want *want, long frames)
{
	MagickWand	*w;
	char		*sf = NULL;
	long		 width = 0, height = 0, nf = 0;
	int		 fmt = 0, prog = 1;

	if ((w = v != NULL ? readback(v) : NULL) != NULL) {
		fmt = format_is(w, format);
		width = (long)MagickGetImageWidth(w);
		height = (long)MagickGetImageHeight(w);
		nf = (long)MagickGetNumberImages(w);
	}
	ok(w != NULL && fmt && width == want->width &&
	    height == want->height && nf == frames && v->width == width &&
	    v->height == height && v->frames == nf && v->format == format,
	    "%s %s %s: decodes as %ldx%ld, %ld frame(s)", name, want->size,
	    type_names[format], width, height, nf);
	if (w != NULL && format == IMG_JPEG) {
		sf = MagickGetImageProperty(w, "jpeg:sampling-factor");
		prog = MagickGetImageInterlaceScheme(w) == JPEGInterlace &&
		    sf != NULL && strcmp(sf, "2x2,1x1,1x1") == 0;
		ok(prog, "%s %s JPEG: progressive, 4:2:0 (%s)", name,
		    want->size, sf != NULL ? sf : "no sampling factor");
		MagickRelinquishMemory(sf);
	}
	if (w != NULL)
		ok(is_clean(w) && MagickGetImageColorspace(w) != CMYKColorspace,
		    "%s %s %s: no EXIF, XMP, GPS or comment; not CMYK", name,
		    want->size, type_names[format]);
	return w;
}

/*
 * Checks that there is one variant per size in type and, unless type is
 * WebP, in WebP too, each decoding as wanted; then calls each() on
 * every decoded variant for the case's own checks.
 */
static void
check_all(const char *name, enum img_type type, const struct variant *v,
    size_t n, const struct want want[3], long frames,
    void (*each)(const char *, const struct want *, enum img_type,
    MagickWand *))
{
	enum img_type	 formats[2] = { type, IMG_WEBP };
	size_t		 i, f, nf = type == IMG_WEBP ? 1 : 2;
	MagickWand	*w;

	ok(n == 3 * nf, "%s: %zu variants, want %zu", name, n, 3 * nf);
	for (i = 0; i < 3; i++)
		for (f = 0; f < nf; f++) {
			w = check_one(name, find(v, n, want[i].size,
			    formats[f]), formats[f], &want[i], frames);
			if (w != NULL && each != NULL)
				each(name, &want[i], formats[f], w);
			if (w != NULL)
				DestroyMagickWand(w);
		}
}

/* Whether exiftool is here to write EXIF and XMP into the fixtures. */
static int
have_exiftool(void)
{
	return sh("command -v exiftool") == 0;
}

static void
skip(const char *why)
{
	ok(1, "# SKIP %s", why);
}

static void
t_photo(void)
{
	static const struct want	 want[3] = {
		{ "large", 1280, 960 },
		{ "medium", 640, 480 },
		{ "small", 320, 240 },
	};
	struct variant	 v[VARIANT_MAX];
	size_t		 n;
	char		 err[256];
	int		 rc;

	if (sh("convert -seed 1 -size 4000x3000 plasma:fractal -quality 90 "
	    "photo.jpg") != 0) {
		ok(0, "convert makes a 4000x3000 JPEG");
		return;
	}
	rc = make("photo.jpg", IMG_JPEG, v, &n, err, sizeof(err));
	ok(rc == 0, "4000x3000 JPEG: variants made (%s)", rc == 0 ? "ok" : err);
	check_all("photo.jpg", IMG_JPEG, v, n, want, 1, NULL);
	variant_free(v, n);
}

/*
 * The fixture is stored 600x400, red with a blue block at its top left,
 * and EXIF orientation 6: shown turned a quarter clockwise, 400x600 with
 * the block at the top right.
 */
static void
orient_each(const char *name, const struct want *want, enum img_type f,
    MagickWand *w)
{
	double	 left[4], right[4];
	long	 ww = want->width, wh = want->height;

	pixel(w, ww / 20, wh / 20, left);
	pixel(w, ww - 1 - ww / 20, wh / 20, right);
	ok(left[0] > 0.8 && left[2] < 0.2 && right[2] > 0.8 && right[0] < 0.2,
	    "%s %s %s: upright (top left red, top right blue)", name,
	    want->size, type_names[f]);
}

static void
t_orient(void)
{
	static const struct want	 want[3] = {
		{ "large", 400, 600 },
		{ "medium", 400, 600 },
		{ "small", 213, 320 },
	};
	struct variant	 v[VARIANT_MAX];
	size_t		 n;
	char		 err[256];
	int		 rc;

	if (!have_exiftool()) {
		skip("no exiftool to set the EXIF orientation");
		return;
	}
	if (sh("convert -size 600x400 xc:red -fill blue -draw "
	    "'rectangle 0,0 59,39' orient.jpg && exiftool -q "
	    "-overwrite_original -n -Orientation=6 orient.jpg") != 0) {
		ok(0, "convert and exiftool make an EXIF-rotated JPEG");
		return;
	}
	rc = make("orient.jpg", IMG_JPEG, v, &n, err, sizeof(err));
	ok(rc == 0, "EXIF orientation 6: variants made (%s)", rc == 0 ? "ok" : err);
	check_all("orient.jpg", IMG_JPEG, v, n, want, 1, orient_each);
	variant_free(v, n);
}

/* A profile of our own, to see it arrive byte for byte. */
static unsigned char *
rgb_profile(size_t *len)
{
	cmsCIExyYTRIPLE	 adobe = {
		{ 0.64, 0.33, 1 }, { 0.21, 0.71, 1 }, { 0.15, 0.06, 1 },
	};
	cmsCIExyY	 d65 = { 0.3127, 0.3290, 1 };
	cmsToneCurve	*g, *curves[3];
	cmsHPROFILE	 p;
	cmsUInt32Number	 n = 0;
	unsigned char	*buf = NULL;

	g = cmsBuildGamma(NULL, 2.2);
	curves[0] = curves[1] = curves[2] = g;
	p = cmsCreateRGBProfile(&d65, &adobe, curves);
	cmsFreeToneCurve(g);
	if (p != NULL && cmsSaveProfileToMem(p, NULL, &n) &&
	    (buf = malloc(n)) != NULL && !cmsSaveProfileToMem(p, buf, &n)) {
		free(buf);
		buf = NULL;
	}
	if (p != NULL)
		cmsCloseProfile(p);
	*len = n;
	return buf;
}

/*
 * A CMYK press 20% darker than ImageMagick's plain formula, so that a
 * conversion through the profile can be told from one without it.
 */
static cmsInt32Number
cmyk_sample(const cmsUInt16Number in[], cmsUInt16Number out[], void *cargo)
{
	cmsFloat64Number	 rgb[3];
	cmsCIELab		 lab;
	double			 k = in[3] / 65535.0;
	int			 i;

	for (i = 0; i < 3; i++)
		rgb[i] = 0.8 * (1 - in[i] / 65535.0) * (1 - k);
	cmsDoTransform(cargo, rgb, &lab, 1);
	cmsFloat2LabEncoded(out, &lab);
	return TRUE;
}

/* That press as an ICC profile (CMYK in, Lab out); free() it. */
static unsigned char *
cmyk_profile(size_t *len)
{
	cmsHPROFILE	 srgb, lab, p;
	cmsHTRANSFORM	 x;
	cmsPipeline	*lut;
	cmsStage	*clut;
	cmsUInt32Number	 n = 0;
	unsigned char	*buf = NULL;

	srgb = cmsCreate_sRGBProfile();
	lab = cmsCreateLab4Profile(NULL);
	x = cmsCreateTransform(srgb, TYPE_RGB_DBL, lab, TYPE_Lab_DBL,
	    INTENT_RELATIVE_COLORIMETRIC, 0);
	p = cmsCreateProfilePlaceholder(NULL);
	cmsSetProfileVersion(p, 4.3);
	cmsSetDeviceClass(p, cmsSigOutputClass);
	cmsSetColorSpace(p, cmsSigCmykData);
	cmsSetPCS(p, cmsSigLabData);
	lut = cmsPipelineAlloc(NULL, 4, 3);
	clut = cmsStageAllocCLut16bit(NULL, 9, 4, 3, NULL);
	cmsStageSampleCLut16bit(clut, cmyk_sample, x, 0);
	/* lutAtoBType wants A curves, CLUT, B curves: identity curves. */
	cmsPipelineInsertStage(lut, cmsAT_END,
	    cmsStageAllocToneCurves(NULL, 4, NULL));
	cmsPipelineInsertStage(lut, cmsAT_END, clut);
	cmsPipelineInsertStage(lut, cmsAT_END,
	    cmsStageAllocToneCurves(NULL, 3, NULL));
	cmsWriteTag(p, cmsSigAToB0Tag, lut);
	cmsWriteTag(p, cmsSigMediaWhitePointTag, cmsD50_XYZ());
	if (cmsSaveProfileToMem(p, NULL, &n) && (buf = malloc(n)) != NULL &&
	    !cmsSaveProfileToMem(p, buf, &n)) {
		free(buf);
		buf = NULL;
	}
	cmsPipelineFree(lut);
	cmsCloseProfile(p);
	cmsDeleteTransform(x);
	cmsCloseProfile(lab);
	cmsCloseProfile(srgb);
	*len = n;
	return buf;
}

/* Re-encodes the file from in dir as to, carrying the ICC profile icc. */
static int
attach_profile(const char *from, const char *to, enum img_type type,
    const unsigned char *icc, size_t icclen)
{
	MagickWand	*w;
	unsigned char	*buf, *out = NULL;
	size_t		 len, outlen = 0;
	int		 rc = -1;

	if ((buf = slurp(from, &len)) == NULL)
		return -1;
	w = NewMagickWand();
	if (MagickSetFormat(w, type_names[type]) &&
	    MagickReadImageBlob(w, buf, len) &&
	    MagickSetImageProfile(w, "icc", icc, icclen) &&
	    (out = MagickGetImageBlob(w, &outlen)) != NULL)
		rc = spill(to, out, outlen);
	MagickRelinquishMemory(out);
	DestroyMagickWand(w);
	free(buf);
	return rc;
}

static unsigned char	*want_icc;
static size_t		 want_icclen;

static int
icc_is(MagickWand *w, const unsigned char *icc, size_t len)
{
	unsigned char	*p;
	size_t		 plen = 0;
	int		 same;

	p = MagickGetImageProfile(w, "icc", &plen);
	same = p != NULL && plen == len && memcmp(p, icc, len) == 0;
	MagickRelinquishMemory(p);
	return same;
}

static void
icc_each(const char *name, const struct want *want, enum img_type f,
    MagickWand *w)
{
	ok(icc_is(w, want_icc, want_icclen), "%s %s %s: ICC profile kept",
	    name, want->size, type_names[f]);
}

static void
t_icc(void)
{
	static const struct want	 want[3] = {
		{ "large", 1280, 853 },
		{ "medium", 640, 427 },
		{ "small", 320, 213 },
	};
	struct variant	 v[VARIANT_MAX];
	size_t		 n;
	char		 err[256];
	int		 rc;

	if ((want_icc = rgb_profile(&want_icclen)) == NULL ||
	    sh("convert -size 1500x1000 gradient:yellow-navy plain.jpg") !=
	    0 || attach_profile("plain.jpg", "icc.jpg", IMG_JPEG, want_icc,
	    want_icclen) != 0) {
		ok(0, "a JPEG with an ICC profile made");
		free(want_icc);
		return;
	}
	rc = make("icc.jpg", IMG_JPEG, v, &n, err, sizeof(err));
	ok(rc == 0, "JPEG with an ICC profile: variants made (%s)", rc == 0 ? "ok" : err);
	check_all("icc.jpg", IMG_JPEG, v, n, want, 1, icc_each);
	variant_free(v, n);
	free(want_icc);
	want_icc = NULL;
}

static void
gps_each(const char *name, const struct want *want, enum img_type f,
    MagickWand *w)
{
	ok(count_properties(w, "exif:GPS*") == 0 && !has_profile(w, "xmp"),
	    "%s %s %s: no GPS, no XMP", name, want->size, type_names[f]);
}

/* Whether the fixture itself carries what the variants must not. */
static int
gps_fixture_has_it(void)
{
	MagickWand	*w;
	unsigned char	*buf;
	size_t		 len;
	int		 has;

	if ((buf = slurp("gps.jpg", &len)) == NULL)
		return 0;
	w = NewMagickWand();
	has = MagickReadImageBlob(w, buf, len) &&
	    count_properties(w, "exif:GPSLatitude*") > 0 &&
	    has_profile(w, "xmp") && count_properties(w, "comment") > 0;
	DestroyMagickWand(w);
	free(buf);
	return has;
}

static void
t_gps(void)
{
	static const struct want	 want[3] = {
		{ "large", 800, 600 },
		{ "medium", 640, 480 },
		{ "small", 320, 240 },
	};
	struct variant	 v[VARIANT_MAX];
	size_t		 n;
	char		 err[256];
	int		 rc;

	if (!have_exiftool()) {
		skip("no exiftool to write GPS and XMP");
		return;
	}
	if (sh("convert -size 800x600 gradient:white-green gps.jpg && "
	    "exiftool -q -overwrite_original -GPSLatitude=48.85 "
	    "-GPSLatitudeRef=N -GPSLongitude=2.35 -GPSLongitudeRef=E "
	    "-XMP:Creator=x -Artist=x -Comment=secret gps.jpg") != 0) {
		ok(0, "convert and exiftool make a JPEG with GPS and XMP");
		return;
	}
	ok(gps_fixture_has_it(), "gps.jpg has GPS, XMP and a comment to lose");
	rc = make("gps.jpg", IMG_JPEG, v, &n, err, sizeof(err));
	ok(rc == 0, "JPEG with GPS and XMP: variants made (%s)", rc == 0 ? "ok" : err);
	check_all("gps.jpg", IMG_JPEG, v, n, want, 1, gps_each);
	variant_free(v, n);
}

static void
alpha_each(const char *name, const struct want *want, enum img_type f,
    MagickWand *w)
{
	double	 corner[4], centre[4];

	pixel(w, 0, 0, corner);
	pixel(w, want->width / 2, want->height / 2, centre);
	ok(MagickGetImageAlphaChannel(w) && corner[3] < 0.1 &&
	    centre[3] > 0.9 && centre[0] > 0.8,
	    "%s %s %s: alpha kept (corner %.2f, centre %.2f)", name,
	    want->size, type_names[f], corner[3], centre[3]);
	if (f == IMG_PNG)
		ok(MagickGetImageDepth(w) == 8, "%s %s PNG: 8-bit (%zu)",
		    name, want->size, MagickGetImageDepth(w));
	ok(icc_is(w, want_icc, want_icclen), "%s %s %s: ICC profile kept",
	    name, want->size, type_names[f]);
}

static void
t_alpha(void)
{
	static const struct want	 want[3] = {
		{ "large", 100, 80 },
		{ "medium", 100, 80 },
		{ "small", 100, 80 },
	};
	struct variant	 v[VARIANT_MAX];
	size_t		 n;
	char		 err[256];
	int		 rc;

	if ((want_icc = rgb_profile(&want_icclen)) == NULL ||
	    sh("convert -size 100x80 xc:none -fill red -draw "
	    "'circle 50,40 50,10' alpha0.png") != 0 ||
	    attach_profile("alpha0.png", "alpha.png", IMG_PNG, want_icc,
	    want_icclen) != 0) {
		ok(0, "a 100x80 PNG with alpha and an ICC profile made");
		free(want_icc);
		return;
	}
	rc = make("alpha.png", IMG_PNG, v, &n, err, sizeof(err));
	ok(rc == 0, "small PNG with alpha: variants made (%s)", rc == 0 ? "ok" : err);
	check_all("alpha.png", IMG_PNG, v, n, want, 1, alpha_each);
	variant_free(v, n);
	free(want_icc);
	want_icc = NULL;
}

/* Every frame keeps its 20/100 s delay, and the loop is forever. */
static void
anim_each(const char *name, const struct want *want, enum img_type f,
    MagickWand *w)
{
	int	 delays = 1;

	if (f != IMG_GIF)
		return;
	MagickResetIterator(w);
	while (MagickNextImage(w))
		if (MagickGetImageDelay(w) != 20)
			delays = 0;
	ok(delays && MagickGetImageIterations(w) == 0,
	    "%s %s GIF: delays and loop kept", name, want->size);
}

static void
t_anim(void)
{
	static const struct want	 want[3] = {
		{ "large", 800, 600 },
		{ "medium", 640, 480 },
		{ "small", 320, 240 },
	};
	struct variant	 v[VARIANT_MAX];
	size_t		 n;
	char		 err[256];
	int		 rc;

	if (sh("convert -delay 20 -loop 0 -size 800x600 xc:red "
	    "\\( xc:red -fill blue -draw 'rectangle 100,100 299,299' \\) "
	    "\\( xc:red -fill blue -draw 'rectangle 400,300 599,499' \\) "
	    "anim.gif") != 0) {
		ok(0, "convert makes a 3-frame GIF");
		return;
	}
	rc = make("anim.gif", IMG_GIF, v, &n, err, sizeof(err));
	ok(rc == 0, "animated GIF: variants made (%s)", rc == 0 ? "ok" : err);
	check_all("anim.gif", IMG_GIF, v, n, want, 3, anim_each);
	variant_free(v, n);
}

static void
t_webp(void)
{
	static const struct want	 want[3] = {
		{ "large", 1280, 640 },
		{ "medium", 640, 320 },
		{ "small", 320, 160 },
	};
	struct variant	 v[VARIANT_MAX];
	size_t		 n;
	char		 err[256];
	int		 rc;

	if (sh("convert -size 2000x1000 gradient:red-blue -quality 80 "
	    "wide.webp") != 0) {
		ok(0, "convert makes a 2000x1000 WebP");
		return;
	}
	rc = make("wide.webp", IMG_WEBP, v, &n, err, sizeof(err));
	ok(rc == 0, "WebP: variants made (%s)", rc == 0 ? "ok" : err);
	check_all("wide.webp", IMG_WEBP, v, n, want, 1, NULL);
	variant_free(v, n);
}

/* How red the centre is: by ImageMagick's formula 1, by the press 0.8. */
static double	 want_red;

static void
cmyk_each(const char *name, const struct want *want, enum img_type f,
    MagickWand *w)
{
	double	 c[4];

	pixel(w, want->width / 2, want->height / 2, c);
	ok(MagickGetImageColorspace(w) == sRGBColorspace &&
	    !has_profile(w, "icc") && c[0] > want_red - 0.06 &&
	    c[0] < want_red + 0.06 && c[1] < 0.1 && c[2] < 0.1,
	    "%s %s %s: sRGB, untagged, red %.2f (want %.2f)", name,
	    want->size, type_names[f], c[0], want_red);
}

static void
t_cmyk(void)
{
	static const struct want	 want[3] = {
		{ "large", 200, 100 },
		{ "medium", 200, 100 },
		{ "small", 200, 100 },
	};
	struct variant	 v[VARIANT_MAX];
	unsigned char	*icc;
	size_t		 n, len;
	char		 err[256];
	int		 rc;

	if (sh("convert -size 200x100 xc:red -colorspace CMYK cmyk.jpg") != 0) {
		ok(0, "convert makes a CMYK JPEG");
		return;
	}
	want_red = 1.0;
	rc = make("cmyk.jpg", IMG_JPEG, v, &n, err, sizeof(err));
	ok(rc == 0, "CMYK JPEG: variants made (%s)", rc == 0 ? "ok" : err);
	check_all("cmyk.jpg", IMG_JPEG, v, n, want, 1, cmyk_each);
	variant_free(v, n);

	if ((icc = cmyk_profile(&len)) == NULL ||
	    attach_profile("cmyk.jpg", "cmyk-icc.jpg", IMG_JPEG, icc,
	    len) != 0) {
		ok(0, "a CMYK JPEG with a CMYK profile made");
		free(icc);
		return;
	}
	free(icc);
	want_red = 0.8;
	rc = make("cmyk-icc.jpg", IMG_JPEG, v, &n, err, sizeof(err));
	ok(rc == 0, "CMYK JPEG with a profile: variants made (%s)", rc == 0 ? "ok" : err);
	check_all("cmyk-icc.jpg", IMG_JPEG, v, n, want, 1, cmyk_each);
	variant_free(v, n);
}

/* Refused input: -1, a "decode: " reason, nothing in out. */
static void
refused(const char *name, enum img_type type, const char *what)
{
	struct variant	 v[VARIANT_MAX];
	size_t		 n = 99;
	char		 err[256] = "";
	int		 rc;

	rc = make(name, type, v, &n, err, sizeof(err));
	ok(rc == -1 && n == 0 && strncmp(err, "decode: ", 8) == 0,
	    "%s: refused (%s)", what, err);
}

static void
t_broken(void)
{
	if (sh("convert -size 600x400 gradient:red-blue whole.jpg && "
	    "head -c 4000 whole.jpg > cut.jpg && "
	    "{ printf '\\377\\330\\377\\340'; head -c 3000 /dev/urandom; } "
	    "> noise.jpg && convert -size 64x64 xc:red red.png") != 0) {
		ok(0, "broken files made");
		return;
	}
	refused("cut.jpg", IMG_JPEG, "truncated JPEG");
	refused("noise.jpg", IMG_JPEG, "JPEG magic then noise");
	refused("red.png", IMG_JPEG, "a PNG said to be a JPEG (decoder forced)");
	refused("red.png", IMG_NONE, "no type");
}

int
main(void)
{
	struct conf	 c;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	conf_defaults(&c);
	img_init(&c);
	t_photo();
	t_orient();
	t_icc();
	t_gps();
	t_alpha();
	t_anim();
	t_webp();
	t_cmyk();
	t_broken();
	img_done();
	conf_free(&c);
	sh("cd / && rm -rf '%s'", dir);
	return tap_done();
}
