// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler: scheduling points, enabledness, stepping, end of run.
 *
 * A task publishes its pending operation at a scheduling point and
 * switches to the driver.  The driver (ksim_step) resumes a task only if
 * its pending operation can take effect now, so primitives never wait:
 * when a task is resumed, its operation is performed at once and the task
 * runs on to its next scheduling point.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksim_internal.h"

/* Per operation kind: does it sleep, does it acquire something. */
#define KF_SLEEPS	1
#define KF_ACQUIRES	2
static const unsigned char ksim_kind_flags[KSIM_OP__COUNT] = {
	[KSIM_OP_SPIN_LOCK] = KF_ACQUIRES,
	[KSIM_OP_MUTEX_LOCK] = KF_SLEEPS | KF_ACQUIRES,
	[KSIM_OP_DOWN_READ] = KF_SLEEPS | KF_ACQUIRES,
	[KSIM_OP_DOWN_WRITE] = KF_SLEEPS | KF_ACQUIRES,
	[KSIM_OP_LOCK_PAGE] = KF_SLEEPS | KF_ACQUIRES,
	[KSIM_OP_WAIT_PAGE_UNLOCKED] = KF_SLEEPS,
};

int ksim_rwsem_read_blocked(const struct ksim_world *w,
			    const struct rw_semaphore *s,
			    const struct ksim_task *self)
{
	(void)w;
	(void)self;
	return s->writer || s->waiters;
}

/* Inlined into ksim_after_step(), which asks it for every task per step. */
static inline __attribute__((always_inline)) int
ksim_op_enabled_inline(const struct ksim_world *w, const struct ksim_task *t)
{
	const struct ksim_pend *p = &t->pend;

	if (t->state != KSIM_TASK_RUNNABLE || !t->has_pend)
		return 0;
	/* a per-CPU work runs on this task's CPU: the task is preempted */
	if (w->cpu_busy & (1UL << t->id))
		return 0;
	switch (p->kind) {
	case KSIM_OP_SPIN_LOCK:
		return ((const spinlock_t *)p->obj)->owner == 0;
	case KSIM_OP_MUTEX_LOCK:
		return ((const struct mutex *)p->obj)->owner == 0;
	case KSIM_OP_DOWN_READ:
		return !ksim_rwsem_read_blocked(w, p->obj, t);
	case KSIM_OP_DOWN_WRITE: {
		const struct rw_semaphore *s = p->obj;

		/* the attempt always runs; once queued, wait for a free sem */
		return !t->queued || (!s->writer && !s->readers);
	}
	case KSIM_OP_LOCK_PAGE:
	case KSIM_OP_WAIT_PAGE_UNLOCKED:
		return !(*(const unsigned long *)p->obj & (1UL << p->bit));
	default:
		return 1;
	}
}

int ksim_op_enabled(const struct ksim_world *w, const struct ksim_task *t)
{
	return ksim_op_enabled_inline(w, t);
}

/* The enabled mask over every task, and how many are still runnable. */
static inline __attribute__((always_inline)) uint32_t
ksim_scan(const struct ksim_world *w, int *runnable)
{
	uint32_t en = 0;
	int i, n = 0;

	for (i = 0; i < w->nr_tasks; i++) {
		const struct ksim_task *t = &w->tasks[i];

		if (t->state != KSIM_TASK_RUNNABLE)
			continue;
		n++;
		if (ksim_op_enabled_inline(w, t))
			en |= 1u << i;
	}
	*runnable = n;
	return en;
}

/* Append a choice and the enabled mask it was made from. */
static inline __attribute__((always_inline)) int
ksim_push_choice(struct ksim_world *w, int task, uint32_t en)
{
	if (__builtin_expect(w->nr_choices == w->cap_choices, 0)) {
		size_t cap = w->cap_choices ? w->cap_choices * 2 : 256;
		uint8_t *n = realloc(w->choices, cap);
		uint32_t *l;

		if (!n)
			return KSIM_ENOMEM;
		w->choices = n;
		l = realloc(w->enlog, cap * sizeof(*l));
		if (!l)
			return KSIM_ENOMEM;
		w->enlog = l;
		w->cap_choices = cap;
	}
	w->enlog[w->nr_choices] = en;
	w->choices[w->nr_choices++] = (uint8_t)task;
	return 0;
}

static inline uint64_t ksim_splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static inline int ksim_nth_task(uint32_t en, int nth)
{
	while (nth--)
		en &= en - 1;
	return __builtin_ctz(en);
}

