/*
 * libFuzzer harness for the location stripper (lib/strip.c).  The input
 * is a whole file.  Whatever it is, the stripper must not read past it,
 * must answer the same twice, must leave no GPS pointer in what it
 * returns, and stripping its own output must change nothing more.  A
 * HEIF's or AVIF's output has the input's length (iloc offsets hold); a
 * PNG's output is never larger than the input; a PNG over the budget is
 * refused by strip_inflate_check() exactly when strip_location() refuses
 * it, and the budget is small so that bombs are reached quickly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "img_type.h"
#include "strip.h"

/* Small, so that inputs over it are common. */
#define FUZZ_BUDGET	(256 * 1024)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char		*a, *b, *c;
	size_t			 al, bl, cl;
	enum strip_status	 sa, sb, sc;
	enum img_type		 t;
	int			 png;

	sa = strip_location(data, size, FUZZ_BUDGET, &a, &al);
	sb = strip_location(data, size, FUZZ_BUDGET, &b, &bl);
	if (sa != sb || al != bl || (al > 0 && memcmp(a, b, al) != 0))
		__builtin_trap();
	png = size >= 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0;
	if (png && (strip_inflate_check(data, size, FUZZ_BUDGET) ==
	    STRIP_TOO_BIG) != (sa == STRIP_TOO_BIG))
		__builtin_trap();
	if (sa == STRIP_DONE) {
		/* Never larger, where only text chunks change. */
		if (png && al > size)
			__builtin_trap();
		t = img_sniff(data, size);
		if ((t == IMG_HEIC || t == IMG_AVIF) && al != size)
			__builtin_trap();
		/* Idempotent: what came out has no location left. */
		sc = strip_location(a, al, FUZZ_BUDGET, &c, &cl);
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
