/*
 * The files of static/ the pages use, read once and served from memory
 * under fingerprinted names.
 */
#ifndef STATIC_H
#define STATIC_H

#include "http.h"

/* Reads the pages' files of static/ (dir), once per process at start. */
void	static_init(const char *dir);

/* The URL of static/name for the pages ("/static/app.1a2b3c4d.css"). */
const char *static_url(const char *name);

/* GET/HEAD /static/... and /favicon.ico, from memory. */
void	static_serve(struct http_req *, const char *path);

#endif
