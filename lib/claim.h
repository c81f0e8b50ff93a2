/*
 * Delete tokens (API.md, "Ownership and deletion").  A token is 32
 * characters of the id alphabet: a selector of 8 (48 bits) that finds
 * the claim, and a secret of 24 (144 bits from arc4random) of which only
 * the SHA-256 is stored.  A secret is compared in constant time.
 */
#ifndef CLAIM_H
#define CLAIM_H

#include <stddef.h>
#include <stdint.h>

#define CLAIM_TOKEN_LEN		32
#define CLAIM_VERIFIER_LEN	32

struct claim {
	int64_t		 selector;
	unsigned char	 verifier[CLAIM_VERIFIER_LEN];	/* SHA-256 */
	char		 token[CLAIM_TOKEN_LEN + 1];	/* new ones only */
};

/* Draws a new token into c, with its selector and verifier. */
void		 claim_new(struct claim *c);

/*
 * Reads a token of len bytes into c (selector and verifier; c->token is
 * left empty, so it cannot be logged by mistake).  0, or -1 when it is
 * not one.
 */
int		 claim_parse(struct claim *c, const char *token, size_t len);

/* 1 when the verifiers are the same, in time that does not depend on them. */
int		 claim_verifier_eq(const unsigned char *a, const unsigned char *b);

#endif
