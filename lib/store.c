/*
 * The store interface: each call goes to the driver the configuration
 * chose.  Two drivers do not need a table of function pointers.
 */
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "fs.h"
#include "log.h"
#include "s3.h"
#include "store.h"

struct store {
	struct fs	*fs;	/* exactly one of these is set */
	struct s3	*s3;
};

/* Calls that failed in this process, for store_error_count(). */
static unsigned long long	 store_nerrors;

/* Passes rc through, counting a failure; a missing blob is no failure. */
static enum store_status
store_count(enum store_status rc)
{
	if (rc != STORE_OK && rc != STORE_NOT_FOUND)
		store_nerrors++;
	return rc;
}

unsigned long long
store_error_count(void)
{
	return store_nerrors;
}

struct store *
store_open(const struct conf *c)
{
	struct store	*st;
	struct s3_params p = {
		.endpoint = c->s3_endpoint,
		.bucket = c->s3_bucket,
		.region = c->s3_region,
		.access_key = c->s3_access_key,
		.secret_key = c->s3_secret_key,
		.retries = -1,
	};

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		log_errx("store: out of memory");
		return NULL;
	}
	if (c->store == CONF_STORE_S3)
		st->s3 = s3_open(&p);
	else
		st->fs = fs_open(c->fs_root);
	if (st->s3 == NULL && st->fs == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

void
store_free(struct store *st)
{
	if (st == NULL)
		return;
	fs_free(st->fs);
	s3_free(st->s3);
	free(st);
}

const char *
store_driver(const struct store *st)
{
	return st->s3 != NULL ? "s3" : "fs";
}

enum store_status
store_put(struct store *st, const char *key, const void *buf, size_t len,
    const char *type)
{
	if (st->s3 != NULL)
		return store_count(s3_put(st->s3, key, buf, len, type));
	return store_count(fs_put(st->fs, key, buf, len));
}

enum store_status
store_get(struct store *st, const char *key, size_t max,
    struct store_buf *out)
{
	if (st->s3 != NULL)
		return store_count(s3_get(st->s3, key, max, out));
	return store_count(fs_get(st->fs, key, max, out));
}

/* The caller's sink, and whether it stopped the transfer itself. */
struct store_tee {
	store_sink	 sink;
	void		*arg;
	int		 stopped;
};

static int
store_tee_sink(void *arg, const void *buf, size_t len)
{
	struct store_tee	*t = arg;

	if (t->sink(t->arg, buf, len) == 0)
		return 0;
	t->stopped = 1;
	return -1;
}

enum store_status
store_stream(struct store *st, const char *key, off_t off, off_t len,
    struct store_stat *ss, store_sink sink, void *arg)
{
	struct store_tee	 t = { sink, arg, 0 };
	enum store_status	 rc;

	if (st->s3 != NULL)
		rc = s3_stream(st->s3, key, off, len, ss, store_tee_sink, &t);
	else
		rc = fs_stream(st->fs, key, off, len, ss, store_tee_sink, &t);
	/* A reader that went away is not the store failing. */
	return t.stopped ? rc : store_count(rc);
}

enum store_status
store_head(struct store *st, const char *key, struct store_stat *ss)
{
	if (st->s3 != NULL)
		return store_count(s3_head(st->s3, key, ss));
	return store_count(fs_head(st->fs, key, ss));
}

enum store_status
store_delete(struct store *st, const char *key)
{
	if (st->s3 != NULL)
		return store_count(s3_delete(st->s3, key));
	return store_count(fs_delete(st->fs, key));
}

enum store_status
store_list(struct store *st, const char *prefix, store_list_cb cb, void *arg)
{
	if (st->s3 != NULL)
		return s3_list(st->s3, prefix, cb, arg);
	return fs_list(st->fs, prefix, cb, arg);
}

enum store_status
store_ping(struct store *st)
{
	if (st->s3 != NULL)
		return store_count(s3_ping(st->s3));
	return store_count(fs_ping(st->fs));
}

const char *
store_status_str(enum store_status s)
{
	switch (s) {
	case STORE_OK:
		return "ok";
	case STORE_NOT_FOUND:
		return "not_found";
	case STORE_DENIED:
		return "denied";
	case STORE_UNAVAILABLE:
		return "unavailable";
	case STORE_ERROR:
		break;
	}
	return "error";
}

enum store_status
store_key(char *out, size_t outsz, const char *id, const char *size,
    const char *ext)
{
	int	 n;

	if (size == NULL)
		n = snprintf(out, outsz, "%s/", id);
	else
		n = snprintf(out, outsz, "%s/%s.%s", id, size, ext);
	if (n >= 0 && (size_t)n < outsz)
		return STORE_OK;
	if (outsz > 0)
		out[0] = '\0';
	return STORE_ERROR;
}
