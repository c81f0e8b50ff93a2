/*
 * The ImageMagick security policy and resource limits: the policy map
 * applied in code (img_policy), the checks that it bites (img_rules),
 * the limits derived from the configuration, and the policy.xml put
 * first in MAGICK_CONFIGURE_PATH while ImageMagick starts, so that a
 * system policy.xml cannot cap them.  Owns img_init(), img_done() and
 * img_side_cap; lib/img.c probes within what is set here.
 */
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wand/MagickWand.h>

#include "conf.h"
#include "img.h"
#include "img_policy.h"
#include "log.h"

/*
 * The ImageMagick security policy, applied in code so that it holds
 * whatever /etc/ImageMagick-6/policy.xml says (or whether it exists).
 * ImageMagick appends it after the system policies, and for the coder,
 * delegate, path and module domains the last matching rule wins: deny
 * everything, then allow the four formats back.  Resource limits are set
 * with MagickSetResourceLimit() in img_limits() instead, because a
 * resource rule here would be shadowed by a system rule of the same name.
 */
static const char img_policy[] =
	"<policymap>"
	/* No external programs (ghostscript, rsvg, ffmpeg, curl ...). */
	"<policy domain=\"delegate\" rights=\"none\" pattern=\"*\"/>"
	"<policy domain=\"filter\" rights=\"none\" pattern=\"*\"/>"
	/* No "@file" lists of file names, no "|command" pipes. */
	"<policy domain=\"path\" rights=\"none\" pattern=\"@*\"/>"
	"<policy domain=\"path\" rights=\"none\" pattern=\"|*\"/>"
	/*
	 * Only the four coders the variants are made in (JPG: what
	 * ImageMagick calls a .jpg), and TIFF and BMP to read.  HEIC and
	 * AVIF are decoded by libheif directly (lib/heic.c), not by
	 * ImageMagick's HEIC coder.
	 */
	"<policy domain=\"coder\" rights=\"none\" pattern=\"*\"/>"
	"<policy domain=\"coder\" rights=\"read|write\""
	    " pattern=\"{JPEG,JPG,PNG,GIF,WEBP}\"/>"
	"<policy domain=\"coder\" rights=\"read\" pattern=\"{TIFF,BMP}\"/>"
	/* And only their modules are ever loaded (not PSD for TIFF layers). */
	"<policy domain=\"module\" rights=\"none\" pattern=\"*\"/>"
	"<policy domain=\"module\" rights=\"read|write\""
	    " pattern=\"{JPEG,PNG,GIF,WEBP}\"/>"
	"<policy domain=\"module\" rights=\"read|write\""
	    " pattern=\"{TIFF,BMP}\"/>"
	"</policymap>";

/*
 * What img_init() checks the policy really does, through ImageMagick's own
 * IsRightsAuthorized(): a newer ImageMagick that refused or reordered the
 * rules would otherwise fail open without a word.
 */
static const struct img_rule {
	PolicyDomain	 domain;
	PolicyRights	 rights;
	const char	*pattern;
	int		 allowed;
} img_rules[] = {
	{ CoderPolicyDomain, ReadPolicyRights, "MVG", 0 },
	{ CoderPolicyDomain, ReadPolicyRights, "SVG", 0 },
	{ CoderPolicyDomain, ReadPolicyRights, "MSL", 0 },
	{ CoderPolicyDomain, ReadPolicyRights, "TEXT", 0 },
	{ CoderPolicyDomain, ReadPolicyRights, "EPHEMERAL", 0 },
	{ CoderPolicyDomain, ReadPolicyRights, "URL", 0 },
	{ CoderPolicyDomain, ReadPolicyRights, "PS", 0 },
	{ CoderPolicyDomain, ReadPolicyRights, "PDF", 0 },
	{ CoderPolicyDomain, ReadPolicyRights, "XCF", 0 },
	{ CoderPolicyDomain, ReadPolicyRights, "PSD", 0 },
	{ CoderPolicyDomain, ReadPolicyRights, "HEIC", 0 },
	{ CoderPolicyDomain, WritePolicyRights, "TIFF", 0 },
	{ ModulePolicyDomain, ReadPolicyRights, "PSD", 0 },
	{ ModulePolicyDomain, ReadPolicyRights, "MSL", 0 },
	{ DelegatePolicyDomain, ExecutePolicyRights, "https", 0 },
	{ PathPolicyDomain, ReadPolicyRights, "@/etc/passwd", 0 },
	{ CoderPolicyDomain, ReadPolicyRights | WritePolicyRights, "JPEG", 1 },
	{ CoderPolicyDomain, ReadPolicyRights | WritePolicyRights, "PNG", 1 },
	{ CoderPolicyDomain, ReadPolicyRights | WritePolicyRights, "GIF", 1 },
	{ CoderPolicyDomain, ReadPolicyRights | WritePolicyRights, "WEBP", 1 },
	{ ModulePolicyDomain, ReadPolicyRights | WritePolicyRights, "WEBP", 1 },
	{ CoderPolicyDomain, ReadPolicyRights, "TIFF", 1 },
	{ CoderPolicyDomain, ReadPolicyRights, "BMP", 1 },
};

