/*
 * Uploads by URL.  libcurl resolves the name and follows redirects, but
 * every socket it opens goes through fetch_opensocket(), which sees the
 * address really connected to, after any resolution and at every
 * redirect, and refuses internal ones.  So neither a DNS name pointing
 * inwards, nor one that changes its answer between two look-ups, nor a
 * redirect to [::1] gets through.  Proxies from the environment are off:
 * a proxy would be the only address the check ever saw.
 *
 * A fetch holds its FastCGI process until it ends, so a remote that
 * answers slowly must not hold many of them: a fetch ends after 10 s in
 * all, or after 5 s under 1 KiB/s, and it runs only while it holds one
 * of url_upload_concurrency slots shared by the node's processes (lock
 * files beside their sockets); past them the upload is refused at once,
 * 503 with Retry-After, and the other processes keep serving.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "conf.h"
#include "fetch.h"
#include "form.h"
#include "log.h"
#include "slot.h"

#define FETCH_REDIRS		3
#define FETCH_TIMEOUT_MS	10000L
#define FETCH_CONNECT_MS	5000L
#define FETCH_LOW_SPEED		1024L	/* bytes/s, at least ... */
#define FETCH_LOW_SPEED_S	5L	/* ... over any such stretch */
#define FETCH_SLOT_FILE		"imghost-fcgi.fetch"
#define FETCH_ALLOW_MAX		32	/* addresses the allow list gives */
#define FETCH_URL_MAX		8192

/* One address and port that url_upload_allow exempts. */
struct fetch_allow {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};

/* What one fetch_url() call keeps between libcurl's callbacks. */
struct fetch_ctx {
	struct fetch_allow	 allow[FETCH_ALLOW_MAX];
	size_t			 nallow;
	unsigned char		*buf;
	size_t			 len;
	size_t			 cap;
	size_t			 max;
	int			 refused;	/* an internal address was refused */
	int			 too_large;
	int			 nomem;
	char			 addr[INET6_ADDRSTRLEN];  /* the one refused */
};

static int	fetch_curl_initialised;
static struct slots	 fetch_slots;

void
fetch_slots_init(const char *dir, long long n)
{
	slots_init(&fetch_slots, dir, FETCH_SLOT_FILE, n);
}

int
fetch_slot_take(int *fd)
{
	return slot_take(&fetch_slots, fd);
}

void
fetch_slot_give(int fd)
{
	slot_give(fd);
}

/* 1 when the top bits of a (n bytes) equal those of prefix. */
static int
fetch_prefix(const unsigned char *a, const unsigned char *prefix, int bits)
{
	int	 whole = bits / 8, rest = bits % 8;

	if (memcmp(a, prefix, whole) != 0)
		return 0;
	return rest == 0 ||
	    ((a[whole] ^ prefix[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static int
fetch_v4_public(const unsigned char *a)
{
	/* IANA's special-purpose registry, less what is global. */
	static const struct {
		unsigned char	 net[4];
		int		 bits;
	} deny[] = {
		{ { 0, 0, 0, 0 }, 8 },		/* "this network", 0.0.0.0 */
		{ { 10, 0, 0, 0 }, 8 },		/* private */
		{ { 100, 64, 0, 0 }, 10 },	/* shared address space, CGNAT */
		{ { 127, 0, 0, 0 }, 8 },	/* loopback */
		{ { 169, 254, 0, 0 }, 16 },	/* link-local, metadata service */
		{ { 172, 16, 0, 0 }, 12 },	/* private */
		{ { 192, 0, 0, 0 }, 24 },	/* IETF protocol assignments */
		{ { 192, 0, 2, 0 }, 24 },	/* documentation */
		{ { 192, 88, 99, 0 }, 24 },	/* 6to4 relay anycast */
		{ { 192, 168, 0, 0 }, 16 },	/* private */
		{ { 198, 18, 0, 0 }, 15 },	/* benchmarking */
		{ { 198, 51, 100, 0 }, 24 },	/* documentation */
		{ { 203, 0, 113, 0 }, 24 },	/* documentation */
		{ { 224, 0, 0, 0 }, 4 },	/* multicast */
		{ { 240, 0, 0, 0 }, 4 },	/* reserved, broadcast */
	};
	size_t	 i;

	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if (fetch_prefix(a, deny[i].net, deny[i].bits))
			return 0;
	return 1;
}

static int
fetch_v6_public(const unsigned char *a)
{
	static const unsigned char mapped[12] =
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char translated[12] =
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0 };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	static const unsigned char sixtofour[2] = { 0x20, 0x02 };
	static const struct {
		unsigned char	 net[16];
		int		 bits;
	} deny[] = {
		{ { 0x20, 0x01 }, 23 },		/* IETF protocol assignments,
						   Teredo, ORCHID */
		{ { 0x20, 0x01, 0x0d, 0xb8 }, 32 },	/* documentation */
		{ { 0x3f, 0xff }, 20 },		/* documentation */
	};
	size_t	 i;

	/* The forms that carry an IPv4 address are judged by it. */
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, translated, 12) == 0 ||
	    memcmp(a, nat64, 12) == 0)
		return fetch_v4_public(a + 12);
	if (memcmp(a, sixtofour, 2) == 0)
		return fetch_v4_public(a + 2);
	/*
	 * Only 2000::/3 is global unicast: this refuses ::, ::1, the
	 * IPv4-compatible ::/96, 64:ff9b:1::/48, 100::/64, fc00::/7 (ULA),
	 * fe80::/10, fec0::/10 and ff00::/8 (multicast) at once.
	 */
	if ((a[0] & 0xe0) != 0x20)
		return 0;
	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if (fetch_prefix(a, deny[i].net, deny[i].bits))
			return 0;
	return 1;
}

int
fetch_addr_public(const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_in	*s4 = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*s6 = (const struct sockaddr_in6 *)sa;

	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(*s4))
		return fetch_v4_public((const unsigned char *)&s4->sin_addr);
	if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(*s6))
		return fetch_v6_public(s6->sin6_addr.s6_addr);
	return 0;
}

