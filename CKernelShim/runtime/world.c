// SPDX-License-Identifier: GPL-2.0-only
/*
 * Worlds: creation from a text spec, the arena, object names, reset,
 * queries and the trace.
 *
 * Spec format: one directive per line, words separated by blanks, '#'
 * starts a comment.  The first directive is "model NAME"; "task NAME OP
 * ARGS..." adds a task running operation OP; "option NAME VALUE" sets a
 * world option; every other line belongs to the model's builder.
 */
#define _GNU_SOURCE	/* dl_iterate_phdr */
#include <ctype.h>
#include <errno.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ksim_internal.h"

#define KSIM_MAX_WORDS	32

void *ksim_arena_alloc(struct ksim_world *w, size_t size)
{
	size_t off = (w->arena_used + 15) & ~(size_t)15;
	void *p;

	if (off + size > w->arena_top)
		return NULL;
	p = w->arena + off;
	memset(p, 0, size);
	w->arena_used = off + size;
	return p;
}

void *ksim_arena_scratch(struct ksim_world *w, size_t size)
{
	size_t top;

	size = (size + 15) & ~(size_t)15;
	if (size > w->arena_top - w->arena_used)
		return NULL;
	top = w->arena_top - size;
	memset(w->arena + top, 0, size);
	w->arena_top = top;
	return w->arena + top;
}

void *ksim_model_priv(struct ksim_world *w)
{
	return w->priv;
}

static size_t ksim_name_slot(const void *obj, int bit)
{
	uintptr_t h = ((uintptr_t)obj >> 3) * 0x9E3779B97F4A7C15ULL +
		      (uintptr_t)(bit + 1) * 0xBF58476D1CE4E5B9ULL;

	return (size_t)(h >> 20) & (KSIM_NAME_SLOTS - 1);
}

static void ksim_name_put(struct ksim_world *w, const void *obj, int bit,
			  const char *name)
{
	size_t i = ksim_name_slot(obj, bit), n;
	size_t len = strlen(name) + 1;
	char *s;

	for (n = 0; n < KSIM_NAME_SLOTS; n++, i = (i + 1) & (KSIM_NAME_SLOTS - 1))
		if (!w->names[i].obj ||
		    (w->names[i].obj == obj && w->names[i].bit == bit))
			break;
	if (n == KSIM_NAME_SLOTS || w->name_pool_used + len > KSIM_POOL_SIZE)
		return;
	s = w->name_pool + w->name_pool_used;
	memcpy(s, name, len);
	w->name_pool_used += len;
	w->names[i].obj = obj;
	w->names[i].bit = bit;
	w->names[i].name = s;
}

void ksim_name_object(struct ksim_world *w, const void *obj, const char *fmt,
		      ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ksim_name_put(w, obj, -1, buf);
}

void ksim_name_bits(struct ksim_world *w, const void *word, const char *base,
		    const char *const *bitnames, int nbits)
{
	char buf[160];
	int b;

	for (b = 0; b < nbits; b++) {
		if (!bitnames[b])
			continue;
		snprintf(buf, sizeof(buf), "%s.%s", base, bitnames[b]);
		ksim_name_put(w, word, b, buf);
	}
}

/* The name slot of (obj, bit), or NULL when the world did not name it. */
struct ksim_name *ksim_name_find(struct ksim_world *w, const void *obj, int bit)
{
	size_t i = ksim_name_slot(obj, bit), n;

	if (!obj)
		return NULL;
	for (n = 0; n < KSIM_NAME_SLOTS; n++, i = (i + 1) & (KSIM_NAME_SLOTS - 1)) {
		if (!w->names[i].obj)
			break;
		if (w->names[i].obj == obj && w->names[i].bit == bit)
			return &w->names[i];
	}
	return NULL;
}

const char *ksim_object_name(const struct ksim_world *w, const void *obj,
			     int bit)
{
	size_t i = ksim_name_slot(obj, bit), n;

	if (!obj)
		return "-";
	for (n = 0; n < KSIM_NAME_SLOTS; n++, i = (i + 1) & (KSIM_NAME_SLOTS - 1)) {
		if (!w->names[i].obj)
			break;
		if (w->names[i].obj == obj && w->names[i].bit == bit)
			return w->names[i].name;
	}
	return bit >= 0 ? "flags-bit" : "object";
}

uint64_t ksim_obj_key(const struct ksim_world *w, const void *obj, int bit)
{
	uintptr_t p = (uintptr_t)obj, lo = (uintptr_t)w->arena;
	uint64_t base;

	if (!obj)
		return 0;
	if (p >= lo && p < lo + KSIM_ARENA_SIZE)
		base = (uint64_t)(p - lo) + 1;
	else
		base = (uint64_t)p;
	return (base << 6) | (uint64_t)(bit < 0 ? 0 : bit);
}

