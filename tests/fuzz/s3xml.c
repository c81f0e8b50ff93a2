/*
 * libFuzzer harness for the readers of S3's XML (lib/s3_xml.c).  The
 * input is a listing body, and an error body as well.  Besides "no
 * crash", it checks what the readers promise:
 *
 *  - a failure leaves an empty page; a page holds at most
 *    STORE_LIST_PAGE entries, each with a key of 1 to S3XML_KEY_MAX
 *    bytes, a size >= 0 and a time;
 *  - in an input without entities, CDATA, comments, processing
 *    instructions, CR, '%', '+' or bytes beyond ASCII, every key, the
 *    token and the error code are the input's own bytes between '>' and
 *    '<';
 *  - a page written back as XML (keys %-encoded under
 *    <EncodingType>url</EncodingType>, the token escaped) reads back the
 *    same.
 */
#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "s3_xml.h"

static struct s3xml_page	 page, again;

/* Whether the input's text can only be its bytes as they are. */
static int
fuzz_plain(const uint8_t *d, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (d[i] == 0 || d[i] > 0x7f || strchr("&\r%+", d[i]) != NULL)
			return 0;
		if (d[i] == '<' && i + 1 < n && (d[i + 1] == '!' ||
		    (d[i + 1] == '?' && i > 0)))
			return 0;
	}
	return 1;
}

/* Whether ">s<" is in the input. */
static int
fuzz_between(const uint8_t *d, size_t n, const char *s)
{
	size_t	 len = strlen(s), i;

	for (i = 0; i + len + 2 <= n; i++)
		if (d[i] == '>' && d[i + 1 + len] == '<' &&
		    memcmp(d + i + 1, s, len) == 0)
			return 1;
	return 0;
}

/* Appends s to b, escaped for XML text. */
static char *
fuzz_escape(char *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			b = stpcpy(b, "&amp;");
			break;
		case '<':
			b = stpcpy(b, "&lt;");
			break;
		case '>':
			b = stpcpy(b, "&gt;");
			break;
		case '\r':
			b = stpcpy(b, "&#13;");
			break;
		default:
			*b++ = *s;
		}
	}
	*b = '\0';
	return b;
}

/* Appends key to b, %-encoded as S3's encoding-type=url does. */
static char *
fuzz_url(char *b, const char *key)
{
	const unsigned char	*k = (const unsigned char *)key;

	for (; *k != '\0'; k++) {
		if ((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
		    strchr("-._~/", *k) != NULL)
			*b++ = (char)*k;
		else
			b += sprintf(b, "%%%02X", *k);
	}
	*b = '\0';
	return b;
}

/*
 * Writes pg as a ListBucketResult; NULL when a time has no four-digit
 * year (so could not be read back) or out of memory.  Free it.
 */
static char *
fuzz_write(const struct s3xml_page *pg, size_t *len)
{
	char		*b, *p;
	struct tm	 tm;
	size_t		 i, sz = 256 + 6 * S3XML_TOKEN_MAX +
	    pg->n * (6 * S3XML_KEY_MAX + 256);

	if ((b = p = malloc(sz)) == NULL)
		return NULL;
	p = stpcpy(p, "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/"
	    "2006-03-01/\"><EncodingType>url</EncodingType>");
	for (i = 0; i < pg->n; i++) {
		if (gmtime_r(&pg->ents[i].mtime, &tm) == NULL ||
		    tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
			free(b);
			return NULL;
		}
		p = stpcpy(p, "<Contents><Key>");
		p = fuzz_url(p, pg->ents[i].key);
		p += sprintf(p, "</Key><Size>%lld</Size><LastModified>"
		    "%04d-%02d-%02dT%02d:%02d:%02d.000Z</LastModified>"
		    "</Contents>", (long long)pg->ents[i].size,
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
	}
	if (pg->token[0] != '\0') {
		p = stpcpy(p, "<IsTruncated>true</IsTruncated>"
		    "<NextContinuationToken>");
		p = fuzz_escape(p, pg->token);
		p = stpcpy(p, "</NextContinuationToken>");
	}
	p = stpcpy(p, "</ListBucketResult>");
	*len = (size_t)(p - b);
	return b;
}

/* What s3xml_list() promises of any page it fills. */
static void
fuzz_check_page(const struct s3xml_page *pg, enum s3xml_status rc)
{
	size_t	 i, len;

	if (rc != S3XML_OK) {
		if (pg->n != 0 || pg->token[0] != '\0')
			__builtin_trap();
		return;
	}
	if (pg->n > STORE_LIST_PAGE ||
	    memchr(pg->token, '\0', sizeof(pg->token)) == NULL)
		__builtin_trap();
	for (i = 0; i < pg->n; i++) {
		len = strlen(pg->keys[i]);
		if (pg->ents[i].key != pg->keys[i] || len == 0 ||
		    len > S3XML_KEY_MAX || pg->ents[i].size < 0 ||
		    pg->ents[i].mtime == 0)
			__builtin_trap();
	}
}

/* The page, written back and read again, is the same page. */
static void
fuzz_round_trip(const struct s3xml_page *pg)
{
	char	*b;
	size_t	 len, i;

	if ((b = fuzz_write(pg, &len)) == NULL)
		return;
	if (s3xml_list(&again, b, len) != S3XML_OK || again.n != pg->n ||
	    strcmp(again.token, pg->token) != 0)
		__builtin_trap();
	for (i = 0; i < pg->n; i++)
		if (strcmp(again.ents[i].key, pg->ents[i].key) != 0 ||
		    again.ents[i].size != pg->ents[i].size ||
		    again.ents[i].mtime != pg->ents[i].mtime)
			__builtin_trap();
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum s3xml_status	 rc;
	char			 code[64];
	size_t			 i;
	int			 plain = fuzz_plain(data, size);

	rc = s3xml_list(&page, (const char *)data, size);
	if ((unsigned int)rc > S3XML_NOMEM)
		__builtin_trap();
	fuzz_check_page(&page, rc);
	if (rc == S3XML_OK && plain) {
		for (i = 0; i < page.n; i++)
			if (!fuzz_between(data, size, page.ents[i].key))
				__builtin_trap();
		if (page.token[0] != '\0' &&
		    !fuzz_between(data, size, page.token))
			__builtin_trap();
	}
	if (rc == S3XML_OK)
		fuzz_round_trip(&page);

	if (s3xml_error_code((const char *)data, size, code,
	    sizeof(code)) == 0) {
		if (memchr(code, '\0', sizeof(code)) == NULL ||
		    (plain && code[0] != '\0' &&
		    !fuzz_between(data, size, code)))
			__builtin_trap();
	} else if (code[0] != '\0')
		__builtin_trap();
	return 0;
}
