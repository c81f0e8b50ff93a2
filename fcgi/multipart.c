/*
 * A streaming multipart/form-data parser (RFC 7578 over RFC 2046).  The
 * body is pulled through a fixed buffer; part contents are searched for
 * the delimiter CRLF "--" boundary, keeping back the last bytes that may
 * be the start of a delimiter split across reads.  Everything a client
 * sends is bounded: the preamble, each part's headers, the number of
 * parts, the url field and the file part, so memory stays at max plus
 * the parser's own fixed size (about 90 KiB).
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "multipart.h"

#define MP_BUF_SIZE	(64 * 1024)	/* the read buffer */
#define MP_BOUNDARY_MAX	70		/* RFC 2046 */
#define MP_PREAMBLE_MAX	(64 * 1024)	/* bytes before the first boundary */
#define MP_HDR_MAX	(8 * 1024)	/* header bytes of one part */
#define MP_HDR_LINES	16		/* header lines of one part */
#define MP_PARTS_MAX	64
#define MP_URL_MAX	(8 * 1024)

/* Where the content of the current part goes. */
enum mp_sink {
	MP_SINK_SKIP,		/* an other field, or a second file */
	MP_SINK_PREAMBLE,	/* before the first boundary: counted, dropped */
	MP_SINK_FILE,		/* into r.file */
	MP_SINK_URL,		/* into url[] */
};

/* One parse, on the heap: the buffer is too big for a FastCGI stack. */
struct mp_parser {
	mp_reader	 rd;
	void		*arg;
	size_t		 max;		/* of the file part */
	struct mp_result r;		/* handed to the caller on MP_OK */
	size_t		 cap;		/* bytes allocated at r.file */
	unsigned char	 delim[4 + MP_BOUNDARY_MAX]; /* CRLF "--" boundary */
	size_t		 dlen;
	unsigned char	 buf[MP_BUF_SIZE];
	size_t		 pos, len;	/* unread bytes are buf[pos..len) */
	size_t		 nparts;
	size_t		 hdr_bytes, hdr_lines;	/* of the current part */
	enum mp_sink	 kind;		/* what the headers asked for */
	enum mp_sink	 sink;		/* what the content gets */
	size_t		 pre_len;
	char		 ctype[sizeof(((struct mp_result *)0)->file_type)];
	char		 line[MP_HDR_MAX + 1];
	char		 url[MP_URL_MAX];
	size_t		 url_len;
	int		 have_url;
};

/* Logs why a parse fails, once, where it is known, and returns st. */
static enum mp_status
mp_fail(enum mp_status st, const char *why)
{
	log_warnx("multipart: %s", why);
	return st;
}

/*
 * Appends more of the body to buf, first moving the unread bytes to the
 * front when the buffer is full.  A body that ends here ends too early.
 */
static enum mp_status
mp_fill(struct mp_parser *p)
{
	size_t	 room;
	ssize_t	 n;

	if (p->len == sizeof(p->buf)) {
		memmove(p->buf, p->buf + p->pos, p->len - p->pos);
		p->len -= p->pos;
		p->pos = 0;
	}
	/* Cannot happen: nothing kept unread is longer than the headers. */
	if ((room = sizeof(p->buf) - p->len) == 0)
		return mp_fail(MP_BAD, "buffer full");
	n = p->rd(p->arg, p->buf + p->len, room);
	if (n < 0 || (size_t)n > room)
		return mp_fail(MP_IO, "read failed");
	if (n == 0)
		return mp_fail(MP_BAD, "body ends before the closing boundary");
	p->len += n;
	return MP_OK;
}

/* Says whether a header value's first token (before any ';') is type. */
static int
mp_type_is(const char *v, const char *type)
{
	size_t	 n = strlen(type);

	v += strspn(v, " \t");
	if (strncasecmp(v, type, n) != 0)
		return 0;
	v += n;
	v += strspn(v, " \t");
	return *v == ';' || *v == '\0';
}

/*
 * Finds parameter key (case-insensitive) in a header value such as
 * `form-data; name="file"; filename=a.jpg` and points *v and *vlen at its
 * value, without quotes.  Quoted values end at the next quote: browsers
 * send a quote in a file name as %22 and a backslash as itself, so
 * treating backslash as an escape would misread "C:\".  Returns 1 if
 * found, 0 if absent, -1 if the parameters are malformed.
 */
