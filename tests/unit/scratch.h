/*
 * A scratch directory for the unit tests that make their test files with
 * ImageMagick, exiftool or node: commands run in it, files read from and
 * written to it.  Setup failures end the test (err(3)), so a test's
 * results are about the code under test, never about its setup.
 */
#ifndef SCRATCH_H
#define SCRATCH_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t		*p;	/* malloc()ed, one byte more than len */
	size_t		 len;
};

/* Makes /tmp/NAME.XXXXXX; scratch_done() removes it and what is in it. */
void		 scratch_init(const char *name);
void		 scratch_done(void);
const char	*scratch_dir(void);

/* The path of name in the directory, in a buffer the next call reuses. */
const char	*scratch_path(const char *name);

/* Runs a shell command in the directory; one that fails ends the test. */
void		 scratch_sh(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

/*
 * The first line a shell command in the directory prints, without its
 * newline, in out: 1 when it printed one and exited 0, 0 otherwise.
 */
int		 scratch_line(char *out, size_t sz, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* The same line in a buffer the next call reuses, "" when none. */
const char	*scratch_out(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

/* Reads the file name whole, or writes it. */
struct buf	 scratch_read(const char *name);
void		 scratch_write(const char *name, const void *p, size_t len);

#endif
