/* The unit tests' scratch directory (scratch.h). */
#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scratch.h"

static char	 scratch[64];

void
scratch_init(const char *name)
{
	int	 n;

	n = snprintf(scratch, sizeof(scratch), "/tmp/%s.XXXXXX", name);
	if (n < 0 || (size_t)n >= sizeof(scratch) || mkdtemp(scratch) == NULL)
		err(1, "mkdtemp %s", name);
}

void
scratch_done(void)
{
	scratch_sh("cd / && rm -rf '%s'", scratch);
}

const char *
scratch_dir(void)
{
	return scratch;
}

const char *
scratch_path(const char *name)
{
	static char	 p[512];
	int		 n;

	n = snprintf(p, sizeof(p), "%s/%s", scratch, name);
	if (n < 0 || (size_t)n >= sizeof(p))
		errx(1, "%s: name too long", name);
	return p;
}

/* "cd DIR && COMMAND" in full, the command made from fmt and ap. */
static void
scratch_cmd(char *full, size_t sz, const char *fmt, va_list ap)
{
	char	 cmd[2048];
	int	 n;

	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		errx(1, "command too long: %s", fmt);
	n = snprintf(full, sz, "cd '%s' && %s", scratch, cmd);
	if (n < 0 || (size_t)n >= sz)
		errx(1, "command too long: %s", fmt);
}

void
scratch_sh(const char *fmt, ...)
{
	char	 full[2200];
	va_list	 ap;

	va_start(ap, fmt);
	scratch_cmd(full, sizeof(full), fmt, ap);
	va_end(ap);
	if (system(full) != 0)
		errx(1, "setup failed: %s", full);
}

static int
scratch_vline(char *out, size_t sz, const char *fmt, va_list ap)
{
	char	 full[2200];
	FILE	*p;
	int	 got;

	scratch_cmd(full, sizeof(full), fmt, ap);
	if ((p = popen(full, "r")) == NULL)
		err(1, "popen");
	out[0] = '\0';
	got = fgets(out, (int)sz, p) != NULL;
	out[strcspn(out, "\n")] = '\0';
	return pclose(p) == 0 && got;
}

int
scratch_line(char *out, size_t sz, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = scratch_vline(out, sz, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
scratch_out(const char *fmt, ...)
{
	static char	 out[512];
	va_list		 ap;

	va_start(ap, fmt);
	scratch_vline(out, sizeof(out), fmt, ap);
	va_end(ap);
	return out;
}

struct buf
scratch_read(const char *name)
{
	struct buf	 b;
	FILE		*f;
	long		 n;

	if ((f = fopen(scratch_path(name), "rb")) == NULL)
		err(1, "%s", name);
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1)
		err(1, "%s", name);
	b.len = (size_t)n;
	if ((b.p = malloc(b.len + 1)) == NULL ||
	    fread(b.p, 1, b.len, f) != b.len)
		err(1, "%s", name);
	b.p[b.len] = '\0';
	fclose(f);
	return b;
}

void
scratch_write(const char *name, const void *p, size_t len)
{
	FILE	*f;

	if ((f = fopen(scratch_path(name), "wb")) == NULL ||
	    fwrite(p, 1, len, f) != len || fclose(f) != 0)
		err(1, "%s", name);
}
