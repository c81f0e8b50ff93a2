/*
 * S3's XML answers, read with libexpat.  A listing key may hold any
 * byte S3 allows, so it comes back as entities (&amp;, &#13;), perhaps
 * in CDATA, in a namespace, in whatever encoding the XML declaration
 * names: expat decodes all of that to UTF-8, and refuses what is not
 * XML, which a reader of our own written with strstr() got wrong.
 *
 * XML 1.0 has no way to write most control bytes, not even as "&#x01;"
 * (which RGW writes and expat refuses), so s3_list() asks for
 * encoding-type=url: each key then comes %-encoded, and is decoded here
 * once the page says <EncodingType>url</EncodingType>, which AWS writes
 * after the entries.  A server that does not know the parameter sends
 * the keys as they are, and they are taken as they are.
 *
 * The readers are bounded: the body is capped, each text is copied only
 * into its own fixed buffer, a DOCTYPE (so any entity of its own) is
 * refused, and every failure is a status, never a partial page.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <expat.h>

#include "s3_xml.h"

/* S3's namespace; an element in no namespace is taken as S3's too. */
#define S3XML_NS	"http://s3.amazonaws.com/doc/2006-03-01/"
/* What expat puts between a namespace and a local name: no URI has it. */
#define S3XML_NS_SEP	' '

_Static_assert(sizeof(XML_Char) == 1, "expat built for UTF-16 names");

/* The element whose text is being kept. */
enum s3xml_field {
	S3XML_F_NONE = 0,	/* none: text is skipped */
	S3XML_F_KEY,		/* Contents/Key */
	S3XML_F_SIZE,		/* Contents/Size */
	S3XML_F_MTIME,		/* Contents/LastModified */
	S3XML_F_TRUNC,		/* IsTruncated */
	S3XML_F_TOKEN,		/* NextContinuationToken */
	S3XML_F_ENCODING,	/* EncodingType */
	S3XML_F_CODE,		/* Error/Code */
};

/* What a <Contents> had, as bits. */
#define S3XML_HAVE_KEY		0x1
#define S3XML_HAVE_SIZE		0x2
#define S3XML_HAVE_MTIME	0x4
#define S3XML_HAVE_ALL		0x7

/* The state of one parse, on the stack of s3xml_list() or of the error. */
struct s3xml_state {
	XML_Parser		 p;
	struct s3xml_page	*page;		/* NULL: reading an <Error> */
	enum s3xml_status	 status;
	int			 depth;		/* of the open element */
	int			 in_contents;	/* a <Contents> is open */
	unsigned int		 have;		/* S3XML_HAVE_* of it */
	enum s3xml_field	 field;

	/* The text of field goes to text, of textsz bytes with the NUL. */
	char			*text;
	size_t			 textsz, textlen;
	int			 over;		/* it did not fit */

	char			 size[32], mtime[64], trunc[8], encoding[8];
	int			 truncated, token_seen, token_over, url;
	char			*code;		/* s3xml_error_code()'s */
	size_t			 codesz;
	int			 code_seen;
};

/* Ends the parse with status; the first failure is the one kept. */
static void
s3xml_fail(struct s3xml_state *x, enum s3xml_status status)
{
	if (x->status == S3XML_OK)
		x->status = status;
	XML_StopParser(x->p, XML_FALSE);
}

/*
 * Whether expat's name ("URI local", or "local" in no namespace) is the
 * element want of S3's namespace.
 */
static int
s3xml_is(const XML_Char *name, const char *want)
{
	const char	*sep = strrchr(name, S3XML_NS_SEP);

	if (sep == NULL)
		return strcmp(name, want) == 0;
	return (size_t)(sep - name) == strlen(S3XML_NS) &&
	    strncmp(name, S3XML_NS, strlen(S3XML_NS)) == 0 &&
	    strcmp(sep + 1, want) == 0;
}

/* Starts keeping the text of field in buf. */
static void
s3xml_keep(struct s3xml_state *x, enum s3xml_field field, char *buf,
    size_t bufsz)
{
	x->field = field;
	x->text = buf;
	x->textsz = bufsz;
	x->textlen = 0;
	x->over = 0;
	buf[0] = '\0';
}