void ksim_op_export(const struct ksim_world *w, const struct ksim_pend *p,
		    struct ksim_op *op)
{
	op->kind = p->kind;
	op->write = p->write;
	op->object = ksim_obj_key(w, p->obj, p->bit);
	op->object_name = ksim_object_name(w, p->obj, p->bit);
	op->file = ksim_short_file(p->file);
	op->line = p->line;
	op->function = p->func;
}

static int ksim_split(char *line, char **argv)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (argc == KSIM_MAX_WORDS)
			return -1;
		argv[argc++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	return argc;
}

static const char *const ksim_option_names[] = {
	[KSIM_OPT_TRACE] = "trace",
	[KSIM_OPT_MAX_STEPS] = "max_steps",
	[KSIM_OPT_STRICT] = "strict",
	[KSIM_OPT_BACKTRACE] = "backtrace",
	[KSIM_OPT_DIRECT] = "direct",
	[KSIM_OPT_CRASH_GUARD] = "crash_guard",
	[KSIM_OPT_FOOTPRINT] = "footprint",
	[KSIM_OPT_PLAIN_POINTS] = "plain_points",
};
#define KSIM_NR_OPTIONS	((int)(sizeof(ksim_option_names) / sizeof(ksim_option_names[0])))

static const char *ksim_option_name(int option)
{
	return option > 0 && option < KSIM_NR_OPTIONS ? ksim_option_names[option] : "?";
}

static int ksim_option_by_name(const char *name)
{
	int o;

	for (o = 1; o < KSIM_NR_OPTIONS; o++)
		if (!strcmp(name, ksim_option_names[o]))
			return o;
	return -1;
}

static const char *ksim_option_invalid(int option, long value, char *buf,
				       size_t len);

#define SPEC_ERR(...) do { \
	int __n = snprintf(err, errlen, "spec line %d: ", lineno); \
	if (__n >= 0 && (size_t)__n < errlen) \
		snprintf(err + __n, errlen - __n, __VA_ARGS__); \
	goto fail; \
} while (0)

/*
 * Is "expect WORD ..." a line of a scenario file (an expectation of
 * kharness run: "expect clean", "expect KIND [WHERE]") rather than a
 * directive of the model (the toy's "expect counter N")?
 */
static int ksim_is_expectation(const char *word)
{
	int k;

	if (!strcmp(word, "clean") || !strcmp(word, "lockdep"))
		return 1;
	for (k = 1; k < KSIM_F__COUNT; k++)
		if (!strcmp(word, ksim_finding_kind_name(k)))
			return 1;
	return 0;
}

