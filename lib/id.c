/*
 * Image ids.  Base64url maps 6 bits to a character, so 8 characters are
 * exactly 48 bits and every id is one number and back.
 */
#include <stdint.h>
#include <stdlib.h>

#include "id.h"

static const char id_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
id_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

void
id_from_int(int64_t v, char out[ID_LEN + 1])
{
	int	 i;

	for (i = ID_LEN - 1; i >= 0; i--) {
		out[i] = id_alphabet[v & 63];
		v >>= 6;
	}
	out[ID_LEN] = '\0';
}

void
id_new(char out[ID_LEN + 1])
{
	unsigned char	 b[6];
	int64_t		 v = 0;
	size_t		 i;

	arc4random_buf(b, sizeof(b));
	for (i = 0; i < sizeof(b); i++)
		v = (v << 8) | b[i];
	id_from_int(v, out);
}

int
id_valid(const char *s, size_t len)
{
	size_t	 i;

	if (len != ID_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (id_digit((unsigned char)s[i]) < 0)
			return 0;
	return 1;
}

int64_t
id_to_int(const char *s)
{
	int64_t	 v = 0;
	int	 i;

	for (i = 0; i < ID_LEN; i++)
		v = (v << 6) | id_digit((unsigned char)s[i]);
	return v;
}
