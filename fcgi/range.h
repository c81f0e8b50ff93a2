/*
 * The Range request header, for one range of bytes (RFC 9110, 14.2).
 */
#ifndef RANGE_H
#define RANGE_H

#include <sys/types.h>

enum range_status {
	RANGE_NONE = 0,	/* no range, or one we serve whole (several) */
	RANGE_OK,	/* one satisfiable range: *off, *len */
	RANGE_BAD,	/* unsatisfiable: answer 416 */
};

/* Parses hdr (NULL: none) against a blob of size bytes. */
enum range_status range_parse(const char *hdr, off_t size, off_t *off,
		    off_t *len);

#endif
