/*
 * The database connection and the migrations.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <poll.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

/* pg_advisory_lock key that serialises migrations: "imghost" in ASCII. */
#define DB_MIGRATE_LOCK		"31365121769697652"
#define DB_MAX_MIGRATION	(1 << 20)

/* A statement prepared on the connection, as it was when prepared. */
struct db_prepared {
	const struct db_stmt	*st;	/* its name on the server */
	const char		*sql;
	int			 nparams;
};

struct db {
	char			*url;
	PGconn			*conn;
	char			*listen;	/* LISTENed on each conn */
	/* What is prepared on the backend named by pid, in no order. */
	struct db_prepared	*prepared;
	size_t			 nprepared, maxprepared;
	int			 pid;
};

/* Failed statements and pings of this process, for db_error_count(). */
static unsigned long long	 db_nerrors;

unsigned long long
db_error_count(void)
{
	return db_nerrors;
}

struct db *
db_open(const char *url)
{
	struct db	*db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	if ((db->url = strdup(url)) == NULL) {
		free(db);
		return NULL;
	}
	return db;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	PQfinish(db->conn);
	free(db->prepared);
	free(db->listen);
	free(db->url);
	free(db);
}

static PGconn *
db_connect(const char *url)
{
	/*
	 * A later keyword wins: the URL's own connect_timeout overrides 5.
	 * The program's name is the session's application_name unless the
	 * URL says otherwise: the app looks for "imghost-resize" sessions.
	 */
	const char	*keys[] = { "connect_timeout", "options",
	    "fallback_application_name", "dbname", NULL };
	const char	*vals[] = { "5", "-c client_min_messages=warning",
	    getprogname(), url, NULL };

	return PQconnectdbParams(keys, vals, 1);
}

static int	db_exec(PGconn *, const char *);

/* LISTENs again on a new connection: a notification is per connection. */
static int
db_relisten(struct db *db)
{
	char	 sql[128];
	int	 n;

	if (db->listen == NULL)
		return 0;
	n = snprintf(sql, sizeof(sql), "LISTEN %s", db->listen);
	if (n < 0 || (size_t)n >= sizeof(sql))
		return -1;
	return db_exec(db->conn, sql);
}

PGconn *
db_conn(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return db->conn;
	PQfinish(db->conn);
	db->nprepared = 0;
	db->conn = db_connect(db->url);
	if (PQstatus(db->conn) == CONNECTION_OK && db_relisten(db) == 0)
		return db->conn;
	log_errx("db: connect: %s", PQerrorMessage(db->conn));
	PQfinish(db->conn);
	db->conn = NULL;
	return NULL;
}

