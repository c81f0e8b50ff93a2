/* Configuration: tables of good and bad lines, and the environment. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "tap.h"

struct line_case {
	const char	*line;
	enum conf_status want;
};

static const struct line_case lines[] = {
	{ "", CONF_OK },
	{ "   # a comment", CONF_OK },
	{ "store = s3", CONF_OK },
	{ "store=fs", CONF_OK },
	{ "store = ftp", CONF_BAD_VALUE },
	{ "stoer = fs", CONF_UNKNOWN_KEY },
	{ "no equals sign", CONF_BAD_LINE },
	{ "max_upload_bytes = 32M", CONF_OK },
	{ "max_upload_bytes = 10k", CONF_OK },
	{ "max_upload_bytes = 0", CONF_BAD_VALUE },
	{ "max_upload_bytes = -5", CONF_BAD_VALUE },
	{ "max_upload_bytes = 12X", CONF_BAD_VALUE },
	{ "max_upload_bytes = 99999999999999999999", CONF_BAD_VALUE },
	{ "max_side = 16384", CONF_OK },
	{ "max_side = 1.5", CONF_BAD_VALUE },
	{ "max_frames = ten", CONF_BAD_VALUE },
	{ "strip_location = no", CONF_OK },
	{ "strip_location = maybe", CONF_BAD_VALUE },
	{ "url_upload = On", CONF_OK },
	{ "url_upload_concurrency = 3", CONF_OK },
	{ "url_upload_concurrency = 0", CONF_BAD_VALUE },
	{ "public_url = https://cdn.example.com/", CONF_OK },
	{ "public_url = ftp://cdn.example.com", CONF_BAD_VALUE },
	{ "s3_endpoint = http://127.0.0.1:7480", CONF_OK },
	{ "s3_endpoint = 127.0.0.1:7480", CONF_BAD_VALUE },
	/* Found by tests/fuzz/conf: these became "http:" and were taken. */
	{ "s3_endpoint = http://", CONF_BAD_VALUE },
	{ "public_url = https:///", CONF_BAD_VALUE },
	{ "s3_secret_key = a#b=c", CONF_OK },
};

static void
test_lines(void)
{
	struct conf	 c;
	char		 err[256];
	size_t		 i;
	enum conf_status rc;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		conf_defaults(&c);
		err[0] = '\0';
		rc = conf_line(&c, lines[i].line, err, sizeof(err));
		ok(rc == lines[i].want, "'%s' %s (%d) %s", lines[i].line,
		    lines[i].want == CONF_OK ? "accepted" : "refused", rc, err);
		conf_free(&c);
	}
}

static void
test_values(void)
{
	struct conf	 c;
	char		 err[256];

	conf_defaults(&c);
	ok(c.store == CONF_STORE_FS && c.max_upload_bytes == 32 << 20 &&
	    c.max_pixels == 100000000 && c.max_side == 16384 &&
	    c.max_frames == 1000 && c.strip_location && c.url_upload &&
	    strcmp(c.s3_region, "us-east-1") == 0 &&
	    strcmp(c.database_url, "dbname=imghost") == 0,
	    "defaults as API.md gives them");
	ok(c.url_upload_concurrency == 2, "2 fetches by url at once a node");
	conf_line(&c, "max_upload_bytes = 10k", err, sizeof(err));
	ok(c.max_upload_bytes == 10240, "10k is 10240 bytes");
	conf_line(&c, "public_url = https://cdn.example.com//", err,
	    sizeof(err));
	ok(strcmp(c.public_url, "https://cdn.example.com") == 0,
	    "trailing slashes of a URL dropped");
	conf_line(&c, "s3_secret_key =  a#b=c  ", err, sizeof(err));
	ok(strcmp(c.s3_secret_key, "a#b=c") == 0,
	    "value keeps '#' and '=', loses outer blanks");
	conf_line(&c, "stoer = fs", err, sizeof(err));
	ok(strstr(err, "stoer") != NULL, "error names the unknown key: %s",
	    err);
	conf_line(&c, "max_side = big", err, sizeof(err));
	ok(strstr(err, "max_side") != NULL && strstr(err, "big") != NULL,
	    "error names the key and the bad value: %s", err);
	conf_free(&c);
}