static int
mp_param(const char *s, const char *key, const char **v, size_t *vlen)
{
	const char	*name;
	size_t		 n;

	if ((s = strchr(s, ';')) == NULL)
		return 0;
	while (*s == ';') {
		s++;
		if (*(s += strspn(s, " \t")) == '\0')
			return 0;		/* a trailing ';' */
		name = s;
		n = strcspn(s, "=; \t");
		s += n;
		s += strspn(s, " \t");
		if (n == 0 || *s++ != '=')
			return -1;
		s += strspn(s, " \t");
		if (*s == '"') {
			*v = ++s;
			if ((s = strchr(s, '"')) == NULL)
				return -1;
			*vlen = s++ - *v;
		} else {
			*v = s;
			*vlen = strcspn(s, "; \t");
			s += *vlen;
		}
		s += strspn(s, " \t");
		if (strlen(key) == n && strncasecmp(name, key, n) == 0)
			return 1;
	}
	return *s == '\0' ? 0 : -1;
}

/* Takes the boundary from the request's Content-Type into p->delim. */
static enum mp_status
mp_boundary(struct mp_parser *p, const char *ct)
{
	/* RFC 2046's bchars; a space may not end the boundary. */
	static const char	 bchars[] = "0123456789"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=? ";
	const char		*b;
	size_t			 n;

	if (ct == NULL || !mp_type_is(ct, "multipart/form-data"))
		return mp_fail(MP_BAD, "not multipart/form-data");
	if (mp_param(ct, "boundary", &b, &n) != 1)
		return mp_fail(MP_BAD, "no boundary");
	if (n == 0 || n > MP_BOUNDARY_MAX || b[n - 1] == ' ' ||
	    strspn(b, bchars) < n)
		return mp_fail(MP_BAD, "bad boundary");
	memcpy(p->delim, "\r\n--", 4);
	memcpy(p->delim + 4, b, n);
	p->dlen = 4 + n;
	return MP_OK;
}

/* Grows r.file to hold need bytes (need <= max), doubling, never past max. */
static int
mp_grow(struct mp_parser *p, size_t need)
{
	unsigned char	*f;
	size_t		 cap = p->cap < 4096 ? 4096 : p->cap;

	while (cap < need && cap <= p->max / 2)
		cap *= 2;
	if (cap < need || cap > p->max)
		cap = p->max;
	if ((f = realloc(p->r.file, cap)) == NULL)
		return -1;
	p->r.file = f;
	p->cap = cap;
	return 0;
}

/* Hands n bytes of part content to where the current part goes. */
static enum mp_status
mp_emit(struct mp_parser *p, const unsigned char *b, size_t n)
{
	switch (p->sink) {
	case MP_SINK_FILE:
		if (n > p->max - p->r.file_len)
			return mp_fail(MP_TOO_LARGE, "file over the limit");
		if (p->r.file_len + n > p->cap &&
		    mp_grow(p, p->r.file_len + n) == -1)
			return mp_fail(MP_IO, "out of memory");
		memcpy(p->r.file + p->r.file_len, b, n);
		p->r.file_len += n;
		break;
	case MP_SINK_URL:
		if (n > sizeof(p->url) - p->url_len)
			return mp_fail(MP_BAD, "url field too long");
		memcpy(p->url + p->url_len, b, n);
		p->url_len += n;
		break;
	case MP_SINK_PREAMBLE:
		if ((p->pre_len += n) > MP_PREAMBLE_MAX)
			return mp_fail(MP_BAD, "no boundary in the preamble");
		break;
	case MP_SINK_SKIP:
		break;
	}
	return MP_OK;
}

/* Points at the first delimiter in the unread bytes, or NULL. */
static const unsigned char *
mp_find(const struct mp_parser *p)
{
	const unsigned char	*s = p->buf + p->pos, *end = p->buf + p->len;

	while ((size_t)(end - s) >= p->dlen) {
		s = memchr(s, '\r', end - s - p->dlen + 1);
		if (s == NULL)
			return NULL;
		if (memcmp(s, p->delim, p->dlen) == 0)
			return s;
		s++;
	}
	return NULL;
}

