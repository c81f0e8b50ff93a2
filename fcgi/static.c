/*
 * The pages' own files: static/app.css, app.js and favicon.ico, read
 * once per process and answered from memory.  The CSS and JS are named
 * by a hash of their bytes (/static/app.1a2b3c4d.css), so a URL always
 * means the same bytes and browsers and CDNs keep them for a year; the
 * hash is the app's own, so only the current one is kept: a page of an
 * earlier build asking for its old name gets today's file, not to be
 * kept.  Serving them here rather than by the web server costs one
 * request per browser per release, and keeps lighttpd and Apache alike.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "static.h"
#include "log.h"

#define STATIC_MAX	(1 << 20)	/* no file of the pages is larger */
#define STATIC_YEAR	"public, max-age=31536000, immutable"

struct static_file {
	const char	*name;		/* in static_dir */
	const char	*mime;
	int		 hashed;	/* its URL carries a hash of it */
	const char	*cache;		/* Cache-Control of its own URL */
	char		 url[64];	/* "/static/app.1a2b3c4d.css" */
	char		 etag[16];	/* "\"1a2b3c4d\"" */
	char		*data;		/* NULL: could not be read */
	size_t		 len;
};

static struct static_file static_files[] = {
	{ .name = "app.css", .mime = "text/css; charset=utf-8",
	  .hashed = 1, .cache = STATIC_YEAR },
	{ .name = "app.js", .mime = "text/javascript; charset=utf-8",
	  .hashed = 1, .cache = STATIC_YEAR },
	/* Asked for by name, so it may change: a day. */
	{ .name = "favicon.ico", .mime = "image/x-icon",
	  .hashed = 0, .cache = "public, max-age=86400" },
};
#define STATIC_N	(sizeof(static_files) / sizeof(static_files[0]))

/* Reads dir/f->name into f->data; -1 (logged) when it cannot. */
static int
static_read(const char *dir, struct static_file *f)
{
	char		 path[PATH_MAX];
	struct stat	 sb;
	FILE		*fp;
	int		 n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, f->name);
	if (n < 0 || (size_t)n >= sizeof(path) || (fp = fopen(path,
	    "r")) == NULL) {
		log_warnx("%s/%s: %s", dir, f->name, strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &sb) == -1 || sb.st_size > STATIC_MAX ||
	    (f->data = malloc(sb.st_size + 1)) == NULL ||
	    fread(f->data, 1, sb.st_size, fp) != (size_t)sb.st_size) {
		log_warnx("%s: cannot read it, or over %d bytes", path,
		    STATIC_MAX);
		free(f->data);
		f->data = NULL;
		fclose(fp);
		return -1;
	}
	f->len = sb.st_size;
	fclose(fp);
	return 0;
}

/* f's ETag and URL, from the first 8 hex digits of its SHA-256. */
static void
static_name(struct static_file *f)
{
	char		 hex[SHA256_DIGEST_STRING_LENGTH];
	const char	*dot = strrchr(f->name, '.');

	SHA256Data((const unsigned char *)f->data, f->len, hex);
	snprintf(f->etag, sizeof(f->etag), "\"%.8s\"", hex);
	if (!f->hashed)
		snprintf(f->url, sizeof(f->url), "/%s", f->name);
	else
		snprintf(f->url, sizeof(f->url), "/static/%.*s.%.8s%s",
		    (int)(dot - f->name), f->name, hex, dot);
}

void
static_init(const char *dir)
{
	size_t	 i;

	for (i = 0; i < STATIC_N; i++) {
		snprintf(static_files[i].url, sizeof(static_files[i].url),
		    "/static/unreadable/%s", static_files[i].name);
		if (static_read(dir, &static_files[i]) == 0)
			static_name(&static_files[i]);
	}
}

const char *
static_url(const char *name)
{
	size_t	 i;

	for (i = 0; i < STATIC_N; i++)
		if (strcmp(static_files[i].name, name) == 0)
			return static_files[i].url;
	return "/static/none";
}

/*
 * The file an old fingerprint of f names: "/static/app." 8 hex digits
 * and f's extension.  1 when path is one.
 */
static int
static_old_name(const struct static_file *f, const char *path)
{
	const char	*dot = strrchr(f->name, '.');
	size_t		 stem = dot - f->name;

	if (!f->hashed || strncmp(path, "/static/", 8) != 0)
		return 0;
	path += 8;
	return strncmp(path, f->name, stem) == 0 && path[stem] == '.' &&
	    strspn(path + stem + 1, "0123456789abcdef") == 8 &&
	    strcmp(path + stem + 9, dot) == 0;
}

/* The file path names, with the Cache-Control to answer it with. */
static const struct static_file *
static_find(const char *path, const char **cache)
{
	const struct static_file	*f;

	for (f = static_files; f < static_files + STATIC_N; f++) {
		if (f->data == NULL)
			continue;
		if (strcmp(path, f->url) == 0) {
			*cache = f->cache;
			return f;
		}
		if (static_old_name(f, path)) {
			*cache = "no-cache";
			return f;
		}
	}
	return NULL;
}

void
static_serve(struct http_req *req, const char *path)
{
	const struct static_file	*f;
	const char			*inm, *cache;

	if ((f = static_find(path, &cache)) == NULL) {
		http_error(req, 404, "not_found", "no such file");
		return;
	}
	inm = http_param(req, "HTTP_IF_NONE_MATCH");
	if (inm != NULL && strstr(inm, f->etag) != NULL) {
		http_head(req, 304, f->mime);
		http_printf(req, "Cache-Control: %s\r\n"
		    "ETag: %s\r\n\r\n", cache, f->etag);
		return;
	}
	http_head(req, 200, f->mime);
	http_printf(req, "Cache-Control: %s\r\nETag: %s\r\n"
	    "Content-Length: %lu\r\n\r\n", cache, f->etag,
	    (unsigned long)f->len);
	if (strcmp(req->method, "HEAD") != 0)
		http_write(req, f->data, f->len);
}
