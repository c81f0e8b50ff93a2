/*
 * libFuzzer harness for the Accept negotiation, http_prefers_html() of
 * fcgi/http.c.  Beyond not crashing: the answer is 0 or 1, the same on a
 * second call (a pure function), 0 when text/html is not named at all,
 * and 0 for an empty header.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	int	 a;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	a = http_prefers_html(s);
	if (a != 0 && a != 1)
		__builtin_trap();
	if (http_prefers_html(s) != a)
		__builtin_trap();
	if (a && strcasestr(s, "text/html") == NULL)
		__builtin_trap();
	if (http_prefers_html(NULL) != 0 || http_prefers_html("") != 0)
		__builtin_trap();
	free(s);
	return 0;
}
