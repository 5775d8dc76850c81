/* embedded.h - the catalog files compiled into the binary by tools/embed.c. */
#ifndef SS_CATALOG_EMBEDDED_H
#define SS_CATALOG_EMBEDDED_H

#include <stddef.h>

struct ss_embedded_file {
	const char *name; /* path relative to catalog/, e.g. "controls/AdminMFAV2.json" */
	const char *data; /* content, NUL-terminated */
	size_t len;	  /* content length without the NUL */
};

/* Terminated by an entry whose name is NULL. Sorted by name. */
extern const struct ss_embedded_file ss_embedded_catalog[];

#endif
