/*
 * bench/resize-cpu: the resizer's CPU seconds and peak RSS to make every
 * variant of each file named, as imghost-resize does (resize-cron/
 * variant.c), without the database or the store.  Prints one line per
 * file: "name cpu_seconds", the first file made once untimed before.
 */
#include <sys/resource.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "img.h"
#include "log.h"
#include "variant.h"

static double
cpu_seconds(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static unsigned char *
read_file(const char *path, size_t *len)
{
	FILE		*f;
	unsigned char	*buf;
	long		 n;

	if ((f = fopen(path, "rb")) == NULL)
		err(1, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if ((buf = malloc(n)) == NULL || fread(buf, 1, n, f) != (size_t)n)
		err(1, "%s", path);
	fclose(f);
	*len = n;
	return buf;
}

/* Every variant of the file at path; returns the CPU seconds taken. */
static double
make_all(const char *path)
{
	struct variant	 out[VARIANT_MAX];
	unsigned char	*buf;
	size_t		 len, n;
	char		 why[256];
	double		 t0, t;

	buf = read_file(path, &len);
	t0 = cpu_seconds();
	if (variant_make_all(buf, len, img_sniff(buf, len),
	    img_sniff(buf, len), out, &n,
	    why, sizeof(why)) == -1)
		errx(1, "%s: %s", path, why);
	t = cpu_seconds() - t0;
	variant_free(out, n);
	free(buf);
	return t;
}

int
main(int argc, char *argv[])
{
	struct conf	 c;
	struct rusage	 ru;
	int		 i;

	log_init("resize-cpu");
	conf_defaults(&c);
	img_init(&c);
	/* Once untimed, as a resizer that has run a while has its coders. */
	if (argc > 1)
		make_all(argv[1]);
	for (i = 1; i < argc; i++)
		printf("%s %.4f\n", argv[i], make_all(argv[i]));
	getrusage(RUSAGE_SELF, &ru);
	printf("peak_rss_kb %ld\n", ru.ru_maxrss);
	img_done();
	conf_free(&c);
	return 0;
}
