/*
 * Configuration.  Every key is one row of conf_keys, so the file, the
 * environment and the error messages all agree on names and types.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define CONF_DEFAULT_PATH	"/etc/imghost.conf"
#define CONF_ENV_PREFIX		"IMGHOST_"

enum conf_type {
	CONF_STR,	/* any text; empty means unset */
	CONF_URL,	/* http:// or https://, trailing slash removed */
	CONF_STORE,	/* "fs" or "s3" */
	CONF_BYTES,	/* a count with an optional K, M or G (1024) suffix */
	CONF_NUM,	/* a positive count */
	CONF_BOOL,	/* yes/no, true/false, on/off, 1/0 */
};

struct conf_key {
	const char	*name;
	enum conf_type	 type;
	size_t		 off;
};

#define K(name, type)	{ #name, type, offsetof(struct conf, name) }
static const struct conf_key conf_keys[] = {
	K(database_url, CONF_STR),
	K(store, CONF_STORE),
	K(fs_root, CONF_STR),
	K(s3_endpoint, CONF_URL),
	K(s3_bucket, CONF_STR),
	K(s3_region, CONF_STR),
	K(s3_access_key, CONF_STR),
	K(s3_secret_key, CONF_STR),
	K(public_url, CONF_URL),
	K(max_upload_bytes, CONF_BYTES),
	K(max_pixels, CONF_NUM),
	K(max_side, CONF_NUM),
	K(max_frames, CONF_NUM),
	K(max_display_pixels, CONF_NUM),
	K(strip_location, CONF_BOOL),
	K(url_upload, CONF_BOOL),
	K(url_upload_allow, CONF_STR),
	K(url_upload_concurrency, CONF_NUM),
	K(static_dir, CONF_STR),
	K(cache_dir, CONF_STR),
	K(cache_max_bytes, CONF_BYTES),
	K(cache_recheck, CONF_NUM),
	K(purge_command, CONF_STR),
};
#undef K

/* Writes the message (a truncated one is still read) and returns st. */
static enum conf_status __attribute__((format(printf, 4, 5)))
conf_err(enum conf_status st, char *err, size_t errsz, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return st;
}