#define IMG_MIB		(1024LL * 1024)

/*
 * The pixel cache's memory: what ImageMagick may hold on the heap for
 * the pixels of every image alive at once.  Past it, pixels go to the
 * disk cache in MAGICK_TEMPORARY_PATH, read and written with pread and
 * pwrite, never mapped (the map limit is 0): mapped files count in the
 * resident size, and Debian's 512 MiB map limit let the resizer reach
 * 880 MB on a 23 KB GIF.  ImageMagick's WebP coder has libwebp decode
 * into a buffer of its own (4 bytes a pixel) outside this account, 403
 * MB for a 100 MP WebP, so the resizer decodes still WebP itself, scaled
 * by libwebp to 2560 px at most (resize-cron/webp.c): 100 MB.
 */
#define IMG_MEMORY	(256 * IMG_MIB)

/*
 * The disk cache, in bytes a max_pixels: ImageMagick 6 (Q16) keeps 8
 * bytes a pixel, 10 with a colormap index (a greyscale or palette PNG, a
 * GIF, CMYK), and two images of that size live at once: the PNG decoder
 * opens the cache without the index and then again with it, holding
 * both while it copies (an 8000x8000 grey PNG needs 1.15 GB there), and
 * auto-orienting keeps the original beside its turned copy.  The scaled
 * copies are smaller and stay in memory.
 */
#define IMG_DISK_PER_PIXEL	24

/*
 * The side ImageMagick will really decode: max_side, or less where a
 * system policy.xml caps the width or height resource (Debian's says
 * 16KP, that is 16000).  Set once by img_init().
 */
long long	 img_side_cap = -1;

/* Applies img_policy, then checks it bites; exits if either fails. */
static void
img_policy_apply(void)
{
	MagickWand	*w;
	ExceptionType	 sev;
	char		*desc;
	size_t		 i;
	int		 got;

	w = NewMagickWand();
	if (!MagickSetSecurityPolicy(w, img_policy)) {
		desc = MagickGetException(w, &sev);
		errx(1, "ImageMagick refuses the security policy: %s",
		    desc != NULL && *desc != '\0' ? desc : "already set");
	}
	DestroyMagickWand(w);
	for (i = 0; i < sizeof(img_rules) / sizeof(img_rules[0]); i++) {
		got = IsRightsAuthorized(img_rules[i].domain,
		    img_rules[i].rights, img_rules[i].pattern) != MagickFalse;
		if (got != img_rules[i].allowed)
			errx(1, "ImageMagick security policy: %s is %s",
			    img_rules[i].pattern,
			    got ? "still allowed" : "denied");
	}
}

/* The limits img_init() gives ImageMagick, derived from c. */
struct img_res {
	long long	 side;
	long long	 area;
	long long	 memory;
	long long	 map;
	long long	 disk;
	long long	 list;
};

static void
img_res_of(const struct conf *c, struct img_res *r)
{
	r->side = c->max_side;
	r->area = c->max_pixels;
	r->memory = IMG_MEMORY;
	r->map = 0;
	r->disk = c->max_pixels > LLONG_MAX / IMG_DISK_PER_PIXEL ? LLONG_MAX :
	    c->max_pixels * IMG_DISK_PER_PIXEL;
	if (r->disk < 1024 * IMG_MIB)
		r->disk = 1024 * IMG_MIB;
	/* ImageMagick refuses a list once it reaches the limit: one more. */
	r->list = c->max_frames < LLONG_MAX ? c->max_frames + 1 :
	    c->max_frames;
}

/*
 * Writes r as a policy.xml into a new directory under TMPDIR, whose name
 * goes into dir.  Returns 0, or -1 with errno set and nothing left.
 */
static int
img_res_write(const struct img_res *r, char *dir, size_t dirsz)
{
	const char	*tmp = getenv("TMPDIR");
	char		 file[PATH_MAX];
	FILE		*f;
	int		 n, e;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(dir, dirsz, "%s/imghost-magick.XXXXXX", tmp);
	if (n < 0 || (size_t)n >= dirsz) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdtemp(dir) == NULL)
		return -1;
	n = snprintf(file, sizeof(file), "%s/policy.xml", dir);
	if (n < 0 || (size_t)n >= sizeof(file)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	if ((f = fopen(file, "w")) == NULL)
		goto fail;
	fprintf(f, "<policymap>\n"
	    "<policy domain=\"resource\" name=\"width\" value=\"%lld\"/>\n"
	    "<policy domain=\"resource\" name=\"height\" value=\"%lld\"/>\n"
	    "<policy domain=\"resource\" name=\"area\" value=\"%lld\"/>\n"
	    "<policy domain=\"resource\" name=\"memory\" value=\"%lld\"/>\n"
	    "<policy domain=\"resource\" name=\"map\" value=\"%lld\"/>\n"
	    "<policy domain=\"resource\" name=\"disk\" value=\"%lld\"/>\n"
	    "<policy domain=\"resource\" name=\"list-length\" "
	    "value=\"%lld\"/>\n"
	    "</policymap>\n", r->side, r->side, r->area, r->memory, r->map,
	    r->disk, r->list);
	if (fclose(f) == 0)
		return 0;
fail:
	e = errno;
	(void)unlink(file);
	(void)rmdir(dir);
	errno = e;
	return -1;
}

