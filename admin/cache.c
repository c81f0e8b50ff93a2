/*
 * imghost-admin cache-trim: keeps this node's read cache (cache_dir,
 * lib/cache.h) under cache_max_bytes.  Run from a timer on every app
 * node of the s3 store; it needs no database.
 */
#include <stdio.h>

#include "admin.h"
#include "cache.h"

int
admin_cache_trim(struct admin *a, int argc, char *argv[])
{
	struct cache_trim_stats	 st;

	(void)argv;
	if (argc != 1)
		admin_usage();
	if (a->conf.cache_dir == NULL) {
		printf("no cache_dir: nothing to trim\n");
		return 0;
	}
	if (cache_trim(a->conf.cache_dir, a->conf.cache_max_bytes, &st) == -1)
		return 1;
	printf("%s: %lld copies, %lld bytes (at most %lld); removed %lld "
	    "files, %lld bytes\n", a->conf.cache_dir, st.files, st.bytes,
	    a->conf.cache_max_bytes, st.removed, st.removed_bytes);
	return 0;
}
