/*
 * The s3 driver against a real S3 server (Ceph RGW in CI), named by
 * IMGHOST_TEST_S3_{ENDPOINT,BUCKET,ACCESS_KEY,SECRET_KEY,REGION}.
 * Without an endpoint the test is skipped.
 *
 * Failures the server cannot be asked to make (503, refused and hung
 * connections) come from a small TCP proxy in a thread of this program:
 * it spoils the first connections it is told to, then forwards the
 * others byte for byte to the real server.  SigV4 signs the Host header,
 * which is the proxy's on both legs, so forwarded requests stay valid.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* strcasestr() */
#endif

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "s3.h"
#include "store.h"
#include "tap.h"

/* The server under test, from the environment. */
static struct s3_params	 srv;
static char		 prefix[64];	/* unique per run: "t_s3-TIME-PID/" */

/* What the proxy does to the first `spoil` connections. */
enum proxy_spoil {
	PROXY_ANSWER,		/* answer status with an S3 <Error>, close */
	PROXY_HANG,		/* read and never answer */
	PROXY_CUT,		/* forward, but close after `cut` bytes back */
};

struct proxy_plan {
	int		 spoil;		/* connections to spoil */
	enum proxy_spoil how;
	int		 status;	/* PROXY_ANSWER: 503 */
	const char	*code;		/* PROXY_ANSWER: "SlowDown" */
	size_t		 cut;		/* PROXY_CUT */
	int		 delay_ms;	/* before listening at all */
};

struct proxy {
	struct proxy_plan plan;
	int		 lfd;		/* -1 until listening */
	unsigned short	 port;
	struct sockaddr_in upstream;
	int		 stop[2];	/* a pipe: written to stop */
	int		 conns;		/* accepted; read after the join */
	pthread_t	 thread;
};

/* Collects what a store_sink receives. */
struct sink {
	unsigned char		*buf;
	size_t			 len;
	int			 calls;
	int			 stop_after;	/* calls; 0: never stop */
	const struct store_stat	*st;
	int			 st_ready;	/* st was filled at call 1 */
};

static int
sink_collect(void *arg, const void *p, size_t n)
{
	struct sink	*s = arg;
	unsigned char	*b;

	if (s->calls++ == 0)
		s->st_ready = s->st == NULL || s->st->etag[0] != '\0';
	if ((b = realloc(s->buf, s->len + n)) == NULL)
		return 1;
	s->buf = b;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return s->stop_after != 0 && s->calls >= s->stop_after;
}

static void
sink_free(struct sink *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
sleep_ms(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		continue;
}

/* Writes all of buf, or returns -1. */
static int
write_all(int fd, const void *buf, size_t n)
{
	const char	*p = buf;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A TCP socket listening on 127.0.0.1:port (0: any), or -1. */
static int
listen_on(unsigned short port)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 16) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned short
port_of(int fd)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		return 0;
	return ntohs(sin.sin_port);
}

/* A loopback port nothing listens on (right now). */
static unsigned short
closed_port(void)
{
	unsigned short	 port;
	int		 fd;

	if ((fd = listen_on(0)) == -1)
		return 0;
	port = port_of(fd);
	close(fd);
	return port;
}

/* Waits for fd to be readable; 0 when the stop pipe was written. */
static int
wait_readable(const struct proxy *px, int fd)
{
	struct pollfd	 pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = px->stop[0], .events = POLLIN },
	};

	while (poll(pfd, 2, -1) == -1)
		if (errno != EINTR)
			return 0;
	return pfd[1].revents == 0;
}

/* Reads a whole request (headers and Content-Length body) from fd. */
static void
read_request(const struct proxy *px, int fd)
{
	char		 buf[65536], *end, *cl;
	size_t		 have = 0, want = 0;
	ssize_t		 n;

	while (have < sizeof(buf) - 1 && wait_readable(px, fd)) {
		if ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) <= 0)
			return;
		have += (size_t)n;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if (want == 0 && (cl = strcasestr(buf, "\r\nContent-Length:")))
			want = strtoul(cl + 17, NULL, 10);
		if (have - (size_t)(end + 4 - buf) >= want)
			return;
		/* Drop the body read so far; only its length matters. */
		want -= have - (size_t)(end + 4 - buf);
		have = (size_t)(end + 4 - buf);
	}
}

