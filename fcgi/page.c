/*
 * The pages: the upload page, the image page and the ShareX uploader.
 * Each page is a few functions writing its content between the chrome of
 * fcgi/html.c; every value that comes from outside the program goes
 * through html_escape().
 */
#include <ctype.h>
#include <limits.h>
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
	const char		*vext;		/* the variants' */
	const char		*mime;		/* "image/jpeg" */
	const int		*ready;		/* db_variants_ready() */
	int			 shown;		/* size_list index, -1 original */
};

/* The upload page: a plain form that the script turns into much more. */
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
	    "<input type=\"file\" id=\"file\" name=\"file\" required "
	    "accept=\"image/jpeg,image/png,image/gif,image/webp,image/avif,"
	    "image/heic,image/heif,image/tiff,image/bmp,.heic,.heif,.avif,"
	    ".tif,.tiff,.bmp\">\n"
	    "<label for=\"file\" class=\"zone\" id=\"zone\">"
	    "<span class=\"zone-title\">Choose images</span>"
	    "<span class=\"zone-hint js-only\">or drop them here, or paste "
	    "one from the clipboard</span></label>\n"
	    "<p class=\"limits\">JPEG, PNG, GIF, WebP, AVIF, HEIC, TIFF or "
	    "BMP, up to %lld MB.</p>\n"
	    "<button type=\"submit\" class=\"button nojs\">Upload</button>\n"
	    "</form>\n<ol class=\"results\" id=\"results\" "
	    "aria-live=\"polite\"></ol>\n",
	    app->conf.max_upload_bytes, mb > 0 ? mb : 1);
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

/* One line of the share links: a label, the text and its copy button. */
static void
page_link_row(struct http_req *req, const char *name, const char *key,
    const char *pre, const char *mid, const char *post, const char *a,
    const char *b)
{
	http_printf(req, "<div class=\"link\"><label for=\"l-%s\">"
	    "%s</label><input id=\"l-%s\" readonly value=\"", key, name, key);
	html_escape(req, pre);
	html_escape(req, a);
	html_escape(req, mid);
	html_escape(req, b);
	html_escape(req, post);
	http_puts(req, "\"><button type=\"button\" class=\"copy js-only\">Copy"
	    "</button></div>\n");
}

/* The share links: the same five the upload page shows after an upload. */
static void
page_links(struct http_req *req, const char *page, const char *direct)
{
	http_puts(req, "<div class=\"links\">\n");
	page_link_row(req, "Page", "page", "", "", "", page, "");
	page_link_row(req, "Direct", "direct", "", "", "", direct, "");
	page_link_row(req, "Markdown", "md", "[![image](", ")](", ")",
	    direct, page);
	page_link_row(req, "BBCode", "bb", "[url=", "][img]", "[/img][/url]",
	    page, direct);
	page_link_row(req, "HTML", "html", "<a href=\"", "\"><img src=\"",
	    "\" alt=\"\"></a>", page, direct);
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
	http_printf(req, "\" width=\"%ld\" height=\"%ld\" "
	    "alt=\"Image %s\"></picture></figure>\n", w, h, pi->id);
}

/* One <option> of the size selector, with the URLs the script swaps in. */
static void
page_size_option(struct http_req *req, const struct page_image *pi, int s)
{
	char	 url[640], label[16];
	long	 w, h;

	page_size_dims(pi, s, &w, &h);
	http_printf(req, "<option value=\"%s\"%s data-w=\"%ld\" "
	    "data-h=\"%ld\" data-src=\"", s < 0 ? "original" :
	    size_list[s].name, s == pi->shown ? " selected" : "", w, h);
	page_size_url(pi, s, 0, url, sizeof(url));
	html_escape(req, url);
	http_puts(req, "\" data-webp=\"");
	if (page_has_webp(pi, s)) {
		page_size_url(pi, s, 1, url, sizeof(url));
		html_escape(req, url);
	}
	strlcpy(label, s < 0 ? "original" : size_list[s].name, sizeof(label));
	label[0] = toupper((unsigned char)label[0]);
	http_printf(req, "\">%s · %ld × %ld</option>\n", label,
	    w, h);
}

/* The size selector: a GET form without the script, instant with it. */
static void
page_sizes(struct http_req *req, const struct page_image *pi)
{
	int	 s;

	http_printf(req, "<form class=\"sizes\" method=\"get\" "
	    "action=\"/%s\"><label for=\"size\">Size</label>"
	    "<select id=\"size\" name=\"size\">\n", pi->id);
	for (s = 0; size_list[s].name != NULL; s++)
		page_size_option(req, pi, s);
	page_size_option(req, pi, -1);
	http_puts(req, "</select><button type=\"submit\" class=\"button nojs\">"
	    "Show</button></form>\n");
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

static void
page_image_body(struct http_req *req, const struct page_image *pi)
{
	char	 page[600], direct[640];

	/* base is under 512 bytes and an id 8, so this cannot truncate. */
	snprintf(page, sizeof(page), "%s/%s", pi->base, pi->id);
	page_size_url(pi, -1, 0, direct, sizeof(direct));
	page_picture(req, pi);
	http_puts(req, "<section class=\"panel\">\n");
	page_sizes(req, pi);
	page_facts(req, pi);
	http_puts(req, "<p class=\"actions\"><a class=\"button\" id=\"original\" "
	    "href=\"");
	html_escape(req, direct);
	http_puts(req, "\">Open the original</a></p>\n<h2>Share</h2>\n");
	page_links(req, page, direct);
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
	pi.mime = img_mime(img_type_of(img.type));
	pi.vext = img_ext(img_type_of(img.variant_type));
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
	char	 id[ID_LEN + 1], page[600], direct[620], del[700];

	id_from_int(img->id, id);
	snprintf(page, sizeof(page), "%s/%s", base, id);
	snprintf(direct, sizeof(direct), "%s/i/%s.%s", base, id,
	    img_ext(img_type_of(img->type)));
	snprintf(del, sizeof(del), "%s/%s/delete/%s", base, id, token);
	html_headers_secret(req, status);
	html_open(req, "Uploaded");
	html_body(req, "uploaded");
	http_printf(req, "<h1>Uploaded</h1>\n<p><a href=\"/%s\">See the "
	    "image</a></p>\n", id);
	page_links(req, page, direct);
	http_puts(req, "<h2>Your delete link</h2>\n<p>Keep it to yourself: "
	    "whoever has it can delete your upload. It is shown only "
	    "now.</p>\n<div class=\"links\">\n");
	page_link_row(req, "Delete", "delete", "", "", "", del, "");
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
