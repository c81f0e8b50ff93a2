/* Ids: well-formedness, round trips through the database's bigint. */
#include <string.h>

#include "id.h"
#include "tap.h"

static const struct {
	const char	*s;
	int		 valid;
} ids[] = {
	{ "aB3dE_9x", 1 },
	{ "--------", 1 },
	{ "________", 1 },
	{ "AAAAAAAA", 1 },
	{ "aB3dE_9", 0 },
	{ "aB3dE_9xy", 0 },
	{ "aB3dE+9x", 0 },
	{ "aB3dE/9x", 0 },
	{ "../../..", 0 },
	{ "aB3dE%9x", 0 },
	{ "aB3d _9x", 0 },
	{ "", 0 },
};

int
main(void)
{
	char	 a[ID_LEN + 1], b[ID_LEN + 1];
	size_t	 i;
	int	 roundtrip = 1;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		ok(id_valid(ids[i].s, strlen(ids[i].s)) == ids[i].valid,
		    "'%s' %s", ids[i].s, ids[i].valid ? "valid" : "invalid");
	id_from_int(0, a);
	ok(strcmp(a, "AAAAAAAA") == 0, "0 is AAAAAAAA");
	id_from_int((1LL << 48) - 1, a);
	ok(strcmp(a, "________") == 0, "2^48-1 is ________");
	ok(id_to_int("aB3dE_9x") < (1LL << 48) && id_to_int("aB3dE_9x") > 0,
	    "an id is a 48-bit number");
	for (i = 0; i < 10000; i++) {
		id_new(a);
		if (!id_valid(a, strlen(a)))
			roundtrip = 0;
		id_from_int(id_to_int(a), b);
		if (strcmp(a, b) != 0)
			roundtrip = 0;
	}
	ok(roundtrip, "10000 new ids valid and round-trip through bigint");
	id_new(a);
	id_new(b);
	ok(strcmp(a, b) != 0, "two new ids differ (%s %s)", a, b);
	return tap_done();
}
