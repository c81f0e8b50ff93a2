/*
 * thumbhash: lib/thumbhash.c's bytes against the reference encoder (the
 * npm package thumbhash under Node, tests/thumbhash/ref.js), byte for
 * byte, on images convert(1) makes at test time and scales to fit
 * 100x100 as the resizer will, and on noise made here, whose many
 * coefficients near a quantiser's step catch any rounding that differs
 * (terms that are zero but for rounding excepted, see noise_only());
 * base64 against RFC 4648's vectors and Node's; the refusal of sizes
 * over 100.  Without node or the package the comparisons fail, saying
 * how to install it (tests/run does it: npm ci in tests/thumbhash).  The
 * encoder's time on 100x100 is printed as a TAP comment, not asserted.
 */
#include <err.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The encoder's own static functions, to tell noise from a difference. */
#include "thumbhash.c"
#include <math.h>
#include "scratch.h"
#include "tap.h"

static char	 refjs[PATH_MAX];

/*
 * Images convert makes: what they test, convert's arguments before
 * -resize, and whether the bytes must be the reference's exactly, or
 * may differ in terms that are zero but for rounding (flat colours,
 * gradients, symmetric shapes; see noise_only()).
 */
#define EXACT	1
#define NOISY	0
static const struct made {
	const char	*name;
	const char	*args;
	int		 exact;
} made[] = {
	{ "photo-like plasma 640x480", "-size 640x480 -seed 7 plasma:", EXACT },
	{ "plasma 400x300", "-size 400x300 -seed 11 plasma:", EXACT },
	{ "plasma 300x400", "-size 300x400 -seed 13 plasma:", EXACT },
	{ "plasma 100x100, as is", "-size 100x100 -seed 17 plasma:", EXACT },
	{ "plasma 1000x40, a strip", "-size 1000x40 -seed 19 plasma:", EXACT },
	{ "plasma 30x1000, a column", "-size 30x1000 -seed 23 plasma:", EXACT },
	{ "gradient 300x200", "-size 300x200 gradient:red-blue", NOISY },
	{ "radial gradient 120x120", "-size 120x120 radial-gradient:yellow-navy",
	  NOISY },
	{ "grey radial gradient 77x100",
	  "-size 77x100 'radial-gradient:#606060-#a0a0a0'", NOISY },
	{ "brown gradient 64x64, turned",
	  "-size 64x64 'gradient:#806040-#a08060' -rotate 90", NOISY },
	{ "grey gradient 99x31", "-size 99x31 'gradient:#707070-#909090'",
	  NOISY },
	{ "flat colour 50x50", "-size 50x50 'xc:#3366cc'", NOISY },
	{ "white 80x60", "-size 80x60 xc:white", NOISY },
	{ "black 60x80", "-size 60x80 xc:black", NOISY },
	{ "1x1", "-size 1x1 'xc:#c83214'", NOISY },
	{ "3x2 plasma", "-size 3x2 -seed 29 plasma:", EXACT },
	{ "2x3 gradient", "-size 2x3 gradient:green-white", NOISY },
	{ "PNG32 half-transparent disc 200x200",
	  "-size 200x200 xc:none -fill '#ff000080' -draw 'circle 100,100 100,30'"
	  " -define png:color-type=6", NOISY },
	{ "PNG32 plasma with a transparent hole 150x90",
	  "-size 150x90 -seed 31 plasma: -alpha set -region 40x30+17+9"
	  " -alpha transparent +region", EXACT },
	{ "PNG32 alpha gradient 90x150",
	  "-size 90x150 'gradient:blue-#0000ff00'", NOISY },
	{ "fully transparent 40x40", "-size 40x40 xc:none", NOISY },
};

static void
hex(const uint8_t *p, size_t len, char *out)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * len] = '\0';
}

/*
 * Finds ref.js and checks that node can load the package; one result,
 * with the fix in its text when it fails.
 */
