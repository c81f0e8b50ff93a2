/*
 * Image probing: the type from the magic bytes alone, then dimensions
 * and frame count from ImageMagick, locked down before it sees a byte.
 */
#ifndef IMG_H
#define IMG_H

#include <stddef.h>

#include "img_type.h"

struct conf;

enum img_status {
	IMG_OK = 0,	/* decodes, within every limit */
	IMG_BAD,	/* the decoder refuses it (a bare header, say) */
	IMG_TOO_BIG,	/* over max_side, max_pixels or max_frames */
};

struct img_info {
	enum img_type	 type;
	long		 width;		/* as displayed: after EXIF rotation */
	long		 height;
	long		 frames;	/* a TIFF's pages */
	int		 alpha;		/* HEIC, AVIF: an alpha channel */
};

/*
 * Starts ImageMagick with the security policy (only the four coders, no
 * delegates, no "@file" paths) and the resource limits derived from c.
 * Start-up only: exits with a message if the policy cannot be set.
 */
void		 img_init(const struct conf *c);
void		 img_done(void);

/*
 * What img_probe() checks before any decoder runs: the magic bytes say t,
 * image data follows the header, and the dimensions (and WebP frames)
 * the headers claim are within c's limits.  IMG_OK, IMG_BAD or
 * IMG_TOO_BIG; logs why once.  Reads headers only, inflates nothing.
 */
enum img_status	 img_check_headers(const void *buf, size_t len, enum img_type,
		    const struct conf *c);

/*
 * Pings buf (decoder forced to the sniffed type, no full decode) for its
 * dimensions and frame count, and checks them against c's limits.
 */
enum img_status	 img_probe(const void *buf, size_t len, enum img_type,
		    const struct conf *c, struct img_info *out);

#endif