/* Answers a request as S3 would with the plan's status and code. */
static void
spoil_answer(const struct proxy *px, int fd)
{
	char	 body[256], head[256];
	int	 blen, hlen;

	read_request(px, fd);
	blen = snprintf(body, sizeof(body), "<?xml version=\"1.0\" "
	    "encoding=\"UTF-8\"?><Error><Code>%s</Code><Message></Message>"
	    "</Error>", px->plan.code);
	hlen = snprintf(head, sizeof(head), "HTTP/1.1 %d Canned\r\n"
	    "Content-Type: application/xml\r\nContent-Length: %d\r\n"
	    "Connection: close\r\n\r\n", px->plan.status, blen);
	if (blen > 0 && (size_t)blen < sizeof(body) && hlen > 0 &&
	    (size_t)hlen < sizeof(head))
		(void)(write_all(fd, head, (size_t)hlen) == 0 &&
		    write_all(fd, body, (size_t)blen) == 0);
}

/* Reads and discards until the client gives up (or the proxy stops). */
static void
spoil_hang(const struct proxy *px, int fd)
{
	char	 buf[4096];

	while (wait_readable(px, fd) && read(fd, buf, sizeof(buf)) > 0)
		continue;
}

/*
 * Copies what is readable on from to to, at most *left bytes (then
 * subtracted).  Returns -1 at EOF, on error or when *left runs out.
 */
static int
pump_once(int from, int to, size_t *left)
{
	char	 buf[65536];
	ssize_t	 n;
	size_t	 want = sizeof(buf) < *left ? sizeof(buf) : *left;

	if (want == 0 || (n = read(from, buf, want)) <= 0)
		return -1;
	*left -= (size_t)n;
	return write_all(to, buf, (size_t)n);
}

