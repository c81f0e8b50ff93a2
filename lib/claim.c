/*
 * Delete tokens.  The selector and the secret are each made of whole
 * ids (lib/id.c: 8 characters, 48 bits), so the token needs no alphabet
 * of its own.
 */
#include <sha2.h>
#include <string.h>

#include "claim.h"
#include "id.h"

/* Secrets of CLAIM_TOKEN_LEN - ID_LEN characters: three ids. */
#define CLAIM_SECRET_LEN	(CLAIM_TOKEN_LEN - ID_LEN)

static void
claim_verifier(struct claim *c, const char *secret)
{
	SHA2_CTX	 ctx;

	SHA256Init(&ctx);
	SHA256Update(&ctx, (const unsigned char *)secret, CLAIM_SECRET_LEN);
	SHA256Final(c->verifier, &ctx);
}

void
claim_new(struct claim *c)
{
	size_t	 i;

	for (i = 0; i < CLAIM_TOKEN_LEN; i += ID_LEN)
		id_new(c->token + i);
	c->selector = id_to_int(c->token);
	claim_verifier(c, c->token + ID_LEN);
}

int
claim_parse(struct claim *c, const char *token, size_t len)
{
	size_t	 i;

	memset(c, 0, sizeof(*c));
	if (token == NULL || len != CLAIM_TOKEN_LEN)
		return -1;
	for (i = 0; i < CLAIM_TOKEN_LEN; i += ID_LEN)
		if (!id_valid(token + i, ID_LEN))
			return -1;
	c->selector = id_to_int(token);
	claim_verifier(c, token + ID_LEN);
	return 0;
}

/*
 * Every byte is read whatever the others are: no early exit for the
 * compiler to find.  (libbsd 0.11 has no timingsafe_bcmp.)
 */
int
claim_verifier_eq(const unsigned char *a, const unsigned char *b)
{
	volatile unsigned char	 d = 0;
	size_t			 i;

	for (i = 0; i < CLAIM_VERIFIER_LEN; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}