/* Passes part content to the sink up to and past the next delimiter. */
static enum mp_status
mp_content(struct mp_parser *p)
{
	const unsigned char	*d;
	enum mp_status		 st;
	size_t			 n;

	while ((d = mp_find(p)) == NULL) {
		/* The last dlen - 1 bytes may begin a delimiter: keep them. */
		if ((n = p->len - p->pos) >= p->dlen) {
			n -= p->dlen - 1;
			if ((st = mp_emit(p, p->buf + p->pos, n)) != MP_OK)
				return st;
			p->pos += n;
		}
		if ((st = mp_fill(p)) != MP_OK)
			return st;
	}
	n = d - (p->buf + p->pos);
	st = mp_emit(p, p->buf + p->pos, n);
	p->pos += n + p->dlen;
	return st;
}

/*
 * Reads one header line, without its CRLF or bare LF, into p->line,
 * counting it against the part's header bytes.
 */
static enum mp_status
mp_line(struct mp_parser *p)
{
	unsigned char	*s, *nl;
	enum mp_status	 st;
	size_t		 n, seen = 0;

	/* Only new bytes are searched, so tiny reads stay linear. */
	while ((nl = memchr(p->buf + p->pos + seen, '\n',
	    p->len - p->pos - seen)) == NULL) {
		if ((seen = p->len - p->pos) >= MP_HDR_MAX - p->hdr_bytes)
			return mp_fail(MP_BAD, "part headers too long");
		if ((st = mp_fill(p)) != MP_OK)
			return st;
	}
	s = p->buf + p->pos;
	if ((n = nl - s + 1) > MP_HDR_MAX - p->hdr_bytes)
		return mp_fail(MP_BAD, "part headers too long");
	p->hdr_bytes += n;
	p->pos += n;
	n--;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	memcpy(p->line, s, n);
	p->line[n] = '\0';
	return MP_OK;
}

/* Notes from a Content-Disposition value whether the part is wanted. */
static enum mp_status
mp_disposition(struct mp_parser *p, const char *v)
{
	const char	*name;
	size_t		 n;
	int		 rc;

	p->kind = MP_SINK_SKIP;
	if (!mp_type_is(v, "form-data"))
		return MP_OK;
	if ((rc = mp_param(v, "name", &name, &n)) == -1)
		return mp_fail(MP_BAD, "bad Content-Disposition");
	if (rc == 0)
		return MP_OK;
	if ((n == 4 && memcmp(name, "file", 4) == 0) ||
	    (n == 5 && memcmp(name, "image", 5) == 0))
		p->kind = MP_SINK_FILE;
	else if (n == 3 && memcmp(name, "url", 3) == 0)
		p->kind = MP_SINK_URL;
	return MP_OK;
}

/* Handles one "Name: value" line of a part's headers. */
static enum mp_status
mp_header(struct mp_parser *p, char *line)
{
	char	*v, *end;

	if ((v = strchr(line, ':')) == NULL)
		return mp_fail(MP_BAD, "part header without ':'");
	*v++ = '\0';
	v += strspn(v, " \t");
	for (end = v + strlen(v); end > v && (end[-1] == ' ' ||
	    end[-1] == '\t'); end--)
		continue;
	*end = '\0';
	if (strcasecmp(line, "Content-Disposition") == 0)
		return mp_disposition(p, v);
	/* Truncation is harmless: the type is a hint, the magic decides. */
	if (strcasecmp(line, "Content-Type") == 0)
		(void)strlcpy(p->ctype, v, sizeof(p->ctype));
	return MP_OK;
}

/* Picks where the part's content goes: the first file, the first url. */
static enum mp_status
mp_choose(struct mp_parser *p)
{
	p->sink = MP_SINK_SKIP;
	if (p->kind == MP_SINK_FILE && p->r.file == NULL) {
		/* One byte, so an empty file part is told from no file part. */
		if ((p->r.file = malloc(1)) == NULL)
			return mp_fail(MP_IO, "out of memory");
		p->cap = 1;
		memcpy(p->r.file_type, p->ctype, sizeof(p->ctype));
		p->sink = MP_SINK_FILE;
	} else if (p->kind == MP_SINK_URL && !p->have_url) {
		p->have_url = 1;
		p->sink = MP_SINK_URL;
	}
	return MP_OK;
}

