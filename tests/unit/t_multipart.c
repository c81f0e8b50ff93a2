/*
 * The multipart parser: a table of valid and hostile bodies, each fed
 * through readers that return at most 1, 2, 3, 7, 64 or 65536 bytes a
 * call, then every split of one body into two reads, truncation and read
 * errors at every byte, and the limits on either side.
 */
#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "multipart.h"
#include "tap.h"

/* A body in memory, handed out at most chunk bytes a read. */
struct src {
	const unsigned char	*b;
	size_t			 len;
	size_t			 off;		/* bytes handed out so far */
	size_t			 chunk;
	size_t			 first;		/* if not 0, the first read */
	int			 fails;		/* -1 from fail_at on */
	size_t			 fail_at;
};

static ssize_t
src_read(void *arg, void *buf, size_t len)
{
	struct src	*s = arg;
	size_t		 n = s->off == 0 && s->first ? s->first : s->chunk;

	if (s->fails && s->off >= s->fail_at)
		return -1;
	if (s->fails && n > s->fail_at - s->off)
		n = s->fail_at - s->off;
	if (n > len)
		n = len;
	if (n > s->len - s->off)
		n = s->len - s->off;
	memcpy(buf, s->b + s->off, n);
	s->off += n;
	return n;
}

/* A growing buffer to build the big bodies in. */
struct buf {
	unsigned char	*b;
	size_t		 len, cap;
};

static unsigned char *
bgrow(struct buf *b, size_t n)
{
	unsigned char	*p;

	while (b->len + n > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 4096;
		if ((b->b = realloc(b->b, b->cap)) == NULL)
			abort();
	}
	p = b->b + b->len;
	b->len += n;
	return p;
}

static void
bput(struct buf *b, const void *p, size_t n)
{
	memcpy(bgrow(b, n), p, n);
}

static void
bputs(struct buf *b, const char *s)
{
	bput(b, s, strlen(s));
}

static void
bfill(struct buf *b, int c, size_t n)
{
	memset(bgrow(b, n), c, n);
}

struct tcase {
	const char	*name;
	const char	*ct;
	const char	*body;
	size_t		 body_len;
	size_t		 max;
	enum mp_status	 want;
	const char	*file;		/* NULL: no file part expected */
	size_t		 file_len;
	const char	*type;		/* "" unless set */
	const char	*url;
};

#define S(lit)		lit, sizeof(lit) - 1
#define CT		"multipart/form-data; boundary=----abc"
#define BND		"------abc\r\n"
#define END		"\r\n------abc--\r\n"
#define DISP(x)		"Content-Disposition: form-data; " x "\r\n"
#define FILEHDR		BND DISP("name=\"file\"; filename=\"a.jpg\"") \
			"Content-Type: image/jpeg\r\n\r\n"
/* Content that looks like, but is not, a delimiter. */
#define JPEG		"\xff\xd8\xff\xe0" "\r\n--\r\n------ab" "X\r\n" \
			"x------abc\r\r\n-----abc" "\0" "\r\n\r\n\r\n------" \
			"\r\n------a" "\xff\xd9"
