/*
 * The fs store driver.  A blob is written to a temporary file beside its
 * final name, synced, renamed into place and the directory synced, so a
 * reader sees the whole blob or nothing, even across a power cut.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "id.h"
#include "log.h"

struct fs {
	char	*root;
};

struct fs *
fs_open(const char *root)
{
	struct fs	*fs;

	if (mkdir(root, 0755) == -1 && errno != EEXIST) {
		log_errx("fs: mkdir %s: %s", root, strerror(errno));
		return NULL;
	}
	if ((fs = calloc(1, sizeof(*fs))) == NULL ||
	    (fs->root = strdup(root)) == NULL) {
		free(fs);
		log_errx("fs: out of memory");
		return NULL;
	}
	return fs;
}

void
fs_free(struct fs *fs)
{
	if (fs == NULL)
		return;
	free(fs->root);
	free(fs);
}

/* A blob name: no slash, no leading dot, nothing but [A-Za-z0-9._-]. */
static int
fs_name_valid(const char *name)
{
	const char	*p;

	if (*name == '\0' || *name == '.')
		return 0;
	for (p = name; *p != '\0'; p++)
		if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '_' ||
		    *p == '-'))
			return 0;
	return 1;
}

int
fs_path_under(const char *root, const char *key, char *out, size_t outsz)
{
	int	 n;

	if (strlen(key) <= ID_LEN + 1 || key[ID_LEN] != '/' ||
	    !id_valid(key, ID_LEN) || !fs_name_valid(key + ID_LEN + 1))
		return -1;
	n = snprintf(out, outsz, "%s/%.2s/%.2s/%s", root, key, key + 2, key);
	return (n < 0 || (size_t)n >= outsz) ? -1 : 0;
}

int
fs_path(const struct fs *fs, const char *key, char *out, size_t outsz)
{
	return fs_path_under(fs->root, key, out, outsz);
}

static enum store_status
fs_errno_status(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return STORE_NOT_FOUND;
	case EACCES:
	case EPERM:
		return STORE_DENIED;
	case ENOSPC:
	case EDQUOT:
	case EIO:
	case EROFS:
		return STORE_UNAVAILABLE;
	default:
		return STORE_ERROR;
	}
}

static enum store_status
fs_fail(const char *op, const char *path)
{
	int	 e = errno;

	if (e != ENOENT)
		log_errx("fs: %s %s: %s", op, path, strerror(e));
	return fs_errno_status(e);
}

/* Syncs a directory, so a rename or a new entry in it is durable. */
static int
fs_sync_dir(const char *dir)
{
	int	 fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Creates dir and its missing parents, syncing each parent it changed. */
static int
fs_mkdirs(char *dir)
{
	char	*slash;
	int	 rc;

	if (mkdir(dir, 0755) == -1) {
		if (errno == EEXIST)
			return 0;
		slash = strrchr(dir, '/');
		if (errno != ENOENT || slash == NULL || slash == dir)
			return -1;
		*slash = '\0';
		rc = fs_mkdirs(dir);
		*slash = '/';
		if (rc == -1 || (mkdir(dir, 0755) == -1 && errno != EEXIST))
			return -1;
	}
	/* A new directory: make its entry in the parent durable. */
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir)
		return 0;
	*slash = '\0';
	rc = fs_sync_dir(dir);
	*slash = '/';
	return rc;
}

