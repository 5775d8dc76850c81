/* geodb.h - a small MaxMind DB (.mmdb) writer: the demo's country database for its own address plan. */
#ifndef SS_DEMO_GEODB_H
#define SS_DEMO_GEODB_H

/*
 * The demo places its users in a handful of networks (src/demo/audit.c);
 * so that the geography detections have something to read without a
 * download, the demo writes a country database holding exactly those
 * networks, in MaxMind DB format 2.0 (ip_version 6, 24-bit records, IPv4
 * under ::/96 and ::ffff:0:0/96), each with {"country": {"iso_code": CC}}.
 * It is not geolocation data: it only knows the demo's own address plan.
 */

#include "base/error.h"
#include "demo/audit.h"

/* Writes the networks to path atomically. Returns 0 or SS_EIO naming the file. */
int ss_demo_write_geodb(const char *path, const struct ss_demo_net *nets, size_t n, struct ss_error *err);

#endif
