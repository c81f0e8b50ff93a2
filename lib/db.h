/*
 * The database: one libpq connection per process, made again when it
 * breaks, and the schema migrations in sql/.
 */
#ifndef DB_H
#define DB_H

#include <libpq-fe.h>

/* The newest migration these programs were written against. */
#define DB_SCHEMA_VERSION	5

struct db;

/* Keeps url and connects lazily; NULL only when out of memory. */
struct db	*db_open(const char *url);
void		 db_free(struct db *);

/*
 * The connection, made or made again if it broke; NULL (logged) when the
 * server does not answer.  Valid until the next db_conn() or db_free().
 */
PGconn		*db_conn(struct db *);

/* LISTENs on channel, now and on every later connection; 0 or -1. */
int		 db_listen(struct db *, const char *channel);

/*
 * Waits up to timeout_ms for a notification on the channel of
 * db_listen(): 1 when one came, 0 on time-out, -1 when the database is
 * down (after which a later call reconnects).
 */
int		 db_wait(struct db *, int timeout_ms);

/* 0 when the server answers a query, -1 otherwise (logged). */
int		 db_ping(struct db *);

/* How many statements and pings failed in this process (for metrics). */
unsigned long long db_error_count(void);

/*
 * Applies the migrations in dir not applied yet, in order, each in its
 * own transaction, under an advisory lock so two machines can run it at
 * once.  Returns how many it applied, or -1 (logged).
 */
int		 db_migrate(struct db *, const char *dir);

/* The newest migration applied, 0 for none, or -1 (logged). */
int		 db_schema_version(struct db *);


/* Prepared statements ------------------------------------------------ */

#include <stdint.h>
#include <time.h>

/*
 * A statement, prepared on a connection the first time it runs there.
 * Define each as a static const struct: its address is its name on the
 * server (no numbers to hand out, so no two statements share a name).
 */
struct db_stmt {
	const char	*sql;
	int		 nparams;
};

enum db_status {
	DB_OK = 0,	/* the statement ran */
	DB_NOT_FOUND,	/* it ran, and found no such row */
	DB_DOWN,	/* no connection, or it broke: answer 503 */
	DB_FAIL,	/* the statement failed (logged) */
};

/*
 * Runs st with the given parameters (binary where formats[i] is 1) on a
 * prepared statement, reconnecting and trying once more if the connection
 * had broken.  On DB_OK *res holds the result; the caller PQclear()s it.
 * A struct found at the address of one prepared before but with other
 * SQL (one that did not stay put) is DB_FAIL, logged, never run.
 */
enum db_status	 db_run(struct db *, const struct db_stmt *st,
		    const char *const *params, const int *lengths,
		    const int *formats, PGresult **res);

/*
 * db_run() of a claim of up to n rows, each leased for lease seconds and
 * tried at most max_attempts times: st's $1, $2 and $3.
 */
enum db_status	 db_run_claim(struct db *, const struct db_stmt *st,
		    int lease, int n, int max_attempts, PGresult **res);

/* Images -------------------------------------------------------------- */

struct db_image {
	int64_t		 id;
	char		 sha256[65];	/* hex */
	char		 type[8];	/* "jpeg", as img_name(): the original */
	char		 upload_type[8];	/* the file as sent when kept
					   beside the original, else "" */
	char		 variant_type[8];	/* what the variants are made as */
	char		 placeholder[48];	/* its ThumbHash in base64, or
					   "" before the variants */
	long		 width, height, frames;
	long long	 bytes;
	time_t		 created;
};

/* Fills out from the row of images with that id, or DB_NOT_FOUND. */
enum db_status	 db_image_by_id(struct db *, int64_t id, struct db_image *out);
/* The same by the raw 32-byte hash. */
enum db_status	 db_image_by_sha256(struct db *, const unsigned char *sha,
		    struct db_image *out);
/*
 * DB_OK when an image has (or had: a tombstone) that id, DB_NOT_FOUND
 * when none, DB_DOWN or DB_FAIL when it cannot be known.
 */
enum db_status	 db_image_id_taken(struct db *, int64_t id);

struct claim;

/*
 * Inserts the image row, its resize job and the upload's claim c in one
 * statement, so all or none exist.  *inserted is 0 when the hash or the
 * id is taken already (another upload of the same bytes won the race, or
 * an id collision); else img->created is set.
 */
enum db_status	 db_image_insert(struct db *, struct db_image *img,
		    const unsigned char *sha, const struct claim *c,
		    int *inserted);

/* One bit per (size index, format): ready[size] & 1 own format, & 2 webp. */
enum db_status	 db_variants_ready(struct db *, const struct db_image *img,
		    int ready[], int nsizes);


/* Resize jobs ----------------------------------------------------------- */

/* A claimed job. */
struct db_job {
	int64_t		 image_id;
	int		 attempts;	/* including this one */
};

/*
 * Claims up to n jobs whose time has come (FOR UPDATE SKIP LOCKED, so
 * resizers never wait for each other), marking them running with a lease
 * of lease seconds, in one short statement: no transaction stays open
 * while the images are resized.  A running job whose claimer is gone
 * (its connection closed) is taken at once, or marked failed if that was
 * its max_attempts-th attempt.  *got is how many.
 */
