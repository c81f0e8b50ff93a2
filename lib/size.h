/*
 * The variant sizes (API.md, "Sizes"): the one list in the code.
 */
#ifndef SIZE_H
#define SIZE_H

struct size {
	const char	*name;		/* "small", as in URLs and the database */
	long		 box;		/* bounding box side in pixels */
};

/* The variants, smallest first, ending with a NULL name. */
extern const struct size size_list[];

/* The size called name, or NULL (so "original" is NULL too). */
const struct size *size_find(const char *name);

/*
 * Fits w x h into a box x box square, keeping the aspect ratio and never
 * upscaling; each side is at least 1 pixel.
 */
void	size_fit(long w, long h, long box, long *ow, long *oh);

#endif
