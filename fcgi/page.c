/*
 * The pages: the upload page, the image page and the ShareX uploader.
 * Each page is a few functions writing its content between the chrome of
 * fcgi/html.c; every value that comes from outside the program goes
 * through html_escape().
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "html.h"
#include "db.h"
#include "form.h"
#include "id.h"
#include "img.h"
#include "log.h"
#include "preview.h"
#include "size.h"

/* One image, with everything its page shows worked out. */
struct page_image {
	const struct db_image	*img;
	char			 id[ID_LEN + 1];
	char			 base[512];	/* http_base_url() */
	const char		*ext;		/* "jpg": the original's */
	const int		*ready;		/* db_variants_ready() */
	int			 shown;		/* size_list index, -1 original */
};

/*
 * The upload page: a plain form, a file or an image's address, that
 * the script turns into much more.  The file is not required: a form
 * with an empty file and a url is an upload by url (fcgi/upload.c).
 */
void
page_upload(struct app *app, struct http_req *req)
{
	long long	 mb = app->conf.max_upload_bytes >> 20;

	html_headers(req, 200);
	if (html_head_only(req))
		return;
	html_open(req, "Upload an image");
	html_body(req, "upload");
	http_printf(req, "<h1>Share an image</h1>\n"
	    "<form class=\"drop\" id=\"upload\" method=\"post\" action=\"/\" "
	    "enctype=\"multipart/form-data\" data-max=\"%lld\">\n"
	    "<input type=\"file\" id=\"file\" name=\"file\" "
	    "accept=\"image/jpeg,image/png,image/gif,image/webp,image/avif,"
	    "image/heic,image/heif,image/tiff,image/bmp,.heic,.heif,.avif,"
	    ".tif,.tiff,.bmp\">\n"
	    "<label for=\"file\" class=\"zone\" id=\"zone\">"
	    "<span class=\"zone-title\">Choose images</span>"
	    "<span class=\"zone-hint js-only\">or drop them here, or paste "
	    "one from the clipboard</span></label>\n"
	    "<p class=\"limits\">JPEG, PNG, GIF, WebP, AVIF, HEIC, TIFF or "
	    "BMP, up to %lld MB.</p>\n", app->conf.max_upload_bytes,
	    mb > 0 ? mb : 1);
	if (app->conf.url_upload)
		http_puts(req, "<div class=\"by-url\"><label for=\"url\">"
		    "Or give an image’s address</label><div class=\"by-url-row\">"
		    "<input type=\"url\" id=\"url\" name=\"url\" "
		    "placeholder=\"https://example.com/photo.jpg\" "
		    "autocomplete=\"off\" spellcheck=\"false\">"
		    "<button type=\"submit\" class=\"button js-only\" "
		    "id=\"url-go\">Upload</button></div></div>\n");
	http_puts(req, "<button type=\"submit\" class=\"button nojs\">Upload"
	    "</button>\n</form>\n<ol class=\"results\" id=\"results\" "
	    "aria-live=\"polite\"></ol>\n");
	html_close(req);
}

/* The index in size_list of name, -1 for "original", -2 for no size. */
static int
page_size_index(const char *name, size_t n)
{
	int	 s;

	if (n == 8 && strncmp(name, "original", 8) == 0)
		return -1;
	for (s = 0; size_list[s].name != NULL; s++)
		if (strlen(size_list[s].name) == n &&
		    strncmp(name, size_list[s].name, n) == 0)
			return s;
	return -2;
}

/* The URL of size s (-1: the original) in the image's own format or WebP. */
static void
page_size_url(const struct page_image *pi, int s, int webp, char *buf,
    size_t sz)
{
	preview_url(pi->base, pi->id, pi->img, s, webp, buf, sz);
}

/* The displayed dimensions of size s (-1: the original). */
static void
page_size_dims(const struct page_image *pi, int s, long *w, long *h)
{
	preview_dims(pi->img, s, w, h);
}

/* "1.2 MB", "340 KB", "900 bytes". */
static void
page_bytes(long long n, char *buf, size_t sz)
{
	if (n >= 1000 * 1000)
		snprintf(buf, sz, "%.1f MB", n / 1e6);
	else if (n >= 1000)
		snprintf(buf, sz, "%lld KB", (n + 500) / 1000);
	else
		snprintf(buf, sz, "%lld bytes", n);
}