static int
ref_ready(void)
{
	const char	*src = getenv("srcdir");
	char		 top[PATH_MAX], out[256];
	int		 n;

	if (realpath(src != NULL ? src : ".", top) == NULL)
		err(1, "srcdir");
	n = snprintf(refjs, sizeof(refjs), "%s/tests/thumbhash/ref.js", top);
	if (n < 0 || (size_t)n >= sizeof(refjs))
		errx(1, "srcdir too long");
	if (!scratch_line(out, sizeof(out), "command -v node"))
		return ok(0, "the reference: node is not installed "
		    "(apt-get install nodejs npm, then npm ci in tests/thumbhash)");
	if (!scratch_line(out, sizeof(out), "cd '%s/tests/thumbhash' && node -e "
	    "\"import('thumbhash').then(() => console.log('yes'), e => "
	    "{ console.log(e.code || e.message); process.exit(1) })\"", top))
		return ok(0, "the reference: node cannot load the npm package "
		    "thumbhash (%s): run 'npm ci' in %s/tests/thumbhash "
		    "(tests/run does)", out, top);
	return ok(1, "the reference: node loads the npm package thumbhash");
}

static size_t
unhex(const char *s, uint8_t *out, size_t outsz)
{
	size_t	 n = 0;
	unsigned v;

	while (n < outsz && sscanf(s + 2 * n, "%2x", &v) == 1)
		out[n++] = (uint8_t)v;
	return n;
}

static int
nibble(const uint8_t *p, size_t start, int i)
{
	return (p[start + i / 2] >> ((i & 1) * 4)) & 15;
}

/*
 * Whether mine differs from the reference's ref only by rounding noise,
 * in terms that are zero but for rounding (a flat channel's, or the odd
 * terms of a symmetric image).  Such a term is a sum that cancels, whose
 * last bits follow the cosines', and glibc's cos and V8's differ in the
 * last bit for about 3% of the arguments used.  The headers must be the
 * same, and each nibble that differs either of a channel whose header
 * scale is 0, which the decoder multiplies by zero (divided by its own
 * tiny maximum the noise lands anywhere), or one step away where the
 * encoder's value is within 1e-9 of a half (0.5 once scaled, 7.5 before
 * the rounding).  Counts them in *noise.
 */
static int
noise_only(const uint8_t *rgba, int w, int h, const uint8_t *mine,
    const uint8_t *ref, size_t len, int *noise)
{
	struct thumbhash_dct	 d[4];
	size_t			 start;
	double			 v;
	int			 has_alpha, lshort, c, i, nib = 0, m, r, zero;

	*noise = 0;
	if (thumbhash_analyse(rgba, w, h, d, &has_alpha, &lshort) == -1)
		errx(1, "thumbhash_analyse");
	start = has_alpha ? 6 : 5;
	if (len < start || memcmp(mine, ref, start) != 0)
		return 0;
	for (c = 0; c < (has_alpha ? 4 : 3); c++)
		for (i = 0; i < d[c].nac; i++, nib++) {
			m = nibble(mine, start, nib);
			r = nibble(ref, start, nib);
			if (m == r)
				continue;
			zero = thumbhash_bits(d[c].scale *
			    (c == 0 ? 31 : c == 3 ? 15 : 63)) == 0;
			v = 15 * d[c].ac[i];
			if (!zero && (abs(m - r) != 1 ||
			    fabs(v - floor(v) - 0.5) > 1e-9))
				return 0;
			printf("# noise: channel %d term %d: %d, the reference "
			    "%d (%s)\n", c, i, m, r, zero ? "scale 0" :
			    "a zero term");
			(*noise)++;
		}
	return 1;
}

/*
 * Compares the encoder's bytes on the raw file name (w x h) with the
 * reference's, exactly or but for noise_only(), and its base64 with
 * Node's of the reference's bytes (where the bytes are the same).
 */
