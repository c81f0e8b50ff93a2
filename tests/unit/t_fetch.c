/*
 * fetch: the address check on a table of IPv4 and IPv6 addresses; the
 * url and body checks; fetch_url() refusing internal addresses before
 * a socket exists, so nothing here sends a packet anywhere, and without
 * naming them; and the node's fetch slots.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fetch.h"
#include "tap.h"

static const struct {
	const char	*addr;
	int		 public;
} addrs[] = {
	/* IPv4 */
	{ "8.8.8.8", 1 },
	{ "1.1.1.1", 1 },
	{ "93.184.216.34", 1 },
	{ "100.63.255.255", 1 },
	{ "100.128.0.0", 1 },
	{ "172.15.255.255", 1 },
	{ "172.32.0.0", 1 },
	{ "192.169.0.1", 1 },
	{ "223.255.255.255", 1 },
	{ "0.0.0.0", 0 },
	{ "0.1.2.3", 0 },
	{ "10.0.0.1", 0 },
	{ "10.255.255.255", 0 },
	{ "100.64.0.1", 0 },
	{ "100.127.255.254", 0 },
	{ "127.0.0.1", 0 },
	{ "127.255.255.254", 0 },
	{ "169.254.169.254", 0 },
	{ "169.254.0.1", 0 },
	{ "172.16.0.1", 0 },
	{ "172.31.255.255", 0 },
	{ "192.0.0.8", 0 },
	{ "192.0.2.1", 0 },
	{ "192.88.99.1", 0 },
	{ "192.168.1.1", 0 },
	{ "198.18.0.1", 0 },
	{ "198.19.255.255", 0 },
	{ "198.51.100.7", 0 },
	{ "203.0.113.9", 0 },
	{ "224.0.0.1", 0 },
	{ "239.255.255.250", 0 },
	{ "240.0.0.1", 0 },
	{ "255.255.255.255", 0 },
	/* IPv6 */
	{ "2606:4700:4700::1111", 1 },
	{ "2a00:1450:4001:80b::200e", 1 },
	{ "2001:4860:4860::8888", 1 },
	{ "::", 0 },
	{ "::1", 0 },
	{ "::127.0.0.1", 0 },		/* IPv4-compatible */
	{ "::8.8.8.8", 0 },		/* IPv4-compatible, deprecated */
	{ "::ffff:127.0.0.1", 0 },	/* mapped */
	{ "::ffff:169.254.169.254", 0 },
	{ "::ffff:10.1.2.3", 0 },
	{ "::ffff:8.8.8.8", 1 },
	{ "::ffff:0:127.0.0.1", 0 },	/* translated (SIIT) */
	{ "::ffff:0:8.8.8.8", 1 },
	{ "64:ff9b::7f00:1", 0 },	/* NAT64 of 127.0.0.1 */
	{ "64:ff9b::a9fe:a9fe", 0 },	/* NAT64 of 169.254.169.254 */
	{ "64:ff9b::808:808", 1 },	/* NAT64 of 8.8.8.8 */
	{ "64:ff9b:1::a00:1", 0 },	/* local-use NAT64 */
	{ "2002:7f00:1::1", 0 },	/* 6to4 of 127.0.0.1 */
	{ "2002:c0a8:101::1", 0 },	/* 6to4 of 192.168.1.1 */
	{ "2002:808:808::1", 1 },	/* 6to4 of 8.8.8.8 */
	{ "2001::1", 0 },		/* Teredo */
	{ "2001:db8::1", 0 },
	{ "3fff::1", 0 },
	{ "100::1", 0 },		/* discard */
	{ "fc00::1", 0 },
	{ "fd00:ec2::254", 0 },		/* a metadata service, ULA */
	{ "fe80::1", 0 },
	{ "febf::1", 0 },
	{ "fec0::1", 0 },		/* site-local */
	{ "ff02::1", 0 },
	{ "ff0e::1", 0 },
	{ "4000::1", 0 },		/* not allocated */
};

