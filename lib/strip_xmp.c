/*
 * XMP: the location properties of a packet blanked in place with
 * spaces, so it keeps its length and stays well-formed XML, under
 * their conventional prefixes or the ones a packet binds.
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr.h"
#include "strip.h"
#include "strip_int.h"

/*
 * XMP properties that say where a photo was taken, under the namespaces'
 * conventional prefixes (strip_ns maps other prefixes a packet binds to
 * them).  With prefix set, any property whose name starts so
 * ("exif:GPSLatitude").
 */
static const struct {
	const char	*name;
	int		 prefix;
} strip_props[] = {
	{ "exif:GPS", 1 },
	{ "exifEX:GPS", 1 },
	{ "drone-dji:Gps", 1 },
	/* Not XMP, but ImageMagick names PNG text chunks so. */
	{ "xmp:GPS", 1 },
	{ "photoshop:City", 0 },
	{ "photoshop:State", 0 },
	{ "photoshop:Country", 0 },
	{ "Iptc4xmpCore:Location", 0 },
	{ "Iptc4xmpCore:CountryCode", 0 },
	{ "Iptc4xmpExt:LocationShown", 0 },
	{ "Iptc4xmpExt:LocationCreated", 0 },
};

/* The namespaces of strip_props, and their conventional prefixes. */
static const struct {
	const char	*uri;
	const char	*prefix;
} strip_ns[] = {
	{ "http://ns.adobe.com/exif/1.0/", "exif" },
	{ "http://cipa.jp/exif/1.0/", "exifEX" },
	{ "http://www.dji.com/drone-dji/1.0/", "drone-dji" },
	{ "http://ns.adobe.com/photoshop/1.0/", "photoshop" },
	{ "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/", "Iptc4xmpCore" },
	{ "http://iptc.org/std/Iptc4xmpExt/2008-02-29/", "Iptc4xmpExt" },
};

/* Other prefixes one packet binds to the namespaces of strip_ns. */
#define STRIP_ALIAS_MAX	16
#define STRIP_ALIAS_LEN	32
struct strip_alias {
	char		 name[STRIP_ALIAS_MAX][STRIP_ALIAS_LEN];
	const char	*conv[STRIP_ALIAS_MAX];	/* the conventional one */
	size_t		 n;
};


static int
strip_namechar(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
}

/*
 * The length of the location property name at p, or 0.  conv, when not
 * NULL, is the conventional prefix that the alias at p, of alen bytes
 * and its ':', stands for.
 */
static size_t
strip_prop_match(const unsigned char *p, size_t n, const char *conv,
    size_t alen)
{
	const char	*name;
	size_t		 i, l, skip = 0;

	for (i = 0; i < sizeof(strip_props) / sizeof(strip_props[0]); i++) {
		name = strip_props[i].name;
		if (conv != NULL) {
			/* Compare the local names after the prefixes. */
			skip = strlen(conv);
			if (strncmp(name, conv, skip) != 0 || name[skip] != ':')
				continue;
			name += skip + 1;
			skip = alen + 1;
		}
		l = strlen(name);
		if (l > n - skip || memcmp(p + skip, name, l) != 0)
			continue;
		l += skip;
		if (strip_props[i].prefix)
			while (l < n && strip_namechar(p[l]))
				l++;
		else if (l < n && strip_namechar(p[l]))
			continue;
		return l;
	}
	return 0;
}

/* The length of the location property name at p, or 0. */
size_t
strip_prop_at(const unsigned char *p, size_t n)
{
	return strip_prop_match(p, n, NULL, 0);
}

/* As strip_prop_at(), and under the aliases of a. */
static size_t
strip_prop_alias_at(const unsigned char *p, size_t n,
    const struct strip_alias *a)
{
	size_t	 i, l, r;

	if ((r = strip_prop_at(p, n)) != 0)
		return r;
	for (i = 0; i < a->n; i++) {
		l = strlen(a->name[i]);
		if (l + 1 < n && memcmp(p, a->name[i], l) == 0 && p[l] == ':' &&
		    (r = strip_prop_match(p, n, a->conv[i], l)) != 0)
			return r;
	}
	return 0;
}

