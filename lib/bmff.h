/*
 * The meta box of an ISO BMFF image file (HEIF, HEIC, AVIF; ISO/IEC
 * 23008-12): its items, where their bytes lie, their properties and
 * references, read without trusting a count or a length.  Probing
 * (bmff_walk, for lib/img_walk.c) and stripping (lib/strip_bmff.c) share
 * it.
 */
#ifndef BMFF_H
#define BMFF_H

#include <stddef.h>
#include <stdint.h>

struct img_hdr;

/*
 * Fixed caps, so that memory does not follow a count the file claims.
 * A phone's 48 MP HEIC has about 200 tile items; a file over a cap is
 * refused.
 */
#define BMFF_ITEMS_MAX		1024
#define BMFF_EXTENTS_MAX	4096
#define BMFF_PROPS_MAX		1024
#define BMFF_TILES_MAX		BMFF_ITEMS_MAX

enum bmff_status {
	BMFF_OK = 0,	/* *b describes the file's meta box */
	BMFF_BAD,	/* no ftyp first, no meta, a box or field that lies,
			   or over a cap */
};

/* One extent of an item, as its iloc entry gives it. */
struct bmff_extent {
	uint64_t	 off;	/* from the base offset */
	uint64_t	 len;	/* 0: to the end of the file or idat */
};

struct bmff_item {
	uint32_t	 id;
	uint8_t		 type[4];	/* "hvc1", "av01", "grid", "Exif",
					   "mime"; zeros before infe v2 */
	int		 xmp;		/* mime, application/rdf+xml */
	int		 encoded;	/* mime with a content encoding */
	int		 located;	/* an iloc entry was seen */
	int		 method;	/* iloc construction method: 0 file
					   offsets, 1 idat, 2 item */
	uint64_t	 base;		/* base offset */
	size_t		 ext;		/* the first of its extents */
	size_t		 next;		/* how many */
	int		 ispe;		/* has an ispe property */
	uint32_t	 width;
	uint32_t	 height;
	int		 orient;	/* EXIF 1..8 of its irot and imir, in
					   association order; 0: none */
	int		 alpha_aux;	/* auxC with an alpha URN */
	int		 auxl_primary;	/* iref auxl to the primary item */
};

/* A property in ipco, by its place in p. */
struct bmff_prop {
	size_t		 at;	/* the box */
	size_t		 data;	/* its payload */
	size_t		 dlen;
};

/* The meta box: heap state of about 200 KB, whatever the input. */
struct bmff {
	const uint8_t		*p;
	size_t			 len;
	int			 pict;		/* hdlr is "pict" */
	int			 has_primary;	/* pitm seen */
	uint32_t		 primary;
	int			 has_idat;
	size_t			 idat;		/* its payload in p */
	size_t			 idat_len;
	int			 big;		/* an associated ispe over 65535 */
	struct bmff_item	 items[BMFF_ITEMS_MAX];	/* by id, once read */
	size_t			 nitems;
	struct bmff_extent	 ext[BMFF_EXTENTS_MAX];	/* in iloc order */
	size_t			 next;
	uint32_t		 tiles[BMFF_TILES_MAX];	/* dimg of the primary
							   and its alpha */
	size_t			 ntiles;
	struct bmff_prop	 props[BMFF_PROPS_MAX];	/* ipco, from 1 */
	size_t			 nprops;
};

/*
 * Reads the meta box of p[0..len) into *b, which the caller allocates
 * (malloc: it is large) and which points into p afterwards.  BMFF_OK
 * when the boxes hold together; nothing is checked about what they say.
 */
enum bmff_status bmff_parse(const uint8_t *p, size_t len, struct bmff *b);

/* The item of that id, or NULL; points into b. */
struct bmff_item *bmff_item(struct bmff *b, uint32_t id);

/*
 * Extent i of item it as an offset and length in b->p: 0 when it lies
 * inside the file (construction method 0) or its idat (1), else -1.
 * Like libheif, the data reference index is not looked at: the bytes
 * are in this file.
 */
int		 bmff_extent_at(const struct bmff *b,
		    const struct bmff_item *it, size_t i, size_t *off,
		    size_t *len);

/*
 * Probing of a HEIF or AVIF file: 0 when the primary item has an ispe
 * and every byte of it (and of its tiles) lies in the file, with its
 * dimensions (as stored, before irot), one frame, the orientation its
 * irot and imir amount to, and whether an alpha item belongs to it, in
 * *h; else -1, also when any item's ispe is over 65535 on a side.
 */
int		 bmff_walk(const uint8_t *p, size_t len, struct img_hdr *h);

#endif
