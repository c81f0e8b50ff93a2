/*
 * libFuzzer harness for the base URL of links, http_base_url_of() and
 * http_host_loopback() of fcgi/http.c.  The input is Host, scheme,
 * SERVER_ADDR and SERVER_PORT separated by NUL bytes.  Properties: the
 * result is "http://" or "https://" and a NUL-terminated string; a Host
 * that is not loopback is ignored (the answer is the one without a Host);
 * a loopback Host becomes the base URL;
 * public_url always wins; the same input gives the same output.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

/* The next NUL-separated field of data, or NULL when there is none. */
static const char *
fuzz_field(const char **p, const char *end)
{
	const char	*f = *p;

	if (f >= end)
		return NULL;
	*p = f + strlen(f) + 1;
	return f;
}

static void
fuzz_check(const char *host, const char *scheme, const char *addr,
    const char *port)
{
	char	 a[512], b[512], own[512], want[600];

	http_base_url_of(NULL, host, scheme, addr, port, a, sizeof(a));
	http_base_url_of(NULL, host, scheme, addr, port, b, sizeof(b));
	if (strcmp(a, b) != 0)
		__builtin_trap();
	if (strncmp(a, "http://", 7) != 0 && strncmp(a, "https://", 8) != 0)
		__builtin_trap();
	/* A foreign Host is ignored: the answer is the one without it. */
	http_base_url_of(NULL, NULL, scheme, addr, port, own, sizeof(own));
	if (!http_host_loopback(host) && strcmp(a, own) != 0)
		__builtin_trap();
	snprintf(want, sizeof(want), "%s://%s", scheme != NULL &&
	    strcmp(scheme, "https") == 0 ? "https" : "http",
	    host != NULL ? host : "");
	if (http_host_loopback(host) && strcmp(a, want) != 0)
		__builtin_trap();
	http_base_url_of("https://pub.example", host, scheme, addr, port, a,
	    sizeof(a));
	if (strcmp(a, "https://pub.example") != 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s;
	const char	*p, *end, *host, *scheme, *addr, *port;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	p = s;
	end = s + size;
	host = fuzz_field(&p, end);
	scheme = fuzz_field(&p, end);
	addr = fuzz_field(&p, end);
	port = fuzz_field(&p, end);
	fuzz_check(host, scheme, addr, port);
	free(s);
	return 0;
}
