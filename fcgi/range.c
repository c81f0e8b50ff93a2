/*
 * Range parsing.  Only "bytes=" with a single range is honoured; a
 * header we do not understand is ignored, as RFC 9110 allows, and the
 * whole blob is served.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

/* Reads a decimal number at *p; -1 when there is none or it overflows. */
static long long
range_num(const char **p)
{
	long long	 v = 0;

	if (!isdigit((unsigned char)**p))
		return -1;
	for (; isdigit((unsigned char)**p); (*p)++) {
		if (v > (0x7fffffffffffffffLL - 9) / 10)
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

enum range_status
range_parse(const char *hdr, off_t size, off_t *off, off_t *len)
{
	const char	*p;
	long long	 first = -1, last = -1;

	if (hdr == NULL || strncmp(hdr, "bytes=", 6) != 0)
		return RANGE_NONE;
	p = hdr + 6;
	while (*p == ' ')
		p++;
	if (*p != '-' && (first = range_num(&p)) < 0)
		return RANGE_NONE;
	if (*p++ != '-')
		return RANGE_NONE;
	if (isdigit((unsigned char)*p) && (last = range_num(&p)) < 0)
		return RANGE_NONE;
	while (*p == ' ')
		p++;
	if (*p == ',')
		return RANGE_NONE;	/* several ranges: serve it all */
	if (*p != '\0' || (first < 0 && last < 0))
		return RANGE_NONE;
	if (first < 0) {		/* "-N": the last N bytes */
		if (last == 0 || size == 0)
			return RANGE_BAD;
		*off = last >= size ? 0 : size - last;
		*len = size - *off;
		return RANGE_OK;
	}
	if (first >= size || (last >= 0 && last < first))
		return last >= 0 && last < first ? RANGE_NONE : RANGE_BAD;
	if (last < 0 || last >= size)
		last = size - 1;
	*off = first;
	*len = last - first + 1;
	return RANGE_OK;
}
