// SPDX-License-Identifier: GPL-2.0-only
/*
 * kshim-stress: run a scenario's tasks as real pthreads, over and over,
 * for a wall-clock budget, and count how many iterations produced each
 * finding (kind@file:line).  The baseline the systematic explorer is
 * measured against (DESIGN §6, issue 7).
 *
 *   kshim-stress SCENARIO [--seconds S] [--json] [--deadlock-ms N]
 *   kshim-stress --list
 *
 * Exit status: 0 no finding, 1 at least one finding, 2 usage or input
 * error (nothing run), 3 a task hung outside any primitive.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stress.h"

#define MAX_SIGS	128

struct sig {
	char key[192];		/* kind@file:line */
	int kind;
	char location[160];
	char message[256];	/* of the first iteration that had it */
	unsigned long iterations;
	unsigned long first_iteration;
	double first_seconds;
	unsigned long seen_in;	/* last iteration counted (dedup) */
};

struct tally {
	struct sig sigs[MAX_SIGS];
	int n;
	unsigned long iterations;
	unsigned long failing;	/* iterations with any finding */
	double first_seconds;	/* -1: none */
	unsigned long first_iteration;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kshim-stress SCENARIO [--seconds S] [--json] [--deadlock-ms N]\n"
		"       kshim-stress --list\n"
		"Runs SCENARIO's tasks as real pthreads with real locks, repeatedly for S\n"
		"wall seconds (default 1), and counts the iterations that produced each\n"
		"finding.  A deadlock is declared when every live task has spun in a lock\n"
		"wait for N ms (default 50) with no primitive completed anywhere.\n");
}

static void tally_iteration(struct tally *ty, struct ksim_world *w,
			    double elapsed)
{
	int i, j;

	ty->iterations++;
	if (w->nr_findings && ty->first_seconds < 0) {
		ty->first_seconds = elapsed;
		ty->first_iteration = ty->iterations;
	}
	if (w->nr_findings)
		ty->failing++;
	for (i = 0; i < w->nr_findings; i++) {
		const struct ksim_finding *f = &w->findings[i].f;
		char loc[160], key[192];
		struct sig *s = NULL;

		snprintf(loc, sizeof(loc), "%s:%d", ksim_short_file(f->file),
			 f->line);
		snprintf(key, sizeof(key), "%s@%s", f->kind_name, loc);
		for (j = 0; j < ty->n; j++)
			if (!strcmp(ty->sigs[j].key, key))
				s = &ty->sigs[j];
		if (!s) {
			if (ty->n == MAX_SIGS)
				continue;
			s = &ty->sigs[ty->n++];
			memset(s, 0, sizeof(*s));
			snprintf(s->key, sizeof(s->key), "%s", key);
			snprintf(s->location, sizeof(s->location), "%s", loc);
			snprintf(s->message, sizeof(s->message), "%s",
				 f->message ? f->message : "");
			s->kind = f->kind;
			s->first_iteration = ty->iterations;
			s->first_seconds = elapsed;
		}
		if (s->seen_in != ty->iterations) {
			s->seen_in = ty->iterations;
			s->iterations++;
		}
	}
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void print_json(const struct tally *ty, const char *scenario,
		       int threads, double seconds, long deadlock_ms)
{
	int i;

	printf("{\"scenario\":");
	json_string(stdout, scenario);
	printf(",\"mode\":\"stress\",\"code_id\":\"%s\",\"threads\":%d,\"cpus\":%ld,"
	       "\"seconds\":%.6f,\"iterations\":%lu,\"iterations_per_second\":%.1f,"
	       "\"failing_iterations\":%lu,\"deadlock_timeout_ms\":%ld,",
	       ksim_code_id(), threads, sysconf(_SC_NPROCESSORS_ONLN), seconds,
	       ty->iterations, ty->iterations / seconds, ty->failing,
	       deadlock_ms);
	if (ty->first_seconds < 0)
		printf("\"first_finding_seconds\":null,\"first_finding_iteration\":null,");
	else
		printf("\"first_finding_seconds\":%.6f,\"first_finding_iteration\":%lu,",
		       ty->first_seconds, ty->first_iteration);
	printf("\"findings\":[");
	for (i = 0; i < ty->n; i++) {
		const struct sig *s = &ty->sigs[i];

		printf("%s{\"signature\":", i ? "," : "");
		json_string(stdout, s->key);
		printf(",\"kind\":\"%s\",\"location\":",
		       ksim_finding_kind_name(s->kind));
		json_string(stdout, s->location);
		printf(",\"iterations\":%lu,\"per_second\":%.2f,"
		       "\"first_seconds\":%.6f,\"first_iteration\":%lu,\"message\":",
		       s->iterations, s->iterations / seconds, s->first_seconds,
		       s->first_iteration);
		json_string(stdout, s->message);
		printf("}");
	}
	printf("]}\n");
}

static void print_text(const struct tally *ty, const char *scenario,
		       int threads, double seconds, long deadlock_ms)
{
	int i;

	printf("kshim-stress %s: %d task(s) as pthreads on %ld CPU(s), %.2f s, deadlock watchdog %ld ms\n",
	       scenario, threads, sysconf(_SC_NPROCESSORS_ONLN), seconds,
	       deadlock_ms);
	printf("iterations: %lu (%.0f/s), with a finding: %lu\n",
	       ty->iterations, ty->iterations / seconds, ty->failing);
	if (ty->first_seconds < 0) {
		printf("no finding\n");
		return;
	}
	printf("first finding after %.6f s (iteration %lu)\n",
	       ty->first_seconds, ty->first_iteration);
	printf("%12s %12s %12s  %s\n", "iterations", "per second", "first (s)",
	       "finding");
	for (i = 0; i < ty->n; i++) {
		const struct sig *s = &ty->sigs[i];

		printf("%12lu %12.2f %12.6f  %s  %s\n", s->iterations,
		       s->iterations / seconds, s->first_seconds, s->key,
		       s->message);
	}
}

static int parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return !*s || *end || errno || !(*out > 0);
}