enum db_status	 db_jobs_claim(struct db *, int lease, int max_attempts,
		    int n, struct db_job *out, int *got);

/*
 * A variant of image_id is asked for before it is made: its job, if
 * queued and never tried, goes before every other.  DB_OK when the job
 * is queued or running and a resizer is connected to make it (a
 * session named "imghost-resize"), DB_NOT_FOUND when waiting is in vain.
 */
enum db_status	 db_job_hurry(struct db *, int64_t image_id);
/* DB_OK while the job of image_id is queued or running, else DB_NOT_FOUND. */
enum db_status	 db_job_pending(struct db *, int64_t image_id);

/* A made variant, for db_job_done(). */
struct db_variant {
	const char	*size;
	const char	*format;	/* "jpeg", as img_name() */
	long		 width, height;
	long long	 bytes;
};

/*
 * Records the variants and the image's placeholder (hash[0..hashlen),
 * NULL when hashlen is 0) and deletes the job, all or nothing.
 * DB_NOT_FOUND when the image is gone (deleted or taken down meanwhile):
 * nothing is recorded, and the blobs written for it are the caller's to
 * delete.
 */
enum db_status	 db_job_done(struct db *, int64_t image_id,
		    const struct db_variant *v, int n, const uint8_t *hash,
		    size_t hashlen);

/*
 * Puts the job back with an exponential backoff and jitter, or marks it
 * failed for good when it has had max_attempts; why is kept.
 */
enum db_status	 db_job_fail(struct db *, int64_t image_id, const char *why,
		    int max_attempts);

/* Deletes the job (its image is gone). */
enum db_status	 db_job_delete(struct db *, int64_t image_id);


/* Purge jobs (what an image deleted by its last claim leaves) -------- */

/* A claimed purge job; db_purge_clear() frees what it holds. */
struct db_purge {
	int64_t		 image_id;
	int		 attempts;	/* including this one */
	char		 type[8];	/* the original's, as img_name() */
	char		 upload_type[8];	/* the file as sent's, or "" */
	char		 variant_type[8];	/* the variants' */
	char		*base_url;	/* of the URLs given to purge_command */
};

/*
 * Claims up to n purge jobs whose time has come, as db_jobs_claim() does
 * resize jobs: FOR UPDATE SKIP LOCKED, marked running with a lease of
 * lease seconds, a job whose claimer's connection is gone taken at once
 * (or marked failed on its max_attempts-th attempt).  *got is how many;
 * each of out[0..*got) is the caller's to db_purge_clear().
 */
enum db_status	 db_purge_claim(struct db *, int lease, int max_attempts,
		    int n, struct db_purge *out, int *got);

/* Frees what a claimed job holds; NULL is a no-op. */
void		 db_purge_clear(struct db_purge *);

/* Deletes the job: the image is gone everywhere. */
enum db_status	 db_purge_done(struct db *, int64_t image_id);

/*
 * Puts the job back with an exponential backoff and jitter, or marks it
 * failed for good when it has had max_attempts; why is kept.
 */
enum db_status	 db_purge_fail(struct db *, int64_t image_id, const char *why,
		    int max_attempts);


/* Tombstones (images taken down) ---------------------------------------- */

/*
 * DB_OK when the id was taken down, DB_NOT_FOUND when not, DB_DOWN or
 * DB_FAIL when it cannot be known.
 */
enum db_status	 db_tombstone_by_id(struct db *, int64_t id);
/* The same for the raw 32-byte hash of the bytes. */
enum db_status	 db_tombstone_by_sha256(struct db *, const unsigned char *sha);


/* Claims (delete tokens) ------------------------------------------------ */

/*
 * Adds c as a claim on the image: DB_OK, or DB_NOT_FOUND when the image
 * row is gone (its last claim ended meanwhile: store the bytes anew).
 */
enum db_status	 db_claim_add(struct db *, int64_t image_id,
		    const struct claim *c);

/*
 * DB_OK when c is a live claim of the image, its secret compared in
 * constant time; DB_NOT_FOUND when not.
 */
enum db_status	 db_claim_check_live(struct db *, int64_t image_id,
		    const struct claim *c);
/* The same for the claim whose end queued the image's purge job. */
enum db_status	 db_claim_check_purging(struct db *, int64_t image_id,
		    const struct claim *c);

enum db_claim_end {
	DB_CLAIM_DELETED,	/* the last claim: the image's rows are gone */
	DB_CLAIM_KEPT,		/* other claims keep the image */
	DB_CLAIM_NO_IMAGE,	/* no image row */
	DB_CLAIM_NO_CLAIM,	/* not a live claim of the image */
};

/*
 * Ends the claim c (checked already) through claim_end() of
 * sql/005_claims.sql; with the last claim the image's rows go and its
 * purge job (for purge_command: base_url) is queued, in one transaction.
 */
enum db_status	 db_claim_end(struct db *, int64_t image_id,
		    const struct claim *c, const char *base_url,
		    enum db_claim_end *out);

#endif
