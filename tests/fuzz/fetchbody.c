/*
 * libFuzzer harness for the body of an upload by url (fcgi/fetch.c,
 * fetch_body_url()).  The first byte picks the Content-Type (JSON or a
 * form), the rest is the body.  A url found is a string no longer than
 * the body, so nothing was invented or read past the end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	*types[] = { "application/json",
	    "application/x-www-form-urlencoded" };
	char			*url = NULL;
	int			 rc;

	if (size < 1)
		return 0;
	rc = fetch_body_url(types[data[0] & 1], data + 1, size - 1, &url);
	if (rc == 1 && (url == NULL || strlen(url) > size - 1))
		__builtin_trap();
	if (rc != 1 && url != NULL)
		__builtin_trap();
	free(url);
	return 0;
}
