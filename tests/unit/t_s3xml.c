/*
 * The readers of S3's XML (lib/s3_xml.c), on bodies written out here:
 * tables of listing pages and error bodies, each with what must come
 * out of it.  No server needed.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "s3_xml.h"
#include "tap.h"

#define DECL	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
#define ROOT	"<ListBucketResult " \
		"xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" \
		"<Name>imghost</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys>"
#define END	"</ListBucketResult>"
#define WHEN	"<LastModified>2026-12-03T07:40:00.000Z</LastModified>"
#define T_WHEN	1796283600	/* WHEN as a time_t */
/* One <Contents> of key k (as written in XML), 5 bytes. */
#define ENTRY(k) "<Contents><Key>" k "</Key>" WHEN "<ETag>&quot;x&quot;" \
		"</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass>" \
		"</Contents>"
#define NOT_TRUNC "<IsTruncated>false</IsTruncated>"

#define NONE	{ NULL }, ""	/* the keys and token of a failure */

/* A body, and the page or the status that must come of it. */
struct list_case {
	const char		*name;
	const char		*body;
	enum s3xml_status	 want;
	const char		*keys[4];	/* NULL-terminated, when OK */
	const char		*token;		/* when OK */
};

static const struct list_case list_cases[] = {
	{ "empty listing", DECL ROOT "<KeyCount>0</KeyCount>" NOT_TRUNC END,
	    S3XML_OK, { NULL }, "" },
	{ "predefined entities in a key",
	    DECL ROOT ENTRY("a&amp;b&lt;c&gt;&apos;d&quot;.txt") NOT_TRUNC END,
	    S3XML_OK, { "a&b<c>'d\".txt" }, "" },
	{ "a CDATA key, and entities beside one",
	    DECL ROOT ENTRY("<![CDATA[c&d<e>]]>") ENTRY("x&amp;<![CDATA[&]]>")
	    NOT_TRUNC END,
	    S3XML_OK, { "c&d<e>", "x&&" }, "" },
	{ "numeric character references, ASCII and not",
	    DECL ROOT ENTRY("&#x41;&#66;&#13;&#9;&#xFC;") NOT_TRUNC END,
	    S3XML_OK, { "AB\r\t\xc3\xbc" }, "" },
	{ "a comment inside a key",
	    DECL ROOT ENTRY("a<!-- x -->b") NOT_TRUNC END,
	    S3XML_OK, { "ab" }, "" },
	{ "raw UTF-8 and a slash",
	    DECL ROOT ENTRY("dir/\xc3\xbc.jpg") NOT_TRUNC END,
	    S3XML_OK, { "dir/\xc3\xbc.jpg" }, "" },
	{ "ISO-8859-1 comes out as UTF-8",
	    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" ROOT
	    ENTRY("\xfc") NOT_TRUNC END,
	    S3XML_OK, { "\xc3\xbc" }, "" },
	{ "a namespace prefix",
	    DECL "<s3:ListBucketResult xmlns:s3=\"http://s3.amazonaws.com/doc/"
	    "2006-03-01/\"><s3:Contents><s3:Key>p</s3:Key><s3:Size>5</s3:Size>"
	    "<s3:LastModified>2026-12-03T07:40:00.000Z</s3:LastModified>"
	    "</s3:Contents></s3:ListBucketResult>",
	    S3XML_OK, { "p" }, "" },
	{ "no namespace at all",
	    "<ListBucketResult>" ENTRY("n") "</ListBucketResult>",
	    S3XML_OK, { "n" }, "" },
	{ "encoding-type=url: %-escapes and '+' decoded",
	    DECL ROOT "<EncodingType>url</EncodingType>"
	    ENTRY("ctl%2Fa%01b") ENTRY("a%26b%3Cc%3E%27d%22.txt")
	    ENTRY("%C3%BC+sp%2Bplus%20%0D%09") NOT_TRUNC END,
	    S3XML_OK, { "ctl/a\001b", "a&b<c>'d\".txt", "\xc3\xbc sp+plus \r\t" },
	    "" },
	{ "encoding-type=url said after the entries, as AWS does",
	    DECL ROOT ENTRY("a%2Fb") NOT_TRUNC "<EncodingType>url"
	    "</EncodingType>" END, S3XML_OK, { "a/b" }, "" },
	{ "no EncodingType: a key's '%' and '+' are its own",
	    DECL ROOT ENTRY("%41%2F+.webp") NOT_TRUNC END,
	    S3XML_OK, { "%41%2F+.webp" }, "" },
	{ "encoding-type=url: a cut escape",
	    DECL ROOT "<EncodingType>url</EncodingType>" ENTRY("a%4") END,
	    S3XML_BAD_ENTRY, NONE },
	{ "encoding-type=url: a bad escape",
	    DECL ROOT "<EncodingType>url</EncodingType>" ENTRY("a%g1") END,
	    S3XML_BAD_ENTRY, NONE },
	{ "encoding-type=url: a NUL",
	    DECL ROOT "<EncodingType>url</EncodingType>" ENTRY("a%00b") END,
	    S3XML_BAD_ENTRY, NONE },
	{ "truncated, with a continuation token",
	    DECL ROOT ENTRY("k1") ENTRY("k2") "<IsTruncated>true</IsTruncated>"
	    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4v"
	    "bOwM=</NextContinuationToken>" END,
	    S3XML_OK, { "k1", "k2" },
	    "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=" },
	{ "an entity in the token",
	    DECL ROOT "<IsTruncated>true</IsTruncated><NextContinuationToken>"
	    "a&amp;b</NextContinuationToken>" END,
	    S3XML_OK, { NULL }, "a&b" },
	{ "a token on the last page is not followed",
	    DECL ROOT ENTRY("k") NOT_TRUNC "<NextContinuationToken>t"
	    "</NextContinuationToken>" END,
	    S3XML_OK, { "k" }, "" },
	{ "truncated, without a token",
	    DECL ROOT ENTRY("k") "<IsTruncated>true</IsTruncated>" END,
	    S3XML_NO_TOKEN, NONE },
	{ "truncated, with an empty token",
	    DECL ROOT "<IsTruncated>true</IsTruncated><NextContinuationToken/>"
	    END, S3XML_NO_TOKEN, NONE },
	{ "an entry without a size",
	    DECL ROOT "<Contents><Key>k</Key>" WHEN "</Contents>" END,
	    S3XML_BAD_ENTRY, NONE },
	{ "an entry without a time",
	    DECL ROOT "<Contents><Key>k</Key><Size>1</Size></Contents>" END,
	    S3XML_BAD_ENTRY, NONE },
	{ "an empty key", DECL ROOT ENTRY("") END, S3XML_BAD_ENTRY, NONE },
	{ "two keys in one entry",
	    DECL ROOT "<Contents><Key>a</Key><Key>b</Key><Size>1</Size>" WHEN
	    "</Contents>" END, S3XML_BAD_ENTRY, NONE },
	{ "a negative size",
	    DECL ROOT "<Contents><Key>k</Key><Size>-1</Size>" WHEN
	    "</Contents>" END, S3XML_BAD_ENTRY, NONE },
	{ "a size that is no number",
	    DECL ROOT "<Contents><Key>k</Key><Size>5x</Size>" WHEN
	    "</Contents>" END, S3XML_BAD_ENTRY, NONE },
	{ "a time that is no time",
	    DECL ROOT "<Contents><Key>k</Key><Size>1</Size><LastModified>"
	    "yesterday</LastModified></Contents>" END, S3XML_BAD_ENTRY, NONE },
	{ "an element inside a key",
	    DECL ROOT ENTRY("a<b/>c") END, S3XML_MALFORMED, NONE },
	{ "cut short", DECL ROOT ENTRY("k"), S3XML_MALFORMED, NONE },
	{ "an empty body", "", S3XML_MALFORMED, NONE },
	{ "HTML", "<html><body>502 Bad Gateway</body></html>",
	    S3XML_MALFORMED, NONE },
	{ "an <Error>", DECL "<Error><Code>AccessDenied</Code></Error>",
	    S3XML_MALFORMED, NONE },
	{ "another namespace",
	    "<ListBucketResult xmlns=\"urn:other\">" ENTRY("k") END,
	    S3XML_MALFORMED, NONE },
	{ "an unknown entity", DECL ROOT ENTRY("a&nbsp;b") END,
	    S3XML_MALFORMED, NONE },
	{ "a control character reference", DECL ROOT ENTRY("a&#1;b") END,
	    S3XML_MALFORMED, NONE },
	{ "a raw NUL", DECL ROOT "<Contents><Key>a\0b", S3XML_MALFORMED, NONE },
	{ "a DOCTYPE with an entity of its own",
	    DECL "<!DOCTYPE l [<!ENTITY e \"x\">]>" ROOT ENTRY("&e;") END,
	    S3XML_MALFORMED, NONE },
};

