/* The fs store driver against a scratch directory. */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "log.h"
#include "tap.h"

struct collect {
	char	 buf[256];
	size_t	 len;
	int	 calls;
};

static int
collect(void *arg, const void *p, size_t n)
{
	struct collect	*c = arg;

	c->calls++;
	if (n > sizeof(c->buf) - c->len)
		return -1;
	memcpy(c->buf + c->len, p, n);
	c->len += n;
	return 0;
}

/* Counts the ".tmp." files left in dir. */
static int
tmp_files(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	int		 n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, ".tmp.", 5) == 0;
	closedir(d);
	return n;
}

static void
test_keys(struct fs *fs, const char *root)
{
	char	 p[512], want[512];

	snprintf(want, sizeof(want), "%s/aB/3d/aB3dE_9x/small.jpg", root);
	ok(fs_path(fs, "aB3dE_9x/small.jpg", p, sizeof(p)) == 0 &&
	    strcmp(p, want) == 0, "key fans out to %s", p);
	ok(fs_path(fs, "aB3dE_9x/../../etc/passwd", p, sizeof(p)) == -1,
	    "a key with a slash in the name refused");
	ok(fs_path(fs, "aB3dE_9x/.hidden", p, sizeof(p)) == -1,
	    "a name with a leading dot refused");
	ok(fs_path(fs, "../3dE_9x/a.jpg", p, sizeof(p)) == -1,
	    "a malformed id refused");
	ok(fs_path(fs, "aB3dE_9x/", p, sizeof(p)) == -1, "an empty name refused");
	ok(fs_path(fs, "aB3dE_9x/a.jpg", p, 10) == -1, "a short buffer refused");
	ok(fs_put(fs, "x/../../a", "a", 1) == STORE_ERROR,
	    "put of a bad key fails");
}

static void
test_round_trip(struct fs *fs, const char *root)
{
	struct store_buf	 b;
	struct store_stat	 st;
	struct collect		 c = { .len = 0 };
	char			 path[512], dir[512];
	struct stat		 sb;

	ok(fs_put(fs, "aB3dE_9x/original.jpg", "hello, world", 12) ==
	    STORE_OK, "put");
	ok(fs_get(fs, "aB3dE_9x/original.jpg", 100, &b) == STORE_OK &&
	    b.len == 12 && memcmp(b.data, "hello, world", 12) == 0,
	    "get returns the bytes");
	store_buf_free(&b);
	ok(fs_get(fs, "aB3dE_9x/original.jpg", 5, &b) == STORE_ERROR &&
	    b.data == NULL, "get over max refused");
	ok(fs_put(fs, "aB3dE_9x/original.jpg", "bye", 3) == STORE_OK &&
	    fs_get(fs, "aB3dE_9x/original.jpg", 100, &b) == STORE_OK &&
	    b.len == 3 && memcmp(b.data, "bye", 3) == 0, "overwrite wins");
	store_buf_free(&b);
	ok(fs_head(fs, "aB3dE_9x/original.jpg", &st) == STORE_OK &&
	    st.size == 3 && st.etag[0] == '"', "head: size 3, etag %s",
	    st.etag);
	ok(fs_stream(fs, "aB3dE_9x/original.jpg", 1, 1, NULL, collect, &c) ==
	    STORE_OK && c.len == 1 && c.buf[0] == 'y', "stream a range");
	fs_path(fs, "aB3dE_9x/original.jpg", path, sizeof(path));
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0644,
	    "blob readable by the web server (0644)");
	snprintf(dir, sizeof(dir), "%s/aB/3d/aB3dE_9x", root);
	ok(tmp_files(dir) == 0, "no temporary file left behind");
}

static void
test_missing(struct fs *fs)
{
	struct store_buf	 b;
	struct store_stat	 st;
	struct collect		 c = { .len = 0 };

	ok(fs_get(fs, "zzzzzzzz/original.jpg", 100, &b) == STORE_NOT_FOUND,
	    "get of a missing key");
	ok(fs_head(fs, "zzzzzzzz/original.jpg", &st) == STORE_NOT_FOUND,
	    "head of a missing key");
	ok(fs_stream(fs, "zzzzzzzz/x.jpg", 0, -1, NULL, collect, &c) ==
	    STORE_NOT_FOUND && c.calls == 0, "stream of a missing key");
	ok(fs_delete(fs, "aB3dE_9x/original.jpg") == STORE_OK &&
	    fs_head(fs, "aB3dE_9x/original.jpg", &st) == STORE_NOT_FOUND,
	    "delete, then gone");
	ok(fs_delete(fs, "aB3dE_9x/original.jpg") == STORE_OK,
	    "delete of a missing key is fine");
}