static int ksim_build(struct ksim_world *w, const char *spec, char *err,
		      size_t errlen)
{
	char *copy = strdup(spec), *line, *next;
	char *argv[KSIM_MAX_WORDS];
	char sub[KSIM_ERRLEN];
	int lineno = 0, argc;

	if (!copy) {
		snprintf(err, errlen, "out of memory");
		return KSIM_ENOMEM;
	}
	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		argc = ksim_split(line, argv);
		if (argc < 0)
			SPEC_ERR("more than %d words", KSIM_MAX_WORDS);
		if (!argc)
			continue;
		/*
		 * A scenario file is a spec too: its name names the world
		 * (and so its tokens); its summary, tags and expectations are
		 * for kharness, which checks them.
		 */
		if (!strcmp(argv[0], "scenario")) {
			if (argc != 2)
				SPEC_ERR("usage: scenario NAME");
			if (strlen(argv[1]) >= sizeof(w->scenario) ||
			    strchr(argv[1], ':'))
				SPEC_ERR("scenario name '%s': at most %d characters, no ':'",
					 argv[1], (int)sizeof(w->scenario) - 1);
			snprintf(w->scenario, sizeof(w->scenario), "%s",
				 argv[1]);
			continue;
		}
		if (!strcmp(argv[0], "summary") || !strcmp(argv[0], "tag") ||
		    (!strcmp(argv[0], "expect") && argc >= 2 &&
		     ksim_is_expectation(argv[1])))
			continue;
		if (!w->model) {
			if (strcmp(argv[0], "model") || argc != 2)
				SPEC_ERR("the first directive must be 'model NAME', got '%s'",
					 argv[0]);
			w->model = ksim_find_model(argv[1]);
			if (!w->model)
				SPEC_ERR("unknown model '%s'", argv[1]);
			w->priv = ksim_arena_alloc(w, w->model->priv_size ?
						   w->model->priv_size : 1);
			continue;
		}
		if (!strcmp(argv[0], "option")) {
			int o;
			char *end;
			long v;

			if (argc != 3)
				SPEC_ERR("usage: option NAME VALUE");
			o = ksim_option_by_name(argv[1]);
			if (o < 0)
				SPEC_ERR("unknown option '%s'", argv[1]);
			errno = 0;
			v = strtol(argv[2], &end, 0);
			if (*end || end == argv[2] || errno)
				SPEC_ERR("option %s: '%s' is not a number",
					 argv[1], argv[2]);
			if (ksim_option_invalid(o, v, sub, sizeof(sub)))
				SPEC_ERR("%s", sub);
			w->opt[o] = v;
			continue;
		}
		if (!strcmp(argv[0], "task")) {
			const struct ksim_opdef *op;
			struct ksim_task *t;
			int i;

			if (argc < 3)
				SPEC_ERR("usage: task NAME OPERATION [ARGS...]");
			if (w->nr_tasks == KSIM_MAX_TASKS)
				SPEC_ERR("more than %d tasks", KSIM_MAX_TASKS);
			if (strlen(argv[1]) >= sizeof(t->name))
				SPEC_ERR("task name '%s' is too long", argv[1]);
			for (i = 0; i < w->nr_tasks; i++)
				if (!strcmp(w->tasks[i].name, argv[1]))
					SPEC_ERR("duplicate task name '%s'",
						 argv[1]);
			op = ksim_find_op(w->model->name, argv[2]);
			if (!op)
				SPEC_ERR("unknown operation '%s' for model '%s'",
					 argv[2], w->model->name);
			t = &w->tasks[w->nr_tasks];
			t->id = w->nr_tasks;
			snprintf(t->name, sizeof(t->name), "%s", argv[1]);
			t->op = op;
			sub[0] = '\0';
			if (op->setup && op->setup(w, w->priv, argc - 3,
						   argv + 3, &t->arg, sub,
						   sizeof(sub)))
				SPEC_ERR("task %s: %s (usage: %s)", argv[1],
					 sub[0] ? sub : "bad arguments",
					 op->usage);
			w->nr_tasks++;
			continue;
		}
		sub[0] = '\0';
		if (!w->model->spec_line ||
		    w->model->spec_line(w, w->priv, argc, argv, sub,
					sizeof(sub)))
			SPEC_ERR("%s", sub[0] ? sub : "unknown directive");
	}
	if (!w->model) {
		lineno = 0;
		SPEC_ERR("empty spec: no 'model' directive");
	}
	if (!w->nr_tasks) {
		snprintf(err, errlen, "spec: no tasks");
		goto fail;
	}
	sub[0] = '\0';
	if (w->model->spec_end && w->model->spec_end(w, w->priv, sub,
						     sizeof(sub))) {
		snprintf(err, errlen, "spec: %s",
			 sub[0] ? sub : "inconsistent world");
		goto fail;
	}
	/* the spec's scratch memory is gone; the kernel state is fixed */
	w->arena_top = KSIM_ARENA_SIZE;
	free(copy);
	return 0;
fail:
	free(copy);
	return KSIM_EINVAL;
}

