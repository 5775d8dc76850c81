/* cmd_serve.c - `secscore serve`: the HTTP API (docs/server.md) until SIGINT or SIGTERM. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/file.h"
#include "cli/cli.h"
#include "collect/config.h"
#include "server/schedule.h"
#include "server/server.h"

static const char usage[] =
	"usage: secscore serve [--listen HOST:PORT] [--db FILE] [--insecure-listen]\n"
	"                      [--tls-cert PEM --tls-key PEM] [--threads N] [--max-connections N]\n"
	"                      [--per-ip N] [--timeout SECONDS] [--max-body BYTES] [--rate N] [--quiet]\n"
	"                      [--schedule HH:MM [--run-at-start]] [--public-url URL]\n"
	"\n"
	"Serves the store over HTTP: a dashboard for people at / (sign in with a token), and the\n"
	"API in Microsoft Graph's shapes (docs/server.md):\n"
	"  GET   /security/secureScores[/{id}]            scores, newest first ($top, $skip)\n"
	"  GET   /security/secureScoreControlProfiles[/{id}]  the catalog with state history\n"
	"  PATCH /security/secureScoreControlProfiles/{id}    {state, comment, assignedTo}\n"
	"  GET   /api/findings (?since, ?severity)   POST /api/findings/{id}/ack\n"
	"  GET   /api/inactive-users?days=90         GET /api/coverage        GET /healthz\n"
	"  GET   /api/runs (?tenant, $top)           the scheduled runs, newest first\n"
	"Requests need 'Authorization: Bearer TOKEN' (secscore tokens create): reads a read or admin\n"
	"token, writes an admin token. ?tenant=T or the header X-Secscore-Tenant picks the tenant.\n"
	"\n"
	"  --listen HOST:PORT   address (default 127.0.0.1:8080; port 0 picks a free one)\n"
	"  --insecure-listen    allow an address other than loopback without TLS\n"
	"  --tls-cert, --tls-key  PEM files: serve HTTPS\n"
	"  --threads N          worker threads (default 4)\n"
	"  --max-connections N  open connections in all (default 64)\n"
	"  --per-ip N           open connections per client address (default 16)\n"
	"  --timeout SECONDS    idle time before a connection is closed (default 15)\n"
	"  --max-body BYTES     request body limit (default 65536)\n"
	"  --rate N             requests per minute per client address, 0 for no limit (default 600)\n"
	"  --quiet              no access log on stderr\n"
	"  --schedule HH:MM     every day at HH:MM (the server's local time; TZ applies) run\n"
	"                       'collect audit' then 'collect snapshot' (collect, analyse, score)\n"
	"                       for each tenant of the \"collect\" entry of the config file\n"
	"                       (--config FILE or $SECSCORE_CONFIG), one at a time; each run is\n"
	"                       logged, kept in the store and listed by GET /api/runs.\n"
	"                       \"schedule\": \"HH:MM\" in the config file does the same\n"
	"  --run-at-start       with a schedule: also run once right after starting\n"
	"  --public-url URL     behind a reverse proxy: the address people use, e.g.\n"
	"                       https://secscore.example.com (links, the dashboard's origin check,\n"
	"                       Secure cookies under https)\n"
	"Stops cleanly on SIGINT or SIGTERM (a running step is stopped and its run recorded interrupted).\n";

enum {
	OPT_LISTEN = 1,
	OPT_INSECURE,
	OPT_CERT,
	OPT_KEY,
	OPT_THREADS,
	OPT_MAXCONN,
	OPT_PERIP,
	OPT_TIMEOUT,
	OPT_MAXBODY,
	OPT_RATE,
	OPT_QUIET,
	OPT_SCHEDULE,
	OPT_RUN_AT_START,
	OPT_PUBLIC_URL,
};

/* Parses a whole decimal number from min to max; -1 when it is not one. */
static long long number(const char *s, long long min, long long max)
{
	char *end;
	long long n;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	n = strtoll(s, &end, 10);
	if (*end || n < min || n > max)
		return -1;
	return n;
}

/*
 * After a PATCH changed a control state: re-scores the tenant's latest
 * snapshot when it is still on disk (as `controls set` does), so the next
 * secureScore shows the change. Nothing to do is not an error.
 */
static int rescore_latest(void *ctx, struct ss_store *st, int64_t tenant, struct ss_error *err)
{
	const struct ss_cli *cli = ctx;
	json_t *last = NULL, *fresh = NULL;
	const char *path;
	bool existed;
	int rc = 0;

	if (ss_store_load_score(st, tenant, NULL, &last, NULL) != 0)
		return 0;
	path = json_string_value(json_object_get(last, "snapshotPath"));
	if (path && ss_dir_exists(path)) {
		rc = ss_cli_score_snapshot(cli, path, st, &fresh, err);
		if (!rc)
			rc = ss_store_save_score(st, fresh, &existed, err);
	}
	json_decref(fresh);
	json_decref(last);
	return rc;
}