/* What the share codes are made of: one size of one image. */
struct page_share {
	const char	*page;		/* the image page's URL */
	const char	*url;		/* the size's URL */
	const char	*alt;		/* "Image aB3dE_9x" */
	long		 w, h;		/* the size's, for the HTML code */
};

/* One line of the share codes: a label, the code and its copy button. */
static void
page_link_row(struct http_req *req, const char *name, const char *key,
    const char *copy, const char *code)
{
	http_printf(req, "<div class=\"link\"><label for=\"l-%s\">"
	    "%s</label><input id=\"l-%s\" data-code=\"%s\" readonly "
	    "value=\"", key, name, key, key);
	html_escape(req, code);
	http_printf(req, "\"><button type=\"button\" class=\"copy js-only\" "
	    "data-label=\"%s\">%s</button></div>\n", copy, copy);
}

/*
 * A code made by fmt into buf; empty when it does not fit, which URLs
 * of under 640 bytes cannot make it do.
 */
static void page_code(char *, size_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
page_code(char *buf, size_t sz, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sz)
		buf[0] = '\0';
}

/*
 * The share codes of one size; static/app.js makes the same from a
 * size chip's data attributes (shareCodes()), so keep the two alike.
 */
static void
page_links(struct http_req *req, const struct page_share *sh)
{
	char	 code[2048];

	http_puts(req, "<div class=\"links\">\n");
	page_link_row(req, "Page", "page", "Copy link", sh->page);
	page_link_row(req, "Direct", "direct", "Copy URL", sh->url);
	page_code(code, sizeof(code), "[![%s](%s)](%s)", sh->alt, sh->url,
	    sh->page);
	page_link_row(req, "Markdown", "md", "Copy Markdown", code);
	page_code(code, sizeof(code), "[url=%s][img]%s[/img][/url]",
	    sh->page, sh->url);
	page_link_row(req, "BBCode", "bb", "Copy BBCode", code);
	page_code(code, sizeof(code), "<a href=\"%s\"><img src=\"%s\" "
	    "width=\"%ld\" height=\"%ld\" alt=\"%s\"></a>", sh->page, sh->url,
	    sh->w, sh->h, sh->alt);
	page_link_row(req, "HTML", "html", "Copy HTML", code);
	http_puts(req, "</div>\n");
}

/* The page's URL and, after it, the oEmbed discovery link to its JSON. */
static void
page_meta_links(struct http_req *req, const struct page_image *pi)
{
	char	 page[600], q[2000];

	/* base is under 512 bytes and an id 8, so these cannot truncate. */
	snprintf(page, sizeof(page), "%s/%s", pi->base, pi->id);
	if (form_encode(page, q, sizeof(q)) == -1)
		q[0] = '\0';
	http_puts(req, "<meta property=\"og:url\" content=\"");
	html_escape(req, page);
	http_puts(req, "\">\n<link rel=\"canonical\" href=\"");
	html_escape(req, page);
	http_puts(req, "\">\n<link rel=\"alternate\" "
	    "type=\"application/json+oembed\" href=\"");
	html_escape(req, pi->base);
	http_puts(req, "/oembed?url=");
	html_escape(req, q);
	http_printf(req, "&amp;format=json\" title=\"Image %s\">\n", pi->id);
}

/*
 * The OpenGraph and Twitter card tags and the oEmbed discovery link.
 * og:image is what preview_pick() names by default, as /oembed does:
 * the large variant, waited for if not made yet, never a heavy original.
 */
