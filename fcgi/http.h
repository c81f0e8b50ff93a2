/*
 * One HTTP request as FastCGI hands it over, and the answers to it.
 */
#ifndef HTTP_H
#define HTTP_H

#include <fcgiapp.h>

struct http_req {
	FCGX_Request	*fr;
	const char	*method;	/* "GET" */
	char		 path[1024];	/* REQUEST_URI before '?', undecoded */
	int		 html;		/* a browser's page: errors as HTML */
	const char	*allow;		/* a 405's Allow header, or NULL */
	int		 status;	/* answered with, 0 before http_head() */
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
 * status has (a 405's Allow, a 503's Retry-After); the caller adds its
 * own headers, then "\r\n" and the body.
 */
void	http_head(struct http_req *, int status, const char *type);

/* Answers status with the JSON error body of API.md. */
void	http_error(struct http_req *, int status, const char *code,
	    const char *message);

/* Ends the headers and writes the JSON error body, after http_head(). */
void	http_error_tail(struct http_req *, const char *code,
	    const char *message);

/* The HTML error page for browsers (fcgi/page.c); http_error() calls it. */
void	page_error(struct http_req *, int status, const char *message);

/* 405 with the Allow header. */
void	http_method_not_allowed(struct http_req *, const char *allow);

/* Writes s with JSON string escaping, without the quotes. */
void	http_json_str(struct http_req *, const char *s);

/*
 * The directory of the Unix socket lighttpd listens on for this process
 * (fd 0), in dir; -1 when fd 0 is no Unix socket or dir is too small.
 * The processes of one node share it: /metrics counters and the fetch
 * slots live there.
 */
int	http_socket_dir(char *dir, size_t sz);

#endif