/* Forwards fd to upstream until a side closes, or `back` bytes came back. */
static void
forward(const struct proxy *px, int fd, size_t back)
{
	size_t		 there = SIZE_MAX;
	struct pollfd	 pfd[3];
	int		 up;

	if ((up = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return;
	if (connect(up, (const struct sockaddr *)&px->upstream,
	    sizeof(px->upstream)) == -1) {
		close(up);
		return;
	}
	pfd[0] = (struct pollfd){ .fd = fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = up, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = px->stop[0], .events = POLLIN };
	for (;;) {
		if (poll(pfd, 3, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[2].revents != 0)
			break;
		if (pfd[0].revents != 0 && pump_once(fd, up, &there) == -1)
			break;
		if (pfd[1].revents != 0 && pump_once(up, fd, &back) == -1)
			break;
	}
	close(up);
}

static void *
proxy_main(void *arg)
{
	struct proxy	*px = arg;
	int		 fd;

	if (px->plan.delay_ms > 0) {
		sleep_ms(px->plan.delay_ms);
		if ((px->lfd = listen_on(px->port)) == -1)
			return NULL;
	}
	while (wait_readable(px, px->lfd)) {
		if ((fd = accept(px->lfd, NULL, NULL)) == -1)
			continue;
		if (px->conns++ >= px->plan.spoil)
			forward(px, fd, SIZE_MAX);
		else if (px->plan.how == PROXY_ANSWER)
			spoil_answer(px, fd);
		else if (px->plan.how == PROXY_HANG)
			spoil_hang(px, fd);
		else
			forward(px, fd, px->plan.cut);
		close(fd);
	}
	return NULL;
}

/* Points px->upstream at the host:port of srv.endpoint ("http://..."). */
static int
proxy_upstream(struct proxy *px)
{
	char		 host[64], *colon;
	const char	*p = srv.endpoint + strlen("http://");
	const char	*errstr;

	if (strncmp(srv.endpoint, "http://", 7) != 0 ||
	    strlcpy(host, p, sizeof(host)) >= sizeof(host) ||
	    (colon = strchr(host, ':')) == NULL)
		return -1;
	*colon = '\0';
	colon[strcspn(colon + 1, "/") + 1] = '\0';
	memset(&px->upstream, 0, sizeof(px->upstream));
	px->upstream.sin_family = AF_INET;
	px->upstream.sin_port = htons((unsigned short)strtonum(colon + 1, 1,
	    65535, &errstr));
	if (errstr != NULL ||
	    inet_pton(AF_INET, host, &px->upstream.sin_addr) != 1)
		return -1;
	return 0;
}

/*
 * Starts a proxy thread following plan, listening now or (delay_ms > 0)
 * only that long after this call.
 */
static int
proxy_start(struct proxy *px, const struct proxy_plan *plan)
{
	memset(px, 0, sizeof(*px));
	px->plan = *plan;
	px->lfd = -1;
	if (proxy_upstream(px) == -1 || pipe(px->stop) == -1)
		return -1;
	if (plan->delay_ms > 0)
		px->port = closed_port();
	else if ((px->lfd = listen_on(0)) != -1)
		px->port = port_of(px->lfd);
	if (px->port == 0 ||
	    pthread_create(&px->thread, NULL, proxy_main, px) != 0) {
		close(px->stop[0]);
		close(px->stop[1]);
		if (px->lfd != -1)
			close(px->lfd);
		return -1;
	}
	return 0;
}

/* Stops the proxy; returns how many connections it accepted. */
static int
proxy_stop(struct proxy *px)
{
	(void)write_all(px->stop[1], "x", 1);
	pthread_join(px->thread, NULL);
	close(px->stop[0]);
	close(px->stop[1]);
	if (px->lfd != -1)
		close(px->lfd);
	return px->conns;
}

/* A driver for srv with some settings changed (NULL/-2: unchanged). */
static struct s3 *
open_with(const char *endpoint, const char *bucket, const char *secret,
    int retries, long timeout_ms)
{
	struct s3_params	 p = srv;

	if (endpoint != NULL)
		p.endpoint = endpoint;
	if (bucket != NULL)
		p.bucket = bucket;
	if (secret != NULL)
		p.secret_key = secret;
	if (retries != -2)
		p.retries = retries;
	p.timeout_ms = timeout_ms;
	return s3_open(&p);
}

/* A driver for srv through a server on a loopback port. */
static struct s3 *
via_port(unsigned short port, int retries, long timeout_ms)
{
	char	 url[64];
	int	 len;

	len = snprintf(url, sizeof(url), "http://127.0.0.1:%u", port);
	if (len < 0 || (size_t)len >= sizeof(url))
		return NULL;
	return open_with(url, NULL, NULL, retries, timeout_ms);
}

/* A driver that talks to srv through px. */
static struct s3 *
via(const struct proxy *px, int retries, long timeout_ms)
{
	return via_port(px->port, retries, timeout_ms);
}

static const char *
key(const char *name)
{
	static char	 buf[8][256];
	static int	 i;
	char		*k = buf[i++ % 8];

	if ((size_t)snprintf(k, sizeof(buf[0]), "%s%s", prefix, name) >=
	    sizeof(buf[0]))
		abort();
	return k;
}

/* Whether key holds exactly buf[0..len). */
static int
holds(struct s3 *s3, const char *k, const void *buf, size_t len)
{
	struct store_buf	 b;
	int			 same;

	if (s3_get(s3, k, len + 1, &b) != STORE_OK)
		return 0;
	same = b.len == len && memcmp(b.data, buf, len) == 0;
	store_buf_free(&b);
	return same;
}

static void
t_round_trip(struct s3 *s3, const unsigned char *blob, size_t len)
{
	struct store_buf	 b;
	struct store_stat	 st;
	enum store_status	 rc;

	ok(s3_put(s3, key("blob"), blob, len, "image/jpeg") == STORE_OK,
	    "put %zu bytes", len);
	ok(s3_get(s3, key("blob"), len, &b) == STORE_OK && b.len == len &&
	    memcmp(b.data, blob, len) == 0, "get returns the same bytes");
	store_buf_free(&b);
	memset(&st, 0, sizeof(st));
	rc = s3_head(s3, key("blob"), &st);
	ok(rc == STORE_OK && st.size == (off_t)len && st.etag[0] == '"' &&
	    st.mtime > time(NULL) - 600, "head: size %lld, etag %s, mtime "
	    "%lld", (long long)st.size, st.etag, (long long)st.mtime);
	ok(s3_get(s3, key("blob"), len - 1, &b) == STORE_ERROR &&
	    b.data == NULL && b.len == 0, "get with max < size fails");
	ok(s3_put(s3, key("empty"), NULL, 0, NULL) == STORE_OK &&
	    s3_get(s3, key("empty"), 0, &b) == STORE_OK && b.len == 0 &&
	    b.data != NULL, "an empty blob round-trips");
	store_buf_free(&b);
}

/* Streams [off, off+n) and checks the bytes and the stat. */
static void
t_stream_range(struct s3 *s3, const unsigned char *blob, size_t len,
    off_t off, off_t n)
{
	struct store_stat	 st;
	struct sink		 s = { .st = &st };
	size_t			 want;
	int			 rc;

	want = n == -1 ? len - (size_t)off : (size_t)n;
	memset(&st, 0, sizeof(st));
	rc = s3_stream(s3, key("blob"), off, n, &st, sink_collect, &s);
	ok(rc == STORE_OK && s.len == want &&
	    memcmp(s.buf, blob + off, want) == 0 && s.st_ready &&
	    st.size == (off_t)len,
	    "stream %lld+%lld: %zu bytes in %d calls, stat first", (long long)off,
	    (long long)n, s.len, s.calls);
	sink_free(&s);
}

static void
t_stream(struct s3 *s3, const unsigned char *blob, size_t len)
{
	struct sink	 s = { .stop_after = 1 };

	t_stream_range(s3, blob, len, 0, -1);
	t_stream_range(s3, blob, len, 1000, 5000);
	t_stream_range(s3, blob, len, (off_t)len - 10, -1);
	t_stream_range(s3, blob, len, 0, 1);
	ok(s3_stream(s3, key("blob"), 0, -1, NULL, sink_collect, &s) ==
	    STORE_ERROR && s.calls == 1, "a sink that says stop stops it");
	sink_free(&s);
}

static void
t_overwrite(struct s3 *s3)
{
	ok(s3_put(s3, key("over"), "first", 5, "text/plain") == STORE_OK &&
	    s3_put(s3, key("over"), "second!", 7, "text/plain") == STORE_OK &&
	    holds(s3, key("over"), "second!", 7), "the second put wins");
}

static void
t_missing(struct s3 *s3)
{
	struct store_buf	 b;
	struct store_stat	 st;
	struct sink		 s = { 0 };

	ok(s3_get(s3, key("nope"), 100, &b) == STORE_NOT_FOUND &&
	    strcmp(s3_last_error(s3), "NoSuchKey") == 0,
	    "get of a missing key: not found, %s", s3_last_error(s3));
	ok(s3_head(s3, key("nope"), &st) == STORE_NOT_FOUND,
	    "head of a missing key: not found");
	ok(s3_stream(s3, key("nope"), 0, -1, &st, sink_collect, &s) ==
	    STORE_NOT_FOUND && s.calls == 0,
	    "stream of a missing key: not found, sink never called");
	sink_free(&s);
	ok(s3_stream(s3, key("nope"), 10, 20, &st, sink_collect, &s) ==
	    STORE_NOT_FOUND && s.calls == 0,
	    "ranged stream of a missing key: not found, sink never called");
	sink_free(&s);
}

static void
t_delete(struct s3 *s3)
{
	struct store_buf	 b;

	ok(s3_put(s3, key("gone"), "x", 1, NULL) == STORE_OK &&
	    s3_delete(s3, key("gone")) == STORE_OK &&
	    s3_get(s3, key("gone"), 10, &b) == STORE_NOT_FOUND,
	    "delete, then get: not found");
	ok(s3_delete(s3, key("never-was")) == STORE_OK,
	    "delete of a missing key: ok");
}

/* Keys whose bytes need percent-encoding, each with its own content. */
static void
t_encoding(struct s3 *s3)
{
	static const char	*names[] = {
		"a b+c/\xc3\xbc.jpg", "x~y=z&q?r#s%t.png", "semi;colon,comma",
		"quote\"apos'paren()star*", "dir/./dot/../x", "tab\tnl.gif",
		"plus+plus", "%41%2F.webp",
	};
	size_t			 i;
	int			 good;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		good = s3_put(s3, key(names[i]), names[i], strlen(names[i]),
		    NULL) == STORE_OK &&
		    holds(s3, key(names[i]), names[i], strlen(names[i]));
		ok(good && s3_delete(s3, key(names[i])) == STORE_OK,
		    "key \"%s\" round-trips", names[i]);
	}
}

static void
t_denied(void)
{
	struct s3		*bad = open_with(NULL, NULL, "wrong-secret", -2, 0);
	struct s3		*nob = open_with(NULL, "no-such-bucket-t-s3",
				    NULL, -2, 0);
	struct store_buf	 b;

	ok(bad != NULL && s3_put(bad, key("denied"), "x", 1, NULL) ==
	    STORE_DENIED && strcmp(s3_last_error(bad),
	    "SignatureDoesNotMatch") == 0, "put with a wrong secret: "
	    "denied, %s", bad != NULL ? s3_last_error(bad) : "-");
	/* RGW leaves the refused PUT's body unread on the connection. */
	ok(bad != NULL && s3_get(bad, key("blob"), 1 << 20, &b) ==
	    STORE_DENIED && strcmp(s3_last_error(bad),
	    "SignatureDoesNotMatch") == 0, "then a get on the same handle: "
	    "denied, %s", bad != NULL ? s3_last_error(bad) : "-");
	ok(bad != NULL && s3_ping(bad) == STORE_DENIED,
	    "ping with a wrong secret: denied");
	ok(nob != NULL && s3_ping(nob) == STORE_ERROR &&
	    strcmp(s3_last_error(nob), "NoSuchBucket") == 0,
	    "ping of a missing bucket: error, NoSuchBucket");
	s3_free(bad);
	s3_free(nob);
}

static void
t_unreachable(void)
{
	struct s3	*s3;
	long		 t0;
	int		 rc;

	s3 = via_port(closed_port(), 2, 0);
	t0 = now_ms();
	rc = s3 != NULL ? (int)s3_put(s3, key("nowhere"), "x", 1, NULL) : -1;
	ok(rc == STORE_UNAVAILABLE, "nothing listening: unavailable after "
	    "3 attempts (%ld ms)", now_ms() - t0);
	ok(s3 != NULL && s3_ping(s3) == STORE_UNAVAILABLE,
	    "ping with nothing listening: unavailable");
	s3_free(s3);
}

/* Several requests on one driver share one kept-alive connection. */
static void
t_reuse(const unsigned char *blob, size_t len)
{
	static const struct proxy_plan plan = { 0 };
	struct proxy		 px;
	struct s3		*s3 = NULL;
	struct store_stat	 st;
	struct sink		 s = { 0 };
	int			 good = 0, conns = -1;

	if (proxy_start(&px, &plan) == 0) {
		s3 = via(&px, -1, 0);
		good = s3 != NULL &&
		    s3_put(s3, key("reuse"), blob, len, NULL) == STORE_OK &&
		    holds(s3, key("reuse"), blob, len) &&
		    s3_head(s3, key("reuse"), &st) == STORE_OK &&
		    s3_head(s3, key("nope"), &st) == STORE_NOT_FOUND &&
		    s3_stream(s3, key("reuse"), 5, 10, NULL, sink_collect,
		    &s) == STORE_OK && s3_ping(s3) == STORE_OK &&
		    s3_delete(s3, key("reuse")) == STORE_OK;
		s3_free(s3);
		conns = proxy_stop(&px);
	}
	ok(good && conns == 1, "7 requests, %d connection(s)", conns);
	sink_free(&s);
}

/* A put through a proxy whose first connection answers 503 SlowDown. */
static void
t_retry_503(struct s3 *s3, const unsigned char *blob, size_t len)
{
	static const struct proxy_plan plan = { 1, PROXY_ANSWER, 503,
		"SlowDown", 0, 0 };
	struct proxy	 px;
	struct sink	 s = { 0 };
	struct s3	*s3v;
	int		 rc = -1, rc2 = -1, conns = -1, conns2 = -1;

	if (proxy_start(&px, &plan) == 0) {
		s3v = via(&px, -1, 0);
		rc = s3v != NULL ? (int)s3_put(s3v, key("retried"), blob, len,
		    "image/png") : -1;
		s3_free(s3v);
		conns = proxy_stop(&px);
	}
	ok(rc == STORE_OK && conns >= 2, "put through a 503 retried: ok "
	    "(%d connections)", conns);
	ok(holds(s3, key("retried"), blob, len), "and the bytes landed");

	if (proxy_start(&px, &plan) == 0) {
		s3v = via(&px, -1, 0);
		rc2 = s3v != NULL ? (int)s3_stream(s3v, key("retried"), 0, -1,
		    NULL, sink_collect, &s) : -1;
		s3_free(s3v);
		conns2 = proxy_stop(&px);
	}
	ok(rc2 == STORE_OK && conns2 == 2 && s.len == len &&
	    memcmp(s.buf, blob, len) == 0,
	    "stream through a 503 retried: the sink saw only the blob");
	sink_free(&s);
}

/* What canned answers come to, and how many connections they take. */
static void
t_answers(void)
{
	static const struct {
		int		 status;
		const char	*code;
		int		 spoil;
		int		 rc;
		int		 conns;
	} t[] = {
		{ 500, "InternalError", 1, STORE_OK, 2 },
		{ 503, "SlowDown", 9, STORE_UNAVAILABLE, 3 },
		{ 403, "AccessDenied", 9, STORE_DENIED, 1 },
		{ 400, "InvalidArgument", 9, STORE_ERROR, 1 },
		{ 404, "NoSuchBucket", 9, STORE_ERROR, 1 },
		{ 502, "BadGateway", 9, STORE_UNAVAILABLE, 1 },
	};
	struct proxy_plan	 plan = { 0 };
	struct proxy		 px;
	struct s3		*s3v;
	size_t			 i;
	int			 rc, conns;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		plan.spoil = t[i].spoil;
		plan.how = PROXY_ANSWER;
		plan.status = t[i].status;
		plan.code = t[i].code;
		rc = conns = -1;
		if (proxy_start(&px, &plan) == 0) {
			s3v = via(&px, 2, 0);
			rc = s3v != NULL ? (int)s3_put(s3v, key("answer"),
			    "abc", 3, NULL) : -1;
			if (rc != STORE_OK && (s3v == NULL ||
			    strcmp(s3_last_error(s3v), t[i].code) != 0))
				rc = -2;
			s3_free(s3v);
			conns = proxy_stop(&px);
		}
		ok(rc == t[i].rc && conns == t[i].conns,
		    "%d %s first: %s after %d connection(s)", t[i].status,
		    t[i].code, rc < 0 ? "?" : store_status_str(rc), conns);
	}
}

/*
 * A response cut in the middle: a get into memory starts again, a
 * stream whose sink already has bytes does not.
 */
static void
t_cut(const unsigned char *blob, size_t len)
{
	static const struct proxy_plan plan = { 1, PROXY_CUT, 0, NULL,
		20000, 0 };
	struct proxy	 px;
	struct sink	 s = { 0 };
	struct s3	*s3v;
	int		 got = 0, rc = -1, conns = -1;

	if (proxy_start(&px, &plan) == 0) {
		s3v = via(&px, -1, 0);
		got = s3v != NULL && holds(s3v, key("blob"), blob, len);
		s3_free(s3v);
		conns = proxy_stop(&px);
	}
	ok(got && conns == 2, "get of a cut response retried: ok "
	    "(%d connections)", conns);
	if (proxy_start(&px, &plan) == 0) {
		s3v = via(&px, -1, 0);
		rc = s3v != NULL ? (int)s3_stream(s3v, key("blob"), 0, -1,
		    NULL, sink_collect, &s) : -1;
		s3_free(s3v);
		conns = proxy_stop(&px);
	}
	ok(rc == STORE_UNAVAILABLE && conns == 1 && s.len > 0 && s.len < len &&
	    memcmp(s.buf, blob, s.len) == 0, "stream of a cut response: "
	    "unavailable, not retried, %zu good bytes sunk", s.len);
	sink_free(&s);
}

/* Nothing listens until ~150 ms after the request starts. */
static void
t_briefly_down(void)
{
	static const struct proxy_plan plan = { .delay_ms = 150 };
	struct proxy	 px;
	struct s3	*s3v;
	long		 t0 = now_ms();
	int		 rc = -1, conns = -1;

	if (proxy_start(&px, &plan) == 0) {
		/* Enough retries that the jittered waits outlast 150 ms. */
		s3v = via(&px, 10, 0);
		rc = s3v != NULL ? (int)s3_put(s3v, key("late"), "late", 4,
		    NULL) : -1;
		s3_free(s3v);
		conns = proxy_stop(&px);
	}
	ok(rc == STORE_OK && conns == 1, "server up after %ld ms: put ok",
	    now_ms() - t0);
}

/* A server that accepts and never answers: the per-attempt timeout. */
static void
t_hung(void)
{
	static const struct proxy_plan plan = { 100, PROXY_HANG, 0, NULL,
		0, 0 };
	struct proxy	 px;
	struct s3	*s3v;
	int		 rc = -1, conns = -1;

	if (proxy_start(&px, &plan) == 0) {
		s3v = via(&px, 1, 300);
		rc = s3v != NULL ? (int)s3_head(s3v, key("blob"), NULL) : -1;
		s3_free(s3v);
		conns = proxy_stop(&px);
	}
	ok(rc == STORE_UNAVAILABLE && conns == 2,
	    "a hung server: unavailable after 2 timed-out attempts (%d)",
	    conns);
}

/* What a listing saw. */
struct seen {
	int	 n, pages, stop_after, found_amp, found_ctl;
	off_t	 bytes;
	time_t	 oldest;
};

static int
seen_page(void *arg, const struct store_entry *e, size_t n)
{
	struct seen	*s = arg;
	size_t		 i;

	s->pages++;
	for (i = 0; i < n; i++, s->n++) {
		s->bytes += e[i].size;
		if (s->oldest == 0 || e[i].mtime < s->oldest)
			s->oldest = e[i].mtime;
		s->found_amp += strcmp(e[i].key, key("list/a&b<c>'d\".txt")) == 0;
		s->found_ctl += strcmp(e[i].key, key("list/ctl\001+ \r")) == 0;
	}
	return s->stop_after != 0 && s->pages >= s->stop_after;
}

static enum store_status
list(struct s3 *s3, const char *under, struct seen *s, int stop)
{
	char	 p[128];

	/* key()'s buffers are reused by seen_page(): keep a copy. */
	strlcpy(p, under, sizeof(p));
	memset(s, 0, sizeof(*s));
	s->stop_after = stop;
	return s3_list(s3, p, seen_page, s);
}

static void
t_list(struct s3 *s3)
{
	struct seen		 s;
	enum store_status	 rc;
	char			 name[32];
	int			 i, good;

	good = s3_put(s3, key("list/a&b<c>'d\".txt"), "abc", 3, NULL) ==
	    STORE_OK && s3_put(s3, key("list/plain"), "12345", 5, NULL) ==
	    STORE_OK && s3_put(s3, key("listx"), "1", 1, NULL) == STORE_OK &&
	    s3_put(s3, key("list/ctl\001+ \r"), "12", 2, NULL) == STORE_OK;
	rc = list(s3, key("list/"), &s, 0);
	ok(good && rc == STORE_OK && s.n == 3 && s.bytes == 10 &&
	    s.found_amp == 1 && s.found_ctl == 1 &&
	    s.oldest > time(NULL) - 600, "list a prefix: %d keys, %lld bytes, "
	    "XML entities and a control byte decoded", s.n,
	    (long long)s.bytes);
	rc = list(s3, key("nothing-here/"), &s, 0);
	ok(rc == STORE_OK && s.n == 0 && s.pages == 0,
	    "an empty listing calls nothing");
	for (i = 0; i < STORE_LIST_PAGE + 3 && good; i++) {
		snprintf(name, sizeof(name), "pages/%04d", i);
		good = s3_put(s3, key(name), "x", 1, NULL) == STORE_OK;
	}
	rc = list(s3, key("pages/"), &s, 0);
	ok(good && rc == STORE_OK && s.n == STORE_LIST_PAGE + 3 &&
	    s.pages == 2, "%d keys in %d pages (continuation token)", s.n,
	    s.pages);
	rc = list(s3, key("pages/"), &s, 1);
	ok(rc == STORE_ERROR && s.pages == 1,
	    "a callback that says stop stops the listing");
	for (i = 0; i < STORE_LIST_PAGE + 3 && good; i++) {
		snprintf(name, sizeof(name), "pages/%04d", i);
		good = s3_delete(s3, key(name)) == STORE_OK;
	}
	good = good && s3_delete(s3, key("list/a&b<c>'d\".txt")) ==
	    STORE_OK && s3_delete(s3, key("list/plain")) == STORE_OK &&
	    s3_delete(s3, key("list/ctl\001+ \r")) == STORE_OK &&
	    s3_delete(s3, key("listx")) == STORE_OK;
	rc = list(s3, key(""), &s, 0);
	ok(good && rc == STORE_OK, "deleted, the listing has %d keys left "
	    "of this run", s.n);
}

static void
t_cleanup(struct s3 *s3)
{
	static const char	*names[] = { "blob", "empty", "over", "retried",
		"late", "answer" };
	size_t			 i;
	int			 good = 1;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		good &= s3_delete(s3, key(names[i])) == STORE_OK;
	ok(good, "clean up");
}

int
main(void)
{
	struct s3	*s3;
	unsigned char	*blob;
	size_t		 len = 300000;	/* several reads, several reallocs */

	log_init("t_s3");
	if ((srv.endpoint = getenv("IMGHOST_TEST_S3_ENDPOINT")) == NULL) {
		puts("1..0 # SKIP no S3 server (IMGHOST_TEST_S3_ENDPOINT unset)");
		return 0;
	}
	srv.bucket = getenv("IMGHOST_TEST_S3_BUCKET");
	srv.access_key = getenv("IMGHOST_TEST_S3_ACCESS_KEY");
	srv.secret_key = getenv("IMGHOST_TEST_S3_SECRET_KEY");
	srv.region = getenv("IMGHOST_TEST_S3_REGION");
	srv.retries = -1;
	if ((size_t)snprintf(prefix, sizeof(prefix), "t_s3-%lld-%d/",
	    (long long)time(NULL), (int)getpid()) >= sizeof(prefix))
		return 1;

	if ((blob = malloc(len)) == NULL)
		return 1;
	arc4random_buf(blob, len);
	s3 = s3_open(&srv);
	if (!ok(s3 != NULL && s3_ping(s3) == STORE_OK, "ping %s/%s",
	    srv.endpoint, srv.bucket != NULL ? srv.bucket : "(no bucket)")) {
		s3_free(s3);
		free(blob);
		return tap_done();
	}
	t_round_trip(s3, blob, len);
	t_stream(s3, blob, len);
	t_overwrite(s3);
	t_missing(s3);
	t_delete(s3);
	t_encoding(s3);
	t_list(s3);
	t_denied();
	t_unreachable();
	t_reuse(blob, len);
	t_retry_503(s3, blob, len);
	t_answers();
	t_cut(blob, len);
	t_briefly_down();
	t_hung();
	t_cleanup(s3);
	s3_free(s3);
	free(blob);
	return tap_done();
}
