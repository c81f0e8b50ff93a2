/*
 * imghost-resize: the resizer.  Until the job queue is worked (the
 * resizer issue), it connects, checks or applies the schema, and exits.
 *
 *	imghost-resize --migrate [--sql-dir DIR]	apply migrations
 *	imghost-resize					check the schema
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "db.h"
#include "log.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: imghost-resize [--migrate [--sql-dir dir]]\n");
	exit(2);
}

static int
resize_migrate(struct db *db, const char *dir)
{
	int	 n;

	if ((n = db_migrate(db, dir)) == -1)
		return 1;
	printf("applied %d migration%s, schema version %d\n", n,
	    n == 1 ? "" : "s", db_schema_version(db));
	return 0;
}

static int
resize_check_schema(struct db *db)
{
	int	 v;

	if ((v = db_schema_version(db)) == -1)
		return 1;
	if (v < DB_SCHEMA_VERSION) {
		log_errx("schema version %d, need %d: run "
		    "imghost-resize --migrate", v, DB_SCHEMA_VERSION);
		return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "migrate", no_argument, NULL, 'm' },
		{ "sql-dir", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct conf	 conf;
	struct db	*db;
	const char	*sqldir = SQLDIR;
	char		 msg[512];
	int		 ch, migrate = 0, rc;

	log_init("imghost-resize");
	while ((ch = getopt_long(argc, argv, "md:", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			migrate = 1;
			break;
		case 'd':
			sqldir = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (conf_load(&conf, msg, sizeof(msg)) == -1)
		errx(1, "configuration: %s", msg);
	if ((db = db_open(conf.database_url)) == NULL)
		err(1, "db_open");
	if (db_conn(db) == NULL)
		errx(1, "cannot connect to the database");
	rc = migrate ? resize_migrate(db, sqldir) : resize_check_schema(db);
	db_free(db);
	conf_free(&conf);
	return rc;
}