static void
compare(const char *what, const char *name, int w, int h, int exact,
    int have_ref)
{
	struct buf	 px = scratch_read(name);
	uint8_t		 out[THUMBHASH_MAX], refb[THUMBHASH_MAX];
	char		 mine[2 * THUMBHASH_MAX + 1], ref[256], b64[THUMBHASH_B64_MAX];
	char		*refb64;
	size_t		 len = 0, rlen;
	int		 rc, same, noise = 0;

	rc = thumbhash_encode(px.p, w, h, out, &len);
	ok(rc == 0 && len > 0 && len <= THUMBHASH_MAX,
	    "%s (%dx%d): encodes, %zu bytes", what, w, h, len);
	hex(out, len, mine);
	if (!have_ref) {
		ok(0, "%s: the same bytes as the reference (no reference: "
		    "npm ci in tests/thumbhash)", what);
		free(px.p);
		return;
	}
	if (!scratch_line(ref, sizeof(ref), "node '%s' %s %d %d", refjs, name, w, h))
		errx(1, "%s: ref.js failed: %s", what, ref);
	if ((refb64 = strchr(ref, ' ')) != NULL)
		*refb64++ = '\0';
	rlen = unhex(ref, refb, sizeof(refb));
	same = strcmp(mine, ref) == 0;
	if (exact)
		ok(same, "%s: the same bytes as the reference", what);
	else {
		rc = same || (rlen == len && noise_only(px.p, w, h, out, refb,
		    len, &noise));
		ok(rc, "%s: the reference's bytes, but for %d nibbles of "
		    "rounding noise", what, noise);
	}
	if (!same)
		printf("# mine %s\n# ref  %s\n", mine, ref);
	rc = thumbhash_base64(refb, rlen, b64, sizeof(b64));
	ok(refb64 != NULL && rc == (int)strlen(refb64) &&
	    strcmp(b64, refb64) == 0, "%s: base64 %s, as Node's", what, b64);
	free(px.p);
}

/* noise_only() itself: a real difference, in a term or the header, is not noise. */
static void
test_noise_rule(void)
{
	struct buf	 px;
	uint8_t		 out[THUMBHASH_MAX], bad[THUMBHASH_MAX];
	size_t		 len;
	int		 noise;

	scratch_sh("convert -size 100x100 -seed 17 plasma: -depth 8 rgba:r.rgba");
	px = scratch_read("r.rgba");
	if (thumbhash_encode(px.p, 100, 100, out, &len) == -1)
		errx(1, "thumbhash_encode");
	memcpy(bad, out, len);
	ok(noise_only(px.p, 100, 100, out, bad, len, &noise) && noise == 0,
	    "noise_only: the same bytes are no noise");
	bad[5] ^= 1;
	ok(!noise_only(px.p, 100, 100, out, bad, len, &noise),
	    "noise_only: a photo's luminance term one step off is a difference");
	memcpy(bad, out, len);
	bad[1] ^= 0x10;
	ok(!noise_only(px.p, 100, 100, out, bad, len, &noise),
	    "noise_only: a header bit off is a difference");
	free(px.p);
}

/* Each made image, scaled to fit 100x100 (never enlarged), as 8-bit RGBA. */
static void
test_made(int have_ref)
{
	char	 size[64], name[32];
	int	 w, h;
	size_t	 i;

	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(name, sizeof(name), "m%zu.rgba", i);
		scratch_sh("convert %s m%zu.png", made[i].args, i);
		if (!scratch_line(size, sizeof(size), "convert m%zu.png -resize "
		    "'100x100>' -depth 8 -print '%%w %%h\\n' rgba:%s", i, name) ||
		    sscanf(size, "%d %d", &w, &h) != 2)
			errx(1, "%s: convert: %s", made[i].name, size);
		compare(made[i].name, name, w, h, made[i].exact, have_ref);
	}
}

/*
 * Noise: every coefficient is small and many sit near a quantiser's step,
 * where one differently rounded operation shows.  A fixed LCG, so a
 * failure repeats.
 */
