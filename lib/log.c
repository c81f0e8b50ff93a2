/*
 * Logging to stderr, one line per event.  lighttpd copies the FastCGI
 * app's stderr into its error log, so this is the app's log too.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static const char	*log_prog = "imghost";

static void
log_line(const char *level, const char *fmt, va_list ap)
{
	char	 msg[1024];

	/* One fprintf, so lines from several processes do not interleave. */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s: %s\n", log_prog, level, msg);
}

/* Sets the name that starts every line; prog must outlive the process. */
void
log_init(const char *prog)
{
	log_prog = prog;
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_line("info", fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_line("warning", fmt, ap);
	va_end(ap);
}

void
log_errx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_line("error", fmt, ap);
	va_end(ap);
}
