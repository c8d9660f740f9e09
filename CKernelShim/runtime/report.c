// SPDX-License-Identifier: GPL-2.0-only
/*
 * Findings and their kernel-style reports: recording, call chains
 * (captured on the task's stack, symbolized lazily from the ELF symbol
 * table so static kernel functions get their names), deadlock cycles.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <execinfo.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ksim_internal.h"

static const char *const kind_names[KSIM_F__COUNT] = {
	[KSIM_F_NONE] = "none",
	[KSIM_F_BUG] = "bug",
	[KSIM_F_BAD_PAGE] = "bad-page",
	[KSIM_F_DEADLOCK] = "deadlock",
	[KSIM_F_INVALID_CONTEXT] = "invalid-context",
	[KSIM_F_ACCOUNTING] = "accounting",
	[KSIM_F_LEAK] = "leak",
	[KSIM_F_STRANDED] = "stranded",
	[KSIM_F_LIVELOCK] = "livelock",
	[KSIM_F_CRASH] = "crash",
	[KSIM_F_LOCK_OWNER] = "lock-owner",
	[KSIM_F_BAD_UNLOCK] = "bad-unlock",
	[KSIM_F_HELD_AT_EXIT] = "held-at-exit",
	[KSIM_F_WARN] = "warn",
};

const char *ksim_finding_kind_name(int kind)
{
	if (kind < 0 || kind >= KSIM_F__COUNT)
		return "unknown";
	return kind_names[kind];
}

int ksim_finding_is_fatal(int kind)
{
	switch (kind) {
	case KSIM_F_BUG:
	case KSIM_F_DEADLOCK:
	case KSIM_F_LIVELOCK:
	case KSIM_F_CRASH:
	case KSIM_F_BAD_UNLOCK:
		return 1;
	default:
		return 0;
	}
}

/* "/abs/path/CKernelShim/mm/rmap.c" -> "mm/rmap.c": last two components. */
const char *ksim_short_file(const char *file)
{
	const char *p, *last = NULL, *prev = NULL;

	if (!file)
		return "?";
	for (p = file; *p; p++) {
		if (*p == '/') {
			prev = last;
			last = p;
		}
	}
	return prev ? prev + 1 : file;
}

