/*
 * Form encoding (the WHATWG URL standard's application/x-www-form-
 * urlencoded): uploads by url take a form body, /oembed a query string.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

static int
form_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char *
form_decode(const char *p, size_t n)
{
	char	*s, *o;
	size_t	 i;
	int	 hi, lo;

	if (n == (size_t)-1 || (s = o = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (p[i] == '+')
			*o++ = ' ';
		else if (p[i] != '%')
			*o++ = p[i];
		else if (n - i < 3 || (hi = form_hex(p[i + 1])) == -1 ||
		    (lo = form_hex(p[i + 2])) == -1)
			goto bad;
		else {
			*o++ = hi << 4 | lo;
			i += 2;
		}
		if (o[-1] == '\0')
			goto bad;
	}
	*o = '\0';
	return s;
bad:
	free(s);
	return NULL;
}

int
form_value(const char *qs, const char *name, char **out)
{
	size_t	 len = strlen(name), n;

	*out = NULL;
	for (; qs != NULL && *qs != '\0'; qs += n + (qs[n] == '&')) {
		n = strcspn(qs, "&");
		if (n > len && strncmp(qs, name, len) == 0 && qs[len] == '=')
			return (*out = form_decode(qs + len + 1,
			    n - len - 1)) == NULL ? -1 : 1;
	}
	return 0;
}

int
form_encode(const char *s, char *buf, size_t sz)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;
	size_t			 o = 0;

	for (; (c = *s) != '\0'; s++) {
		if (isalnum(c) || strchr("-._~", c) != NULL) {
			if (sz - o < 2)
				return -1;
			buf[o++] = c;
		} else {
			if (sz - o < 4)
				return -1;
			buf[o++] = '%';
			buf[o++] = hex[c >> 4];
			buf[o++] = hex[c & 15];
		}
	}
	if (sz - o < 1)
		return -1;
	buf[o] = '\0';
	return 0;
}