static void
test_check(void)
{
	struct conf	 c;
	char		 err[256] = "";

	conf_defaults(&c);
	conf_set(&c, "store", "s3", err, sizeof(err));
	ok(conf_check(&c, err, sizeof(err)) == CONF_INCOMPLETE &&
	    strstr(err, "s3_endpoint") != NULL,
	    "store = s3 without an endpoint refused: %s", err);
	conf_set(&c, "s3_endpoint", "http://127.0.0.1:1", err, sizeof(err));
	conf_set(&c, "s3_bucket", "b", err, sizeof(err));
	conf_set(&c, "s3_access_key", "a", err, sizeof(err));
	conf_set(&c, "s3_secret_key", "s", err, sizeof(err));
	ok(conf_check(&c, err, sizeof(err)) == CONF_OK, "complete s3 accepted");
	conf_set(&c, "url_upload_allow", "127.0.0.1:8080, [::1]:80 a.b:1",
	    err, sizeof(err));
	ok(conf_check(&c, err, sizeof(err)) == CONF_OK,
	    "url_upload_allow taken");
	conf_set(&c, "url_upload_concurrency", "257", err, sizeof(err));
	ok(conf_check(&c, err, sizeof(err)) == CONF_BAD_VALUE &&
	    strstr(err, "url_upload_concurrency") != NULL,
	    "url_upload_concurrency over 256 refused: %s", err);
	conf_set(&c, "url_upload_concurrency", "256", err, sizeof(err));
	ok(conf_check(&c, err, sizeof(err)) == CONF_OK,
	    "url_upload_concurrency 256 accepted");
	conf_set(&c, "url_upload_allow", "127.0.0.1:8080 localhost", err,
	    sizeof(err));
	ok(conf_check(&c, err, sizeof(err)) == CONF_BAD_VALUE &&
	    strstr(err, "url_upload_allow") != NULL,
	    "url_upload_allow without a port refused: %s", err);
	conf_set(&c, "url_upload_allow", "[::1]:0", err, sizeof(err));
	ok(conf_check(&c, err, sizeof(err)) == CONF_BAD_VALUE,
	    "url_upload_allow port 0 refused: %s", err);
	conf_free(&c);
}

static void
test_load(void)
{
	struct conf	 c;
	char		 err[256] = "", path[] = "/tmp/t_conf.XXXXXX";
	FILE		*f;
	int		 fd;

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fputs("# test\nmax_side = 100\nstore = fs\nfs_root = /tmp/x\n", f);
	fclose(f);
	setenv("IMGHOST_CONF", path, 1);
	setenv("IMGHOST_MAX_SIDE", "200", 1);
	ok(conf_load(&c, err, sizeof(err)) == CONF_OK && c.max_side == 200 &&
	    strcmp(c.fs_root, "/tmp/x") == 0,
	    "environment overrides the file %s", err);
	conf_free(&c);
	setenv("IMGHOST_MAX_FRAMES", "lots", 1);
	ok(conf_load(&c, err, sizeof(err)) == CONF_BAD_VALUE &&
	    strstr(err, "IMGHOST_MAX_FRAMES") != NULL,
	    "bad environment value named: %s", err);
	conf_free(&c);
	unsetenv("IMGHOST_MAX_FRAMES");
	setenv("IMGHOST_NO_SUCH_KEY", "1", 1);
	ok(conf_load(&c, err, sizeof(err)) == CONF_UNKNOWN_KEY &&
	    strstr(err, "no_such_key") != NULL,
	    "unknown environment key named: %s", err);
	conf_free(&c);
	unsetenv("IMGHOST_NO_SUCH_KEY");
	f = fopen(path, "a");
	fputs("bogus line\n", f);
	fclose(f);
	ok(conf_load(&c, err, sizeof(err)) == CONF_BAD_LINE &&
	    strstr(err, ":5:") != NULL, "bad file line numbered: %s", err);
	conf_free(&c);
	unlink(path);
	ok(conf_load(&c, err, sizeof(err)) == CONF_UNREADABLE,
	    "a missing IMGHOST_CONF file is an error: %s", err);
	conf_free(&c);
}

int
main(void)
{
	test_lines();
	test_values();
	test_check();
	test_load();
	return tap_done();
}
