/* schedule.c - the scheduler thread of `serve --schedule`: daily runs of collect per tenant, as child processes. */
#define _GNU_SOURCE /* pipe2, posix_spawn_file_actions_addclosefrom_np */
#include "server/schedule.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/text.h"
#include "base/time.h"
#include "store/run_store.h"
#include "store/store.h"

#define MESSAGE_MAX   2048  /* bytes of a failed step's message */
#define TAIL_KEEP     16384 /* bytes of a child's stderr kept while it runs */
#define KILL_GRACE    10.0  /* seconds from SIGTERM to SIGKILL */
#define POLL_MS	      200   /* how often a step's wait looks at the stop flag */
#define MAX_SLEEP_SEC 60    /* the longest single wait before the clock is read again */

struct ss_schedule {
	const struct ss_schedule_config *cfg;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* signalled by ss_schedule_stop; waits on CLOCK_MONOTONIC */
	bool stop;	     /* guarded by lock */
};

/* Outcome of one step. */
enum outcome {
	STEP_OK,
	STEP_FAILED,
	STEP_INTERRUPTED
};

int ss_schedule_parse_time(const char *text, int *minute)
{
	int h, m;

	if (!text || strlen(text) != 5 || text[2] != ':')
		return SS_EINVAL;
	if (text[0] < '0' || text[0] > '9' || text[1] < '0' || text[1] > '9' || text[3] < '0' ||
	    text[3] > '9' || text[4] < '0' || text[4] > '9')
		return SS_EINVAL;
	h = (text[0] - '0') * 10 + (text[1] - '0');
	m = (text[3] - '0') * 10 + (text[4] - '0');
	if (h > 23 || m > 59)
		return SS_EINVAL;
	*minute = h * 60 + m;
	return 0;
}

static bool stopping(struct ss_schedule *s)
{
	bool v;

	pthread_mutex_lock(&s->lock);
	v = s->stop;
	pthread_mutex_unlock(&s->lock);
	return v;
}

/* Prints "secscore: schedule: " and the formatted text to stderr, terminal escapes neutralised. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	struct ss_buf raw, safe;
	va_list ap;

	ss_buf_init(&raw, 16384);
	ss_buf_init(&safe, 65536);
	va_start(ap, fmt);
	ss_buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	ss_text_terminal(&safe, raw.ptr ? raw.ptr : "", raw.len);
	fprintf(stderr, "secscore: schedule: %s\n", ss_buf_cstr(&safe));
	ss_buf_release(&raw);
	ss_buf_release(&safe);
}

/* The first time strictly after now at the configured minute, local time (DST: mktime decides). */
static time_t next_after(time_t now, int minute)
{
	struct tm base, tm;
	time_t t;
	int day;

	if (!localtime_r(&now, &base))
		return now + 86400;
	for (day = 0; day < 3; day++) {
		tm = base;
		tm.tm_mday += day;
		tm.tm_hour = minute / 60;
		tm.tm_min = minute % 60;
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t != (time_t)-1 && t > now)
			return t;
	}
	return now + 86400;
}

/*
 * The last lines of a child's stderr as a message of at most max bytes:
 * terminal escape sequences and control characters dropped (a carriage
 * return ends a line, as the progress bar uses it), invalid UTF-8 as '?',
 * blank lines skipped, lines joined by '\n'. Owned.
 */
static char *tail_message(const char *p, size_t len, size_t max)
{
	struct ss_buf clean;
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, start;
	char *out, *nl;

	ss_buf_init(&clean, len + 16);
	while (i < len) {
		unsigned char c = s[i];
		size_t k;
		if (c == 0x1b) { /* ESC [ params final, or ESC and one byte */
			i++;
			if (i < len && s[i] == '[') {
				for (i++; i < len && !(s[i] >= 0x40 && s[i] <= 0x7e); i++)
					;
			}
			i++;
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (clean.len && clean.ptr[clean.len - 1] != '\n')
				ss_buf_addc(&clean, '\n');
			i++;
			continue;
		}
		if (c == '\t') {
			ss_buf_addc(&clean, ' ');
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			i++;
			continue;
		}
		k = ss_utf8_seq(s + i, len - i);
		if (!k || (k == 2 && c == 0xc2 && s[i + 1] < 0xa0)) { /* invalid, or a C1 control */
			ss_buf_addc(&clean, '?');
			i++;
			continue;
		}
		ss_buf_add(&clean, s + i, k);
		i += k;
	}
	while (clean.len && clean.ptr[clean.len - 1] == '\n')
		clean.len--;
	start = 0;
	if (clean.len > max) {
		start = clean.len - max;
		nl = memchr(clean.ptr + start, '\n', clean.len - start);
		if (nl && (size_t)(nl - clean.ptr) + 1 < clean.len)
			start = (size_t)(nl - clean.ptr) + 1; /* whole lines */
		else
			while (start < clean.len && ((unsigned char)clean.ptr[start] & 0xc0) == 0x80)
				start++; /* at least a whole character */
	}
	out = ss_xstrndup(clean.ptr ? clean.ptr + start : "", clean.len - start);
	ss_buf_release(&clean);
	return out;
}

