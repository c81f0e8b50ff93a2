/*
 * The variant sizes.
 */
#include <string.h>

#include "size.h"

const struct size size_list[] = {
	{ "small", 320 },
	{ "medium", 640 },
	{ "large", 1280 },
	{ NULL, 0 },
};

const struct size *
size_find(const char *name)
{
	const struct size	*s;

	for (s = size_list; s->name != NULL; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

void
size_fit(long w, long h, long box, long *ow, long *oh)
{
	if (w <= box && h <= box) {
		*ow = w;
		*oh = h;
	} else if (w >= h) {
		*ow = box;
		*oh = (h * box + w / 2) / w;
	} else {
		*oh = box;
		*ow = (w * box + h / 2) / h;
	}
	if (*ow < 1)
		*ow = 1;
	if (*oh < 1)
		*oh = 1;
}