/* 1 when sa has the address and port of an allow list entry. */
static int
fetch_allowed(const struct fetch_ctx *x, const struct sockaddr *sa)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;
	size_t				 i;

	for (i = 0; i < x->nallow; i++) {
		if (x->allow[i].ss.ss_family != sa->sa_family)
			continue;
		if (sa->sa_family == AF_INET) {
			a4 = (const struct sockaddr_in *)&x->allow[i].ss;
			b4 = (const struct sockaddr_in *)sa;
			if (a4->sin_port == b4->sin_port &&
			    a4->sin_addr.s_addr == b4->sin_addr.s_addr)
				return 1;
		} else if (sa->sa_family == AF_INET6) {
			a6 = (const struct sockaddr_in6 *)&x->allow[i].ss;
			b6 = (const struct sockaddr_in6 *)sa;
			if (a6->sin6_port == b6->sin6_port &&
			    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0)
				return 1;
		}
	}
	return 0;
}

/* Adds the addresses host:port resolves to. */
static void
fetch_allow_add(struct fetch_ctx *x, const char *host, const char *port)
{
	struct addrinfo		 hints, *res, *ai;
	int			 rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		log_warnx("url_upload_allow: %s:%s: %s", host, port,
		    gai_strerror(rc));
		return;
	}
	for (ai = res; ai != NULL && x->nallow < FETCH_ALLOW_MAX;
	    ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(x->allow[0].ss))
			continue;
		memcpy(&x->allow[x->nallow].ss, ai->ai_addr, ai->ai_addrlen);
		x->allow[x->nallow++].len = ai->ai_addrlen;
	}
	freeaddrinfo(res);
}

/*
 * Resolves the entries of url_upload_allow, "host:port" or "[v6]:port",
 * separated by spaces or commas, now: what a name means at the time of
 * the fetch is what is exempt.
 */
static void
fetch_allow_load(struct fetch_ctx *x, const char *list)
{
	char	*copy, *tok, *rest, *host, *port;

	if (list == NULL || (copy = strdup(list)) == NULL)
		return;
	for (rest = copy; (tok = strsep(&rest, " ,\t")) != NULL;) {
		if (*tok == '\0')
			continue;
		host = tok;
		if (*tok == '[' && (port = strstr(tok, "]:")) != NULL) {
			host++;
			*port = '\0';
			port += 2;
		} else if ((port = strrchr(tok, ':')) != NULL)
			*port++ = '\0';
		else
			continue;
		fetch_allow_add(x, host, port);
	}
	free(copy);
}

static void
fetch_addr_string(const struct sockaddr *sa, char *buf, size_t sz)
{
	const void	*a;

	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	else {
		strlcpy(buf, "?", sz);
		return;
	}
	if (inet_ntop(sa->sa_family, a, buf, sz) == NULL)
		strlcpy(buf, "?", sz);
}

