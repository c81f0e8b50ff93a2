/*
 * The database: one libpq connection per process, made again when it
 * breaks, and the schema migrations in sql/.
 */
#ifndef DB_H
#define DB_H

#include <libpq-fe.h>

/* The newest migration these programs were written against. */
#define DB_SCHEMA_VERSION	1

struct db;

/* Keeps url and connects lazily; NULL only when out of memory. */
struct db	*db_open(const char *url);
void		 db_free(struct db *);

/*
 * The connection, made or made again if it broke; NULL (logged) when the
 * server does not answer.  Valid until the next db_conn() or db_free().
 */
PGconn		*db_conn(struct db *);

/* 0 when the server answers a query, -1 otherwise (logged). */
int		 db_ping(struct db *);

/*
 * Applies the migrations in dir not applied yet, in order, each in its
 * own transaction, under an advisory lock so two machines can run it at
 * once.  Returns how many it applied, or -1 (logged).
 */
int		 db_migrate(struct db *, const char *dir);

/* The newest migration applied, 0 for none, or -1 (logged). */
int		 db_schema_version(struct db *);

#endif