/* The environment of a step: ours, with SECSCORE_TENANT_ID replaced by tenant_id when it is given. */
static char **child_env(const char *tenant_id)
{
	static const char key[] = "SECSCORE_TENANT_ID=";
	size_t n = 0, k = 0, i;
	char **env;

	while (environ && environ[n])
		n++;
	env = ss_xcalloc(n + 2, sizeof(*env));
	for (i = 0; i < n; i++)
		if (!tenant_id || strncmp(environ[i], key, sizeof(key) - 1) != 0)
			env[k++] = ss_xstrdup(environ[i]);
	if (tenant_id) {
		size_t len = sizeof(key) + strlen(tenant_id);
		env[k] = ss_xmalloc(len);
		snprintf(env[k], len, "%s%s", key, tenant_id);
		k++;
	}
	env[k] = NULL;
	return env;
}

static void free_strings(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/*
 * Runs `secscore [--db] [--config] [--catalog] collect SUB [--tenant NAME]
 * --no-progress` and waits for it, terminating it when the scheduler stops.
 * *message gets the tail of its stderr (owned) when it did not succeed.
 */
static enum outcome run_step(struct ss_schedule *s, const struct ss_schedule_tenant *t, const char *sub,
			     char **message)
{
	const struct ss_schedule_config *cfg = s->cfg;
	const char *argv[16];
	char **env = child_env(t->by_name ? NULL : t->tenant_id);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dflt;
	struct ss_buf tail, msg;
	int fds[2] = {-1, -1}, status = 0, rc;
	size_t n = 0;
	pid_t pid;
	bool eof = false, exited = false, termed = false, killed = false;
	double term_at = 0;
	enum outcome out;

	*message = NULL;
	argv[n++] = "secscore";
	if (cfg->db_path) {
		argv[n++] = "--db";
		argv[n++] = cfg->db_path;
	}
	if (cfg->config_path) {
		argv[n++] = "--config";
		argv[n++] = cfg->config_path;
	}
	if (cfg->catalog) {
		argv[n++] = "--catalog";
		argv[n++] = cfg->catalog;
	}
	argv[n++] = "collect";
	argv[n++] = sub;
	if (t->by_name) {
		argv[n++] = "--tenant";
		argv[n++] = t->name;
	}
	argv[n++] = "--no-progress";
	argv[n] = NULL;

	ss_buf_init(&tail, 2 * TAIL_KEEP + 8192);
	ss_buf_init(&msg, MESSAGE_MAX + 256);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		*message = ss_xstrdup("cannot create a pipe for the step's output");
		free_strings(env);
		ss_buf_release(&tail);
		ss_buf_release(&msg);
		return STEP_FAILED;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	/* nothing else crosses: not the listening socket, not the store (most are CLOEXEC anyway) */
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
#endif
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE); /* serve ignores it; an ignored disposition would survive exec */
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGHUP);
	posix_spawnattr_setsigmask(&at, &none); /* serve blocks SIGINT and SIGTERM in its threads */
	posix_spawnattr_setsigdefault(&at, &dflt);
	posix_spawnattr_setpgroup(&at, 0); /* a Ctrl-C reaches the server, which then stops the step */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(&pid, cfg->exe ? cfg->exe : "/proc/self/exe", &fa, &at, (char *const *)argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	free_strings(env);
	if (rc != 0) {
		ss_buf_printf(&msg, "cannot start %s: %s", cfg->exe ? cfg->exe : "/proc/self/exe",
			      strerror(rc));
		*message = ss_buf_detach(&msg, NULL);
		close(fds[0]);
		ss_buf_release(&tail);
		return STEP_FAILED;
	}
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	while (!exited || !eof) {
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		if (!eof) {
			if (poll(&pfd, 1, POLL_MS) > 0) {
				char buf[4096];
				ssize_t got = read(fds[0], buf, sizeof(buf));
				if (got > 0) {
					if (tail.len + (size_t)got > 2 * TAIL_KEEP) {
						memmove(tail.ptr, tail.ptr + tail.len - TAIL_KEEP, TAIL_KEEP);
						tail.len = TAIL_KEEP;
					}
					ss_buf_add(&tail, buf, (size_t)got);
				} else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
					eof = true;
				}
			}
		} else {
			ss_time_sleep(POLL_MS / 1000.0);
		}
		if (!exited) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid) {
				exited = true;
			} else if (w < 0 && errno == ECHILD) {
				exited = true; /* reaped by someone else: its outcome is unknown */
				status = 255 << 8;
			}
		}
		if (exited && !eof && poll(&pfd, 1, 0) <= 0)
			eof = true; /* nothing more to read: a grandchild holding the pipe does not keep us */
		if (!exited && !termed && stopping(s)) {
			kill(pid, SIGTERM);
			termed = true;
			term_at = ss_time_monotonic();
		}
		if (!exited && termed && !killed && ss_time_monotonic() - term_at > KILL_GRACE) {
			kill(pid, SIGKILL);
			killed = true;
		}
	}
	close(fds[0]);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		out = STEP_OK;
	} else {
		char *lines = tail_message(tail.ptr ? tail.ptr : "", tail.len, MESSAGE_MAX);
		if (termed ||
		    (WIFSIGNALED(status) && (WTERMSIG(status) == SIGTERM || WTERMSIG(status) == SIGINT))) {
			out = STEP_INTERRUPTED;
			ss_buf_printf(&msg, "the server stopped during collect %s", sub);
		} else {
			out = STEP_FAILED;
			if (WIFEXITED(status))
				ss_buf_printf(&msg, "exit %d", WEXITSTATUS(status));
			else if (WIFSIGNALED(status))
				ss_buf_printf(&msg, "killed by signal %d", WTERMSIG(status));
			else
				ss_buf_adds(&msg, "ended abnormally");
			if (*lines) {
				ss_buf_adds(&msg, ": ");
				ss_buf_adds(&msg, lines);
			}
		}
		free(lines);
		*message = ss_buf_detach(&msg, NULL);
		if (!*message)
			*message = ss_xstrdup(sub);
	}
	ss_buf_release(&tail);
	ss_buf_release(&msg);
	return out;
}

