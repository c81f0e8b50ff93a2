/*
 * The read cache (lib/cache.h).  A copy is written to a dot file beside
 * its name and renamed into place when whole, so lighttpd never sends
 * half a copy; nothing is synced, since a copy lost in a crash is only
 * fetched again.
 */
#include <sys/stat.h>
#include <sys/xattr.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "fs.h"
#include "log.h"

#define CACHE_ETAG_XATTR	"user.imghost.etag"
#define CACHE_LEFTOVER_AGE	3600	/* seconds before a fill is dead */

enum cache_state
cache_lookup(const char *dir, time_t recheck, const char *key,
    struct store_stat *st, char *path, size_t pathsz)
{
	struct stat	 sb;
	ssize_t		 n;

	if (fs_path_under(dir, key, path, pathsz) == -1 ||
	    stat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
		return CACHE_MISS;
	n = getxattr(path, CACHE_ETAG_XATTR, st->etag, sizeof(st->etag) - 1);
	if (n <= 0)
		return CACHE_MISS;
	st->etag[n] = '\0';
	st->size = sb.st_size;
	st->mtime = sb.st_mtime;
	return time(NULL) - sb.st_ctime < recheck ? CACHE_FRESH : CACHE_STALE;
}

void
cache_checked(const char *path)
{
	/* Any change of the times sets ctime to now; mtime stays. */
	const struct timespec	 ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_OMIT } };

	if (utimensat(AT_FDCWD, path, ts, 0) == -1 && errno != ENOENT)
		log_warnx("cache: utimensat %s: %s", path, strerror(errno));
}

void
cache_drop(const char *dir, const char *key)
{
	char	 path[PATH_MAX];

	if (fs_path_under(dir, key, path, sizeof(path)) == 0 &&
	    unlink(path) == -1 && errno != ENOENT)
		log_warnx("cache: unlink %s: %s", path, strerror(errno));
}