struct ksim_world *ksim_world_create(const char *spec, char *err,
				     size_t errlen)
{
	struct ksim_world *w;
	char dummy[KSIM_ERRLEN];
	int i;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (!spec) {
		snprintf(err, errlen, "no spec");
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		goto nomem;
	/*
	 * Mapped, not malloc()ed: pages are zero until touched, so a world
	 * costs what its spec uses (a few KiB), and destroying it gives the
	 * memory back (512 KiB heap blocks fragmented the fuzzer's heap).
	 */
	w->arena = mmap(NULL, KSIM_ARENA_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (w->arena == MAP_FAILED)
		w->arena = NULL;
	w->arena_top = KSIM_ARENA_SIZE;
	w->name_pool = malloc(KSIM_POOL_SIZE);
	w->pool = malloc(KSIM_POOL_SIZE);
	w->spec = strdup(spec);
	if (!w->arena || !w->name_pool || !w->pool || !w->spec)
		goto nomem;
	w->opt[KSIM_OPT_TRACE] = 1;
	w->opt[KSIM_OPT_MAX_STEPS] = KSIM_DEFAULT_MAX_STEPS;
	w->opt[KSIM_OPT_BACKTRACE] = 1;
	w->opt[KSIM_OPT_DIRECT] = 1;
	w->opt[KSIM_OPT_CRASH_GUARD] = KSIM_CRASH_GUARD_RUN;
	ksim_tls_world = w;
	if (ksim_build(w, spec, err, errlen)) {
		ksim_world_destroy(w);
		return NULL;
	}
	/* the quiesce task runs last, on CPU "nr_tasks" */
	w->tasks[w->nr_tasks].id = w->nr_tasks;
	w->tasks[w->nr_tasks].internal = 1;
	snprintf(w->tasks[w->nr_tasks].name, sizeof(w->tasks[0].name),
		 "quiesce");
	for (i = 0; i <= w->nr_tasks; i++)
		if (ksim_stacks_alloc(&w->tasks[i]))
			goto nomem;
	w->snapshot = malloc(w->arena_used ? w->arena_used : 1);
	if (!w->snapshot)
		goto nomem;
	memcpy(w->snapshot, w->arena, w->arena_used);
	ksim_state_hash_setup(w);
	if (!w->scenario[0]) {
		/* a plain spec is named by its hash: tokens still say which */
		uint64_t h = 1469598103934665603ULL;
		const char *c;

		for (c = spec; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		snprintf(w->scenario, sizeof(w->scenario), "spec-%08x",
			 (unsigned)(h ^ (h >> 32)));
	}
	ksim_run_start(w);
	return w;
nomem:
	snprintf(err, errlen, "out of memory");
	ksim_world_destroy(w);
	return NULL;
}

struct ksim_world *ksim_world_create_scenario(const char *name, char *err,
					      size_t errlen)
{
	int i = name ? ksim_scenario_find(name) : KSIM_ENOENT;
	struct ksim_world *w;

	if (i < 0) {
		if (err && errlen)
			snprintf(err, errlen, "unknown scenario '%s' (see 'kharness list')",
				 name ? name : "(null)");
		return NULL;
	}
	w = ksim_world_create(ksim_scenario_spec(i), err, errlen);
	if (w)
		snprintf(w->scenario, sizeof(w->scenario), "%s", name);
	return w;
}

/*
 * Start of a run, shared by every runtime: the arena back to its snapshot,
 * the per-run state and every task (incl. quiesce) back to the beginning.
 */
void ksim_run_reset(struct ksim_world *w)
{
	int i;

	memcpy(w->arena, w->snapshot, w->arena_used);
	w->cur = NULL;
	w->phase = KSIM_PH_RUN;
	w->stopped = 0;
	w->steps = 0;
	w->nr_choices = 0;
	w->nr_events = 0;
	w->nr_findings = 0;
	w->dropped_findings = 0;
	w->pool_used = 0;
	w->at_site = 0;
	w->runs++;
	w->cpu_atomic = 0;
	w->cpu_busy = 0;
	for (i = 0; i <= w->nr_tasks; i++) {
		struct ksim_task *t = &w->tasks[i];

		t->state = KSIM_TASK_RUNNABLE;
		t->started = 0;
		t->has_pend = 0;
		t->nr_held = 0;
		t->spin_depth = 0;
		t->irq_depth = 0;
		t->preempt_depth = 0;
		t->cpu_override = -1;
		t->in_assert = 0;
		/* a run abandoned at a plain access's point (DFS and DPOR
		 * reset mid-run) must not leave the task's plain points off */
		t->in_plain = 0;
		t->queued = 0;
		t->result = 0;
	}
}

void ksim_world_reset(struct ksim_world *w)
{
	if (!w)
		return;
	ksim_run_start(w);
	w->err[0] = '\0';
}

int ksim_running_task(const struct ksim_world *w)
{
	/* read from another thread: one aligned load of the pointer */
	const struct ksim_task *t;

	if (!w)
		return -1;
	t = __atomic_load_n(&w->cur, __ATOMIC_RELAXED);

	return t ? (int)(t - w->tasks) : -1;
}

void ksim_world_destroy(struct ksim_world *w)
{
	int i;

	if (!w)
		return;
	/* an unfinished run leaves the per-run guard armed */
	if (w->runs && w->phase != KSIM_PH_DONE)
		ksim_crash_guard_disarm();
	if (ksim_tls_world == w)
		ksim_tls_world = NULL;
	ksim_audit_destroy(w);
	for (i = 0; i <= KSIM_MAX_TASKS; i++)
		ksim_stacks_free(&w->tasks[i]);
	if (w->arena)
		munmap(w->arena, KSIM_ARENA_SIZE);
	free(w->snapshot);
	free(w->name_pool);
	free(w->pool);
	free(w->spec);
	free(w->choices);
	free(w->enlog);
	free(w->events);
	free(w->text);
	free(w->tokbuf);
	free(w->cov.blocks);
	ksim_foot_free(w);
	free(w);
}

const char *ksim_last_error(const struct ksim_world *w)
{
	return w ? w->err : "no world (NULL)";
}

const char *ksim_world_scenario(const struct ksim_world *w)
{
	return w ? w->scenario : "";
}

/*
 * Whether @value is one option @option takes: NULL, or why not (into
 * @buf).  The spec's "option" lines and ksim_world_set_option() share it.
 */
static const char *ksim_option_invalid(int option, long value, char *buf,
				       size_t len)
{
	long lo = 0, hi = 1;

	switch (option) {
	case KSIM_OPT_TRACE:
	case KSIM_OPT_STRICT:
	case KSIM_OPT_BACKTRACE:
	case KSIM_OPT_DIRECT:
	case KSIM_OPT_PLAIN_POINTS:
		break;
	case KSIM_OPT_FOOTPRINT:
		hi = KSIM_FOOT_STEPS_ONLY;
		break;
	case KSIM_OPT_MAX_STEPS:
		lo = 1;
		hi = KSIM_STEP_LIMIT;
		break;
	case KSIM_OPT_CRASH_GUARD:
		hi = KSIM_CRASH_GUARD_KEEP;
		break;
	default:
		snprintf(buf, len, "unknown option %d", option);
		return buf;
	}
	if (value < lo || value > hi) {
		snprintf(buf, len, "option %s takes %ld..%ld, not %ld",
			 ksim_option_name(option), lo, hi, value);
		return buf;
	}
	return NULL;
}

int ksim_world_set_option(struct ksim_world *w, int option, long value)
{
	if (!w)
		return KSIM_EINVAL;
	if (ksim_option_invalid(option, value, w->err, sizeof(w->err)))
		return KSIM_EINVAL;
	if (option == KSIM_OPT_FOOTPRINT && value && ksim_foot_enable(w)) {
		snprintf(w->err, sizeof(w->err), "out of memory");
		return KSIM_ENOMEM;
	}
	w->opt[option] = value;
	w->err[0] = '\0';
	return 0;
}

int ksim_task_count(const struct ksim_world *w)
{
	return w ? w->nr_tasks : KSIM_EINVAL;
}

const char *ksim_task_name(const struct ksim_world *w, int task)
{
	if (!w || task < 0 || task >= w->nr_tasks)
		return NULL;
	return w->tasks[task].name;
}

/* The queries below take a const world: their error messages are
 * written through this (the message is not part of the world's state). */
static char *ksim_errbuf(const struct ksim_world *w)
{
	return (char *)w->err;
}

#define KSIM_NO_TASK(w, task) ( \
	snprintf(ksim_errbuf(w), KSIM_ERRLEN, "no task %d (world has %d)", \
		 (task), (w)->nr_tasks), KSIM_ENOENT)

int ksim_task_state(const struct ksim_world *w, int task)
{
	if (!w)
		return KSIM_EINVAL;
	if (task < 0 || task >= w->nr_tasks)
		return KSIM_NO_TASK(w, task);
	ksim_errbuf(w)[0] = '\0';
	return w->tasks[task].state;
}

/* The task's pending operation, or NULL if it has none (or no such task). */
static const struct ksim_pend *ksim_pend_of(const struct ksim_world *w,
					    int task)
{
	const struct ksim_task *t;

	if (task < 0 || task >= w->nr_tasks)
		return NULL;
	t = &w->tasks[task];
	if (t->state != KSIM_TASK_RUNNABLE || !t->has_pend)
		return NULL;
	return &t->pend;
}

/* Why task has no pending operation, as an error code and message. */
static int ksim_no_pend(const struct ksim_world *w, int task)
{
	if (task < 0 || task >= w->nr_tasks)
		return KSIM_NO_TASK(w, task);
	snprintf(ksim_errbuf(w), KSIM_ERRLEN,
		 "task %d (%s) has no pending operation (it has finished)",
		 task, w->tasks[task].name);
	return KSIM_ENOENT;
}

int ksim_pending(const struct ksim_world *w, int task, struct ksim_op *op)
{
	const struct ksim_pend *p;

	if (!w)
		return KSIM_EINVAL;
	if (!op) {
		snprintf(ksim_errbuf(w), KSIM_ERRLEN, "ksim_pending: op is NULL");
		return KSIM_EINVAL;
	}
	p = ksim_pend_of(w, task);
	if (!p)
		return ksim_no_pend(w, task);
	ksim_op_export(w, p, op);
	ksim_errbuf(w)[0] = '\0';
	return 0;
}

int ksim_pending_access(const struct ksim_world *w, int task, int *kind,
			uint64_t *object, int *write)
{
	const struct ksim_pend *p;

	if (!w)
		return KSIM_EINVAL;
	p = ksim_pend_of(w, task);
	if (!p)
		return ksim_no_pend(w, task);
	ksim_errbuf(w)[0] = '\0';
	if (kind)
		*kind = p->kind;
	if (object)
		*object = ksim_obj_key(w, p->obj, p->bit);
	if (write)
		*write = p->write;
	return 0;
}

size_t ksim_schedule(const struct ksim_world *w, const uint8_t **choices)
{
	if (choices)
		*choices = w ? w->choices : NULL;
	return w ? w->nr_choices : 0;
}

size_t ksim_event_count(const struct ksim_world *w)
{
	return w ? w->nr_events : 0;
}

int ksim_event_get(const struct ksim_world *w, size_t i, struct ksim_event *ev)
{
	if (!w)
		return KSIM_EINVAL;
	if (!ev) {
		snprintf(ksim_errbuf(w), KSIM_ERRLEN, "ksim_event_get: ev is NULL");
		return KSIM_EINVAL;
	}
	if (i >= w->nr_events) {
		snprintf(ksim_errbuf(w), KSIM_ERRLEN,
			 "no event %zu (the trace has %zu)", i, w->nr_events);
		return KSIM_ENOENT;
	}
	*ev = w->events[i];
	ksim_errbuf(w)[0] = '\0';
	return 0;
}

char *ksim_text_reserve(struct ksim_world *w, size_t need)
{
	if (need > w->text_cap) {
		char *n = realloc(w->text, need);

		if (!n)
			return NULL;
		w->text = n;
		w->text_cap = need;
	}
	return w->text;
}

const char *ksim_trace_text(struct ksim_world *w)
{
	size_t i, used = 0, cap;
	char *s;

	if (!w)
		return "";
	cap = 160 * (w->nr_events + 1);
	s = ksim_text_reserve(w, cap);

	if (!s)
		return "";
	s[0] = '\0';
	for (i = 0; i < w->nr_events; i++) {
		const struct ksim_event *ev = &w->events[i];

		used += snprintf(s + used, cap - used,
				 "%zu %s %s %s %s:%d %s = %d\n", i,
				 w->tasks[ev->task].name,
				 ksim_op_kind_name(ev->op.kind),
				 ev->op.object_name, ev->op.file, ev->op.line,
				 ev->op.function, ev->result);
		if (used >= cap)
			break;
	}
	return s;
}

/*
 * Hash of the kernel state: the arena, with every word that points into
 * the arena replaced by its offset, so equal states of two worlds built
 * from the same spec hash equal, in one process or in two (ASLR moves the
 * arena, the stacks and the loaded code between processes).  The state
 * also points out of the arena: into the code's own image (address space
 * and vma ops tables, static lock keys), and, when a run stopped inside a
 * task, into that task's stack (a page left on a list head local to a
 * kernel function).  An image pointer the built state already holds is
 * replaced by the arena offset where it first occurs there, which does
 * not even depend on the build's layout; any other image pointer by its
 * offset in the image; a stack pointer by its task and its distance from
 * the stack's top.  Anything else is hashed as it is.
 *
 * The arena is mostly zero (page tables with few ptes in use, free
 * slots), so it is read in blocks of KSIM_HASH_BLOCK words and a block
 * that is all zero is passed over.  Every block that is mixed in brings
 * its index along, so the hash still depends on where each nonzero word
 * sits, i.e. it is a function of the whole arena.  The words of a block
 * go to four independent lanes (multiply, rotate, multiply per word, as
 * in xxHash64's round), which are folded together and avalanched at the
 * end.
 */
#define KSIM_HASH_BLOCK	8	/* words: two per lane, four 16-byte vectors */
#define KSIM_HASH_P1	0x9E3779B185EBCA87ULL
#define KSIM_HASH_P2	0xC2B2AE3D27D4EB4FULL
#define KSIM_HASH_P3	0x165667B19E3779F9ULL
#define KSIM_HASH_P4	0x85EBCA77C2B2AE63ULL

typedef uint64_t ksim_hash_v2 __attribute__((vector_size(16)));

static inline uint64_t ksim_hash_rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t ksim_hash_round(uint64_t acc, uint64_t v)
{
	acc += v * KSIM_HASH_P2;
	return ksim_hash_rotl(acc, 31) * KSIM_HASH_P1;
}

/* Tags of relocated pointers (arena offsets are hashed untagged). */
#define KSIM_HASH_TAG_SEEN	0x4b53494d49000000ULL	/* image, in the built state */
#define KSIM_HASH_TAG_IMG	0x4b53494d4a000000ULL	/* image, elsewhere */
#define KSIM_HASH_TAG_STACK	0x4b53494d4b000000ULL	/* a task's stack */

/* What the hash needs to relocate a word, read once per hash. */
struct ksim_hash_ctx {
	const struct ksim_world *w;
	uintptr_t lo;		/* arena */
	size_t used;
	uintptr_t img_lo;
	size_t img_len;
	uintptr_t stk_lo;	/* span of every task's stack */
	size_t stk_len;
};

/* An out-of-arena word: relocated when it points into the image or a stack. */
static __attribute__((noinline)) uint64_t
ksim_hash_outside(const struct ksim_hash_ctx *c, uintptr_t v)
{
	const struct ksim_world *w = c->w;
	int i;

	if (v - c->img_lo < c->img_len) {
		for (i = 0; i < w->nr_imgptr; i++)
			if (w->imgptr[i] == v)
				return KSIM_HASH_TAG_SEEN ^ w->imgptr_at[i];
		return KSIM_HASH_TAG_IMG ^ (v - c->img_lo);
	}
	if (v - c->stk_lo < c->stk_len)
		for (i = 0; i <= w->nr_tasks; i++) {
			const struct ksim_task *t = &w->tasks[i];

			if (v >= (uintptr_t)t->stack_lo && v < (uintptr_t)t->stack_hi)
				return KSIM_HASH_TAG_STACK ^ ((uint64_t)i << 32) ^
				       ((uintptr_t)t->stack_hi - v);
		}
	return v;
}

/* A word of the arena, an arena pointer turned into its offset. */
static inline uint64_t ksim_hash_word(const struct ksim_hash_ctx *c, uintptr_t v)
{
	uintptr_t off = v - c->lo;

	if (off < c->used)
		return off;
	if (v - c->img_lo < c->img_len || v - c->stk_lo < c->stk_len)
		return ksim_hash_outside(c, v);
	return v;
}

/* Find the loaded object (executable or shared library) holding @addr. */
struct ksim_img_find {
	uintptr_t addr, lo, hi;
};

static int ksim_img_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	struct ksim_img_find *f = data;
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	int i, mine = 0;

	(void)size;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t a, b;

		if (ph->p_type != PT_LOAD)
			continue;
		a = info->dlpi_addr + ph->p_vaddr;
		b = a + ph->p_memsz;
		if (a < lo)
			lo = a;
		if (b > hi)
			hi = b;
		if (f->addr >= a && f->addr < b)
			mine = 1;
	}
	if (!mine)
		return 0;
	f->lo = lo;
	f->hi = hi;
	return 1;
}