int main(int argc, char **argv)
{
	const char *scenario = NULL;
	double seconds = 1.0, dl_ms = 50, elapsed = 0;
	int json = 0, i, rc;
	char err[KSIM_ERRLEN];
	struct ksim_world *w;
	struct stress_ctx *c;
	struct tally *ty;
	uint64_t t0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--seconds") || !strcmp(a, "--deadlock-ms")) {
			double v;

			if (i + 1 >= argc || parse_double(argv[i + 1], &v)) {
				fprintf(stderr, "kshim-stress: %s needs a number > 0\n", a);
				return 2;
			}
			if (!strcmp(a, "--seconds"))
				seconds = v;
			else
				dl_ms = v;
			i++;
		} else if (!strcmp(a, "--list")) {
			for (i = 0; i < ksim_scenario_count(); i++)
				printf("%-28s %s\n", ksim_scenario_name(i),
				       ksim_scenario_summary(i));
			return 0;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' || scenario) {
			fprintf(stderr, "kshim-stress: unexpected argument '%s'\n", a);
			usage(stderr);
			return 2;
		} else {
			scenario = a;
		}
	}
	if (!scenario) {
		usage(stderr);
		return 2;
	}
	w = ksim_world_create_scenario(scenario, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "kshim-stress: %s\n", err);
		return 2;
	}
	c = aligned_alloc(64, (sizeof(*c) + 63) & ~(size_t)63);
	ty = calloc(1, sizeof(*ty));
	if (!c || !ty || stress_ctx_init(c, w, (uint64_t)(dl_ms * 1e6))) {
		fprintf(stderr, "kshim-stress: cannot start %d threads\n",
			w->nr_tasks);
		return 2;
	}
	ty->first_seconds = -1;
	t0 = stress_now_ns();
	do {
		stress_iteration(c);
		elapsed = (stress_now_ns() - t0) / 1e9;
		tally_iteration(ty, w, elapsed);
	} while (elapsed < seconds);
	stress_ctx_destroy(c);
	if (json)
		print_json(ty, scenario, w->nr_tasks, elapsed, (long)dl_ms);
	else
		print_text(ty, scenario, w->nr_tasks, elapsed, (long)dl_ms);
	rc = ty->n ? 1 : 0;
	free(ty);
	free(c);
	ksim_world_destroy(w);
	return rc;
}
