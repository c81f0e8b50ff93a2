/*
 * bench/resize-vips: the reference for bench/resize-cpu.  libvips, called
 * in this process, makes the same six files from each file named (the
 * three boxes, each as JPEG and WebP, with the resizer's qualities), so
 * neither side pays a process start-up.  Prints one line per file:
 * "name cpu_seconds", then "peak_rss_kb N".
 */
#include <sys/resource.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>

#include <vips/vips.h>

/* The resizer's boxes (lib/size.c) and encoder settings (variant.c). */
static const int vips_boxes[] = { 1280, 640, 320 };

static double
cpu_seconds(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Both encodings of one thumbnail; the bytes are thrown away. */
static void
save_both(VipsImage *img, const char *path)
{
	void	*out;
	size_t	 len;

	if (vips_jpegsave_buffer(img, &out, &len, "Q", 82, "strip", TRUE,
	    "interlace", TRUE, "subsample_mode", VIPS_FOREIGN_SUBSAMPLE_ON,
	    NULL) != 0)
		errx(1, "%s: jpegsave: %s", path, vips_error_buffer());
	g_free(out);
	if (vips_webpsave_buffer(img, &out, &len, "Q", 80, "strip", TRUE,
	    "effort", 2, NULL) != 0)
		errx(1, "%s: webpsave: %s", path, vips_error_buffer());
	g_free(out);
}

/*
 * One thumbnail of box, in memory: from the file's bytes for the first
 * (libvips shrinks a JPEG while decoding it), from the one before for
 * the others, as the resizer scales each variant from the larger one.
 */
static VipsImage *
thumb(const char *path, const gchar *buf, gsize len, VipsImage *from,
    int box)
{
	VipsImage	*img, *mem;
	int		 rc;

	rc = from == NULL ?
	    vips_thumbnail_buffer((void *)buf, len, &img, box, "height", box,
	    NULL) : vips_thumbnail_image(from, &img, box, "height", box, NULL);
	if (rc != 0)
		errx(1, "%s: thumbnail: %s", path, vips_error_buffer());
	/* Two encoders read it; the thumbnail reads its source once. */
	if ((mem = vips_image_copy_memory(img)) == NULL)
		errx(1, "%s: copy: %s", path, vips_error_buffer());
	g_object_unref(img);
	return mem;
}

static void
make_all(const char *path)
{
	VipsImage	*img, *prev = NULL;
	gchar		*buf;
	gsize		 len;
	size_t		 i;

	if (!g_file_get_contents(path, &buf, &len, NULL))
		errx(1, "%s: cannot read", path);
	for (i = 0; i < sizeof(vips_boxes) / sizeof(vips_boxes[0]); i++) {
		img = thumb(path, buf, len, prev, vips_boxes[i]);
		save_both(img, path);
		if (prev != NULL)
			g_object_unref(prev);
		prev = img;
	}
	g_object_unref(prev);
	g_free(buf);
}

int
main(int argc, char *argv[])
{
	struct rusage	 ru;
	double		 t0;
	int		 i;

	if (VIPS_INIT(argv[0]))
		vips_error_exit(NULL);
	/* Every call does the work: no operation cache between boxes. */
	vips_cache_set_max(0);
	/* Once untimed, as bench/resize-cpu does: loaders, thread pool. */
	if (argc > 1)
		make_all(argv[1]);
	for (i = 1; i < argc; i++) {
		t0 = cpu_seconds();
		make_all(argv[i]);
		printf("%s %.4f\n", argv[i], cpu_seconds() - t0);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak_rss_kb %ld\n", ru.ru_maxrss);
	vips_shutdown();
	return 0;
}
