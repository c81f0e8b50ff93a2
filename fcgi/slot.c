/*
 * Slots shared by a node's FastCGI processes: lock files beside their
 * sockets, each held by at most one process with flock().  Uploads by
 * url take one for their fetch (fcgi/fetch.c), a variant asked for
 * before it is made one for its wait (fcgi/serve.c).
 */
#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "slot.h"

void
slots_init(struct slots *s, const char *dir, const char *name, long long n)
{
	s->name = name;
	s->n = n;
	s->dir[0] = '\0';
	if (dir != NULL && strlcpy(s->dir, dir, sizeof(s->dir)) >=
	    sizeof(s->dir)) {
		log_warnx("%s: socket directory path too long: no cap", name);
		s->dir[0] = '\0';
	}
}

/* Opens and locks slot i: its fd, or -1 (errno EWOULDBLOCK: taken). */
static int
slot_try(const struct slots *s, long long i)
{
	char	 path[4096];
	int	 fd, n, e;

	n = snprintf(path, sizeof(path), "%s/%s.%lld", s->dir, s->name, i);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
slot_take(const struct slots *s, int *fd)
{
	long long	 i;

	*fd = -1;
	if (s->dir[0] == '\0')
		return 0;
	for (i = 0; i < s->n; i++) {
		if ((*fd = slot_try(s, i)) != -1)
			return 0;
		if (errno != EWOULDBLOCK) {
			log_warnx("%s: slot %lld in %s: %s", s->name, i,
			    s->dir, strerror(errno));
			return -1;
		}
	}
	return -1;
}

void
slot_give(int fd)
{
	/* Closing the only descriptor of the file lets the lock go. */
	if (fd != -1)
		close(fd);
}