/*
 * At creation, after the snapshot: where this code's image lies, and the
 * image pointers of the built state with the offset of their first word.
 */
void ksim_state_hash_setup(struct ksim_world *w)
{
	/* a static function: a global one could resolve to another copy */
	struct ksim_img_find f = { (uintptr_t)&ksim_img_cb, 0, 0 };
	size_t off;
	int i;

	w->img_lo = 0;
	w->img_len = 0;
	w->nr_imgptr = 0;
	if (dl_iterate_phdr(ksim_img_cb, &f) <= 0 || f.hi <= f.lo)
		return;
	w->img_lo = f.lo;
	w->img_len = f.hi - f.lo;
	for (off = 0; off + sizeof(uintptr_t) <= w->arena_used;
	     off += sizeof(uintptr_t)) {
		uintptr_t v;

		memcpy(&v, w->snapshot + off, sizeof(v));
		if (v - w->img_lo >= w->img_len)
			continue;
		for (i = 0; i < w->nr_imgptr && w->imgptr[i] != v; i++)
			;
		if (i < w->nr_imgptr || i == KSIM_HASH_IMGPTRS)
			continue;
		w->imgptr[i] = v;
		w->imgptr_at[i] = (uint32_t)off;
		w->nr_imgptr++;
	}
}

/* Are the @n (at most 4) blocks at @q (16-byte aligned) all zero? */
static inline int ksim_hash_zero(const uintptr_t *q, int n)
{
	ksim_hash_v2 x[4 * 4], acc;
	int i;

	memcpy(x, __builtin_assume_aligned(q, 16), n * 4 * sizeof(x[0]));
	acc = x[0];
	for (i = 1; i < n * 4; i++)
		acc |= x[i];
	return !(acc[0] | acc[1]);
}

