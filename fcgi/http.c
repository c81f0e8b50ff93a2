/*
 * Requests and answers.  Every error a client can cause ends in
 * http_error(), so all of them share the shape API.md gives.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

/*
 * The q of the media range that starts at p ("text/html;q=0.8"), in
 * thousandths: 1000 without a q, 0 for a q that does not parse.
 */
static int
http_accept_q(const char *p)
{
	const char	*end = p + strcspn(p, ",");
	const char	*q;
	double		 v;

	for (q = p; (q = strchr(q, ';')) != NULL && q < end; q++) {
		q += 1 + strspn(q + 1, " \t");
		if (strncasecmp(q, "q=", 2) != 0)
			continue;
		v = strtod(q + 2, NULL);
		return v > 0 && v <= 1 ? (int)(v * 1000 + 0.5) : 0;
	}
	return 1000;
}

/* The q of type in an Accept header, -1 when it is not named. */
static int
http_accept_type_q(const char *accept, const char *type)
{
	const char	*p = accept;
	size_t		 n = strlen(type);

	while (*p != '\0') {
		p += strspn(p, " \t,");
		if (strncasecmp(p, type, n) == 0 && strchr(" \t;,", p[n]) != NULL)
			return http_accept_q(p);
		p += strcspn(p, ",");
	}
	return -1;
}

/*
 * 1 when a person's browser asked: the Accept header names text/html
 * and likes it at least as much as JSON, as an address bar does
 * ("text/html,...,*\/\*;q=0.8").  API clients, curl and scripts send
 * "*\/\*" or application/json, and get JSON.
 */
static int
http_prefers_html(const char *accept)
{
	int	 html;

	if (accept == NULL || (html = http_accept_type_q(accept,
	    "text/html")) <= 0)
		return 0;
	return html >= http_accept_type_q(accept, "application/json");
}

int
http_req_init(struct http_req *req, FCGX_Request *fr)
{
	const char	*uri;
	size_t		 n;

	req->fr = fr;
	req->html = http_prefers_html(FCGX_GetParam("HTTP_ACCEPT", fr->envp));
	req->allow = NULL;
	req->status = 0;
	req->path[0] = '\0';
	req->method = FCGX_GetParam("REQUEST_METHOD", fr->envp);
	if (req->method == NULL)
		req->method = "";
	if ((uri = FCGX_GetParam("REQUEST_URI", fr->envp)) == NULL)
		uri = "/";
	n = strcspn(uri, "?");
	if (n >= sizeof(req->path))
		return -1;
	memcpy(req->path, uri, n);
	req->path[n] = '\0';
	return 0;
}

const char *
http_param(const struct http_req *req, const char *name)
{
	return FCGX_GetParam(name, req->fr->envp);
}

static const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 206: return "Partial Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 422: return "Unprocessable Content";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

void
http_head(struct http_req *req, int status, const char *type)
{
	FCGX_FPrintF(req->fr->out, "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "X-Content-Type-Options: nosniff\r\n",
	    status, http_reason(status), type);
	if (status == 405 && req->allow != NULL)
		FCGX_FPrintF(req->fr->out, "Allow: %s\r\n", req->allow);
	if (status == 503)
		FCGX_PutS("Retry-After: 5\r\n", req->fr->out);
	req->status = status;
}

void
http_json_str(struct http_req *req, const char *s)
{
	FCGX_Stream	*out = req->fr->out;

	for (; *s != '\0'; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			FCGX_FPrintF(out, "\\%c", c);
		else if (c < 0x20)
			FCGX_FPrintF(out, "\\u%04x", c);
		else
			FCGX_PutChar(c, out);
	}
}

void
http_error_tail(struct http_req *req, const char *code, const char *message)
{
	FCGX_FPrintF(req->fr->out, "Cache-Control: no-store\r\n\r\n"
	    "{\"error\": {\"code\": \"%s\", \"message\": \"", code);
	http_json_str(req, message);
	FCGX_PutS("\"}}\n", req->fr->out);
}

void
http_error(struct http_req *req, int status, const char *code,
    const char *message)
{
	if (req->html) {
		page_error(req, status, message);
		return;
	}
	http_head(req, status, "application/json");
	http_error_tail(req, code, message);
}

void
http_method_not_allowed(struct http_req *req, const char *allow)
{
	req->allow = allow;
	http_error(req, 405, "method_not_allowed",
	    "method not allowed for this URL");
}

int
http_socket_dir(char *dir, size_t sz)
{
	struct sockaddr_un	 sun;
	socklen_t		 len = sizeof(sun);
	char			 path[sizeof(sun.sun_path) + 1];

	memset(&sun, 0, sizeof(sun));
	if (getsockname(0, (struct sockaddr *)&sun, &len) == -1 ||
	    sun.sun_family != AF_UNIX || sun.sun_path[0] == '\0')
		return -1;
	memcpy(path, sun.sun_path, sizeof(sun.sun_path));
	path[sizeof(sun.sun_path)] = '\0';
	return strlcpy(dir, dirname(path), sz) >= sz ? -1 : 0;
}
