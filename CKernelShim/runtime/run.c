// SPDX-License-Identifier: GPL-2.0-only
/*
 * Whole runs: schedule tokens, replay of choice arrays, and the built-in
 * round-robin and seeded random choosers.
 *
 * Token: "ksim1:SCENARIO:CODEID:CHOICES".  CHOICES is run-length coded:
 * a task letter ('a' = task 0) optionally followed by a repeat count, so
 * "a3b2a" is tasks 0,0,0,1,1,0.  SCENARIO or CODEID may be "*" to skip
 * that check ("ksim1:*:*:a3b2a" is the choices alone).  A run made with
 * KSIM_OPT_PLAIN_POINTS has more scheduling points, so its choices mean
 * something else: its token says so with a field before the choices,
 * "ksim1:SCENARIO:CODEID:plain:CHOICES", and a token replays only on a
 * world whose option agrees (KSIM_EMISMATCH otherwise).
 *
 * A run that is refused (bad arguments, a malformed token, a token of
 * another scenario or build) resets the world all the same, so no finding
 * of an earlier run is left to be read as this one's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksim_internal.h"

const char *ksim_token_make(struct ksim_world *w)
{
	size_t need = 32 + strlen(w->scenario) + strlen(ksim_code_id()) +
		      w->nr_choices * 8, used, i;
	char *s;

	if (need > w->tokcap) {
		char *n = realloc(w->tokbuf, need);

		if (!n)
			return "";
		w->tokbuf = n;
		w->tokcap = need;
	}
	s = w->tokbuf;
	used = (size_t)snprintf(s, need, "ksim1:%s:%s:%s", w->scenario,
				ksim_code_id(),
				w->opt[KSIM_OPT_PLAIN_POINTS] ? "plain:" : "");
	for (i = 0; i < w->nr_choices;) {
		size_t j = i + 1;

		while (j < w->nr_choices && w->choices[j] == w->choices[i])
			j++;
		s[used++] = (char)('a' + w->choices[i]);
		if (j - i > 1)
			used += (size_t)snprintf(s + used, need - used, "%zu",
						 j - i);
		i = j;
	}
	s[used] = '\0';
	return s;
}

const char *ksim_schedule_token(struct ksim_world *w)
{
	return w ? ksim_token_make(w) : "";
}

/* Refuse a run: reset (no stale findings), keep the message, return rc. */
static int ksim_refuse(struct ksim_world *w, int rc)
{
	char why[KSIM_ERRLEN];

	snprintf(why, sizeof(why), "%s", w->err);
	ksim_run_start(w);
	snprintf(w->err, sizeof(w->err), "%s", why);
	return rc;
}

#define TOK_ERR(pos, ...) do { \
	int __n = snprintf(w->err, sizeof(w->err), "token position %zu: ", \
			   (size_t)(pos)); \
	if (__n >= 0 && (size_t)__n < sizeof(w->err)) \
		snprintf(w->err + __n, sizeof(w->err) - __n, __VA_ARGS__); \
	free(buf); \
	return rc; \
} while (0)

