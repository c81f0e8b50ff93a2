/*
 * Slots: at most n requests of one kind at once on a node, whichever of
 * its FastCGI processes runs them (fcgi/slot.c).
 */
#ifndef SLOT_H
#define SLOT_H

struct slots {
	char		 dir[1024];	/* of the lock files; "": no cap */
	const char	*name;	/* their name before ".0", ".1", ... */
	long long	 n;
};

/*
 * A slot is one of n lock files in dir (NAME.0 and on), locked with
 * flock(), which the kernel lets go when the file is closed or the
 * process ends however it ends.  dir NULL (or too long, logged): no cap.
 * dir is copied; name must outlive s.
 */
void		slots_init(struct slots *s, const char *dir, const char *name,
		    long long n);

/*
 * Takes a free slot: 0 with its fd in *fd (-1 when there is no cap), or
 * -1 when every slot is taken or a lock file cannot be opened (logged).
 * slot_give() lets it go.
 */
int		slot_take(const struct slots *s, int *fd);

/* Lets a slot of slot_take() go; -1 is a no-op. */
void		slot_give(int fd);

#endif
