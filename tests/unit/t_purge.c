/*
 * purge_command: the argument vector (the command split at blanks, then
 * the deleted URLs) and running it (its exit status, the time limit that
 * kills what it started too).  Includes resize-cron/purge.c for its
 * static functions.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "../../resize-cron/purge.c"
#include "tap.h"

/* 1 when v holds the words of want, a space between each, and no more. */
static int
t_argv_is(char **v, const char *want)
{
	char	 got[2048] = "";
	size_t	 i;

	if (v == NULL)
		return want == NULL;
	for (i = 0; v[i] != NULL; i++) {
		if (i > 0)
			strlcat(got, " ", sizeof(got));
		strlcat(got, v[i], sizeof(got));
	}
	if (want == NULL || strcmp(got, want) != 0) {
		printf("# got: %s\n", got);
		return 0;
	}
	return 1;
}

static void
test_argv(void)
{
	static const struct {
		const char	*command, *base, *ext, *want, *vext, *uext;
	} t[] = {
		/* A HEIC kept as sent, shown as JPEG; an AVIF with alpha. */
		{ "purge", "http://h", "jpg",
		  "purge http://h/AbCdEfGh http://h/i/AbCdEfGh.jpg "
		  "http://h/i/AbCdEfGh/original.jpg "
		  "http://h/i/AbCdEfGh/upload.heic "
		  "http://h/i/AbCdEfGh/small.jpg http://h/i/AbCdEfGh/small.webp "
		  "http://h/i/AbCdEfGh/medium.jpg "
		  "http://h/i/AbCdEfGh/medium.webp "
		  "http://h/i/AbCdEfGh/large.jpg http://h/i/AbCdEfGh/large.webp",
		  NULL, "heic" },
		{ "purge", "http://h", "avif",
		  "purge http://h/AbCdEfGh http://h/i/AbCdEfGh.avif "
		  "http://h/i/AbCdEfGh/original.avif "
		  "http://h/i/AbCdEfGh/small.png http://h/i/AbCdEfGh/small.webp "
		  "http://h/i/AbCdEfGh/medium.png "
		  "http://h/i/AbCdEfGh/medium.webp "
		  "http://h/i/AbCdEfGh/large.png http://h/i/AbCdEfGh/large.webp",
		  "png", NULL },
		{ "/bin/purge", "https://cdn.example", "png",
		  "/bin/purge https://cdn.example/AbCdEfGh "
		  "https://cdn.example/i/AbCdEfGh.png "
		  "https://cdn.example/i/AbCdEfGh/original.png "
		  "https://cdn.example/i/AbCdEfGh/small.png "
		  "https://cdn.example/i/AbCdEfGh/small.webp "
		  "https://cdn.example/i/AbCdEfGh/medium.png "
		  "https://cdn.example/i/AbCdEfGh/medium.webp "
		  "https://cdn.example/i/AbCdEfGh/large.png "
		  "https://cdn.example/i/AbCdEfGh/large.webp", NULL, NULL },
		/* Blanks of any kind and number split; none is kept. */
		{ "  purge\t--zone  a\tb ", "http://h//", "webp",
		  "purge --zone a b http://h/AbCdEfGh http://h/i/AbCdEfGh.webp "
		  "http://h/i/AbCdEfGh/original.webp "
		  "http://h/i/AbCdEfGh/small.webp "
		  "http://h/i/AbCdEfGh/medium.webp "
		  "http://h/i/AbCdEfGh/large.webp", NULL, NULL },
		/* No shell: quotes and $ are bytes like any other. */
		{ "echo 'a b' $HOME;rm", "http://h", "gif",
		  "echo 'a b' $HOME;rm http://h/AbCdEfGh http://h/i/AbCdEfGh.gif "
		  "http://h/i/AbCdEfGh/original.gif "
		  "http://h/i/AbCdEfGh/small.gif http://h/i/AbCdEfGh/small.webp "
		  "http://h/i/AbCdEfGh/medium.gif "
		  "http://h/i/AbCdEfGh/medium.webp "
		  "http://h/i/AbCdEfGh/large.gif http://h/i/AbCdEfGh/large.webp",
		  NULL, NULL },
		/* Nothing to run. */
		{ " \t ", "http://h", "gif", NULL, NULL, NULL },
	};
	char	**v;
	size_t	  i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = purge_argv(t[i].command, t[i].base, "AbCdEfGh", t[i].ext,
		    t[i].vext != NULL ? t[i].vext : t[i].ext, t[i].uext);
		ok(t_argv_is(v, t[i].want), "argv of \"%s\"", t[i].command);
		purge_argv_free(v);
	}
	purge_argv_free(NULL);
}

/* Runs "sh -c script" with a limit; 0 or -1 as purge_run(), why in why. */
static int
t_run(const char *script, int limit, char *why, size_t whysz)
{
	char	 sh[] = "sh", c[] = "-c", body[512];
	char	*argv[] = { sh, c, body, NULL };

	strlcpy(body, script, sizeof(body));
	why[0] = '\0';
	return purge_run(argv, limit, why, whysz);
}

/* Runs a command that does not exist. */
static int
t_missing(char *why, size_t whysz)
{
	char	 cmd[] = "/nonexistent/purge";
	char	*argv[] = { cmd, NULL };

	return purge_run(argv, 5, why, whysz);
}

/* 1 when pid is gone: no such process, or a zombie no one reaped yet. */
static int
t_gone(pid_t pid)
{
	char	 path[64], buf[256], *p;
	FILE	*f;
	int	 gone = 1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL && p[1] == ' ')
		gone = p[2] == 'Z' || p[2] == 'X';
	fclose(f);
	return gone;
}

static void
test_run(const char *dir)
{
	struct timespec	 t0;
	char		 why[256], script[512], path[256];
	FILE		*f;
	int		 child = 0;

	ok(t_run("exit 0", 5, why, sizeof(why)) == 0, "exit 0 is success");
	ok(t_run("exit 3", 5, why, sizeof(why)) == -1 &&
	    strcmp(why, "purge_command exited with status 3") == 0,
	    "another status is a failure, named");
	ok(t_run("kill -TERM $$", 5, why, sizeof(why)) == -1 &&
	    strcmp(why, "purge_command killed by signal 15") == 0,
	    "so is a signal");
	ok(t_run("read x", 5, why, sizeof(why)) == -1,
	    "standard input is empty (/dev/null), not the resizer's");
	snprintf(path, sizeof(path), "%s/t_purge.pid", dir);
	snprintf(script, sizeof(script), "sleep 30 & echo $! >%s; wait", path);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok(t_run(script, 1, why, sizeof(why)) == -1 &&
	    strcmp(why, "purge_command killed after 1 s") == 0 &&
	    purge_elapsed(&t0) < 5, "killed after its time limit");
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%d", &child) != 1)
			child = 0;
		fclose(f);
	}
	unlink(path);
	usleep(200000);
	ok(child > 0 && t_gone(child), "with what it started");
	ok(t_missing(why, sizeof(why)) == -1 &&
	    strcmp(why, "purge_command exited with status 127") == 0,
	    "a command that does not exist fails with 127");
}

int
main(void)
{
	const char	*dir = getenv("TMPDIR");

	log_init("t_purge");
	test_argv();
	test_run(dir != NULL && *dir != '\0' ? dir : "/tmp");
	return tap_done();
}
