/*
 * libFuzzer harness for the Range parser (fcgi/range.c).  The input's
 * first 8 bytes, little-endian and with the sign bit cleared (a blob is
 * never of negative size), are the blob's size; the rest is the header.
 * A satisfiable range must lie inside the blob.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t		 u = 0;
	off_t			 blob, off = -1, len = -1;
	enum range_status	 st;
	char			*hdr;
	int			 i;

	if (size < 8)
		return 0;
	for (i = 7; i >= 0; i--)
		u = u << 8 | data[i];
	blob = (off_t)(u & INT64_MAX);
	if ((hdr = malloc(size - 8 + 1)) == NULL)
		return 0;
	memcpy(hdr, data + 8, size - 8);
	hdr[size - 8] = '\0';
	st = range_parse(hdr, blob, &off, &len);
	if (st != RANGE_NONE && st != RANGE_OK && st != RANGE_BAD)
		__builtin_trap();
	/* Written as subtractions: off + len may not even fit. */
	if (st == RANGE_OK && (off < 0 || off >= blob || len < 1 ||
	    len > blob - off))
		__builtin_trap();
	free(hdr);
	return 0;
}
