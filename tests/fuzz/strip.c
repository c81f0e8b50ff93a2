/*
 * libFuzzer harness for the location stripper (lib/strip.c).  The input
 * is a whole file.  Whatever it is, the stripper must not read past it,
 * must answer the same twice, must leave no GPS pointer in what it
 * returns, and stripping its own output must change nothing more.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strip.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char		*a, *b, *c;
	size_t			 al, bl, cl;
	enum strip_status	 sa, sb, sc;

	sa = strip_location(data, size, &a, &al);
	sb = strip_location(data, size, &b, &bl);
	if (sa != sb || al != bl || (al > 0 && memcmp(a, b, al) != 0))
		__builtin_trap();
	if (sa == STRIP_DONE) {
		/* Idempotent: what came out has no location left. */
		sc = strip_location(a, al, &c, &cl);
		if (sc != STRIP_UNCHANGED && sc != STRIP_NOMEM)
			__builtin_trap();
		free(c);
	} else if (a != NULL)
		__builtin_trap();
	if (size > 0) {
		/* strip_xmp() on any bytes keeps their length and stays inside. */
		if ((c = malloc(size)) == NULL)
			return 0;
		memcpy(c, data, size);
		strip_xmp(c, size);
		free(c);
	}
	free(a);
	free(b);
	return 0;
}
