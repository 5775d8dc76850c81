/* embedded.h - the Sigma rules of rules/ compiled into the binary by tools/embed.c. */
#ifndef SS_RULES_EMBEDDED_H
#define SS_RULES_EMBEDDED_H

#include "catalog/embedded.h"

/* Terminated by an entry whose name is NULL. Sorted by name (relative to rules/). */
extern const struct ss_embedded_file ss_embedded_rules[];

#endif
