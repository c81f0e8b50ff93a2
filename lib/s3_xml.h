/*
 * The XML that S3 answers with, read by libexpat: one page of a
 * ListObjectsV2 listing (a ListBucketResult), and the code of an <Error>.
 * Nothing here sends a request; lib/s3.c hands in the bodies.
 */
#ifndef S3_XML_H
#define S3_XML_H

#include <stddef.h>

#include "store.h"

#define S3XML_BODY_MAX	(16 << 20)	/* a page of 1000 keys, at most */
#define S3XML_KEY_MAX	1024		/* S3's own limit, in bytes */
#define S3XML_TOKEN_MAX	1024		/* a continuation token, with NUL */
/* A key as written in a page of encoding-type=url: each byte as %XX. */
#define S3XML_RAW_KEY_MAX (3 * S3XML_KEY_MAX)

/* What s3xml_list() made of a body. */
enum s3xml_status {
	S3XML_OK = 0,		/* the page is filled */
	S3XML_TOO_BIG,		/* the body is over S3XML_BODY_MAX */
	S3XML_MALFORMED,	/* not XML, a DOCTYPE, or no ListBucketResult */
	S3XML_BAD_ENTRY,	/* a <Contents> without its key, size or time,
				   or with a key that is badly %-encoded */
	S3XML_KEY_TOO_LONG,	/* a key of more than S3XML_KEY_MAX bytes */
	S3XML_TOO_MANY,		/* more than STORE_LIST_PAGE <Contents> */
	S3XML_NO_TOKEN,		/* truncated, but no usable token */
	S3XML_NOMEM,		/* no memory for the parser */
};

/*
 * One page of a listing.  About 3 MB: allocate it.  ents[i].key points
 * into keys[i], so both stay valid until the next s3xml_list() on it.
 * keys[i] has room for a key as a page of encoding-type=url has it.
 */
struct s3xml_page {
	size_t			 n;	/* entries in ents */
	char			 token[S3XML_TOKEN_MAX]; /* "": last page */
	struct store_entry	 ents[STORE_LIST_PAGE];
	char			 keys[STORE_LIST_PAGE][S3XML_RAW_KEY_MAX + 1];
};

/*
 * Reads the ListBucketResult of len bytes at body into page, which holds
 * nothing usable unless S3XML_OK comes back.  The keys of a page that
 * says <EncodingType>url</EncodingType> are %-decoded.  Never logs.
 */
enum s3xml_status s3xml_list(struct s3xml_page *, const char *body,
		    size_t len);

/*
 * Copies the <Code> of the S3 <Error> of len bytes at body into code
 * and returns 0; -1, with code "", when there is none or it does not fit
 * codesz.  The body may be cut short after the code.
 */
int		 s3xml_error_code(const char *body, size_t len, char *code,
		    size_t codesz);

/* A short name for a status, for the log ("key too long"). */
const char	*s3xml_status_str(enum s3xml_status);

#endif