#define LONGTYPE	"image/" \
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
			"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static const struct tcase cases[] = {
	{ "normal upload", CT, S(FILEHDR JPEG END), 1024, MP_OK,
	    S(JPEG), "image/jpeg", NULL },
	{ "field image, unquoted name and filename", CT,
	    S(BND DISP("name=image; filename=a.png") "\r\nPNG" END), 1024,
	    MP_OK, S("PNG"), "", NULL },
	{ "file field without filename", CT,
	    S(BND DISP("name=\"file\"") "\r\nabc" END), 1024, MP_OK,
	    S("abc"), "", NULL },
	{ "quoted boundary with RFC 2046 specials",
	    "multipart/form-data; boundary=\"a'()+_,-./:=? b\"",
	    S("--a'()+_,-./:=? b\r\n" DISP("name=file") "\r\nabc"
	    "\r\n--a'()+_,-./:=? b--"), 1024, MP_OK, S("abc"), "", NULL },
	{ "type and parameters case-insensitive",
	    "Multipart/Form-Data ; Charset=UTF-8;BOUNDARY = xyz ",
	    S("--xyz\r\n" DISP("name=file") "\r\nabc\r\n--xyz--"), 1024,
	    MP_OK, S("abc"), "", NULL },
	{ "text fields before and after", CT,
	    S(BND DISP("name=\"title\"") "\r\nA title" "\r\n"
	    FILEHDR JPEG "\r\n" BND DISP("name=\"tags\"") "\r\na, b" END),
	    1024, MP_OK, S(JPEG), "image/jpeg", NULL },
	{ "url field alone", CT,
	    S(BND DISP("name=\"url\"") "\r\nhttps://example.com/a.jpg" END),
	    1024, MP_OK, NULL, 0, "", "https://example.com/a.jpg" },
	{ "url and file", CT,
	    S(BND DISP("name=url") "\r\nhttp://x/" "\r\n" FILEHDR "f" END),
	    1024, MP_OK, S("f"), "image/jpeg", "http://x/" },
	{ "NUL in url", CT, S(BND DISP("name=url") "\r\nhttp://x/\0y" END),
	    1024, MP_BAD, NULL, 0, "", NULL },
	{ "no boundary", "multipart/form-data", S(FILEHDR "a" END), 1024,
	    MP_BAD, NULL, 0, "", NULL },
	{ "no boundary, other parameter", "multipart/form-data; charset=x",
	    S(FILEHDR "a" END), 1024, MP_BAD, NULL, 0, "", NULL },
	{ "empty boundary", "multipart/form-data; boundary=",
	    S("--\r\n" DISP("name=file") "\r\na\r\n----"), 1024, MP_BAD,
	    NULL, 0, "", NULL },
	{ "empty quoted boundary", "multipart/form-data; boundary=\"\"",
	    S("--\r\n" DISP("name=file") "\r\na\r\n----"), 1024, MP_BAD,
	    NULL, 0, "", NULL },
	{ "boundary with a bad character", "multipart/form-data; boundary=a*b",
	    S("--a*b\r\n" DISP("name=file") "\r\na\r\n--a*b--"), 1024, MP_BAD,
	    NULL, 0, "", NULL },
	{ "unterminated quoted boundary",
	    "multipart/form-data; boundary=\"----abc", S(FILEHDR "a" END),
	    1024, MP_BAD, NULL, 0, "", NULL },
	{ "not multipart", "image/jpeg; boundary=----abc", S(FILEHDR "a" END),
	    1024, MP_BAD, NULL, 0, "", NULL },
	{ "multipart/mixed", "multipart/mixed; boundary=----abc",
	    S(FILEHDR "a" END), 1024, MP_BAD, NULL, 0, "", NULL },
	{ "type with a suffix", "multipart/form-datax; boundary=----abc",
	    S(FILEHDR "a" END), 1024, MP_BAD, NULL, 0, "", NULL },
	{ "no Content-Type", NULL, S(FILEHDR "a" END), 1024, MP_BAD,
	    NULL, 0, "", NULL },
	{ "empty body", CT, S(""), 1024, MP_BAD, NULL, 0, "", NULL },
	{ "only the closing boundary", CT, S("------abc--\r\n"), 1024, MP_BAD,
	    NULL, 0, "", NULL },
	{ "missing closing boundary", CT, S(FILEHDR JPEG), 1024, MP_BAD,
	    NULL, 0, "", NULL },
	{ "closing boundary cut short", CT, S(FILEHDR "a\r\n------abc-"),
	    1024, MP_BAD, NULL, 0, "", NULL },
	{ "body ends after a boundary", CT, S(FILEHDR "a\r\n------abc"),
	    1024, MP_BAD, NULL, 0, "", NULL },
	{ "body ends in the headers", CT, S(BND DISP("name=file")), 1024,
	    MP_BAD, NULL, 0, "", NULL },
	{ "text after a delimiter in the content", CT,
	    S(FILEHDR "a\r\n------abcX\r\nb" END), 1024, MP_BAD,
	    NULL, 0, "", NULL },
	{ "white space after boundaries", CT,
	    S("------abc \t\r\n" DISP("name=file") "\r\na"
	    "\r\n------abc\t\r\n" DISP("name=x") "\r\nb" END), 1024, MP_OK,
	    S("a"), "", NULL },
	{ "bare LF in part headers", CT,
	    S("------abc\n" DISP("name=file") "Content-Type: image/png\n\na"
	    END), 1024, MP_OK, S("a"), "image/png", NULL },
	{ "empty file part", CT, S(FILEHDR END), 1024, MP_OK, "", 0,
	    "image/jpeg", NULL },
	{ "empty file part, max 0", CT, S(FILEHDR END), 0, MP_OK, "", 0,
	    "image/jpeg", NULL },
	{ "one byte over max 0", CT, S(FILEHDR "a" END), 0, MP_TOO_LARGE,
	    NULL, 0, "", NULL },
	{ "second file part ignored", CT,
	    S(FILEHDR "first" "\r\n" BND DISP("name=image")
	    "Content-Type: image/png\r\n\r\nsecond" END), 1024, MP_OK,
	    S("first"), "image/jpeg", NULL },
	{ "second url ignored", CT,
	    S(BND DISP("name=url") "\r\nhttp://a/" "\r\n" BND DISP("name=url")
	    "\r\nhttp://b/" END), 1024, MP_OK, NULL, 0, "", "http://a/" },
	{ "preamble and epilogue ignored", CT,
	    S("A preamble, with ------abc in it.\r\n" FILEHDR "a"
	    "\r\n------abc--\r\nan epilogue\r\n------abc\r\ngarbage"), 1024,
	    MP_OK, S("a"), "image/jpeg", NULL },
	{ "CRLF before the first boundary", CT, S("\r\n" FILEHDR "a" END),
	    1024, MP_OK, S("a"), "image/jpeg", NULL },
	{ "part without Content-Disposition", CT,
	    S(BND "Content-Type: image/jpeg\r\n\r\na" END), 1024, MP_OK,
	    NULL, 0, "", NULL },
	{ "part header without a colon", CT,
	    S(BND DISP("name=file") "Garbage\r\n\r\na" END), 1024, MP_BAD,
	    NULL, 0, "", NULL },
	{ "name inside a quoted filename", CT,
	    S(BND DISP("filename=\"x; name=file\"; name=\"other\"") "\r\na"
	    END), 1024, MP_OK, NULL, 0, "", NULL },
	{ "filename is not name", CT,
	    S(BND DISP("filename=\"file\"") "\r\na" END), 1024, MP_OK,
	    NULL, 0, "", NULL },
	{ "field names are case-sensitive", CT,
	    S(BND DISP("name=\"File\"") "\r\na" END), 1024, MP_OK,
	    NULL, 0, "", NULL },
	{ "attachment is not form-data", CT,
	    S(BND "Content-Disposition: attachment; name=file\r\n\r\na" END),
	    1024, MP_OK, NULL, 0, "", NULL },
	{ "unterminated quote in Content-Disposition", CT,
	    S(BND DISP("name=\"file") "\r\na" END), 1024, MP_BAD,
	    NULL, 0, "", NULL },
	{ "long file Content-Type truncated", CT,
	    S(BND DISP("name=file") "Content-Type: " LONGTYPE "\r\n\r\na" END),
	    1024, MP_OK, S("a"), NULL, NULL },
	{ "header names case-insensitive, values trimmed", CT,
	    S(BND "content-disposition:form-data;name=file  \r\n"
	    "CONTENT-TYPE:   image/gif \t\r\n\r\na" END), 1024, MP_OK,
	    S("a"), "image/gif", NULL },
};

