/*
 * ThumbHash encoding, written from its public description: the image,
 * composited over its own average colour, becomes four channels (L
 * luminance, P yellow-blue, Q red-green, A alpha), each reduced to its
 * lowest DCT coefficients; the DC terms and the largest AC magnitudes
 * go in a packed header, and every AC term, divided by that magnitude,
 * in 4 bits.
 *
 * The reference is JavaScript, whose numbers are doubles rounded after
 * each operation.  For the same bytes this file uses double throughout,
 * keeps the reference's order of operations and of summation (a
 * reordered sum rounds differently, and a coefficient near a step of
 * its 4-bit quantiser lands on the other side), rounds as Math.round
 * does (half up, thumbhash_round), and is built with -ffp-contract=off
 * (Makefile.am), since a fused multiply-add rounds once where the
 * reference rounds twice.
 *
 * One difference is left: glibc's cos and V8's differ in the last bit
 * for about 3% of the arguments used here.  Terms of a photo's DCT are
 * far from a step and come out the same; but a term that is zero but
 * for rounding (every AC term of a flat channel, the odd terms of a
 * symmetric image) is a sum that cancels, and its sign follows those
 * last bits.  Scaled by a real maximum it sits at 7.5 and rounds to 7 or
 * to 8; in a flat channel, scaled by its own tiny maximum, it lands
 * anywhere, but the header gives that channel a scale of 0 and the
 * decoder multiplies it by zero.  So flat colours and gradients may
 * differ from the reference in a nibble or two, invisibly.  FIXME: a cos
 * with V8's roundings (fdlibm's) would make those bytes the same too.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "thumbhash.h"

/* The most DCT terms along one axis: luminance's 7 without alpha. */
#define THUMBHASH_AXIS_MAX	7
/* The most AC terms of one channel: 7x7 luminance's 28 less its DC. */
#define THUMBHASH_AC_MAX	27

/* One channel's DCT: the DC term and the AC terms, scaled into [0, 1]. */
struct thumbhash_dct {
	double		 dc;
	double		 ac[THUMBHASH_AC_MAX];
	int		 nac;
	double		 scale;		/* the largest |AC| before scaling */
};

/* The image as four planes of w * h doubles, one allocation. */
struct thumbhash_lpqa {
	double		*l, *p, *q, *a;
	int		 has_alpha;
};

/*
 * JavaScript's Math.round: the nearest integer, halves towards +inf.
 * floor(x + 0.5) is not the same: it takes 0.49999999999999994 to 1.
 */
static double
thumbhash_round(double x)
{
	double	 r = floor(x);

	return x - r >= 0.5 ? r + 1 : r;
}

/*
 * A rounded value as the reference's bit operators see it (ToInt32);
 * every value packed here is small and non-negative.
 */
static uint32_t
thumbhash_bits(double x)
{
	return (uint32_t)(int32_t)thumbhash_round(x);
}

/*
 * The alpha-weighted average colour into avg[0..2], and the sum of alpha
 * (in pixels) into avg[3].  A transparent image averages black.
 */
static void
thumbhash_average(const uint8_t *rgba, int n, double avg[4])
{
	double	 alpha;
	int	 i, c;

	avg[0] = avg[1] = avg[2] = avg[3] = 0;
	for (i = 0; i < n; i++, rgba += 4) {
		alpha = rgba[3] / 255.0;
		for (c = 0; c < 3; c++)
			avg[c] += alpha / 255 * rgba[c];
		avg[3] += alpha;
	}
	if (avg[3] != 0)
		for (c = 0; c < 3; c++)
			avg[c] /= avg[3];
}

/* Fills the planes: each pixel composited over the average colour. */
static void
thumbhash_planes(const uint8_t *rgba, int n, const double avg[4],
    struct thumbhash_lpqa *im)
{
	double	 alpha, r, g, b;
	int	 i;

	for (i = 0; i < n; i++, rgba += 4) {
		alpha = rgba[3] / 255.0;
		r = avg[0] * (1 - alpha) + alpha / 255 * rgba[0];
		g = avg[1] * (1 - alpha) + alpha / 255 * rgba[1];
		b = avg[2] * (1 - alpha) + alpha / 255 * rgba[2];
		im->l[i] = (r + g + b) / 3;
		im->p[i] = (r + g) / 2 - b;
		im->q[i] = r - g;
		im->a[i] = alpha;
	}
}