static inline int ksim_pct_best(const struct ksim_chooser *ch, uint32_t en)
{
	int best = -1;

	while (en) {
		int t = __builtin_ctz(en);

		en &= en - 1;
		if (best < 0 || ch->prio[t] > ch->prio[best])
			best = t;
	}
	return best;
}

/*
 * The built-in chooser's pick among the enabled tasks w->enabled (never
 * empty), or -1 when it has nothing more to say (an array used up with
 * KSIM_TAIL_STOP).  Consumes chooser state: call it once per step.
 */
static inline __attribute__((always_inline)) int
ksim_choose(struct ksim_world *w)
{
	struct ksim_chooser *ch = &w->ch;
	uint32_t en = w->enabled;
	int last, k, i;

	switch (ch->kind) {
	case KSIM_CH_RANDOM: {
		uint64_t r = ksim_splitmix(&ch->rng);
		unsigned int cnt = (unsigned int)__builtin_popcount(en);

		/* r % cnt without a division for the common counts */
		if (cnt & (cnt - 1))
			r %= cnt;
		else
			r &= cnt - 1;
		return ksim_nth_task(en, (int)r);
	}
	case KSIM_CH_PCT: {
		uint64_t step = w->nr_choices + 1;
		int best = ksim_pct_best(ch, en);

		for (k = 0; k < ch->nr_change; k++) {
			if (ch->change[k] == step) {
				/* below every initial priority, and every
				 * earlier change */
				ch->prio[best] = -1 - k;
				return ksim_pct_best(ch, en);
			}
		}
		return best;
	}
	case KSIM_CH_ARRAY:
		if (ch->arr_pos < ch->arr_n)
			return ch->arr[ch->arr_pos++];
		last = w->nr_choices ? w->choices[w->nr_choices - 1] : -1;
		switch (ch->tail) {
		case KSIM_TAIL_RR:
			for (k = 1; k <= w->nr_tasks; k++) {
				i = (last + k) % w->nr_tasks;
				if (en & (1u << i))
					return i;
			}
			return -1;
		case KSIM_TAIL_LAST:
			if (last >= 0 && (en & (1u << last)))
				return last;
			return __builtin_ctz(en);
		default:
			return -1;
		}
	default:
		return -1;
	}
}

/*
 * At a scheduling point of t, with a built-in chooser: choose now, and if
 * the step can run, record it and run it from here: t goes on at once
 * when it chose itself, else it hands the CPU straight to the chosen task
 * and goes on when somebody chooses it again.  Returns 1 then.  Anything
 * else (the end of the run, a deadlock, the step budget, a choice that
 * cannot run, no choice left) is the driver's: the choice is left in
 * w->ch.next and 0 returned.
 */
static int ksim_choose_here(struct ksim_world *w, struct ksim_task *t)
{
	int runnable, pick;
	uint32_t en;

	if (w->stopped)
		return 0;
	en = ksim_scan(w, &runnable);
	w->enabled = en;
	if (!en)
		return 0;	/* the driver reports the deadlock */
	pick = ksim_choose(w);
	w->ch.next = pick;
	if (pick < 0 || pick >= w->nr_tasks || !(en & (1u << pick)) ||
	    (pick != t->id && !KSIM_CAN_HAND_OVER) ||
	    w->steps >= (uint64_t)w->opt[KSIM_OPT_MAX_STEPS] ||
	    ksim_push_choice(w, pick, en))
		return 0;
	w->ch.next = -1;
	w->steps++;
	w->total_steps++;
	w->total_direct++;
	ksim_foot_begin(w);
	if (pick != t->id)
		ksim_coro_hand_over(w, t, &w->tasks[pick]);
	return 1;
}

/* Does t already hold what its pending operation would acquire? */
static int ksim_self_deadlock(const struct ksim_task *t)
{
	const struct ksim_pend *p = &t->pend;

	switch (p->kind) {
	case KSIM_OP_SPIN_LOCK:
		return ((const spinlock_t *)p->obj)->owner == t->id + 1;
	case KSIM_OP_MUTEX_LOCK:
		return ((const struct mutex *)p->obj)->owner == t->id + 1;
	case KSIM_OP_LOCK_PAGE:
		return ksim_held_find(t, p->obj, p->bit, KSIM_LC_BIT) >= 0;
	case KSIM_OP_DOWN_WRITE:
		return ksim_held_find(t, p->obj, -1, 0) >= 0;
	case KSIM_OP_DOWN_READ:
		return ksim_held_find(t, p->obj, -1, KSIM_LC_RWSEM_WRITE) >= 0;
	default:
		return 0;
	}
}