/* One line of a message for the log: its lines joined by " | ". Owned. */
static char *one_line(const char *m)
{
	struct ss_buf b;
	char *out;

	ss_buf_init(&b, 4 * MESSAGE_MAX);
	for (; m && *m; m++) {
		if (*m == '\n')
			ss_buf_adds(&b, " | ");
		else
			ss_buf_addc(&b, *m);
	}
	out = ss_xstrdup(ss_buf_cstr(&b));
	ss_buf_release(&b);
	return out;
}

/* Runs one tenant: both steps, recorded as one run. */
static void run_tenant(struct ss_schedule *s, struct ss_store *st, const struct ss_schedule_tenant *t)
{
	static const char *const steps[] = {"collect audit", "collect snapshot"};
	static const char *const subs[] = {"audit", "snapshot"};
	struct ss_error err;
	struct ss_buf summary;
	enum outcome out = STEP_OK;
	const char *step = NULL;
	char *message = NULL;
	double begun = ss_time_monotonic();
	int64_t id = 0;
	size_t i;

	ss_error_clear(&err);
	ss_buf_init(&summary, 1024);
	if (ss_run_store_start(st, t->name, &id, &err) != 0) {
		say("tenant %s: cannot record the run, not running it: %s", t->name, err.msg);
		ss_buf_release(&summary);
		return;
	}
	say("tenant %s: run %lld started", t->name, (long long)id);
	for (i = 0; i < SS_ARRAY_LEN(steps) && out == STEP_OK; i++) {
		double t0 = ss_time_monotonic(), secs;
		step = steps[i];
		if (stopping(s)) {
			out = STEP_INTERRUPTED;
			message = ss_xstrdup("the server stopped before this step");
			break;
		}
		out = run_step(s, t, subs[i], &message);
		secs = ss_time_monotonic() - t0;
		if (out == STEP_OK) {
			say("tenant %s: %s ok (%.1f s)", t->name, step, secs);
			ss_buf_printf(&summary, "%s%s %.1f s", i ? ", " : "", step, secs);
		} else {
			char *line = one_line(message);
			say("tenant %s: %s %s (%.1f s): %s", t->name, step,
			    out == STEP_FAILED ? "failed" : "interrupted", secs, line);
			free(line);
		}
	}
	ss_error_clear(&err);
	if (out == STEP_OK) {
		if (ss_run_store_finish(st, id, "ok", NULL, ss_buf_cstr(&summary), &err) != 0)
			say("tenant %s: cannot record the end of run %lld: %s", t->name, (long long)id,
			    err.msg);
		say("tenant %s: run %lld ok (%.1f s)", t->name, (long long)id, ss_time_monotonic() - begun);
	} else {
		const char *status = out == STEP_FAILED ? "failed" : "interrupted";
		if (ss_run_store_finish(st, id, status, step, message, &err) != 0)
			say("tenant %s: cannot record the end of run %lld: %s", t->name, (long long)id,
			    err.msg);
		say("tenant %s: run %lld %s at %s (%.1f s)%s", t->name, (long long)id, status, step,
		    ss_time_monotonic() - begun,
		    out == STEP_FAILED ? "; tried again at the next scheduled time" : "");
	}
	free(message);
	ss_buf_release(&summary);
}

