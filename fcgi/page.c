/*
 * The HTML pages: the upload page, the image page, the ShareX uploader
 * and the error page browsers get instead of JSON.  Each page is a few
 * functions writing straight to the stream; every value that comes from
 * outside the program goes through page_escape().  Scripts and styles
 * live in static/ only, so the Content-Security-Policy can forbid inline
 * ones (fcgi/static.c serves them).
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "db.h"
#include "id.h"
#include "img.h"
#include "log.h"
#include "size.h"

/* What page_init() works out once per process. */
struct page_static {
	char	 img_src[300];	/* "'self'", or "'self' https://cdn.example" */
};

static struct page_static page_st = { "'self'" };

/* One image, with everything its page shows worked out. */
struct page_image {
	const struct db_image	*img;
	char			 id[ID_LEN + 1];
	char			 base[512];	/* api_base_url() */
	const char		*ext;		/* "jpg" */
	const char		*mime;		/* "image/jpeg" */
	const int		*ready;		/* db_variants_ready() */
	int			 shown;		/* size_list index, -1 original */
};

/* 1 when s[0..n) is only characters a URL's scheme or authority has. */
static int
page_origin_chars(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr(".-:[]", s[i])))
			return 0;
	return 1;
}

/*
 * Adds public_url's origin (scheme and host, no path) to img-src, since
 * the pages' images come from there.  A URL that does not look like one
 * is left out, so nothing odd reaches a header.
 */
static void
page_csp_origin(const char *url)
{
	const char	*host, *end;
	int		 n;

	if (url == NULL)
		return;
	if ((host = strstr(url, "://")) == NULL ||
	    !page_origin_chars(url, host - url)) {
		log_warnx("public_url %s: no origin for the CSP", url);
		return;
	}
	host += 3;
	end = host + strcspn(host, "/");
	if (end == host || !page_origin_chars(host, end - host)) {
		log_warnx("public_url %s: no origin for the CSP", url);
		return;
	}
	n = snprintf(page_st.img_src, sizeof(page_st.img_src), "'self' %.*s",
	    (int)(end - url), url);
	if (n < 0 || (size_t)n >= sizeof(page_st.img_src))
		strlcpy(page_st.img_src, "'self'", sizeof(page_st.img_src));
}

/* Once per process, at start.  c is not kept. */
void
page_init(const struct conf *c)
{
	static_init(c->static_dir);
	page_csp_origin(c->public_url);
}

/* Writes s with the five HTML special characters escaped. */
void
page_escape(struct http_req *req, const char *s)
{
	FCGX_Stream	*out = req->fr->out;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': FCGX_PutS("&lt;", out); break;
		case '>': FCGX_PutS("&gt;", out); break;
		case '&': FCGX_PutS("&amp;", out); break;
		case '"': FCGX_PutS("&quot;", out); break;
		case '\'': FCGX_PutS("&#39;", out); break;
		default: FCGX_PutChar(*s, out);
		}
	}
}

/* Writes the headers of an HTML page, up to and including the blank line. */
static void
page_headers(struct http_req *req, int status)
{
	http_head(req, status, "text/html; charset=utf-8");
	FCGX_FPrintF(req->fr->out, "Content-Security-Policy: "
	    "default-src 'none'; img-src %s; script-src 'self'; "
	    "style-src 'self'; connect-src 'self'; form-action 'self'; "
	    "base-uri 'none'; frame-ancestors 'none'\r\n"
	    "Referrer-Policy: strict-origin-when-cross-origin\r\n",
	    page_st.img_src);
	FCGX_PutS(status == 200 ? "Cache-Control: no-cache\r\n\r\n" :
	    "Cache-Control: no-store\r\n\r\n", req->fr->out);
}

/* 1 for HEAD: the headers are all the answer. */
static int
page_head_only(const struct http_req *req)
{
	return strcmp(req->method, "HEAD") == 0;
}

/* Opens the document, up to the end of <title>; page_body() follows. */
static void
page_open(struct http_req *req, const char *title)
{
	FCGX_FPrintF(req->fr->out, "<!doctype html>\n<html lang=\"en\">\n"
	    "<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n"
	    "<link rel=\"icon\" href=\"%s\">\n"
	    "<link rel=\"stylesheet\" href=\"%s\">\n"
	    "<script src=\"%s\"></script>\n<title>", static_url("favicon.ico"),
	    static_url("app.css"), static_url("app.js"));
	page_escape(req, title);
	FCGX_PutS(" · imghost</title>\n", req->fr->out);
}

