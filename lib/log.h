/*
 * Logging: one line per event on stderr (lighttpd's error log for the
 * FastCGI app), "imghost-fcgi: level: message".
 */
#ifndef LOG_H
#define LOG_H

void	log_init(const char *progname);
void	log_info(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_errx(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

#endif