/* A <Contents> child: keeps its Key, Size and LastModified, once each. */
static void
s3xml_start_entry(struct s3xml_state *x, const XML_Char *name)
{
	struct s3xml_page	*pg = x->page;
	unsigned int		 bit;

	if (s3xml_is(name, "Key")) {
		bit = S3XML_HAVE_KEY;
		s3xml_keep(x, S3XML_F_KEY, pg->keys[pg->n],
		    sizeof(pg->keys[0]));
	} else if (s3xml_is(name, "Size")) {
		bit = S3XML_HAVE_SIZE;
		s3xml_keep(x, S3XML_F_SIZE, x->size, sizeof(x->size));
	} else if (s3xml_is(name, "LastModified")) {
		bit = S3XML_HAVE_MTIME;
		s3xml_keep(x, S3XML_F_MTIME, x->mtime, sizeof(x->mtime));
	} else
		return;
	if (x->have & bit)
		s3xml_fail(x, S3XML_BAD_ENTRY);
	x->have |= bit;
}

/* A child of the ListBucketResult. */
static void
s3xml_start_page(struct s3xml_state *x, const XML_Char *name)
{
	struct s3xml_page	*pg = x->page;

	if (s3xml_is(name, "Contents")) {
		if (pg->n >= STORE_LIST_PAGE) {
			s3xml_fail(x, S3XML_TOO_MANY);
			return;
		}
		x->in_contents = 1;
		x->have = 0;
	} else if (s3xml_is(name, "IsTruncated"))
		s3xml_keep(x, S3XML_F_TRUNC, x->trunc, sizeof(x->trunc));
	else if (s3xml_is(name, "NextContinuationToken")) {
		x->token_seen = 1;
		s3xml_keep(x, S3XML_F_TOKEN, pg->token, sizeof(pg->token));
	} else if (s3xml_is(name, "EncodingType"))
		s3xml_keep(x, S3XML_F_ENCODING, x->encoding,
		    sizeof(x->encoding));
}

/* expat's start handler of a listing. */
static void
s3xml_list_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct s3xml_state	*x = arg;

	(void)attrs;
	if (x->status != S3XML_OK)
		return;
	x->depth++;
	if (x->field != S3XML_F_NONE)		/* <Key>a<b/></Key> */
		s3xml_fail(x, S3XML_MALFORMED);
	else if (x->depth == 1 && !s3xml_is(name, "ListBucketResult"))
		s3xml_fail(x, S3XML_MALFORMED);
	else if (x->depth == 2)
		s3xml_start_page(x, name);
	else if (x->depth == 3 && x->in_contents)
		s3xml_start_entry(x, name);
}

/* expat's text handler: keeps what belongs to field, if it fits. */
static void
s3xml_text(void *arg, const XML_Char *s, int len)
{
	struct s3xml_state	*x = arg;

	if (x->status != S3XML_OK || x->field == S3XML_F_NONE || x->over)
		return;
	if ((size_t)len >= x->textsz - x->textlen) {
		if (x->field == S3XML_F_KEY)
			s3xml_fail(x, S3XML_KEY_TOO_LONG);
		x->over = 1;
		return;
	}
	memcpy(x->text + x->textlen, s, (size_t)len);
	x->textlen += (size_t)len;
	x->text[x->textlen] = '\0';
}

