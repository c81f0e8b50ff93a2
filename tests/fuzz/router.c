/*
 * libFuzzer harness for the ids (lib/id.c) and the serving path's URL
 * parser, the static serve_parse() of fcgi/serve.c, which is included
 * here.  The input is the path after "/i/".  An id and its 48-bit number
 * must round-trip both ways, and a path serve_parse() takes must give
 * the store key "ID/NAME.EXT": a valid id, a size with no '/', no "..".
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../fcgi/serve.c"

/* An id read as a number writes back as the same id, and vice versa. */
static void
fuzz_id(const uint8_t *data, size_t size)
{
	char	 s[ID_LEN + 1];
	int64_t	 v;
	size_t	 i;

	if (id_valid((const char *)data, size)) {
		v = id_to_int((const char *)data);
		if (v < 0 || v >= (1LL << 48))
			__builtin_trap();
		id_from_int(v, s);
		if (memcmp(s, data, ID_LEN) != 0)
			__builtin_trap();
	}
	if (size < 6)
		return;
	for (v = 0, i = 0; i < 6; i++)
		v = v << 8 | data[i];
	id_from_int(v, s);
	if (strlen(s) != ID_LEN || !id_valid(s, ID_LEN) || id_to_int(s) != v)
		__builtin_trap();
}

/* The key of a parsed path: id, '/', a size name, '.', the type's ext. */
static void
fuzz_key(const char *path, const struct serve_target *t)
{
	const char	*name = t->key + ID_LEN + 1, *dot;

	if (strlen(t->key) <= ID_LEN + 1 || !id_valid(t->key, ID_LEN) ||
	    t->key[ID_LEN] != '/' || memcmp(t->key, path, ID_LEN) != 0)
		__builtin_trap();
	if ((dot = strrchr(name, '.')) == NULL || dot == name ||
	    memchr(name, '/', dot - name) != NULL ||
	    strstr(t->key, "..") != NULL)
		__builtin_trap();
	if (img_ext(t->type) == NULL || strcmp(dot + 1, img_ext(t->type)) != 0)
		__builtin_trap();
	/* "upload" is the file as sent, of the types kept so alone. */
	if (strcmp(t->size, "original") != 0 && size_find(t->size) == NULL &&
	    (strcmp(t->size, "upload") != 0 || !img_kept_as_sent(t->type)))
		__builtin_trap();
	/* "ID/NAME.EXT" is its own key; "ID.EXT" is the original's. */
	if (strchr(path, '/') != NULL && strcmp(path, t->key) != 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct serve_target	 t;
	char			*path;

	fuzz_id(data, size);
	if ((path = malloc(size + 1)) == NULL)
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	memset(&t, 0, sizeof(t));
	if (serve_parse(path, &t) == 0)
		fuzz_key(path, &t);
	free(path);
	return 0;
}
