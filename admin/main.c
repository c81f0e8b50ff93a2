/*
 * imghost-admin: what an operator runs by hand or from cron, against the
 * same configuration as imghost-fcgi and imghost-resize.
 *
 *	imghost-admin migrate [--sql-dir dir]	apply the migrations
 *	imghost-admin stats [--exact]		counts, bytes, queue
 *	imghost-admin takedown [--reason text] [--] ID	remove an image for good
 *	imghost-admin requeue [--id ID]		failed jobs back to the queue
 *	imghost-admin rebuild [--batch n] [--max-batches n] [--max-queued n]
 *	    [--restart]
 *	imghost-admin gc [--dry-run] [--older-than seconds] [--prefix p]
 *	imghost-admin cache-trim		keep the read cache in size
 *	imghost-admin setup [--no-database]	user, directories, database,
 *						migrations (as root)
 */
#include <err.h>
#include <getopt.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "log.h"
#include "store.h"

static int
admin_migrate(struct admin *a, int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "sql-dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*dir = SQLDIR;
	int		 ch, n;

	while ((ch = getopt_long(argc, argv, "d:", opts, NULL)) != -1) {
		if (ch != 'd')
			admin_usage();
		dir = optarg;
	}
	if (optind != argc)
		admin_usage();
	if ((n = db_migrate(a->db, dir)) == -1)
		return 1;
	printf("applied %d migration%s, schema version %d\n", n,
	    n == 1 ? "" : "s", db_schema_version(a->db));
	return 0;
}

/* 0 when the schema is new enough for the subcommands, else 1. */
static int
admin_check_schema(struct admin *a)
{
	int	 v;

	if ((v = db_schema_version(a->db)) == -1)
		return 1;
	if (v < DB_SCHEMA_VERSION) {
		warnx("schema version %d, need %d: run imghost-admin migrate",
		    v, DB_SCHEMA_VERSION);
		return 1;
	}
	return 0;
}

static const struct {
	const char	*name;
	int		(*run)(struct admin *, int, char *[]);
} admin_cmds[] = {
	{ "stats", admin_stats },
	{ "takedown", admin_takedown },
	{ "requeue", admin_requeue },
	{ "rebuild", admin_rebuild },
	{ "gc", admin_gc },
};

static int
admin_dispatch(struct admin *a, int argc, char *argv[])
{
	size_t	 i;

	if (strcmp(argv[0], "migrate") == 0)
		return admin_migrate(a, argc, argv);
	for (i = 0; i < sizeof(admin_cmds) / sizeof(admin_cmds[0]); i++)
		if (strcmp(argv[0], admin_cmds[i].name) == 0)
			return admin_check_schema(a) != 0 ? 1 :
			    admin_cmds[i].run(a, argc, argv);
	admin_usage();
}

int
main(int argc, char *argv[])
{
	struct admin	 a;
	char		 msg[512];
	int		 rc;

	log_init("imghost-admin");
	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)
		admin_usage();
	/* What an install needs besides its files: a script (admin/setup.sh). */
	if (strcmp(argv[1], "setup") == 0) {
		execv(SETUPPROG, argv + 1);
		err(1, "%s", SETUPPROG);
	}
	memset(&a, 0, sizeof(a));
	if (conf_load(&a.conf, msg, sizeof(msg)) != CONF_OK)
		errx(1, "configuration: %s", msg);
	/* The one subcommand of a node, not of the database. */
	if (strcmp(argv[1], "cache-trim") == 0) {
		rc = admin_cache_trim(&a, argc - 1, argv + 1);
		conf_free(&a.conf);
		return rc;
	}
	if ((a.db = db_open(a.conf.database_url)) == NULL)
		err(1, "db_open");
	if (db_conn(a.db) == NULL)
		errx(1, "cannot connect to the database");
	rc = admin_dispatch(&a, argc - 1, argv + 1);
	store_free(a.store);
	db_free(a.db);
	conf_free(&a.conf);
	return rc;
}
