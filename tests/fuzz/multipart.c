/*
 * libFuzzer harness for the multipart parser (fcgi/multipart.c).  The
 * input's first line is the Content-Type value, the rest is the body.  The
 * body is handed out in reads of 1 byte to all that is asked, in an order
 * drawn from a hash of the input, so one input always reads the same way
 * and a finding replays.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "multipart.h"

#define FUZZ_MAX	4096		/* the file part's limit */

struct fuzz_src {
	const uint8_t	*b;
	size_t		 len, off;
	uint64_t	 rng;
};

/* xorshift64: enough to vary the read sizes, and never 0 from non-0. */
static uint64_t
fuzz_next(struct fuzz_src *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

/* FNV-1a of the input, the reads' seed. */
static uint64_t
fuzz_seed(const uint8_t *b, size_t len)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	while (len-- > 0)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h != 0 ? h : 1;
}

static ssize_t
fuzz_read(void *arg, void *buf, size_t len)
{
	struct fuzz_src	*s = arg;
	uint64_t	 r = fuzz_next(s);
	size_t		 n;

	switch (r & 3) {
	case 0:
		n = 1;
		break;
	case 1:
		n = 1 + (r >> 8) % 8;
		break;
	case 2:
		n = 1 + (r >> 8) % 512;
		break;
	default:
		n = len;
		break;
	}
	if (n > len)
		n = len;
	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(buf, s->b + s->off, n);
	s->off += n;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t		*nl = memchr(data, '\n', size);
	struct fuzz_src		 s;
	struct mp_result	 r;
	enum mp_status		 st;
	char			*ct;
	size_t			 ctlen = nl ? (size_t)(nl - data) : size;

	if ((ct = malloc(ctlen + 1)) == NULL)
		return 0;
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	memset(&s, 0, sizeof(s));
	s.b = nl ? nl + 1 : data + size;
	s.len = size - (s.b - data);
	s.rng = fuzz_seed(data, size);
	st = mp_parse(ct, fuzz_read, &s, FUZZ_MAX, &r);
	/* What mp_parse promises about its result. */
	if (st != MP_OK && (r.file != NULL || r.url != NULL))
		__builtin_trap();
	if (r.file_len > FUZZ_MAX || (r.file == NULL && r.file_len != 0))
		__builtin_trap();
	if (memchr(r.file_type, '\0', sizeof(r.file_type)) == NULL)
		__builtin_trap();
	if (r.url != NULL && strlen(r.url) > 8 * 1024)
		__builtin_trap();
	if (s.off > s.len)
		__builtin_trap();
	mp_result_free(&r);
	free(ct);
	return 0;
}
