/*
 * /healthz names each part it checked, so an operator reading a 503 knows
 * at once whether the database or the store is down.
 */
#include "app.h"
#include "db.h"
#include "store.h"

void
health_serve(struct app *app, struct http_req *req)
{
	int	 db_ok = db_ping(app->db) == 0;
	int	 store_ok = store_ping(app->store) == STORE_OK;
	int	 ok = db_ok && store_ok;

	/* http_head() gives a 503 its Retry-After. */
	http_head(req, ok ? 200 : 503, "application/json");
	http_printf(req, "Cache-Control: no-store\r\n\r\n"
	    "{\"status\": \"%s\", \"database\": \"%s\", "
	    "\"store\": \"%s\", \"store_driver\": \"%s\"}\n",
	    ok ? "ok" : "unavailable", db_ok ? "ok" : "down",
	    store_ok ? "ok" : "down", store_driver(app->store));
}