char *ksim_pool_printf(struct ksim_world *w, const char *fmt, ...)
{
	size_t room = KSIM_POOL_SIZE - w->pool_used;
	char *s = w->pool + w->pool_used;
	va_list ap;
	int n;

	if (room < 2)
		return (char *)"";
	va_start(ap, fmt);
	n = vsnprintf(s, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return (char *)"";
	if ((size_t)n >= room)
		n = (int)room - 1;
	w->pool_used += (size_t)n + 1;
	return s;
}

static size_t ksim_format_held(const struct ksim_world *w,
			       const struct ksim_task *t, char *out,
			       size_t len);

struct ksim_finding_rec *ksim_finding_add(struct ksim_world *w, int kind,
					  struct ksim_task *t, const char *file,
					  int line, const char *func,
					  const char *fmt, ...)
{
	struct ksim_finding_rec *r;
	char buf[768];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/*
	 * A repeated non-fatal finding at the same place is one finding;
	 * checks that point at the kernel line that last wrote the state
	 * (after the run, or ksim_report_at()) may make several there, one
	 * per message.
	 */
	for (i = 0; i < w->nr_findings; i++) {
		struct ksim_finding *f = &w->findings[i].f;

		if (f->kind == kind && f->line == line && f->file == file &&
		    f->task == (t ? t->id : -1) &&
		    ((w->phase == KSIM_PH_RUN && !w->at_site) ||
		     !strcmp(f->message, buf)))
			return NULL;
	}
	if (w->nr_findings == KSIM_MAX_FINDINGS) {
		w->dropped_findings++;
		return NULL;
	}
	r = &w->findings[w->nr_findings++];
	memset(r, 0, offsetof(struct ksim_finding_rec, held_at));
	r->f.kind = kind;
	r->f.kind_name = ksim_finding_kind_name(kind);
	r->f.fatal = ksim_finding_is_fatal(kind);
	r->f.tolerated = kind == KSIM_F_STRANDED || kind == KSIM_F_WARN;
	r->f.message = ksim_pool_printf(w, "%s", buf);
	r->f.file = file;
	r->f.line = line;
	r->f.function = func;
	r->f.task = t ? t->id : -1;
	r->f.task_name = t ? t->name : "";
	r->f.step = w->steps;
	if (t && kind != KSIM_F_DEADLOCK) {
		/* formatted only when the report is asked for */
		r->has_held = 1;
		r->nr_held_at = t->nr_held;
		memcpy(r->held_at, t->held, t->nr_held * sizeof(t->held[0]));
	}
	if (r->f.fatal)
		w->stopped = 1;
	return r;
}

void ksim_finding_stop(struct ksim_world *w, struct ksim_task *t)
{
	w->stopped = 1;
	t->state = KSIM_TASK_DEAD;
	t->has_pend = 0;
	ksim_coro_exit(w, t);
}

void ksim_capture_frames(struct ksim_frames *fr)
{
	fr->n = backtrace(fr->pc, KSIM_MAX_FRAMES);
	if (fr->n < 0)
		fr->n = 0;
}

/* Name of the function containing pc, from the ELF .symtab of its file. */
static int ksim_elf_lookup(const char *path, uintptr_t addr, int dyn,
			   char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const unsigned char *m;
	int i, found = 0;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
		close(fd);
		return 0;
	}
	m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 0;
	eh = (const Elf64_Ehdr *)m;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) >
	    (uint64_t)st.st_size)
		goto out;
	(void)dyn;
	sh = (const Elf64_Shdr *)(m + eh->e_shoff);
	for (i = 0; i < eh->e_shnum && !found; i++) {
		const Elf64_Sym *sym;
		const char *strtab;
		size_t j, n;

		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
			continue;
		sym = (const Elf64_Sym *)(m + sh[i].sh_offset);
		strtab = (const char *)(m + sh[sh[i].sh_link].sh_offset);
		n = sh[i].sh_size / sizeof(Elf64_Sym);
		for (j = 0; j < n; j++) {
			if (ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC)
				continue;
			if (addr >= sym[j].st_value &&
			    addr < sym[j].st_value + sym[j].st_size) {
				snprintf(buf, len, "%s+0x%lx",
					 strtab + sym[j].st_name,
					 (unsigned long)(addr - sym[j].st_value));
				found = 1;
				break;
			}
		}
	}
out:
	munmap((void *)m, st.st_size);
	return found;
}

const char *ksim_symbolize(void *pc, char *buf, size_t len)
{
	Dl_info info;
	uintptr_t a = (uintptr_t)pc - 1;	/* inside the call insn */

	if (dladdr((void *)a, &info) && info.dli_fname) {
		const char *path = info.dli_fname;
		const Elf64_Ehdr *eh = info.dli_fbase;
		int dyn = eh && eh->e_type == ET_DYN;
		uintptr_t rel = dyn ? a - (uintptr_t)info.dli_fbase : a;

		/*
		 * The main program is named as it was invoked ("" or a bare
		 * "kharness" found on PATH): read it through /proc instead.
		 */
		if (!path[0] || !strchr(path, '/'))
			path = "/proc/self/exe";
		if (ksim_elf_lookup(path, rel, dyn, buf, len)) {
			/* report the return address offset, as the kernel does */
			char *plus = strrchr(buf, '+');

			if (plus)
				snprintf(plus, len - (plus - buf), "+0x%lx",
					 strtoul(plus + 1, NULL, 16) + 1);
			return buf;
		}
		if (info.dli_sname) {
			snprintf(buf, len, "%s", info.dli_sname);
			return buf;
		}
	}
	snprintf(buf, len, "%p", pc);
	return buf;
}

static int ksim_is_runtime_frame(const char *name)
{
	return !strncmp(name, "ksim_", 5) || !strncmp(name, "0x", 2) ||
	       !strncmp(name, "backtrace", 9);
}

/* ksim_symbolize() through the world's cache of names. */
const char *ksim_sym_name(struct ksim_world *w, void *pc)
{
	uintptr_t h = ((uintptr_t)pc >> 1) * 0x9E3779B97F4A7C15ULL;
	struct ksim_sym *e = &w->syms[(h >> 40) & (KSIM_SYM_SLOTS - 1)];

	if (e->pc != pc || !e->name[0]) {
		ksim_symbolize(pc, e->name, sizeof(e->name));
		e->pc = pc;
	}
	return e->name;
}