static int
conf_set_str(char **dst, const char *v)
{
	char	*s = NULL;

	if (*v != '\0' && (s = strdup(v)) == NULL)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

static int
conf_parse_bool(const char *v)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

/* Parses "32M" and friends; -1 when not a positive count. */
static long long
conf_parse_bytes(const char *v)
{
	char		 num[32];
	const char	*e;
	long long	 n, unit = 1;
	size_t		 len;

	for (e = v; isdigit((unsigned char)*e); e++)
		continue;
	len = e - v;
	if (len == 0 || len >= sizeof(num))
		return -1;
	if (*e != '\0') {
		if (e[1] != '\0')
			return -1;
		switch (toupper((unsigned char)*e)) {
		case 'K': unit = 1LL << 10; break;
		case 'M': unit = 1LL << 20; break;
		case 'G': unit = 1LL << 30; break;
		default: return -1;
		}
	}
	memcpy(num, v, len);
	num[len] = '\0';
	n = strtonum(num, 1, (1LL << 40) / unit, NULL);
	return n == 0 ? -1 : n * unit;
}

static int
conf_set_url(char **dst, const char *v)
{
	size_t	 len = strlen(v), host;

	if (len == 0)
		return conf_set_str(dst, v);
	if (strncmp(v, "http://", 7) == 0)
		host = 7;
	else if (strncmp(v, "https://", 8) == 0)
		host = 8;
	else
		return -1;
	/* With no host, dropping the trailing slashes would leave "http:". */
	if (v[host + strspn(v + host, "/")] == '\0')
		return -1;
	if (conf_set_str(dst, v) == -1)
		return -1;
	while (len > 0 && (*dst)[len - 1] == '/')
		(*dst)[--len] = '\0';
	return 0;
}

static int
conf_set_value(struct conf *c, const struct conf_key *k, const char *v)
{
	char		*field = (char *)c + k->off;
	long long	 n;
	int		 b;

	switch (k->type) {
	case CONF_STR:
		return conf_set_str((char **)field, v);
	case CONF_URL:
		return conf_set_url((char **)field, v);
	case CONF_STORE:
		if (strcmp(v, "fs") == 0)
			c->store = CONF_STORE_FS;
		else if (strcmp(v, "s3") == 0)
			c->store = CONF_STORE_S3;
		else
			return -1;
		return 0;
	case CONF_BYTES:
	case CONF_NUM:
		if (k->type == CONF_BYTES)
			n = conf_parse_bytes(v);
		else
			n = strtonum(v, 1, 1LL << 40, NULL);
		if (n <= 0)
			return -1;
		*(long long *)field = n;
		return 0;
	case CONF_BOOL:
		if ((b = conf_parse_bool(v)) == -1)
			return -1;
		*(int *)field = b;
		return 0;
	}
	return -1;
}

enum conf_status
conf_set(struct conf *c, const char *key, const char *value, char *err,
    size_t errsz)
{
	size_t	 i;

	for (i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		if (strcmp(conf_keys[i].name, key) != 0)
			continue;
		if (conf_set_value(c, &conf_keys[i], value) == -1)
			return conf_err(CONF_BAD_VALUE, err, errsz,
			    "bad value for %s: '%s'", key, value);
		return CONF_OK;
	}
	return conf_err(CONF_UNKNOWN_KEY, err, errsz, "unknown key '%s'%s",
	    key, "");
}

static char *
conf_trim(char *s)
{
	char	*e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

enum conf_status
conf_line(struct conf *c, const char *line, char *err, size_t errsz)
{
	char	 buf[4096], *key, *value, *eq;

	if (strlcpy(buf, line, sizeof(buf)) >= sizeof(buf))
		return conf_err(CONF_BAD_LINE, err, errsz, "line too long%s%s",
		    "", "");
	key = conf_trim(buf);
	if (*key == '\0' || *key == '#')
		return CONF_OK;
	if ((eq = strchr(key, '=')) == NULL)
		return conf_err(CONF_BAD_LINE, err, errsz,
		    "expected 'key = value': '%s'%s", key, "");
	*eq = '\0';
	value = conf_trim(eq + 1);
	key = conf_trim(key);
	return conf_set(c, key, value, err, errsz);
}

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->database_url = strdup("dbname=imghost");
	c->store = CONF_STORE_FS;
	c->fs_root = strdup("./var/store");
	c->static_dir = strdup(STATICDIR);
	c->s3_region = strdup("us-east-1");
	c->max_upload_bytes = 32LL << 20;
	c->max_pixels = 100000000;
	c->max_side = 16384;
	c->max_frames = 1000;
	c->max_display_pixels = 32000000;
	c->strip_location = 1;
	c->url_upload = 1;
	c->url_upload_concurrency = 2;
	c->cache_max_bytes = 10LL << 30;
	c->cache_recheck = 60;
}

static enum conf_status
conf_load_file(struct conf *c, const char *path, int must_exist, char *err,
    size_t errsz)
{
	FILE		*f;
	char		*line = NULL, msg[512];
	size_t		 cap = 0;
	int		 lineno = 0;
	enum conf_status rc = CONF_OK;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must_exist)
			return CONF_OK;
		return conf_err(CONF_UNREADABLE, err, errsz, "%s: %s", path,
		    strerror(errno));
	}
	while (rc == CONF_OK && getline(&line, &cap, f) != -1) {
		lineno++;
		if ((rc = conf_line(c, line, msg, sizeof(msg))) != CONF_OK)
			(void)snprintf(err, errsz, "%s:%d: %s", path, lineno,
			    msg);
	}
	free(line);
	fclose(f);
	return rc;
}

/* Maps "IMGHOST_MAX_SIDE" to "max_side"; 0 when it is no key variable. */
static int
conf_env_key(const char *name, char *key, size_t keysz)
{
	size_t	 i, plen = strlen(CONF_ENV_PREFIX);

	if (strncmp(name, CONF_ENV_PREFIX, plen) != 0)
		return 0;
	name += plen;
	/* IMGHOST_CONF names the file; IMGHOST_TEST_* belong to the tests. */
	if (strcmp(name, "CONF") == 0 || strncmp(name, "TEST_", 5) == 0)
		return 0;
	for (i = 0; name[i] != '\0' && i + 1 < keysz; i++)
		key[i] = tolower((unsigned char)name[i]);
	key[i] = '\0';
	return 1;
}

