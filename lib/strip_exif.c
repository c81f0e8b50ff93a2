/*
 * EXIF: a block that points to a GPS IFD (found by the IFD walk of
 * lib/ctr.c) is loaded by libexif, its GPS IFD emptied, and saved.
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libexif/exif-data.h>

#include "ctr.h"
#include "strip.h"
#include "strip_int.h"


/*
 * 1 when p starts with the "Exif\0\0" header.  exiftool takes any sixth
 * byte, so this does too.
 */
int
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
enum strip_status
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

/* The bytes of one value of a TIFF field type; 0 for an unknown type. */
static size_t
strip_tiff_type_size(uint32_t type)
{
	static const uint8_t	 sizes[] = {
		0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8,
	};

	return type < sizeof(sizes) ? sizes[type] : 0;
}

/*
 * Empties the IFD at off in place: the values its entries point to and
 * the entries become zeros, its count 0.  Offsets elsewhere hold.  The
 * values zeroed are drawn from *left: a hostile IFD of many entries that
 * each claim the whole input would otherwise cost entries x input; one
 * past it is left where it is, its entry gone.
 */
static void
strip_ifd_blank(unsigned char *p, size_t n, int be, uint32_t off,
    size_t *left)
{
	size_t		 e, i, count, vlen;
	uint32_t	 voff;

	if (off > n || n - off < 2)
		return;
	count = ctr_rd16(p + off, be);
	for (i = 0; i < count; i++) {
		e = off + 2 + 12 * i;
		if (e > n || n - e < 12)
			break;
		vlen = strip_tiff_type_size(ctr_rd16(p + e + 2, be));
		if (vlen != 0 && ctr_rd32(p + e + 4, be) > 4 / vlen) {
			vlen *= ctr_rd32(p + e + 4, be);
			voff = ctr_rd32(p + e + 8, be);
			if (voff <= n && vlen <= n - voff && vlen <= *left) {
				memset(p + voff, 0, vlen);
				*left -= vlen;
			}
		}
		memset(p + e, 0, 12);
	}
	p[off] = p[off + 1] = 0;
}

/*
 * strip_exif_blank_gps() from the IFD at ifd rather than the header's
 * IFD0, for the pages of a TIFF file: its GPS IFD, its Exif IFD's, the
 * next IFD's.  The values zeroed are drawn from *left, which the caller
 * sets to what its calls together may zero.
 */
int
strip_exif_blank_gps_at(unsigned char *p, size_t n, int be, uint32_t ifd,
    size_t *left)
{
	uint32_t	 sub, gps[3];
	int		 i, found = 0;

	/* Where readers look: IFD0, and the Exif IFD and IFD1 besides. */
	if (ctr_ifd_find(p, n, be, ifd, EXIF_TAG_GPS_INFO_IFD_POINTER,
	    &gps[found]))
		found++;
	if (ctr_ifd_find(p, n, be, ifd, EXIF_TAG_EXIF_IFD_POINTER, &sub) &&
	    ctr_ifd_find(p, n, be, sub, EXIF_TAG_GPS_INFO_IFD_POINTER,
	    &gps[found]))
		found++;
	if ((sub = ctr_ifd_next(p, n, be, ifd)) != 0 &&
	    ctr_ifd_find(p, n, be, sub, EXIF_TAG_GPS_INFO_IFD_POINTER,
	    &gps[found]))
		found++;
	for (i = 0; i < found; i++)
		strip_ifd_blank(p, n, be, gps[i], left);
	return found;
}

/*
 * Blanks the GPS IFDs of the TIFF structure at p[0..n) in place, for
 * containers whose offsets must hold: a TIFF file, a HEIF EXIF item.
 * The pointer stays, to an IFD of no entries, so nothing moves.
 * Returns the number of GPS IFDs blanked.
 */
int
strip_exif_blank_gps(unsigned char *p, size_t n)
{
	uint32_t	 ifd0;
	size_t		 left = n;	/* what a real EXIF's values hold */
	int		 be;

	if (!ctr_tiff_hdr(p, n, &be, &ifd0))
		return 0;
	return strip_exif_blank_gps_at(p, n, be, ifd0, &left);
}