static const size_t	chunks[] = { 1, 2, 3, 7, 64, 65536 };

/* Checks one result against what the case wants; says what differs. */
static const char *
check(const struct tcase *c, enum mp_status st, const struct mp_result *r)
{
	char	 type[sizeof(r->file_type)];

	if (st != c->want)
		return "wrong status";
	if (st != MP_OK)
		return r->file == NULL && r->url == NULL && r->file_len == 0 &&
		    r->file_type[0] == '\0' ? NULL : "result not empty";
	if ((c->file == NULL) != (r->file == NULL))
		return "file present or absent wrongly";
	if (c->file && (r->file_len != c->file_len ||
	    memcmp(r->file, c->file, c->file_len) != 0))
		return "wrong file bytes";
	/* A NULL type means the long type, cut to the buffer. */
	strlcpy(type, c->type ? c->type : LONGTYPE, sizeof(type));
	if (strcmp(r->file_type, type) != 0)
		return "wrong file type";
	if ((c->url == NULL) != (r->url == NULL) ||
	    (c->url && strcmp(r->url, c->url) != 0))
		return "wrong url";
	return NULL;
}

/* Parses a case through one reader; returns NULL or what went wrong. */
static const char *
parse(const struct tcase *c, struct src *s)
{
	struct mp_result	 r;
	const char		*why;
	enum mp_status		 st;

	memset(&r, 0xa5, sizeof(r));	/* mp_parse must set all of it */
	s->b = (const unsigned char *)c->body;
	s->len = c->body_len;
	st = mp_parse(c->ct, src_read, s, c->max, &r);
	why = check(c, st, &r);
	mp_result_free(&r);
	mp_result_free(&r);
	return why;
}

