/*
 * HTML for the pages (kcgi's khtml): escaping, the headers and chrome
 * every page shares, and the error page browsers get instead of JSON.
 * Each writes to the answer of req through fcgi/http.c.
 */
#ifndef HTML_H
#define HTML_H

#include "conf.h"
#include "http.h"

/*
 * Works out, once at start, the fingerprinted URLs of static/ and the
 * Content-Security-Policy; the pages need it first.  c is not kept.
 */
void	html_init(const struct conf *c);

/* Writes s HTML-escaped. */
void	html_escape(struct http_req *, const char *s);

/* Writes the headers of an HTML page, up to and including the blank line. */
void	html_headers(struct http_req *, int status);
/* The same for a page whose URL or body holds a delete token. */
void	html_headers_secret(struct http_req *, int status);

/* 1 for HEAD: the headers are all the answer. */
int	html_head_only(const struct http_req *);

/* Opens the document, up to the end of <title>; html_body() follows. */
void	html_open(struct http_req *, const char *title);

/* Ends <head>, writes the bar at the top and opens <main class=cls>. */
void	html_body(struct http_req *, const char *cls);

/* Closes <main> and the document, after the footer. */
void	html_close(struct http_req *);

/* The whole HTML error page for status; message is escaped. */
void	html_error(struct http_req *, int status, const char *message);

#endif
