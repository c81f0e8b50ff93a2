/*
 * A decoded image made ready to scale or to show (lib/prep.c): by the
 * resizer before it makes the variants, and by the upload before it
 * makes a display copy of a HEIC, TIFF or BMP.
 */
#ifndef PREP_H
#define PREP_H

#include <wand/MagickWand.h>

/* What every JPEG and PNG made here is encoded at. */
#define PREP_JPEG_QUALITY	82
/* For PNG the tens are the zlib level and the units the filter (adaptive). */
#define PREP_PNG_QUALITY	75

/*
 * Orients every frame of w, converts a CMYK one to sRGB (by its ICC
 * profile where it has a usable one) and strips it of everything but
 * the ICC profile.  0, or -1 with the error in w's exception.
 */
int		 prep_frames(MagickWand *w);

#endif