/* Whether page holds exactly c's keys, each 5 bytes at T_WHEN. */
static int
page_is(const struct s3xml_page *pg, const struct list_case *c)
{
	size_t	 i;

	for (i = 0; i < pg->n; i++)
		if (c->keys[i] == NULL || strcmp(pg->ents[i].key, c->keys[i]) ||
		    pg->ents[i].size != 5 || pg->ents[i].mtime != T_WHEN)
			return 0;
	return c->keys[i] == NULL && strcmp(pg->token, c->token) == 0;
}

static void
t_list_cases(struct s3xml_page *pg)
{
	const struct list_case	*c;
	enum s3xml_status	 rc;
	size_t			 i, len;

	for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		c = &list_cases[i];
		/* The raw NUL case runs on past its terminator. */
		len = strlen(c->body);
		if (strcmp(c->name, "a raw NUL") == 0)
			len += 1 + strlen(c->body + len + 1);
		rc = s3xml_list(pg, c->body, len);
		ok(rc == c->want && (rc != S3XML_OK || page_is(pg, c)) &&
		    (rc == S3XML_OK || (pg->n == 0 && pg->token[0] == '\0')),
		    "list: %s: %s", c->name, s3xml_status_str(rc));
	}
}

/* A page of n entries whose keys are klen bytes of 'k'; free it. */
static char *
page_of(size_t n, size_t klen)
{
	char	*b, *k, *p;
	size_t	 i, sz = 256 + n * (klen + 200);

	if ((b = malloc(sz)) == NULL || (k = malloc(klen + 1)) == NULL)
		abort();
	memset(k, 'k', klen);
	k[klen] = '\0';
	p = b + snprintf(b, sz, "%s", DECL ROOT);
	for (i = 0; i < n; i++)
		p += snprintf(p, sz - (size_t)(p - b), "<Contents><Key>%s%zu"
		    "</Key><Size>%zu</Size>" WHEN "</Contents>", k, i, i);
	snprintf(p, sz - (size_t)(p - b), "%s", NOT_TRUNC END);
	free(k);
	return b;
}