static void ksim_precheck(struct ksim_world *w, struct ksim_task *t)
{
	const struct ksim_pend *p = &t->pend;

	if ((ksim_kind_flags[p->kind] & KF_SLEEPS) &&
	    (t->spin_depth || t->irq_depth || t->preempt_depth)) {
		ksim_finding_add(w, KSIM_F_INVALID_CONTEXT, t, p->file, p->line,
				 p->func,
				 "BUG: sleeping function called from invalid context at %s:%d (%s with %d spinlock(s) held, irqs %s)",
				 ksim_short_file(p->file), p->line,
				 ksim_op_kind_name(p->kind), t->spin_depth,
				 t->irq_depth ? "disabled" : "enabled");
	}
	if ((ksim_kind_flags[p->kind] & KF_ACQUIRES) && ksim_self_deadlock(t)) {
		ksim_finding_add(w, KSIM_F_DEADLOCK, t, p->file, p->line,
				 p->func,
				 "self-deadlock: %s takes %s which it already holds",
				 w->tasks[t->id].name,
				 ksim_object_name(w, p->obj, p->bit));
		ksim_finding_stop(w, t);
	}
}

static void ksim_record_event(struct ksim_world *w, struct ksim_task *t)
{
	struct ksim_event *ev;

	if (!w->opt[KSIM_OPT_TRACE])
		return;
	if (w->nr_events == w->cap_events) {
		size_t cap = w->cap_events ? w->cap_events * 2 : 256;
		struct ksim_event *n = realloc(w->events, cap * sizeof(*n));

		if (!n)
			return;
		w->events = n;
		w->cap_events = cap;
	}
	ev = &w->events[w->nr_events++];
	ev->task = t->id;
	ksim_op_export(w, &t->pend, &ev->op);
	ev->result = 0;
}

struct ksim_task *ksim_point(int kind, int write, const void *obj, int bit,
			     const char *file, int line, const char *func)
{
	struct ksim_world *w = ksim_tls_world;
	struct ksim_task *t = w ? w->cur : NULL;

	if (!t)
		return NULL;
	t->pend.kind = kind;
	t->pend.write = write;
	t->pend.obj = obj;
	t->pend.bit = bit;
	t->pend.file = file;
	t->pend.line = line;
	t->pend.func = func;
	t->has_pend = 1;
	if (obj)
		ksim_foot_note_obj(w, obj, bit);
	if (!(t->spin_depth || t->irq_depth || t->preempt_depth) !=
	    !(w->cpu_atomic & (1UL << t->id))) {
		/* entering or leaving atomic context: flush_work() waits on it */
		w->cpu_atomic ^= 1UL << t->id;
		ksim_foot_word(w, &w->cpu_atomic, t->id);
	}
	if (ksim_kind_flags[kind])
		ksim_precheck(w, t);
	if (t->internal) {
		/* the end-of-run drain: nobody to interleave with */
		if (!ksim_op_enabled(w, t)) {
			ksim_finding_add(w, KSIM_F_DEADLOCK, t, file, line, func,
					 "deadlock at quiescence: %s waits for %s, held after every task ended",
					 ksim_op_kind_name(kind),
					 ksim_object_name(w, obj, bit));
			ksim_finding_stop(w, t);
		}
		ksim_record_event(w, t);
		t->has_pend = 0;
		return t;
	}
	if (w->ch.fast && ksim_choose_here(w, t)) {
		if (w->audit)
			ksim_audit_note(w, t);
		t->has_pend = 0;
		return t;
	}
	ksim_coro_leave(w, t);
	if (w->audit)
		ksim_audit_note(w, t);
	t->has_pend = 0;
	return t;
}

void ksim_task_main(struct ksim_task *t)
{
	struct ksim_world *w = ksim_tls_world;

	t->started = 1;
	if (t->internal) {
		if (w->model->quiesce)
			w->model->quiesce(w->priv);
	} else {
		t->op->run(w->priv, t->arg);
	}
	ksim_held_at_exit(w, t);
	if (w->cpu_atomic & (1UL << t->id)) {
		w->cpu_atomic &= ~(1UL << t->id);
		ksim_foot_word(w, &w->cpu_atomic, t->id);
	}
	t->state = KSIM_TASK_DONE;
	t->has_pend = 0;
	ksim_coro_exit(w, t);
}

