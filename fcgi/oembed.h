/*
 * oEmbed (https://oembed.com/): what GET /oembed reads from its url
 * parameter, apart from the handler so that it is tested alone.
 */
#ifndef OEMBED_H
#define OEMBED_H

#include "id.h"

/*
 * 0 with the image id in id when url is base's page of an image,
 * "{base}/{id}", then nothing, a query or a fragment; -1 otherwise.
 * The scheme may be http or https whatever base's is, and the host is
 * compared without case; the rest must be as base has it.  url is
 * decoded already.
 */
int	oembed_page_id(const char *url, const char *base,
	    char id[ID_LEN + 1]);

/*
 * The number of pixels in value (maxwidth=, maxheight=): 0 with *v set
 * when it is a whole number from 1 to OEMBED_MAX_PX, -1 otherwise.
 */
#define OEMBED_MAX_PX	1000000
int	oembed_px(const char *value, long *v);

#endif