/* cos(pi / size * k * (i + 0.5)) for k < nk, i < size, as the reference writes it. */
static void
thumbhash_cosines(int size, int nk,
    double t[THUMBHASH_AXIS_MAX][THUMBHASH_SIDE_MAX])
{
	int	 k, i;

	for (k = 0; k < nk; k++)
		for (i = 0; i < size; i++)
			t[k][i] = cos(M_PI / size * k * (i + 0.5));
}

/* One DCT coefficient of the plane; the sum runs row by row, as the reference's. */
static double
thumbhash_coef(const double *plane, int w, int h, const double *fx,
    const double *fy)
{
	double	 f = 0;
	int	 x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			f += plane[x + y * w] * fx[x] * fy[y];
	return f / (w * h);
}

/*
 * The coefficients (cx, cy) of the triangle cx * ny < nx * (ny - cy), in
 * rows of cy, with the AC terms then mapped from [-scale, scale] to [0, 1].
 */
static void
thumbhash_channel(const double *plane, int w, int h, int nx, int ny,
    struct thumbhash_dct *d)
{
	double	 fx[THUMBHASH_AXIS_MAX][THUMBHASH_SIDE_MAX];
	double	 fy[THUMBHASH_AXIS_MAX][THUMBHASH_SIDE_MAX];
	double	 f;
	int	 cx, cy, i;

	thumbhash_cosines(w, nx, fx);
	thumbhash_cosines(h, ny, fy);
	d->dc = d->scale = 0;
	d->nac = 0;
	for (cy = 0; cy < ny; cy++)
		for (cx = 0; cx * ny < nx * (ny - cy); cx++) {
			f = thumbhash_coef(plane, w, h, fx[cx], fy[cy]);
			if (cx == 0 && cy == 0) {
				d->dc = f;
				continue;
			}
			d->ac[d->nac++] = f;
			if (fabs(f) > d->scale)
				d->scale = fabs(f);
		}
	if (d->scale != 0)
		for (i = 0; i < d->nac; i++)
			d->ac[i] = 0.5 + 0.5 / d->scale * d->ac[i];
}

/* Appends the channel's AC terms, 4 bits each, low nibble first. */
static void
thumbhash_nibbles(const struct thumbhash_dct *d, uint8_t *out, int *nib)
{
	int	 i;

	for (i = 0; i < d->nac; i++, (*nib)++)
		out[*nib >> 1] |= (uint8_t)(thumbhash_bits(15 * d->ac[i]) <<
		    ((*nib & 1) << 2));
}

/* How many luminance terms along a side of length side, the longer being max. */
static int
thumbhash_lterms(int limit, int side, int max)
{
	int	 n = (int)thumbhash_round((double)(limit * side) / max);

	return n < 1 ? 1 : n;
}

static int
thumbhash_max3(int n)
{
	return n < 3 ? 3 : n;
}

/*
 * Packs the header: 24 bits of L's DC, P's and Q's DC and L's scale and
 * the alpha flag; 16 of the luminance terms along the shorter side, P's
 * and Q's scales, and whether the image is landscape; and with alpha a
 * byte of A's DC and scale.  Returns where the AC nibbles start.
 */
static size_t
thumbhash_header(const struct thumbhash_dct d[4], int has_alpha,
    int landscape, int lshort, uint8_t *out)
{
	uint32_t	 h24, h16;

	h24 = thumbhash_bits(63 * d[0].dc) |
	    thumbhash_bits(31.5 + 31.5 * d[1].dc) << 6 |
	    thumbhash_bits(31.5 + 31.5 * d[2].dc) << 12 |
	    thumbhash_bits(31 * d[0].scale) << 18 | (uint32_t)has_alpha << 23;
	h16 = (uint32_t)lshort | thumbhash_bits(63 * d[1].scale) << 3 |
	    thumbhash_bits(63 * d[2].scale) << 9 | (uint32_t)landscape << 15;
	out[0] = h24 & 255;
	out[1] = (h24 >> 8) & 255;
	out[2] = (h24 >> 16) & 255;
	out[3] = h16 & 255;
	out[4] = (h16 >> 8) & 255;
	if (!has_alpha)
		return 5;
	out[5] = (thumbhash_bits(15 * d[3].dc) |
	    thumbhash_bits(15 * d[3].scale) << 4) & 255;
	return 6;
}

