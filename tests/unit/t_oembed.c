/*
 * /oembed's pure parts: the url parameter as a page of this host
 * (fcgi/oembed_url.c), form decoding and encoding (fcgi/form.c), and
 * the size a preview names (fcgi/preview.c), each a table of cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "form.h"
#include "oembed.h"
#include "preview.h"
#include "size.h"
#include "tap.h"

static const struct {
	const char	*url, *base, *id;	/* id NULL: refused */
} pages[] = {
	{ "http://127.0.0.1:8080/aB3dE_9x", "http://127.0.0.1:8080", "aB3dE_9x" },
	{ "https://127.0.0.1:8080/aB3dE_9x", "http://127.0.0.1:8080", "aB3dE_9x" },
	{ "http://img.example/aB3dE_9x", "https://img.example", "aB3dE_9x" },
	{ "HTTPS://IMG.Example/aB3dE_9x", "https://img.example", "aB3dE_9x" },
	{ "https://img.example/aB3dE_9x?size=small", "https://img.example",
	    "aB3dE_9x" },
	{ "https://img.example/aB3dE_9x#top", "https://img.example", "aB3dE_9x" },
	{ "https://cdn.example/p/aB3dE_9x", "https://cdn.example/p", "aB3dE_9x" },
	{ "https://cdn.example/P/aB3dE_9x", "https://cdn.example/p", NULL },
	{ "https://cdn.example/aB3dE_9x", "https://cdn.example/p", NULL },
	{ "https://cdn.example/pq/aB3dE_9x", "https://cdn.example/p", NULL },
	{ "https://img.example/aB3dE_9", "https://img.example", NULL },
	{ "https://img.example/aB3dE_9xy", "https://img.example", NULL },
	{ "https://img.example/aB3dE_9x/", "https://img.example", NULL },
	{ "https://img.example/aB3dE_9%", "https://img.example", NULL },
	{ "https://img.example/aB3dE.9x", "https://img.example", NULL },
	{ "https://img.example/i/aB3dE_9x.jpg", "https://img.example", NULL },
	{ "https://img.example/aB3dE_9x/delete/x", "https://img.example", NULL },
	{ "https://img.example", "https://img.example", NULL },
	{ "https://img.example/", "https://img.example", NULL },
	{ "https://evil.example/aB3dE_9x", "https://img.example", NULL },
	{ "https://img.example.evil/aB3dE_9x", "https://img.example", NULL },
	{ "https://img.example:444/aB3dE_9x", "https://img.example", NULL },
	{ "https://img.example@evil.example/aB3dE_9x", "https://img.example",
	    NULL },
	{ "https://evil.example@img.example/aB3dE_9x", "https://img.example",
	    NULL },
	{ "http://127.0.0.1:80/aB3dE_9x", "http://127.0.0.1:8080", NULL },
	{ "http://127.0.0.1:808/aB3dE_9x", "http://127.0.0.1:8080", NULL },
	{ "ftp://img.example/aB3dE_9x", "https://img.example", NULL },
	{ "//img.example/aB3dE_9x", "https://img.example", NULL },
	{ "/aB3dE_9x", "https://img.example", NULL },
	{ "aB3dE_9x", "https://img.example", NULL },
	{ "", "https://img.example", NULL },
	{ "https://img.example/aB3dE_9x", "img.example", NULL },
	{ "https:///aB3dE_9x", "https://", NULL },
};

static void
test_pages(void)
{
	char	 id[ID_LEN + 1];
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		memset(id, 0, sizeof(id));
		rc = oembed_page_id(pages[i].url, pages[i].base, id);
		if (pages[i].id == NULL)
			ok(rc == -1, "page %s of %s: refused", pages[i].url,
			    pages[i].base);
		else
			ok(rc == 0 && strcmp(id, pages[i].id) == 0,
			    "page %s of %s: %s", pages[i].url, pages[i].base,
			    pages[i].id);
	}
}

static const struct {
	const char	*s;
	long		 want;	/* -1: refused */
} pxs[] = {
	{ "1", 1 }, { "640", 640 }, { "1000000", 1000000 },
	{ "0", -1 }, { "-1", -1 }, { "+5", -1 }, { " 5", -1 }, { "5 ", -1 },
	{ "", -1 }, { "abc", -1 }, { "12px", -1 }, { "1000001", -1 },
	{ "99999999999999999999", -1 }, { "1.5", -1 }, { "0x10", -1 },
};

