/*
 * Requests and answers.  Every error a client can cause ends in
 * http_error(), so all of them share the shape API.md gives; main.c
 * renders it as JSON, or as fcgi/html.c's page for a browser.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <ctype.h>
#include <stdarg.h>
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
		/* A ';' last: q++ would step past the NUL (found by fuzzing). */
		if (*q == '\0')
			break;
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
 * As an address bar does ("text/html,...,*\/\*;q=0.8").  API clients,
 * curl and scripts send "*\/\*" or application/json, and get JSON.
 */
int
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
	req->err.status = 0;
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
	case 204: return "No Content";
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
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

void
http_head(struct http_req *req, int status, const char *type)
{
	FCGX_FPrintF(req->fr->out, "Status: %d %s\r\n", status,
	    http_reason(status));
	/* A 204 has no body, so no type. */
	if (type != NULL)
		FCGX_FPrintF(req->fr->out, "Content-Type: %s\r\n", type);
	FCGX_PutS("X-Content-Type-Options: nosniff\r\n", req->fr->out);
	if (status == 405 && req->allow != NULL)
		FCGX_FPrintF(req->fr->out, "Allow: %s\r\n", req->allow);
	if (status == 503)
		FCGX_PutS("Retry-After: 5\r\n", req->fr->out);
	/* The one credential of this API is a delete token. */
	if (status == 401)
		FCGX_PutS("WWW-Authenticate: Bearer\r\n", req->fr->out);
	req->status = status;
}

void
http_printf(struct http_req *req, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	FCGX_VFPrintF(req->fr->out, fmt, ap);
	va_end(ap);
}

void
http_puts(struct http_req *req, const char *s)
{
	FCGX_PutS(s, req->fr->out);
}

int
http_write(struct http_req *req, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	return FCGX_PutStr(buf, len, req->fr->out) == (int)len ? 0 : -1;
}

/* At most 1 MiB a call: FastCGI counts in int. */
ssize_t
http_read(struct http_req *req, void *buf, size_t len)
{
	int	 n;

	n = FCGX_GetStr(buf, len > 1 << 20 ? 1 << 20 : (int)len, req->fr->in);
	if (n == 0 && FCGX_GetError(req->fr->in) != 0)
		return -1;
	return n;
}

void
http_json_str(struct http_req *req, const char *s)
{
	size_t	 n;

	for (; *s != '\0'; s++) {
		for (n = 0; s[n] != '\0' && s[n] != '"' && s[n] != '\\' &&
		    (unsigned char)s[n] >= 0x20; n++)
			continue;
		http_write(req, s, n);
		s += n;
		if (*s == '\0')
			return;
		if (*s == '"' || *s == '\\')
			http_printf(req, "\\%c", *s);
		else
			http_printf(req, "\\u%04x", (unsigned char)*s);
	}
}

void
http_error_tail(struct http_req *req, const char *code, const char *message)
{
	http_printf(req, "Cache-Control: no-store\r\n\r\n"
	    "{\"error\": {\"code\": \"%s\", \"message\": \"", code);
	http_json_str(req, message);
	http_puts(req, "\"}}\n");
}

void
http_error(struct http_req *req, int status, const char *code,
    const char *message)
{
	if (req->err.status != 0)
		return;
	req->err.status = status;
	req->err.code = code;
	strlcpy(req->err.message, message, sizeof(req->err.message));
}

void
http_error_json(struct http_req *req)
{
	http_head(req, req->err.status, "application/json");
	http_error_tail(req, req->err.code, req->err.message);
}

void
http_method_not_allowed(struct http_req *req, const char *allow)
{
	req->allow = allow;
	http_error(req, 405, "method_not_allowed",
	    "method not allowed for this URL");
}

/* 1 when s is only characters a host and port have. */
static int
http_host_chars(const char *h)
{
	if (h == NULL || *h == '\0' || strlen(h) > 255)
		return 0;
	for (; *h != '\0'; h++)
		if (!isalnum((unsigned char)*h) && strchr(".-:[]", *h) == NULL)
			return 0;
	return 1;
}

/*
 * 1 when a Host header names this machine's loopback (localhost, 127.x,
 * [::1], with a port or not).  Without public_url only such a Host may
 * name the links: any other is the client's word alone, and a link
 * handed out must not point where a client said.
 */
int
http_host_loopback(const char *h)
{
	size_t	 n;

	if (!http_host_chars(h))
		return 0;
	if (strncmp(h, "[::1]", 5) == 0)
		n = 5;
	else if (strncmp(h, "localhost", 9) == 0)
		n = 9;
	else if (strncmp(h, "127.", 4) == 0)
		n = 4 + strspn(h + 4, "0123456789.");
	else
		return 0;
	return h[n] == '\0' || (h[n] == ':' && h[n + 1] != '\0' &&
	    h[n + 1 + strspn(h + n + 1, "0123456789")] == '\0');
}

/* "addr:port" of the socket the request came in on, "[v6]:port". */
static void
http_server_host(const char *addr, const char *port, char *buf, size_t sz)
{
	int	 n;

	if (!http_host_chars(addr) || !http_host_chars(port))
		addr = "localhost", port = "80";
	n = snprintf(buf, sz, strchr(addr, ':') != NULL ? "[%s]:%s" : "%s:%s",
	    addr, port);
	if (n < 0 || (size_t)n >= sz)
		strlcpy(buf, "localhost", sz);
}

/*
 * An installed service sets public_url (docs/OPERATIONS.md); ./serve
 * sets it too.
 */
void
http_base_url_of(const char *public_url, const char *host,
    const char *scheme, const char *addr, const char *port, char *buf,
    size_t sz)
{
	char	 own[300];

	if (public_url != NULL) {
		strlcpy(buf, public_url, sz);
		return;
	}
	if (!http_host_loopback(host)) {
		http_server_host(addr, port, own, sizeof(own));
		host = own;
	}
	if (scheme == NULL || strcmp(scheme, "https") != 0)
		scheme = "http";
	if (snprintf(buf, sz, "%s://%s", scheme, host) >= (int)sz)
		strlcpy(buf, "http://localhost", sz);
}

void
http_base_url(struct http_req *req, const char *public_url, char *buf,
    size_t sz)
{
	http_base_url_of(public_url, http_param(req, "HTTP_HOST"),
	    http_param(req, "REQUEST_SCHEME"), http_param(req, "SERVER_ADDR"),
	    http_param(req, "SERVER_PORT"), buf, sz);
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
