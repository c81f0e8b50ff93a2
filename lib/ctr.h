/*
 * The containers image files are framed in, read without trusting a
 * length: byte readers, the GIF sub-block skipper and the TIFF (EXIF)
 * IFD walker, and the JPEG segment, PNG chunk and RIFF chunk iterators
 * that lib/img_walk.c (probing) and lib/strip*.c (stripping) share.
 */
#ifndef CTR_H
#define CTR_H

#include <stddef.h>
#include <stdint.h>

/* Readers of p[0..n): the caller has checked that the bytes are there. */
uint32_t	 ctr_be16(const uint8_t *p);
uint32_t	 ctr_be32(const uint8_t *p);
uint32_t	 ctr_le16(const uint8_t *p);
uint32_t	 ctr_le24(const uint8_t *p);
uint32_t	 ctr_le32(const uint8_t *p);
/* Big-endian when be is set, else little-endian (TIFF's "MM" or "II"). */
uint32_t	 ctr_rd16(const uint8_t *p, int be);
uint32_t	 ctr_rd32(const uint8_t *p, int be);
void		 ctr_wr32(uint8_t *p, uint32_t v, int be);

/*
 * GIF data sub-blocks from off in p[0..len): the offset past their
 * terminator, or 0 when the input ends before it.
 */
size_t		 ctr_gif_blocks(const uint8_t *p, size_t len, size_t off);

/*
 * A TIFF header at p[0..n): 1 with its byte order in *be and the offset
 * of IFD0 in *ifd0, else 0.
 */
int		 ctr_tiff_hdr(const uint8_t *p, size_t n, int *be,
		    uint32_t *ifd0);
/* Finds tag in the IFD at off; 1 with its value in *val, else 0. */
int		 ctr_ifd_find(const uint8_t *p, size_t n, int be, uint32_t off,
		    uint16_t tag, uint32_t *val);
/* The offset of the IFD after the one at off (IFD1 after IFD0), or 0. */
uint32_t	 ctr_ifd_next(const uint8_t *p, size_t n, int be, uint32_t off);

/* One IFD entry as stored, at[0..4) its value field, inside the input. */
struct ctr_ifd_ent {
	uint16_t	 type;	/* 1 BYTE, 3 SHORT, 4 LONG, 7 UNDEFINED... */
	uint32_t	 count;	/* of values, not bytes */
	uint32_t	 val;	/* the value field: the values, or their offset */
	size_t		 at;	/* the value field's offset */
};
/* Finds tag in the IFD at off; 1 with its entry in *ent, else 0. */
int		 ctr_ifd_entry(const uint8_t *p, size_t n, int be,
		    uint32_t off, uint16_t tag, struct ctr_ifd_ent *ent);
/*
 * Value i of a SHORT or LONG entry, from the field or out of line: 1
 * with it in *v; 0 for another type, i past the count, or values that
 * are not all in p[0..n).
 */
int		 ctr_ifd_uint(const uint8_t *p, size_t n, int be,
		    const struct ctr_ifd_ent *ent, uint32_t i, uint32_t *v);

/*
 * A walk over p[0..len) from off, on the caller's stack: set p, len and
 * off (where the first segment or chunk header is), done to 0.  The
 * iterators move off past each segment they return and leave it alone
 * otherwise, so after the walk p[off..len) is what was not walked.
 */
struct ctr_it {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
	int		 done;	/* JPEG: SOS or EOI seen */
};

/*
 * One segment or chunk, as offsets into the walked p, all bounded by
 * its len: from <= at < data <= data + dlen <= end <= len.
 */
struct ctr_seg {
	size_t		 from;	/* the previous end: junk, fill, standalone
				   markers lie in [from, at) */
	size_t		 at;	/* the 0xff of the marker, or the chunk */
	size_t		 data;	/* the payload */
	size_t		 dlen;	/* its length */
	size_t		 end;	/* past the segment (CRC, padding) */
	int		 marker;	/* JPEG: the marker byte */
	const uint8_t	*tag;	/* PNG, RIFF: the four-byte type */
};

enum ctr_step {
	CTR_SEG,	/* *seg is the next segment */
	CTR_END,	/* JPEG: past SOS or at EOI; else no header follows */
	CTR_BAD,	/* a header runs past the input, or a length lies */
};

/* The next JPEG segment with a length, up to and including SOS. */
enum ctr_step	 ctr_jpeg_next(struct ctr_it *it, struct ctr_seg *seg);
/* The next PNG chunk: length, type, data, CRC. */
enum ctr_step	 ctr_png_next(struct ctr_it *it, struct ctr_seg *seg);
/* The next RIFF chunk: type, little-endian length, data, even padding. */
enum ctr_step	 ctr_riff_next(struct ctr_it *it, struct ctr_seg *seg);
/*
 * The next ISO BMFF box (HEIF, AVIF): a big-endian size that counts the
 * header, the type in seg->tag, then the payload.  Size 1 is a 64-bit
 * size after the type, size 0 a box to the end of it->len.  The payload
 * of a full box starts with its version and flags, and that of a "uuid"
 * box with the 16-byte user type: both are the caller's to read.  To walk
 * the boxes inside a box, start a walk at its data with len at its end.
 */
enum ctr_step	 ctr_box_next(struct ctr_it *it, struct ctr_seg *seg);

#endif