int ksim_token_parse(struct ksim_world *w, const char *token, uint8_t **out,
		     size_t *n)
{
	const char *p = token, *start;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, base;
	int rc = KSIM_EINVAL;

	if (!token) {
		snprintf(w->err, sizeof(w->err), "no token");
		return KSIM_EINVAL;
	}
	while (isspace((unsigned char)*p))
		p++;
	start = p;
	if (strncmp(p, "ksim", 4))
		TOK_ERR(p - token + 1,
			"expected a schedule token 'ksim1:SCENARIO:CODEID:CHOICES' ('*' skips the scenario or code check: 'ksim1:*:*:%s')",
			*p ? "a3b2" : "a");
	{
		const char *f[3];
		size_t fl[3];
		int k;

		if (strncmp(p, "ksim1:", 6))
			TOK_ERR(p - token + 4,
				"unsupported token version (this build reads 'ksim1:')");
		p += 6;
		for (k = 0; k < 3; k++) {
			const char *c = strchr(p, ':');

			if (!c) {
				rc = KSIM_EINVAL;
				TOK_ERR(strlen(token),
					"expected 'ksim1:SCENARIO:CODEID:CHOICES' (missing ':')");
			}
			f[k] = p;
			fl[k] = (size_t)(c - p);
			p = c + 1;
			if (k == 1)
				break;
		}
		if (!(fl[0] == 1 && f[0][0] == '*') &&
		    (fl[0] != strlen(w->scenario) ||
		     strncmp(f[0], w->scenario, fl[0]))) {
			rc = KSIM_EMISMATCH;
			TOK_ERR(f[0] - token,
				"token is for scenario '%.*s', this world is '%s'",
				(int)fl[0], f[0], w->scenario);
		}
		if (!(fl[1] == 1 && f[1][0] == '*') &&
		    (fl[1] != strlen(ksim_code_id()) ||
		     strncmp(f[1], ksim_code_id(), fl[1]))) {
			rc = KSIM_EMISMATCH;
			TOK_ERR(f[1] - token,
				"token needs the build of kernel code %.*s, this build is %s (kharness build PATCH... --prefix DIR installs a patched build and prints its code id; '*' for CODEID replays on this one anyway)",
				(int)fl[1], f[1], ksim_code_id());
		}
	}
	/* the options field: only "plain" so far */
	{
		const char *c = strchr(p, ':');
		int plain = 0;

		if (c) {
			if ((size_t)(c - p) != 5 || strncmp(p, "plain", 5))
				TOK_ERR(p - token + 1,
					"unknown token field '%.*s' (this build knows 'plain:', for runs with plain accesses as scheduling points)",
					(int)(c - p), p);
			plain = 1;
			p = c + 1;
		}
		if (plain != !!w->opt[KSIM_OPT_PLAIN_POINTS]) {
			rc = KSIM_EMISMATCH;
			TOK_ERR(p - token,
				plain ? "token was recorded with plain accesses as scheduling points ('plain:'), this world has KSIM_OPT_PLAIN_POINTS off (kharness: --plain-points)"
				      : "token was recorded without plain accesses as scheduling points (no 'plain:' field), this world has KSIM_OPT_PLAIN_POINTS on");
		}
	}
	base = (size_t)(p - token);
	(void)start;
	while (*p && !isspace((unsigned char)*p)) {
		unsigned long count = 1;
		int task;

		if (*p < 'a' || *p >= 'a' + KSIM_MAX_TASKS)
			TOK_ERR(p - token + 1,
				"expected a task letter a-%c, got '%c'",
				'a' + KSIM_MAX_TASKS - 1, *p);
		task = *p - 'a';
		if (task >= w->nr_tasks)
			TOK_ERR(p - token + 1,
				"task '%c' does not exist (world has %d tasks)",
				*p, w->nr_tasks);
		p++;
		if (isdigit((unsigned char)*p)) {
			char *end;

			count = strtoul(p, &end, 10);
			if (count < 1 || count > KSIM_STEP_LIMIT)
				TOK_ERR(p - token + 1,
					"repeat count must be 1..%d", KSIM_STEP_LIMIT);
			p = end;
		}
		/* bounded by what a run can take, not by what memory allows */
		if (count > KSIM_STEP_LIMIT - len)
			TOK_ERR(p - token,
				"more than %d choices (the most steps a run may take)",
				KSIM_STEP_LIMIT);
		if (len + count > cap) {
			size_t ncap = (len + count) * 2;
			uint8_t *nb = realloc(buf, ncap);

			if (!nb) {
				rc = KSIM_ENOMEM;
				TOK_ERR(p - token, "out of memory");
			}
			buf = nb;
			cap = ncap;
		}
		while (count--)
			buf[len++] = (uint8_t)task;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		TOK_ERR(p - token + 1, "unexpected text after the choices");
	if (!len)
		TOK_ERR(p - token + 1, "no choices (a schedule names at least one task, e.g. 'a3b2')");
	(void)base;
	*out = buf;
	*n = len;
	return 0;
}

/* Reset, then run the choices; the tail after them as set. */
static int ksim_run_choices(struct ksim_world *w, const uint8_t *choices,
			    size_t n, int tail)
{
	long foot;
	int rc;

	if (!w)
		return KSIM_EINVAL;
	if (!choices && n) {
		snprintf(w->err, sizeof(w->err),
			 "schedule: %zu choices but the array is NULL", n);
		return ksim_refuse(w, KSIM_EINVAL);
	}
	if (n > KSIM_STEP_LIMIT) {
		snprintf(w->err, sizeof(w->err),
			 "schedule: %zu choices, more than a run may take (%d)",
			 n, KSIM_STEP_LIMIT);
		return ksim_refuse(w, KSIM_EINVAL);
	}
	/* a replay whose steps' footprints nobody reads: record none */
	foot = w->opt[KSIM_OPT_FOOTPRINT];
	if (foot == KSIM_FOOT_STEPS_ONLY)
		w->opt[KSIM_OPT_FOOTPRINT] = 0;
	ksim_run_start(w);
	w->err[0] = '\0';
	w->ch.kind = KSIM_CH_ARRAY;
	w->ch.tail = tail;
	w->ch.arr = choices;
	w->ch.arr_n = n;
	w->ch.arr_pos = 0;
	rc = ksim_drive(w);
	w->ch.kind = KSIM_CH_NONE;
	ksim_crash_guard_after(w);
	if (foot == KSIM_FOOT_STEPS_ONLY) {
		w->opt[KSIM_OPT_FOOTPRINT] = foot;
		w->foot.n = 0;
	}
	if (rc) {
		char why[KSIM_ERRLEN];

		snprintf(why, sizeof(why), "%s", w->err);
		snprintf(w->err, sizeof(w->err), "schedule position %zu: %.200s",
			 w->ch.arr_pos, why);
		return rc;
	}
	if (w->ch.arr_pos < n) {
		/* only a run that ended stops the chooser early */
		snprintf(w->err, sizeof(w->err),
			 "schedule position %zu: the run already ended (after %zu of %zu choices)",
			 w->ch.arr_pos + 1, w->ch.arr_pos, n);
		return KSIM_EMISMATCH;
	}
	return w->nr_findings;
}

int ksim_run_array(struct ksim_world *w, const uint8_t *choices, size_t n)
{
	return ksim_run_choices(w, choices, n, KSIM_TAIL_RR);
}

int ksim_run_prefix(struct ksim_world *w, const uint8_t *choices, size_t n)
{
	return ksim_run_choices(w, choices, n, KSIM_TAIL_STOP);
}

int ksim_run_last_first(struct ksim_world *w, const uint8_t *choices,
			size_t n)
{
	return ksim_run_choices(w, choices, n, KSIM_TAIL_LAST);
}

int ksim_run_token(struct ksim_world *w, const char *token)
{
	uint8_t *choices;
	size_t n;
	int rc;

	if (!w)
		return KSIM_EINVAL;
	rc = ksim_token_parse(w, token, &choices, &n);
	if (rc)
		return ksim_refuse(w, rc);
	rc = ksim_run_array(w, choices, n);
	free(choices);
	return rc;
}

int ksim_run_round_robin(struct ksim_world *w)
{
	return ksim_run_array(w, NULL, 0);
}

int ksim_run_random(struct ksim_world *w, uint64_t seed)
{
	if (!w)
		return KSIM_EINVAL;
	ksim_run_start(w);
	w->err[0] = '\0';
	w->ch.kind = KSIM_CH_RANDOM;
	w->ch.rng = seed;
	ksim_drive(w);
	w->ch.kind = KSIM_CH_NONE;
	ksim_crash_guard_after(w);
	return w->nr_findings;
}

int ksim_run_pct(struct ksim_world *w, const int *prio,
		 const uint64_t *change, int nr_change)
{
	int i, j;

	if (!w)
		return KSIM_EINVAL;
	if (nr_change < 0 || nr_change > KSIM_PCT_CHANGES) {
		snprintf(w->err, sizeof(w->err),
			 "PCT: %d change points (at most %d)", nr_change,
			 KSIM_PCT_CHANGES);
		return ksim_refuse(w, KSIM_EINVAL);
	}
	if (!prio || (nr_change && !change)) {
		snprintf(w->err, sizeof(w->err), "PCT: %s is NULL",
			 prio ? "change" : "prio");
		return ksim_refuse(w, KSIM_EINVAL);
	}
	for (i = 0; i < w->nr_tasks; i++)
		for (j = 0; j < i; j++)
			if (prio[i] == prio[j]) {
				snprintf(w->err, sizeof(w->err),
					 "PCT: tasks %d and %d have the same priority %d (priorities must be distinct)",
					 j, i, prio[i]);
				return ksim_refuse(w, KSIM_EINVAL);
			}
	for (i = 0; i < nr_change; i++)
		if (change[i] < 1) {
			snprintf(w->err, sizeof(w->err),
				 "PCT: change point %d is 0 (choices count from 1)",
				 i);
			return ksim_refuse(w, KSIM_EINVAL);
		}
	ksim_run_start(w);
	w->err[0] = '\0';
	w->ch.kind = KSIM_CH_PCT;
	for (i = 0; i < w->nr_tasks; i++)
		w->ch.prio[i] = prio[i];
	for (i = 0; i < nr_change; i++)
		w->ch.change[i] = change[i];
	w->ch.nr_change = nr_change;
	ksim_drive(w);
	w->ch.kind = KSIM_CH_NONE;
	ksim_crash_guard_after(w);
	return w->nr_findings;
}
