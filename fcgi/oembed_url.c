/*
 * The url parameter of /oembed: a page of this host, and nothing else.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oembed.h"

/* What follows "http://" or "https://" in s, or NULL. */
static const char *
oembed_after_scheme(const char *s)
{
	if (strncasecmp(s, "http://", 7) == 0)
		return s + 7;
	if (strncasecmp(s, "https://", 8) == 0)
		return s + 8;
	return NULL;
}

int
oembed_page_id(const char *url, const char *base, char id[ID_LEN + 1])
{
	const char	*u, *b;
	size_t		 host, rest;

	if ((u = oembed_after_scheme(url)) == NULL ||
	    (b = oembed_after_scheme(base)) == NULL)
		return -1;
	host = strcspn(b, "/");
	rest = strlen(b + host);
	if (host == 0 || strncasecmp(u, b, host) != 0 ||
	    strncmp(u + host, b + host, rest) != 0)
		return -1;
	u += host + rest;
	if (u[0] != '/' || !id_valid(u + 1, ID_LEN) ||
	    (u[1 + ID_LEN] != '\0' && u[1 + ID_LEN] != '?' &&
	    u[1 + ID_LEN] != '#'))
		return -1;
	memcpy(id, u + 1, ID_LEN);
	id[ID_LEN] = '\0';
	return 0;
}

int
oembed_px(const char *value, long *v)
{
	const char	*errstr;

	/* strtonum() takes leading spaces and a sign; a size has neither. */
	if (value[0] < '0' || value[0] > '9')
		return -1;
	*v = strtonum(value, 1, OEMBED_MAX_PX, &errstr);
	return errstr == NULL ? 0 : -1;
}
