/*
 * Logging to stderr, one line per event.  lighttpd copies the FastCGI
 * app's stderr into its error log, so this is the app's log too.
 *
 *	2026-12-03T07:40:00Z imghost-fcgi[812]: error: GET /i/aB3dE_9x.jpg:
 *	    db: connect: connection refused	(on one line)
 *
 * The context (the request, or the resizer's job) is set once where the
 * work starts, so a failure deep in the database or the store names the
 * image it happened to without passing ids down.  Under systemd, whose
 * journal stamps each line itself (JOURNAL_STREAM is set), the time is
 * left out.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_prog = "imghost";
static char		 log_ctx[256];
static int		 log_stamp = 1;

/* Control characters (PQerrorMessage's newlines) would split the line. */
static void
log_flatten(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

static void
log_line(const char *level, const char *fmt, va_list ap)
{
	char		 msg[1024], line[1536], stamp[32] = "";
	struct tm	 tm;
	time_t		 now;
	size_t		 len;
	int		 n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_flatten(msg);
	len = strlen(msg);
	while (len > 0 && msg[len - 1] == ' ')
		msg[--len] = '\0';
	if (log_stamp) {
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ ", &tm);
	}
	n = snprintf(line, sizeof(line), "%s%s[%ld]: %s: %s%s%s\n", stamp,
	    log_prog, (long)getpid(), level, log_ctx,
	    log_ctx[0] != '\0' ? ": " : "", msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/*
	 * One write, so lines from several processes do not interleave.  A
	 * signal may cut it short before a byte is written; past that, a
	 * stderr that is gone leaves nowhere to say so.
	 */
	while (write(STDERR_FILENO, line, n) == -1 && errno == EINTR)
		continue;
}

/* Sets the name that starts every line; prog must outlive the process. */
void
log_init(const char *prog)
{
	log_prog = prog;
	log_stamp = getenv("JOURNAL_STREAM") == NULL;
}

void
log_context(const char *fmt, ...)
{
	va_list	 ap;

	log_ctx[0] = '\0';
	if (fmt == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(log_ctx, sizeof(log_ctx), fmt, ap);
	va_end(ap);
	log_flatten(log_ctx);
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
