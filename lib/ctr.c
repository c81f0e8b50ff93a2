/*
 * Container framing shared by probing (lib/img.c) and stripping
 * (lib/strip*.c): byte readers, GIF sub-blocks, TIFF IFDs, and the
 * JPEG, PNG and RIFF segment iterators.  Every
 * function here takes the bytes' bound and reads nothing past it.
 */
#include <stddef.h>
#include <stdint.h>

#include "ctr.h"

/* The two bytes at p, big-endian. */
uint32_t
ctr_be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* The four bytes at p, big-endian. */
uint32_t
ctr_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The two bytes at p, little-endian. */
uint32_t
ctr_le16(const uint8_t *p)
{
	return (uint32_t)p[1] << 8 | p[0];
}

/* The three bytes at p, little-endian (WebP's canvas and frames). */
uint32_t
ctr_le24(const uint8_t *p)
{
	return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The four bytes at p, little-endian. */
uint32_t
ctr_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | ctr_le24(p);
}

/* Two bytes in the given order. */
uint32_t
ctr_rd16(const uint8_t *p, int be)
{
	return be ? ctr_be16(p) : ctr_le16(p);
}

/* Four bytes in the given order. */
uint32_t
ctr_rd32(const uint8_t *p, int be)
{
	return be ? ctr_be32(p) : ctr_le32(p);
}

/* Writes v into the four bytes at p in the given order. */
void
ctr_wr32(uint8_t *p, uint32_t v, int be)
{
	int	 i;

	for (i = 0; i < 4; i++)
		p[be ? i : 3 - i] = v >> (24 - 8 * i);
}

/* Each sub-block is a length byte and that many bytes; 0 ends them. */
size_t
ctr_gif_blocks(const uint8_t *p, size_t len, size_t off)
{
	while (off < len) {
		if (p[off] == 0)
			return off + 1;
		if (p[off] >= len - off)
			return 0;
		off += 1 + (size_t)p[off];
	}
	return 0;
}

/* "MM" or "II", then (not checked, as readers do not) 42, then IFD0. */
int
ctr_tiff_hdr(const uint8_t *p, size_t n, int *be, uint32_t *ifd0)
{
	if (n < 8)
		return 0;
	if (p[0] == 'M' && p[1] == 'M')
		*be = 1;
	else if (p[0] == 'I' && p[1] == 'I')
		*be = 0;
	else
		return 0;
	*ifd0 = ctr_rd32(p + 4, *be);
	return 1;
}

/* An IFD: a count, then 12-byte entries of tag, type, count, value. */
int
ctr_ifd_entry(const uint8_t *p, size_t n, int be, uint32_t off,
    uint16_t tag, struct ctr_ifd_ent *ent)
{
	size_t	 e, i, count;

	if (off > n || n - off < 2)
		return 0;
	count = ctr_rd16(p + off, be);
	for (i = 0; i < count; i++) {
		e = off + 2 + 12 * i;
		if (e > n || n - e < 12)
			return 0;
		if (ctr_rd16(p + e, be) != tag)
			continue;
		ent->type = ctr_rd16(p + e + 2, be);
		ent->count = ctr_rd32(p + e + 4, be);
		ent->at = e + 8;
		ent->val = ctr_rd32(p + e + 8, be);
		return 1;
	}
	return 0;
}

/* The value field of ctr_ifd_entry()'s entry. */
int
ctr_ifd_find(const uint8_t *p, size_t n, int be, uint32_t off,
    uint16_t tag, uint32_t *val)
{
	struct ctr_ifd_ent	 ent;

	if (!ctr_ifd_entry(p, n, be, off, tag, &ent))
		return 0;
	*val = ent.val;
	return 1;
}

/* The next IFD's offset follows the last entry. */
uint32_t
ctr_ifd_next(const uint8_t *p, size_t n, int be, uint32_t off)
{
	size_t	 e;

	if (off > n || n - off < 2)
		return 0;
	e = off + 2 + 12 * (size_t)ctr_rd16(p + off, be);
	if (e > n || n - e < 4)
		return 0;
	return ctr_rd32(p + e, be);
}

/*
 * SHORT (3) or LONG (4) values: the value field holds them when they
 * fit in its four bytes, else the offset where they are.
 */
int
ctr_ifd_uint(const uint8_t *p, size_t n, int be,
    const struct ctr_ifd_ent *ent, uint32_t i, uint32_t *v)
{
	size_t	 sz, at;

	if (ent->type != 3 && ent->type != 4)
		return 0;
	sz = ent->type == 3 ? 2 : 4;
	if (i >= ent->count)
		return 0;
	if (ent->count <= 4 / sz)
		at = ent->at;
	else if ((at = ent->val) > n || (n - at) / sz < ent->count)
		return 0;	/* not all of the values are there */
	at += sz * i;
	*v = sz == 2 ? ctr_rd16(p + at, be) : ctr_rd32(p + at, be);
	return 1;
}

