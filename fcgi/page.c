/*
 * The HTML pages: the error page browsers get instead of JSON.
 */
#include <stdio.h>

#include "app.h"

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

void
page_error(struct http_req *req, int status, const char *message)
{
	http_head(req, status, "text/html; charset=utf-8");
	if (status == 503)
		FCGX_PutS("Retry-After: 5\r\n", req->fr->out);
	FCGX_PutS("Cache-Control: no-store\r\n\r\n<!doctype html>\n"
	    "<html lang=\"en\"><meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>", req->fr->out);
	page_escape(req, message);
	FCGX_PutS("</title>\n<h1>", req->fr->out);
	page_escape(req, message);
	FCGX_PutS("</h1>\n<p><a href=\"/\">Upload an image</a></p>\n",
	    req->fr->out);
}