/* libcurl opens every connection here, the first and each redirect's. */
static curl_socket_t
fetch_opensocket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch_ctx	*x = arg;

	if (purpose != CURLSOCKTYPE_IPCXN ||
	    (!fetch_addr_public(&a->addr, a->addrlen) &&
	    !fetch_allowed(x, &a->addr))) {
		x->refused = 1;
		fetch_addr_string(&a->addr, x->addr, sizeof(x->addr));
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* The body, kept up to the limit; over it, 0 makes libcurl stop. */
static size_t
fetch_write(char *p, size_t size, size_t n, void *arg)
{
	struct fetch_ctx	*x = arg;
	unsigned char		*nb;
	size_t			 cap;

	/* libcurl documents size as always 1. */
	if (size != 1 || n > x->max - x->len) {
		x->too_large = 1;
		return 0;
	}
	if (x->len + n > x->cap) {
		cap = x->cap == 0 ? 64 * 1024 : x->cap;
		while (cap < x->len + n)
			cap *= 2;
		if (cap > x->max)
			cap = x->max;
		if ((nb = realloc(x->buf, cap)) == NULL) {
			x->nomem = 1;
			return 0;
		}
		x->buf = nb;
		x->cap = cap;
	}
	memcpy(x->buf + x->len, p, n);
	x->len += n;
	return n;
}

/* -1 with why set unless url is a well-formed http(s) URL. */
static int
fetch_check_url(const char *url, char *why, size_t whysz)
{
	CURLU	*u;
	char	*scheme = NULL;
	int	 rc = -1;

	if (strlen(url) > FETCH_URL_MAX) {
		strlcpy(why, "the url is too long", whysz);
		return -1;
	}
	if ((u = curl_url()) == NULL) {
		strlcpy(why, "out of memory", whysz);
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		strlcpy(why, "the url is malformed", whysz);
	else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		strlcpy(why, "only http and https urls are fetched", whysz);
	else
		rc = 0;
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

/*
 * url as the log may show it: without a user, password or query, where
 * a secret of the uploader's would be.
 */
static void
fetch_url_for_log(const char *url, char *buf, size_t sz)
{
	CURLU	*u;
	char	*s = NULL;

	strlcpy(buf, "(malformed)", sz);
	if ((u = curl_url()) == NULL)
		return;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_QUERY, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
		strlcpy(buf, s, sz);
	curl_free(s);
	curl_url_cleanup(u);
}

static int
fetch_setopts(CURL *h, const char *url, struct fetch_ctx *x)
{
	CURLcode	 rc = CURLE_OK;

#define SET(opt, val) \
	do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, (long)FETCH_REDIRS);
	SET(CURLOPT_TIMEOUT_MS, FETCH_TIMEOUT_MS);
	SET(CURLOPT_CONNECTTIMEOUT_MS, FETCH_CONNECT_MS);
	SET(CURLOPT_LOW_SPEED_LIMIT, FETCH_LOW_SPEED);
	SET(CURLOPT_LOW_SPEED_TIME, FETCH_LOW_SPEED_S);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_OPENSOCKETFUNCTION, fetch_opensocket);
	SET(CURLOPT_OPENSOCKETDATA, x);
	SET(CURLOPT_WRITEFUNCTION, fetch_write);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max);
	SET(CURLOPT_USERAGENT, "imghost");
#undef SET
	return rc == CURLE_OK ? 0 : -1;
}

/*
 * libcurl says CURLE_OPERATION_TIMEDOUT both for the whole fetch's limit
 * and for the minimum rate; the time taken tells which.
 */
static void
fetch_timed_out(CURL *h, char *why, size_t whysz)
{
	curl_off_t	 us = 0;

	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &us);
	if (us >= (FETCH_TIMEOUT_MS - 500) * 1000)
		snprintf(why, whysz, "the fetch took over %ld s",
		    FETCH_TIMEOUT_MS / 1000);
	else
		snprintf(why, whysz, "the server sent under %ld bytes/s "
		    "for %ld s", FETCH_LOW_SPEED, FETCH_LOW_SPEED_S);
}