/* Runs a case with every chunk size, one test line each. */
static void
run(const struct tcase *c)
{
	struct src	 s;
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		memset(&s, 0, sizeof(s));
		s.chunk = chunks[i];
		why = parse(c, &s);
		ok(why == NULL, "%s, %zu-byte reads%s%s", c->name, chunks[i],
		    why ? ": " : "", why ? why : "");
	}
}

/* Runs a case whose body is in b, then frees the body. */
static void
run_built(struct tcase *c, struct buf *b)
{
	c->body = (const char *)b->b;
	c->body_len = b->len;
	run(c);
	free(b->b);
	memset(b, 0, sizeof(*b));
}

/* Counts how far a parse read, for the limits that must stop early. */
static size_t
bytes_read(const struct tcase *c, size_t chunk, enum mp_status *st)
{
	struct src		 s = { .chunk = chunk };
	struct mp_result	 r;

	s.b = (const unsigned char *)c->body;
	s.len = c->body_len;
	*st = mp_parse(c->ct, src_read, &s, c->max, &r);
	mp_result_free(&r);
	return s.off;
}

/* Every split of the normal body into two reads, and cuts at every byte. */
static void
test_every_byte(void)
{
	const struct tcase	*c = &cases[0];
	struct src		 s;
	size_t			 k, bad_split = 0, bad_cut = 0, bad_err = 0;
	size_t			 end = c->body_len - 2;	/* before the CRLF */

	for (k = 1; k <= c->body_len; k++) {
		memset(&s, 0, sizeof(s));
		s.first = k;
		s.chunk = 65536;
		if (parse(c, &s) != NULL)
			bad_split++;
	}
	ok(bad_split == 0, "normal upload split in two at every byte "
	    "(%zu wrong)", bad_split);
	for (k = 0; k < end; k++) {
		struct tcase	 cut = *c;

		cut.body_len = k;
		cut.want = MP_BAD;
		memset(&s, 0, sizeof(s));
		s.chunk = 3;
		if (parse(&cut, &s) != NULL)
			bad_cut++;
		cut.body_len = c->body_len;
		cut.want = MP_IO;
		memset(&s, 0, sizeof(s));
		s.chunk = 3;
		s.fails = 1;
		s.fail_at = k;
		if (parse(&cut, &s) != NULL)
			bad_err++;
	}
	ok(bad_cut == 0, "normal upload cut at every byte is MP_BAD "
	    "(%zu wrong)", bad_cut);
	ok(bad_err == 0, "read error at every byte is MP_IO (%zu wrong)",
	    bad_err);
}

/* A read error after the closing boundary is never seen. */
static void
test_read_errors(void)
{
	struct src		 s = { .chunk = 7, .fails = 1 };
	struct tcase		 c = cases[0];

	s.fail_at = c.body_len - 2;	/* the closing CRLF is never read */
	ok(parse(&c, &s) == NULL, "read error after the closing boundary "
	    "is not reached");
}

/* A file part of size bytes, with max and the body's tail. */
static void
build_file(struct buf *b, size_t size, const char *tail)
{
	bputs(b, FILEHDR);
	bfill(b, 'x', size);
	bputs(b, tail);
}

