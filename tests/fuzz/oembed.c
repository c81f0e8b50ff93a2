/*
 * libFuzzer harness for /oembed's url parameter: form_value() and
 * form_decode() (fcgi/form.c) and oembed_page_id() (fcgi/oembed_url.c).
 * The input is a query string, a NUL, and a base URL.  Properties: a
 * page taken names a valid id that is in the decoded url right after
 * '/', and the url begins with "http://" or "https://"; what
 * form_encode() writes, form_decode() reads back as it was, and it
 * needs exactly the room it takes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "form.h"
#include "oembed.h"

static void
fuzz_page(const char *url, const char *base)
{
	char		 id[ID_LEN + 1], pat[ID_LEN + 2];

	if (oembed_page_id(url, base, id) != 0)
		return;
	pat[0] = '/';
	memcpy(pat + 1, id, ID_LEN + 1);
	if (!id_valid(id, strlen(id)) || strstr(url, pat) == NULL ||
	    (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0))
		__builtin_trap();
}

static void
fuzz_round_trip(const char *s)
{
	char	*buf, *back;
	size_t	 sz = 3 * strlen(s) + 1;

	if ((buf = malloc(sz)) == NULL)
		return;
	if (form_encode(s, buf, sz) != 0)
		__builtin_trap();
	if (*s != '\0' && (back = form_decode(buf, strlen(buf))) != NULL) {
		if (strcmp(back, s) != 0)
			__builtin_trap();
		free(back);
	}
	/* It takes exactly its length and the NUL. */
	if (form_encode(s, buf, strlen(buf)) != -1)
		__builtin_trap();
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, *url;
	const char	*base;
	long		 v;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	base = strlen(s) < size ? s + strlen(s) + 1 : "http://127.0.0.1:8080";
	if (form_value(s, "url", &url) == 1) {
		fuzz_page(url, base);
		fuzz_round_trip(url);
		free(url);
	}
	if (form_value(s, "maxwidth", &url) == 1) {
		if (oembed_px(url, &v) == 0 && (v < 1 || v > OEMBED_MAX_PX))
			__builtin_trap();
		free(url);
	}
	free(s);
	return 0;
}
