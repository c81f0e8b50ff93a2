/*
 * A multipart/form-data parser that reads the body as a stream and keeps
 * only the file part, never more of it than the limit, and small fields.
 */
#ifndef MULTIPART_H
#define MULTIPART_H

#include <sys/types.h>
#include <stddef.h>

enum mp_status {
	MP_OK = 0,	/* the body was read whole and is well formed */
	MP_BAD,		/* malformed: no boundary, endless headers, a part
			   that never ends or ends early, an empty body */
	MP_TOO_LARGE,	/* the file part is over the limit */
	MP_IO,		/* the input failed (or memory ran out) */
};

/* Reads up to len bytes into buf: the count, 0 at the end, -1 on error. */
typedef ssize_t (*mp_reader)(void *arg, void *buf, size_t len);

/* What mp_parse() found; free with mp_result_free(). */
struct mp_result {
	unsigned char	*file;		/* field "file" or "image", or NULL */
	size_t		 file_len;
	char		 file_type[128]; /* the part's Content-Type, or "" */
	char		*url;		/* field "url" (at most 8 KiB), or NULL */
};

/*
 * Parses a body of the given Content-Type (which carries the boundary),
 * pulling it through rd.  The file part may be at most max bytes.  On any
 * status but MP_OK, out holds nothing.
 */
enum mp_status	mp_parse(const char *content_type, mp_reader rd, void *arg,
		    size_t max, struct mp_result *out);
void		mp_result_free(struct mp_result *);

#endif