static void
test_addrs(void)
{
	struct sockaddr_in	 s4;
	struct sockaddr_in6	 s6;
	struct sockaddr		 un;
	size_t			 i;
	int			 got;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		memset(&s4, 0, sizeof(s4));
		memset(&s6, 0, sizeof(s6));
		if (inet_pton(AF_INET, addrs[i].addr, &s4.sin_addr) == 1) {
			s4.sin_family = AF_INET;
			got = fetch_addr_public((struct sockaddr *)&s4,
			    sizeof(s4));
		} else if (inet_pton(AF_INET6, addrs[i].addr,
		    &s6.sin6_addr) == 1) {
			s6.sin6_family = AF_INET6;
			got = fetch_addr_public((struct sockaddr *)&s6,
			    sizeof(s6));
		} else
			got = -1;
		ok(got == addrs[i].public, "%s is %s", addrs[i].addr,
		    addrs[i].public ? "public" : "refused");
	}
	memset(&un, 0, sizeof(un));
	un.sa_family = AF_UNIX;
	ok(!fetch_addr_public(&un, sizeof(un)), "AF_UNIX is refused");
	s4.sin_family = AF_INET;
	inet_pton(AF_INET, "8.8.8.8", &s4.sin_addr);
	ok(!fetch_addr_public((struct sockaddr *)&s4, 4),
	    "a short sockaddr is refused");
}

/* fetch_url() on urls refused before any packet is sent. */
static void
test_refused(void)
{
	static const struct {
		const char		*url;
		enum fetch_status	 want;
		const char		*why;
	} t[] = {
		{ "ftp://127.0.0.1/x.jpg", FETCH_BAD_URL, "http" },
		{ "file:///etc/passwd", FETCH_BAD_URL, "http" },
		{ "gopher://example.com/", FETCH_BAD_URL, "" },
		{ "example.com/x.jpg", FETCH_BAD_URL, "" },
		{ "http://", FETCH_BAD_URL, "" },
		{ "http://exa mple.com/", FETCH_BAD_URL, "" },
		{ "http://127.0.0.1:9/x.jpg", FETCH_BAD_URL, "internal" },
		{ "http://127.1:9/x.jpg", FETCH_BAD_URL, "internal" },
		{ "http://2130706433:9/", FETCH_BAD_URL, "internal" },
		{ "http://[::1]:9/x.jpg", FETCH_BAD_URL, "internal" },
		{ "http://[::ffff:127.0.0.1]:9/", FETCH_BAD_URL, "internal" },
		{ "http://0.0.0.0:9/", FETCH_BAD_URL, "internal" },
		{ "http://169.254.169.254/latest/meta-data/", FETCH_BAD_URL,
		  "internal" },
		{ "https://10.0.0.1/x.png", FETCH_BAD_URL, "internal" },
		{ "http://localhost:9/x.jpg", FETCH_BAD_URL, "internal" },
	};
	struct conf		 c;
	unsigned char		*out;
	size_t			 i, len;
	char			 why[256];
	enum fetch_status	 st;

	conf_defaults(&c);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		st = fetch_url(t[i].url, &c, &out, &len, why, sizeof(why));
		ok(st == t[i].want && out == NULL && strstr(why, t[i].why),
		    "%s: refused (%s)", t[i].url, why);
		/* No digit: neither 127.0.0.1 nor ::1 nor ::ffff:7f00:1. */
		ok(strpbrk(why, "0123456789") == NULL &&
		    strchr(why, ':') == NULL,
		    "%s: the message names no address", t[i].url);
	}
	/* An allow list entry for another port exempts nothing here. */
	free(c.url_upload_allow);
	c.url_upload_allow = strdup("127.0.0.1:10 localhost:11, [::1]:12");
	st = fetch_url("http://127.0.0.1:9/x", &c, &out, &len, why,
	    sizeof(why));
	ok(st == FETCH_BAD_URL && strstr(why, "internal"),
	    "allow list for other ports: still refused (%s)", why);
	/* By name: localhost:9 lets 127.0.0.1:9 through (to loopback). */
	free(c.url_upload_allow);
	c.url_upload_allow = strdup("localhost:9");
	st = fetch_url("http://127.0.0.1:9/x", &c, &out, &len, why,
	    sizeof(why));
	ok(strstr(why, "internal") == NULL,
	    "allow list by name: the address is let through (%s)", why);
	free(out);
	conf_free(&c);
}