static int
fs_write_all(int fd, const unsigned char *p, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static enum store_status
fs_key_path(const struct fs *fs, const char *key, char *out, size_t outsz)
{
	if (fs_path(fs, key, out, outsz) == 0)
		return STORE_OK;
	log_errx("fs: bad key '%s'", key);
	return STORE_ERROR;
}

enum store_status
fs_put(struct fs *fs, const char *key, const void *buf, size_t len)
{
	char			 path[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX];
	enum store_status	 rc;
	int			 fd = -1, n;

	if ((rc = fs_key_path(fs, key, path, sizeof(path))) != STORE_OK)
		return rc;
	strlcpy(dir, path, sizeof(dir));
	*strrchr(dir, '/') = '\0';
	if (fs_mkdirs(dir) == -1)
		return fs_fail("mkdir", dir);
	n = snprintf(tmp, sizeof(tmp), "%s/.tmp.XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return STORE_ERROR;
	if ((fd = mkstemp(tmp)) == -1)
		return fs_fail("mkstemp", tmp);
	if (fs_write_all(fd, buf, len) == -1 || fchmod(fd, 0644) == -1 ||
	    fsync(fd) == -1)
		goto fail;
	n = close(fd);
	fd = -1;
	if (n == -1 || rename(tmp, path) == -1)
		goto fail;
	if (fs_sync_dir(dir) == -1)
		return fs_fail("fsync", dir);
	return STORE_OK;
fail:
	rc = fs_fail("write", tmp);
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return rc;
}

/*
 * The strong ETag lighttpd gives the same file when it sends it itself
 * (static-file.etags with inode, size and mtime: Knuth's DEK hash of
 * those four numbers, seeded with their length), so that the app's 206
 * and 304 name a blob as lighttpd's 200 does.  A lighttpd that changes
 * its recipe fails tests/it/t_11_serve.sh.
 */
static void
fs_etag(const struct stat *sb, char *buf, size_t sz)
{
	const uint64_t		 x[4] = { sb->st_ino, sb->st_size,
				    sb->st_mtime, sb->st_mtim.tv_nsec };
	const unsigned char	*p = (const unsigned char *)x;
	uint32_t		 h = sizeof(x);
	size_t			 i;

	for (i = 0; i < sizeof(x); i++)
		h = (h << 5) ^ (h >> 27) ^ p[i];
	snprintf(buf, sz, "\"%" PRIu32 "\"", h);
}

static void
fs_fill_stat(const struct stat *sb, struct store_stat *st)
{
	if (st == NULL)
		return;
	st->size = sb->st_size;
	st->mtime = sb->st_mtime;
	fs_etag(sb, st->etag, sizeof(st->etag));
}

enum store_status
fs_head(struct fs *fs, const char *key, struct store_stat *st)
{
	char			 path[PATH_MAX];
	struct stat		 sb;
	enum store_status	 rc;

	if ((rc = fs_key_path(fs, key, path, sizeof(path))) != STORE_OK)
		return rc;
	if (stat(path, &sb) == -1)
		return fs_fail("stat", path);
	if (!S_ISREG(sb.st_mode))
		return STORE_NOT_FOUND;
	fs_fill_stat(&sb, st);
	return STORE_OK;
}

/* Reads from fd at off, len bytes or to the end (-1), into sink. */
static enum store_status
fs_copy(int fd, const char *path, off_t off, off_t len, store_sink sink,
    void *arg)
{
	unsigned char	 buf[65536];
	ssize_t		 n;
	size_t		 want;

	while (len != 0) {
		want = sizeof(buf);
		if (len > 0 && (off_t)want > len)
			want = len;
		if ((n = pread(fd, buf, want, off)) == -1) {
			if (errno == EINTR)
				continue;
			return fs_fail("read", path);
		}
		if (n == 0)
			break;
		if (sink(arg, buf, n) != 0)
			return STORE_ERROR;
		off += n;
		if (len > 0)
			len -= n;
	}
	return STORE_OK;
}

enum store_status
fs_stream(struct fs *fs, const char *key, off_t off, off_t len,
    struct store_stat *st, store_sink sink, void *arg)
{
	char			 path[PATH_MAX];
	struct stat		 sb;
	enum store_status	 rc;
	int			 fd;

	if ((rc = fs_key_path(fs, key, path, sizeof(path))) != STORE_OK)
		return rc;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return fs_fail("open", path);
	if (fstat(fd, &sb) == -1) {
		rc = fs_fail("fstat", path);
		close(fd);
		return rc;
	}
	fs_fill_stat(&sb, st);
	rc = fs_copy(fd, path, off, len, sink, arg);
	close(fd);
	return rc;
}

struct fs_getbuf {
	struct store_buf	*out;
	size_t			 cap;
};

static int
fs_get_sink(void *arg, const void *buf, size_t len)
{
	struct fs_getbuf	*g = arg;

	if (len > g->cap - g->out->len)
		return -1;
	memcpy(g->out->data + g->out->len, buf, len);
	g->out->len += len;
	return 0;
}

enum store_status
fs_get(struct fs *fs, const char *key, size_t max, struct store_buf *out)
{
	struct store_stat	 st;
	struct fs_getbuf	 g = { out, 0 };
	enum store_status	 rc;

	out->data = NULL;
	out->len = 0;
	if ((rc = fs_head(fs, key, &st)) != STORE_OK)
		return rc;
	if ((size_t)st.size > max)
		return STORE_ERROR;
	/* One byte more than the size, so a blob that grew is noticed. */
	g.cap = st.size;
	if ((out->data = malloc(g.cap + 1)) == NULL)
		return STORE_ERROR;
	rc = fs_stream(fs, key, 0, g.cap + 1, NULL, fs_get_sink, &g);
	if (rc != STORE_OK)
		store_buf_free(out);
	return rc;
}

enum store_status
fs_delete(struct fs *fs, const char *key)
{
	char			 path[PATH_MAX], *slash;
	enum store_status	 rc;

	if ((rc = fs_key_path(fs, key, path, sizeof(path))) != STORE_OK)
		return rc;
	if (unlink(path) == -1 && errno != ENOENT)
		return fs_fail("unlink", path);
	/*
	 * The image's directory goes with its last blob, or two billion
	 * empty ones would stay; any other error (not empty) leaves it.
	 */
	if ((slash = strrchr(path, '/')) != NULL) {
		*slash = '\0';
		(void)rmdir(path);
	}
	return STORE_OK;
}

enum store_status
fs_ping(struct fs *fs)
{
	if (access(fs->root, R_OK | W_OK | X_OK) == -1) {
		log_errx("fs: %s: %s", fs->root, strerror(errno));
		return STORE_UNAVAILABLE;
	}
	return STORE_OK;
}

/* A key: the id, a slash, and a name of at most NAME_MAX bytes. */
#define FS_KEY_MAX	(ID_LEN + 1 + NAME_MAX + 1)

/* The state of one fs_list(): a page of entries being filled. */
struct fs_lister {
	const char		*prefix;
	store_list_cb		 cb;
	void			*arg;
	size_t			 n;
	int			 stopped;	/* the callback said stop */
	struct store_entry	 ents[STORE_LIST_PAGE];
	char			 keys[STORE_LIST_PAGE][FS_KEY_MAX];
};

/* Hands the page to the callback and starts a new one. */
static void
fs_list_flush(struct fs_lister *l)
{
	if (l->n > 0 && !l->stopped && l->cb(l->arg, l->ents, l->n) != 0)
		l->stopped = 1;
	l->n = 0;
}

/*
 * Whether a name found at offset off of the key (len bytes of it) can
 * still lead to a key that starts with the prefix.
 */
static int
fs_list_fits(const char *prefix, size_t off, const char *name, size_t len)
{
	size_t	 i, plen = strlen(prefix);

	if (strlen(name) != len)
		return 0;
	for (i = 0; i < len && off + i < plen; i++)
		if (prefix[off + i] != name[i])
			return 0;
	return 1;
}

/* Adds dir/name as the blob id/name, if it is one. */
static void
fs_list_blob(struct fs_lister *l, const char *dir, const char *id,
    const char *name)
{
	char		 path[PATH_MAX], *key = l->keys[l->n];
	struct stat	 sb;
	int		 n;

	if (!fs_name_valid(name))	/* ".tmp." files of a put under way */
		return;
	n = snprintf(key, FS_KEY_MAX, "%s/%s", id, name);
	if (n < 0 || n >= FS_KEY_MAX ||
	    strncmp(key, l->prefix, strlen(l->prefix)) != 0)
		return;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path) || lstat(path, &sb) == -1 ||
	    !S_ISREG(sb.st_mode))
		return;
	l->ents[l->n].key = key;
	l->ents[l->n].size = sb.st_size;
	l->ents[l->n].mtime = sb.st_mtime;
	if (++l->n == STORE_LIST_PAGE)
		fs_list_flush(l);
}