static void
page_meta(struct app *app, struct http_req *req, const struct page_image *pi)
{
	char	 url[640];
	int	 s, pending = 0;
	long	 w, h;

	if (!preview_all_ready(pi->ready))
		pending = db_job_pending(app->db, pi->img->id) != DB_NOT_FOUND;
	s = preview_pick(pi->img, pi->ready, pending, 0, 0);
	preview_url(pi->base, pi->id, pi->img, s, 0, url, sizeof(url));
	preview_dims(pi->img, s, &w, &h);
	http_printf(req, "<meta property=\"og:type\" "
	    "content=\"website\">\n<meta property=\"og:site_name\" "
	    "content=\"imghost\">\n<meta property=\"og:title\" "
	    "content=\"Image %s\">\n", pi->id);
	page_meta_links(req, pi);
	http_puts(req, "<meta property=\"og:image\" content=\"");
	html_escape(req, url);
	http_printf(req, "\">\n<meta property=\"og:image:type\" "
	    "content=\"%s\">\n<meta property=\"og:image:width\" "
	    "content=\"%ld\">\n<meta property=\"og:image:height\" "
	    "content=\"%ld\">\n<meta property=\"og:image:alt\" "
	    "content=\"Image %s\">\n<meta name=\"twitter:card\" "
	    "content=\"summary_large_image\">\n<meta name=\"twitter:image\" "
	    "content=\"", preview_mime(pi->img, s), w, h, pi->id);
	html_escape(req, url);
	http_printf(req, "\">\n<meta name=\"twitter:image:alt\" "
	    "content=\"Image %s\">\n", pi->id);
}

/* 1 when size s has a WebP URL of its own (the original may not). */
static int
page_has_webp(const struct page_image *pi, int s)
{
	return s >= 0 || strcmp(pi->ext, "webp") == 0;
}

/* The <picture>: the WebP source first, the image's own format after. */
static void
page_picture(struct http_req *req, const struct page_image *pi)
{
	char	 url[640];
	long	 w, h;

	http_puts(req, "<figure class=\"stage\"><picture id=\"picture\">");
	if (page_has_webp(pi, pi->shown)) {
		page_size_url(pi, pi->shown, 1, url, sizeof(url));
		http_puts(req, "<source id=\"webp\" type=\"image/webp\" srcset=\"");
		html_escape(req, url);
		http_puts(req, "\">");
	}
	page_size_url(pi, pi->shown, 0, url, sizeof(url));
	page_size_dims(pi, pi->shown, &w, &h);
	http_puts(req, "<img id=\"image\" src=\"");
	html_escape(req, url);
	http_printf(req, "\" width=\"%ld\" height=\"%ld\" alt=\"Image %s\"",
	    w, h, pi->id);
	/* Painted by static/app.js while the image loads. */
	if (pi->img->placeholder[0] != '\0') {
		http_puts(req, " data-placeholder=\"");
		html_escape(req, pi->img->placeholder);
		http_puts(req, "\"");
	}
	http_puts(req, "></picture></figure>\n");
}

/*
 * One size chip: a link to ?size=NAME without the script, and with it
 * the URLs and dimensions that static/app.js swaps in at a click.
 */
static void
page_size_option(struct http_req *req, const struct page_image *pi, int s)
{
	char		 url[640], label[16];
	const char	*name = s < 0 ? "original" : size_list[s].name;
	long		 w, h;

	page_size_dims(pi, s, &w, &h);
	http_printf(req, "<a class=\"chip\" href=\"/%s?size=%s\"%s "
	    "data-size=\"%s\" data-w=\"%ld\" data-h=\"%ld\" data-src=\"",
	    pi->id, name, s == pi->shown ? " aria-current=\"true\"" : "",
	    name, w, h);
	page_size_url(pi, s, 0, url, sizeof(url));
	html_escape(req, url);
	http_puts(req, "\" data-webp=\"");
	if (page_has_webp(pi, s)) {
		page_size_url(pi, s, 1, url, sizeof(url));
		html_escape(req, url);
	}
	strlcpy(label, name, sizeof(label));
	label[0] = toupper((unsigned char)label[0]);
	http_printf(req, "\">%s <span class=\"dim\">%ld × %ld</span></a>\n",
	    label, w, h);
}

/* The size chips, smallest first and the original last. */
static void
page_sizes(struct http_req *req, const struct page_image *pi)
{
	int	 s;

	http_puts(req, "<div class=\"sizes\" role=\"group\" "
	    "aria-labelledby=\"sizes-label\"><span class=\"sizes-label\" "
	    "id=\"sizes-label\">Size</span>\n");
	for (s = 0; size_list[s].name != NULL; s++)
		page_size_option(req, pi, s);
	page_size_option(req, pi, -1);
	http_puts(req, "</div>\n");
}

