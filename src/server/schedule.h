/* schedule.h - `serve --schedule HH:MM`: collect, score and analyse each configured tenant daily. */
#ifndef SS_SCHEDULE_H
#define SS_SCHEDULE_H

/*
 * One thread. Every day at HH:MM local time (the server's time zone; TZ
 * applies) and, with run_at_start, once at once, it runs each configured
 * tenant in turn, one at a time: `secscore collect audit` (collect and
 * ingest: the detections and rules run on the new records), then `secscore
 * collect snapshot` (collect, import, score: the score reads the audit
 * evidence). Each step is a child process of the same binary (posix_spawn
 * of /proc/self/exe; no fork in the threaded server), with its own signal
 * mask and dispositions reset, its own process group, stdin and stdout on
 * /dev/null, stderr on a pipe and no other descriptor (so not the listening
 * socket). collect is transactional and safe to kill, so a step either
 * lands whole or not at all.
 *
 * A run is a row of schedule_runs (store/run_store.h): 'running', then
 * 'ok', or 'failed' with the step ("collect audit" / "collect snapshot")
 * and the last lines of the child's stderr (at most 2 KiB, control
 * characters removed), or 'interrupted'. A failed step ends the tenant's
 * run (the later step does not run); the next tenant still runs, and the
 * failed one is tried again at the next scheduled time. Exit 1 of collect
 * audit for lost coverage counts as failed. Runs still 'running' when a
 * scheduler starts (the server died) are marked 'interrupted'.
 *
 * ss_schedule_stop wakes the thread (a condition variable; the wait for a
 * child polls every 200 ms): a running child gets SIGTERM (SIGKILL 10 s
 * later), is reaped, and its run is recorded 'interrupted'. Each run and
 * step is logged on stderr: "secscore: schedule: tenant T: collect audit ok
 * (12.3 s)".
 */

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

/* One configured tenant. */
struct ss_schedule_tenant {
	const char *name;      /* as configured (its name, else its tenant id): runs are recorded under it */
	const char *tenant_id; /* its tenant id */
	bool by_name;	       /* name is a configured name: the steps get --tenant NAME, which also
				  becomes the stored tenant's display name; otherwise they get
				  SECSCORE_TENANT_ID=tenant_id and the display name stays the directory's */
};

struct ss_schedule_config {
	const char *exe;			  /* the binary to run; NULL: /proc/self/exe */
	const char *db_path;			  /* the store (--db of the steps) */
	const char *config_path;		  /* the config file (--config of the steps), NULL: none */
	const char *catalog;			  /* --catalog of the steps, NULL: the built-in catalog */
	int minute;				  /* minute of the day, 0-1439, local time */
	bool run_at_start;			  /* run every tenant once right after starting */
	const struct ss_schedule_tenant *tenants; /* in the order to run them */
	size_t n_tenants;
};

struct ss_schedule;

/*
 * Parses "HH:MM" (00:00 to 23:59, two digits each) into the minute of the
 * day. Returns 0, or SS_EINVAL.
 */
int ss_schedule_parse_time(const char *text, int *minute);

/*
 * Marks the store's stale 'running' runs as interrupted and starts the
 * thread. cfg and everything it points to must outlive the scheduler.
 * Errors: the store cannot be opened (SS_ESTORE/SS_ENOENT), no tenant
 * (SS_EINVAL). *out is owned: ss_schedule_stop. Start it with the
 * termination signals blocked, as the server's threads.
 */
int ss_schedule_start(struct ss_schedule **out, const struct ss_schedule_config *cfg, struct ss_error *err);

/* Stops the thread (a running step is terminated and recorded 'interrupted'), joins it, frees s (NULL is fine). */
void ss_schedule_stop(struct ss_schedule *s);

#endif