/* Mix block number @blk, at @q, into the lanes. */
static inline void ksim_hash_block(uint64_t a[4], const uintptr_t *q,
				   uint64_t blk, const struct ksim_hash_ctx *c)
{
	int j;

	a[0] ^= blk;
	for (j = 0; j < 4; j++) {
		a[j] = ksim_hash_round(a[j], ksim_hash_word(c, q[j]));
		a[j] = ksim_hash_round(a[j], ksim_hash_word(c, q[j + 4]));
	}
}

uint64_t ksim_state_hash(const struct ksim_world *w)
{
	const uintptr_t lo = (uintptr_t)w->arena;
	const size_t used = w->arena_used;
	const size_t blksz = KSIM_HASH_BLOCK * sizeof(uintptr_t);
	/* the arena is mmap()ed, so page aligned */
	const uintptr_t *p = __builtin_assume_aligned(w->arena, 4096);
	size_t nblk = used / blksz, rest = used % blksz, b = 0;
	uint64_t a[4] = {
		KSIM_HASH_P1 + KSIM_HASH_P2, KSIM_HASH_P2, 0, -KSIM_HASH_P1,
	};
	struct ksim_hash_ctx c = {
		.w = w, .lo = lo, .used = used,
		.img_lo = w->img_lo, .img_len = w->img_len,
	};
	uintptr_t slo = UINTPTR_MAX, shi = 0;
	uint64_t h;
	int j;

	for (j = 0; j <= w->nr_tasks; j++) {
		const struct ksim_task *t = &w->tasks[j];

		if (!t->stack_lo)
			continue;
		if ((uintptr_t)t->stack_lo < slo)
			slo = (uintptr_t)t->stack_lo;
		if ((uintptr_t)t->stack_hi > shi)
			shi = (uintptr_t)t->stack_hi;
	}
	if (shi > slo) {
		c.stk_lo = slo;
		c.stk_len = shi - slo;
	}
	/*
	 * Groups of four blocks are tested first: most of them are zero.
	 * This only saves work, the blocks mixed in are the same.
	 */
	for (; b + 4 <= nblk; b += 4, p += 4 * KSIM_HASH_BLOCK) {
		if (ksim_hash_zero(p, 4))
			continue;
		for (j = 0; j < 4; j++)
			if (!ksim_hash_zero(p + j * KSIM_HASH_BLOCK, 1))
				ksim_hash_block(a, p + j * KSIM_HASH_BLOCK, b + j,
						&c);
	}
	for (; b < nblk; b++, p += KSIM_HASH_BLOCK)
		if (!ksim_hash_zero(p, 1))
			ksim_hash_block(a, p, b, &c);
	if (rest) {
		/* the tail, padded with zero bytes to a whole block */
		uintptr_t q[KSIM_HASH_BLOCK] = { 0 };

		memcpy(q, p, rest);
		for (j = 0; j < KSIM_HASH_BLOCK; j++)
			if (q[j]) {
				ksim_hash_block(a, q, nblk, &c);
				break;
			}
	}
	h = ksim_hash_rotl(a[0], 1) + ksim_hash_rotl(a[1], 7) +
	    ksim_hash_rotl(a[2], 12) + ksim_hash_rotl(a[3], 18);
	for (j = 0; j < 4; j++)
		h = (h ^ ksim_hash_round(0, a[j])) * KSIM_HASH_P1 + KSIM_HASH_P4;
	h += used;
	h ^= h >> 33;
	h *= KSIM_HASH_P2;
	h ^= h >> 29;
	h *= KSIM_HASH_P3;
	h ^= h >> 32;
	return h;
}

