/* The Range header: a table of headers against blob sizes. */
#include <sys/types.h>

#include <stddef.h>

#include "range.h"
#include "tap.h"

#define BIG	0x7fffffffffffffffLL	/* the largest off_t */

static const struct {
	const char		*hdr;
	off_t			 size;
	enum range_status	 want;
	off_t			 off, len;	/* when RANGE_OK */
} cases[] = {
	{ NULL, 1000, RANGE_NONE, 0, 0 },
	{ "", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=0-499", 1000, RANGE_OK, 0, 500 },
	{ "bytes=500-999", 1000, RANGE_OK, 500, 500 },
	{ "bytes=500-", 1000, RANGE_OK, 500, 500 },
	{ "bytes=999-", 1000, RANGE_OK, 999, 1 },
	{ "bytes=0-0", 1000, RANGE_OK, 0, 1 },
	{ "bytes=0-", 1, RANGE_OK, 0, 1 },
	{ "bytes=500-5000", 1000, RANGE_OK, 500, 500 },
	{ "bytes= 10-19 ", 1000, RANGE_OK, 10, 10 },
	{ "bytes=-200", 1000, RANGE_OK, 800, 200 },
	{ "bytes=-1000", 1000, RANGE_OK, 0, 1000 },
	{ "bytes=-5000", 1000, RANGE_OK, 0, 1000 },
	{ "bytes=1000-", 1000, RANGE_BAD, 0, 0 },
	{ "bytes=1000-2000", 1000, RANGE_BAD, 0, 0 },
	{ "bytes=-0", 1000, RANGE_BAD, 0, 0 },
	{ "bytes=0-", 0, RANGE_BAD, 0, 0 },
	{ "bytes=-1", 0, RANGE_BAD, 0, 0 },
	{ "bytes=5-3", 1000, RANGE_NONE, 0, 0 },	/* invalid: ignored */
	{ "bytes=0-0,5-9", 1000, RANGE_NONE, 0, 0 },	/* several: all */
	{ "bytes=0-0 , 5-9", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=-", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=a-b", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=1-2x", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=+1-2", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=1--2", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=1", 1000, RANGE_NONE, 0, 0 },
	{ "items=0-1", 1000, RANGE_NONE, 0, 0 },
	{ "BYTES=0-1", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=99999999999999999999-", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=0-99999999999999999999", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=-99999999999999999999", 1000, RANGE_NONE, 0, 0 },
	{ "bytes=9223372036854775799-", BIG, RANGE_OK, BIG - 8, 8 },
	{ "bytes=0-", BIG, RANGE_OK, 0, BIG },
	{ "bytes=-922337203685477580", BIG, RANGE_OK,
	    BIG - 922337203685477580LL, 922337203685477580LL },
};

int
main(void)
{
	enum range_status	 st;
	off_t			 off, len;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		off = len = -1;
		st = range_parse(cases[i].hdr, cases[i].size, &off, &len);
		ok(st == cases[i].want && (st != RANGE_OK ||
		    (off == cases[i].off && len == cases[i].len)),
		    "'%s' of %lld bytes: status %d, %lld+%lld",
		    cases[i].hdr ? cases[i].hdr : "(none)",
		    (long long)cases[i].size, st, (long long)off,
		    (long long)len);
	}
	return tap_done();
}
