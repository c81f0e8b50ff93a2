/*
 * libFuzzer harness for the configuration parser (lib/conf.c).  The input
 * is a configuration file: each line goes through conf_line() on top of
 * the defaults, then conf_check().  Whatever the lines, the struct must
 * stay within what conf.h promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

/* A URL key, when set, is a scheme, at least a host, and no end slash. */
static int
fuzz_url_ok(const char *u)
{
	size_t	 n;

	if (u == NULL)
		return 1;
	if (strncmp(u, "http://", 7) == 0)
		n = 7;
	else if (strncmp(u, "https://", 8) == 0)
		n = 8;
	else
		return 0;
	return strlen(u) > n && u[strlen(u) - 1] != '/';
}

/* A string key is unset (NULL) or not empty. */
static int
fuzz_str_ok(const char *s)
{
	return s == NULL || *s != '\0';
}

static int
fuzz_num_ok(long long n)
{
	return n >= 1 && n <= (1LL << 40);
}

static void
fuzz_check(const struct conf *c)
{
	if (c->store != CONF_STORE_FS && c->store != CONF_STORE_S3)
		__builtin_trap();
	if (!fuzz_num_ok(c->max_upload_bytes) || !fuzz_num_ok(c->max_pixels) ||
	    !fuzz_num_ok(c->max_side) || !fuzz_num_ok(c->max_frames))
		__builtin_trap();
	if ((c->strip_location != 0 && c->strip_location != 1) ||
	    (c->url_upload != 0 && c->url_upload != 1))
		__builtin_trap();
	if (!fuzz_url_ok(c->s3_endpoint) || !fuzz_url_ok(c->public_url))
		__builtin_trap();
	if (!fuzz_str_ok(c->database_url) || !fuzz_str_ok(c->fs_root) ||
	    !fuzz_str_ok(c->s3_bucket) || !fuzz_str_ok(c->s3_region) ||
	    !fuzz_str_ok(c->s3_access_key) || !fuzz_str_ok(c->s3_secret_key) ||
	    !fuzz_str_ok(c->url_upload_allow) || !fuzz_str_ok(c->static_dir))
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf	 c;
	char		*text, *line, *next, err[256];

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	conf_defaults(&c);
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		err[0] = '\0';
		if (conf_line(&c, line, err, sizeof(err)) != CONF_OK &&
		    err[0] == '\0')
			__builtin_trap();	/* a refusal always says why */
		fuzz_check(&c);
	}
	err[0] = '\0';
	if (conf_check(&c, err, sizeof(err)) != CONF_OK && err[0] == '\0')
		__builtin_trap();
	conf_free(&c);
	free(text);
	return 0;
}
