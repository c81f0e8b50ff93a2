/*
 * What every frame goes through before it is scaled: turned upright by
 * its EXIF orientation, CMYK converted to sRGB, and stripped of all its
 * metadata but the ICC profile, so no variant carries what the original
 * had about where or when it was taken.
 */
#include <stdlib.h>
#include <string.h>

#include <lcms2.h>
#include <wand/MagickWand.h>

#include "prep.h"

/*
 * What ImageMagick's StripImage() keeps out of a PNG, less iCCP (the
 * colour profile stays), the chunks that say how to show the colours,
 * and zTXt: ImageMagick 6.9.11 leaves the ICC profile out too when both
 * tEXt and zTXt are excluded.  No text is left to write anyway.
 */
#define PREP_PNG_EXCLUDE	"bKGD,caNv,eXIf,EXIF,iTXt,pHYs,tEXt,date"

/* Frees what ImageMagick allocated for a list of n names. */
static void
prep_names_free(char **names, size_t n)
{
	size_t	 i;

	for (i = 0; names != NULL && i < n; i++)
		MagickRelinquishMemory(names[i]);
	MagickRelinquishMemory(names);
}

/* Removes every profile of the current frame but the ICC profile. */
static void
prep_strip_profiles(MagickWand *w)
{
	char	**names;
	size_t	  i, n, len;

	names = MagickGetImageProfiles(w, "*", &n);
	for (i = 0; names != NULL && i < n; i++)
		if (strcmp(names[i], "icc") != 0 &&
		    strcmp(names[i], "icm") != 0)
			MagickRelinquishMemory(MagickRemoveImageProfile(w,
			    names[i], &len));
	prep_names_free(names, n);
}

/*
 * Removes the current frame's properties: the EXIF and GPS values parsed
 * out of a profile, comments, PNG text chunks and dates, which encoders
 * write back out (and a JPEG's "jpeg:colorspace" of its own).
 */
static void
prep_strip_properties(MagickWand *w)
{
	char	**names;
	size_t	  i, n;

	names = MagickGetImageProperties(w, "*", &n);
	for (i = 0; names != NULL && i < n; i++)
		MagickDeleteImageProperty(w, names[i]);
	prep_names_free(names, n);
}

/*
 * Strips the current frame of EXIF, XMP, IPTC, GPS and comments, keeping
 * the ICC profile.  Not MagickStripImage(): it would drop that too, and
 * keep iCCP out of a PNG.
 */
static int
prep_strip(MagickWand *w)
{
	prep_strip_profiles(w);
	prep_strip_properties(w);
	return MagickSetImageArtifact(w, "png:exclude-chunk",
	    PREP_PNG_EXCLUDE) ? 0 : -1;
}

/*
 * The sRGB profile, from lcms2 (ImageMagick 6 keeps its own private).
 * Returns it malloc'd with its length in *len, or NULL.
 */
static unsigned char *
prep_srgb_profile(size_t *len)
{
	cmsHPROFILE	 p;
	cmsUInt32Number	 n = 0;
	unsigned char	*buf = NULL;

	if ((p = cmsCreate_sRGBProfile()) == NULL)
		return NULL;
	if (!cmsSaveProfileToMem(p, NULL, &n) || (buf = malloc(n)) == NULL ||
	    !cmsSaveProfileToMem(p, buf, &n)) {
		free(buf);
		buf = NULL;
	}
	cmsCloseProfile(p);
	*len = n;
	return buf;
}

/*
 * Converts a CMYK frame's pixels to sRGB through its own ICC profile,
 * then drops that profile: an untagged image is sRGB to a browser.
 * Returns -1 when there is no profile or lcms2 refuses it.
 */
static int
prep_cmyk_by_profile(MagickWand *w)
{
	unsigned char	*srgb, *icc;
	size_t		 len;
	int		 rc = -1;

	if ((icc = MagickGetImageProfile(w, "icc", &len)) == NULL)
		return -1;
	MagickRelinquishMemory(icc);
	if ((srgb = prep_srgb_profile(&len)) == NULL)
		return -1;
	if (MagickProfileImage(w, "icc", srgb, len) &&
	    MagickGetImageColorspace(w) == sRGBColorspace)
		rc = 0;
	free(srgb);
	MagickRelinquishMemory(MagickRemoveImageProfile(w, "icc", &len));
	return rc;
}

/*
 * Browsers show CMYK JPEGs badly and WebP cannot hold CMYK, so a CMYK
 * frame becomes sRGB: by its ICC profile where it has a usable one, else
 * by ImageMagick's plain formula.
 */
static int
prep_to_srgb(MagickWand *w)
{
	if (MagickGetImageColorspace(w) != CMYKColorspace)
		return 0;
	if (prep_cmyk_by_profile(w) == 0)
		return 0;
	MagickClearException(w);
	return MagickTransformImageColorspace(w, sRGBColorspace) ? 0 : -1;
}

/* Orients, converts and strips every frame of w; -1 on an error. */
int
prep_frames(MagickWand *w)
{
	MagickResetIterator(w);
	while (MagickNextImage(w)) {
		if (!MagickAutoOrientImage(w) || prep_to_srgb(w) == -1 ||
		    prep_strip(w) == -1)
			return -1;
	}
	return 0;
}
