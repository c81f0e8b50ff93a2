/*
 * Logging: one line per event on stderr (lighttpd's error log for the
 * FastCGI app), "TIME imghost-fcgi[PID]: level: context: message".
 */
#ifndef LOG_H
#define LOG_H

void	log_init(const char *progname);
/*
 * Sets what every later line names after its level (the request, the
 * job), until the next call; NULL clears it.
 */
void	log_context(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_errx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
