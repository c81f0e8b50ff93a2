/*
 * The stripper's output buffer, below every file of the stripper: the
 * drivers and what each strips append to it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strip.h"
#include "strip_int.h"

/* Appends n bytes of p to o; on ENOMEM sets o->nomem and drops the rest. */
void
strip_put(struct strip_out *o, const void *p, size_t n)
{
	unsigned char	*np;
	size_t		 cap;

	if (o->nomem || n == 0)
		return;
	if (n > SIZE_MAX / 2 - o->len) {
		o->nomem = 1;
		return;
	}
	if (o->len + n > o->cap) {
		cap = (o->len + n) + (o->len + n) / 2 + 256;
		if ((np = realloc(o->p, cap)) == NULL) {
			o->nomem = 1;
			return;
		}
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

/* An empty output and its budget. */
void
strip_out_init(struct strip_out *o, size_t budget)
{
	memset(o, 0, sizeof(*o));
	/* So that the budget and one more byte is a size. */
	o->budget = budget > SIZE_MAX / 2 ? SIZE_MAX / 2 : budget;
}

/* Frees what o holds besides its output. */
void
strip_out_done(struct strip_out *o)
{
	if (o->zinit)
		inflateEnd(&o->z);
	o->zinit = 0;
}
