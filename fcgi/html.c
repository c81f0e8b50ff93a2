/*
 * HTML for the pages: escaping, the headers every page sends (with its
 * Content-Security-Policy), the chrome around a page's content and the
 * error page browsers get instead of JSON.  Every value that comes from
 * outside the program goes through html_escape().  Scripts and styles
 * live in static/ only, so the policy can forbid inline ones
 * (fcgi/static.c serves them).
 */
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "log.h"
#include "static.h"

/* What html_init() works out once per process. */
struct html_static {
	char	 img_src[300];	/* "'self'", or "'self' https://cdn.example" */
};

static struct html_static html_st = { "'self'" };

/* 1 when s[0..n) is only characters a URL's scheme or authority has. */
static int
html_origin_chars(const char *s, size_t n)
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
html_csp_origin(const char *url)
{
	const char	*host, *end;
	int		 n;

	if (url == NULL)
		return;
	if ((host = strstr(url, "://")) == NULL ||
	    !html_origin_chars(url, host - url)) {
		log_warnx("public_url %s: no origin for the CSP", url);
		return;
	}
	host += 3;
	end = host + strcspn(host, "/");
	if (end == host || !html_origin_chars(host, end - host)) {
		log_warnx("public_url %s: no origin for the CSP", url);
		return;
	}
	n = snprintf(html_st.img_src, sizeof(html_st.img_src), "'self' %.*s",
	    (int)(end - url), url);
	if (n < 0 || (size_t)n >= sizeof(html_st.img_src))
		strlcpy(html_st.img_src, "'self'", sizeof(html_st.img_src));
}

/* Once per process, at start.  c is not kept. */
void
html_init(const struct conf *c)
{
	static_init(c->static_dir);
	html_csp_origin(c->public_url);
}

/* Writes s with the five HTML special characters escaped. */
void
html_escape(struct http_req *req, const char *s)
{
	size_t	 n;

	for (; *s != '\0'; s++) {
		n = strcspn(s, "<>&\"'");
		http_write(req, s, n);
		s += n;
		switch (*s) {
		case '<': http_puts(req, "&lt;"); break;
		case '>': http_puts(req, "&gt;"); break;
		case '&': http_puts(req, "&amp;"); break;
		case '"': http_puts(req, "&quot;"); break;
		case '\'': http_puts(req, "&#39;"); break;
		default: return;
		}
	}
}

/*
 * Writes the headers of an HTML page, up to and including the blank
 * line; the page of a secret (a delete token in its URL) sends no
 * Referer, even to its own style sheet, and is kept by no cache.
 * Images may be data: URLs (the placeholder static/app.js paints while
 * an image loads) and blob: URLs (the upload card's thumbnail, made
 * from the file itself).
 */
static void
html_headers_of(struct http_req *req, int status, int secret)
{
	http_head(req, status, "text/html; charset=utf-8");
	http_printf(req, "Content-Security-Policy: "
	    "default-src 'none'; img-src %s data: blob:; script-src 'self'; "
	    "style-src 'self'; connect-src 'self'; form-action 'self'; "
	    "base-uri 'none'; frame-ancestors 'none'\r\n"
	    "Referrer-Policy: %s\r\n", html_st.img_src,
	    secret ? "no-referrer" : "strict-origin-when-cross-origin");
	http_puts(req, status == 200 && !secret ?
	    "Cache-Control: no-cache\r\n\r\n" :
	    "Cache-Control: no-store\r\n\r\n");
}

void
html_headers(struct http_req *req, int status)
{
	html_headers_of(req, status, 0);
}

void
html_headers_secret(struct http_req *req, int status)
{
	html_headers_of(req, status, 1);
}

/* 1 for HEAD: the headers are all the answer. */
int
html_head_only(const struct http_req *req)
{
	return strcmp(req->method, "HEAD") == 0;
}

/* Opens the document, up to the end of <title>; html_body() follows. */
void
html_open(struct http_req *req, const char *title)
{
	http_printf(req, "<!doctype html>\n<html lang=\"en\">\n"
	    "<head>\n<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n"
	    "<link rel=\"icon\" href=\"%s\">\n"
	    "<link rel=\"stylesheet\" href=\"%s\">\n"
	    "<script src=\"%s\"></script>\n<title>", static_url("favicon.ico"),
	    static_url("app.css"), static_url("app.js"));
	html_escape(req, title);
	http_puts(req, " · imghost</title>\n");
}

/* Ends <head>, writes the bar at the top and opens <main class=cls>. */
void
html_body(struct http_req *req, const char *cls)
{
	http_printf(req, "</head>\n<body>\n"
	    "<header class=\"bar\"><a class=\"brand\" href=\"/\">imghost</a>"
	    "<a class=\"bar-link\" href=\"/\">Upload</a></header>\n"
	    "<main class=\"%s\">\n", cls);
}

void
html_close(struct http_req *req)
{
	http_puts(req, "</main>\n<footer class=\"foot\">"
	    "<a href=\"/\">Upload an image</a> · "
	    "<a href=\"/sharex.sxcu\">ShareX uploader</a></footer>\n"
	    "</body>\n</html>\n");
}

/* A heading for an error status, in words. */
static const char *
html_error_title(int status)
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
html_error_advice(const struct http_req *req, int status)
{
	switch (status) {
	case 400: return "Choose a file, or check the image's address, "
	    "and try again.";
	case 404: return "There is no image at this address. Check the "
	    "link for typos, or upload a new image.";
	case 405: return "This address does not take that kind of request.";
	case 410: return strcmp(req->method, "POST") == 0 ?
	    "This image was taken down and cannot be uploaded again." :
	    "The image this link pointed to was removed by the site's "
	    "operators. The link will not work again.";
	case 413: return "Try a smaller file, or save it at a lower quality.";
	case 415: return "Upload a JPEG, PNG, GIF, WebP, AVIF, HEIC/HEIF, "
	    "TIFF or BMP image.";
	case 422: return "It could not be decoded, or it has too many pixels "
	    "or frames. Try saving it again from an image editor.";
	case 503: return "The server is busy or a part of it is down. "
	    "Wait a few seconds and try again.";
	default: return "Please try again.";
	}
}

/* The HTML error page: a heading and advice in words, the detail after. */
void
html_error(struct http_req *req, int status, const char *message)
{
	html_headers(req, status);
	if (html_head_only(req))
		return;
	html_open(req, html_error_title(status));
	html_body(req, "error");
	http_printf(req, "<p class=\"status\">%d</p>\n<h1>%s</h1>\n"
	    "<p>%s</p>\n", status, html_error_title(status),
	    html_error_advice(req, status));
	/* The server's own words add nothing to these pages' advice. */
	if (status != 404 && status != 410) {
		http_puts(req, "<p class=\"detail\">");
		html_escape(req, message);
		http_puts(req, "</p>\n");
	}
	http_puts(req, "<p><a class=\"button\" href=\"/\">Upload an image"
	    "</a></p>\n");
	html_close(req);
}