/* "JPEG", "WebP": the type as people write it. */
static const char *
page_type_label(const char *type)
{
	switch (img_type_of(type)) {
	case IMG_JPEG: return "JPEG";
	case IMG_PNG: return "PNG";
	case IMG_GIF: return "GIF";
	case IMG_WEBP: return "WebP";
	case IMG_AVIF: return "AVIF";
	case IMG_HEIC: return "HEIC";
	case IMG_TIFF: return "TIFF";
	case IMG_BMP: return "BMP";
	default: return "image";
	}
}

/* A HEIC, TIFF or BMP: the link to the file as sent, under the facts. */
static void
page_upload_fact(struct http_req *req, const struct page_image *pi)
{
	enum img_type	 u = img_type_of(pi->img->upload_type);
	char		 url[640];

	if (u == IMG_NONE)
		return;
	snprintf(url, sizeof(url), "%s/i/%s/upload.%s", pi->base, pi->id,
	    img_ext(u));
	http_printf(req, "<p class=\"sent\">Uploaded as %s, shown as %s: "
	    "<a id=\"upload\" href=\"", page_type_label(pi->img->upload_type),
	    page_type_label(pi->img->type));
	html_escape(req, url);
	http_printf(req, "\" download>the %s as sent</a></p>\n",
	    page_type_label(pi->img->upload_type));
}