/* Runs sql with no parameters; 0 if it succeeded, -1 (logged) if not. */
static int
db_exec(PGconn *conn, const char *sql)
{
	PGresult	*res = PQexec(conn, sql);
	int		 ok;

	ok = PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK;
	if (!ok)
		log_errx("db: %.60s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

/*
 * The entry of st among what is prepared on conn, or NULL.  A backend
 * other than the one the list was made on (PQreset(), say) has nothing
 * prepared: the list is forgotten.
 */
static struct db_prepared *
db_prepared_find(struct db *db, PGconn *conn, const struct db_stmt *st)
{
	size_t	 i;

	if (PQbackendPID(conn) != db->pid) {
		db->nprepared = 0;
		db->pid = PQbackendPID(conn);
	}
	for (i = 0; i < db->nprepared; i++)
		if (db->prepared[i].st == st)
			return &db->prepared[i];
	return NULL;
}

/* Records st as prepared on the connection; -1 when out of memory. */
static int
db_prepared_add(struct db *db, const struct db_stmt *st)
{
	struct db_prepared	*p;
	size_t			 max;

	if (db->nprepared == db->maxprepared) {
		max = db->maxprepared == 0 ? 32 : 2 * db->maxprepared;
		if ((p = reallocarray(db->prepared, max, sizeof(*p))) == NULL)
			return -1;
		db->prepared = p;
		db->maxprepared = max;
	}
	p = &db->prepared[db->nprepared++];
	p->st = st;
	p->sql = st->sql;
	p->nparams = st->nparams;
	return 0;
}

/* Prepares st under name unless it is prepared already; 0 or -1. */
static int
db_prepare(struct db *db, PGconn *conn, const struct db_stmt *st,
    const char *name)
{
	struct db_prepared	*p;
	PGresult		*res;
	int			 ok;

	if ((p = db_prepared_find(db, conn, st)) != NULL) {
		if (p->nparams == st->nparams && (p->sql == st->sql ||
		    strcmp(p->sql, st->sql) == 0))
			return 0;
		log_errx("db: %s was prepared as other SQL: %.60s", name,
		    st->sql);
		return -1;
	}
	res = PQprepare(conn, name, st->sql, st->nparams, NULL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok && PQstatus(conn) == CONNECTION_OK)
		log_errx("db: prepare %.60s: %s", st->sql,
		    PQresultErrorMessage(res));
	PQclear(res);
	if (ok && db_prepared_add(db, st) == -1) {
		log_errx("db: out of memory");
		return -1;
	}
	return ok ? 0 : -1;
}

enum db_status
db_run(struct db *db, const struct db_stmt *st, const char *const *params,
    const int *lengths, const int *formats, PGresult **res)
{
	PGconn		*conn;
	ExecStatusType	 rs;
	char		 name[32];
	int		 try, n;

	*res = NULL;
	/* The struct's address: unique among the statements of a process. */
	n = snprintf(name, sizeof(name), "s%" PRIxPTR, (uintptr_t)st);
	if (n < 0 || (size_t)n >= sizeof(name)) {
		db_nerrors++;
		return DB_FAIL;
	}
	/* A connection broken by a server restart gets one fresh try. */
	for (try = 0; try < 2; try++) {
		if ((conn = db_conn(db)) == NULL) {
			db_nerrors++;
			return DB_DOWN;
		}
		if (db_prepare(db, conn, st, name) == -1) {
			if (PQstatus(conn) != CONNECTION_OK)
				continue;
			db_nerrors++;
			return DB_FAIL;
		}
		*res = PQexecPrepared(conn, name, st->nparams, params,
		    lengths, formats, 0);
		rs = PQresultStatus(*res);
		if (rs == PGRES_TUPLES_OK || rs == PGRES_COMMAND_OK)
			return DB_OK;
		PQclear(*res);
		*res = NULL;
		if (PQstatus(conn) != CONNECTION_OK)
			continue;
		log_errx("db: %.60s: %s", st->sql, PQerrorMessage(conn));
		db_nerrors++;
		return DB_FAIL;
	}
	log_errx("db: connection lost");
	db_nerrors++;
	return DB_DOWN;
}

enum db_status
db_run_claim(struct db *db, const struct db_stmt *st, int lease, int n,
    int max_attempts, PGresult **res)
{
	char		 l[16], m[16], a[16];
	const char	*params[] = { l, m, a };

	snprintf(l, sizeof(l), "%d", lease);
	snprintf(m, sizeof(m), "%d", n);
	snprintf(a, sizeof(a), "%d", max_attempts);
	return db_run(db, st, params, NULL, NULL, res);
}

int
db_listen(struct db *db, const char *channel)
{
	free(db->listen);
	if ((db->listen = strdup(channel)) == NULL)
		return -1;
	/* A connection made before has not listened yet. */
	if (db->conn != NULL && db_relisten(db) == -1)
		return -1;
	return db_conn(db) == NULL ? -1 : 0;
}

/* Takes every notification that arrived; 1 if there was any. */
static int
db_drain(PGconn *conn)
{
	PGnotify	*n;
	int		 any = 0;

	while ((n = PQnotifies(conn)) != NULL) {
		PQfreemem(n);
		any = 1;
	}
	return any;
}

int
db_wait(struct db *db, int timeout_ms)
{
	struct pollfd	 pfd;
	PGconn		*conn;

	if ((conn = db_conn(db)) == NULL)
		return -1;
	if (db_drain(conn))
		return 1;
	pfd.fd = PQsocket(conn);
	pfd.events = POLLIN;
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return 0;
	if (PQconsumeInput(conn) == 0) {
		log_errx("db: %s", PQerrorMessage(conn));
		return -1;
	}
	return db_drain(conn);
}

int
db_ping(struct db *db)
{
	PGconn		*conn;
	PGresult	*res;
	int		 ok;

	if ((conn = db_conn(db)) == NULL) {
		db_nerrors++;
		return -1;
	}
	res = PQexec(conn, "SELECT 1");
	ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	if (ok)
		return 0;
	/*
	 * The server may have restarted: one fresh connection, one try,
	 * and one line in the log if that fails too.  Through db_conn(),
	 * which forgets the statements prepared on the old one (a PQreset()
	 * here kept them marked, and the next statement on the new
	 * backend failed: "prepared statement does not exist").
	 */
	PQfinish(db->conn);
	db->conn = NULL;
	if ((conn = db_conn(db)) != NULL && db_exec(conn, "SELECT 1") == 0)
		return 0;
	db_nerrors++;
	return -1;
}

/* Returns the single integer a query gives, or -1 (logged). */
static long long
db_int(PGconn *conn, const char *sql)
{
	PGresult	*res = PQexec(conn, sql);
	long long	 v = -1;

	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		v = PQgetisnull(res, 0, 0) ? 0 :
		    strtonum(PQgetvalue(res, 0, 0), 0, 1LL << 31, NULL);
	else
		log_errx("db: %.60s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
	return v;
}

int
db_schema_version(struct db *db)
{
	PGconn	*conn;

	if ((conn = db_conn(db)) == NULL)
		return -1;
	if (db_int(conn, "SELECT count(*) FROM pg_tables WHERE "
	    "tablename = 'schema_migrations' AND "
	    "schemaname = current_schema()") == 0)
		return 0;
	return db_int(conn, "SELECT max(version) FROM schema_migrations");
}

/* The version of a migration file "001_init.sql", or -1 for other files. */
static int
db_migration_version(const char *name)
{
	char		 num[16];
	const char	*us = strchr(name, '_');
	size_t		 n, len = strlen(name);

	if (us == NULL || len < 4 || strcmp(name + len - 4, ".sql") != 0)
		return -1;
	if ((n = us - name) == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, name, n);
	num[n] = '\0';
	/* strtonum gives 0 for an error, and 0 is no valid version either. */
	return strtonum(num, 1, 1 << 30, NULL) ?: -1;
}

/* The whole file as a string; free it. NULL (logged) on failure. */
static char *
db_read_file(const char *path)
{
	FILE		*f;
	char		*buf = NULL;
	struct stat	 sb;

	if ((f = fopen(path, "r")) == NULL || fstat(fileno(f), &sb) == -1)
		goto fail;
	if (sb.st_size > DB_MAX_MIGRATION) {
		errno = EFBIG;
		goto fail;
	}
	if ((buf = calloc(1, sb.st_size + 1)) == NULL ||
	    fread(buf, 1, sb.st_size, f) != (size_t)sb.st_size)
		goto fail;
	fclose(f);
	return buf;
fail:
	log_errx("db: %s: %s", path, strerror(errno));
	free(buf);
	if (f != NULL)
		fclose(f);
	return NULL;
}

static int
db_is_applied(PGconn *conn, int version)
{
	char		 v[16];
	const char	*params[] = { v };
	PGresult	*res;
	int		 rc = -1;

	snprintf(v, sizeof(v), "%d", version);
	res = PQexecParams(conn, "SELECT 1 FROM schema_migrations "
	    "WHERE version = $1", 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		rc = PQntuples(res) > 0;
	else
		log_errx("db: schema_migrations: %s",
		    PQresultErrorMessage(res));
	PQclear(res);
	return rc;
}

static int
db_record(PGconn *conn, int version, const char *name)
{
	char		 v[16];
	const char	*params[] = { v, name };
	PGresult	*res;
	int		 ok;

	snprintf(v, sizeof(v), "%d", version);
	res = PQexecParams(conn, "INSERT INTO schema_migrations "
	    "(version, name) VALUES ($1, $2)", 2, NULL, params, NULL, NULL, 0);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		log_errx("db: record %s: %s", name, PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

/* Applies one migration file in its own transaction. */
static int
db_apply(PGconn *conn, const char *dir, const char *name, int version)
{
	char	 path[4096], *sql;
	int	 n;

	n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	if ((sql = db_read_file(path)) == NULL)
		return -1;
	if (db_exec(conn, "BEGIN") == -1)
		goto fail;
	if (db_exec(conn, sql) == -1 || db_record(conn, version, name) == -1 ||
	    db_exec(conn, "COMMIT") == -1) {
		db_exec(conn, "ROLLBACK");
		goto fail;
	}
	log_info("db: applied %s", name);
	free(sql);
	return 0;
fail:
	log_errx("db: migration %s failed", name);
	free(sql);
	return -1;
}

static int
db_apply_dir(PGconn *conn, const char *dir, struct dirent **ents, int n)
{
	int	 i, v, applied = 0, done;

	for (i = 0; i < n; i++) {
		if ((v = db_migration_version(ents[i]->d_name)) == -1)
			continue;
		if ((done = db_is_applied(conn, v)) == -1)
			return -1;
		if (done)
			continue;
		if (db_apply(conn, dir, ents[i]->d_name, v) == -1)
			return -1;
		applied++;
	}
	return applied;
}

int
db_migrate(struct db *db, const char *dir)
{
	struct dirent	**ents = NULL;
	PGconn		 *conn;
	int		  i, n, applied = -1;

	if ((conn = db_conn(db)) == NULL)
		return -1;
	/* Names are zero-padded ("001_"), so sorting them sorts versions. */
	if ((n = scandir(dir, &ents, NULL, alphasort)) == -1) {
		log_errx("db: %s: %s", dir, strerror(errno));
		return -1;
	}
	if (db_exec(conn, "SELECT pg_advisory_lock(" DB_MIGRATE_LOCK ")") == -1)
		goto out;
	if (db_exec(conn, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version integer PRIMARY KEY, name text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())") == 0)
		applied = db_apply_dir(conn, dir, ents, n);
	db_exec(conn, "SELECT pg_advisory_unlock(" DB_MIGRATE_LOCK ")");
out:
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return applied;
}