/* Turns what libcurl and the callbacks said into a status and message. */
static enum fetch_status
fetch_result(CURL *h, CURLcode rc, const struct fetch_ctx *x, char *why,
    size_t whysz)
{
	long	 code = 0;

	if (x->nomem) {
		strlcpy(why, "out of memory", whysz);
		return FETCH_NOMEM;
	}
	if (x->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
		strlcpy(why, "the image is over the size limit", whysz);
		return FETCH_TOO_LARGE;
	}
	/*
	 * Without the address: what a name resolves to inside the network
	 * is not the client's to learn.  fetch_url() logs it.
	 */
	if (rc != CURLE_OK && x->refused) {
		strlcpy(why, "the url leads to an internal address", whysz);
		return FETCH_BAD_URL;
	}
	switch (rc) {
	case CURLE_OK:
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		strlcpy(why, "only http and https urls are fetched", whysz);
		return FETCH_BAD_URL;
	case CURLE_TOO_MANY_REDIRECTS:
		snprintf(why, whysz, "more than %d redirects", FETCH_REDIRS);
		return FETCH_BAD_URL;
	case CURLE_OPERATION_TIMEDOUT:
		fetch_timed_out(h, why, whysz);
		return FETCH_FAILED;
	default:
		snprintf(why, whysz, "the fetch failed: %s",
		    curl_easy_strerror(rc));
		return FETCH_FAILED;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299) {
		snprintf(why, whysz, "the server answered %ld", code);
		return FETCH_FAILED;
	}
	return FETCH_OK;
}

enum fetch_status
fetch_url(const char *url, const struct conf *c, unsigned char **out,
    size_t *len, char *why, size_t whysz)
{
	struct fetch_ctx	*x;
	enum fetch_status	 st = FETCH_NOMEM;
	CURL			*h = NULL;
	CURLcode		 rc;
	char			 shown[512];
	int			 slot = -1;

	*out = NULL;
	*len = 0;
	strlcpy(why, "out of memory", whysz);
	if (fetch_check_url(url, why, whysz) == -1)
		return FETCH_BAD_URL;
	if (!fetch_curl_initialised) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return FETCH_NOMEM;
		fetch_curl_initialised = 1;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return FETCH_NOMEM;
	fetch_url_for_log(url, shown, sizeof(shown));
	if (fetch_slot_take(&slot) == -1) {
		snprintf(why, whysz, "this server fetches %lld urls at once "
		    "and all are taken; try again shortly", fetch_slots.n);
		log_info("fetch %s: refused: every slot is taken", shown);
		st = FETCH_BUSY;
		goto done;
	}
	x->max = c->max_upload_bytes;
	fetch_allow_load(x, c->url_upload_allow);
	if ((h = curl_easy_init()) == NULL || fetch_setopts(h, url, x) == -1)
		goto done;
	rc = curl_easy_perform(h);
	if ((st = fetch_result(h, rc, x, why, whysz)) == FETCH_OK) {
		*out = x->buf;
		*len = x->len;
		x->buf = NULL;
	}
	if (x->refused)
		log_info("fetch %s: %s (%s)", shown, why, x->addr);
	else
		log_info("fetch %s: %s", shown, st == FETCH_OK ? "ok" : why);
done:
	fetch_slot_give(slot);
	curl_easy_cleanup(h);
	free(x->buf);
	free(x);
	return st;
}

/* "application/json; charset=utf-8" is of type "application/json". */
static int
fetch_type_is(const char *type, const char *want)
{
	size_t	 n = strlen(want);

	return strncasecmp(type, want, n) == 0 &&
	    (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

/* The first "url=" of an application/x-www-form-urlencoded body. */
static int
fetch_form_url(const unsigned char *p, size_t n, char **url)
{
	const unsigned char	*amp, *end = p + n;

	while (p < end) {
		if ((amp = memchr(p, '&', end - p)) == NULL)
			amp = end;
		if (amp - p >= 4 && memcmp(p, "url=", 4) == 0) {
			if (amp - p - 4 > FETCH_URL_MAX)
				return -1;
			*url = form_decode((const char *)p + 4, amp - p - 4);
			return *url == NULL ? -1 : 1;
		}
		p = amp + 1;
	}
	return -1;
}

static int
fetch_json_url(const unsigned char *p, size_t n, char **url)
{
	json_t		*root, *v;
	json_error_t	 err;
	const char	*s;
	int		 rc = -1;

	if ((root = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES,
	    &err)) == NULL)
		return -1;
	if ((v = json_object_get(root, "url")) != NULL && json_is_string(v) &&
	    (s = json_string_value(v)) != NULL &&
	    strlen(s) == json_string_length(v) && strlen(s) <= FETCH_URL_MAX &&
	    (*url = strdup(s)) != NULL)
		rc = 1;
	json_decref(root);
	return rc;
}

int
fetch_body_url(const char *type, const unsigned char *body, size_t len,
    char **url)
{
	*url = NULL;
	if (type == NULL)
		return 0;
	if (fetch_type_is(type, "application/json"))
		return fetch_json_url(body, len, url);
	if (fetch_type_is(type, "application/x-www-form-urlencoded"))
		return fetch_form_url(body, len, url);
	return 0;
}