static void
test_px(void)
{
	size_t	 i;
	long	 v;
	int	 rc;

	for (i = 0; i < sizeof(pxs) / sizeof(pxs[0]); i++) {
		v = 0;
		rc = oembed_px(pxs[i].s, &v);
		if (pxs[i].want == -1)
			ok(rc == -1, "px '%s': refused", pxs[i].s);
		else
			ok(rc == 0 && v == pxs[i].want, "px '%s': %ld",
			    pxs[i].s, pxs[i].want);
	}
}

static const struct {
	const char	*qs, *name, *want;	/* want NULL: absent */
	int		 rc;
} values[] = {
	{ "url=https%3A%2F%2Fa.example%2FaB3dE_9x&format=json", "url",
	    "https://a.example/aB3dE_9x", 1 },
	{ "url=https%3A%2F%2Fa.example%2FaB3dE_9x&format=json", "format",
	    "json", 1 },
	{ "url=http://a.example/aB3dE_9x?size=small&format=json", "url",
	    "http://a.example/aB3dE_9x?size=small", 1 },
	{ "url=a+b", "url", "a b", 1 },
	{ "url=", "url", "", 1 },
	{ "url", "url", NULL, 0 },
	{ "xurl=a", "url", NULL, 0 },
	{ "urls=a&url=b", "url", "b", 1 },
	{ "url=a&url=b", "url", "a", 1 },
	{ "&&url=a", "url", "a", 1 },
	{ "", "url", NULL, 0 },
	{ NULL, "url", NULL, 0 },
	{ "url=%zz", "url", NULL, -1 },
	{ "url=%4", "url", NULL, -1 },
	{ "url=%00", "url", NULL, -1 },
	{ "url=%41%62", "url", "Ab", 1 },
};

static void
test_values(void)
{
	char	*v;
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		rc = form_value(values[i].qs, values[i].name, &v);
		ok(rc == values[i].rc && (values[i].want == NULL ? v == NULL :
		    v != NULL && strcmp(v, values[i].want) == 0),
		    "form_value '%s' %s: %d %s", values[i].qs ? values[i].qs :
		    "(null)", values[i].name, values[i].rc,
		    values[i].want ? values[i].want : "(none)");
		free(v);
	}
}

static void
test_encode(void)
{
	char	 buf[64], *back;

	ok(form_encode("https://a.example/aB3dE_9x", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "https%3A%2F%2Fa.example%2FaB3dE_9x") == 0,
	    "form_encode of a page URL");
	ok(form_encode("a b&c=d%~", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "a%20b%26c%3Dd%25~") == 0, "form_encode of & = %% and a space");
	back = form_decode(buf, strlen(buf));
	ok(back != NULL && strcmp(back, "a b&c=d%~") == 0,
	    "form_decode undoes form_encode");
	free(back);
	ok(form_encode("abc", buf, 4) == 0 && strcmp(buf, "abc") == 0,
	    "form_encode: exactly fits");
	ok(form_encode("abc", buf, 3) == -1, "form_encode: one byte short");
	ok(form_encode("a/", buf, 4) == -1, "form_encode: an escape that "
	    "does not fit");
	ok(form_encode("", buf, 0) == -1, "form_encode: no room at all");
}

