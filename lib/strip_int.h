/*
 * What the files of the stripper share: strip.c (the driver, JPEG, WebP,
 * GIF), strip_out.c (the output), strip_png.c, strip_tiff.c, strip_exif.c,
 * strip_xmp.c and strip_iptc.c.
 */
#ifndef STRIP_INT_H
#define STRIP_INT_H

#include <stdint.h>

/* next_in is const: zlib never writes the input. */
#define ZLIB_CONST
#include <zlib.h>

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


void		 strip_out_init(struct strip_out *, size_t);
void		 strip_out_done(struct strip_out *);
void		 strip_put(struct strip_out *, const void *, size_t);
void		 strip_put_xmp(struct strip_out *, const unsigned char *,
		    size_t, size_t);
size_t		 strip_prop_at(const unsigned char *, size_t);
int		 strip_exif_hdr(const unsigned char *, size_t);
enum strip_status strip_exif(const unsigned char *, size_t,
		    unsigned char **, size_t *);
int		 strip_exif_blank_gps(unsigned char *, size_t);
int		 strip_exif_blank_gps_at(unsigned char *, size_t, int, uint32_t,
		    size_t *);
long		 strip_iim(struct strip_out *, const unsigned char *, size_t);
int		 strip_irb(struct strip_out *, const unsigned char *, size_t);
void		 strip_png_count(struct strip_out *, const unsigned char *,
		    size_t);
enum strip_status strip_png(const unsigned char *, size_t,
		    struct strip_out *);
int		 strip_is_png(const unsigned char *, size_t);
enum strip_status strip_bmff(const unsigned char *, size_t,
		    unsigned char **, size_t *);
enum strip_status strip_tiff(const unsigned char *, size_t,
		    unsigned char **, size_t *);

#endif