/* Ends <head>, writes the bar at the top and opens <main class=cls>. */
static void
page_body(struct http_req *req, const char *cls)
{
	FCGX_FPrintF(req->fr->out, "</head>\n<body>\n"
	    "<header class=\"bar\"><a class=\"brand\" href=\"/\">imghost</a>"
	    "<a class=\"bar-link\" href=\"/\">Upload</a></header>\n"
	    "<main class=\"%s\">\n", cls);
}

static void
page_close(struct http_req *req)
{
	FCGX_PutS("</main>\n<footer class=\"foot\">"
	    "<a href=\"/\">Upload an image</a> · "
	    "<a href=\"/sharex.sxcu\">ShareX uploader</a></footer>\n"
	    "</body>\n</html>\n", req->fr->out);
}

/* A heading for an error status, in words. */
static const char *
page_error_title(int status)
{
	switch (status) {
	case 400: return "That upload did not work";
	case 404: return "Nothing here";
	case 405: return "That cannot be done here";
	case 410: return "This image is gone";
	case 413: return "That file is too large";
	case 415: return "That is not an image we take";
	case 422: return "That image looks broken";
	case 503: return "Try again in a moment";
	default: return "Something went wrong";
	}
}

/*
 * What a person can do about it.  A 410 reaches most people through a
 * link someone shared; only an upload of the same bytes is the
 * uploader's.
 */
static const char *
page_error_advice(const struct http_req *req, int status)
{
	switch (status) {
	case 400: return "Choose a file and try again.";
	case 404: return "There is no image at this address. Check the "
	    "link for typos, or upload a new image.";
	case 405: return "This address does not take that kind of request.";
	case 410: return strcmp(req->method, "POST") == 0 ?
	    "This image was taken down and cannot be uploaded again." :
	    "The image this link pointed to was removed by the site's "
	    "operators. The link will not work again.";
	case 413: return "Try a smaller file, or save it at a lower quality.";
	case 415: return "Upload a JPEG, PNG, GIF or WebP image.";
	case 422: return "It could not be decoded, or it has too many pixels "
	    "or frames. Try saving it again from an image editor.";
	case 503: return "The server is busy or a part of it is down. "
	    "Wait a few seconds and try again.";
	default: return "Please try again.";
	}
}

/* The HTML error page: a heading and advice in words, the detail after. */
void
page_error(struct http_req *req, int status, const char *message)
{
	page_headers(req, status);
	if (page_head_only(req))
		return;
	page_open(req, page_error_title(status));
	page_body(req, "error");
	FCGX_FPrintF(req->fr->out, "<p class=\"status\">%d</p>\n<h1>%s</h1>\n"
	    "<p>%s</p>\n", status, page_error_title(status),
	    page_error_advice(req, status));
	/* The server's own words add nothing to these pages' advice. */
	if (status != 404 && status != 410) {
		FCGX_PutS("<p class=\"detail\">", req->fr->out);
		page_escape(req, message);
		FCGX_PutS("</p>\n", req->fr->out);
	}
	FCGX_PutS("<p><a class=\"button\" href=\"/\">Upload an image"
	    "</a></p>\n", req->fr->out);
	page_close(req);
}

/* The upload page: a plain form that the script turns into much more. */
void
page_upload(struct app *app, struct http_req *req)
{
	long long	 mb = app->conf.max_upload_bytes >> 20;

	page_headers(req, 200);
	if (page_head_only(req))
		return;
	page_open(req, "Upload an image");
	page_body(req, "upload");
	FCGX_FPrintF(req->fr->out, "<h1>Share an image</h1>\n"
	    "<form class=\"drop\" id=\"upload\" method=\"post\" action=\"/\" "
	    "enctype=\"multipart/form-data\" data-max=\"%lld\">\n"
	    "<input type=\"file\" id=\"file\" name=\"file\" required "
	    "accept=\"image/jpeg,image/png,image/gif,image/webp\">\n"
	    "<label for=\"file\" class=\"zone\" id=\"zone\">"
	    "<span class=\"zone-title\">Choose images</span>"
	    "<span class=\"zone-hint js-only\">or drop them here, or paste "
	    "one from the clipboard</span></label>\n"
	    "<p class=\"limits\">JPEG, PNG, GIF or WebP, up to %lld MB.</p>\n"
	    "<button type=\"submit\" class=\"button nojs\">Upload</button>\n"
	    "</form>\n<ol class=\"results\" id=\"results\" "
	    "aria-live=\"polite\"></ol>\n",
	    app->conf.max_upload_bytes, mb > 0 ? mb : 1);
	page_close(req);
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
	int	 n;

	if (s < 0)
		n = snprintf(buf, sz, "%s/i/%s.%s", pi->base, pi->id, pi->ext);
	else
		n = snprintf(buf, sz, "%s/i/%s/%s.%s", pi->base, pi->id,
		    size_list[s].name, webp ? "webp" : pi->ext);
	if (n < 0 || (size_t)n >= sz)
		buf[0] = '\0';
}