/*
 * Starts ImageMagick with r as its resource policy, whatever a system
 * policy.xml says.  ImageMagick 6.9.11 lets a program lower a limit that
 * a policy.xml sets, never raise it (SetMagickResourceLimit() takes the
 * smaller of the two), and Debian's caps the sides at 16000 (the
 * contract says 16384), the disk cache at 1 GiB (an 8000x8000 grey PNG
 * needs more) and maps 512 MiB of files into the resident size.  But a
 * resource's value is that of the first policy read that names it, and
 * the directories in MAGICK_CONFIGURE_PATH are read first, once, when
 * ImageMagick starts: so r goes into a policy.xml of a directory named
 * there for the start alone, both removed after.  img_limits() then
 * checks what came of it.
 */
static void
img_genesis(const struct img_res *r)
{
	char	 dir[PATH_MAX], path[PATH_MAX * 2 + 1], *old = NULL;
	int	 n;

	if (img_res_write(r, dir, sizeof(dir)) == -1) {
		log_warnx("ImageMagick: cannot write its resource policy "
		    "under TMPDIR: %s; a policy.xml may cap the limits",
		    strerror(errno));
		MagickWandGenesis();
		return;
	}
	if (getenv("MAGICK_CONFIGURE_PATH") != NULL &&
	    (old = strdup(getenv("MAGICK_CONFIGURE_PATH"))) == NULL)
		err(1, NULL);
	n = snprintf(path, sizeof(path), "%s%s%s", dir, old != NULL ? ":" :
	    "", old != NULL ? old : "");
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    setenv("MAGICK_CONFIGURE_PATH", path, 1) == -1)
		errx(1, "MAGICK_CONFIGURE_PATH: too long");
	MagickWandGenesis();
	if (old != NULL ? setenv("MAGICK_CONFIGURE_PATH", old, 1) :
	    unsetenv("MAGICK_CONFIGURE_PATH"))
		err(1, "MAGICK_CONFIGURE_PATH");
	free(old);
	n = snprintf(path, sizeof(path), "%s/policy.xml", dir);
	if (n > 0 && (size_t)n < sizeof(path))
		(void)unlink(path);
	(void)rmdir(dir);
}

/* Sets one resource limit, and says so when a policy.xml lowers it. */
static void
img_limit(ResourceType r, const char *name, long long want)
{
	MagickSizeType	 got;

	if (want < 0 || !MagickSetResourceLimit(r, (MagickSizeType)want))
		errx(1, "ImageMagick: cannot set the %s limit to %lld",
		    name, want);
	got = MagickGetResourceLimit(r);
	if (got < (MagickSizeType)want)
		log_warnx("ImageMagick's %s limit is %llu, below the %lld "
		    "asked for: a policy.xml caps it", name,
		    (unsigned long long)got, want);
}

/*
 * The resource limits, set again after img_genesis() (and checked: a
 * policy.xml it could not shadow lowers them).  Not the time limit:
 * over it, ImageMagick 6.9.11 calls _exit() from a timer and takes the
 * whole process down.
 */
static void
img_limits(const struct img_res *r)
{
	long long	 side, cap;

	/*
	 * One thread: lighttpd runs several FastCGI processes, one request
	 * at a time each, and OpenMP threads on top would only contend.
	 */
	img_limit(ThreadResource, "thread", 1);
	img_limit(MemoryResource, "memory", r->memory);
	img_limit(MapResource, "map", r->map);
	img_limit(DiskResource, "disk", r->disk);
	img_limit(WidthResource, "width", r->side);
	img_limit(HeightResource, "height", r->side);
	img_limit(AreaResource, "area", r->area);
	img_limit(ListLengthResource, "list-length", r->list);
	/* So that the upload refuses what the decoder would. */
	side = r->side;
	cap = (long long)MagickGetResourceLimit(WidthResource);
	if (cap < side)
		side = cap;
	cap = (long long)MagickGetResourceLimit(HeightResource);
	if (cap < side)
		side = cap;
	img_side_cap = side;
}

/* Start-up only, once, before any other img_ call but the pure ones. */
void
img_init(const struct conf *c)
{
	struct img_res	 r;

	img_res_of(c, &r);
	img_genesis(&r);
	img_policy_apply();
	img_limits(&r);
}

/* Releases ImageMagick; no img_ call but the pure ones may follow. */
void
img_done(void)
{
	MagickWandTerminus();
	img_side_cap = -1;
}