/* Creates dir and the directories of path below it, the file excepted. */
static int
cache_mkdirs(const char *dir, char *path)
{
	char	*p;

	for (p = path + strlen(dir); (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

int
cache_fill_begin(const char *dir, const char *key, struct cache_fill *f)
{
	char	*slash;

	f->fd = -1;
	if (fs_path_under(dir, key, f->path, sizeof(f->path)) == -1)
		return -1;
	slash = strrchr(f->path, '/');
	if (snprintf(f->tmp, sizeof(f->tmp), "%.*s/.fill-XXXXXX",
	    (int)(slash - f->path), f->path) >= (int)sizeof(f->tmp))
		return -1;
	if (cache_mkdirs(dir, f->tmp) == -1 ||
	    (f->fd = mkostemp(f->tmp, O_CLOEXEC)) == -1) {
		log_warnx("cache: %s: %s", f->tmp, strerror(errno));
		return -1;
	}
	return 0;
}

static void
cache_fill_abort(struct cache_fill *f, const char *op)
{
	if (op != NULL)
		log_warnx("cache: %s %s: %s", op, f->tmp, strerror(errno));
	close(f->fd);
	unlink(f->tmp);
	f->fd = -1;
}

void
cache_fill_write(struct cache_fill *f, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (f->fd != -1 && len > 0) {
		if ((n = write(f->fd, p, len)) == -1) {
			if (errno != EINTR)
				cache_fill_abort(f, "write");
			continue;
		}
		p += n;
		len -= n;
	}
}

void
cache_fill_end(struct cache_fill *f, const struct store_stat *st, int ok)
{
	struct timespec	 ts[2] = { { 0, UTIME_NOW }, { 0, 0 } };
	struct stat	 sb;

	if (f->fd == -1)
		return;
	if (!ok || fstat(f->fd, &sb) == -1 || sb.st_size != st->size) {
		cache_fill_abort(f, NULL);
		return;
	}
	ts[1].tv_sec = st->mtime;
	if (fsetxattr(f->fd, CACHE_ETAG_XATTR, st->etag, strlen(st->etag),
	    0) == -1) {
		cache_fill_abort(f, "fsetxattr");
		return;
	}
	if (futimens(f->fd, ts) == -1) {
		cache_fill_abort(f, "futimens");
		return;
	}
	if (rename(f->tmp, f->path) == -1) {
		cache_fill_abort(f, "rename");
		return;
	}
	close(f->fd);
	f->fd = -1;
}

/* What cache_trim() found: every copy, to sort by when it was checked. */
struct cache_copy {
	time_t	 ctime;
	off_t	 size;
	char	*path;
};

struct cache_walk {
	struct cache_copy	*v;
	size_t			 n, cap;
	time_t			 now;
	struct cache_trim_stats	*stats;
};

/* Unlinks path and, if now empty, its directory (the image's). */
static void
cache_remove(struct cache_walk *w, char *path, off_t size)
{
	char	*slash;

	if (unlink(path) == -1) {
		if (errno != ENOENT)
			log_warnx("cache: unlink %s: %s", path,
			    strerror(errno));
		return;
	}
	w->stats->removed++;
	w->stats->removed_bytes += size;
	if ((slash = strrchr(path, '/')) != NULL) {
		*slash = '\0';
		(void)rmdir(path);
		*slash = '/';
	}
}

static int
cache_walk_add(struct cache_walk *w, const char *path, const struct stat *sb)
{
	struct cache_copy	*v;
	size_t			 cap;

	if (w->n == w->cap) {
		cap = w->cap == 0 ? 1024 : w->cap * 2;
		if ((v = reallocarray(w->v, cap, sizeof(*v))) == NULL)
			return -1;
		w->v = v;
		w->cap = cap;
	}
	if ((w->v[w->n].path = strdup(path)) == NULL)
		return -1;
	w->v[w->n].ctime = sb->st_ctime;
	w->v[w->n].size = sb->st_size;
	w->n++;
	w->stats->files++;
	w->stats->bytes += sb->st_size;
	return 0;
}

/* Walks dir, depth levels of directories above the copies. */
static int
cache_walk_dir(struct cache_walk *w, const char *dir, int depth)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 sb;
	char		 path[PATH_MAX];
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || lstat(path, &sb) == -1)
			continue;
		if (depth > 0 && S_ISDIR(sb.st_mode))
			rc = cache_walk_dir(w, path, depth - 1);
		else if (depth > 0 || !S_ISREG(sb.st_mode))
			continue;
		else if (de->d_name[0] != '.')
			rc = cache_walk_add(w, path, &sb);
		else if (w->now - sb.st_mtime > CACHE_LEFTOVER_AGE)
			cache_remove(w, path, sb.st_size);
	}
	closedir(d);
	return rc;
}

static int
cache_copy_cmp(const void *a, const void *b)
{
	const struct cache_copy	*x = a, *y = b;

	return (x->ctime > y->ctime) - (x->ctime < y->ctime);
}

int
cache_trim(const char *dir, long long max_bytes, struct cache_trim_stats *st)
{
	struct cache_walk	 w = { .now = time(NULL), .stats = st };
	long long		 keep = max_bytes / 10 * 9, left;
	size_t			 i;
	int			 rc;

	memset(st, 0, sizeof(*st));
	/* ab/cd/ID/name: three levels of directories. */
	if ((rc = cache_walk_dir(&w, dir, 3)) == -1)
		log_errx("cache: walking %s: %s", dir, strerror(errno));
	/* Down to 90%, so the cache has room until the next trim. */
	left = st->bytes;
	if (rc == 0 && left > max_bytes) {
		qsort(w.v, w.n, sizeof(*w.v), cache_copy_cmp);
		for (i = 0; i < w.n && left > keep; i++) {
			cache_remove(&w, w.v[i].path, w.v[i].size);
			left -= w.v[i].size;
		}
	}
	for (i = 0; i < w.n; i++)
		free(w.v[i].path);
	free(w.v);
	return rc;
}