int cmd_serve(int argc, char **argv, struct ss_cli *cli)
{
	static const struct option opts[] = {SS_COMMON_OPTIONS,
					     {"listen", required_argument, NULL, OPT_LISTEN},
					     {"insecure-listen", no_argument, NULL, OPT_INSECURE},
					     {"tls-cert", required_argument, NULL, OPT_CERT},
					     {"tls-key", required_argument, NULL, OPT_KEY},
					     {"threads", required_argument, NULL, OPT_THREADS},
					     {"max-connections", required_argument, NULL, OPT_MAXCONN},
					     {"per-ip", required_argument, NULL, OPT_PERIP},
					     {"timeout", required_argument, NULL, OPT_TIMEOUT},
					     {"max-body", required_argument, NULL, OPT_MAXBODY},
					     {"rate", required_argument, NULL, OPT_RATE},
					     {"quiet", no_argument, NULL, OPT_QUIET},
					     {"schedule", required_argument, NULL, OPT_SCHEDULE},
					     {"run-at-start", no_argument, NULL, OPT_RUN_AT_START},
					     {"public-url", required_argument, NULL, OPT_PUBLIC_URL},
					     {NULL, 0, NULL, 0}};
	struct ss_server_config cfg;
	struct ss_schedule_config sched;
	struct ss_schedule *scheduler = NULL;
	struct ss_server *srv = NULL;
	struct ss_catalog cat;
	struct ss_store st;
	struct ss_error err;
	sigset_t stop;
	char *path = NULL, *from_config = NULL, **names = NULL;
	struct ss_schedule_tenant *tenants = NULL;
	const char *schedule = NULL, *config = cli->config ? cli->config : getenv("SECSCORE_CONFIG");
	bool run_at_start = false;
	size_t n_names = 0, i;
	long long n;
	int c, sig = 0, rc = SS_EXIT_OK;

	ss_error_clear(&err);
	ss_server_config_init(&cfg);
	memset(&sched, 0, sizeof(sched));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ss_cli_common(cli, c, usage))
			continue;
		switch (c) {
		case OPT_LISTEN: cfg.listen = optarg; break;
		case OPT_INSECURE: cfg.insecure_listen = true; break;
		case OPT_CERT: cfg.tls_cert = optarg; break;
		case OPT_KEY: cfg.tls_key = optarg; break;
		case OPT_PUBLIC_URL: {
			char url[SS_PUBLIC_URL_SIZE];
			bool https;
			if (ss_server_parse_public_url(optarg, url, &https, &err) != 0)
				return ss_cli_usage_error(usage, "--public-url: %s", err.msg);
			cfg.public_url = optarg;
			break;
		}
		case OPT_QUIET: cfg.quiet = true; break;
		case OPT_RUN_AT_START: run_at_start = true; break;
		case OPT_SCHEDULE:
			if (ss_schedule_parse_time(optarg, &sched.minute) != 0)
				return ss_cli_usage_error(
					usage, "--schedule takes a time of day from 00:00 to 23:59");
			schedule = optarg;
			break;
		case OPT_THREADS:
			if ((n = number(optarg, 1, 256)) < 0)
				return ss_cli_usage_error(usage, "--threads takes 1 to 256");
			cfg.threads = (unsigned)n;
			break;
		case OPT_MAXCONN:
			if ((n = number(optarg, 1, 100000)) < 0)
				return ss_cli_usage_error(usage, "--max-connections takes 1 to 100000");
			cfg.max_connections = (unsigned)n;
			break;
		case OPT_PERIP:
			if ((n = number(optarg, 1, 100000)) < 0)
				return ss_cli_usage_error(usage, "--per-ip takes 1 to 100000");
			cfg.per_ip = (unsigned)n;
			break;
		case OPT_TIMEOUT:
			if ((n = number(optarg, 1, 3600)) < 0)
				return ss_cli_usage_error(usage, "--timeout takes 1 to 3600 seconds");
			cfg.timeout = (unsigned)n;
			break;
		case OPT_MAXBODY:
			if ((n = number(optarg, 1024, 16 * 1024 * 1024)) < 0)
				return ss_cli_usage_error(usage, "--max-body takes 1024 to 16777216 bytes");
			cfg.max_body = (size_t)n;
			break;
		case OPT_RATE:
			if ((n = number(optarg, 0, 1000000)) < 0)
				return ss_cli_usage_error(usage,
							  "--rate takes 0 to 1000000 requests a minute");
			cfg.rate = (unsigned)n;
			break;
		}
	}
	if (optind != argc)
		return ss_cli_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (!cfg.tls_cert != !cfg.tls_key)
		return ss_cli_usage_error(usage, "--tls-cert and --tls-key go together");
	config = config && *config ? config : NULL;
	if (!schedule && config) {
		/* "schedule": "HH:MM" in the config file is the same as --schedule */
		if (ss_collect_config_schedule(config, &from_config, &err) != 0)
			return ss_cli_fail(&err);
		if (from_config && ss_schedule_parse_time(from_config, &sched.minute) != 0) {
			ss_error_set(&err, SS_EINVAL, "must be a time of day from \"00:00\" to \"23:59\"");
			ss_error_at(&err, config, 0, 0);
			ss_error_field(&err, "schedule");
			free(from_config);
			return ss_cli_fail(&err);
		}
		schedule = from_config;
	}
	if (run_at_start && !schedule)
		return ss_cli_usage_error(usage, "--run-at-start goes with --schedule");
	if (schedule) {
		rc = ss_collect_config_tenants(config, &names, &n_names, &err);
		if (rc) {
			rc = ss_cli_fail(&err);
			goto out_names;
		}
		if (!n_names) {
			rc = ss_cli_usage_error(
				usage,
				"--schedule: no tenant is configured: add a \"collect\" entry to the "
				"config file (%s) or set $SECSCORE_TENANT_ID; see docs/collect.md",
				config ? config : "none given: --config FILE or $SECSCORE_CONFIG");
			goto out_names;
		}
		/* Check each tenant's configuration now, so a mistake fails here and not at night. */
		tenants = ss_xcalloc(n_names, sizeof(*tenants));
		for (i = 0; i < n_names; i++) {
			struct ss_collect_config cc;
			if (ss_collect_config_load(&cc, config, names[i], &err) != 0) {
				rc = ss_cli_fail(&err);
				goto out_names;
			}
			tenants[i].name = names[i];
			tenants[i].tenant_id = ss_xstrdup(cc.tenant);
			tenants[i].by_name = strcmp(names[i], cc.tenant) != 0;
			ss_collect_config_release(&cc);
		}
		sched.config_path = config;
		sched.catalog = cli->catalog;
		sched.run_at_start = run_at_start;
		sched.tenants = tenants;
		sched.n_tenants = n_names;
	}
	if (ss_cli_catalog(cli, &cat, &err) != 0) {
		rc = ss_cli_fail(&err);
		goto out_names;
	}
	/*
	 * Open the store once here, so a wrong path fails now rather than on every
	 * request. With a schedule it is created when new: the runs will fill it.
	 */
	path = cli->db ? ss_xstrdup(cli->db) : ss_store_default_path();
	if (ss_store_open(&st, path, schedule != NULL, &err) != 0) {
		rc = ss_cli_fail(&err);
		goto out;
	}
	ss_store_close(&st);
	cfg.db_path = path;
	cfg.api.cat = &cat;
	cfg.api.after_state_change = rescore_latest;
	cfg.api.ctx = cli;
	/* The daemon's threads inherit this mask: only sigwait below sees SIGINT and SIGTERM. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	if (ss_server_start(&srv, &cfg, &err) != 0) {
		rc = err.code == SS_EUSAGE ? ss_cli_usage_error(usage, "%s", err.msg) : ss_cli_fail(&err);
		goto out;
	}
	if (schedule) {
		sched.db_path = path;
		fprintf(stderr, "secscore: schedule: daily at %02d:%02d local time, %zu tenant%s%s\n",
			sched.minute / 60, sched.minute % 60, n_names, n_names == 1 ? "" : "s",
			run_at_start ? ", and now" : "");
		if (ss_schedule_start(&scheduler, &sched, &err) != 0) {
			ss_server_stop(srv);
			rc = ss_cli_fail(&err);
			goto out;
		}
	}
	printf("secscore: serving %s (store %s); stop with Ctrl-C or SIGTERM\n"
	       "secscore: the dashboard is at %s/ (sign in with a token of 'secscore tokens create')\n",
	       ss_server_url(srv), path, ss_server_public_url(srv));
	fflush(stdout);
	while (sigwait(&stop, &sig) != 0)
		;
	fprintf(stderr, "secscore: serve: %s: stopping\n", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	/* first: a running step is stopped, and its run recorded, before the server goes */
	ss_schedule_stop(scheduler);
	ss_server_stop(srv);
	printf("secscore: stopped\n");
out:
	free(path);
	ss_catalog_release(&cat);
out_names:
	for (i = 0; tenants && i < n_names; i++)
		free((char *)tenants[i].tenant_id);
	free(tenants);
	ss_collect_config_tenants_free(names, n_names);
	free(from_config);
	return rc;
}
