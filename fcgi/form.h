/*
 * application/x-www-form-urlencoded: the values of a query string or of
 * a form body, decoded, and a value encoded for a URL's query.
 */
#ifndef FORM_H
#define FORM_H

#include <stddef.h>

/*
 * Decodes the n bytes at p ('+' is a space, %XX a byte) into a new
 * string the caller frees; NULL when malformed, when it would hold a
 * NUL, or out of memory.
 */
char	*form_decode(const char *p, size_t n);

/*
 * The first value called name in the query string qs (NULL: none),
 * decoded into *out, which the caller frees: 1 when found, 0 when
 * absent (*out NULL), -1 when malformed or out of memory (*out NULL).
 */
int	 form_value(const char *qs, const char *name, char **out);

/*
 * Writes s into buf with every byte but the unreserved ones (RFC 3986:
 * letters, digits, "-._~") as %XX, for a query value; -1 when buf is
 * too small.
 */
int	 form_encode(const char *s, char *buf, size_t sz);

#endif