static void
test_max(void)
{
	struct tcase	 c = { .ct = CT, .type = "image/jpeg" };
	struct buf	 b = { 0 };
	char		*want;
	enum mp_status	 st;
	size_t		 n, max = 200 * 1024 + 3;

	if ((want = malloc(max)) == NULL)
		abort();
	memset(want, 'x', max);
	c.max = max;
	c.name = "file of exactly max bytes";
	c.want = MP_OK;
	c.file = want;
	c.file_len = max;
	build_file(&b, max, END);
	run_built(&c, &b);
	c.name = "file of max + 1 bytes";
	c.want = MP_TOO_LARGE;
	c.file = NULL;
	build_file(&b, max + 1, END);
	run_built(&c, &b);

	c.name = "file far over max, not read to the end";
	c.max = 1000;
	build_file(&b, 10 * 1024 * 1024, END);
	c.body = (const char *)b.b;
	c.body_len = b.len;
	n = bytes_read(&c, 65536, &st);
	ok(st == MP_TOO_LARGE && n <= 65536, "%s (%zu of %zu bytes read)",
	    c.name, n, b.len);
	n = bytes_read(&c, 1, &st);
	ok(st == MP_TOO_LARGE && n <= 1000 + 200, "%s, 1-byte reads "
	    "(%zu read)", c.name, n);
	free(b.b);
	free(want);
}

/* An epilogue of a megabyte: reading must stop at the closing boundary. */
static void
test_epilogue(void)
{
	struct tcase	 c = { .name = "long epilogue not read", .ct = CT,
			    .max = 1024 };
	struct buf	 b = { 0 };
	enum mp_status	 st;
	size_t		 n;

	build_file(&b, 10, END);
	bfill(&b, 'e', 1024 * 1024);
	c.body = (const char *)b.b;
	c.body_len = b.len;
	n = bytes_read(&c, 65536, &st);
	ok(st == MP_OK && n <= 65536, "%s (%zu read)", c.name, n);
	n = bytes_read(&c, 1, &st);
	ok(st == MP_OK && n == b.len - 1024 * 1024 - 2,
	    "%s, 1-byte reads stop after \"--\" (%zu read)", c.name, n);
	free(b.b);
}