/* The displayed dimensions of size s (-1: the original). */
static void
page_size_dims(const struct page_image *pi, int s, long *w, long *h)
{
	if (s < 0) {
		*w = pi->img->width;
		*h = pi->img->height;
	} else
		size_fit(pi->img->width, pi->img->height, size_list[s].box,
		    w, h);
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
	FCGX_FPrintF(req->fr->out, "<div class=\"link\"><label for=\"l-%s\">"
	    "%s</label><input id=\"l-%s\" readonly value=\"", key, name, key);
	page_escape(req, pre);
	page_escape(req, a);
	page_escape(req, mid);
	page_escape(req, b);
	page_escape(req, post);
	FCGX_PutS("\"><button type=\"button\" class=\"copy js-only\">Copy"
	    "</button></div>\n", req->fr->out);
}

/* The share links: the same five the upload page shows after an upload. */
static void
page_links(struct http_req *req, const char *page, const char *direct)
{
	FCGX_PutS("<div class=\"links\">\n", req->fr->out);
	page_link_row(req, "Page", "page", "", "", "", page, "");
	page_link_row(req, "Direct", "direct", "", "", "", direct, "");
	page_link_row(req, "Markdown", "md", "[![image](", ")](", ")",
	    direct, page);
	page_link_row(req, "BBCode", "bb", "[url=", "][img]", "[/img][/url]",
	    page, direct);
	page_link_row(req, "HTML", "html", "<a href=\"", "\"><img src=\"",
	    "\" alt=\"\"></a>", page, direct);
	FCGX_PutS("</div>\n", req->fr->out);
}

/*
 * The OpenGraph and Twitter card tags.  The large variant once it is
 * made, the original until then, so a crawler never gets a stand-in.
 */
static void
page_meta(struct http_req *req, const struct page_image *pi)
{
	char	 url[640];
	int	 s = page_size_index("large", 5);
	long	 w, h;

	if (s < 0 || !(pi->ready[s] & 1))
		s = -1;

	page_size_url(pi, s, 0, url, sizeof(url));
	page_size_dims(pi, s, &w, &h);
	FCGX_FPrintF(req->fr->out, "<meta property=\"og:type\" "
	    "content=\"website\">\n<meta property=\"og:site_name\" "
	    "content=\"imghost\">\n<meta property=\"og:title\" "
	    "content=\"Image %s\">\n<meta property=\"og:url\" content=\"",
	    pi->id);
	page_escape(req, pi->base);
	FCGX_FPrintF(req->fr->out, "/%s\">\n<link rel=\"canonical\" href=\"",
	    pi->id);
	page_escape(req, pi->base);
	FCGX_FPrintF(req->fr->out, "/%s\">\n<meta property=\"og:image\" "
	    "content=\"", pi->id);
	page_escape(req, url);
	FCGX_FPrintF(req->fr->out, "\">\n<meta property=\"og:image:type\" "
	    "content=\"%s\">\n<meta property=\"og:image:width\" "
	    "content=\"%ld\">\n<meta property=\"og:image:height\" "
	    "content=\"%ld\">\n<meta name=\"twitter:card\" "
	    "content=\"summary_large_image\">\n<meta name=\"twitter:image\" "
	    "content=\"", pi->mime, w, h);
	page_escape(req, url);
	FCGX_PutS("\">\n", req->fr->out);
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

	FCGX_PutS("<figure class=\"stage\"><picture id=\"picture\">",
	    req->fr->out);
	if (page_has_webp(pi, pi->shown)) {
		page_size_url(pi, pi->shown, 1, url, sizeof(url));
		FCGX_PutS("<source id=\"webp\" type=\"image/webp\" srcset=\"",
		    req->fr->out);
		page_escape(req, url);
		FCGX_PutS("\">", req->fr->out);
	}
	page_size_url(pi, pi->shown, 0, url, sizeof(url));
	page_size_dims(pi, pi->shown, &w, &h);
	FCGX_PutS("<img id=\"image\" src=\"", req->fr->out);
	page_escape(req, url);
	FCGX_FPrintF(req->fr->out, "\" width=\"%ld\" height=\"%ld\" "
	    "alt=\"Image %s\"></picture></figure>\n", w, h, pi->id);
}

