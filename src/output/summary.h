/* summary.h - the terminal views of scores: summary, history, diff, plan, controls. */
#ifndef SS_SUMMARY_H
#define SS_SUMMARY_H

#include <jansson.h>
#include <stdio.h>

#include "score/plan.h"

/*
 * All printers read Graph-shaped documents (fresh or from the store) and
 * escape every string from tenant data for the terminal.
 */

/* The at-a-glance summary: score, maximum, percentage, date, breakdowns, top n next actions. */
void ss_print_summary(FILE *out, json_t *score, size_t n_actions);

/* One line per stored score, newest first. */
void ss_print_history(FILE *out, json_t *history);

/*
 * What changed between two scores and why; returns the diff document
 * ({from, to, delta, changes[]}) as a new reference, and prints it when out
 * is not NULL.
 */
json_t *ss_score_diff(json_t *old_score, json_t *new_score);
void ss_print_diff(FILE *out, json_t *diff);

void ss_print_plan(FILE *out, json_t *score, const struct ss_plan *plan, double target_pct);

/* Writes s to out with control characters and invalid UTF-8 shown as \xNN. */
void ss_fputs_safe(FILE *out, const char *s);

#endif