/*
 * Kernel frames of a chain, innermost first, one a line after indent:
 * the runtime's own frames are left out, and the chain ends at the
 * task's entry.  Returns the characters written.
 */
static size_t ksim_format_pcs(struct ksim_world *w, void *const *pc, int n,
			      const char *indent, size_t ilen, char *out,
			      size_t len)
{
	size_t used = 0;
	int i;

	for (i = 0; i < n && used < len; i++) {
		const char *name = ksim_sym_name(w, pc[i]);

		if (!strncmp(name, "ksim_task_main", 14) ||
		    !strncmp(name, "ksim_coro_start", 15))
			break;
		if (ksim_is_runtime_frame(name))
			continue;
		used += snprintf(out + used, len - used, "%.*s%s\n",
				 (int)ilen, indent, name);
	}
	return used < len ? used : len;
}

/* Append the symbolized call chain, innermost first, kernel frames only. */
static size_t ksim_format_frames(struct ksim_world *w,
				 const struct ksim_frames *fr, char *out,
				 size_t len, const struct ksim_task *t)
{
	size_t used = ksim_format_pcs(w, fr->pc, fr->n, "  ", 2, out, len);

	if (t && used < len)
		used += snprintf(out + used, len - used, "  <task %s: %s>\n",
				 t->name, t->internal ? "quiesce" :
				 t->op->name);
	return used < len ? used : len;
}

/*
 * Copy a finding's detail into its report, turning each chain line that
 * ksim_last_write_chain() left ("\1INDENT\2PC,PC,...") into frames.
 */
size_t ksim_expand_detail(struct ksim_world *w, const char *detail, char *out,
			  size_t len)
{
	size_t used = 0;
	const char *p = detail;

	while (*p && used + 1 < len) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) + 1 : strlen(p);

		if (*p == '\1') {
			const char *ind = p + 1, *sep = memchr(p, '\2', n);
			void *pc[KSIM_MAX_FRAMES];
			int k = 0;

			if (sep) {
				const char *q = sep + 1;

				while (k < KSIM_MAX_FRAMES && q < p + n &&
				       *q != '\n') {
					char *end;

					pc[k++] = (void *)(uintptr_t)strtoul(q, &end, 16);
					q = *end == ',' ? end + 1 : end;
					if (end == q && *end != ',')
						break;
				}
				used += ksim_format_pcs(w, pc, k, ind,
							(size_t)(sep - ind),
							out + used, len - used);
			}
		} else {
			if (n > len - used - 1)
				n = len - used - 1;
			memcpy(out + used, p, n);
			used += n;
		}
		p += eol ? (size_t)(eol - p) + 1 : strlen(p);
	}
	if (used < len)
		out[used] = '\0';
	return used;
}

static size_t ksim_format_held(const struct ksim_world *w,
			       const struct ksim_task *t, char *out, size_t len)
{
	size_t used = 0;
	int i;

	for (i = 0; i < t->nr_held && used < len; i++) {
		const struct ksim_held *h = &t->held[i];

		used += snprintf(out + used, len - used,
				 "  #%d: %s, taken at %s:%d (%s)\n", i,
				 ksim_object_name(w, h->obj, h->bit),
				 ksim_short_file(h->file), h->line, h->func);
	}
	if (!t->nr_held && used < len)
		used += snprintf(out + used, len - used, "  (none)\n");
	return used < len ? used : len;
}