static enum conf_status
conf_load_env(struct conf *c, char *err, size_t errsz)
{
	extern char	**environ;
	char		**e, name[128], key[128], msg[512];
	const char	 *eq;
	enum conf_status rc;

	for (e = environ; *e != NULL; e++) {
		if ((eq = strchr(*e, '=')) == NULL ||
		    (size_t)(eq - *e) >= sizeof(name))
			continue;
		memcpy(name, *e, eq - *e);
		name[eq - *e] = '\0';
		if (!conf_env_key(name, key, sizeof(key)))
			continue;
		if ((rc = conf_set(c, key, eq + 1, msg, sizeof(msg))) !=
		    CONF_OK) {
			(void)snprintf(err, errsz, "environment %s: %s", name,
			    msg);
			return rc;
		}
	}
	return CONF_OK;
}

/* Each entry of url_upload_allow is host:port or [v6]:port. */
static enum conf_status
conf_check_allow(const char *list, char *err, size_t errsz)
{
	char		 tok[300];
	const char	*p = list, *port;
	size_t		 n;

	while (p != NULL && *(p += strspn(p, " ,\t")) != '\0') {
		n = strcspn(p, " ,\t");
		if (n >= sizeof(tok))
			return conf_err(CONF_BAD_VALUE, err, errsz,
			    "bad value for %s: '%s'", "url_upload_allow", list);
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		port = tok[0] == '[' ? strstr(tok, "]:") : strrchr(tok, ':');
		if (port == NULL || port == tok || (tok[0] == '[' &&
		    port == tok + 1))
			return conf_err(CONF_BAD_VALUE, err, errsz,
			    "bad value for %s: '%s' is not host:port",
			    "url_upload_allow", tok);
		port += tok[0] == '[' ? 2 : 1;
		if (strtonum(port, 1, 65535, NULL) == 0)
			return conf_err(CONF_BAD_VALUE, err, errsz,
			    "bad value for %s: '%s' is not host:port",
			    "url_upload_allow", tok);
	}
	return CONF_OK;
}

enum conf_status
conf_check(const struct conf *c, char *err, size_t errsz)
{
	enum conf_status	 rc;

	if ((rc = conf_check_allow(c->url_upload_allow, err, errsz)) !=
	    CONF_OK)
		return rc;
	/* One lock file a slot, tried in turn (fcgi/fetch.c). */
	if (c->url_upload_concurrency > 256)
		return conf_err(CONF_BAD_VALUE, err, errsz,
		    "bad value for %s: over %s", "url_upload_concurrency",
		    "256");
	if (c->database_url == NULL)
		return conf_err(CONF_INCOMPLETE, err, errsz, "%s is not set%s",
		    "database_url", "");
	if (c->store == CONF_STORE_FS && c->fs_root == NULL)
		return conf_err(CONF_INCOMPLETE, err, errsz,
		    "store = fs needs %s%s",
		    "fs_root", "");
	if (c->store != CONF_STORE_S3)
		return CONF_OK;
	if (c->s3_endpoint == NULL)
		return conf_err(CONF_INCOMPLETE, err, errsz,
		    "store = s3 needs %s%s",
		    "s3_endpoint", "");
	if (c->s3_bucket == NULL)
		return conf_err(CONF_INCOMPLETE, err, errsz,
		    "store = s3 needs %s%s",
		    "s3_bucket", "");
	if (c->s3_access_key == NULL || c->s3_secret_key == NULL)
		return conf_err(CONF_INCOMPLETE, err, errsz,
		    "store = s3 needs %s%s",
		    "s3_access_key and s3_secret_key", "");
	if (c->s3_region == NULL)
		return conf_err(CONF_INCOMPLETE, err, errsz,
		    "store = s3 needs %s%s",
		    "s3_region", "");
	return CONF_OK;
}

enum conf_status
conf_load(struct conf *c, char *err, size_t errsz)
{
	const char		*path = getenv("IMGHOST_CONF");
	enum conf_status	 rc;

	conf_defaults(c);
	if ((rc = conf_load_file(c, path ? path : CONF_DEFAULT_PATH,
	    path != NULL, err, errsz)) != CONF_OK)
		return rc;
	if ((rc = conf_load_env(c, err, errsz)) != CONF_OK)
		return rc;
	return conf_check(c, err, errsz);
}

void
conf_free(struct conf *c)
{
	size_t	 i;

	if (c == NULL)
		return;
	for (i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		if (conf_keys[i].type != CONF_STR &&
		    conf_keys[i].type != CONF_URL)
			continue;
		free(*(char **)((char *)c + conf_keys[i].off));
		*(char **)((char *)c + conf_keys[i].off) = NULL;
	}
}
