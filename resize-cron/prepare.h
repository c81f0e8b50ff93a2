/*
 * The frames of a decoded image made ready to scale (resize-cron/prepare.c).
 */
#ifndef PREPARE_H
#define PREPARE_H

#include <wand/MagickWand.h>

/*
 * Orients every frame of w, converts a CMYK one to sRGB (by its ICC
 * profile where it has a usable one) and strips it of everything but
 * the ICC profile.  0, or -1 with the error in w's exception.
 */
int		 prep_frames(MagickWand *w);

#endif