/*
 * Calls each(l, path, name) for every entry of the directory path but
 * "." and "..".  A directory that vanished meanwhile is empty; 0, or -1
 * with errno set when it cannot be read.
 */
static int
fs_list_dir(struct fs_lister *l, const char *path, int depth,
    void (*each)(struct fs_lister *, const char *, const char *, int))
{
	DIR		*d;
	struct dirent	*e;

	if ((d = opendir(path)) == NULL)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	while (!l->stopped && (errno = 0, e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			each(l, path, e->d_name, depth);
	closedir(d);
	return 0;
}

/* One directory of the fan-out: ROOT/aB, ROOT/aB/3d or ROOT/aB/3d/ID. */
static void
fs_list_each(struct fs_lister *l, const char *dir, const char *name,
    int depth)
{
	char		 path[PATH_MAX];
	const char	*id;
	int		 n;

	if (depth == 3) {
		id = strrchr(dir, '/') + 1;
		fs_list_blob(l, dir, id, name);
		return;
	}
	if ((depth < 2 && !fs_list_fits(l->prefix, depth * 2, name, 2)) ||
	    (depth == 2 && (!fs_list_fits(l->prefix, 0, name, ID_LEN) ||
	    !id_valid(name, ID_LEN) ||
	    strncmp(name, strrchr(dir, '/') - 2, 2) != 0 ||
	    strncmp(name + 2, strrchr(dir, '/') + 1, 2) != 0)))
		return;
	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	if (fs_list_dir(l, path, depth + 1, fs_list_each) == -1)
		log_warnx("fs: list %s: %s", path, strerror(errno));
}

enum store_status
fs_list(struct fs *fs, const char *prefix, store_list_cb cb, void *arg)
{
	struct fs_lister	*l;
	int			 stopped;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		log_errx("fs: list: out of memory");
		return STORE_ERROR;
	}
	l->prefix = prefix;
	l->cb = cb;
	l->arg = arg;
	if (fs_list_dir(l, fs->root, 0, fs_list_each) == -1) {
		free(l);
		return fs_fail("list", fs->root);
	}
	fs_list_flush(l);
	stopped = l->stopped;
	free(l);
	return stopped ? STORE_ERROR : STORE_OK;
}