/* After tasks moved: end the run if it is over. */
static void ksim_after_step(struct ksim_world *w)
{
	int runnable;

	w->enabled = 0;
	if (w->stopped) {
		w->phase = KSIM_PH_DONE;
		return;
	}
	w->enabled = ksim_scan(w, &runnable);
	if (runnable) {
		if (!w->enabled) {
			ksim_deadlock_report(w);
			w->stopped = 1;
			w->phase = KSIM_PH_DONE;
		}
		return;
	}
	/* every task ended: drain per-CPU state, then check invariants */
	w->phase = KSIM_PH_QUIESCE;
	ksim_coro_enter(w, &w->tasks[w->nr_tasks]);
	if (!w->stopped && w->model->check)
		w->model->check(w, w->priv);
	w->phase = KSIM_PH_DONE;
}

void ksim_run_start(struct ksim_world *w)
{
	int i;

	ksim_tls_world = w;
	/* armed per run (the host may have swapped handlers since the last) */
	ksim_crash_guard_arm(w);
	ksim_run_reset(w);
	memset(&w->ch, 0, sizeof(w->ch));
	w->ch.next = -1;
	for (i = 0; i <= w->nr_tasks; i++)
		ksim_coro_init(w, &w->tasks[i]);
	/* run every task up to its first scheduling point */
	for (i = 0; i < w->nr_tasks && !w->stopped; i++) {
		ksim_foot_begin(w);
		ksim_coro_enter(w, &w->tasks[i]);
	}
	ksim_after_step(w);
	ksim_crash_guard_after(w);
}

/* Run task t's pending operation and on to its next scheduling point. */
static void ksim_run_one(struct ksim_world *w, struct ksim_task *t)
{
	w->steps++;
	w->total_steps++;
	ksim_record_event(w, t);
	ksim_foot_begin(w);
	ksim_coro_enter(w, t);
	if (w->opt[KSIM_OPT_TRACE] && w->nr_events)
		w->events[w->nr_events - 1].result = t->result;
	ksim_after_step(w);
}

/*
 * A task other than the loop that has not finished: preferably one that
 * was able to run at some choice of the run's second half (the enabled
 * log says so) but was never chosen there.  -1 when the loop is the only
 * task left.
 */
static int ksim_waiting_task(const struct ksim_world *w, int loop)
{
	size_t window = w->nr_choices / 2, i;
	uint32_t could = w->enabled, ran = 0;
	int u, other = -1;

	for (i = w->nr_choices - window; i < w->nr_choices; i++) {
		could |= w->enlog[i];
		ran |= 1u << w->choices[i];
	}
	for (u = 0; u < w->nr_tasks; u++) {
		if (u == loop || w->tasks[u].state != KSIM_TASK_RUNNABLE)
			continue;
		if ((could & ~ran) & (1u << u))
			return u;
		if (other < 0)
			other = u;
	}
	return other;
}

/*
 * The step budget ran out.  That alone does not say the kernel code
 * livelocks: the schedule may have kept another task waiting, and the
 * loop that used the budget may only be waiting for that task (a retry
 * loop such as find_get_pages() spinning on a page whose refs another CPU
 * has frozen).  So while any other task is unfinished, the run goes on
 * under a fair schedule (round-robin over the tasks able to run) for the
 * same budget again:
 *  - it ends: the schedule was unfair, not the code; reported as a
 *    tolerated "unfair schedule" (findings of the fair tail stay);
 *  - it does not end although every task able to run got turns (say one
 *    task spins on lock/unlock of its own while the others have
 *    finished, or wait for it forever): a livelock, fatal.
 * A loop that is the only unfinished task is a livelock at once.  The
 * fair tail is a function of the state the budget ran out in, so a token
 * of the choices up to there replays all of it; its steps are counted
 * but not appended to the choices.
 */