int ksim_finding_get(struct ksim_world *w, int i, struct ksim_finding *f)
{
	struct ksim_finding_rec *r;

	if (!w)
		return KSIM_EINVAL;
	if (!f) {
		snprintf(w->err, sizeof(w->err), "ksim_finding_get: f is NULL");
		return KSIM_EINVAL;
	}
	if (i < 0 || i >= w->nr_findings) {
		snprintf(w->err, sizeof(w->err), "no finding %d (run has %d)",
			 i, w->nr_findings);
		return KSIM_ENOENT;
	}
	w->err[0] = '\0';
	r = &w->findings[i];
	if (!r->resolved) {
		static const size_t cap = 16384;
		char *buf = malloc(cap);
		size_t used = 0;
		const struct ksim_task *t = r->f.task >= 0 ?
			&w->tasks[r->f.task] : NULL;

		if (!buf)
			return KSIM_ENOMEM;
		if (r->detail_fn && !r->detail) {
			/* the check's reader runs as in the world's thread */
			struct ksim_world *was = ksim_tls_world;
			char *d = malloc(8192);

			if (d) {
				ksim_tls_world = w;
				d[0] = '\0';
				r->detail_fn(w, r->detail_arg, d, 8192);
				ksim_tls_world = was;
				r->detail = ksim_pool_printf(w, "%s", d);
				free(d);
			}
		}
		if (r->has_held && !r->held) {
			struct ksim_task tmp;
			char held[1024];

			tmp.nr_held = r->nr_held_at;
			memcpy(tmp.held, r->held_at,
			       r->nr_held_at * sizeof(r->held_at[0]));
			ksim_format_held(w, &tmp, held, sizeof(held));
			r->held = ksim_pool_printf(w, "%s", held);
		}
		used += snprintf(buf + used, cap - used,
				 "------------[ cut here ]------------\n%s\n",
				 r->f.message);
		if (t && used < cap)
			used += snprintf(buf + used, cap - used,
					 "CPU: %d PID: %d Comm: %s (%s), step %zu\n",
					 t->id, t->id + 1, t->name,
					 t->internal ? "quiesce" : t->op->name,
					 r->f.step);
		if (r->f.file && used < cap)
			used += snprintf(buf + used, cap - used,
					 "at %s:%d in %s()\n",
					 ksim_short_file(r->f.file), r->f.line,
					 r->f.function ? r->f.function : "?");
		if (r->detail && used < cap)
			used += ksim_expand_detail(w, r->detail, buf + used,
						   cap - used);
		if (r->frames.n && used < cap) {
			used += snprintf(buf + used, cap - used,
					 "Call Trace:\n");
			if (used < cap)
				used += ksim_format_frames(w, &r->frames,
							   buf + used,
							   cap - used, t);
		}
		if (t && r->held && used < cap)
			used += snprintf(buf + used, cap - used,
					 "Locks held by %s:\n%s", t->name,
					 r->held);
		if (used < cap)
			used += snprintf(buf + used, cap - used,
					 "Schedule: %s\n---[ end trace ]---\n",
					 ksim_token_make(w));
		r->f.report = ksim_pool_printf(w, "%s", buf);
		free(buf);
		r->resolved = 1;
	}
	*f = r->f;
	f->file = ksim_short_file(r->f.file);
	return 0;
}

int ksim_finding_brief(const struct ksim_world *w, int i, int *kind,
		       const char **file, int *line, int *tolerated)
{
	const struct ksim_finding *f;

	if (!w)
		return KSIM_EINVAL;
	if (i < 0 || i >= w->nr_findings) {
		snprintf((char *)w->err, sizeof(w->err),
			 "no finding %d (run has %d)", i, w->nr_findings);
		return KSIM_ENOENT;
	}
	((char *)w->err)[0] = '\0';
	f = &w->findings[i].f;
	if (kind)
		*kind = f->kind;
	if (file)
		*file = ksim_short_file(f->file);
	if (line)
		*line = f->line;
	if (tolerated)
		*tolerated = f->tolerated;
	return 0;
}

int ksim_finding_count(const struct ksim_world *w)
{
	return w ? w->nr_findings : KSIM_EINVAL;
}

int ksim_failed(const struct ksim_world *w)
{
	int i;

	if (!w)
		return KSIM_EINVAL;
	for (i = 0; i < w->nr_findings; i++) {
		const struct ksim_finding *f = &w->findings[i].f;

		/* WARNs and unfair schedules never fail a run */
		if (f->kind == KSIM_F_WARN ||
		    (f->kind == KSIM_F_LIVELOCK && f->tolerated))
			continue;
		if (!f->tolerated || w->opt[KSIM_OPT_STRICT])
			return 1;
	}
	return 0;
}