/* An image of w x h and bytes, and the size a preview names for it. */
static const struct {
	long		 w, h;
	long long	 bytes;
	int		 made;		/* every variant made */
	int		 pending;	/* the job queued or running */
	long		 maxw, maxh;
	const char	*want;
} picks[] = {
	/* The default: og:image and an oEmbed without bounds. */
	{ 4000, 3000, 16000000, 0, 1, 0, 0, "large" },
	{ 4000, 3000, 16000000, 1, 0, 0, 0, "large" },
	{ 4000, 3000, 16000000, 0, 0, 0, 0, "original" },	/* failed */
	{ 4000, 3000, 2000000, 0, 1, 0, 0, "large" },
	{ 640, 480, 90000, 0, 1, 0, 0, "original" },	/* same, at once */
	{ 640, 480, 90000, 1, 0, 0, 0, "large" },	/* oriented, bare */
	{ 1280, 1280, 5000000, 0, 1, 0, 0, "original" },
	{ 1280, 1280, 5000001, 0, 1, 0, 0, "large" },	/* too heavy */
	{ 1281, 100, 100000, 0, 1, 0, 0, "large" },
	{ 100, 50, 3000, 0, 1, 0, 0, "original" },
	/* Bounds: the largest size that fits. */
	{ 4000, 3000, 16000000, 1, 0, 5000, 0, "original" },
	{ 4000, 3000, 16000000, 1, 0, 4000, 3000, "original" },
	{ 4000, 3000, 16000000, 1, 0, 3999, 0, "large" },
	{ 4000, 3000, 16000000, 1, 0, 1280, 0, "large" },
	{ 4000, 3000, 16000000, 1, 0, 1279, 0, "medium" },
	{ 4000, 3000, 16000000, 1, 0, 0, 960, "large" },
	{ 4000, 3000, 16000000, 1, 0, 0, 959, "medium" },
	{ 4000, 3000, 16000000, 1, 0, 640, 480, "medium" },
	{ 4000, 3000, 16000000, 1, 0, 639, 480, "small" },
	{ 4000, 3000, 16000000, 1, 0, 320, 240, "small" },
	{ 4000, 3000, 16000000, 1, 0, 100, 100, "small" },	/* none fits */
	{ 4000, 3000, 16000000, 0, 1, 700, 0, "medium" },	/* waited for */
	{ 4000, 3000, 16000000, 0, 0, 700, 0, "original" },	/* failed */
	{ 3000, 4000, 16000000, 1, 0, 1000, 1000, "medium" },
	{ 3000, 4000, 16000000, 1, 0, 1000, 1280, "large" },
	/* A small original: its variants are its own size. */
	{ 200, 100, 3000, 1, 0, 250, 0, "large" },
	{ 200, 100, 3000, 1, 0, 199, 0, "small" },
	{ 200, 100, 3000, 0, 1, 250, 0, "original" },
	{ 640, 480, 9000000, 0, 1, 5000, 0, "large" },
	{ 640, 480, 9000000, 1, 0, 5000, 0, "large" },
};

static void
test_picks(void)
{
	struct db_image	 img;
	int		 ready[8], s, i;
	size_t		 k;
	const char	*got;

	for (k = 0; k < sizeof(picks) / sizeof(picks[0]); k++) {
		memset(&img, 0, sizeof(img));
		strlcpy(img.type, "jpeg", sizeof(img.type));
		strlcpy(img.variant_type, "jpeg", sizeof(img.variant_type));
		img.width = picks[k].w;
		img.height = picks[k].h;
		img.bytes = picks[k].bytes;
		for (i = 0; i < 8; i++)
			ready[i] = picks[k].made ? 3 : 0;
		s = preview_pick(&img, ready, picks[k].pending, picks[k].maxw,
		    picks[k].maxh);
		got = s < 0 ? "original" : size_list[s].name;
		ok(strcmp(got, picks[k].want) == 0, "pick %ldx%ld %lld B%s%s "
		    "in %ldx%ld: %s (got %s)", picks[k].w, picks[k].h,
		    picks[k].bytes, picks[k].made ? " made" : "",
		    picks[k].pending ? " pending" : "", picks[k].maxw,
		    picks[k].maxh, picks[k].want, got);
	}
}

static void
test_urls(void)
{
	struct db_image	 img;
	char		 buf[128];
	long		 w, h;

	memset(&img, 0, sizeof(img));
	strlcpy(img.type, "heic", sizeof(img.type));
	strlcpy(img.variant_type, "png", sizeof(img.variant_type));
	img.width = 3000;
	img.height = 2000;
	preview_url("https://a.example", "aB3dE_9x", &img, 2, 0, buf,
	    sizeof(buf));
	ok(strcmp(buf, "https://a.example/i/aB3dE_9x/large.png") == 0,
	    "a variant's URL has the variants' type: %s", buf);
	ok(strcmp(preview_mime(&img, 2), "image/png") == 0,
	    "... and its MIME type");
	preview_url("https://a.example", "aB3dE_9x", &img, 0, 1, buf,
	    sizeof(buf));
	ok(strcmp(buf, "https://a.example/i/aB3dE_9x/small.webp") == 0,
	    "the WebP twin: %s", buf);
	preview_url("https://a.example", "aB3dE_9x", &img, 2, 0, buf, 20);
	ok(buf[0] == '\0', "a URL that does not fit is empty");
	preview_dims(&img, 1, &w, &h);
	ok(w == 640 && h == 427, "medium of 3000x2000 is 640x427");
	preview_dims(&img, -1, &w, &h);
	ok(w == 3000 && h == 2000, "the original's own dimensions");
}

int
main(void)
{
	test_pages();
	test_px();
	test_values();
	test_encode();
	test_picks();
	test_urls();
	return tap_done();
}