static void ksim_livelock(struct ksim_world *w, struct ksim_task *t)
{
	uint64_t budget = (uint64_t)w->opt[KSIM_OPT_MAX_STEPS], tail = 0;
	int starved, fast = w->ch.fast, last;
	/* the loop: the task that ran last, where it stands now */
	struct ksim_task *loop = w->nr_choices ?
		&w->tasks[w->choices[w->nr_choices - 1]] : t;
	const char *file = loop->pend.file, *func = loop->pend.func;
	int line = loop->pend.line;
	struct ksim_finding_rec *r;

	starved = ksim_waiting_task(w, loop->id);
	if (starved < 0) {
		ksim_finding_add(w, KSIM_F_LIVELOCK, t, t->pend.file,
				 t->pend.line, t->pend.func,
				 "livelock: no end after %llu steps (last at %s:%d)",
				 (unsigned long long)w->steps,
				 ksim_short_file(t->pend.file), t->pend.line);
		w->phase = KSIM_PH_DONE;
		return;
	}
	/* the fair tail; scheduling points must not choose meanwhile */
	w->ch.fast = 0;
	last = loop->id;
	while (w->phase != KSIM_PH_DONE && w->enabled && tail < budget) {
		int k, pick = -1;

		for (k = 1; k <= w->nr_tasks && pick < 0; k++)
			if (w->enabled & (1u << ((last + k) % w->nr_tasks)))
				pick = (last + k) % w->nr_tasks;
		last = pick;
		tail++;
		ksim_run_one(w, &w->tasks[pick]);
	}
	w->ch.fast = fast;
	w->ch.next = -1;
	if (w->phase == KSIM_PH_DONE) {
		/* it ended (or found something else): the schedule was unfair */
		r = ksim_finding_add(w, KSIM_F_LIVELOCK, loop, file, line, func,
				     "unfair schedule: %s loops at %s:%d while %s was kept waiting; given turns, the run ended %llu steps later",
				     loop->name, ksim_short_file(file), line,
				     w->tasks[starved].name,
				     (unsigned long long)tail);
		if (r)
			r->f.tolerated = 1;
		return;
	}
	/* still going although every task able to run got turns */
	loop = &w->tasks[last];
	ksim_finding_add(w, KSIM_F_LIVELOCK, loop, loop->pend.file,
			 loop->pend.line, loop->pend.func,
			 "livelock: no end after %llu steps, the last %llu under a fair schedule (every task able to run got turns); %s loops at %s:%d",
			 (unsigned long long)w->steps, (unsigned long long)tail,
			 loop->name, ksim_short_file(loop->pend.file),
			 loop->pend.line);
	w->phase = KSIM_PH_DONE;
}

int ksim_step(struct ksim_world *w, int task)
{
	struct ksim_task *t;

	if (!w)
		return KSIM_EINVAL;
	if (w->phase == KSIM_PH_DONE) {
		snprintf(w->err, sizeof(w->err),
			 "the run is over: reset the world before stepping");
		return KSIM_EDONE;
	}
	if (task < 0 || task >= w->nr_tasks) {
		snprintf(w->err, sizeof(w->err), "no task %d (world has %d)",
			 task, w->nr_tasks);
		return KSIM_ENOENT;
	}
	t = &w->tasks[task];
	if (t->state != KSIM_TASK_RUNNABLE) {
		snprintf(w->err, sizeof(w->err), "task %d (%s) has finished",
			 task, t->name);
		return KSIM_ENOENT;
	}
	if (!(w->enabled & (1u << task))) {
		snprintf(w->err, sizeof(w->err),
			 "task %d (%s) is blocked on %s %s", task, t->name,
			 ksim_op_kind_name(t->pend.kind),
			 ksim_object_name(w, t->pend.obj, t->pend.bit));
		return KSIM_ENOTENABLED;
	}
	ksim_tls_world = w;
	w->err[0] = '\0';
	ksim_crash_guard_step(w);
	if (w->steps >= (uint64_t)w->opt[KSIM_OPT_MAX_STEPS]) {
		ksim_livelock(w, t);
		ksim_crash_guard_after(w);
		return 0;
	}
	if (ksim_push_choice(w, task, w->enabled))
		return KSIM_ENOMEM;
	ksim_run_one(w, t);
	ksim_crash_guard_after(w);
	return 0;
}

uint32_t ksim_enabled(const struct ksim_world *w)
{
	return !w || w->phase == KSIM_PH_DONE ? 0 : w->enabled;
}

int ksim_done(const struct ksim_world *w)
{
	return w ? w->phase == KSIM_PH_DONE : KSIM_EINVAL;
}

/*
 * Run the world with its built-in chooser (set up by the caller after
 * ksim_run_start()) until the run ends or the chooser has no more choices.
 * Returns 0 or the error of a step the chooser asked for (the run stays
 * where it was: the caller reports it).
 */
int ksim_drive(struct ksim_world *w)
{
	int rc = 0;

	w->ch.next = -1;
	w->ch.fast = !w->opt[KSIM_OPT_TRACE] && w->opt[KSIM_OPT_DIRECT];
	while (w->phase != KSIM_PH_DONE && w->enabled) {
		int pick = w->ch.next;

		if (pick < 0)
			pick = ksim_choose(w);
		if (pick < 0)
			break;
		w->ch.next = -1;
		rc = ksim_step(w, pick);
		if (rc)
			break;
	}
	w->ch.fast = 0;
	w->ch.next = -1;
	return rc;
}

size_t ksim_enabled_log(const struct ksim_world *w, const uint32_t **masks)
{
	if (masks)
		*masks = w ? w->enlog : NULL;
	return w ? w->nr_choices : 0;
}