static void
test_body(void)
{
	static const struct {
		const char	*type;
		const char	*body;
		int		 want;
		const char	*url;
	} t[] = {
		{ "application/json", "{\"url\": \"http://a.example/x.jpg\"}",
		  1, "http://a.example/x.jpg" },
		{ "application/json; charset=utf-8",
		  "{\"title\":\"x\",\"url\":\"http:\\/\\/a.example\\/y\"}", 1,
		  "http://a.example/y" },
		{ "application/json", "{\"url\": 5}", -1, NULL },
		{ "application/json", "{\"link\": \"http://a/\"}", -1, NULL },
		{ "application/json", "{\"url\": \"http://a/\"", -1, NULL },
		{ "application/json", "[\"http://a/\"]", -1, NULL },
		{ "application/json", "{\"url\":\"a\\u0000b\"}", -1, NULL },
		{ "application/json", "{\"url\":\"a\",\"url\":\"b\"}", -1, NULL },
		{ "application/x-www-form-urlencoded",
		  "a=1&url=http%3A%2F%2Fa.example%2Fx+y.jpg&b=2", 1,
		  "http://a.example/x y.jpg" },
		{ "application/x-www-form-urlencoded", "url=", 1, "" },
		{ "application/x-www-form-urlencoded", "url=%2", -1, NULL },
		{ "application/x-www-form-urlencoded", "url=a%00b", -1, NULL },
		{ "application/x-www-form-urlencoded", "myurl=x", -1, NULL },
		{ "image/png", "{\"url\": \"http://a/\"}", 0, NULL },
		{ "application/jsonx", "{\"url\": \"http://a/\"}", 0, NULL },
	};
	size_t	 i;
	char	*url;
	int	 got;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		got = fetch_body_url(t[i].type, (const unsigned char *)t[i].body,
		    strlen(t[i].body), &url);
		ok(got == t[i].want && (t[i].url == NULL ? url == NULL :
		    url != NULL && strcmp(url, t[i].url) == 0),
		    "body %s %s: %d", t[i].type, t[i].body, got);
		free(url);
	}
	ok(fetch_body_url(NULL, (const unsigned char *)"x", 1, &url) == 0,
	    "no Content-Type: no url");
}

/* A child that takes a slot and is killed: its lock goes with it. */
static void
test_slot_dies(void)
{
	int	 p[2], fd, st;
	pid_t	 pid;
	char	 c;

	if (pipe(p) == -1 || (pid = fork()) == -1) {
		ok(0, "pipe and fork");
		return;
	}
	if (pid == 0) {
		c = fetch_slot_take(&fd) == 0 && fd != -1 ? 'y' : 'n';
		(void)write(p[1], &c, 1);
		pause();
		_exit(0);
	}
	close(p[1]);
	ok(read(p[0], &c, 1) == 1 && c == 'y', "a child takes the last slot");
	close(p[0]);
	ok(fetch_slot_take(&fd) == -1, "while it lives, none is free");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	ok(fetch_slot_take(&fd) == 0 && fd != -1,
	    "once it is killed, its slot is free again");
	fetch_slot_give(fd);
}

/* Two slots: two fetches, the third refused, at once, until one ends. */
static void
test_slots(void)
{
	struct conf		 c;
	unsigned char		*out;
	size_t			 len;
	char			 dir[] = "/tmp/t_fetch.XXXXXX", why[256], path[64];
	enum fetch_status	 st;
	int			 a, b, x;

	fetch_slots_init(NULL, 2);
	ok(fetch_slot_take(&a) == 0 && a == -1, "no directory: no cap");
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	fetch_slots_init(dir, 2);
	ok(fetch_slot_take(&a) == 0 && a != -1, "first slot taken");
	ok(fetch_slot_take(&b) == 0 && b != -1 && b != a,
	    "second slot taken");
	ok(fetch_slot_take(&x) == -1 && x == -1, "no third slot");

	conf_defaults(&c);
	st = fetch_url("http://127.0.0.1:9/x.jpg", &c, &out, &len, why,
	    sizeof(why));
	ok(st == FETCH_BUSY && out == NULL && strstr(why, "try again"),
	    "fetch_url with every slot taken: busy (%s)", why);
	st = fetch_url("ftp://127.0.0.1:9/x.jpg", &c, &out, &len, why,
	    sizeof(why));
	ok(st == FETCH_BAD_URL, "a malformed url needs no slot: bad url");

	fetch_slot_give(b);
	ok(fetch_slot_take(&b) == 0 && b != -1, "a slot given back is free");
	fetch_slot_give(b);
	test_slot_dies();
	fetch_slot_give(a);
	fetch_slot_give(-1);
	st = fetch_url("http://127.0.0.1:9/x.jpg", &c, &out, &len, why,
	    sizeof(why));
	ok(st == FETCH_BAD_URL, "with slots free, the fetch runs (%s)", why);
	conf_free(&c);
	fetch_slots_init(NULL, 0);
	snprintf(path, sizeof(path), "%s/imghost-fcgi.fetch.0", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/imghost-fcgi.fetch.1", dir);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	test_addrs();
	test_refused();
	test_slots();
	test_body();
	return tap_done();
}