/* Dimensions, type, file size and upload date. */
static void
page_facts(struct http_req *req, const struct page_image *pi)
{
	char		 bytes[32], iso[32], when[64];
	struct tm	 tm;

	page_bytes(pi->img->bytes, bytes, sizeof(bytes));
	gmtime_r(&pi->img->created, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(when, sizeof(when), "%d %b %Y, %H:%M UTC", &tm);
	http_printf(req, "<dl class=\"facts\">"
	    "<div><dt>Dimensions</dt><dd>%ld × %ld</dd></div>"
	    "<div><dt>Type</dt><dd>%s%s</dd></div>"
	    "<div><dt>File size</dt><dd>%s</dd></div>"
	    "<div><dt>Uploaded</dt><dd><time datetime=\"%s\">%s</time></dd>"
	    "</div></dl>\n", pi->img->width, pi->img->height,
	    page_type_label(pi->img->type),
	    pi->img->frames > 1 ? ", animated" : "", bytes, iso, when);
	page_upload_fact(req, pi);
}

/* The size asked for by ?size=NAME; large when none or unknown. */
static int
page_size_asked(const struct http_req *req)
{
	const char	*p = http_param(req, "QUERY_STRING");
	size_t		 n;
	int		 s;

	for (; p != NULL && *p != '\0'; p += n + (p[n] == '&')) {
		n = strcspn(p, "&");
		if (n > 5 && strncmp(p, "size=", 5) == 0 &&
		    (s = page_size_index(p + 5, n - 5)) != -2)
			return s;
	}
	s = page_size_index("large", 5);
	return s == -2 ? -1 : s;
}

/*
 * The panel beside the image: its title, the sizes with the share codes
 * of the one shown (static/app.js keeps them in step), a native Share
 * button where the browser has one, and the facts.
 */
static void
page_image_body(struct http_req *req, const struct page_image *pi)
{
	char			 page[600], url[640], orig[640], alt[32];
	struct page_share	 sh = { page, url, alt, 0, 0 };

	/* base is under 512 bytes and an id 8, so these cannot truncate. */
	snprintf(page, sizeof(page), "%s/%s", pi->base, pi->id);
	snprintf(alt, sizeof(alt), "Image %s", pi->id);
	page_size_url(pi, pi->shown, 0, url, sizeof(url));
	page_size_url(pi, -1, 0, orig, sizeof(orig));
	page_size_dims(pi, pi->shown, &sh.w, &sh.h);
	page_picture(req, pi);
	http_printf(req, "<section class=\"panel\">\n<h1>%s</h1>\n"
	    "<div class=\"share\" id=\"share-box\" data-alt=\"%s\" "
	    "data-page=\"", alt, alt);
	html_escape(req, page);
	http_puts(req, "\">\n");
	page_sizes(req, pi);
	page_links(req, &sh);
	http_puts(req, "</div>\n<p class=\"actions\"><button type=\"button\" "
	    "class=\"button\" id=\"share\" hidden>Share…</button> "
	    "<a class=\"button secondary\" id=\"original\" href=\"");
	html_escape(req, orig);
	http_puts(req, "\">Open the original</a></p>\n");
	page_facts(req, pi);
	http_puts(req, "</section>\n");
}

/* The image page; 404 or 503 pages when the row cannot be had. */
void
page_image(struct app *app, struct http_req *req, const char *idstr)
{
	struct db_image		 img;
	struct page_image	 pi;
	int			 ready[8] = { 0 };
	enum db_status		 rc;
	char			 title[32];

	rc = db_image_by_id(app->db, id_to_int(idstr), &img);
	if (rc == DB_OK)
		rc = db_variants_ready(app->db, &img, ready, 8);
	if (rc != DB_OK) {
		if (rc == DB_NOT_FOUND)
			serve_missing(app, req, id_to_int(idstr));
		else
			http_error(req, 503, "unavailable",
			    "the database is down");
		return;
	}
	memset(&pi, 0, sizeof(pi));
	pi.img = &img;
	pi.ready = ready;
	pi.ext = img_ext(img_type_of(img.type));
	pi.shown = page_size_asked(req);
	id_from_int(img.id, pi.id);
	http_base_url(req, app->conf.public_url, pi.base, sizeof(pi.base));
	html_headers(req, 200);
	if (html_head_only(req))
		return;
	snprintf(title, sizeof(title), "Image %s", pi.id);
	html_open(req, title);
	page_meta(app, req, &pi);
	html_body(req, "image");
	page_image_body(req, &pi);
	html_close(req);
}

/* The page after an upload through the form without a script. */
void
page_uploaded(struct http_req *req, int status, const char *base,
    const struct db_image *img, const char *token)
{
	char			 id[ID_LEN + 1], page[600], direct[620];
	char			 del[700], alt[32];
	struct page_share	 sh = { page, direct, alt, img->width,
				    img->height };

	id_from_int(img->id, id);
	snprintf(alt, sizeof(alt), "Image %s", id);
	snprintf(page, sizeof(page), "%s/%s", base, id);
	snprintf(direct, sizeof(direct), "%s/i/%s.%s", base, id,
	    img_ext(img_type_of(img->type)));
	snprintf(del, sizeof(del), "%s/%s/delete/%s", base, id, token);
	html_headers_secret(req, status);
	html_open(req, "Uploaded");
	html_body(req, "uploaded");
	http_printf(req, "<h1>Uploaded</h1>\n<p><a href=\"/%s\">See the "
	    "image</a></p>\n", id);
	page_links(req, &sh);
	http_puts(req, "<h2>Your delete link</h2>\n<p>Keep it to yourself: "
	    "whoever has it can delete your upload. It is shown only "
	    "now.</p>\n<div class=\"links\">\n");
	page_link_row(req, "Delete", "delete", "Copy delete link", del);
	http_puts(req, "</div>\n");
	html_close(req);
}

/* GET /sharex.sxcu: a ShareX custom uploader that posts to this host. */
void
page_sharex(struct app *app, struct http_req *req)
{
	char		 base[512];
	const char	*host;

	http_base_url(req, app->conf.public_url, base, sizeof(base));
	host = strstr(base, "://") != NULL ? strstr(base, "://") + 3 : base;
	http_head(req, 200, "application/json");
	http_puts(req, "Content-Disposition: attachment; "
	    "filename=\"imghost.sxcu\"\r\nCache-Control: no-cache\r\n\r\n");
	if (html_head_only(req))
		return;
	http_puts(req, "{\n  \"Version\": \"15.0.0\",\n  \"Name\": \"imghost (");
	http_json_str(req, host);
	http_puts(req, ")\",\n  \"DestinationType\": \"ImageUploader\",\n"
	    "  \"RequestMethod\": \"POST\",\n  \"RequestURL\": \"");
	http_json_str(req, base);
	http_puts(req, "/api/v1/images\",\n  \"Body\": \"MultipartFormData\",\n"
	    "  \"FileFormName\": \"file\",\n  \"URL\": \"{json:url}\",\n"
	    "  \"ThumbnailURL\": \"{json:variants.small.url}\",\n"
	    "  \"DeletionURL\": \"{json:delete_url}\",\n"
	    "  \"ErrorMessage\": \"{json:error.message}\"\n}\n");
}
