/*
 * Uploads by URL: the server fetches an http(s) image itself.  That is a
 * server-side request forgery hole unless every connection, redirects
 * included, is checked against the address it really goes to.
 */
#ifndef FETCH_H
#define FETCH_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>

struct conf;

enum fetch_status {
	FETCH_OK = 0,		/* *out holds the body */
	FETCH_BAD_URL,		/* malformed, not http(s), an internal
				   address, too many redirects */
	FETCH_FAILED,		/* no answer, an error status, too slow */
	FETCH_TOO_LARGE,	/* the body is over max_upload_bytes */
	FETCH_NOMEM,		/* out of memory */
};

/*
 * Fetches url (http or https; at most 3 redirects; 10 s in all; at most
 * c->max_upload_bytes) and returns FETCH_OK with the body in *out, of
 * *len bytes, which the caller frees.  No connection is opened to an
 * address fetch_addr_public() refuses unless its address and port are
 * those of a host:port in c->url_upload_allow.  On any other status *out
 * is NULL and why holds a message for the client.
 */
enum fetch_status fetch_url(const char *url, const struct conf *c,
		    unsigned char **out, size_t *len, char *why, size_t whysz);

/*
 * 1 when sa is a public unicast IPv4 or IPv6 address, 0 when it is
 * loopback, private, link-local (the metadata service), shared (CGNAT),
 * multicast, reserved, documentation, unspecified, or an IPv6 form that
 * embeds one of those (mapped, compatible, translated, 6to4, NAT64), or
 * of any other family.
 */
int		fetch_addr_public(const struct sockaddr *sa, socklen_t len);

/*
 * Finds the url of a body that is JSON ({"url": "..."}) or a form
 * (url=...), by its Content-Type.  Returns 1 with a malloc'd string in
 * *url, 0 when the type is neither, -1 when the body is malformed or has
 * no url.
 */
int		fetch_body_url(const char *type, const unsigned char *body,
		    size_t len, char **url);

#endif
