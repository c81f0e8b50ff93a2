/*
 * The containers image files are framed in, read without trusting a
 * length: byte readers, the GIF sub-block skipper and the TIFF (EXIF)
 * IFD walker that lib/img.c (probing) and lib/strip*.c (stripping) share.
 * FIXME: the JPEG segment, PNG chunk and RIFF chunk walks of img.c and
 * strip.c are still each their own; iterators here would join them, and
 * ISO BMFF boxes (HEIF, AVIF) belong here too.
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

#endif
