/*
 * ThumbHash (Evan Wallace's image placeholder, https://evanw.github.io/thumbhash/):
 * about 25 bytes that say an image's aspect ratio, average colour and
 * alpha, and a few of its lowest frequencies, which a page paints while
 * the image loads.  API.md's `placeholder` is these bytes in base64.
 */
#ifndef THUMBHASH_H
#define THUMBHASH_H

#include <stddef.h>
#include <stdint.h>

/* The widest and tallest image the algorithm takes (its reference refuses more). */
#define THUMBHASH_SIDE_MAX	100

/*
 * The longest hash: 5 header bytes, 1 more with alpha, and 4 bits for
 * each AC coefficient.  With alpha: 14 of luminance (5x5), 5 of each
 * colour channel (3x3), 14 of alpha (5x5), 38 nibbles, 19 bytes, 25 in
 * all; without: at most 27 of luminance (7x7) and 5 + 5, 37 nibbles,
 * 19 bytes, 24 in all.
 */
#define THUMBHASH_MAX		25

/* Base64 of THUMBHASH_MAX bytes with its padding, and the NUL. */
#define THUMBHASH_B64_MAX	(4 * ((THUMBHASH_MAX + 2) / 3) + 1)

/*
 * Encodes w x h 8-bit RGBA pixels (row by row, 4 bytes a pixel, not
 * premultiplied; 1 <= w, h <= THUMBHASH_SIDE_MAX) into out, and its length
 * into *outlen.  The bytes are the reference encoder's, bit for bit.
 * Returns 0, or -1 when the size is out of range or memory runs out.  The
 * caller owns both buffers; nothing is kept.
 */
int		thumbhash_encode(const uint8_t *rgba, int w, int h,
		    uint8_t out[THUMBHASH_MAX], size_t *outlen);

/*
 * Writes hash[0..len) as standard base64 (RFC 4648, "+/" and "=" padding,
 * what the reference's demo stores) and a NUL into dst.  Returns the
 * length of the text, or -1 when dstsz cannot hold it and its NUL (then
 * dst is left empty if dstsz > 0).
 */
int		thumbhash_base64(const uint8_t *hash, size_t len, char *dst,
		    size_t dstsz);

#endif
