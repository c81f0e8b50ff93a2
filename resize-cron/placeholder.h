/*
 * The ThumbHash placeholder of an image (resize-cron/placeholder.c).
 */
#ifndef PLACEHOLDER_H
#define PLACEHOLDER_H

#include <stddef.h>
#include <stdint.h>

#include "thumbhash.h"
#include "variant.h"

/*
 * The ThumbHash of the image whose variants are out[0..n), from the
 * smallest of them, into hash and *len.  0, or -1 (logged) when it
 * cannot be made: the image then has no placeholder, which API.md's
 * null allows.
 */
int	placeholder_make(const struct variant *out, size_t n,
	    uint8_t hash[THUMBHASH_MAX], size_t *len);

#endif