/* One <option> of the size selector, with the URLs the script swaps in. */
static void
page_size_option(struct http_req *req, const struct page_image *pi, int s)
{
	char	 url[640], label[16];
	long	 w, h;

	page_size_dims(pi, s, &w, &h);
	FCGX_FPrintF(req->fr->out, "<option value=\"%s\"%s data-w=\"%ld\" "
	    "data-h=\"%ld\" data-src=\"", s < 0 ? "original" :
	    size_list[s].name, s == pi->shown ? " selected" : "", w, h);
	page_size_url(pi, s, 0, url, sizeof(url));
	page_escape(req, url);
	FCGX_PutS("\" data-webp=\"", req->fr->out);
	if (page_has_webp(pi, s)) {
		page_size_url(pi, s, 1, url, sizeof(url));
		page_escape(req, url);
	}
	strlcpy(label, s < 0 ? "original" : size_list[s].name, sizeof(label));
	label[0] = toupper((unsigned char)label[0]);
	FCGX_FPrintF(req->fr->out, "\">%s · %ld × %ld</option>\n", label,
	    w, h);
}

/* The size selector: a GET form without the script, instant with it. */
static void
page_sizes(struct http_req *req, const struct page_image *pi)
{
	int	 s;

	FCGX_FPrintF(req->fr->out, "<form class=\"sizes\" method=\"get\" "
	    "action=\"/%s\"><label for=\"size\">Size</label>"
	    "<select id=\"size\" name=\"size\">\n", pi->id);
	for (s = 0; size_list[s].name != NULL; s++)
		page_size_option(req, pi, s);
	page_size_option(req, pi, -1);
	FCGX_PutS("</select><button type=\"submit\" class=\"button nojs\">"
	    "Show</button></form>\n", req->fr->out);
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
	default: return "image";
	}
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
	FCGX_FPrintF(req->fr->out, "<dl class=\"facts\">"
	    "<div><dt>Dimensions</dt><dd>%ld × %ld</dd></div>"
	    "<div><dt>Type</dt><dd>%s%s</dd></div>"
	    "<div><dt>File size</dt><dd>%s</dd></div>"
	    "<div><dt>Uploaded</dt><dd><time datetime=\"%s\">%s</time></dd>"
	    "</div></dl>\n", pi->img->width, pi->img->height,
	    page_type_label(pi->img->type),
	    pi->img->frames > 1 ? ", animated" : "", bytes, iso, when);
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
	FCGX_PutS("<section class=\"panel\">\n", req->fr->out);
	page_sizes(req, pi);
	page_facts(req, pi);
	FCGX_PutS("<p class=\"actions\"><a class=\"button\" id=\"original\" "
	    "href=\"", req->fr->out);
	page_escape(req, direct);
	FCGX_PutS("\">Open the original</a></p>\n<h2>Share</h2>\n",
	    req->fr->out);
	page_links(req, page, direct);
	FCGX_PutS("</section>\n", req->fr->out);
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
	pi.shown = page_size_asked(req);
	id_from_int(img.id, pi.id);
	api_base_url(app, req, pi.base, sizeof(pi.base));
	page_headers(req, 200);
	if (page_head_only(req))
		return;
	snprintf(title, sizeof(title), "Image %s", pi.id);
	page_open(req, title);
	page_meta(req, &pi);
	page_body(req, "image");
	page_image_body(req, &pi);
	page_close(req);
}

/* GET /sharex.sxcu: a ShareX custom uploader that posts to this host. */
void
page_sharex(struct app *app, struct http_req *req)
{
	char		 base[512];
	const char	*host;

	api_base_url(app, req, base, sizeof(base));
	host = strstr(base, "://") != NULL ? strstr(base, "://") + 3 : base;
	http_head(req, 200, "application/json");
	FCGX_PutS("Content-Disposition: attachment; "
	    "filename=\"imghost.sxcu\"\r\nCache-Control: no-cache\r\n\r\n",
	    req->fr->out);
	if (page_head_only(req))
		return;
	FCGX_PutS("{\n  \"Version\": \"15.0.0\",\n  \"Name\": \"imghost (",
	    req->fr->out);
	http_json_str(req, host);
	FCGX_PutS(")\",\n  \"DestinationType\": \"ImageUploader\",\n"
	    "  \"RequestMethod\": \"POST\",\n  \"RequestURL\": \"", req->fr->out);
	http_json_str(req, base);
	FCGX_PutS("/api/v1/images\",\n  \"Body\": \"MultipartFormData\",\n"
	    "  \"FileFormName\": \"file\",\n  \"URL\": \"{json:url}\",\n"
	    "  \"ThumbnailURL\": \"{json:variants.small.url}\",\n"
	    "  \"ErrorMessage\": \"{json:error.message}\"\n}\n", req->fr->out);
}
