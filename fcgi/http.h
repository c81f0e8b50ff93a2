/*
 * One HTTP request as FastCGI hands it over, and the answer to it.  Only
 * this module (and main.c, which accepts requests) speaks FastCGI: the
 * handlers read the request and write the answer through the functions
 * below, as kcgi's khttp_ functions do.
 */
#ifndef HTTP_H
#define HTTP_H

#include <sys/types.h>

#include <fcgiapp.h>

/* What went wrong, as a handler leaves it for main.c to render. */
struct http_err {
	int		 status;	/* 0: nothing went wrong */
	const char	*code;		/* API.md's error code, static */
	char		 message[256];	/* in words, a copy */
};

struct http_req {
	FCGX_Request	*fr;
	const char	*method;	/* "GET" */
	char		 path[1024];	/* REQUEST_URI before '?', undecoded */
	int		 html;		/* a browser's page: errors as HTML */
	const char	*allow;		/* a 405's Allow header, or NULL */
	int		 status;	/* answered with, 0 before http_head() */
	struct http_err	 err;		/* http_error()'s, rendered later */
};

/*
 * Fills req from the FastCGI parameters, html from the Accept header;
 * -1 when the path is too long.
 */
int	http_req_init(struct http_req *, FCGX_Request *);

/* Returns a FastCGI parameter, or NULL. */
const char *http_param(const struct http_req *, const char *name);

/*
 * Writes the status line and the headers that every answer with that
 * status has (a 405's Allow, a 503's Retry-After, a 401's
 * WWW-Authenticate) and Content-Type (none when type is NULL); the caller
 * adds its own headers, then "\r\n" and the body.
 */
void	http_head(struct http_req *, int status, const char *type);

/* Write to the answer: headers after http_head(), then the body. */
void	http_printf(struct http_req *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	http_puts(struct http_req *, const char *s);
/* Returns 0, or -1 when the client is gone. */
int	http_write(struct http_req *, const void *buf, size_t len);

/* Reads up to len bytes of the request body: 0 at its end, -1 on error. */
ssize_t	http_read(struct http_req *, void *buf, size_t len);

/*
 * Records what went wrong, for http_error_render() once the handler has
 * returned; the handler writes nothing more.  The first error stands.
 * message is copied.
 */
void	http_error(struct http_req *, int status, const char *code,
	    const char *message);

/* 405 with the Allow header, as http_error(). */
void	http_method_not_allowed(struct http_req *, const char *allow);

/* Writes the JSON error answer of API.md for req->err. */
void	http_error_json(struct http_req *);

/* Ends the headers and writes the JSON error body, after http_head(). */
void	http_error_tail(struct http_req *, const char *code,
	    const char *message);

/* Writes s with JSON string escaping, without the quotes. */
void	http_json_str(struct http_req *, const char *s);

/*
 * 1 when a person's browser asked, by the Accept header (NULL: none):
 * it names text/html and likes it at least as much as JSON.
 */
int	http_prefers_html(const char *accept);

/* 1 when a Host header names the loopback (localhost, 127.x, [::1]). */
int	http_host_loopback(const char *host);

/*
 * The base of absolute URLs into buf, from the request's parameters
 * alone (any may be NULL): public_url, else scheme and host when host
 * names the loopback, else addr:port the request came in on.  A
 * foreign Host never names a link.
 */
void	http_base_url_of(const char *public_url, const char *host,
	    const char *scheme, const char *addr, const char *port,
	    char *buf, size_t sz);

/* http_base_url_of() with req's parameters. */
void	http_base_url(struct http_req *, const char *public_url, char *buf,
	    size_t sz);

/*
 * The directory of the Unix socket lighttpd listens on for this process
 * (fd 0), in dir; -1 when fd 0 is no Unix socket or dir is too small.
 * The processes of one node share it: /metrics counters and the fetch
 * slots live there.
 */
int	http_socket_dir(char *dir, size_t sz);

#endif