/* An encoding-type=url page of one key: klen bytes of 0xff, as %FF. */
static void
t_list_url_key(struct s3xml_page *pg, size_t klen, enum s3xml_status want)
{
	char	*b, *p;
	size_t	 i, sz = 512 + 3 * klen;

	if ((b = malloc(sz)) == NULL)
		abort();
	p = b + snprintf(b, sz, "%s<EncodingType>url</EncodingType>"
	    "<Contents><Key>", DECL ROOT);
	for (i = 0; i < klen; i++)
		p = stpcpy(p, "%FF");
	snprintf(p, sz - (size_t)(p - b), "</Key><Size>1</Size>%s",
	    WHEN "</Contents>" END);
	ok(s3xml_list(pg, b, strlen(b)) == want && (want != S3XML_OK ||
	    (pg->n == 1 && strlen(pg->ents[0].key) == klen &&
	    (unsigned char)pg->ents[0].key[klen - 1] == 0xff)),
	    "list: a %%-encoded key of %zu bytes: %s", klen,
	    s3xml_status_str(want));
	free(b);
}

static void
t_list_url_bounds(struct s3xml_page *pg)
{
	t_list_url_key(pg, S3XML_KEY_MAX, S3XML_OK);
	t_list_url_key(pg, S3XML_KEY_MAX + 1, S3XML_KEY_TOO_LONG);
}