/* "2026-12-03T07:40:00.000Z" as a time, or 0. */
static time_t
s3xml_time(const char *s)
{
	struct tm	 tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* The </Contents>: the entry joins the page when it is whole. */
static void
s3xml_end_entry(struct s3xml_state *x)
{
	struct s3xml_page	*pg = x->page;
	struct store_entry	*e = &pg->ents[pg->n];
	const char		*errstr;

	x->in_contents = 0;
	if (x->have != S3XML_HAVE_ALL || pg->keys[pg->n][0] == '\0') {
		s3xml_fail(x, S3XML_BAD_ENTRY);
		return;
	}
	e->size = (off_t)strtonum(x->size, 0, LLONG_MAX, &errstr);
	if (errstr != NULL || (e->mtime = s3xml_time(x->mtime)) == 0) {
		s3xml_fail(x, S3XML_BAD_ENTRY);
		return;
	}
	e->key = pg->keys[pg->n++];
}

/* The end of a kept text. */
static void
s3xml_end_field(struct s3xml_state *x)
{
	switch (x->field) {
	case S3XML_F_SIZE:
	case S3XML_F_MTIME:
		if (x->over)
			s3xml_fail(x, S3XML_BAD_ENTRY);
		break;
	case S3XML_F_TRUNC:
		x->truncated = !x->over && strcmp(x->trunc, "true") == 0;
		break;
	case S3XML_F_TOKEN:
		x->token_over = x->over;
		break;
	case S3XML_F_ENCODING:
		x->url = !x->over && strcmp(x->encoding, "url") == 0;
		break;
	case S3XML_F_CODE:
		x->code_seen = !x->over;
		break;
	case S3XML_F_KEY:
	case S3XML_F_NONE:
		break;
	}
	x->field = S3XML_F_NONE;
}

/* expat's end handler of a listing. */
static void
s3xml_list_end(void *arg, const XML_Char *name)
{
	struct s3xml_state	*x = arg;

	(void)name;
	if (x->status != S3XML_OK)
		return;
	if (x->field != S3XML_F_NONE)
		s3xml_end_field(x);
	else if (x->depth == 2 && x->in_contents)
		s3xml_end_entry(x);
	x->depth--;
}

/* S3 sends no DOCTYPE; one could declare entities of its own. */
static void
s3xml_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal_subset;
	s3xml_fail(arg, S3XML_MALFORMED);
}

/* A parser whose handlers get x; NULL when out of memory. */
static XML_Parser
s3xml_parser(struct s3xml_state *x, XML_StartElementHandler start,
    XML_EndElementHandler end)
{
	if ((x->p = XML_ParserCreateNS(NULL, S3XML_NS_SEP)) == NULL)
		return NULL;
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, start, end);
	XML_SetCharacterDataHandler(x->p, s3xml_text);
	XML_SetStartDoctypeDeclHandler(x->p, s3xml_doctype);
	return x->p;
}

/* The value of hex digit c, or -1. */
static int
s3xml_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes the %XX of key in place, and '+' to a space as AWS writes it
 * (RGW writes %20; both write a '+' of the key as %2B).  Returns -1 for
 * a bad escape or a NUL.
 */
static int
s3xml_unescape(char *key)
{
	char	*in = key, *out = key;
	int	 hi, lo;

	for (; *in != '\0'; in++) {
		if (*in == '+') {
			*out++ = ' ';
			continue;
		}
		if (*in != '%') {
			*out++ = *in;
			continue;
		}
		if ((hi = s3xml_hex(in[1])) == -1 ||
		    (lo = s3xml_hex(in[2])) == -1 || (hi | lo) == 0)
			return -1;
		*out++ = (char)(hi << 4 | lo);
		in += 2;
	}
	*out = '\0';
	return 0;
}

/* Decodes the keys of an encoding-type=url page; then checks lengths. */
static enum s3xml_status
s3xml_list_keys(struct s3xml_state *x)
{
	struct s3xml_page	*pg = x->page;
	size_t			 i;

	for (i = 0; i < pg->n; i++) {
		if (x->url && s3xml_unescape(pg->keys[i]) == -1)
			return S3XML_BAD_ENTRY;
		if (strlen(pg->keys[i]) > S3XML_KEY_MAX)
			return S3XML_KEY_TOO_LONG;
	}
	return S3XML_OK;
}

/* What the page says of the next one, once the whole body is read. */
static enum s3xml_status
s3xml_list_token(struct s3xml_state *x)
{
	struct s3xml_page	*pg = x->page;

	if (!x->truncated) {
		pg->token[0] = '\0';
		return S3XML_OK;
	}
	if (!x->token_seen || x->token_over || pg->token[0] == '\0')
		return S3XML_NO_TOKEN;
	return S3XML_OK;
}

