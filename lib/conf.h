/*
 * Configuration: one file of "key = value" lines, every key overridable by
 * the environment variable IMGHOST_<KEY> (API.md, "Configuration").
 */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>

enum conf_store {
	CONF_STORE_FS,		/* local directory, served by lighttpd */
	CONF_STORE_S3,		/* S3-compatible object store */
};

/* What conf_load() and the calls below return; err then says more. */
enum conf_status {
	CONF_OK = 0,		/* applied (a blank line or a comment too) */
	CONF_UNREADABLE,	/* the file could not be opened or read */
	CONF_BAD_LINE,		/* not "key = value", or too long */
	CONF_UNKNOWN_KEY,	/* no such key */
	CONF_BAD_VALUE,		/* the key's type refuses the value */
	CONF_INCOMPLETE,	/* what goes together is not all there */
};

struct conf {
	char		*database_url;	/* libpq connection string */
	enum conf_store	 store;
	char		*fs_root;
	char		*s3_endpoint;	/* "http://127.0.0.1:7480", no slash */
	char		*s3_bucket;
	char		*s3_region;
	char		*s3_access_key;
	char		*s3_secret_key;
	char		*public_url;	/* NULL: the request's own */
	long long	 max_upload_bytes;
	long long	 max_pixels;
	long long	 max_side;
	long long	 max_frames;
	long long	 max_display_pixels;	/* of a HEIC, TIFF or BMP, whose
					   display copy the upload makes */
	int		 strip_location;
	int		 url_upload;
	char		*url_upload_allow; /* "host:port host:port" */
	long long	 url_upload_concurrency; /* fetches at once, a node */
	char		*static_dir;	/* the pages' CSS and JS (static/) */
	char		*cache_dir;	/* s3 read cache (lib/cache.h); NULL: none */
	long long	 cache_max_bytes;
	long long	 cache_recheck;	/* seconds a copy is used unchecked */
	char		*purge_command;	/* run with a deleted image's URLs */
};

/*
 * Fills c with the defaults, then the file (IMGHOST_CONF, else
 * /etc/imghost.conf when it exists), then the environment.  Returns
 * CONF_OK, or another status with a message naming the key or line in
 * err.  Free with conf_free() either way.
 */
enum conf_status conf_load(struct conf *c, char *err, size_t errsz);

/* Sets the defaults; the other calls below then apply on top. */
void	conf_defaults(struct conf *c);

/* Applies one "key = value" line (comments and blanks are fine). */
enum conf_status conf_line(struct conf *c, const char *line, char *err,
	    size_t errsz);

/* Sets key to value, as the file or the environment would. */
enum conf_status conf_set(struct conf *c, const char *key, const char *value,
	    char *err, size_t errsz);

/* Checks what only makes sense together (s3 needs an endpoint, say). */
enum conf_status conf_check(const struct conf *c, char *err, size_t errsz);

void	conf_free(struct conf *c);

#endif
