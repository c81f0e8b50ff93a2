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
	FETCH_BUSY,		/* every fetch slot of the node is taken */
};

/*
 * Caps the fetches that run at once on this node, whichever of its
 * FastCGI processes runs them, at n: a fetch holds one of n lock files
 * in dir (imghost-fcgi.fetch.0 and on), locked with flock(), which the
 * kernel lets go when the file is closed or the process ends however it
 * ends.  dir NULL: no cap.  Call once at start-up; dir is copied.
 */
void		fetch_slots_init(const char *dir, long long n);

/*
 * Takes a free fetch slot: 0 with its fd in *fd (-1 when there is no
 * cap), or -1 when every slot is taken or a lock file cannot be opened
 * (logged).  fetch_slot_give() lets it go.
 */
int		fetch_slot_take(int *fd);

/* Lets a slot of fetch_slot_take() go; -1 is a no-op. */
void		fetch_slot_give(int fd);

/*
 * Fetches url (http or https; at most 3 redirects; 10 s in all, and
 * given up when under 1 KiB/s for 5 s; at most c->max_upload_bytes)
 * while holding a fetch slot, and returns FETCH_OK with the body in
 * *out, of *len bytes, which the caller frees.  No connection is opened
 * to an address fetch_addr_public() refuses unless its address and port
 * are those of a host:port in c->url_upload_allow.  On any other status
 * *out is NULL and why holds a message for the client, which never
 * names an address a name resolved to (the log does).
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