/* Reads a part's headers, up to the empty line that ends them. */
static enum mp_status
mp_headers(struct mp_parser *p)
{
	enum mp_status	 st;

	p->kind = MP_SINK_SKIP;
	p->ctype[0] = '\0';
	for (;;) {
		if ((st = mp_line(p)) != MP_OK)
			return st;
		if (p->line[0] == '\0')
			return mp_choose(p);
		if (++p->hdr_lines > MP_HDR_LINES)
			return mp_fail(MP_BAD, "too many part headers");
		if ((st = mp_header(p, p->line)) != MP_OK)
			return st;
	}
}

/*
 * Reads what follows a delimiter: "--" for the last one (*last = 1, and
 * nothing more is read), else white space to the end of the line.
 */
static enum mp_status
mp_delimiter_end(struct mp_parser *p, int *last)
{
	enum mp_status	 st;

	p->hdr_bytes = p->hdr_lines = 0;
	while (p->len - p->pos < 2)
		if ((st = mp_fill(p)) != MP_OK)
			return st;
	if ((*last = memcmp(p->buf + p->pos, "--", 2) == 0))
		return MP_OK;
	if ((st = mp_line(p)) != MP_OK)
		return st;
	if (p->line[strspn(p->line, " \t")] != '\0')
		return mp_fail(MP_BAD, "text after a boundary");
	return MP_OK;
}

/* Copies the url field out as a string, refusing an embedded NUL. */
static enum mp_status
mp_url(struct mp_parser *p)
{
	if (!p->have_url)
		return MP_OK;
	if (memchr(p->url, '\0', p->url_len) != NULL)
		return mp_fail(MP_BAD, "NUL in the url field");
	if ((p->r.url = malloc(p->url_len + 1)) == NULL)
		return mp_fail(MP_IO, "out of memory");
	memcpy(p->r.url, p->url, p->url_len);
	p->r.url[p->url_len] = '\0';
	return MP_OK;
}

/* Runs through preamble, parts and the closing delimiter. */
static enum mp_status
mp_run(struct mp_parser *p)
{
	enum mp_status	 st;
	int		 last;

	/* A CRLF before the body lets the first boundary match the delimiter. */
	memcpy(p->buf, "\r\n", 2);
	p->len = 2;
	p->sink = MP_SINK_PREAMBLE;
	for (;;) {
		if ((st = mp_content(p)) != MP_OK ||
		    (st = mp_delimiter_end(p, &last)) != MP_OK)
			return st;
		if (last)
			break;
		if (++p->nparts > MP_PARTS_MAX)
			return mp_fail(MP_BAD, "too many parts");
		if ((st = mp_headers(p)) != MP_OK)
			return st;
	}
	if (p->nparts == 0)
		return mp_fail(MP_BAD, "no part");
	return mp_url(p);
}

/*
 * Parses a multipart/form-data body, pulling it through rd until the
 * closing delimiter (an epilogue is not read).  On MP_OK, *out holds the
 * first part named "file" or "image" in out->file (NULL if there was none;
 * for an empty file part a non-NULL pointer and file_len 0, so the caller
 * can tell the two apart) and the field "url" in out->url; the caller frees
 * them with mp_result_free().  On any other status *out is zeroed.  Running
 * out of memory gives MP_IO: the enum has no value of its own for it.
 */
enum mp_status
mp_parse(const char *content_type, mp_reader rd, void *arg, size_t max,
    struct mp_result *out)
{
	struct mp_parser	*p;
	enum mp_status		 st;

	memset(out, 0, sizeof(*out));
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return mp_fail(MP_IO, "out of memory");
	p->rd = rd;
	p->arg = arg;
	p->max = max;
	if ((st = mp_boundary(p, content_type)) == MP_OK)
		st = mp_run(p);
	if (st == MP_OK)
		*out = p->r;
	else
		mp_result_free(&p->r);
	free(p);
	return st;
}

/* Frees what mp_parse() kept and zeroes *r; safe to call twice or on NULL. */
void
mp_result_free(struct mp_result *r)
{
	if (r == NULL)
		return;
	free(r->file);
	free(r->url);
	memset(r, 0, sizeof(*r));
}