static void
test_noise(int have_ref)
{
	static const struct { int w, h, alpha; } sz[] = {
		{ 100, 100, 0 }, { 100, 100, 1 }, { 97, 13, 0 }, { 13, 97, 1 },
		{ 7, 5, 0 }, { 1, 100, 1 }, { 100, 1, 0 }, { 2, 2, 1 },
	};
	uint8_t		 px[100 * 100 * 4];
	uint32_t	 s = 12345;
	char		 name[32], what[64];
	size_t		 i, j, n;

	for (i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
		n = (size_t)sz[i].w * sz[i].h * 4;
		for (j = 0; j < n; j++) {
			s = s * 1103515245 + 12345;
			px[j] = (uint8_t)(s >> 16);
			if (j % 4 == 3 && !sz[i].alpha)
				px[j] = 255;
		}
		snprintf(name, sizeof(name), "n%zu.rgba", i);
		snprintf(what, sizeof(what), "noise%s", sz[i].alpha ?
		    " with alpha" : "");
		scratch_write(name, px, n);
		compare(what, name, sz[i].w, sz[i].h, EXACT, have_ref);
	}
}

static void
test_sizes(void)
{
	static uint8_t	 px[101 * 101 * 4];
	uint8_t		 out[THUMBHASH_MAX];
	size_t		 len;
	int		 rc;

	memset(px, 128, sizeof(px));
	ok(thumbhash_encode(px, 101, 100, out, &len) == -1, "101x100 refused");
	ok(thumbhash_encode(px, 100, 101, out, &len) == -1, "100x101 refused");
	ok(thumbhash_encode(px, 0, 10, out, &len) == -1, "0x10 refused");
	ok(thumbhash_encode(px, 10, -1, out, &len) == -1, "10x-1 refused");
	len = 0;
	rc = thumbhash_encode(px, 100, 100, out, &len);
	ok(rc == 0 && len == 25, "100x100 half-transparent grey taken: "
	    "%zu bytes, THUMBHASH_MAX", len);
}

/* RFC 4648's vectors, and a buffer one byte short. */
static void
test_base64(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const uint8_t	 hi[3] = { 0xfb, 0xff, 0xbf };
	char			 dst[THUMBHASH_B64_MAX];
	size_t			 i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = strlen(v[i].in);
		ok(thumbhash_base64((const uint8_t *)v[i].in, n, dst,
		    sizeof(dst)) == (int)strlen(v[i].out) &&
		    strcmp(dst, v[i].out) == 0, "base64 \"%s\": %s", v[i].in,
		    dst);
	}
	ok(thumbhash_base64(hi, 3, dst, sizeof(dst)) == 4 &&
	    strcmp(dst, "+/+/") == 0, "base64 uses + and /: %s", dst);
	ok(thumbhash_base64((const uint8_t *)"foo", 3, dst, 4) == -1 &&
	    dst[0] == '\0', "base64 refuses a buffer without room for the NUL");
	ok(thumbhash_base64((const uint8_t *)"foo", 3, dst, 5) == 4,
	    "base64 fills a buffer of exactly its length and NUL");
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The encoder's time on the 100x100 plasma, opaque and with alpha. */
static void
test_time(void)
{
	struct buf	 px;
	uint8_t		 out[THUMBHASH_MAX];
	size_t		 len, i;
	double		 t0;
	int		 rc = 0, alpha;

	scratch_sh("convert -size 100x100 -seed 17 plasma: -depth 8 rgba:t.rgba");
	px = scratch_read("t.rgba");
	for (alpha = 0; alpha < 2; alpha++) {
		if (alpha)
			for (i = 3; i < px.len; i += 4)
				px.p[i] = (uint8_t)(i % 256);
		t0 = now_ms();
		for (i = 0; i < 1000; i++)
			rc |= thumbhash_encode(px.p, 100, 100, out, &len);
		printf("# thumbhash_encode 100x100%s: %.3f ms each (1000 runs)\n",
		    alpha ? " with alpha" : "", (now_ms() - t0) / 1000);
	}
	ok(rc == 0, "1000 encodes of 100x100 succeed");
	free(px.p);
}

int
main(void)
{
	int	 have_ref;

	scratch_init("t_thumbhash");
	test_sizes();
	test_base64();
	test_noise_rule();
	have_ref = ref_ready();
	test_made(have_ref);
	test_noise(have_ref);
	test_time();
	scratch_done();
	return tap_done();
}
