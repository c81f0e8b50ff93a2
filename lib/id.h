/*
 * Image ids: 8 characters of the URL-safe base64 alphabet, 48 random bits
 * (API.md, "Identifiers").  The database keeps the same 48 bits as a
 * bigint, which makes its indexes a third smaller than text would.
 */
#ifndef ID_H
#define ID_H

#include <stddef.h>
#include <stdint.h>

#define ID_LEN	8

/* Draws a new random id from arc4random_buf into out (ID_LEN + NUL). */
void		id_new(char out[ID_LEN + 1]);

/* Returns 1 when s[0..len) is a well-formed id, 0 otherwise. */
int		id_valid(const char *s, size_t len);

/* The id's 48 bits as a number; s must be valid (id_valid). */
int64_t		id_to_int(const char *s);

/* Writes the id of the number v (0 <= v < 2^48) into out. */
void		id_from_int(int64_t v, char out[ID_LEN + 1]);

#endif