void ksim_stats_get(const struct ksim_world *w, struct ksim_stats *st)
{
	if (!st)
		return;
	if (!w) {
		memset(st, 0, sizeof(*st));
		return;
	}
	st->steps = w->steps;
	st->total_steps = w->total_steps;
	st->runs = w->runs;
	st->state_hash = ksim_state_hash(w);
	st->arena_bytes = w->arena_used;
	st->total_direct = w->total_direct;
}

static const char *const op_names[KSIM_OP__COUNT] = {
	[KSIM_OP_NONE] = "none",
	[KSIM_OP_SPIN_LOCK] = "spin_lock",
	[KSIM_OP_SPIN_TRYLOCK] = "spin_trylock",
	[KSIM_OP_SPIN_UNLOCK] = "spin_unlock",
	[KSIM_OP_MUTEX_LOCK] = "mutex_lock",
	[KSIM_OP_MUTEX_TRYLOCK] = "mutex_trylock",
	[KSIM_OP_MUTEX_UNLOCK] = "mutex_unlock",
	[KSIM_OP_DOWN_READ] = "down_read",
	[KSIM_OP_DOWN_READ_TRYLOCK] = "down_read_trylock",
	[KSIM_OP_UP_READ] = "up_read",
	[KSIM_OP_DOWN_WRITE] = "down_write",
	[KSIM_OP_DOWN_WRITE_TRYLOCK] = "down_write_trylock",
	[KSIM_OP_UP_WRITE] = "up_write",
	[KSIM_OP_LOCK_PAGE] = "lock_page",
	[KSIM_OP_TRYLOCK_PAGE] = "trylock_page",
	[KSIM_OP_UNLOCK_PAGE] = "unlock_page",
	[KSIM_OP_WAIT_PAGE_UNLOCKED] = "wait_on_page_locked",
	[KSIM_OP_FLAG_TEST] = "test_bit",
	[KSIM_OP_FLAG_SET] = "set_bit",
	[KSIM_OP_FLAG_CLEAR] = "clear_bit",
	[KSIM_OP_FLAG_TEST_SET] = "test_and_set_bit",
	[KSIM_OP_FLAG_TEST_CLEAR] = "test_and_clear_bit",
	[KSIM_OP_ATOMIC_READ] = "atomic_read",
	[KSIM_OP_ATOMIC_WRITE] = "atomic_set",
	[KSIM_OP_ATOMIC_RMW] = "atomic_rmw",
	[KSIM_OP_LOAD] = "load",
	[KSIM_OP_STORE] = "store",
	[KSIM_OP_YIELD] = "yield",
};

const char *ksim_op_kind_name(int kind)
{
	if (kind < 0 || kind >= KSIM_OP__COUNT)
		return "unknown";
	return op_names[kind];
}