/* Notes the binding "xmlns:PFX='URI'" at p when URI is in strip_ns. */
static void
strip_alias_add(const unsigned char *p, size_t n, struct strip_alias *a)
{
	const unsigned char	*q;
	size_t			 l, j, k;

	for (l = 0; l < n && strip_namechar(p[l]) && p[l] != ':'; l++)
		continue;
	if (l == 0 || l >= STRIP_ALIAS_LEN || a->n == STRIP_ALIAS_MAX)
		return;
	for (j = l; j < n && isspace(p[j]); j++)
		continue;
	if (j >= n || p[j++] != '=')
		return;
	while (j < n && isspace(p[j]))
		j++;
	if (j >= n || (p[j] != '"' && p[j] != '\'') ||
	    (q = memchr(p + j + 1, p[j], n - j - 1)) == NULL)
		return;
	for (k = 0; k < sizeof(strip_ns) / sizeof(strip_ns[0]); k++) {
		if ((size_t)(q - p - j - 1) != strlen(strip_ns[k].uri) ||
		    memcmp(p + j + 1, strip_ns[k].uri, q - p - j - 1) != 0 ||
		    (strlen(strip_ns[k].prefix) == l &&
		    memcmp(p, strip_ns[k].prefix, l) == 0))
			continue;
		memcpy(a->name[a->n], p, l);
		a->name[a->n][l] = '\0';
		a->conv[a->n++] = strip_ns[k].prefix;
		return;
	}
}

/* Finds the prefixes the packet binds to location namespaces. */
static void
strip_alias_find(const unsigned char *p, size_t n, struct strip_alias *a)
{
	const unsigned char	*x = p, *end = p + n;

	a->n = 0;
	while ((x = memmem(x, end - x, "xmlns:", 6)) != NULL) {
		x += 6;
		strip_alias_add(x, end - x, a);
	}
}

/* The index just past the '>' ending the tag that starts at i, or n. */
static size_t
strip_tag_end(const unsigned char *p, size_t n, size_t i)
{
	unsigned char	 q = 0;

	for (; i < n; i++) {
		if (q != 0) {
			if (p[i] == q)
				q = 0;
		} else if (p[i] == '"' || p[i] == '\'')
			q = p[i];
		else if (p[i] == '>')
			return i + 1;
	}
	return n;
}

/* The index just past "</name>" at or after i, or n when there is none. */
static size_t
strip_close_end(const unsigned char *p, size_t n, size_t i,
    const unsigned char *name, size_t nl)
{
	size_t	 j;

	for (; i + 2 + nl <= n; i++) {
		if (p[i] != '<' || p[i + 1] != '/' ||
		    memcmp(p + i + 2, name, nl) != 0)
			continue;
		j = i + 2 + nl;
		while (j < n && isspace(p[j]))
			j++;
		if (j < n && p[j] == '>')
			return j + 1;
	}
	return n;
}

/*
 * An element <name ...>...</name> starting at i (p[i] is '<'): the index
 * past its end, or n when it never ends (then all the rest goes).
 */
static size_t
strip_element_end(const unsigned char *p, size_t n, size_t i, size_t nl)
{
	size_t	 end = strip_tag_end(p, n, i + 1 + nl);

	if (end >= 2 && p[end - 2] == '/' && p[end - 1] == '>')
		return end;
	return strip_close_end(p, n, end, p + i + 1, nl);
}

/*
 * An attribute name="value" whose name starts at i: the index past the
 * closing quote, or 0 when what follows the name is no attribute value.
 */
static size_t
strip_attr_end(const unsigned char *p, size_t n, size_t i, size_t nl)
{
	const unsigned char	*q;
	size_t			 j = i + nl;

	while (j < n && isspace(p[j]))
		j++;
	if (j >= n || p[j] != '=')
		return 0;
	j++;
	while (j < n && isspace(p[j]))
		j++;
	if (j >= n || (p[j] != '"' && p[j] != '\''))
		return 0;
	q = memchr(p + j + 1, p[j], n - j - 1);
	return q == NULL ? n : (size_t)(q - p) + 1;
}

size_t
strip_xmp(unsigned char *p, size_t n)
{
	struct strip_alias	 a;
	size_t			 i, nl, end, count = 0;

	strip_alias_find(p, n, &a);
	for (i = 1; i < n; i++) {
		/* A name starts after '<' or a space, with a letter. */
		if ((p[i - 1] != '<' && !isspace(p[i - 1])) ||
		    !isalpha(p[i]) ||
		    (nl = strip_prop_alias_at(p + i, n - i, &a)) == 0)
			continue;
		if (p[i - 1] == '<')
			end = strip_element_end(p, n, --i, nl);
		else if (isspace(p[i - 1]))
			end = strip_attr_end(p, n, i, nl);
		else
			continue;
		if (end == 0)
			continue;
		memset(p + i, ' ', end - i);
		count++;
		/*
		 * On at end itself, which follows a space now: a property
		 * right after the quote that closed this one ("'1'exif:")
		 * is found in this pass, not only in the next one.
		 */
		i = end - 1;
	}
	return count;
}

/*
 * Appends the n bytes at p, then blanks the location in the copy's bytes
 * from skip on (the XMP after its header).
 */
void
strip_put_xmp(struct strip_out *o, const unsigned char *p, size_t n,
    size_t skip)
{
	size_t	 at = o->len;

	strip_put(o, p, n);
	if (!o->nomem && skip < n)
		strip_xmp(o->p + at + skip, n - skip);
}