/* No length follows these: RSTn, TEM, 0xff 0x00 (no marker), and SOI. */
static int
ctr_jpeg_alone(int m)
{
	return m == 0x00 || m == 0x01 || m == 0xd8 || (m >= 0xd0 && m <= 0xd7);
}

/*
 * The offset of the next marker byte with a length from off, or len.
 * Junk where a marker should be is passed over, as decoders do (and
 * exiftool, which reads the segments after it), and so are fill bytes.
 */
static size_t
ctr_jpeg_marker(const uint8_t *p, size_t len, size_t off)
{
	while (off < len) {
		if (p[off] != 0xff) {
			off++;
			continue;
		}
		while (off < len && p[off] == 0xff)
			off++;
		if (off == len || !ctr_jpeg_alone(p[off]))
			return off;
		off++;
	}
	return len;
}

/* A marker, a big-endian length that counts itself, the payload. */
enum ctr_step
ctr_jpeg_next(struct ctr_it *it, struct ctr_seg *seg)
{
	size_t	 m, n;

	if (it->done || it->off > it->len)
		return it->done ? CTR_END : CTR_BAD;
	if ((m = ctr_jpeg_marker(it->p, it->len, it->off)) == it->len)
		return CTR_BAD;
	if (it->p[m] == 0xd9) {
		it->done = 1;
		return CTR_END;
	}
	if (it->len - m < 3)
		return CTR_BAD;
	n = ctr_be16(it->p + m + 1);
	if (n < 2 || n > it->len - m - 1)
		return CTR_BAD;
	seg->from = it->off;
	seg->at = m - 1;
	seg->data = m + 3;
	seg->dlen = n - 2;
	seg->end = m + 1 + n;
	seg->marker = it->p[m];
	seg->tag = NULL;
	it->off = seg->end;
	it->done = seg->marker == 0xda;
	return CTR_SEG;
}

/*
 * Fills seg with the chunk at it->off of hlen header bytes, dlen data
 * and tail bytes after them (clipped to the input) and moves past it.
 */
static enum ctr_step
ctr_chunk(struct ctr_it *it, struct ctr_seg *seg, size_t tagat, size_t hlen,
    size_t dlen, size_t tail)
{
	seg->from = seg->at = it->off;
	seg->data = it->off + hlen;
	seg->dlen = dlen;
	seg->end = seg->data + dlen;
	seg->end += tail < it->len - seg->end ? tail : it->len - seg->end;
	seg->marker = 0;
	seg->tag = it->p + it->off + tagat;
	it->off = seg->end;
	return CTR_SEG;
}

/*
 * The PNG spec caps a chunk's length at 2^31-1: a longer one is a lie
 * whether or not the bytes are there.
 */
enum ctr_step
ctr_png_next(struct ctr_it *it, struct ctr_seg *seg)
{
	uint32_t	 n;

	if (it->off > it->len)
		return CTR_BAD;
	if (it->len - it->off < 12)
		return CTR_END;
	n = ctr_be32(it->p + it->off);
	if (n > 0x7fffffff || n > it->len - it->off - 12)
		return CTR_BAD;
	return ctr_chunk(it, seg, 4, 8, n, 4);
}

/* A pad byte after an odd length, when the input has it. */
enum ctr_step
ctr_riff_next(struct ctr_it *it, struct ctr_seg *seg)
{
	uint32_t	 n;

	if (it->off > it->len)
		return CTR_BAD;
	if (it->len - it->off < 8)
		return CTR_END;
	n = ctr_le32(it->p + it->off + 4);
	if (n > it->len - it->off - 8)
		return CTR_BAD;
	return ctr_chunk(it, seg, 0, 8, n, n & 1);
}

/*
 * A box that claims more than the input, or less than its own header, is
 * a lie: the walk stops there.  So is a header cut off by the end.
 */
enum ctr_step
ctr_box_next(struct ctr_it *it, struct ctr_seg *seg)
{
	uint64_t	 n;
	size_t		 left, hlen = 8;

	if (it->off > it->len)
		return CTR_BAD;
	if ((left = it->len - it->off) == 0)
		return CTR_END;
	if (left < 8)
		return CTR_BAD;
	n = ctr_be32(it->p + it->off);
	if (n == 1) {
		if (left < 16)
			return CTR_BAD;
		hlen = 16;
		n = (uint64_t)ctr_be32(it->p + it->off + 8) << 32 |
		    ctr_be32(it->p + it->off + 12);
	} else if (n == 0)
		n = left;
	if (n < hlen || n > left)
		return CTR_BAD;
	return ctr_chunk(it, seg, 4, hlen, (size_t)n - hlen, 0);
}