/*
 * Reads one ListBucketResult into page: its entries, and the token of
 * the next page ("" when this is the last).  page is the caller's; its
 * entries point into it.
 */
enum s3xml_status
s3xml_list(struct s3xml_page *page, const char *body, size_t len)
{
	struct s3xml_state	 x;
	enum s3xml_status	 rc;

	memset(&x, 0, sizeof(x));
	x.page = page;
	page->n = 0;
	page->token[0] = '\0';
	if (len > S3XML_BODY_MAX)
		return S3XML_TOO_BIG;
	if (s3xml_parser(&x, s3xml_list_start, s3xml_list_end) == NULL)
		return S3XML_NOMEM;
	if (XML_Parse(x.p, body, (int)len, XML_TRUE) != XML_STATUS_OK &&
	    x.status == S3XML_OK)
		x.status = XML_GetErrorCode(x.p) == XML_ERROR_NO_MEMORY ?
		    S3XML_NOMEM : S3XML_MALFORMED;
	XML_ParserFree(x.p);
	if ((rc = x.status) == S3XML_OK && (rc = s3xml_list_keys(&x)) ==
	    S3XML_OK)
		rc = s3xml_list_token(&x);
	if (rc != S3XML_OK) {
		page->n = 0;
		page->token[0] = '\0';
	}
	return rc;
}

/* expat's start handler of an <Error>: the first Code under the root. */
static void
s3xml_error_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct s3xml_state	*x = arg;

	(void)attrs;
	x->depth++;
	if (x->field != S3XML_F_NONE)
		s3xml_fail(x, S3XML_MALFORMED);
	else if (x->depth == 1 && !s3xml_is(name, "Error"))
		s3xml_fail(x, S3XML_MALFORMED);
	else if (x->depth == 2 && !x->code_seen && s3xml_is(name, "Code"))
		s3xml_keep(x, S3XML_F_CODE, x->code, x->codesz);
}

/* expat's end handler of an <Error>: stops once the code is known. */
static void
s3xml_error_end(void *arg, const XML_Char *name)
{
	struct s3xml_state	*x = arg;

	(void)name;
	x->depth--;
	if (x->field == S3XML_F_NONE)
		return;
	s3xml_end_field(x);
	if (x->code_seen)
		XML_StopParser(x->p, XML_FALSE);
}

/*
 * Finds the code of an <Error> in body.  The body is parsed as the
 * start of a document only: S3 error bodies are kept cut to a few KB.
 */
int
s3xml_error_code(const char *body, size_t len, char *code, size_t codesz)
{
	struct s3xml_state	 x;

	memset(&x, 0, sizeof(x));
	if (codesz == 0)
		return -1;
	code[0] = '\0';
	x.code = code;
	x.codesz = codesz;
	if (len > S3XML_BODY_MAX ||
	    s3xml_parser(&x, s3xml_error_start, s3xml_error_end) == NULL)
		return -1;
	(void)XML_Parse(x.p, body, (int)len, XML_FALSE);
	XML_ParserFree(x.p);
	if (!x.code_seen || x.status != S3XML_OK) {
		code[0] = '\0';
		return -1;
	}
	return 0;
}

/* Returns a constant string. */
const char *
s3xml_status_str(enum s3xml_status status)
{
	switch (status) {
	case S3XML_OK:
		return "ok";
	case S3XML_TOO_BIG:
		return "body too big";
	case S3XML_MALFORMED:
		return "not a well-formed ListBucketResult";
	case S3XML_BAD_ENTRY:
		return "an entry without its key, size or time, or badly %-encoded";
	case S3XML_KEY_TOO_LONG:
		return "key too long";
	case S3XML_TOO_MANY:
		return "more entries than a page";
	case S3XML_NO_TOKEN:
		return "truncated, but no usable token";
	case S3XML_NOMEM:
		return "out of memory";
	}
	return "?";
}