static void
test_url(void)
{
	struct tcase	 c = { .ct = CT, .max = 1024, .type = "" };
	struct buf	 b = { 0 };
	char		 url[8 * 1024 + 1];

	memset(url, 'u', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	c.name = "url of 8 KiB";
	c.want = MP_OK;
	c.url = url;
	bputs(&b, BND DISP("name=url") "\r\n");
	bputs(&b, url);
	bputs(&b, END);
	run_built(&c, &b);
	c.name = "url of 8 KiB + 1";
	c.want = MP_BAD;
	c.url = NULL;
	bputs(&b, BND DISP("name=url") "\r\nu");
	bputs(&b, url);
	bputs(&b, END);
	run_built(&c, &b);
}

/* Headers: the byte and line limits, each just inside and just over. */
static void
test_headers(void)
{
	struct tcase	 c = { .ct = CT, .max = 1024, .type = "" };
	struct buf	 b = { 0 };
	int		 i;

	c.name = "endless header line (100 KiB)";
	c.want = MP_BAD;
	bputs(&b, BND "X-Junk: ");
	bfill(&b, 'h', 100 * 1024);
	bputs(&b, "\r\n\r\na" END);
	run_built(&c, &b);

	c.name = "endless header line, never ending body";
	bputs(&b, BND "X-Junk: ");
	bfill(&b, 'h', 100 * 1024);
	run_built(&c, &b);

	/*
	 * A part's header bytes count from the end of its boundary: CRLF,
	 * the lines, the empty line.  So a line of 8 + k + 2 bytes makes
	 * k + 14, and three parts show the count starts again each part.
	 */
	c.name = "three parts, each with exactly 8 KiB of headers";
	c.want = MP_OK;
	for (i = 0; i < 3; i++) {
		bputs(&b, BND "X-Junk: ");
		bfill(&b, 'h', 8 * 1024 - 14);
		bputs(&b, "\r\n\r\na\r\n");
	}
	bputs(&b, "------abc--");
	run_built(&c, &b);

	c.name = "8 KiB + 1 of headers";
	c.want = MP_BAD;
	bputs(&b, BND "X-Junk: ");
	bfill(&b, 'h', 8 * 1024 - 13);
	bputs(&b, "\r\n\r\na" END);
	run_built(&c, &b);

	c.name = "16 header lines over 8 KiB";
	bputs(&b, BND);
	for (i = 0; i < 16; i++) {
		bputs(&b, "X-Junk: ");
		bfill(&b, 'h', 600);
		bputs(&b, "\r\n");
	}
	bputs(&b, "\r\na" END);
	run_built(&c, &b);

	c.name = "17 header lines";
	bputs(&b, BND);
	for (i = 0; i < 17; i++)
		bputs(&b, "X-Junk: 1\r\n");
	bputs(&b, "\r\na" END);
	run_built(&c, &b);

	c.name = "16 header lines";
	c.want = MP_OK;
	c.file = "a";
	c.file_len = 1;
	bputs(&b, BND);
	for (i = 0; i < 15; i++)
		bputs(&b, "X-Junk: 1\r\n");
	bputs(&b, DISP("name=file") "\r\na" END);
	run_built(&c, &b);
}

/* Parts, preamble, boundary length and never-ending parts. */
static void
test_counts(void)
{
	struct tcase	 c = { .ct = CT, .max = 1024, .type = "" };
	struct buf	 b = { 0 };
	char		 ct[128], bnd[80];
	int		 i;

	c.name = "64 parts";
	c.want = MP_OK;
	for (i = 0; i < 64; i++)
		bputs(&b, BND DISP("name=x") "\r\ny\r\n");
	bputs(&b, "------abc--");
	run_built(&c, &b);

	c.name = "65 parts";
	c.want = MP_BAD;
	for (i = 0; i < 65; i++)
		bputs(&b, BND DISP("name=x") "\r\ny\r\n");
	bputs(&b, "------abc--");
	run_built(&c, &b);

	c.name = "preamble over 64 KiB";
	bfill(&b, 'p', 65 * 1024);
	bputs(&b, "\r\n" FILEHDR "a" END);
	run_built(&c, &b);

	c.name = "a text part that never ends (200 KiB, then EOF)";
	bputs(&b, BND DISP("name=note") "\r\n");
	bfill(&b, 'n', 200 * 1024);
	run_built(&c, &b);

	memset(bnd, 'b', 71);
	bnd[71] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", bnd);
	c.ct = ct;
	c.name = "boundary of 71 characters";
	bputs(&b, "--");
	bputs(&b, bnd);
	bputs(&b, "\r\n" DISP("name=file") "\r\na\r\n--");
	bputs(&b, bnd);
	bputs(&b, "--");
	run_built(&c, &b);

	bnd[70] = '\0';
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", bnd);
	c.name = "boundary of 70 characters";
	c.want = MP_OK;
	c.file = "a";
	c.file_len = 1;
	bputs(&b, "--");
	bputs(&b, bnd);
	bputs(&b, "\r\n" DISP("name=file") "\r\na\r\n--");
	bputs(&b, bnd);
	bputs(&b, "--");
	run_built(&c, &b);
}

/*
 * A first part of about 64 KiB, so the second part's delimiter and
 * headers fall across the end of the parser's buffer at every offset.
 */
static void
test_buffer_edge(void)
{
	static const size_t	 sizes[] = { 65536, 4096, 1000 };
	struct tcase		 c = { .ct = CT, .max = 1024,
				    .want = MP_OK, .type = "image/jpeg",
				    .file = "abc", .file_len = 3 };
	struct buf		 b = { 0 };
	struct src		 s;
	size_t			 n, i, bad = 0;

	for (n = 65536 - 200; n < 65536 + 20; n++) {
		bputs(&b, BND DISP("name=pad") "\r\n");
		bfill(&b, 'p', n - b.len);
		bputs(&b, "\r\n" FILEHDR "abc" END);
		c.body = (const char *)b.b;
		c.body_len = b.len;
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			memset(&s, 0, sizeof(s));
			s.chunk = sizes[i];
			if (parse(&c, &s) != NULL)
				bad++;
		}
		free(b.b);
		memset(&b, 0, sizeof(b));
	}
	ok(bad == 0, "delimiter and headers across the buffer's end "
	    "(%zu wrong)", bad);
}

static void
test_free(void)
{
	struct mp_result	 r;

	memset(&r, 0, sizeof(r));
	mp_result_free(&r);
	mp_result_free(&r);
	mp_result_free(NULL);
	ok(r.file == NULL && r.url == NULL, "mp_result_free on a zeroed "
	    "result, twice, and on NULL");
}

int
main(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run(&cases[i]);
	test_every_byte();
	test_read_errors();
	test_max();
	test_epilogue();
	test_url();
	test_headers();
	test_counts();
	test_buffer_edge();
	test_free();
	return tap_done();
}