/* What a listing saw: the keys, one a line, and how many pages. */
struct seen {
	char	 keys[4096];
	int	 n, pages, stop_after;
	off_t	 bytes;
	time_t	 oldest;
};

static int
seen_page(void *arg, const struct store_entry *e, size_t n)
{
	struct seen	*s = arg;
	size_t		 i;

	s->pages++;
	for (i = 0; i < n; i++, s->n++) {
		if (s->n < 20) {
			strlcat(s->keys, e[i].key, sizeof(s->keys));
			strlcat(s->keys, " ", sizeof(s->keys));
		}
		s->bytes += e[i].size;
		if (s->oldest == 0 || e[i].mtime < s->oldest)
			s->oldest = e[i].mtime;
	}
	return s->stop_after != 0 && s->pages >= s->stop_after;
}

/* Whether the listing found key (among the first 20). */
static int
seen_has(const struct seen *s, const char *key)
{
	char	 k[128];

	snprintf(k, sizeof(k), "%s ", key);
	return strstr(s->keys, k) != NULL;
}

/* Lists prefix into a cleared s, stopping after stop pages (0: never). */
static enum store_status
list(struct fs *fs, const char *prefix, struct seen *s, int stop)
{
	memset(s, 0, sizeof(*s));
	s->stop_after = stop;
	return fs_list(fs, prefix, seen_page, s);
}

static void
test_list(struct fs *fs, const char *root)
{
	struct seen	 s;
	char		 path[512], key[64];
	enum store_status rc;
	int		 i, good = 1;
	FILE		*f;

	fs_put(fs, "aB3dE_9x/original.png", "12345", 5);
	fs_put(fs, "aB3dE_9x/small.webp", "123", 3);
	fs_put(fs, "aBzzzzzz/original.gif", "1", 1);
	fs_put(fs, "Qq000000/large.jpg", "1234", 4);
	/* A put under way, and files that are no blobs. */
	snprintf(path, sizeof(path), "%s/aB/3d/aB3dE_9x/.tmp.abcdef", root);
	if ((f = fopen(path, "w")) != NULL)
		fclose(f);
	snprintf(path, sizeof(path), "%s/stray", root);
	if ((f = fopen(path, "w")) != NULL)
		fclose(f);
	rc = list(fs, "", &s, 0);
	ok(rc == STORE_OK && s.n == 4 &&
	    s.bytes == 13 && s.pages == 1 && seen_has(&s, "aB3dE_9x/small.webp")
	    && seen_has(&s, "Qq000000/large.jpg") &&
	    s.oldest > time(NULL) - 600, "list all: %d blobs, %lld bytes: %s",
	    s.n, (long long)s.bytes, s.keys);
	rc = list(fs, "aB3dE_9x/", &s, 0);
	ok(rc == STORE_OK && s.n == 2 &&
	    seen_has(&s, "aB3dE_9x/original.png"), "list one id: %s", s.keys);
	rc = list(fs, "aB", &s, 0);
	ok(rc == STORE_OK && s.n == 3,
	    "list a prefix shorter than a fan-out level: %s", s.keys);
	rc = list(fs, "aB3dE_9x/sm", &s, 0);
	ok(rc == STORE_OK && s.n == 1,
	    "list a prefix into the names: %s", s.keys);
	rc = list(fs, "zz", &s, 0);
	ok(rc == STORE_OK && s.n == 0 &&
	    s.pages == 0, "an empty listing calls nothing");

	for (i = 0; i < STORE_LIST_PAGE + 5 && good; i++) {
		snprintf(key, sizeof(key), "Pg%06d/small.jpg", i);
		good = fs_put(fs, key, "x", 1) == STORE_OK;
	}
	rc = list(fs, "Pg", &s, 0);
	ok(good && rc == STORE_OK &&
	    s.n == STORE_LIST_PAGE + 5 && s.pages == 2,
	    "%d blobs come in %d pages", s.n, s.pages);
	rc = list(fs, "Pg", &s, 1);
	ok(rc == STORE_ERROR && s.pages == 1,
	    "a callback that says stop stops the listing");
}

int
main(void)
{
	char		 root[] = "/tmp/t_fs.XXXXXX", cmd[600];
	struct fs	*fs;

	log_init("t_fs");
	if (mkdtemp(root) == NULL || (fs = fs_open(root)) == NULL)
		return 1;
	ok(fs_ping(fs) == STORE_OK, "ping");
	test_keys(fs, root);
	test_round_trip(fs, root);
	test_missing(fs);
	test_list(fs, root);
	fs_free(fs);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	system(cmd);
	return tap_done();
}