/*
 * The four channels' DCTs of the planes into d (d[3] only with alpha).
 * Returns luminance's number of terms along the image's shorter side.
 */
static int
thumbhash_dcts(const struct thumbhash_lpqa *im, int w, int h,
    struct thumbhash_dct d[4])
{
	int	 limit, lx, ly, big;

	/* Alpha takes its bits from luminance's. */
	limit = im->has_alpha ? 5 : 7;
	big = w > h ? w : h;
	lx = thumbhash_lterms(limit, w, big);
	ly = thumbhash_lterms(limit, h, big);
	thumbhash_channel(im->l, w, h, thumbhash_max3(lx), thumbhash_max3(ly),
	    &d[0]);
	thumbhash_channel(im->p, w, h, 3, 3, &d[1]);
	thumbhash_channel(im->q, w, h, 3, 3, &d[2]);
	if (im->has_alpha)
		thumbhash_channel(im->a, w, h, 5, 5, &d[3]);
	return w > h ? ly : lx;
}

/*
 * The image's DCTs, as thumbhash_dcts, into d, whether it has alpha into
 * *has_alpha, and the shorter side's terms into *lshort.  Returns 0, or
 * -1 when memory runs out.
 */
static int
thumbhash_analyse(const uint8_t *rgba, int w, int h,
    struct thumbhash_dct d[4], int *has_alpha, int *lshort)
{
	struct thumbhash_lpqa	 im;
	double			 avg[4];
	double			*buf;
	int			 n = w * h;

	if ((buf = calloc((size_t)n * 4, sizeof(*buf))) == NULL)
		return -1;
	im.l = buf;
	im.p = buf + n;
	im.q = buf + 2 * n;
	im.a = buf + 3 * n;
	thumbhash_average(rgba, n, avg);
	/* Any pixel short of opaque: the sum of alpha falls under n. */
	im.has_alpha = avg[3] < n;
	thumbhash_planes(rgba, n, avg, &im);
	*lshort = thumbhash_dcts(&im, w, h, d);
	*has_alpha = im.has_alpha;
	free(buf);
	return 0;
}

int
thumbhash_encode(const uint8_t *rgba, int w, int h,
    uint8_t out[THUMBHASH_MAX], size_t *outlen)
{
	struct thumbhash_dct	 d[4];
	size_t			 start;
	int			 has_alpha, lshort, nib = 0, c;

	if (w < 1 || h < 1 || w > THUMBHASH_SIDE_MAX || h > THUMBHASH_SIDE_MAX)
		return -1;
	if (thumbhash_analyse(rgba, w, h, d, &has_alpha, &lshort) == -1)
		return -1;
	for (c = 0; c < THUMBHASH_MAX; c++)
		out[c] = 0;
	start = thumbhash_header(d, has_alpha, w > h, lshort, out);
	for (c = 0; c < (has_alpha ? 4 : 3); c++)
		thumbhash_nibbles(&d[c], out + start, &nib);
	*outlen = start + (size_t)(nib + 1) / 2;
	return 0;
}

int
thumbhash_base64(const uint8_t *hash, size_t len, char *dst, size_t dstsz)
{
	static const char	 b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t		 v;
	size_t			 i, j = 0, need;

	if (dstsz > 0)
		dst[0] = '\0';
	if (len > THUMBHASH_MAX)
		return -1;
	need = 4 * ((len + 2) / 3);
	if (dstsz <= need)
		return -1;
	for (i = 0; i < len; i += 3) {
		v = (uint32_t)hash[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)hash[i + 1] << 8;
		if (i + 2 < len)
			v |= hash[i + 2];
		dst[j++] = b64[v >> 18];
		dst[j++] = b64[(v >> 12) & 63];
		dst[j++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		dst[j++] = i + 2 < len ? b64[v & 63] : '=';
	}
	dst[j] = '\0';
	return (int)j;
}
