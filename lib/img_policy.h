/*
 * What lib/img_policy.c (ImageMagick's policy and limits) shares with
 * lib/img.c (probing) inside the img module.
 */
#ifndef IMG_POLICY_H
#define IMG_POLICY_H

/*
 * The side ImageMagick will really decode: max_side, or less where a
 * system policy.xml caps the width or height resource; -1 before
 * img_init() and after img_done().
 */
extern long long	img_side_cap;

#endif