static void
t_list_bounds(struct s3xml_page *pg)
{
	char		*b;
	size_t		 big = S3XML_BODY_MAX + 1;
	enum s3xml_status rc;

	b = page_of(STORE_LIST_PAGE, 8);
	rc = s3xml_list(pg, b, strlen(b));
	ok(rc == S3XML_OK && pg->n == STORE_LIST_PAGE &&
	    strcmp(pg->ents[999].key, "kkkkkkkk999") == 0 &&
	    pg->ents[999].size == 999, "list: a full page of %d entries",
	    STORE_LIST_PAGE);
	free(b);
	b = page_of(STORE_LIST_PAGE + 1, 8);
	ok(s3xml_list(pg, b, strlen(b)) == S3XML_TOO_MANY && pg->n == 0,
	    "list: one entry more than a page is refused");
	free(b);
	/* page_of() appends the entry's number, one digit here. */
	b = page_of(1, S3XML_KEY_MAX - 1);
	ok(s3xml_list(pg, b, strlen(b)) == S3XML_OK &&
	    strlen(pg->ents[0].key) == S3XML_KEY_MAX,
	    "list: a key of %d bytes", S3XML_KEY_MAX);
	free(b);
	b = page_of(1, S3XML_KEY_MAX);
	ok(s3xml_list(pg, b, strlen(b)) == S3XML_KEY_TOO_LONG,
	    "list: a key of %d bytes is refused", S3XML_KEY_MAX + 1);
	free(b);
	b = page_of(1, S3XML_RAW_KEY_MAX);
	ok(s3xml_list(pg, b, strlen(b)) == S3XML_KEY_TOO_LONG,
	    "list: a key of %d bytes is refused while read",
	    S3XML_RAW_KEY_MAX + 1);
	free(b);
	t_list_url_bounds(pg);
	if ((b = malloc(big)) == NULL)
		abort();
	memset(b, ' ', big);
	ok(s3xml_list(pg, b, big) == S3XML_TOO_BIG,
	    "list: a body over %d bytes is refused unread", S3XML_BODY_MAX);
	free(b);
}

/* A UTF-16 document: expat reads the byte order mark. */
static void
t_list_utf16(struct s3xml_page *pg)
{
	const char	*ascii = "<ListBucketResult><Contents><Key>u@</Key>"
	    "<Size>5</Size>" WHEN "</Contents></ListBucketResult>";
	char		 b[512];
	size_t		 i, n = 0;

	b[n++] = (char)0xff;
	b[n++] = (char)0xfe;
	for (i = 0; ascii[i] != '\0'; i++) {
		/* '@' stands for U+00FC. */
		b[n++] = ascii[i] == '@' ? (char)0xfc : ascii[i];
		b[n++] = '\0';
	}
	ok(s3xml_list(pg, b, n) == S3XML_OK && pg->n == 1 &&
	    strcmp(pg->ents[0].key, "u\xc3\xbc") == 0,
	    "list: UTF-16 comes out as UTF-8");
}

/* An error body, and the code that must come of it ("": none). */
struct error_case {
	const char	*name;
	const char	*body;
	size_t		 codesz;
	const char	*code;
};

static const struct error_case error_cases[] = {
	{ "RGW's", DECL "<Error><Code>NoSuchKey</Code><BucketName>b"
	    "</BucketName><RequestId>tx0</RequestId><HostId>h</HostId></Error>",
	    64, "NoSuchKey" },
	{ "cut short after the code",
	    DECL "<Error><Code>SlowDown</Code><Message>Please red", 64,
	    "SlowDown" },
	{ "an entity in the code", "<Error><Code>A&amp;B</Code></Error>",
	    64, "A&B" },
	{ "in S3's namespace", "<Error xmlns=\"http://s3.amazonaws.com/doc/"
	    "2006-03-01/\"><Code>AccessDenied</Code></Error>", 64,
	    "AccessDenied" },
	{ "a code too long", "<Error><Code>0123456789</Code></Error>", 10,
	    "" },
	{ "a code that just fits", "<Error><Code>012345678</Code></Error>",
	    10, "012345678" },
	{ "no code", "<Error><Message>no</Message></Error>", 64, "" },
	{ "cut short inside the code", "<Error><Code>NoSuch", 64, "" },
	{ "not an <Error>", "<html><Code>x</Code></html>", 64, "" },
	{ "not XML", "Service Unavailable", 64, "" },
	{ "empty", "", 64, "" },
};

static void
t_error_cases(void)
{
	const struct error_case	*c;
	char			 code[64];
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		c = &error_cases[i];
		memset(code, 'x', sizeof(code));
		rc = s3xml_error_code(c->body, strlen(c->body), code,
		    c->codesz);
		ok(rc == (*c->code != '\0' ? 0 : -1) &&
		    strcmp(code, c->code) == 0, "error: %s: \"%s\"", c->name,
		    code);
	}
}

int
main(void)
{
	struct s3xml_page	*pg;

	if ((pg = calloc(1, sizeof(*pg))) == NULL)
		return 1;
	t_list_cases(pg);
	t_list_bounds(pg);
	t_list_utf16(pg);
	t_error_cases();
	free(pg);
	return tap_done();
}