/* Runs every tenant, one at a time, until done or stopped. */
static void run_all(struct ss_schedule *s)
{
	struct ss_store st;
	struct ss_error err;
	size_t i;

	ss_error_clear(&err);
	if (ss_store_open(&st, s->cfg->db_path, false, &err) != 0) {
		say("cannot open the store, no runs this time: %s", err.msg);
		return;
	}
	for (i = 0; i < s->cfg->n_tenants && !stopping(s); i++)
		run_tenant(s, &st, &s->cfg->tenants[i]);
	ss_store_close(&st);
}

static void log_next(time_t next)
{
	struct tm tm;
	char when[64];

	if (localtime_r(&next, &tm) && strftime(when, sizeof(when), "%Y-%m-%d %H:%M %Z", &tm))
		say("next run at %s", when);
}

static void *thread_main(void *arg)
{
	struct ss_schedule *s = arg;
	bool pending = s->cfg->run_at_start;
	time_t next = next_after(time(NULL), s->cfg->minute);

	if (!pending)
		log_next(next);
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		struct timespec until;
		time_t now;
		if (pending) {
			pending = false;
			pthread_mutex_unlock(&s->lock);
			run_all(s);
			next = next_after(time(NULL), s->cfg->minute);
			if (!stopping(s))
				log_next(next);
			pthread_mutex_lock(&s->lock);
			continue;
		}
		now = time(NULL);
		if (now >= next) {
			pending = true;
			continue;
		}
		/* at most a minute at a time: the wall clock may jump (NTP, suspend) while we wait */
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += next - now < MAX_SLEEP_SEC ? next - now : MAX_SLEEP_SEC;
		pthread_cond_timedwait(&s->wake, &s->lock, &until);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int ss_schedule_start(struct ss_schedule **out, const struct ss_schedule_config *cfg, struct ss_error *err)
{
	struct ss_schedule *s;
	struct ss_store st;
	pthread_condattr_t ca;
	long long stale = 0;
	int rc;

	*out = NULL;
	if (!cfg->n_tenants)
		return ss_error_set(err, SS_EINVAL, "no tenant to schedule");
	if (cfg->minute < 0 || cfg->minute >= 24 * 60)
		return ss_error_set(err, SS_EINVAL, "the scheduled time is not a time of day");
	if ((rc = ss_store_open(&st, cfg->db_path, false, err)))
		return rc;
	rc = ss_run_store_interrupt_stale(&st, &stale, err);
	ss_store_close(&st);
	if (rc)
		return rc;
	if (stale)
		say("%lld run%s left unfinished by an earlier server marked interrupted", stale,
		    stale == 1 ? "" : "s");
	s = ss_xcalloc(1, sizeof(*s));
	s->cfg = cfg;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&s->thread, NULL, thread_main, s) != 0) {
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return ss_error_set(err, SS_EIO, "cannot start the scheduler thread");
	}
	*out = s;
	return 0;
}

void ss_schedule_stop(struct ss_schedule *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