/* Task index holding what t waits for, or -1. */
static int ksim_waits_for(const struct ksim_world *w,
			  const struct ksim_task *t)
{
	const struct ksim_pend *p = &t->pend;
	int i;

	switch (p->kind) {
	case KSIM_OP_SPIN_LOCK:
		return ((const spinlock_t *)p->obj)->owner - 1;
	case KSIM_OP_MUTEX_LOCK:
		return ((const struct mutex *)p->obj)->owner - 1;
	case KSIM_OP_DOWN_WRITE:
	case KSIM_OP_DOWN_READ: {
		const struct rw_semaphore *s = p->obj;

		if (s->writer)
			return s->writer - 1;
		for (i = 0; i < w->nr_tasks; i++)
			if (&w->tasks[i] != t &&
			    ksim_held_find(&w->tasks[i], s, -1, 0) >= 0)
				return i;
		/* a read blocked behind a queued writer */
		for (i = 0; i < w->nr_tasks; i++) {
			const struct ksim_task *u = &w->tasks[i];

			if (u != t && u->state == KSIM_TASK_RUNNABLE &&
			    u->queued && u->pend.obj == s)
				return i;
		}
		return -1;
	}
	case KSIM_OP_LOCK_PAGE:
	case KSIM_OP_WAIT_PAGE_UNLOCKED:
		for (i = 0; i < w->nr_tasks; i++)
			if (ksim_held_find(&w->tasks[i], p->obj, p->bit,
					   KSIM_LC_BIT) >= 0)
				return i;
		return -1;
	default:
		return -1;
	}
}

void ksim_deadlock_report(struct ksim_world *w)
{
	int next[KSIM_MAX_TASKS], seen[KSIM_MAX_TASKS];
	int i, start = -1, cyc[KSIM_MAX_TASKS], ncyc = 0;
	char buf[4096], msg[512];
	size_t used = 0, mused = 0;
	struct ksim_finding_rec *r;
	const struct ksim_task *first;

	for (i = 0; i < w->nr_tasks; i++) {
		next[i] = w->tasks[i].state == KSIM_TASK_RUNNABLE ?
			  ksim_waits_for(w, &w->tasks[i]) : -1;
		seen[i] = 0;
	}
	/* follow wait-for edges from each blocked task to find a cycle */
	for (i = 0; i < w->nr_tasks && start < 0; i++) {
		int j = i, k;

		for (k = 0; k <= w->nr_tasks && j >= 0; k++)
			j = next[j];
		if (j >= 0)
			start = j;	/* inside a cycle after n hops */
	}
	if (start >= 0) {
		int j = start;

		do {
			cyc[ncyc++] = j;
			seen[j] = 1;
			j = next[j];
		} while (j != start && ncyc < KSIM_MAX_TASKS);
	} else {
		for (i = 0; i < w->nr_tasks; i++)
			if (w->tasks[i].state == KSIM_TASK_RUNNABLE)
				cyc[ncyc++] = i;
	}
	mused += snprintf(msg + mused, sizeof(msg) - mused, "deadlock: ");
	for (i = 0; i < ncyc && mused < sizeof(msg); i++) {
		const struct ksim_task *t = &w->tasks[cyc[i]];
		int h = next[cyc[i]];

		mused += snprintf(msg + mused, sizeof(msg) - mused,
				  "%s%s waits for %s%s%s", i ? "; " : "",
				  t->name,
				  ksim_object_name(w, t->pend.obj, t->pend.bit),
				  h >= 0 ? " held by " : "",
				  h >= 0 ? w->tasks[h].name : "");
	}
	for (i = 0; i < w->nr_tasks && used < sizeof(buf); i++) {
		const struct ksim_task *t = &w->tasks[i];

		if (t->state != KSIM_TASK_RUNNABLE)
			continue;
		used += snprintf(buf + used, sizeof(buf) - used,
				 "task %s%s wants %s %s at %s:%d (%s)\n",
				 t->name, seen[i] ? " [cycle]" : "",
				 ksim_op_kind_name(t->pend.kind),
				 ksim_object_name(w, t->pend.obj, t->pend.bit),
				 ksim_short_file(t->pend.file), t->pend.line,
				 t->pend.func);
		if (used < sizeof(buf))
			used += snprintf(buf + used, sizeof(buf) - used,
					 " holding:\n");
		if (used < sizeof(buf))
			used += ksim_format_held(w, t, buf + used,
						 sizeof(buf) - used);
	}
	first = &w->tasks[cyc[0]];
	r = ksim_finding_add(w, KSIM_F_DEADLOCK, (struct ksim_task *)first,
			     first->pend.file, first->pend.line,
			     first->pend.func, "%s", msg);
	if (r)
		r->detail = ksim_pool_printf(w, "%s", buf);
}
